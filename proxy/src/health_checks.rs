//! Health checks: the proxy re-validates every active connection on a schedule, so the
//! vendor hears that a district rotated its secret or switched the connection off before
//! its nightly sync does. Each replica runs a checker; a lease in the database gives each
//! connection to one of them per interval, and a host lease keeps checks of one upstream
//! server one at a time. A change to failing emits `connection.failing`, the way back
//! `connection.recovered`, written with the result.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::ExposeSecret;
use sis_onboard_protocol::{
    ConnectionFailure, ConnectionSummary, ValidateRequest, ValidationErrorCode, WebhookEventType,
};
use tokio::sync::Semaphore;

use crate::AppState;
use crate::clock::unix_now;
use crate::crypto::SealBinding;
use crate::oneroster::validate_connection;
use crate::store::{HealthRecord, Store};
use crate::webhooks;

/// How often and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthSettings {
    /// Time between two checks of a connection (`--health-interval`, default 24 h); each
    /// next check is drawn within ±10 % of it, so checks spread out.
    pub interval: Duration,
    /// Checks one replica runs at once (`--health-concurrency`, default 4).
    pub concurrency: usize,
    /// How long a claim and a host lease hold: past it, another replica may take over a
    /// check whose replica died.
    pub lease: Duration,
    /// How often the checker looks for due checks.
    pub poll_interval: Duration,
}

impl Default for HealthSettings {
    fn default() -> Self {
        Self::every(Duration::from_secs(24 * 60 * 60))
    }
}

impl HealthSettings {
    /// Checks every `interval`, the other settings derived from it.
    pub fn every(interval: Duration) -> Self {
        let interval = interval.max(Duration::from_secs(1));
        Self {
            interval,
            concurrency: 4,
            // A validation is capped well below a minute.
            lease: Duration::from_secs(120),
            poll_interval: (interval / 10)
                .clamp(Duration::from_millis(200), Duration::from_secs(60)),
        }
    }
}

/// Reads `24h`, `30m`, `90s` or a number of seconds (`--health-interval`).
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, "s"),
    };
    let seconds = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => 0,
    };
    match number.parse::<u64>() {
        Ok(n) if n > 0 && seconds > 0 => Ok(Duration::from_secs(n.saturating_mul(seconds))),
        _ => Err(format!(
            "'{text}' is not an interval: write a whole number with s, m, h or d, e.g. 24h"
        )),
    }
}

/// Starts the checker of this replica; it runs for as long as the server does.
pub fn spawn_health_checker(
    state: AppState,
    settings: HealthSettings,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let permits = Arc::new(Semaphore::new(settings.concurrency.max(1)));
        let mut ticks = tokio::time::interval(settings.poll_interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            for store in state.connection_stores() {
                if let Err(error) = check_due(&state, store, &settings, &permits).await {
                    tracing::warn!(%error, "health checks could not be claimed");
                }
            }
        }
    })
}

/// Claims the due checks of `store` that free permits allow and starts each.
async fn check_due(
    state: &AppState,
    store: &Store,
    settings: &HealthSettings,
    permits: &Arc<Semaphore>,
) -> Result<(), sqlx::Error> {
    let free = permits.available_permits();
    if free == 0 {
        return Ok(());
    }
    let now = unix_now();
    let token = format!("hc_{}", URL_SAFE_NO_PAD.encode(rand::random::<[u8; 12]>()));
    let lease_until = now.saturating_add(secs(settings.lease));
    let claimed = store
        .claim_health_checks(
            now,
            secs(settings.interval),
            &token,
            lease_until,
            i64::try_from(free).unwrap_or(1),
        )
        .await?;
    for (summary, sealed) in claimed {
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            store.release_health_check(&summary.id, &token).await?;
            continue;
        };
        let (state, store, settings, token) = (
            state.clone(),
            store.clone(),
            settings.clone(),
            token.clone(),
        );
        tokio::spawn(async move {
            let id = summary.id.clone();
            if let Err(error) = check_one(&state, &store, &settings, &token, summary, sealed).await
            {
                tracing::warn!(connection = %id, %error, "health check not recorded");
            }
            drop(permit);
        });
    }
    Ok(())
}

