//! The stepper: where the administrator is, what is done and what is left.

use leptos::prelude::*;

use crate::state::Step;

/// An ordered list of the steps on the administrator's path, the current one marked.
#[component]
pub fn Stepper(
    /// The step on screen.
    current: ReadSignal<Step>,
    /// Whether the Custom Data Extract path (and its step) was chosen.
    uses_data_extract: bool,
) -> impl IntoView {
    let steps: Vec<Step> = Step::ALL
        .into_iter()
        .filter(|s| uses_data_extract || *s != Step::DataExtract)
        .collect();
    view! {
        <nav class="sis-stepper" aria-label="Progress">
            <ol>
                {steps
                    .into_iter()
                    .map(|step| {
                        let status = move || match step.cmp(&current.get()) {
                            std::cmp::Ordering::Less => "done",
                            std::cmp::Ordering::Equal => "current",
                            std::cmp::Ordering::Greater => "todo",
                        };
                        view! {
                            <li
                                class="sis-stepper-item"
                                data-status=status
                                data-testid=format!("stepper-{}", step.id())
                                aria-current=move || (status() == "current").then_some("step")
                            >
                                {step.label()}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </nav>
    }
}
