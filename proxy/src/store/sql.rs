//! The store: SQLite (a file, the default) or PostgreSQL (a server, for several proxy
//! replicas), chosen by the URL, with the same SQL for both (`$N` placeholders, which
//! SQLite accepts too) and each backend's own migrations, applied on open.

use sqlx::AnyPool;
use sqlx::Row;
use sqlx::any::AnyPoolOptions;

use sis_onboard_protocol::{ConnectionSummary, Strategy};
use std::sync::Arc;
use std::time::Duration;

use crate::rate_limit::RateLimit;

use super::{NewConnection, NewEvent, StoredSession};

/// The proxy's store.
#[derive(Clone)]
pub struct Store {
    pub(super) pool: AnyPool,
    /// The URL it was opened with: two stores with the same URL are the same database.
    /// Never printed (a PostgreSQL URL may hold a password).
    url: Arc<str>,
    /// SQLite keeps old page images in its WAL file, which erasure has to clear.
    pub(super) is_sqlite: bool,
    /// Woken when this process writes to the webhook outbox, so its delivery worker need not
    /// wait for its next poll. Shared by the clones of one opened store.
    pub(super) outbox_written: Arc<tokio::sync::Notify>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password.
        f.write_str("Store(..)")
    }
}

impl Store {
    /// Opens the database at `url` and brings its schema up to date:
    /// `sqlite://path/to/file.sqlite` (created if missing, WAL) or `postgres://…`.
    pub async fn open(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let separator = if path.contains('?') { '&' } else { '?' };
            let url = if path.contains("mode=") {
                url.to_owned()
            } else {
                format!("{url}{separator}mode=rwc")
            };
            let pool = AnyPoolOptions::new()
                .max_connections(4)
                // Deleted and overwritten content is zeroed rather than left in free space,
                // so a revoked secret is not in the file afterwards. A per-connection setting.
                .after_connect(|connection, _| {
                    Box::pin(async move {
                        sqlx::query("PRAGMA secure_delete = ON")
                            .execute(&mut *connection)
                            .await
                            .map(|_| ())
                    })
                })
                .connect(&url)
                .await?;
            // WAL lets the health check and readers run while a write is in flight; it is a
            // property of the file, so setting it once is enough.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
            sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
            Ok(Self {
                pool,
                url: url.into(),
                is_sqlite: true,
                outbox_written: Arc::default(),
            })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = AnyPoolOptions::new()
                .max_connections(8)
                .connect(url)
                .await?;
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
            Ok(Self {
                pool,
                url: url.into(),
                is_sqlite: false,
                outbox_written: Arc::default(),
            })
        } else {
            Err(sqlx::Error::Configuration(
                "the database URL must start with sqlite:// or postgres://".into(),
            ))
        }
    }

    /// True when both are the same database.
    pub fn same_database(&self, other: &Store) -> bool {
        self.url == other.url
    }

    /// True when several proxy replicas may share this database (PostgreSQL): limits that
    /// must hold across replicas are kept in it.
    pub fn is_shared(&self) -> bool {
        !self.is_sqlite
    }

    /// Takes one request from the shared token bucket `bucket` (PostgreSQL only): refills it
    /// by the time since its last request, takes one token if there is one, and answers
    /// whether it did, all in one statement, so concurrent replicas never both take the
    /// last token. When none is left, the inner error says how long until one is.
    pub async fn take_rate_token(
        &self,
        bucket: &[u8],
        limit: RateLimit,
    ) -> Result<Result<(), Duration>, sqlx::Error> {
        if self.is_sqlite {
            return Err(sqlx::Error::Configuration(
                "shared rate limits need PostgreSQL".into(),
            ));
        }
        // $2: capacity, $3: tokens per second (never 0, so `full_at` stays finite).
        const NOW: &str = "EXTRACT(EPOCH FROM clock_timestamp())::float8";
        let refilled = format!(
            "LEAST($2, rate_limits.tokens + GREATEST(0, {NOW} - rate_limits.updated_at) * $3)"
        );
        let left = format!("({refilled} - CASE WHEN {refilled} >= 1 THEN 1 ELSE 0 END)");
        let sql = format!(
            "INSERT INTO rate_limits (bucket, tokens, updated_at, allowed, full_at) \
             VALUES ($1, $2 - 1, {NOW}, TRUE, {NOW} + 1 / $3) \
             ON CONFLICT (bucket) DO UPDATE SET \
             tokens = {left}, updated_at = {NOW}, allowed = {refilled} >= 1, \
             full_at = {NOW} + ($2 - {left}) / $3 \
             RETURNING allowed, tokens"
        );
        let row = sqlx::query(&sql)
            .bind(bucket)
            .bind(limit.capacity())
            .bind(limit.per_second().max(1e-9))
            .fetch_one(&self.pool)
            .await?;
        let allowed: bool = row.try_get("allowed")?;
        let tokens: f64 = row.try_get("tokens")?;
        Ok(if allowed {
            Ok(())
        } else {
            Err(limit.wait_for_one(tokens))
        })
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// Stores a new session under the hash of its token.
    pub async fn insert_session(
        &self,
        token_hash: &[u8],
        session: &StoredSession,
    ) -> Result<(), sqlx::Error> {
        let origins = serde_json::to_string(&session.allowed_origins)
            .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let offer =
            serde_json::to_string(&session.offer).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, tenant_id, display_name, allowed_origins, \
             support_contact, created_at, expires_at, offer) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(token_hash)
        .bind(&session.tenant_id)
        .bind(&session.display_name)
        .bind(origins)
        .bind(&session.support_contact)
        .bind(session.created_at)
        .bind(session.expires_at)
        .bind(offer)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// Finds the session whose token hashes to `token_hash`.
    pub async fn session_by_token_hash(
        &self,
        token_hash: &[u8],
    ) -> Result<Option<StoredSession>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT tenant_id, display_name, allowed_origins, support_contact, created_at, \
             expires_at, offer FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            let origins: String = row.try_get("allowed_origins")?;
            let offer: String = row.try_get("offer")?;
            Ok(StoredSession {
                offer: serde_json::from_str(&offer)
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                tenant_id: row.try_get("tenant_id")?,
                display_name: row.try_get("display_name")?,
                allowed_origins: serde_json::from_str(&origins)
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                support_contact: row.try_get("support_contact")?,
                created_at: row.try_get("created_at")?,
                expires_at: row.try_get("expires_at")?,
            })
        })
        .transpose()
    }
}

