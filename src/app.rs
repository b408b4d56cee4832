//! The wizard's root: loads the session, then runs the flow — the stepper, the current
//! step, the draft kept in `sessionStorage`, and what the host page is told.

use leptos::prelude::*;
use web_sys::HtmlElement;

use crate::api::{fetch_session, prefetched_session};
use crate::components::notice::Notice;
use crate::components::stepper::Stepper;
use crate::ctx::Ctx;
use crate::host::{self, HostEvent};
use crate::i18n::{Key, Lang};
use crate::options::MountOptions;
use crate::state::{Draft, Step, storage_key};
use crate::steps;

/// The whole wizard for one host element.
#[component]
pub fn App(
    /// The host element's configuration, or what is wrong with it.
    options: Result<MountOptions, crate::options::OptionsError>,
    /// The language to speak.
    lang: Lang,
    /// The host element, told of completion and exit (None in component tests).
    host: Option<HtmlElement>,
    /// The loader's own `GET /v1/session`, started alongside the wasm: a promise of its
    /// `Response` (or of `null` when the network failed). None: the wizard asks itself.
    prefetched: Option<js_sys::Promise>,
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
            // A one-shot task and a signal: the loader's promise can be read only once, and
            // nothing here is ever fetched again (a failure is final: the notice says what to do).
            let session = RwSignal::new(None);
            let for_fetch = options.clone();
            leptos::task::spawn_local(async move {
                let loaded = match prefetched {
                    Some(answer) => prefetched_session(answer).await,
                    None => fetch_session(&for_fetch).await,
                };
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
