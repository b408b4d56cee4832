//! The stepper: where the administrator is, what is done and what is left.

use leptos::prelude::*;

use crate::ctx::ctx;
use crate::i18n::Key;
use crate::state::Step;

/// An ordered list of the steps on the administrator's path, the current one marked.
#[component]
pub fn Stepper(
    /// The step on screen.
    current: Memo<Step>,
    /// Whether the Custom Data Extract path (and its step) was chosen.
    uses_data_extract: Memo<bool>,
) -> impl IntoView {
    let ctx = ctx();
    let source = Memo::new(move |_| ctx.draft.with(|d| d.source.clone()));
    // Every item's status changes with the step, and the list has at most eight: it is
    // simply drawn again whole.
    move || {
        let current = current.get();
        // The labels are the chosen source's words ("Get credentials" for a OneRoster
        // provider): drawn again when the choice changes.
        source.track();
        let steps: Vec<Step> = Step::ALL
            .into_iter()
            .filter(|s| uses_data_extract.get() || *s != Step::DataExtract)
            .collect();
        let n = steps.iter().position(|s| *s == current).unwrap_or(0) + 1;
        let position = ctx.lang.format(
            Key::StepOf,
            &[("n", &n.to_string()), ("total", &steps.len().to_string())],
        );
        let items = steps
            .into_iter()
            .map(|step| {
                let status = match step.cmp(&current) {
                    std::cmp::Ordering::Less => "done",
                    std::cmp::Ordering::Equal => "current",
                    std::cmp::Ordering::Greater => "todo",
                };
                view! {
                    <li
                        class="sis-stepper-item"
                        data-status=status
                        data-testid=format!("stepper-{}", step.id())
                        aria-current=(status == "current").then_some("step")
                    >
                        {ctx.t(step.label())}
                    </li>
                }
            })
            .collect_view();
        view! {
            <nav class="sis-stepper" aria-label=ctx.t(Key::Progress)>
                <p class="sis-visually-hidden" data-testid="step-position">{position}</p>
                <ol>{items}</ol>
            </nav>
        }
    }
}
