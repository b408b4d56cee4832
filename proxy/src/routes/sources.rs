//! `GET /v1/sources`: the source catalog, for the vendor's backend to choose a session's
//! `sources` from (API key with `sessions:write`, the scope of the request it builds).

use axum::routing::get;
use axum::{Json, Router};
use sis_onboard_protocol::{ApiError, SOURCES_PATH, SourceOption, source_options};

use crate::AppState;
use crate::auth::{SessionsWrite, VendorKey};

/// The catalog route (server to server: no CORS).
pub fn router() -> Router<AppState> {
    Router::new().route(SOURCES_PATH, get(catalog))
}

/// Every data source the proxy knows, in the catalog's order (the wizard's order when a
/// session names none): whether it can be connected, by which strategies, and what a
/// district needs for it. Scope: `sessions:write`.
#[utoipa::path(get, path = "/v1/sources", tag = "vendor",
    security(("api_key" = ["sessions:write"])),
    responses(
        (status = 200, description = "The whole catalog; `implemented: false` sources are listed but cannot be connected, and their `strategies` is empty", body = Vec<SourceOption>),
        (status = 401, description = "`invalid_api_key`", body = ApiError),
        (status = 403, description = "`key_scope_missing` (the key lacks `sessions:write`)", body = ApiError),
    ))]
pub(crate) async fn catalog(_key: VendorKey<SessionsWrite>) -> Json<Vec<SourceOption>> {
    Json(source_options())
}
