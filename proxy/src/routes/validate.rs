//! `POST /v1/validate`: the wizard's "Validate Configuration" (session token required).

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::routing::post;
use axum::{Json, Router};
use sis_onboard_protocol::{ApiError, VALIDATE_PATH, ValidateRequest, ValidationReport};

use crate::AppState;
use crate::auth::SessionAuth;
use crate::client_address::ClientAddress;
use crate::error::ProxyError;
use crate::secrets::Wiped;
use crate::validations;

/// The validation route (browser-facing: CORS).
pub fn router() -> Router<AppState> {
    Router::new()
        .route(VALIDATE_PATH, post(validate).options(|| async {}))
        .layer(axum::middleware::from_fn(crate::cors::browser_cors))
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
    SessionAuth(live): SessionAuth,
    // Known when the server was started with connect info (the binary, the tests).
    client: ClientAddress,
    body: Result<Json<ValidateRequest>, JsonRejection>,
) -> Result<Json<ValidationReport>, ProxyError> {
    let Json(request) = body?;
    let request = Wiped::new(request);
    Ok(Json(
        validations::validate(&state, &live, &client, &request).await?,
    ))
}
