//! Done: what was connected, when data syncs, and whom to ask.

use leptos::prelude::*;

use crate::components::frame::Frame;
use crate::ctx::ctx;
use crate::i18n::Key;
use crate::state::Step;

/// The last step.
#[component]
pub fn DoneStep() -> impl IntoView {
    let ctx = ctx();
    let (vendor, support, regions) = ctx.session.with_value(|s| {
        (
            s.display_name.clone(),
            s.support_contact.clone(),
            s.regions.clone(),
        )
    });
    let draft = ctx.draft.get_untracked();
    let district = draft
        .completed
        .as_ref()
        .map(|c| c.district.clone())
        .unwrap_or_default();
    let region = regions
        .iter()
        .find(|r| Some(&r.id) == draft.region.as_ref())
        .map(|r| r.label.clone())
        .unwrap_or_default();
    let support = match support {
        Some(contact) => ctx.lang.format(Key::DoneSupport, &[("support", &contact)]),
        None => ctx.tv(Key::DoneSupportNone),
    };
    view! {
        <Frame step=Step::Done title=ctx.t(Key::DoneTitle).to_owned()>
            <p data-testid="done-summary">
                {ctx.lang.format(Key::DoneSummary, &[("district", &district), ("vendor", &vendor)])}
            </p>
            <p>{ctx.lang.format(Key::DoneRegion, &[("region", &region)])}</p>
            <p><strong>{ctx.t(Key::DoneSync)}</strong></p>
            <p data-testid="done-support">{support}</p>
        </Frame>
    }
}