impl Store {
    /// Remembers a session's latest passed validation (replacing an earlier one).
    pub async fn record_validation(
        &self,
        session_hash: &[u8],
        fingerprint: &[u8],
        report: &str,
        at: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO validations (session_hash, fingerprint, report, validated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (session_hash) DO UPDATE SET \
             fingerprint = excluded.fingerprint, report = excluded.report, \
             validated_at = excluded.validated_at",
        )
        .bind(session_hash)
        .bind(fingerprint)
        .bind(report)
        .bind(at)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// The session's latest passed validation: its fingerprint and report.
    pub async fn latest_validation(
        &self,
        session_hash: &[u8],
    ) -> Result<Option<(Vec<u8>, String)>, sqlx::Error> {
        let row =
            sqlx::query("SELECT fingerprint, report FROM validations WHERE session_hash = $1")
                .bind(session_hash)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|row| Ok((row.try_get("fingerprint")?, row.try_get("report")?)))
            .transpose()
    }

    /// Claims `connection_id` as the session's one connection; answers the id that holds the
    /// claim (this one, or the one an earlier or concurrent completion claimed).
    pub async fn claim_completion(
        &self,
        session_hash: &[u8],
        connection_id: &str,
    ) -> Result<String, sqlx::Error> {
        sqlx::query(
            "INSERT INTO completions (session_hash, connection_id) VALUES ($1, $2) \
             ON CONFLICT (session_hash) DO NOTHING",
        )
        .bind(session_hash)
        .bind(connection_id)
        .execute(&self.pool)
        .await?;
        self.claimed_completion(session_hash)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }

