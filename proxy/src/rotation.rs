//! Key rotation: re-seals every stored secret under a new key, one row at a time, while
//! replicas keep serving (README, "Keys and rotation").

use secrecy::ExposeSecret;

use crate::Store;
use crate::crypto::{EncryptionKey, Keyring, SealBinding};

/// How often a row that keeps changing under the rotation is read again before it counts
/// as failed (and is left for the next run).
const ATTEMPTS_PER_ROW: usize = 3;

/// What a rotation did in one database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RotationReport {
    /// Secrets re-sealed under the new key by this run.
    pub resealed: usize,
    /// Secrets already under the new key (an earlier, interrupted run's work).
    pub already: usize,
    /// Connections revoked or deleted while the rotation ran: nothing to re-seal.
    pub gone: usize,
    /// Secrets that no given key opens, or that kept changing: still under an old key.
    pub failed: usize,
    /// Rows not looked at because the run's row limit was reached.
    pub remaining: usize,
}

impl RotationReport {
    /// True when every secret in the database is now under the new key.
    pub fn is_finished(&self) -> bool {
        self.failed == 0 && self.remaining == 0
    }
}

/// Re-seals every connection secret in `store` that is not yet under `new`, opening it with
/// `new` or one of `old`. Each row is its own transaction, written only if its sealed value
/// is still the one read (compare-and-swap), so it is safe while replicas serve, revoke and
/// complete; rows already under `new` are skipped, so an interrupted run is resumed by
/// running it again. `max_rows` stops after that many re-sealed rows (rotating in slices).
pub async fn rotate_store(
    store: &Store,
    new: &EncryptionKey,
    old: &[EncryptionKey],
    max_rows: Option<usize>,
) -> Result<RotationReport, sqlx::Error> {
    let keyring = Keyring::new(new, old);
    let mut report = RotationReport::default();
    let ids = store.sealed_connection_ids().await?;
    for (index, id) in ids.iter().enumerate() {
        if max_rows.is_some_and(|max| report.resealed >= max) {
            report.remaining = ids.len() - index;
            break;
        }
        let mut outcome = RowOutcome::Failed;
        for _ in 0..ATTEMPTS_PER_ROW {
            outcome = reseal_row(store, &keyring, id).await?;
            if outcome != RowOutcome::Changed {
                break;
            }
        }
        match outcome {
            RowOutcome::Resealed => report.resealed += 1,
            RowOutcome::Already => report.already += 1,
            RowOutcome::Gone => report.gone += 1,
            RowOutcome::Failed | RowOutcome::Changed => {
                tracing::warn!(connection = %id, "secret not re-sealed: no given key opens it, or it kept changing");
                report.failed += 1;
            }
        }
    }
    // The old sealed values stay in SQLite's WAL until it is truncated (secure_delete has
    // zeroed them in the pages): gone, they cannot be opened with a leaked old key.
    store.truncate_wal().await?;
    Ok(report)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowOutcome {
    Resealed,
    Already,
    Gone,
    Failed,
    /// Someone wrote the row between the read and the write: read it again.
    Changed,
}

async fn reseal_row(
    store: &Store,
    keyring: &Keyring<'_>,
    id: &str,
) -> Result<RowOutcome, sqlx::Error> {
    let Some((summary, Some(sealed))) = store.connection(id).await? else {
        return Ok(RowOutcome::Gone);
    };
    let new = keyring.current();
    if new.has_sealed(&sealed) {
        return Ok(RowOutcome::Already);
    }
    let binding = SealBinding::of(&summary);
    let Ok(secret) = keyring.open(&sealed, &binding) else {
        return Ok(RowOutcome::Failed);
    };
    let Ok(resealed) = new.seal(secret.expose_secret().as_bytes(), &binding) else {
        return Ok(RowOutcome::Failed);
    };
    Ok(if store.reseal_connection(id, &sealed, &resealed).await? {
        RowOutcome::Resealed
    } else {
        RowOutcome::Changed
    })
}
