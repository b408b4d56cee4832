//! What the admin API does with webhooks (its routes call these): list deliveries with
//! their attempts, send one again, send a test event, and tell which endpoints are failing.

use std::collections::BTreeMap;

use sis_onboard_protocol::WebhookDelivery;

use super::error::WebhookError;
use super::events::{now_ms, test_event};
use super::settings::WebhookSettings;
use crate::Store;
use crate::store::DeliveryFilter;

/// Deliveries matching `filter` in every database of `stores` (each region keeps its own
/// connections' events), newest event first, each with its attempts.
pub async fn list_deliveries(
    stores: &[&Store],
    filter: &DeliveryFilter,
) -> Result<Vec<WebhookDelivery>, WebhookError> {
    let mut deliveries = Vec::new();
    for store in distinct(stores) {
        deliveries.extend(store.list_deliveries(filter).await?);
    }
    deliveries.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
    if let Some(limit) = filter.limit {
        deliveries.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    Ok(deliveries)
}

/// One delivery, with its attempts.
pub async fn delivery(
    stores: &[&Store],
    delivery_id: &str,
) -> Result<WebhookDelivery, WebhookError> {
    let filter = DeliveryFilter {
        delivery_id: Some(delivery_id.to_owned()),
        ..DeliveryFilter::default()
    };
    list_deliveries(stores, &filter)
        .await?
        .into_iter()
        .next()
        .ok_or(WebhookError::DeliveryNotFound)
}

/// Sends the delivery `delivery_id` again now, with the same `webhook-id` and body
/// (whatever its state: a delivered one too, for a receiver that lost it). It gets a new
/// attempt at once; a delivery past its retry window gets that one attempt only. Answers
/// the delivery as it stands once scheduled.
pub async fn redeliver(
    stores: &[&Store],
    delivery_id: &str,
) -> Result<WebhookDelivery, WebhookError> {
    for store in distinct(stores) {
        if store.redeliver(delivery_id, now_ms()).await? {
            return delivery(&[store], delivery_id).await;
        }
    }
    Err(WebhookError::DeliveryNotFound)
}

/// Writes a `test` event for the endpoint `endpoint_id` (whatever its tenant and event
/// filters) to `store`, for the worker to deliver; answers its delivery.
pub async fn send_test_event(
    store: &Store,
    settings: &WebhookSettings,
    endpoint_id: &str,
    tenant_id: Option<&str>,
) -> Result<WebhookDelivery, WebhookError> {
    let event = test_event(settings, endpoint_id, tenant_id)?;
    store.enqueue_events(std::slice::from_ref(&event)).await?;
    let filter = DeliveryFilter {
        event_id: Some(event.id),
        ..DeliveryFilter::default()
    };
    store
        .list_deliveries(&filter)
        .await?
        .into_iter()
        .next()
        .ok_or(WebhookError::DeliveryNotFound)
}

/// A configured endpoint's health, across every database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointStatus {
    /// The endpoint's configured id.
    pub endpoint_id: String,
    /// True once [`WebhookSettings::failing_after`] attempts in a row failed in some
    /// database, until one is delivered there.
    pub is_failing: bool,
    /// The most consecutive failed attempts any database records for it.
    pub consecutive_failures: i64,
}

/// Every configured endpoint's health, in configuration order.
pub async fn endpoint_statuses(
    stores: &[&Store],
    settings: &WebhookSettings,
) -> Result<Vec<EndpointStatus>, WebhookError> {
    let mut recorded: BTreeMap<String, (bool, i64)> = BTreeMap::new();
    for store in distinct(stores) {
        for health in store.endpoint_health().await? {
            let entry = recorded.entry(health.endpoint_id).or_default();
            entry.0 |= health.failing_since_ms.is_some();
            entry.1 = entry.1.max(health.consecutive_failures);
        }
    }
    Ok(settings
        .endpoints
        .iter()
        .map(|endpoint| {
            let (is_failing, consecutive_failures) =
                recorded.get(&endpoint.id).copied().unwrap_or_default();
            EndpointStatus {
                endpoint_id: endpoint.id.clone(),
                is_failing,
                consecutive_failures,
            }
        })
        .collect())
}

/// `stores` without a database listed twice.
fn distinct<'a>(stores: &[&'a Store]) -> Vec<&'a Store> {
    let mut distinct: Vec<&Store> = Vec::new();
    for store in stores {
        if !distinct.iter().any(|s| s.same_database(store)) {
            distinct.push(store);
        }
    }
    distinct
}
