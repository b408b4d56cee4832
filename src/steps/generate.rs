//! Generate connection: the Infinite Campus menu path, step by step.

use leptos::prelude::*;

use crate::components::frame::{Frame, Nav};
use crate::ctx::ctx;
use crate::i18n::Key;
use crate::state::Step;

/// The generate-connection step.
#[component]
pub fn GenerateStep() -> impl IntoView {
    let ctx = ctx();
    let items = [
        Key::Generate1,
        Key::Generate2,
        Key::Generate3,
        Key::Generate4,
        Key::Generate5,
    ];
    view! {
        <Frame step=Step::GenerateConnection title=ctx.t(Key::GenerateTitle).to_owned()>
            <p>{ctx.t(Key::GenerateIntro)}</p>
            <ol class="sis-instructions">
                {items.into_iter().map(|k| view! { <li>{ctx.t(k)}</li> }).collect_view()}
            </ol>
            <p class="sis-hint">{ctx.t(Key::GenerateOlder)}</p>
            <Nav/>
        </Frame>
    }
}
