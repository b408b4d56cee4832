//! The delivery worker every replica runs: per database, it claims due deliveries under a
//! lease, sends them (a bounded number at once), records each attempt and schedules retries.
//! It wakes when this process writes an event and polls for the rest (other replicas'
//! events, retries coming due); on shutdown it stops claiming and lets attempts in flight
//! finish.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tokio::sync::{Semaphore, watch};
use tokio::task::{JoinHandle, JoinSet};

use super::delivery::{Outcome, attempt};
use super::events::now_ms;
use super::retry::{after_failure, retry_delay};
use super::settings::WebhookSettings;
use crate::Store;
use crate::config::Config;
use crate::net_guard::DistrictHttp;
use crate::store::{AttemptRecord, ClaimedDelivery, EndpointChange, NextAttempt};

/// The shortest wait between two claims when work is due but none could be claimed (another
/// replica holds it for a moment), so the loop never spins.
const MIN_WAIT: Duration = Duration::from_millis(20);

/// The running workers (one per database); [`DeliveryWorker::shutdown`] stops them.
#[derive(Debug)]
pub struct DeliveryWorker {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl DeliveryWorker {
    /// Stops claiming, waits for the attempts in flight (each bounded by the request
    /// timeout) to be sent and recorded, and returns. Deliveries never claimed stay in the
    /// outbox for the next start or another replica.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            if let Err(error) = task.await {
                tracing::warn!(%error, "a webhook delivery worker ended abnormally");
            }
        }
    }
}

/// Starts one delivery worker for each distinct database of `stores` (the default store and
/// the regions' own: events live with the connection they report), sending through a client
/// built from `config.net_policy` with `config.webhooks`' timing. Fails when the policy's
/// extra CA certificates cannot be read.
pub fn spawn_delivery_worker(
    stores: impl IntoIterator<Item = Store>,
    config: &Config,
) -> Result<DeliveryWorker, reqwest::Error> {
    let http = config.net_policy.district_http()?;
    let settings = config.webhooks.clone();
    let (stop, stopped) = watch::channel(false);
    let mut distinct: Vec<Store> = Vec::new();
    for store in stores {
        if !distinct.iter().any(|s| s.same_database(&store)) {
            distinct.push(store);
        }
    }
    let tasks = distinct
        .into_iter()
        .map(|store| tokio::spawn(run(store, http.clone(), settings.clone(), stopped.clone())))
        .collect();
    Ok(DeliveryWorker { stop, tasks })
}

/// One database's worker loop.
async fn run(
    store: Store,
    http: DistrictHttp,
    settings: WebhookSettings,
    mut stopped: watch::Receiver<bool>,
) {
    let written = store.outbox_written();
    let slots = Arc::new(Semaphore::new(settings.max_in_flight.max(1)));
    let mut in_flight = JoinSet::new();
    let lease = settings.lease();
    loop {
        if *stopped.borrow() {
            break;
        }
        while in_flight.try_join_next().is_some() {}
        let free = slots.available_permits();
        let mut claimed_all = false;
        if free > 0 {
            let token = lease_token();
            let now = now_ms();
            let until = now.saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX));
            match store.claim_deliveries(&token, now, until, free).await {
                Ok(claimed) => {
                    claimed_all = claimed.len() >= free;
                    for delivery in claimed {
                        let Ok(slot) = slots.clone().try_acquire_owned() else {
                            break; // cannot happen: only this loop takes slots
                        };
                        let (store, http, settings, token) =
                            (store.clone(), http.clone(), settings.clone(), token.clone());
                        in_flight.spawn(async move {
                            deliver(&store, &http, &settings, &delivery, &token).await;
                            drop(slot);
                        });
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "claiming webhook deliveries failed");
                }
            }
        }
        if claimed_all && slots.available_permits() > 0 {
            continue;
        }
        let all_slots_busy = slots.available_permits() == 0;
        let wait = if all_slots_busy {
            // Nothing can be claimed before a slot is free, which wakes the loop anyway.
            settings.poll_interval
        } else {
            match store.next_delivery_due_ms().await {
                Ok(Some(due)) => {
                    let ms = u64::try_from(due.saturating_sub(now_ms())).unwrap_or(0);
                    Duration::from_millis(ms).clamp(MIN_WAIT, settings.poll_interval.max(MIN_WAIT))
                }
                Ok(None) => settings.poll_interval,
                Err(error) => {
                    tracing::warn!(%error, "reading when webhook deliveries are due failed");
                    settings.poll_interval
                }
            }
        };
        tokio::select! {
            changed = stopped.changed() => {
                if changed.is_err() {
                    break; // the handle is gone: nobody can stop us any more, so stop now
                }
            }
            () = written.notified() => {}
            () = tokio::time::sleep(wait) => {}
            // A finished attempt frees a slot and may have scheduled a retry sooner than
            // the wait computed while it was leased.
            Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
        }
    }
    while in_flight.join_next().await.is_some() {}
}

