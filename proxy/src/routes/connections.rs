//! The vendor's admin API for stored connections (API key): list and read
//! (`connections:read`), fetch the decrypted credentials for the vendor's own sync worker
//! (`credentials:read`), revoke (`connections:write`). A key bound to tenants sees only
//! their connections.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use sis_onboard_protocol::{ApiError, CONNECTIONS_PATH, ConnectionCredentials, ConnectionSummary};

use crate::AppState;
use crate::auth::{ConnectionsRead, ConnectionsWrite, CredentialsRead, VendorKey};
use crate::connections;
use crate::error::ProxyError;
use crate::secrets::CredentialsAnswer;

/// The admin routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(CONNECTIONS_PATH, get(list))
        .route(
            &format!("{CONNECTIONS_PATH}/{{id}}"),
            get(read).delete(revoke),
        )
        .route(
            &format!("{CONNECTIONS_PATH}/{{id}}/credentials"),
            get(credentials),
        )
}

/// Filters of the connection list.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// Only this customer's connections.
    tenant_id: Option<String>,
}

/// Stored connections, newest first, across every region (never a secret). Scope:
/// `connections:read`; a key bound to tenants lists only theirs.
#[utoipa::path(get, path = "/v1/connections", tag = "vendor",
    security(("api_key" = ["connections:read"])),
    params(ListQuery),
    responses(
        (status = 200, description = "The connections", body = Vec<ConnectionSummary>),
        (status = 401, description = "`invalid_api_key`", body = ApiError),
        (status = 403, description = "`key_scope_missing` (the key lacks `connections:read`), or `tenant_not_allowed` (`tenant_id` names a tenant the key is not bound to)", body = ApiError),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    key: VendorKey<ConnectionsRead>,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<ConnectionSummary>>, ProxyError> {
    let tenant = query.tenant_id.as_deref();
    Ok(Json(
        connections::list(&state, tenant, key.visible()).await?,
    ))
}

/// One connection (never its secret). Scope: `connections:read`.
#[utoipa::path(get, path = "/v1/connections/{id}", tag = "vendor",
    security(("api_key" = ["connections:read"])),
    params(("id" = String, Path, description = "The connection id")),
    responses(
        (status = 200, description = "The connection", body = ConnectionSummary),
        (status = 401, description = "`invalid_api_key`", body = ApiError),
        (status = 403, description = "`key_scope_missing`: the key lacks `connections:read`", body = ApiError),
        (status = 404, description = "`not_found` (also for a tenant the key is not bound to)", body = ApiError),
    ))]
pub(crate) async fn read(
    State(state): State<AppState>,
    key: VendorKey<ConnectionsRead>,
    Path(id): Path<String>,
) -> Result<Json<ConnectionSummary>, ProxyError> {
    Ok(Json(
        connections::summary(&state, &id, key.visible()).await?,
    ))
}

/// The decrypted credentials, for the vendor's own sync worker. Scope: `credentials:read`.
/// Each read is logged with the key's id (never the secret).
#[utoipa::path(get, path = "/v1/connections/{id}/credentials", tag = "vendor",
    security(("api_key" = ["credentials:read"])),
    params(("id" = String, Path, description = "The connection id")),
    responses(
        (status = 200, description = "The credentials", body = ConnectionCredentials),
        (status = 401, description = "`invalid_api_key`", body = ApiError),
        (status = 403, description = "`key_scope_missing`: the key lacks `credentials:read`", body = ApiError),
        (status = 404, description = "`not_found`: no such connection, it was revoked, or it belongs to a tenant the key is not bound to", body = ApiError),
    ))]
pub(crate) async fn credentials(
    State(state): State<AppState>,
    key: VendorKey<CredentialsRead>,
    Path(id): Path<String>,
) -> Result<Json<CredentialsAnswer>, ProxyError> {
    let answer = connections::credentials(&state, &id, key.visible(), key.id()).await?;
    Ok(Json(answer))
}

/// Revokes a connection: the record stays for audit, the sealed secret is erased. Scope:
/// `connections:write`.
#[utoipa::path(delete, path = "/v1/connections/{id}", tag = "vendor",
    security(("api_key" = ["connections:write"])),
    params(("id" = String, Path, description = "The connection id")),
    responses(
        (status = 204, description = "Revoked (again, if it already was)"),
        (status = 401, description = "`invalid_api_key`", body = ApiError),
        (status = 403, description = "`key_scope_missing`: the key lacks `connections:write`", body = ApiError),
        (status = 404, description = "`not_found` (also for a tenant the key is not bound to)", body = ApiError),
    ))]
pub(crate) async fn revoke(
    State(state): State<AppState>,
    key: VendorKey<ConnectionsWrite>,
    Path(id): Path<String>,
) -> Result<StatusCode, ProxyError> {
    connections::revoke(&state, &id, key.visible(), key.id()).await?;
    Ok(StatusCode::NO_CONTENT)
}
