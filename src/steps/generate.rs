//! Generate connection: the Infinite Campus menu path, step by step; for another OneRoster
//! 1.2 provider, what to ask it for.

use leptos::prelude::*;

use crate::components::frame::{Frame, Nav};
use crate::ctx::ctx;
use crate::i18n::Key;
use crate::sis::Sis;
use crate::state::Step;

/// The generate-connection step.
#[component]
pub fn GenerateStep() -> impl IntoView {
    let ctx = ctx();
    let items = match ctx.sis() {
        Sis::InfiniteCampus => [
            Key::Generate1,
            Key::Generate2,
            Key::Generate3,
            Key::Generate4,
            Key::Generate5,
        ],
        Sis::OneRoster => [
            Key::OrGuide1,
            Key::OrGuide2,
            Key::OrGuide3,
            Key::OrGuide4,
            Key::OrGuide5,
        ],
    };
    view! {
        <Frame step=Step::GenerateConnection title=ctx.t(Key::GenerateTitle).to_owned()>
            <p>{ctx.tv(Key::GenerateIntro)}</p>
            <ol class="sis-instructions" data-testid="guide">
                {items.into_iter().map(|k| view! { <li>{ctx.tv(k)}</li> }).collect_view()}
            </ol>
            <p class="sis-hint">{ctx.t(Key::GenerateOlder)}</p>
            <Nav/>
        </Frame>
    }
}