fn secs(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

/// The upstream host a check talks to: its base URL's host.
fn upstream_host(summary: &ConnectionSummary) -> String {
    url::Url::parse(&summary.base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_else(|| summary.base_url.clone())
}

/// Runs one claimed check under its host's lease and records it.
async fn check_one(
    state: &AppState,
    store: &Store,
    settings: &HealthSettings,
    token: &str,
    summary: ConnectionSummary,
    sealed: Vec<u8>,
) -> Result<(), sqlx::Error> {
    let host = upstream_host(&summary);
    let now = unix_now();
    // Host leases live in the default database, which every replica shares.
    if !state
        .store
        .take_host_lease(&host, token, now, now.saturating_add(secs(settings.lease)))
        .await?
    {
        // Another check of this server is running: this one waits for a later claim.
        return store.release_health_check(&summary.id, token).await;
    }
    let result = match run_check(state, &summary, &sealed).await {
        Some(outcome) => record(state, store, settings, token, &summary, outcome).await,
        None => Ok(()),
    };
    state.store.release_host_lease(&host, token).await?;
    result
}

/// What one check found: Ok with the district's JSON, or the failure.
type Outcome = Result<Option<String>, (ValidationErrorCode, String)>;

/// Runs the check; None when the proxy itself cannot (no key opens the stored secret): then
/// nothing is recorded about the district's server, and the claim's lease lapses, so the
/// check is tried again once the operator has fixed the keys.
async fn run_check(
    state: &AppState,
    summary: &ConnectionSummary,
    sealed: &[u8],
) -> Option<Outcome> {
    let keyring = state.config.keyring()?;
    let secret = match keyring.open(sealed, &SealBinding::of(summary)) {
        Ok(secret) => secret,
        Err(_) => {
            tracing::error!(
                connection = %summary.id,
                "health check: no configured key opens the stored secret"
            );
            return None;
        }
    };
    let request = crate::secrets::Wiped::new(ValidateRequest {
        base_url: summary.base_url.clone(),
        token_url: summary.token_url.clone(),
        client_id: summary.client_id.clone(),
        client_secret: secret.expose_secret().to_owned(),
        source: Some(summary.source.clone()),
    });
    let report = validate_connection(&state.http, &state.config.net_policy, &request).await;
    if report.passed {
        return Some(Ok(report
            .district
            .and_then(|district| serde_json::to_string(&district).ok())));
    }
    report.error.map(|error| Err((error.code, error.message)))
}

/// Stores a check's result, and the event of a change between passing and failing.
async fn record(
    state: &AppState,
    store: &Store,
    settings: &HealthSettings,
    token: &str,
    summary: &ConnectionSummary,
    outcome: Outcome,
) -> Result<(), sqlx::Error> {
    let now = unix_now();
    let was_failing = summary.health.as_ref().is_some_and(|h| !h.passed);
    let interval = secs(settings.interval);
    // Within ±10 % of the interval, so checks made together drift apart.
    let spread = interval / 10;
    let jitter = if spread > 0 {
        rand::random_range(-spread..=spread)
    } else {
        0
    };
    let next_at = now.saturating_add(interval).saturating_add(jitter);
    let (record, event) = match outcome {
        Ok(district) => (
            HealthRecord {
                checked_at: now,
                failure: None,
                district,
                failing_since: None,
                next_at,
            },
            was_failing.then_some((WebhookEventType::ConnectionRecovered, None)),
        ),
        Err((code, message)) => {
            let failing_since = summary
                .health
                .as_ref()
                .and_then(|h| h.failing_since)
                .unwrap_or(now);
            let failure = ConnectionFailure {
                code,
                message: message.clone(),
            };
            (
                HealthRecord {
                    checked_at: now,
                    failure: Some((code, message)),
                    district: None,
                    failing_since: Some(failing_since),
                    next_at,
                },
                (!was_failing).then_some((WebhookEventType::ConnectionFailing, Some(failure))),
            )
        }
    };
    let events: Vec<_> = event
        .into_iter()
        .map(|(event_type, failure)| {
            let mut data = webhooks::summary_data(summary);
            data.failure = failure;
            webhooks::connection_event(&state.config.webhooks, event_type, data)
        })
        .collect();
    let stored = store
        .record_health(&summary.id, token, &record, &events)
        .await?;
    tracing::info!(
        connection = %summary.id,
        passed = record.failure.is_none(),
        code = ?record.failure.as_ref().map(|(code, _)| *code),
        stored,
        "health check"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_with_their_unit() {
        assert_eq!(parse_interval("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_interval("30m"), Ok(Duration::from_secs(1_800)));
        assert_eq!(parse_interval("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_interval("2d"), Ok(Duration::from_secs(172_800)));
        for bad in ["", "0s", "h", "1w", "-5s", "1.5h"] {
            assert!(
                parse_interval(bad).is_err_and(|e| e.contains("24h")),
                "{bad}"
            );
        }
    }
}
