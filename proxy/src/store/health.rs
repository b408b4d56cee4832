//! A connection's life after onboarding, in the database: health checks claimed under a
//! lease (one replica checks a connection per interval), one check at a time per upstream
//! host, their results with the events they cause, and a repair's new credentials. Each
//! change writes its webhook events in its own transaction. Times are seconds since the Unix
//! epoch.

use sqlx::Row;
use sqlx::any::AnyRow;

use sis_onboard_protocol::{ConnectionHealth, ConnectionSummary, ValidationErrorCode};

use super::sql::{SUMMARY_COLUMNS, summary_from_row};
use super::{NewEvent, Store};

/// The result of one health check, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthRecord {
    /// When it ran.
    pub checked_at: i64,
    /// Why it failed (None when it passed).
    pub failure: Option<(ValidationErrorCode, String)>,
    /// The district it found, as JSON `DistrictSummary`, when it passed.
    pub district: Option<String>,
    /// Since when the connection has been failing (None when it passed).
    pub failing_since: Option<i64>,
    /// When the next check is due.
    pub next_at: i64,
}

/// A repair's new values for a connection (the secret already sealed).
pub struct CredentialsUpdate<'a> {
    /// The connection repaired.
    pub id: &'a str,
    /// The new base URL.
    pub base_url: &'a str,
    /// The new token URL.
    pub token_url: &'a str,
    /// The new client id.
    pub client_id: &'a str,
    /// The new secret, sealed to the new values.
    pub secret_sealed: &'a [u8],
    /// The district's name as the repair's validation found it.
    pub district_name: &'a str,
    /// The validation's district summary, as JSON.
    pub counts: &'a str,
    /// When.
    pub at: i64,
}

