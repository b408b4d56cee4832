//! The webhook outbox in the database: events written with the change they report, one
//! delivery per endpoint, claimed under a lease by the delivery workers of every replica,
//! and every attempt kept for the admin API.
//!
//! Deliveries are fanned out when the event is written (the endpoints that want it then),
//! so what an event is owed does not depend on which replica's worker claims it. Times are
//! milliseconds since the Unix epoch by the clock of the replica that writes them; leases
//! are tens of seconds long, far above the skew of synchronised clocks.

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use sis_onboard_protocol::{DeliveryAttempt, DeliveryStatus, WebhookDelivery, WebhookEventType};

use super::{
    AttemptRecord, ClaimedDelivery, DeliveryFilter, EndpointChange, EndpointHealth, NewEvent,
    NextAttempt, Store,
};

/// The most deliveries one listing answers.
const MAX_LISTED: u32 = 1000;

/// The longest error text kept for an attempt, in characters.
pub const MAX_ERROR_CHARS: usize = 300;

impl Store {
    /// Writes `events` and their deliveries in the caller's transaction: the way every
    /// change that reports itself by webhook writes its events (see
    /// [`Store::insert_connection`]). The caller wakes the worker after committing.
    pub(super) async fn write_events(
        tx: &mut Transaction<'_, Any>,
        events: &[NewEvent],
    ) -> Result<(), sqlx::Error> {
        for event in events {
            sqlx::query(
                "INSERT INTO webhook_events (id, event_type, tenant_id, payload, created_at_ms) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&event.id)
            .bind(event.event_type.as_str())
            .bind(&event.tenant_id)
            .bind(&event.payload)
            .bind(event.created_at_ms)
            .execute(&mut **tx)
            .await?;
            for endpoint_id in &event.endpoint_ids {
                sqlx::query(
                    "INSERT INTO webhook_deliveries (id, event_id, endpoint_id, status, attempts, \
                     next_attempt_at_ms, give_up_at_ms, updated_at_ms) \
                     VALUES ($1, $2, $3, 'pending', 0, $4, $5, $6)",
                )
                .bind(new_delivery_id())
                .bind(&event.id)
                .bind(endpoint_id)
                .bind(event.created_at_ms)
                .bind(event.give_up_at_ms)
                .bind(event.created_at_ms)
                .execute(&mut **tx)
                .await?;
            }
        }
        Ok(())
    }

    /// Writes `events` in a transaction of their own (a test event, or a change stored
    /// elsewhere), and wakes this process's delivery worker.
    pub async fn enqueue_events(&self, events: &[NewEvent]) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        Self::write_events(&mut tx, events).await?;
        tx.commit().await?;
        self.outbox_written.notify_one();
        Ok(())
    }

    /// What this process's delivery worker waits on besides its poll: notified after each
    /// write to the outbox through this store (or a clone of it).
    pub fn outbox_written(&self) -> Arc<tokio::sync::Notify> {
        self.outbox_written.clone()
    }

