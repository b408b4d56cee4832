//! Region: where the proxy stores the connection (data residency), from the session's list.

use leptos::prelude::*;

use crate::components::frame::{Choices, Frame, Nav};
use crate::ctx::ctx;
use crate::i18n::Key;
use crate::state::Step;

/// The region step.
#[component]
pub fn RegionStep() -> impl IntoView {
    let ctx = ctx();
    let options: Vec<_> = ctx.session.with_value(|s| {
        s.regions
            .iter()
            .map(|r| {
                (
                    r.id.clone(),
                    r.label_in(ctx.lang.tag()).to_owned(),
                    None,
                    true,
                )
            })
            .collect()
    });
    view! {
        <Frame step=Step::Region title=ctx.t(Key::RegionTitle).to_owned()>
            <p>{ctx.tv(Key::RegionIntro)}</p>
            <Choices
                legend=ctx.t(Key::RegionTitle).to_owned()
                options
                step=Step::Region
            />
            <Nav/>
        </Frame>
    }
}
