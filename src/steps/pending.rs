//! The steps after Start are built in the next milestone; until then this says so plainly
//! instead of pretending to work.

use leptos::prelude::*;

use crate::state::Step;

/// A step that is not built yet, with a way back.
#[component]
pub fn PendingStep(
    /// The step that is not built yet.
    step: Step,
    /// Goes to the previous step.
    on_back: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <section class="sis-step" data-testid=format!("step-{}", step.id())>
            <h2>{step.label()}</h2>
            <p class="sis-notice" role="status">"This step is not available yet."</p>
            <div class="sis-actions">
                <button type="button" class="sis-button" on:click=move |_| on_back()>"Back"</button>
            </div>
        </section>
    }
}
