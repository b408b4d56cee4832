//! A message that replaces the wizard when it cannot go on (bad configuration, no session).

use leptos::prelude::*;

/// An alert with a plain-language message.
#[component]
pub fn Notice(
    /// What went wrong and what to do about it.
    message: String,
) -> impl IntoView {
    view! {
        <div class="sis-notice" role="alert" data-testid="notice">
            <p>{message}</p>
        </div>
    }
}
