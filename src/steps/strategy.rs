//! Strategy: the OneRoster 1.2 API, or a Custom Data Extract, with when to pick which.

use leptos::prelude::*;
use sis_onboard_protocol::Strategy;

use crate::components::frame::{Choices, Frame, Nav};
use crate::ctx::ctx;
use crate::i18n::Key;
use crate::state::Step;

/// The strategy step.
#[component]
pub fn StrategyStep() -> impl IntoView {
    let ctx = ctx();
    let options: Vec<_> = ctx.session.with_value(|s| {
        s.strategies
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
    });
    view! {
        <Frame step=Step::Strategy title=ctx.t(Key::StrategyTitle).to_owned()>
            <p>{ctx.t(Key::StrategyIntro)}</p>
            <Choices
                legend=ctx.t(Key::StrategyTitle).to_owned()
                options
                step=Step::Strategy
            />
            <Nav/>
        </Frame>
    }
}