/// A fresh lease token: claims made with it are this claim's alone.
fn lease_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>())
}

/// Sends one claimed delivery and records the attempt.
async fn deliver(
    store: &Store,
    http: &DistrictHttp,
    settings: &WebhookSettings,
    delivery: &ClaimedDelivery,
    lease_token: &str,
) {
    let attempted_at_ms = now_ms();
    let started = Instant::now();
    let outcome = attempt(http, settings, delivery, attempted_at_ms.div_euclid(1000)).await;
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let failures = u32::try_from(delivery.attempts.saturating_add(1)).unwrap_or(u32::MAX);
    let record = match outcome {
        Outcome::Delivered { status } => AttemptRecord {
            attempted_at_ms,
            duration_ms,
            http_status: Some(status),
            error: None,
            next: NextAttempt::Delivered,
            counts_for_endpoint: true,
        },
        Outcome::Failed {
            status,
            error,
            retry_after,
            counts_for_endpoint,
        } => {
            let delay = retry_delay(settings, failures, retry_after, rand::random::<f64>());
            AttemptRecord {
                attempted_at_ms,
                duration_ms,
                http_status: status,
                next: after_failure(now_ms(), delivery.give_up_at_ms, delay),
                error: Some(error),
                counts_for_endpoint,
            }
        }
    };
    match store
        .record_attempt(delivery, lease_token, &record, settings.failing_after)
        .await
    {
        Ok(Some(change)) => log_attempt(delivery, &record, change, settings),
        Ok(None) => tracing::warn!(
            delivery = %delivery.id,
            "a webhook attempt outlived its lease; another worker's attempt counts"
        ),
        Err(error) => tracing::warn!(
            %error,
            delivery = %delivery.id,
            "recording a webhook attempt failed; the delivery is retried when its lease ends"
        ),
    }
}

fn log_attempt(
    delivery: &ClaimedDelivery,
    record: &AttemptRecord,
    change: EndpointChange,
    settings: &WebhookSettings,
) {
    let (id, endpoint) = (&delivery.event_id, &delivery.endpoint_id);
    let error = record.error.as_deref().unwrap_or_default();
    match record.next {
        NextAttempt::Delivered => {
            tracing::info!(webhook_id = %id, endpoint = %endpoint, "webhook delivered");
        }
        NextAttempt::RetryAt(at) => tracing::info!(
            webhook_id = %id, endpoint = %endpoint, error,
            retry_in_ms = at.saturating_sub(now_ms()),
            "webhook attempt failed; retrying"
        ),
        NextAttempt::GiveUp => tracing::warn!(
            webhook_id = %id, endpoint = %endpoint, error,
            "webhook delivery failed for good: its retry window is over"
        ),
    }
    match change {
        EndpointChange::BecameFailing => tracing::warn!(
            endpoint = %endpoint,
            failures = settings.failing_after,
            "webhook endpoint marked failing after consecutive failed attempts"
        ),
        EndpointChange::Recovered => {
            tracing::info!(endpoint = %endpoint, "webhook endpoint recovered");
        }
        EndpointChange::None => {}
    }
}
