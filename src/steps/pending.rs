//! The Data Extract step is its own piece of work; until it exists the step says so
//! plainly instead of pretending to work, and the administrator can go back.

use leptos::prelude::*;

use crate::app::ctx;
use crate::components::frame::{Frame, Nav};
use crate::i18n::Key;
use crate::state::Step;

/// The Custom Data Extract step, not built yet.
#[component]
pub fn PendingStep() -> impl IntoView {
    let ctx = ctx();
    view! {
        <Frame step=Step::DataExtract title=ctx.t(Key::StepDataExtract).to_owned()>
            <p class="sis-notice" role="status">{ctx.t(Key::NotAvailableYet)}</p>
            <Nav/>
        </Frame>
    }
}
