//! Done: what was connected (or repaired), when data syncs, and whom to ask.

use leptos::prelude::*;

use crate::components::frame::Frame;
use crate::ctx::ctx;
use crate::i18n::Key;
use crate::state::Step;

/// The last step.
#[component]
pub fn DoneStep() -> impl IntoView {
    let ctx = ctx();
    let (vendor, support, regions, repaired) = ctx.session.with_value(|s| {
        (
            s.display_name.clone(),
            s.support_contact.clone(),
            s.regions.clone(),
            s.repair.as_ref().map(|r| r.district_name.clone()),
        )
    });
    let draft = ctx.draft.get_untracked();
    // A repair names the district as stored when the server's answer named none.
    let district = draft
        .completed
        .as_ref()
        .map(|c| c.district.clone())
        .filter(|d| !d.is_empty())
        .or(repaired.clone())
        .unwrap_or_default();
    let summary = if repaired.is_some() {
        Key::DoneRepaired
    } else {
        Key::DoneSummary
    };
    let region = regions
        .iter()
        .find(|r| Some(&r.id) == draft.region.as_ref())
        .map(|r| r.label_in(ctx.lang.tag()).to_owned())
        .unwrap_or_default();
    let support = match support {
        Some(contact) => ctx.lang.format(Key::DoneSupport, &[("support", &contact)]),
        None => ctx.tv(Key::DoneSupportNone),
    };
    view! {
        <Frame step=Step::Done title=ctx.t(Key::DoneTitle).to_owned()>
            <p data-testid="done-summary">
                {ctx.lang.format(summary, &[("district", &district), ("vendor", &vendor)])}
            </p>
            <p>{ctx.lang.format(Key::DoneRegion, &[("region", &region)])}</p>
            <p><strong>{ctx.t(Key::DoneSync)}</strong></p>
            <p data-testid="done-support">{support}</p>
        </Frame>
    }
}
