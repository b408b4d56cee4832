//! Validations a session runs: each one limited, run against the district, and, when it
//! passes, recorded by a keyed fingerprint of the four values, so that completion can tell
//! the values it stores are the ones that passed (without keeping the secret).

use sis_onboard_protocol::{ValidateRequest, ValidationReport};

use crate::AppState;
use crate::client_address::ClientAddress;
use crate::clock::unix_now;
use crate::crypto::EncryptionKey;
use crate::error::ProxyError;
use crate::oneroster::validate_connection;
use crate::rate_limit;
use crate::sessions::{LiveSession, completed_connection};

/// What the keyed fingerprint covers: the four values, as validated and as completed.
fn fingerprint_fields(request: &ValidateRequest) -> [&str; 4] {
    [
        request.base_url.trim(),
        request.token_url.trim(),
        request.client_id.trim(),
        &request.client_secret,
    ]
}

/// The keyed fingerprint of the four values under `key`.
pub fn fingerprint(key: &EncryptionKey, request: &ValidateRequest) -> Vec<u8> {
    key.fingerprint(&fingerprint_fields(request))
}

/// Runs one validation for the session `live` from `client`: within the session's and the
/// address's limits, never after the session completed. A failed validation is still a
/// report, with its stable code.
pub async fn validate(
    state: &AppState,
    live: &LiveSession,
    client: &ClientAddress,
    request: &ValidateRequest,
) -> Result<ValidationReport, ProxyError> {
    rate_limit::take_validation(state, &live.token_hash, client).await?;
    // A completed session is finished: validating again would only make the proxy an
    // oracle for credentials it no longer needs.
    if completed_connection(state, &live.token_hash)
        .await?
        .is_some()
    {
        return Err(ProxyError::SessionCompleted);
    }
    let report = validate_connection(&state.http, &state.config.net_policy, request).await;
    if report.passed
        && let Some(key) = &state.config.encryption_key
    {
        let report_json = serde_json::to_string(&report)
            .map_err(|e| ProxyError::Internal(format!("report: {e}")))?;
        state
            .store
            .record_validation(
                &live.token_hash,
                &fingerprint(key, request),
                &report_json,
                unix_now(),
            )
            .await?;
    }
    // The report and the request's Debug carry no secret; the secret itself is never logged.
    tracing::info!(
        tenant = %live.session.tenant_id,
        passed = report.passed,
        code = ?report.error.as_ref().map(|e| e.code),
        "validation"
    );
    Ok(report)
}

/// The report of the session's latest passed validation, when it validated exactly
/// `credentials` (`validation_required` otherwise).
pub async fn passed_report(
    state: &AppState,
    session_hash: &[u8],
    credentials: &ValidateRequest,
) -> Result<ValidationReport, ProxyError> {
    let keyring = state
        .config
        .keyring()
        .ok_or_else(|| ProxyError::Internal("no encryption key is configured".into()))?;
    let (validated, report) = state
        .store
        .latest_validation(session_hash)
        .await?
        .ok_or(ProxyError::ValidationRequired)?;
    if !keyring.fingerprint_matches(&validated, &fingerprint_fields(credentials)) {
        return Err(ProxyError::ValidationRequired);
    }
    serde_json::from_str(&report).map_err(|e| ProxyError::Internal(format!("stored report: {e}")))
}
