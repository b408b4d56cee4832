//! `GET /healthz`: answers while the proxy can reach its store.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use sis_onboard_protocol::{HEALTH_PATH, Health};

use crate::AppState;
use crate::error::ProxyError;

/// The health check's route.
pub fn router() -> Router<AppState> {
    Router::new().route(HEALTH_PATH, get(health))
}

async fn health(State(state): State<AppState>) -> Result<Json<Health>, ProxyError> {
    state.store.ping().await?;
    Ok(Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}