    /// Claims up to `limit` due deliveries for `lease_token` until `locked_until_ms`: pending,
    /// due at `now_ms`, and not leased to another worker (or leased past its lease). On
    /// PostgreSQL concurrent claims skip each other's rows (`FOR UPDATE SKIP LOCKED`); SQLite
    /// serialises writers, so the same statement without it claims each row once.
    pub async fn claim_deliveries(
        &self,
        lease_token: &str,
        now_ms: i64,
        locked_until_ms: i64,
        limit: usize,
    ) -> Result<Vec<ClaimedDelivery>, sqlx::Error> {
        let skip_locked = if self.is_sqlite {
            ""
        } else {
            " FOR UPDATE SKIP LOCKED"
        };
        let claimed: Vec<String> = sqlx::query_scalar(&format!(
            "UPDATE webhook_deliveries SET lease_token = $1, locked_until_ms = $2 \
             WHERE id IN (SELECT id FROM webhook_deliveries \
             WHERE status = 'pending' AND next_attempt_at_ms <= $3 \
             AND (locked_until_ms IS NULL OR locked_until_ms <= $3) \
             ORDER BY next_attempt_at_ms LIMIT $4{skip_locked}) \
             RETURNING id"
        ))
        .bind(lease_token)
        .bind(locked_until_ms)
        .bind(now_ms)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        // SQLite's RETURNING names only the updated table; the events are read by the lease.
        let rows = sqlx::query(
            "SELECT d.id, d.event_id, d.endpoint_id, d.attempts, d.give_up_at_ms, e.payload \
             FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id \
             WHERE d.lease_token = $1 AND d.status = 'pending' ORDER BY d.next_attempt_at_ms",
        )
        .bind(lease_token)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ClaimedDelivery {
                    id: row.try_get("id")?,
                    event_id: row.try_get("event_id")?,
                    endpoint_id: row.try_get("endpoint_id")?,
                    attempts: row.try_get("attempts")?,
                    give_up_at_ms: row.try_get("give_up_at_ms")?,
                    payload: row.try_get("payload")?,
                })
            })
            .collect()
    }

    /// When the next pending delivery is due (or its lease ends), if any is pending.
    pub async fn next_delivery_due_ms(&self) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT MIN(CASE WHEN locked_until_ms IS NOT NULL \
             AND locked_until_ms > next_attempt_at_ms \
             THEN locked_until_ms ELSE next_attempt_at_ms END) \
             FROM webhook_deliveries WHERE status = 'pending'",
        )
        .fetch_one(&self.pool)
        .await
    }

    /// Records an attempt of the delivery `delivery_id` that `lease_token` holds: the
    /// delivery's new state, the attempt itself, and the endpoint's failure count, in one
    /// transaction. None when the lease was lost (another worker took the delivery over
    /// after the lease ran out): then nothing is written, and that worker's attempt counts.
    pub async fn record_attempt(
        &self,
        delivery: &ClaimedDelivery,
        lease_token: &str,
        record: &AttemptRecord,
        failing_after: u32,
    ) -> Result<Option<EndpointChange>, sqlx::Error> {
        let (status, next_at) = match record.next {
            NextAttempt::Delivered => (DeliveryStatus::Delivered, record.attempted_at_ms),
            NextAttempt::RetryAt(at) => (DeliveryStatus::Pending, at),
            NextAttempt::GiveUp => (DeliveryStatus::Failed, record.attempted_at_ms),
        };
        let error = record.error.as_deref().map(bounded);
        let http_status = record.http_status.map(i64::from);
        let now = record.attempted_at_ms + record.duration_ms;
        let mut tx = self.pool.begin().await?;
        let number: Option<i64> = sqlx::query_scalar(
            "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, \
             next_attempt_at_ms = $2, lease_token = NULL, locked_until_ms = NULL, \
             last_status = $3, last_error = $4, updated_at_ms = $5 \
             WHERE id = $6 AND lease_token = $7 RETURNING attempts",
        )
        .bind(status.as_str())
        .bind(next_at)
        .bind(http_status)
        .bind(&error)
        .bind(now)
        .bind(&delivery.id)
        .bind(lease_token)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(number) = number else {
            return Ok(None);
        };
        sqlx::query(
            "INSERT INTO webhook_attempts (delivery_id, number, attempted_at_ms, duration_ms, \
             http_status, error) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&delivery.id)
        .bind(number)
        .bind(record.attempted_at_ms)
        .bind(record.duration_ms)
        .bind(http_status)
        .bind(&error)
        .execute(&mut *tx)
        .await?;
        let change = if record.next == NextAttempt::Delivered {
            let recovered = sqlx::query(
                "UPDATE webhook_endpoints SET consecutive_failures = 0, failing_since_ms = NULL, \
                 updated_at_ms = $1 WHERE endpoint_id = $2 AND failing_since_ms IS NOT NULL",
            )
            .bind(now)
            .bind(&delivery.endpoint_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                > 0;
            sqlx::query(
                "UPDATE webhook_endpoints SET consecutive_failures = 0, updated_at_ms = $1 \
                 WHERE endpoint_id = $2 AND consecutive_failures > 0",
            )
            .bind(now)
            .bind(&delivery.endpoint_id)
            .execute(&mut *tx)
            .await?;
            if recovered {
                EndpointChange::Recovered
            } else {
                EndpointChange::None
            }
        } else if record.counts_for_endpoint {
            let threshold = i64::from(failing_after.max(1));
            let failures: i64 = sqlx::query_scalar(
                "INSERT INTO webhook_endpoints (endpoint_id, consecutive_failures, \
                 failing_since_ms, updated_at_ms) \
                 VALUES ($1, 1, CASE WHEN $2 <= 1 THEN $3 ELSE NULL END, $3) \
                 ON CONFLICT (endpoint_id) DO UPDATE SET \
                 consecutive_failures = webhook_endpoints.consecutive_failures + 1, \
                 failing_since_ms = COALESCE(webhook_endpoints.failing_since_ms, \
                 CASE WHEN webhook_endpoints.consecutive_failures + 1 >= $2 THEN $3 ELSE NULL END), \
                 updated_at_ms = $3 \
                 RETURNING consecutive_failures",
            )
            .bind(&delivery.endpoint_id)
            .bind(threshold)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            if failures == threshold {
                EndpointChange::BecameFailing
            } else {
                EndpointChange::None
            }
        } else {
            EndpointChange::None
        };
        tx.commit().await?;
        Ok(Some(change))
    }

    /// Makes the delivery `delivery_id` due now (`now_ms`), whatever its state, keeping its
    /// event and so its `webhook-id`; its retry window is unchanged, so a delivery past it
    /// gets this one attempt. False when there is no such delivery.
    pub async fn redeliver(&self, delivery_id: &str, now_ms: i64) -> Result<bool, sqlx::Error> {
        let found = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at_ms = $1, \
             updated_at_ms = $1 WHERE id = $2",
        )
        .bind(now_ms)
        .bind(delivery_id)
        .execute(&self.pool)
        .await?
        .rows_affected()
            > 0;
        if found {
            self.outbox_written.notify_one();
        }
        Ok(found)
    }

    /// Deletes the events whose every delivery was over (delivered or failed) before
    /// `cutoff_ms`, and the events no endpoint wanted written before it, with their
    /// deliveries and attempts; answers how many events. An event a delivery still waits on
    /// is kept whatever its age, so nothing owed is lost, and one sent again by hand counts
    /// from its latest outcome.
    pub async fn sweep_webhook_events(&self, cutoff_ms: i64) -> Result<u64, sqlx::Error> {
        const OVER: &str = "SELECT e.id FROM webhook_events e WHERE e.created_at_ms < $1 \
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id \
             AND (d.status = 'pending' OR d.updated_at_ms >= $1))";
        // Each DELETE checks the rows it deletes itself: a delivery sent again while the
        // sweep runs is pending once more and stays (PostgreSQL re-reads an updated row's
        // own columns, not a subquery's), and its event with it (its reference holds it).
        // No transaction: each statement commits on its own, so a sweep cancelled midway
        // (the server stopping) holds no lock, and the next one finishes the job.
        sqlx::query(&format!(
            "DELETE FROM webhook_attempts WHERE delivery_id IN \
             (SELECT id FROM webhook_deliveries WHERE status <> 'pending' \
             AND event_id IN ({OVER}))"
        ))
        .bind(cutoff_ms)
        .execute(&self.pool)
        .await?;
        sqlx::query(&format!(
            "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND event_id IN ({OVER})"
        ))
        .bind(cutoff_ms)
        .execute(&self.pool)
        .await?;
        let events = sqlx::query(&format!("DELETE FROM webhook_events WHERE id IN ({OVER})"))
            .bind(cutoff_ms)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(events)
    }

    /// Deliveries with their attempts, newest event first.
    pub async fn list_deliveries(
        &self,
        filter: &DeliveryFilter,
    ) -> Result<Vec<WebhookDelivery>, sqlx::Error> {
        let mut conditions = Vec::new();
        let mut binds: Vec<&str> = Vec::new();
        for (column, value) in [
            ("e.tenant_id", filter.tenant_id.as_deref()),
            ("d.status", filter.status.map(DeliveryStatus::as_str)),
            ("d.event_id", filter.event_id.as_deref()),
            ("d.id", filter.delivery_id.as_deref()),
        ] {
            if let Some(value) = value {
                binds.push(value);
                conditions.push(format!("{column} = ${}", binds.len()));
            }
        }
        let filter_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let limit_param = binds.len() + 1;
        let limit = i64::from(filter.limit.unwrap_or(100).clamp(1, MAX_LISTED));
        let selected = format!(
            "SELECT d.id FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id \
             {filter_sql} ORDER BY e.created_at_ms DESC, d.id LIMIT ${limit_param}"
        );

        let deliveries_sql = format!(
            "SELECT d.id, d.event_id, e.event_type, e.tenant_id, d.endpoint_id, d.status, \
             e.created_at_ms, d.next_attempt_at_ms, d.last_status, d.last_error \
             FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id \
             WHERE d.id IN ({selected}) ORDER BY e.created_at_ms DESC, d.id"
        );
        let mut query = sqlx::query(&deliveries_sql);
        for value in &binds {
            query = query.bind(*value);
        }
        let rows = query.bind(limit).fetch_all(&self.pool).await?;

        let attempts_sql = format!(
            "SELECT delivery_id, number, attempted_at_ms, duration_ms, http_status, error \
             FROM webhook_attempts WHERE delivery_id IN ({selected}) \
             ORDER BY delivery_id, number"
        );
        let mut query = sqlx::query(&attempts_sql);
        for value in &binds {
            query = query.bind(*value);
        }
        let mut attempts: HashMap<String, Vec<DeliveryAttempt>> = HashMap::new();
        for row in query.bind(limit).fetch_all(&self.pool).await? {
            let delivery_id: String = row.try_get("delivery_id")?;
            attempts
                .entry(delivery_id)
                .or_default()
                .push(attempt_from_row(&row)?);
        }
        rows.iter()
            .map(|row| {
                let mut delivery = delivery_from_row(row)?;
                delivery.attempts = attempts.remove(&delivery.id).unwrap_or_default();
                Ok(delivery)
            })
            .collect()
    }

    /// Every endpoint this database has recorded attempts for, with its failure count.
    pub async fn endpoint_health(&self) -> Result<Vec<EndpointHealth>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT endpoint_id, consecutive_failures, failing_since_ms FROM webhook_endpoints \
             ORDER BY endpoint_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(EndpointHealth {
                    endpoint_id: row.try_get("endpoint_id")?,
                    consecutive_failures: row.try_get("consecutive_failures")?,
                    failing_since_ms: row.try_get("failing_since_ms")?,
                })
            })
            .collect()
    }
}

