//! Onboarding sessions: the vendor's backend opens one (`POST /v1/sessions`, API key with
//! `sessions:write`), the wizard reads its configuration (`GET /v1/session`, session token).

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use sis_onboard_protocol::{
    ApiError, CreateSessionRequest, CreateSessionResponse, SESSION_PATH, SESSIONS_PATH,
    SessionConfig,
};

use crate::AppState;
use crate::auth::{SessionAuth, SessionsWrite, VendorKey};
use crate::error::ProxyError;
use crate::sessions::{open_session, wizard_config};

/// The session routes: the vendor's (server to server) and the wizard's (CORS).
pub fn router() -> Router<AppState> {
    Router::new()
        .route(SESSIONS_PATH, post(create_session))
        .merge(
            Router::new()
                .route(SESSION_PATH, get(read_session).options(|| async {}))
                .layer(axum::middleware::from_fn(crate::cors::browser_cors)),
        )
}

/// Opens an onboarding session for one of the vendor's customers (vendor backend only).
/// Scope: `sessions:write`; a key bound to tenants opens sessions only for them.
#[utoipa::path(post, path = "/v1/sessions", tag = "vendor",
    security(("api_key" = ["sessions:write"])),
    request_body = CreateSessionRequest,
    responses(
        (status = 201, description = "The session; hand its token to the wizard", body = CreateSessionResponse),
        (status = 400, description = "`bad_request`: a field is malformed; `field` names it", body = ApiError),
        (status = 401, description = "`invalid_api_key`", body = ApiError),
        (status = 403, description = "`key_scope_missing` (the key lacks `sessions:write`) or `tenant_not_allowed` (the key is bound to other tenants)", body = ApiError),
    ))]
pub(crate) async fn create_session(
    State(state): State<AppState>,
    key: VendorKey<SessionsWrite>,
    body: Result<Json<CreateSessionRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<CreateSessionResponse>), ProxyError> {
    let Json(request) = body?;
    key.ensure_tenant(&request.tenant_id)?;
    let created = open_session(&state, request, key.visible()).await?;
    tracing::info!(key = %key.id(), "session opened");
    Ok((StatusCode::CREATED, Json(created)))
}

/// The session's configuration, as the wizard reads it.
#[utoipa::path(get, path = "/v1/session", tag = "wizard",
    security(("session_token" = [])),
    responses(
        (status = 200, description = "The session's configuration", body = SessionConfig),
        (status = 401, description = "`invalid_session` or `session_expired`", body = ApiError),
        (status = 403, description = "`origin_not_allowed`", body = ApiError),
        (status = 429, description = "`rate_limited`: too many unknown tokens from this address", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
pub(crate) async fn read_session(
    State(state): State<AppState>,
    SessionAuth(live): SessionAuth,
) -> Result<Json<SessionConfig>, ProxyError> {
    Ok(Json(wizard_config(&state, live).await?))
}
