//! The wizard's root: loads the session, then shows the stepper and the current step.

use leptos::prelude::*;
use sis_onboard_protocol::SessionConfig;

use crate::api::fetch_session;
use crate::components::notice::Notice;
use crate::components::stepper::Stepper;
use crate::options::{MountOptions, OptionsError};
use crate::state::Step;
use crate::steps::pending::PendingStep;
use crate::steps::start::StartStep;

/// The whole wizard for one host element.
#[component]
pub fn App(
    /// The host element's configuration, or what is wrong with it.
    options: Result<MountOptions, OptionsError>,
) -> impl IntoView {
    let content = match options {
        Err(error) => view! { <Notice message=error.to_string()/> }.into_any(),
        Ok(options) => {
            let session = LocalResource::new(move || {
                let options = options.clone();
                async move { fetch_session(&options).await }
            });
            (move || match session.get() {
                None => view! {
                    <p class="sis-loading" role="status" data-testid="loading">"Loading…"</p>
                }
                .into_any(),
                Some(Err(failure)) => view! { <Notice message=failure.to_string()/> }.into_any(),
                Some(Ok(config)) => view! { <Flow session=config/> }.into_any(),
            })
            .into_any()
        }
    };
    view! { <div class="sis-wizard" data-testid="wizard">{content}</div> }
}

/// The steps, once the session is known.
#[component]
fn Flow(session: SessionConfig) -> impl IntoView {
    let (step, set_step) = signal(Step::Start);
    // The strategy step decides this; until it exists the extract path is off.
    let uses_data_extract = false;
    let go_next = move || {
        if let Some(next) = step.get_untracked().next(uses_data_extract) {
            set_step.set(next);
        }
    };
    let go_back = move || {
        if let Some(prev) = step.get_untracked().prev(uses_data_extract) {
            set_step.set(prev);
        }
    };
    let vendor = session.display_name.clone();
    view! {
        <Stepper current=step uses_data_extract/>
        {move || match step.get() {
            Step::Start => view! {
                <StartStep vendor=vendor.clone() on_start=move || go_next()/>
            }
            .into_any(),
            other => view! { <PendingStep step=other on_back=move || go_back()/> }.into_any(),
        }}
    }
}
