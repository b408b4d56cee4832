//! The frame of every step: its heading (focused when the administrator arrives, so screen
//! readers announce it), its content, and Back / Continue.

use leptos::html::H2;
use leptos::prelude::*;

use crate::ctx::{Ctx, ctx};
use crate::i18n::Key;
use crate::state::Step;

/// A step's section with a focusable heading.
#[component]
pub fn Frame(
    /// Which step this is (its test id and heading id).
    step: Step,
    /// The heading.
    title: String,
    /// The content.
    children: Children,
) -> impl IntoView {
    let ctx = ctx();
    let heading = NodeRef::<H2>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get()
            && ctx.navigated.get_untracked()
        {
            let _ = h.focus();
        }
    });
    let id = format!("sis-{}-title", step.id());
    let labelled_by = id.clone();
    view! {
        <section class="sis-step" data-testid=format!("step-{}", step.id()) aria-labelledby=labelled_by>
            <h2 id=id tabindex="-1" node_ref=heading data-testid="step-title">{title}</h2>
            {children()}
        </section>
    }
}

/// Back (when there is a step before) and Continue, enabled once the draft may leave the
/// step on screen (`Draft::may_leave`).
#[component]
pub fn Nav(
    /// Continue's label.
    #[prop(default = Key::Continue)]
    label: Key,
) -> impl IntoView {
    let ctx = ctx();
    let (step, has_back) = ctx
        .draft
        .with_untracked(|d| (d.step, d.step.prev(d.uses_data_extract()).is_some()));
    view! {
        <div class="sis-actions">
            {has_back.then(|| back_button(ctx))}
            <button
                type="button"
                class="sis-button sis-primary"
                data-testid="continue"
                disabled=move || !ctx.draft.with(|d| d.may_leave(step))
                on:click=move |_| ctx.next()
            >
                {ctx.t(label)}
            </button>
        </div>
    }
}

/// Back to the previous step; nothing entered is lost.
pub fn back_button(ctx: Ctx) -> impl IntoView {
    view! {
        <button type="button" class="sis-button" data-testid="back" on:click=move |_| ctx.back()>
            {ctx.t(Key::Back)}
        </button>
    }
}

/// One choice: id, label, help, whether it can be chosen.
pub type Choice = (String, String, Option<String>, bool);

/// The choices of a choice step (Source, Region, Strategy) as radio buttons, read from and
/// written to the draft.
#[component]
pub fn Choices(
    /// The group's accessible name.
    legend: String,
    /// `(id, label, help, enabled)` of each choice: a fixed list, or one that follows what it
    /// reads (the source search).
    #[prop(into)]
    options: Signal<Vec<Choice>>,
    /// The step whose choice this is.
    step: Step,
) -> impl IntoView {
    let ctx = ctx();
    let chosen = move || ctx.draft.with(|d| d.choice(step));
    view! {
        <fieldset class="sis-choices">
            <legend class="sis-visually-hidden">{legend}</legend>
            {move || {
                options
                    .get()
                    .into_iter()
                    .map(|(id, label, help, enabled)| {
                        let value = id.clone();
                        let is_chosen = {
                            let id = id.clone();
                            move || chosen().as_deref() == Some(id.as_str())
                        };
                        let help_id = format!("sis-help-{id}");
                        view! {
                            <label class="sis-choice" class:sis-disabled=!enabled>
                                <input
                                    type="radio"
                                    name="sis-choice"
                                    data-testid=format!("choice-{id}")
                                    prop:checked=is_chosen
                                    disabled=!enabled
                                    aria-describedby=help.as_ref().map(|_| help_id.clone())
                                    on:change=move |_| {
                                        ctx.session.with_value(|session| {
                                            ctx.draft.update(|d| d.choose(session, step, value.clone()));
                                        });
                                    }
                                />
                                <span class="sis-choice-label">{label}</span>
                                {help.map(|h| view! { <span class="sis-hint" id=help_id>{h}</span> })}
                            </label>
                        }
                    })
                    .collect_view()
            }}
        </fieldset>
    }
}