fn code_text(code: ValidationErrorCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The health columns of a connection row ([`SUMMARY_COLUMNS`]), None before any check.
pub(super) fn health_from_row(row: &AnyRow) -> Result<Option<ConnectionHealth>, sqlx::Error> {
    let Some(checked_at) = row.try_get::<Option<i64>, _>("health_checked_at")? else {
        return Ok(None);
    };
    let code: Option<String> = row.try_get("health_code")?;
    let district: Option<String> = row.try_get("health_district")?;
    Ok(Some(ConnectionHealth {
        checked_at,
        passed: code.is_none(),
        // A code a newer proxy wrote and this one does not know still reads as failing.
        code: code.and_then(|c| serde_json::from_value(serde_json::Value::String(c)).ok()),
        message: row.try_get("health_message")?,
        failing_since: row.try_get("health_failing_since")?,
        district: district.and_then(|json| serde_json::from_str(&json).ok()),
    }))
}

impl Store {
    /// Claims up to `limit` connections due for a health check — not revoked, their next
    /// check due (`created_at + interval` before the first), no live lease — under `token`
    /// until `lease_until`; answers each with its sealed secret. On PostgreSQL, replicas
    /// claiming at once skip each other's rows.
    pub async fn claim_health_checks(
        &self,
        now: i64,
        interval_secs: i64,
        token: &str,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<(ConnectionSummary, Vec<u8>)>, sqlx::Error> {
        let skip_locked = if self.is_shared() {
            "FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let free = "revoked_at IS NULL AND length(secret_sealed) > 0 \
                    AND (health_lease_until IS NULL OR health_lease_until < $4)";
        let rows = sqlx::query(&format!(
            "UPDATE connections SET health_lease_token = $1, health_lease_until = $2 \
             WHERE {free} AND id IN (SELECT id FROM connections WHERE {free} \
               AND COALESCE(health_next_at, created_at + $3) <= $4 \
               ORDER BY COALESCE(health_next_at, created_at + $3), id LIMIT $5 {skip_locked}) \
             RETURNING {SUMMARY_COLUMNS}, secret_sealed"
        ))
        .bind(token)
        .bind(lease_until)
        .bind(interval_secs)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((summary_from_row(row)?, row.try_get("secret_sealed")?)))
            .collect()
    }

    /// Gives a claimed check back without running it (its host was busy); the next claim
    /// takes it again.
    pub async fn release_health_check(&self, id: &str, token: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE connections SET health_lease_token = NULL, health_lease_until = NULL \
             WHERE id = $1 AND health_lease_token = $2",
        )
        .bind(id)
        .bind(token)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// Stores the result of the check claimed under `token`, with `events`, in one
    /// transaction; nothing (false) when the connection was revoked meanwhile or the claim
    /// was lost.
    pub async fn record_health(
        &self,
        id: &str,
        token: &str,
        record: &HealthRecord,
        events: &[NewEvent],
    ) -> Result<bool, sqlx::Error> {
        let (code, message) = match &record.failure {
            Some((code, message)) => (Some(code_text(*code)), Some(message.clone())),
            None => (None, None),
        };
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE connections SET health_checked_at = $1, health_code = $2, \
             health_message = $3, health_district = $4, health_failing_since = $5, \
             health_next_at = $6, health_lease_token = NULL, health_lease_until = NULL \
             WHERE id = $7 AND health_lease_token = $8 AND revoked_at IS NULL",
        )
        .bind(record.checked_at)
        .bind(code)
        .bind(message)
        .bind(&record.district)
        .bind(record.failing_since)
        .bind(record.next_at)
        .bind(id)
        .bind(token)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated > 0 {
            Self::write_events(&mut tx, events).await?;
        }
        tx.commit().await?;
        if updated > 0 && !events.is_empty() {
            self.outbox_written().notify_one();
        }
        Ok(updated > 0)
    }

    /// Takes the lease of upstream `host` for `token` until `until` when no live lease holds
    /// it; true when taken.
    pub async fn take_host_lease(
        &self,
        host: &str,
        token: &str,
        now: i64,
        until: i64,
    ) -> Result<bool, sqlx::Error> {
        let taken: Option<String> = sqlx::query_scalar(
            "INSERT INTO health_host_leases (host, lease_token, until_at) VALUES ($1, $2, $3) \
             ON CONFLICT (host) DO UPDATE SET lease_token = excluded.lease_token, \
             until_at = excluded.until_at WHERE health_host_leases.until_at < $4 \
             RETURNING host",
        )
        .bind(host)
        .bind(token)
        .bind(until)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(taken.is_some())
    }

    /// Gives back the lease of `host` taken under `token`.
    pub async fn release_host_lease(&self, host: &str, token: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM health_host_leases WHERE host = $1 AND lease_token = $2")
            .bind(host)
            .bind(token)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// A repair: replaces the connection's credentials (the old sealed secret overwritten,
    /// and on SQLite no copy left in its files) and marks it healthy as of the repair's
    /// validation, with `events`, in one transaction; false when it was revoked meanwhile.
    pub async fn replace_credentials(
        &self,
        update: &CredentialsUpdate<'_>,
        events: &[NewEvent],
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE connections SET base_url = $1, token_url = $2, client_id = $3, \
             secret_sealed = $4, district_name = $5, counts = $6, updated_at = $7, \
             health_checked_at = $7, health_code = NULL, health_message = NULL, \
             health_district = $6, health_failing_since = NULL \
             WHERE id = $8 AND revoked_at IS NULL",
        )
        .bind(update.base_url)
        .bind(update.token_url)
        .bind(update.client_id)
        .bind(update.secret_sealed)
        .bind(update.district_name)
        .bind(update.counts)
        .bind(update.at)
        .bind(update.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated > 0 {
            Self::write_events(&mut tx, events).await?;
        }
        tx.commit().await?;
        if updated > 0 {
            self.truncate_wal().await?;
            if !events.is_empty() {
                self.outbox_written().notify_one();
            }
        }
        Ok(updated > 0)
    }
}
