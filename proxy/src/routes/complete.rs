//! `POST /v1/complete`: "Continue Setup". Stores the connection that the session validated,
//! with its secret sealed, and answers only an opaque connection id.

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::routing::post;
use axum::{Json, Router};
use sis_onboard_protocol::{ApiError, COMPLETE_PATH, CompleteRequest, CompleteResponse};

use crate::AppState;
use crate::auth::SessionAuth;
use crate::connections;
use crate::error::ProxyError;
use crate::secrets::Wiped;

/// The completion route (browser-facing: CORS).
pub fn router() -> Router<AppState> {
    Router::new()
        .route(COMPLETE_PATH, post(complete).options(|| async {}))
        .layer(axum::middleware::from_fn(crate::cors::browser_cors))
}

/// "Continue Setup": stores the connection the session validated; answers its opaque id.
/// On the Custom Data Extract path it also stores the extract plan of the chosen data sets,
/// regenerated here from the session's prefix. Completing twice answers the same id.
#[utoipa::path(post, path = "/v1/complete", tag = "wizard",
    security(("session_token" = [])),
    request_body = CompleteRequest,
    responses(
        (status = 200, description = "The connection's id", body = CompleteResponse),
        (status = 400, description = "`bad_request`: region, source or strategy not offered, or data sets that do not fit the strategy", body = ApiError),
        (status = 401, description = "`invalid_session` or `session_expired`", body = ApiError),
        (status = 403, description = "`origin_not_allowed`", body = ApiError),
        (status = 409, description = "`validation_required`: these exact values have not passed validation", body = ApiError),
        (status = 429, description = "`rate_limited`: too many unknown tokens from this address", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
pub(crate) async fn complete(
    State(state): State<AppState>,
    SessionAuth(live): SessionAuth,
    body: Result<Json<CompleteRequest>, JsonRejection>,
) -> Result<Json<CompleteResponse>, ProxyError> {
    let Json(request) = body?;
    let request = Wiped::new(request);
    let connection_id = connections::complete(&state, live, &request).await?;
    Ok(Json(CompleteResponse { connection_id }))
}
