//! Strategy: the OneRoster 1.2 API, or a Custom Data Extract, with when to pick which; only
//! the ways the chosen source connects by are offered.

use leptos::prelude::*;
use sis_onboard_protocol::Strategy;

use crate::components::frame::{Choices, Frame, Nav};
use crate::ctx::ctx;
use crate::i18n::Key;
use crate::sis::Sis;
use crate::state::Step;

/// The strategy step.
#[component]
pub fn StrategyStep() -> impl IntoView {
    let ctx = ctx();
    let offered = ctx
        .session
        .with_value(|s| ctx.draft.with_untracked(|d| d.strategies(s)));
    // Only one way for this source (another OneRoster 1.2 provider): it is chosen, and said.
    let only = (offered.len() == 1 && ctx.sis() == Sis::OneRoster).then(|| {
        view! { <p class="sis-hint" data-testid="strategy-only">{ctx.t(Key::OrStrategyOnly)}</p> }
    });
    let options: Vec<_> = {
        offered
            .iter()
            .map(|strategy| {
                let (label, help) = match strategy {
                    Strategy::OneRosterApi => (Key::StrategyApi, Key::StrategyApiHelp),
                    Strategy::CustomDataExtract => (Key::StrategyExtract, Key::StrategyExtractHelp),
                };
                (
                    strategy.as_str().to_owned(),
                    ctx.t(label).to_owned(),
                    Some(ctx.t(help).to_owned()),
                    true,
                )
            })
            .collect()
    };
    view! {
        <Frame step=Step::Strategy title=ctx.t(Key::StrategyTitle).to_owned()>
            <p>{ctx.t(Key::StrategyIntro)}</p>
            <Choices
                legend=ctx.t(Key::StrategyTitle).to_owned()
                options
                step=Step::Strategy
            />
            {only}
            <Nav/>
        </Frame>
    }
}
