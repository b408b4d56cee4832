//! The wizard's root: loads the session, then runs the flow — the stepper, the current
//! step, the draft kept in `sessionStorage`, and what the host page is told.

use leptos::prelude::*;
use sis_onboard_protocol::SessionConfig;
use web_sys::HtmlElement;

use crate::api::{ApiFailure, fetch_session};
use crate::components::notice::Notice;
use crate::components::stepper::Stepper;
use crate::host::{self, HostEvent};
use crate::i18n::{Key, Lang};
use crate::options::MountOptions;
use crate::state::{Draft, Step, storage_key};
use crate::steps;

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

    /// The text of `key`.
    #[inline(never)]
    pub fn t(&self, key: Key) -> &'static str {
        self.lang.text(key)
    }

    /// The text of `key` with the vendor's name filled in.
    #[inline(never)]
    pub fn tv(&self, key: Key) -> String {
        // `try_`: an answer may arrive after the wizard was removed; it must not panic.
        let vendor = self
            .session
            .try_with_value(|s| s.display_name.clone())
            .unwrap_or_default();
        self.lang.format(key, &[("vendor", &vendor)])
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

/// The whole wizard for one host element.
#[component]
pub fn App(
    /// The host element's configuration, or what is wrong with it.
    options: Result<MountOptions, crate::options::OptionsError>,
    /// The language to speak.
    lang: Lang,
    /// The host element, told of completion and exit (None in component tests).
    host: Option<HtmlElement>,
) -> impl IntoView {
    // What cannot be shown is also told to the page, with a code it can act on.
    let fail = {
        let host = host.clone();
        move |code: &str, message: &str| {
            if let Some(host) = &host {
                host::notify_error(host, code, message);
            }
        }
    };
    let content = match options {
        Err(error) => {
            // The page's developer reads the event (English); the administrator the notice.
            fail(error.code(), Lang::En.text(error.message()));
            view! { <Notice message=lang.text(error.message()).to_owned()/> }.into_any()
        }
        Ok(options) => {
            // A plain task and a signal: Leptos's async resources would cost the bundle ~8 KB.
            let session = RwSignal::new(None);
            let for_fetch = options.clone();
            leptos::task::spawn_local(async move {
                let loaded = fetch_session(&for_fetch).await;
                if let Err(failure) = &loaded {
                    fail(failure.code(), &failure.english());
                }
                session.set(Some(loaded));
            });
            (move || match session.get() {
                None => view! {
                    <p class="sis-loading" role="status" data-testid="loading">{lang.text(Key::Loading)}</p>
                }
                .into_any(),
                Some(Err(failure)) => {
                    view! { <Notice message=lang.format(failure.message(), &[("vendor", "")])/> }
                        .into_any()
                }
                Some(Ok(config)) => {
                    let ctx = Ctx::new(config, options.clone(), lang, host.clone());
                    view! { <Flow ctx/> }.into_any()
                }
            })
            .into_any()
        }
    };
    view! { <div class="sis-wizard" lang=lang.tag() data-testid="wizard">{content}</div> }
}

/// The steps, once the session is known.
#[component]
pub fn Flow(
    /// The session's context.
    ctx: Ctx,
) -> impl IntoView {
    provide_context(ctx);
    let key = storage_key(&ctx.session.with_value(|s| s.session_id.clone()));
    // Everything but the secret is kept for a reload; the secret is not in the draft.
    Effect::new(move |_| {
        let draft = ctx.draft.get();
        if let Ok(json) = serde_json::to_string(&draft) {
            host::save(&key, &json);
        }
    });
    let exited = RwSignal::new(false);
    let exit = move |_| {
        let step = ctx.draft.get_untracked().step;
        ctx.secret.set(String::new());
        exited.set(true);
        ctx.notify(
            HostEvent::Exit,
            &[("step", Some(step.id())), ("reason", Some("exit_button"))],
        );
    };
    let step = Memo::new(move |_| ctx.draft.with(|d| d.step));
    // Ready once the first step is on screen (effects run after rendering), then each move.
    let session_id = ctx.session.with_value(|s| s.session_id.clone());
    Effect::new(move |previous: Option<Step>| {
        let current = step.get();
        match previous {
            None => ctx.notify(
                HostEvent::Ready,
                &[
                    ("sessionId", Some(&session_id)),
                    ("step", Some(current.id())),
                ],
            ),
            Some(previous) if previous != current => ctx.notify(
                HostEvent::Step,
                &[
                    ("step", Some(current.id())),
                    ("previous", Some(previous.id())),
                ],
            ),
            Some(_) => {}
        }
        current
    });
    let uses_extract = Memo::new(move |_| ctx.draft.with(Draft::uses_data_extract));
    view! {
        <p class="sis-live" role="status" aria-live="polite" data-testid="announcer">
            {move || ctx.announcement.get()}
        </p>
        {move || {
            if exited.get() {
                return view! {
                    <section class="sis-step" data-testid="exited">
                        <h2>{ctx.t(Key::ExitedTitle)}</h2>
                        <p>{ctx.t(Key::ExitedBody)}</p>
                    </section>
                }
                .into_any();
            }
            let current = step.get();
            let body = match current {
                Step::Start => steps::start::StartStep().into_any(),
                Step::Source => steps::source::SourceStep().into_any(),
                Step::Region => steps::region::RegionStep().into_any(),
                Step::Strategy => steps::strategy::StrategyStep().into_any(),
                Step::DataExtract => steps::data_extract::DataExtractStep().into_any(),
                Step::GenerateConnection => steps::generate::GenerateStep().into_any(),
                Step::Credentials => steps::credentials::CredentialsStep().into_any(),
                Step::Done => steps::done::DoneStep().into_any(),
            };
            let exit_link = (current != Step::Done).then(|| view! {
                <div class="sis-exit">
                    <button type="button" class="sis-link" data-testid="exit" on:click=exit>
                        {ctx.t(Key::Exit)}
                    </button>
                </div>
            });
            view! {
                <Stepper current=step uses_data_extract=uses_extract/>
                {body}
                {exit_link}
            }
            .into_any()
        }}
    }
}
