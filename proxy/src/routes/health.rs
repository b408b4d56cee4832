//! `GET /healthz`: answers while the proxy can reach its store.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use sis_onboard_protocol::{ApiError, HEALTH_PATH, Health};

use crate::AppState;
use crate::error::ProxyError;

/// The health check's route.
pub fn router() -> Router<AppState> {
    Router::new().route(HEALTH_PATH, get(health))
}

/// Answers while the proxy can reach its store.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses(
        (status = 200, description = "The proxy can serve requests", body = Health),
        (status = 500, description = "The store does not answer", body = ApiError),
    ))]
pub(crate) async fn health(State(state): State<AppState>) -> Result<Json<Health>, ProxyError> {
    state.store.ping().await?;
    Ok(Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}
