//! The vendor's admin API for webhook deliveries (API key): list them with their attempts and
//! read one (`connections:read`), send one again or send a test event (`connections:write`).
//! A key bound to tenants sees only their deliveries.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use sis_onboard_protocol::{ApiError, DeliveryStatus, WebhookDelivery};

use crate::AppState;
use crate::auth::{ConnectionsRead, ConnectionsWrite, VendorKey};
use crate::error::ProxyError;
use crate::store::DeliveryFilter;
use crate::webhooks::admin;

/// Where deliveries are listed.
pub const DELIVERIES_PATH: &str = "/v1/webhooks/deliveries";

/// The webhook admin routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(DELIVERIES_PATH, get(list))
        .route(&format!("{DELIVERIES_PATH}/{{id}}"), get(read))
        .route(&format!("{DELIVERIES_PATH}/{{id}}/retry"), post(retry))
        .route("/v1/webhooks/endpoints/{id}/test", post(test))
}

/// Filters of the delivery list.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// Only events about this customer.
    tenant_id: Option<String>,
    /// Only deliveries in this state.
    status: Option<DeliveryStatus>,
    /// Only this event's deliveries (its `webhook-id`).
    event_id: Option<String>,
    /// At most this many, newest events first (default 100, at most 1000).
    limit: Option<u32>,
}

/// Webhook deliveries, newest events first, each with its attempts. Scope:
/// `connections:read`; a key bound to tenants lists only theirs.
#[utoipa::path(get, path = "/v1/webhooks/deliveries", tag = "vendor",
    security(("api_key" = ["connections:read"])),
    params(ListQuery),
    responses(
        (status = 200, description = "The deliveries", body = Vec<WebhookDelivery>),
        (status = 401, description = "`invalid_api_key`", body = ApiError),
        (status = 403, description = "`key_scope_missing`, or `tenant_not_allowed` (`tenant_id` names a tenant the key is not bound to)", body = ApiError),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    key: VendorKey<ConnectionsRead>,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<WebhookDelivery>>, ProxyError> {
    let tenants = key
        .visible()
        .filters(query.tenant_id.as_deref())
        .ok_or(ProxyError::TenantNotAllowed)?;
    let stores = state.connection_stores();
    let mut deliveries = Vec::new();
    for tenant_id in tenants {
        let filter = DeliveryFilter {
            tenant_id,
            status: query.status,
            event_id: query.event_id.clone(),
            delivery_id: None,
            limit: query.limit,
        };
        deliveries.extend(admin::list_deliveries(&stores, &filter).await?);
    }
    deliveries.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
    Ok(Json(deliveries))
}

/// One delivery with its attempts, when the key may see its tenant.
async fn visible_delivery<S>(
    state: &AppState,
    key: &VendorKey<S>,
    id: &str,
) -> Result<WebhookDelivery, ProxyError> {
    let delivery = admin::delivery(&state.connection_stores(), id).await?;
    let visible = key.visible();
    match (&delivery.tenant_id, visible.0) {
        (_, None) => Ok(delivery),
        (Some(tenant), _) if visible.includes(tenant) => Ok(delivery),
        _ => Err(ProxyError::NotFound),
    }
}

/// One delivery with its attempts. Scope: `connections:read`.
#[utoipa::path(get, path = "/v1/webhooks/deliveries/{id}", tag = "vendor",
    security(("api_key" = ["connections:read"])),
    params(("id" = String, Path, description = "The delivery id (`dlv_…`)")),
    responses(
        (status = 200, description = "The delivery", body = WebhookDelivery),
        (status = 401, description = "`invalid_api_key`", body = ApiError),
        (status = 403, description = "`key_scope_missing`", body = ApiError),
        (status = 404, description = "`not_found` (also for a tenant the key is not bound to)", body = ApiError),
    ))]
pub(crate) async fn read(
    State(state): State<AppState>,
    key: VendorKey<ConnectionsRead>,
    Path(id): Path<String>,
) -> Result<Json<WebhookDelivery>, ProxyError> {
    Ok(Json(visible_delivery(&state, &key, &id).await?))
}

/// Sends a delivery again now, with the same `webhook-id` (a receiver that has it already
/// drops it). Scope: `connections:write`.
#[utoipa::path(post, path = "/v1/webhooks/deliveries/{id}/retry", tag = "vendor",
    security(("api_key" = ["connections:write"])),
    params(("id" = String, Path, description = "The delivery id (`dlv_…`)")),
    responses(
        (status = 202, description = "Due now; the worker sends it", body = WebhookDelivery),
        (status = 401, description = "`invalid_api_key`", body = ApiError),
        (status = 403, description = "`key_scope_missing`", body = ApiError),
        (status = 404, description = "`not_found`", body = ApiError),
    ))]
pub(crate) async fn retry(
    State(state): State<AppState>,
    key: VendorKey<ConnectionsWrite>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<WebhookDelivery>), ProxyError> {
    visible_delivery(&state, &key, &id).await?;
    let delivery = admin::redeliver(&state.connection_stores(), &id).await?;
    tracing::info!(delivery = %id, key = %key.id(), "webhook delivery sent again");
    Ok((StatusCode::ACCEPTED, Json(delivery)))
}

/// For whom a test event is.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct TestQuery {
    /// The tenant the test event names (required for a key bound to tenants).
    tenant_id: Option<String>,
}

/// Sends a `test` event to one endpoint (whatever its tenant and event filters). Scope:
/// `connections:write`.
#[utoipa::path(post, path = "/v1/webhooks/endpoints/{id}/test", tag = "vendor",
    security(("api_key" = ["connections:write"])),
    params(("id" = String, Path, description = "The endpoint's configured id"), TestQuery),
    responses(
        (status = 202, description = "Written; the worker delivers it", body = WebhookDelivery),
        (status = 401, description = "`invalid_api_key`", body = ApiError),
        (status = 403, description = "`key_scope_missing`, or `tenant_not_allowed`", body = ApiError),
        (status = 404, description = "`not_found`: no endpoint has that id", body = ApiError),
    ))]
pub(crate) async fn test(
    State(state): State<AppState>,
    key: VendorKey<ConnectionsWrite>,
    Path(id): Path<String>,
    Query(query): Query<TestQuery>,
) -> Result<(StatusCode, Json<WebhookDelivery>), ProxyError> {
    let tenant = query.tenant_id.as_deref();
    if key.visible().0.is_some() {
        key.ensure_tenant(tenant.ok_or(ProxyError::TenantNotAllowed)?)?;
    }
    let delivery =
        admin::send_test_event(&state.store, &state.config.webhooks, &id, tenant).await?;
    Ok((StatusCode::ACCEPTED, Json(delivery)))
}
