//! Start: which app the administrator is connecting, and confirming they can do it.

use leptos::prelude::*;

/// The first step. `on_start` runs when the administrator goes on.
#[component]
pub fn StartStep(
    /// The vendor's name, from the session.
    vendor: String,
    /// Goes on to the next step.
    on_start: impl Fn() + 'static,
) -> impl IntoView {
    let (is_admin, set_is_admin) = signal(false);
    view! {
        <section class="sis-step" data-testid="step-start" aria-labelledby="sis-start-title">
            <h2 id="sis-start-title" data-testid="start-title">
                "Connect your student information system to " {vendor.clone()}
            </h2>
            <p>
                {vendor.clone()}
                " needs your district's rosters: schools, classes, teachers and students. \
                 This takes about ten minutes, and you can go back at any time without losing \
                 what you entered."
            </p>
            <label class="sis-check">
                <input
                    type="checkbox"
                    data-testid="confirm-admin"
                    prop:checked=is_admin
                    on:change=move |ev| set_is_admin.set(event_target_checked(&ev))
                />
                " I am an Infinite Campus administrator for my district."
            </label>
            <p class="sis-hint">
                "Only an administrator can generate the connection in Infinite Campus. If that \
                 is not you, forward this page to your district's administrator."
            </p>
            <div class="sis-actions">
                <button
                    type="button"
                    class="sis-button sis-primary"
                    data-testid="start"
                    disabled=move || !is_admin.get()
                    on:click=move |_| on_start()
                >
                    "Get started"
                </button>
            </div>
        </section>
    }
}
