//! Credentials: the four values from Infinite Campus (or another OneRoster 1.2 provider), checked and repaired before they are
//! sent, validated through the proxy, then completed. Continue Setup is enabled only while
//! the values on screen are the ones that validated.

use leptos::prelude::*;
use sis_onboard_protocol::{
    CompleteRequest, Count, CredentialField, RepairTarget, ValidateRequest, ValidationReport,
};

use crate::api::{self, ApiFailure};
use crate::components::frame::{Frame, back_button};
use crate::ctx::{Ctx, ctx};
use crate::host::HostEvent;
use crate::i18n::Key;
use crate::messages;
use crate::sis::Sis;
use crate::state::{Completed, Step};
use crate::urls::{check_base_url, check_token_url, derive_token_url};

/// Where validation stands.
#[derive(Clone, PartialEq)]
enum Outcome {
    /// Nothing sent yet (or the last attempt failed locally).
    Idle,
    /// Waiting for the proxy.
    Running,
    /// The proxy's report for the values sent.
    Report(Box<(ValidateRequest, ValidationReport)>),
    /// The proxy could not be asked, or refused.
    Failed(ApiFailure),
}

fn field_id(field: CredentialField) -> &'static str {
    match field {
        CredentialField::BaseUrl => "base-url",
        CredentialField::TokenUrl => "token-url",
        CredentialField::ClientId => "client-id",
        CredentialField::ClientSecret => "client-secret",
    }
}

/// The values on screen, as they would be sent.
fn current(ctx: &Ctx) -> ValidateRequest {
    let draft = ctx.draft.get();
    ValidateRequest {
        base_url: draft.base_url,
        token_url: draft.token_url,
        client_id: draft.client_id.trim().to_owned(),
        client_secret: ctx.secret.get().trim().to_owned(),
        source: draft.source,
    }
}

/// Checks and repairs the values: the problems (by field) and the repairs made.
fn check_locally(ctx: &Ctx) -> Vec<(CredentialField, String, bool)> {
    let mut notes = Vec::new();
    let draft = ctx.draft.get_untracked();
    let mut repaired = draft.clone();
    let sis = ctx.sis();
    for (field, checked) in [
        (CredentialField::BaseUrl, check_base_url(&draft.base_url)),
        (
            CredentialField::TokenUrl,
            check_token_url(&draft.token_url, sis),
        ),
    ] {
        match checked {
            Ok(checked) => {
                for repair in &checked.repairs {
                    notes.push((field, ctx.t(messages::repair(*repair)).to_owned(), false));
                }
                match field {
                    CredentialField::BaseUrl => repaired.base_url = checked.value,
                    _ => repaired.token_url = checked.value,
                }
            }
            Err(problem) => notes.push((field, ctx.t(messages::problem(problem)).to_owned(), true)),
        }
    }
    if draft.client_id.trim().is_empty() {
        notes.push((
            CredentialField::ClientId,
            ctx.t(Key::FieldRequired).to_owned(),
            true,
        ));
    }
    if ctx.secret.get_untracked().trim().is_empty() {
        notes.push((
            CredentialField::ClientSecret,
            ctx.t(Key::FieldRequired).to_owned(),
            true,
        ));
    }
    if repaired != draft {
        ctx.draft.set(repaired);
    }
    notes
}

/// The snake_case wire name of a code (`one_roster11`), as the README's error table lists it.
fn wire_name<T: serde::Serialize>(value: &T) -> String {
    let json = serde_json::to_string(value).unwrap_or_default();
    json.trim_matches('"').to_owned()
}

fn count_text(ctx: &Ctx, count: Count) -> String {
    let n = ctx.lang.number(count.value);
    if count.exact {
        n
    } else {
        ctx.lang.format(Key::AtLeast, &[("n", &n)])
    }
}

