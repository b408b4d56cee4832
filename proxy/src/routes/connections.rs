//! The vendor's admin API for stored connections (API key): list, read, fetch the
//! decrypted credentials for the vendor's own sync worker, revoke.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use sis_onboard_protocol::{ApiError, CONNECTIONS_PATH, ConnectionCredentials, ConnectionSummary};

use crate::AppState;
use crate::crypto::SealBinding;
use crate::error::ProxyError;
use crate::routes::sessions::{require_api_key, unix_now};
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
pub(crate) struct ListQuery {
    /// Only this customer's connections.
    tenant_id: Option<String>,
}

/// Stored connections, newest first, across every region (never a secret).
#[utoipa::path(get, path = "/v1/connections", tag = "vendor",
    security(("api_key" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "The connections", body = Vec<ConnectionSummary>),
        (status = 401, description = "`invalid_api_key`", body = ApiError),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<ConnectionSummary>>, ProxyError> {
    require_api_key(&state, &headers)?;
    let mut connections = Vec::new();
    for store in state.connection_stores() {
        connections.extend(store.list_connections(query.tenant_id.as_deref()).await?);
    }
    // Each store answers newest first; merged, the list keeps that order.
    connections.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
    Ok(Json(connections))
}

/// The connection `id` and the database that holds it, whichever region's that is.
async fn find<'a>(
    state: &'a AppState,
    id: &str,
) -> Result<(ConnectionSummary, Option<Vec<u8>>, &'a crate::Store), ProxyError> {
    for store in state.connection_stores() {
        if let Some((summary, sealed)) = store.connection(id).await? {
            return Ok((summary, sealed, store));
        }
    }
    Err(ProxyError::NotFound)
}

/// One connection (never its secret).
#[utoipa::path(get, path = "/v1/connections/{id}", tag = "vendor",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The connection id")),
    responses(
        (status = 200, description = "The connection", body = ConnectionSummary),
        (status = 401, description = "`invalid_api_key`", body = ApiError),
        (status = 404, description = "`not_found`", body = ApiError),
    ))]
pub(crate) async fn read(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<ConnectionSummary>, ProxyError> {
    require_api_key(&state, &headers)?;
    let (summary, _, _) = find(&state, &id).await?;
    Ok(Json(summary))
}

/// The decrypted credentials, for the vendor's own sync worker. Each read is logged (without
/// the secret).
#[utoipa::path(get, path = "/v1/connections/{id}/credentials", tag = "vendor",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The connection id")),
    responses(
        (status = 200, description = "The credentials", body = ConnectionCredentials),
        (status = 401, description = "`invalid_api_key`", body = ApiError),
        (status = 404, description = "`not_found`: no such connection, or it was revoked", body = ApiError),
    ))]
pub(crate) async fn credentials(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<CredentialsAnswer>, ProxyError> {
    require_api_key(&state, &headers)?;
    let (summary, sealed, _) = find(&state, &id).await?;
    let sealed = sealed.ok_or(ProxyError::NotFound)?;
    let keyring = state
        .config
        .keyring()
        .ok_or_else(|| ProxyError::Internal("no encryption key is configured".into()))?;
    // Fails when the row was tampered with (its token URL changed, say) or no configured
    // key sealed it.
    let client_secret = keyring
        .open(&sealed, &SealBinding::of(&summary))
        .map_err(|e| ProxyError::Internal(format!("connection {id}: {e}")))?;
    // Who read which credentials is worth an audit line; the secret itself never is.
    tracing::info!(connection = %id, tenant = %summary.tenant_id, "credentials read");
    Ok(Json(CredentialsAnswer {
        base_url: summary.base_url,
        token_url: summary.token_url,
        client_id: summary.client_id,
        client_secret,
    }))
}

/// Revokes a connection: the record stays for audit, the sealed secret is erased.
#[utoipa::path(delete, path = "/v1/connections/{id}", tag = "vendor",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The connection id")),
    responses(
        (status = 204, description = "Revoked (again, if it already was)"),
        (status = 401, description = "`invalid_api_key`", body = ApiError),
        (status = 404, description = "`not_found`", body = ApiError),
    ))]
pub(crate) async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, ProxyError> {
    require_api_key(&state, &headers)?;
    // Revoked where it was found: the database reads would serve it from.
    let (summary, _, store) = find(&state, &id).await?;
    // The webhook is written with the revocation, in one transaction (the first one only).
    let revoked = crate::webhooks::connection_event(
        &state.config.webhooks,
        sis_onboard_protocol::WebhookEventType::ConnectionRevoked,
        crate::webhooks::summary_data(&summary),
    );
    if store.revoke_connection(&id, unix_now(), &[revoked]).await? {
        tracing::info!(connection = %id, "connection revoked");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ProxyError::NotFound)
    }
}
