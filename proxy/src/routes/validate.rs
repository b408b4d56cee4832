//! `POST /v1/validate`: the wizard's "Validate Configuration" (session token required).

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use sis_onboard_protocol::{ApiError, VALIDATE_PATH, ValidateRequest, ValidationReport};

use crate::AppState;
use crate::client_address::ClientAddress;
use crate::crypto::EncryptionKey;
use crate::error::ProxyError;
use crate::oneroster::validate_connection;
use crate::rate_limit;
use crate::routes::sessions::{authenticate_session, completed_connection, unix_now};
use crate::secrets::Wiped;

/// What the keyed fingerprint covers: the four values, as validated and as completed.
pub fn fingerprint_fields(request: &ValidateRequest) -> [&str; 4] {
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

/// The validation route (browser-facing: CORS).
pub fn router() -> Router<AppState> {
    Router::new()
        .route(VALIDATE_PATH, post(validate).options(|| async {}))
        .layer(axum::middleware::from_fn(super::cors::browser_cors))
}

/// "Validate Configuration": obtains a token and probes the OneRoster 1.2 API. A failed
/// validation is still a 200: the report's `error` says why, with a stable code.
#[utoipa::path(post, path = "/v1/validate", tag = "wizard",
    security(("session_token" = [])),
    request_body = ValidateRequest,
    responses(
        (status = 200, description = "The report, passed or not", body = ValidationReport),
        (status = 400, description = "`bad_request`", body = ApiError),
        (status = 401, description = "`invalid_session`, or `session_expired` (expired, or already completed)", body = ApiError),
        (status = 403, description = "`origin_not_allowed`", body = ApiError),
        (status = 429, description = "`rate_limited` (too many validations for this session or address, or unknown tokens from this address); `Retry-After` says when to try again", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
pub(crate) async fn validate(
    State(state): State<AppState>,
    // Known when the server was started with connect info (the binary, the tests).
    client: ClientAddress,
    headers: HeaderMap,
    body: Result<Json<ValidateRequest>, JsonRejection>,
) -> Result<Json<ValidationReport>, ProxyError> {
    let (session_hash, session) = authenticate_session(&state, &client, &headers).await?;
    rate_limit::take_validation(&state, &session_hash, &client).await?;
    // A completed session is finished: validating again would only make the proxy an
    // oracle for credentials it no longer needs.
    if completed_connection(&state, &session_hash).await?.is_some() {
        return Err(ProxyError::SessionCompleted);
    }
    let Json(request) = body?;
    let request = Wiped::new(request);
    let report = validate_connection(&state.http, &state.config.net_policy, &request).await;
    if report.passed
        && let Some(key) = &state.config.encryption_key
    {
        let report_json = serde_json::to_string(&report)
            .map_err(|e| ProxyError::Internal(format!("report: {e}")))?;
        state
            .store
            .record_validation(
                &session_hash,
                &fingerprint(key, &request),
                &report_json,
                unix_now(),
            )
            .await?;
    }
    // The report and the request's Debug carry no secret; the secret itself is never logged.
    tracing::info!(
        tenant = %session.tenant_id,
        passed = report.passed,
        code = ?report.error.as_ref().map(|e| e.code),
        "validation"
    );
    Ok(Json(report))
}