/// The credentials step.
#[component]
pub fn CredentialsStep() -> impl IntoView {
    let ctx = ctx();
    let outcome = RwSignal::new(Outcome::Idle);
    // Per field: (message, is_error), from the local checks or the proxy's report.
    let notes = RwSignal::new(Vec::<(CredentialField, String, bool)>::new());
    let show_secret = RwSignal::new(false);
    let completing = RwSignal::new(false);

    // Some(true): the values on screen validated; Some(false): a passed validation went
    // stale because a value changed since.
    let passed_for_current = move || {
        outcome.with(|o| match o {
            Outcome::Report(r) if r.1.passed => Some(r.0 == current(&ctx)),
            _ => None,
        })
    };
    let validated = move || passed_for_current() == Some(true);
    let stale = move || passed_for_current() == Some(false);

    let validate = move |_| {
        // The button stays focusable while the proxy answers (a disabled button would drop
        // a keyboard user's focus onto the page), so a press during a run is ignored here.
        if outcome.with_untracked(|o| *o == Outcome::Running) {
            return;
        }
        let found = check_locally(&ctx);
        let has_errors = found.iter().any(|(_, _, error)| *error);
        notes.set(found);
        if has_errors {
            ctx.announcement.set(ctx.t(Key::ReportFailed).to_owned());
            return;
        }
        let request = current(&ctx);
        outcome.set(Outcome::Running);
        ctx.announcement.set(ctx.t(Key::Validating).to_owned());
        let options = ctx.options.get_value();
        leptos::task::spawn_local(async move {
            match api::validate(&options, &request).await {
                Ok(report) => {
                    let code = report.error.as_ref().map(|e| wire_name(&e.code));
                    let outcome_name = if report.passed { "passed" } else { "failed" };
                    ctx.notify(
                        HostEvent::Validation,
                        &[("outcome", Some(outcome_name)), ("code", code.as_deref())],
                    );
                    if let Some(error) = &report.error {
                        let field = messages::error_field(error.code, error.field);
                        let text = ctx.tv(messages::validation_error(error.code));
                        ctx.announcement.set(text.clone());
                        if let Some(field) = field {
                            notes.update(|n| n.push((field, text, true)));
                        }
                    } else if let Some(district) = &report.district {
                        ctx.announcement
                            .set(messages::report_passed(ctx.lang, &district.name));
                    }
                    outcome.set(Outcome::Report(Box::new((request, report))));
                }
                Err(failure) => {
                    ctx.notify(
                        HostEvent::Validation,
                        &[("outcome", Some("failed")), ("code", Some(failure.code()))],
                    );
                    ctx.report(failure);
                    ctx.announcement.set(ctx.tv(failure.message()));
                    outcome.set(Outcome::Failed(failure));
                }
            }
        });
    };

    let finish = move |_| {
        let Outcome::Report(done) = outcome.get_untracked() else {
            return;
        };
        let (sent, report) = *done;
        let draft = ctx.draft.get_untracked();
        let (Some(region), Some(source), Some(strategy)) =
            (draft.region.clone(), draft.source.clone(), draft.strategy)
        else {
            return;
        };
        let district = report.district.map(|d| d.name).unwrap_or_default();
        // The extract plan's data sets, on the Custom Data Extract path only. A repair
        // replaces the credentials only: the connection keeps its stored plan.
        let data_sets = (draft.uses_data_extract() && !draft.repairing)
            .then(|| draft.chosen_data_sets().to_vec());
        // What the page hears on success: never a credential.
        let mode = if draft.repairing { "repair" } else { "create" };
        let told = [
            ("source", source.clone()),
            ("strategy", strategy.as_str().to_owned()),
            ("region", region.clone()),
            ("mode", mode.to_owned()),
        ];
        let request = CompleteRequest {
            credentials: sent,
            region,
            source,
            strategy,
            data_sets,
        };
        completing.set(true);
        let options = ctx.options.get_value();
        leptos::task::spawn_local(async move {
            match api::complete(&options, &request).await {
                Ok(done) => {
                    ctx.secret.set(String::new());
                    ctx.navigated.set(true);
                    ctx.draft.update(|d| {
                        d.completed = Some(Completed {
                            connection_id: done.connection_id.clone(),
                            district: district.clone(),
                        });
                        d.step = Step::Done;
                    });
                    let mut detail = vec![("connectionId", Some(done.connection_id.as_str()))];
                    detail.extend(told.iter().map(|(k, v)| (*k, Some(v.as_str()))));
                    ctx.notify(HostEvent::Success, &detail);
                }
                Err(failure) => {
                    ctx.report(failure);
                    ctx.announcement.set(ctx.tv(failure.message()));
                    outcome.set(Outcome::Failed(failure));
                }
            }
            completing.set(false);
        });
    };

    // Editing a field clears what was said about it.
    let edited = move |field: CredentialField| notes.update(|n| n.retain(|(f, _, _)| *f != field));
    let field = move |field: CredentialField, label: Key, help: String, secret: bool| {
        let id = field_id(field);
        let value = move || match field {
            CredentialField::BaseUrl => ctx.draft.with(|d| d.base_url.clone()),
            CredentialField::TokenUrl => ctx.draft.with(|d| d.token_url.clone()),
            CredentialField::ClientId => ctx.draft.with(|d| d.client_id.clone()),
            CredentialField::ClientSecret => ctx.secret.get(),
        };
        let set = move |text: String| {
            match field {
                CredentialField::BaseUrl => ctx.draft.update(|d| d.base_url = text),
                CredentialField::TokenUrl => ctx.draft.update(|d| d.token_url = text),
                CredentialField::ClientId => ctx.draft.update(|d| d.client_id = text),
                CredentialField::ClientSecret => ctx.secret.set(text),
            }
            edited(field);
        };
        let note = move || {
            notes.with(|n| {
                n.iter()
                    .filter(|(f, _, _)| *f == field)
                    .map(|(_, text, error)| (text.clone(), *error))
                    .collect::<Vec<_>>()
            })
        };
        let invalid = move || note().iter().any(|(_, error)| *error);
        let kind = move || {
            if secret && !show_secret.get() {
                "password"
            } else {
                "text"
            }
        };
        view! {
            <div class="sis-field">
                <label class="sis-label" for=format!("sis-{id}")>{ctx.t(label)}</label>
                <div class="sis-input-row">
                    <input
                        id=format!("sis-{id}")
                        class="sis-input"
                        data-testid=id
                        type=kind
                        autocomplete="off"
                        spellcheck="false"
                        autocapitalize="off"
                        aria-invalid=move || invalid().then_some("true")
                        aria-describedby=format!("sis-{id}-help sis-{id}-note")
                        prop:value=value
                        on:input=move |ev| set(event_target_value(&ev))
                    />
                    {secret.then(|| view! {
                        <button
                            type="button"
                            class="sis-button"
                            data-testid="toggle-secret"
                            aria-controls=format!("sis-{id}")
                            aria-pressed=move || if show_secret.get() { "true" } else { "false" }
                            on:click=move |_| show_secret.update(|s| *s = !*s)
                        >
                            {move || ctx.t(if show_secret.get() { Key::HideSecret } else { Key::ShowSecret })}
                        </button>
                    })}
                </div>
                <p class="sis-hint" id=format!("sis-{id}-help")>{help}</p>
                <p
                    id=format!("sis-{id}-note")
                    data-testid=format!("{id}-note")
                    class=move || if invalid() { "sis-error" } else { "sis-repaired" }
                >
                    {move || note().into_iter().map(|(text, _)| text).collect::<Vec<_>>().join(" ")}
                </p>
            </div>
        }
    };

    let token_offer = move || {
        let draft = ctx.draft.get();
        // Only Infinite Campus's base URL names its token URL.
        if !draft.token_url.trim().is_empty() || ctx.sis() != Sis::InfiniteCampus {
            return None;
        }
        let url = derive_token_url(&draft.base_url)?;
        let text = ctx.lang.format(Key::TokenOffer, &[("url", &url)]);
        Some(view! {
            <p class="sis-offer" data-testid="token-offer">
                {text}" "
                <button type="button" class="sis-link" data-testid="use-token"
                    on:click=move |_| ctx.draft.update(|d| d.token_url = url.clone())>
                    {ctx.t(Key::UseThis)}
                </button>
            </p>
        })
    };

    let report_view = move || {
        match outcome.get() {
        Outcome::Idle => None,
        Outcome::Running => Some(view! {
            <p class="sis-progress" aria-busy="true" data-testid="validating">{ctx.t(Key::Validating)}</p>
        }.into_any()),
        Outcome::Failed(failure) => Some(view! {
            <p class="sis-error" role="alert" data-testid="failure">{ctx.tv(failure.message())}</p>
        }.into_any()),
        Outcome::Report(done) => {
            let report = done.1;
            Some(report_view(report).into_any())
        }
    }
    };

    view! {
        <Frame step=Step::Credentials title=ctx.t(Key::CredentialsTitle).to_owned()>
            {ctx.session.with_value(|s| s.repair.clone()).map(|r| repair_notice(ctx, r))}
            <p>{ctx.t(Key::CredentialsIntro)}</p>
            {field(CredentialField::BaseUrl, Key::BaseUrlLabel, ctx.t(Key::BaseUrlHelp).to_owned(), false)}
            {field(CredentialField::TokenUrl, Key::TokenUrlLabel, ctx.t(Key::TokenUrlHelp).to_owned(), false)}
            {token_offer}
            {field(CredentialField::ClientId, Key::ClientIdLabel, ctx.t(Key::ClientIdHelp).to_owned(), false)}
            {field(CredentialField::ClientSecret, Key::SecretLabel, ctx.tv(Key::SecretHelp), true)}
            {report_view}
            {move || stale().then(|| view! {
                <p class="sis-hint" role="status" data-testid="validate-again">{ctx.t(Key::ValidateAgain)}</p>
            })}
            <div class="sis-actions">
                {back_button(ctx)}
                <button
                    type="button"
                    class="sis-button"
                    data-testid="validate"
                    aria-disabled=move || outcome.with(|o| *o == Outcome::Running).then_some("true")
                    on:click=validate
                >
                    {ctx.t(Key::Validate)}
                </button>
                <button
                    type="button"
                    class="sis-button sis-primary"
                    data-testid="continue"
                    disabled=move || !validated() || completing.get()
                    on:click=finish
                >
                    {ctx.t(Key::ContinueSetup)}
                </button>
            </div>
        </Frame>
    }
}

