//! What every step and component reads: the wizard's shared context for one mounted
//! session (language, session, draft, secret, host element) and how they move through it.

use leptos::prelude::*;
use sis_onboard_protocol::SessionConfig;
use web_sys::HtmlElement;

use crate::api::ApiFailure;
use crate::host::{self, HostEvent};
use crate::i18n::{Key, Lang};
use crate::options::MountOptions;
use crate::sis::Sis;
use crate::state::{Draft, Step, storage_key};

/// What every step can reach: the language, the session, the draft, the secret.
#[derive(Clone, Copy)]
pub struct Ctx {
    /// The language the administrator reads.
    pub lang: Lang,
    /// The session's configuration.
    pub session: StoredValue<SessionConfig>,
    /// How to reach the proxy.
    pub options: StoredValue<MountOptions>,
    /// Everything entered but the secret (persisted).
    pub draft: RwSignal<Draft>,
    /// The client secret: in memory only, cleared on completion and exit.
    pub secret: RwSignal<String>,
    /// The latest announcement for screen readers.
    pub announcement: RwSignal<String>,
    /// True once the administrator has moved between steps (focus follows from then on).
    pub navigated: RwSignal<bool>,
    /// The host element, to tell the page what happened.
    pub host: StoredValue<Option<HtmlElement>, LocalStorage>,
}

impl Ctx {
    /// The context of a session: the draft restored from `sessionStorage` when there is one.
    pub fn new(
        session: SessionConfig,
        options: MountOptions,
        lang: Lang,
        host: Option<HtmlElement>,
    ) -> Self {
        // A draft that no longer reads (another version's, or tampered with) is a fresh start.
        let stored = host::load(&storage_key(&session.session_id))
            .and_then(|json| serde_json::from_str::<Draft>(&json).ok());
        let draft = Draft::restore(&session, stored);
        Self {
            lang,
            draft: RwSignal::new(draft),
            session: StoredValue::new(session),
            options: StoredValue::new(options),
            secret: RwSignal::new(String::new()),
            announcement: RwSignal::new(String::new()),
            navigated: RwSignal::new(false),
            host: StoredValue::new_local(host),
        }
    }

    /// The system whose words the wizard speaks: the chosen source's (not tracked: a step
    /// is drawn again when the administrator moves on, after choosing).
    pub fn sis(&self) -> Sis {
        let source = self
            .draft
            .try_with_untracked(|d| d.source.clone())
            .flatten();
        self.session
            .try_with_value(|s| Sis::of(s, source.as_deref()))
            .unwrap_or(Sis::InfiniteCampus)
    }

    /// The text of `key`, in the words of the system being connected.
    pub fn t(&self, key: Key) -> &'static str {
        self.lang.text(self.sis().word(key))
    }

    /// The text of `key` with the vendor's name filled in.
    pub fn tv(&self, key: Key) -> String {
        // `try_`: an answer may arrive after the wizard was removed; it must not panic.
        let vendor = self
            .session
            .try_with_value(|s| s.display_name.clone())
            .unwrap_or_default();
        self.lang
            .format(self.sis().word(key), &[("vendor", &vendor)])
    }

    /// Goes to the next step on the administrator's path.
    pub fn next(&self) {
        self.go(|draft| draft.step.next(draft.uses_data_extract()));
    }

    /// Goes back a step; nothing entered is lost.
    pub fn back(&self) {
        self.go(|draft| draft.step.prev(draft.uses_data_extract()));
    }

    fn go(&self, to: impl Fn(&Draft) -> Option<Step>) {
        if let Some(step) = to(&self.draft.get_untracked()) {
            self.navigated.set(true);
            self.draft.update(|d| d.step = step);
        }
    }

    /// Tells the host page: the `sis-onboard:<name>` event and the `on<Name>` callback.
    pub fn notify(&self, event: HostEvent, detail: &[(&str, Option<&str>)]) {
        self.with_host(|h| host::notify(h, event, detail));
    }

    /// Runs `tell` with the host element, if there is one and the wizard is still mounted
    /// (an answer may arrive after removal: then there is nobody to tell).
    fn with_host(&self, tell: impl FnOnce(&HtmlElement)) {
        let _ = self.host.try_with_value(|h| h.as_ref().map(tell));
    }

    /// Tells the page of a failure it must act on whatever the step: the session is unknown
    /// or has expired (`sis-onboard:error`). Other failures are the step's own business.
    pub fn report(&self, failure: ApiFailure) {
        if matches!(
            failure,
            ApiFailure::InvalidSession | ApiFailure::SessionExpired
        ) {
            self.with_host(|h| host::notify_error(h, failure.code(), &failure.english()));
        }
    }
}

/// The context every step reads.
pub fn ctx() -> Ctx {
    expect_context::<Ctx>()
}