    /// The connection id a session's completion claimed, if any.
    pub async fn claimed_completion(
        &self,
        session_hash: &[u8],
    ) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT connection_id FROM completions WHERE session_hash = $1")
            .bind(session_hash)
            .fetch_optional(&self.pool)
            .await
    }

    /// Gives up a claim whose connection could not be written.
    pub async fn release_completion(
        &self,
        session_hash: &[u8],
        connection_id: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM completions WHERE session_hash = $1 AND connection_id = $2")
            .bind(session_hash)
            .bind(connection_id)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// The id of the connection a session completed, if it did.
    pub async fn connection_of_session(
        &self,
        session_hash: &[u8],
    ) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT id FROM connections WHERE session_hash = $1")
            .bind(session_hash)
            .fetch_optional(&self.pool)
            .await
    }

    /// Stores a connection and, in the same transaction, the webhook `events` that report it
    /// (so both are written or neither is); a second one for the same session keeps the first
    /// and writes no event.
    pub async fn insert_connection(
        &self,
        c: &NewConnection,
        events: &[NewEvent],
    ) -> Result<String, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO connections (id, session_hash, tenant_id, region, source, strategy, \
             base_url, token_url, client_id, secret_sealed, district_name, counts, created_at, \
             updated_at, extract_plan) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
             ON CONFLICT (session_hash) DO NOTHING",
        )
        .bind(&c.id)
        .bind(&c.session_hash)
        .bind(&c.tenant_id)
        .bind(&c.region)
        .bind(&c.source)
        .bind(c.strategy.as_str())
        .bind(&c.base_url)
        .bind(&c.token_url)
        .bind(&c.client_id)
        .bind(&c.secret_sealed)
        .bind(&c.district_name)
        .bind(&c.counts)
        .bind(c.created_at)
        .bind(c.created_at)
        .bind(&c.extract_plan)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted > 0 {
            Self::write_events(&mut tx, events).await?;
        }
        // Whichever insert won a race, this is the session's connection.
        let id: Option<String> =
            sqlx::query_scalar("SELECT id FROM connections WHERE session_hash = $1")
                .bind(&c.session_hash)
                .fetch_optional(&mut *tx)
                .await?;
        let id = id.ok_or(sqlx::Error::RowNotFound)?;
        tx.commit().await?;
        if inserted > 0 && !events.is_empty() {
            self.outbox_written.notify_one();
        }
        Ok(id)
    }

    /// A connection's sealed secret, for the vendor's sync worker (and tests).
    pub async fn sealed_secret(&self, id: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
        sqlx::query_scalar("SELECT secret_sealed FROM connections WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }
}

/// The columns of a connection summary, in [`summary_from_row`]'s order.
pub(super) const SUMMARY_COLUMNS: &str = "id, tenant_id, region, source, strategy, base_url, \
    token_url, client_id, district_name, created_at, revoked_at, extract_plan, \
    health_checked_at, health_code, health_message, health_district, health_failing_since";

pub(super) fn summary_from_row(row: &sqlx::any::AnyRow) -> Result<ConnectionSummary, sqlx::Error> {
    Ok(ConnectionSummary {
        id: row.try_get("id")?,
        tenant_id: row.try_get("tenant_id")?,
        region: row.try_get("region")?,
        source: row.try_get("source")?,
        strategy: {
            let name: String = row.try_get("strategy")?;
            Strategy::from_name(&name)
                .ok_or_else(|| sqlx::Error::Decode(format!("unknown strategy '{name}'").into()))?
        },
        base_url: row.try_get("base_url")?,
        token_url: row.try_get("token_url")?,
        client_id: row.try_get("client_id")?,
        district_name: row.try_get("district_name")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
        extract_plan: {
            let plan: Option<String> = row.try_get("extract_plan")?;
            plan.map(|json| serde_json::from_str(&json))
                .transpose()
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?
        },
        health: super::health::health_from_row(row)?,
    })
}

impl Store {
    /// Connections, newest first, optionally of one tenant.
    pub async fn list_connections(
        &self,
        tenant_id: Option<&str>,
    ) -> Result<Vec<ConnectionSummary>, sqlx::Error> {
        let rows = match tenant_id {
            Some(tenant) => {
                sqlx::query(&format!(
                    "SELECT {SUMMARY_COLUMNS} FROM connections WHERE tenant_id = $1 \
                     ORDER BY created_at DESC, id"
                ))
                .bind(tenant)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {SUMMARY_COLUMNS} FROM connections ORDER BY created_at DESC, id"
                ))
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(summary_from_row).collect()
    }

    /// One connection, with its sealed secret (None once revoked).
    pub async fn connection(
        &self,
        id: &str,
    ) -> Result<Option<(ConnectionSummary, Option<Vec<u8>>)>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS}, secret_sealed FROM connections WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            let summary = summary_from_row(&row)?;
            let sealed: Vec<u8> = row.try_get("secret_sealed")?;
            let sealed = (summary.revoked_at.is_none() && !sealed.is_empty()).then_some(sealed);
            Ok((summary, sealed))
        })
        .transpose()
    }

    /// Revokes a connection: the record stays, the sealed secret is erased. The first
    /// revocation also writes the webhook `events` that report it, in the same transaction;
    /// revoking again erases nothing new and writes none. False when there is no such
    /// connection.
    ///
    /// On SQLite (`secure_delete` on) the old value is zeroed in the page, and the WAL, which
    /// still holds earlier images of that page, is checkpointed and truncated, so no copy is
    /// left in the database's files. On PostgreSQL the old row version stays on disk until
    /// the server's own (auto)vacuum reclaims it.
    pub async fn revoke_connection(
        &self,
        id: &str,
        at: i64,
        events: &[NewEvent],
    ) -> Result<bool, sqlx::Error> {
        let empty: &[u8] = &[];
        let mut tx = self.pool.begin().await?;
        let first = sqlx::query(
            "UPDATE connections SET secret_sealed = $1, revoked_at = $2, updated_at = $3 \
             WHERE id = $4 AND revoked_at IS NULL",
        )
        .bind(empty)
        .bind(at)
        .bind(at)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        let found = if first {
            Self::write_events(&mut tx, events).await?;
            true
        } else {
            // Already revoked (or unknown): the secret is erased again all the same.
            sqlx::query("UPDATE connections SET secret_sealed = $1, updated_at = $2 WHERE id = $3")
                .bind(empty)
                .bind(at)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0
        };
        tx.commit().await?;
        if first && !events.is_empty() {
            self.outbox_written.notify_one();
        }
        if found {
            self.truncate_wal().await?;
        }
        Ok(found)
    }

    /// SQLite: copies the WAL into the database file and truncates it to nothing, so the
    /// page images it held (old values included) are gone; PostgreSQL: nothing. A reader in
    /// the middle of a transaction can keep it from truncating; then the next sweep tries
    /// again.
    pub async fn truncate_wal(&self) -> Result<(), sqlx::Error> {
        if !self.is_sqlite {
            return Ok(());
        }
        let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&self.pool)
            .await?;
        let busy: i64 = row.try_get(0)?;
        if busy != 0 {
            tracing::warn!("the SQLite WAL could not be truncated yet; the next sweep retries");
        }
        Ok(())
    }

    /// The ids of connections that hold a sealed secret (not revoked), in id order.
    pub async fn sealed_connection_ids(&self) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT id FROM connections WHERE revoked_at IS NULL AND length(secret_sealed) > 0 \
             ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
    }

    /// Replaces a connection's sealed secret if it still is `old` and the connection is not
    /// revoked: one statement, its own transaction, a compare-and-swap, so a revocation or
    /// another rotation that got there first wins. False when nothing was replaced.
    pub async fn reseal_connection(
        &self,
        id: &str,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool, sqlx::Error> {
        let result = sqlx::query(
            "UPDATE connections SET secret_sealed = $1 \
             WHERE id = $2 AND secret_sealed = $3 AND revoked_at IS NULL",
        )
        .bind(new)
        .bind(id)
        .bind(old)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() > 0)
    }
}