/// What a repair session says first: which connection it repairs and, when the proxy knows,
/// why and since when it fails.
fn repair_notice(ctx: Ctx, repair: RepairTarget) -> impl IntoView {
    let reason = repair.failing.map(|failing| {
        let vendor = ctx.session.with_value(|s| s.display_name.clone());
        let why = messages::failing_reason(ctx.lang, ctx.sis(), &vendor, &failing);
        let when = ctx.lang.date_time(failing.checked_at);
        let new_keys = messages::needs_new_keys(failing.code).then(|| {
            view! { <p data-testid="repair-new-keys">{ctx.t(Key::RepairModeNewKeys)}</p> }
        });
        view! {
            <p data-testid="repair-reason" data-code=wire_name(&failing.code)>
                {ctx.lang.format(Key::RepairModeReason, &[("when", &when), ("reason", &why)])}
            </p>
            {new_keys}
        }
    });
    let title = ctx
        .lang
        .format(Key::RepairModeTitle, &[("district", &repair.district_name)]);
    view! {
        <div class="sis-repair" role="status" data-testid="repair-notice">
            <h3 data-testid="repair-title">{title}</h3>
            <p>{ctx.t(Key::RepairModeIntro)}</p>
            {reason}
        </div>
    }
}

/// The validation report: the checks, and the district or the reason it failed.
fn report_view(report: ValidationReport) -> impl IntoView {
    let ctx = ctx();
    let checks = report
        .checks
        .iter()
        .filter_map(|c| Some((messages::check(&c.id)?, c.passed)))
        .map(|(name, passed)| {
            let status = ctx.t(if passed {
                Key::CheckPassed
            } else {
                Key::CheckFailed
            });
            view! {
                <li data-passed=if passed { "true" } else { "false" }>{ctx.t(name)}": "{status}</li>
            }
        })
        .collect_view();
    let summary = report.district.map(|d| {
        let counts = [
            (Key::Schools, d.schools),
            (Key::Students, d.students),
            (Key::Teachers, d.teachers),
            (Key::Classes, d.classes),
        ]
        .into_iter()
        .map(|(label, count)| {
            view! {
                <div><dt>{ctx.t(label)}</dt><dd>{count_text(&ctx, count)}</dd></div>
            }
        })
        .collect_view();
        let year = d.academic_session.map(|year| {
            view! {
                <div class="sis-count-wide"><dt>{ctx.t(Key::SchoolYear)}</dt><dd>{year}</dd></div>
            }
        });
        view! {
            <p class="sis-success" data-testid="district-name">
                {messages::report_passed(ctx.lang, &d.name)}
            </p>
            <dl class="sis-counts" data-testid="counts">{counts}{year}</dl>
        }
    });
    let failed = report.error.map(|e| {
        let text = ctx.tv(messages::validation_error(e.code));
        // A failure that belongs to a field is shown under that field (and announced once,
        // by the live region): here it stays for screen readers' review only, so the page
        // does not say the same sentence twice.
        let class = if messages::error_field(e.code, e.field).is_some() {
            "sis-error sis-visually-hidden"
        } else {
            "sis-error"
        };
        view! {
            <p class=class data-testid="report-error" data-code=wire_name(&e.code)>
                {text}
            </p>
        }
    });
    let warnings = report
        .warnings
        .into_iter()
        .map(|w| view! { <li>{ctx.tv(messages::warning(w))}</li> })
        .collect_view();
    view! {
        <div class="sis-report" data-testid="report">
            {summary}
            {failed}
            <ul class="sis-warnings" data-testid="warnings">{warnings}</ul>
            <ul class="sis-checks" data-testid="checks">{checks}</ul>
        </div>
    }
}
