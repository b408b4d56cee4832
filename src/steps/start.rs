//! Start: which app the administrator is connecting, and confirming they can do it.

use leptos::prelude::*;

use crate::components::frame::{Frame, Nav};
use crate::ctx::ctx;
use crate::i18n::Key;
use crate::state::Step;

/// The first step.
#[component]
pub fn StartStep() -> impl IntoView {
    let ctx = ctx();
    let is_admin = move || ctx.draft.with(|d| d.is_admin);
    view! {
        <Frame step=Step::Start title=ctx.tv(Key::StartTitle)>
            <p>{ctx.tv(Key::StartIntro)}</p>
            <label class="sis-check">
                <input
                    type="checkbox"
                    data-testid="confirm-admin"
                    aria-describedby="sis-start-hint"
                    prop:checked=is_admin
                    on:change=move |ev| {
                        let checked = event_target_checked(&ev);
                        ctx.draft.update(|d| d.is_admin = checked);
                    }
                />
                {ctx.t(Key::StartConfirm)}
            </label>
            <p class="sis-hint" id="sis-start-hint">{ctx.t(Key::StartHint)}</p>
            <Nav label=Key::StartButton/>
        </Frame>
    }
}