/// What one sweep deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Sessions (with their completion claims).
    pub sessions: u64,
    /// Recorded validations.
    pub validations: u64,
}

impl Store {
    /// How long an expired session is kept, in seconds, so that a late administrator is told
    /// "expired" rather than "not valid". It holds no secret: the token's hash, the tenant,
    /// the offer.
    pub const EXPIRED_SESSIONS_KEPT_SECS: i64 = 60 * 60;

    /// Deletes what has outlived its use at `now` (seconds since the Unix epoch): the
    /// validations of expired (or deleted) sessions at once, and sessions, with their
    /// completion claims, [`Self::EXPIRED_SESSIONS_KEPT_SECS`] after they expired.
    pub async fn sweep_expired(&self, now: i64) -> Result<Swept, sqlx::Error> {
        let validations = sqlx::query(
            "DELETE FROM validations WHERE session_hash IN \
             (SELECT token_hash FROM sessions WHERE expires_at <= $1) \
             OR session_hash NOT IN (SELECT token_hash FROM sessions)",
        )
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected();
        let cutoff = now.saturating_sub(Self::EXPIRED_SESSIONS_KEPT_SECS);
        sqlx::query(
            "DELETE FROM completions WHERE session_hash IN \
             (SELECT token_hash FROM sessions WHERE expires_at <= $1)",
        )
        .bind(cutoff)
        .execute(&self.pool)
        .await?;
        let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(cutoff)
            .execute(&self.pool)
            .await?
            .rows_affected();
        if !self.is_sqlite {
            // Full buckets say nothing a missing row does not.
            sqlx::query(
                "DELETE FROM rate_limits WHERE full_at <= EXTRACT(EPOCH FROM clock_timestamp())",
            )
            .execute(&self.pool)
            .await?;
        }
        self.truncate_wal().await?;
        Ok(Swept {
            sessions,
            validations,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sessions_survive_reopening_the_file() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}", dir.path().join("store.sqlite").display());
        let session = StoredSession {
            tenant_id: "district-9".into(),
            display_name: "Acme Learning".into(),
            allowed_origins: vec!["https://app.acme.test".into()],
            support_contact: Some("help@acme.test".into()),
            offer: super::super::SessionOffer {
                regions: vec!["eu".into()],
                sources: vec!["infinite_campus".into()],
                strategies: vec![Strategy::OneRosterApi],
                extract_name_prefix: "Acme".into(),
                repair_of: None,
            },
            created_at: 100,
            expires_at: 1900,
        };
        Store::open(&url)
            .await?
            .insert_session(b"hash-1", &session)
            .await?;

        let reopened = Store::open(&url).await?;
        assert_eq!(
            reopened.session_by_token_hash(b"hash-1").await?,
            Some(session)
        );
        assert_eq!(reopened.session_by_token_hash(b"hash-2").await?, None);
        Ok(())
    }
}