/// A new delivery id: `dlv_` and 128 random bits.
fn new_delivery_id() -> String {
    format!("dlv_{}", URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>()))
}

/// At most [`MAX_ERROR_CHARS`] characters of `text`.
fn bounded(text: &str) -> String {
    match text.char_indices().nth(MAX_ERROR_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

fn seconds(ms: i64) -> i64 {
    ms.div_euclid(1000)
}

fn delivery_from_row(row: &AnyRow) -> Result<WebhookDelivery, sqlx::Error> {
    let event_type: String = row.try_get("event_type")?;
    let status: String = row.try_get("status")?;
    let status = DeliveryStatus::from_name(&status)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown delivery status '{status}'").into()))?;
    let next_attempt_at_ms: i64 = row.try_get("next_attempt_at_ms")?;
    let last_status: Option<i64> = row.try_get("last_status")?;
    Ok(WebhookDelivery {
        id: row.try_get("id")?,
        event_id: row.try_get("event_id")?,
        event_type: WebhookEventType::from_name(&event_type).ok_or_else(|| {
            sqlx::Error::Decode(format!("unknown event type '{event_type}'").into())
        })?,
        tenant_id: row.try_get("tenant_id")?,
        endpoint_id: row.try_get("endpoint_id")?,
        status,
        created_at: seconds(row.try_get("created_at_ms")?),
        next_attempt_at: (status == DeliveryStatus::Pending).then(|| seconds(next_attempt_at_ms)),
        last_status: last_status.and_then(|s| u16::try_from(s).ok()),
        last_error: row.try_get("last_error")?,
        attempts: Vec::new(),
    })
}

fn attempt_from_row(row: &AnyRow) -> Result<DeliveryAttempt, sqlx::Error> {
    let number: i64 = row.try_get("number")?;
    let duration_ms: i64 = row.try_get("duration_ms")?;
    let status: Option<i64> = row.try_get("http_status")?;
    Ok(DeliveryAttempt {
        number: u32::try_from(number).unwrap_or(u32::MAX),
        attempted_at: seconds(row.try_get("attempted_at_ms")?),
        duration_ms: u64::try_from(duration_ms).unwrap_or(0),
        status: status.and_then(|s| u16::try_from(s).ok()),
        error: row.try_get("error")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_bounded_on_a_character_boundary() {
        assert_eq!(bounded("short"), "short");
        let long = "é".repeat(MAX_ERROR_CHARS + 5);
        let cut = bounded(&long);
        assert_eq!(cut.chars().count(), MAX_ERROR_CHARS + 1);
        assert!(cut.ends_with('…'));
    }
}
