//! The events the proxy reports, made ready for the outbox: a `msg_` id, the Standard
//! Webhooks payload, and the endpoints that want them (fanned out when written).

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sis_onboard_protocol::{
    ConnectionEventData, ConnectionSummary, TestEventData, WebhookEventData, WebhookEventType,
    WebhookPayload,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::error::WebhookError;
use super::settings::WebhookSettings;
use crate::store::{NewConnection, NewEvent};

/// The event `event_type` about a connection, addressed to every endpoint that wants it.
/// Pass it to the store method that makes the change ([`crate::Store::insert_connection`],
/// [`crate::Store::revoke_connection`]) so both are written in one transaction.
pub fn connection_event(
    settings: &WebhookSettings,
    event_type: WebhookEventType,
    data: ConnectionEventData,
) -> NewEvent {
    let endpoint_ids = settings
        .endpoints
        .matching(Some(&data.tenant_id), event_type);
    let tenant_id = Some(data.tenant_id.clone());
    new_event(
        settings,
        event_type,
        tenant_id,
        WebhookEventData::Connection(data),
        endpoint_ids,
        now_ms(),
    )
}

/// A `test` event for the endpoint `endpoint_id` alone, whatever its filters.
pub fn test_event(
    settings: &WebhookSettings,
    endpoint_id: &str,
    tenant_id: Option<&str>,
) -> Result<NewEvent, WebhookError> {
    if settings.endpoints.get(endpoint_id).is_none() {
        return Err(WebhookError::UnknownEndpoint(endpoint_id.to_owned()));
    }
    Ok(new_event(
        settings,
        WebhookEventType::Test,
        tenant_id.map(str::to_owned),
        WebhookEventData::Test(TestEventData {
            endpoint_id: endpoint_id.to_owned(),
            tenant_id: tenant_id.map(str::to_owned),
        }),
        vec![endpoint_id.to_owned()],
        now_ms(),
    ))
}

/// What an event says about a connection being stored (no secret, no client id).
pub fn connection_data(connection: &NewConnection) -> ConnectionEventData {
    ConnectionEventData {
        connection_id: connection.id.clone(),
        tenant_id: connection.tenant_id.clone(),
        region: connection.region.clone(),
        source: connection.source.clone(),
        strategy: connection.strategy,
        district_name: connection.district_name.clone(),
        failure: None,
    }
}

/// What an event says about a stored connection (no secret, no client id).
pub fn summary_data(summary: &ConnectionSummary) -> ConnectionEventData {
    ConnectionEventData {
        connection_id: summary.id.clone(),
        tenant_id: summary.tenant_id.clone(),
        region: summary.region.clone(),
        source: summary.source.clone(),
        strategy: summary.strategy,
        district_name: summary.district_name.clone(),
        failure: None,
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A new event id: `msg_` and 128 random bits (URL-safe base64, so never a `.`, which the
/// signed content uses as its separator).
fn new_event_id() -> String {
    format!("msg_{}", URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>()))
}

/// `ms` as RFC 3339 in UTC, with milliseconds when there are any.
fn rfc3339(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|at| at.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

fn new_event(
    settings: &WebhookSettings,
    event_type: WebhookEventType,
    tenant_id: Option<String>,
    data: WebhookEventData,
    endpoint_ids: Vec<String>,
    created_at_ms: i64,
) -> NewEvent {
    let payload = WebhookPayload {
        event_type,
        timestamp: rfc3339(created_at_ms),
        data,
    };
    let window = i64::try_from(settings.retry_window.as_millis()).unwrap_or(i64::MAX);
    NewEvent {
        id: new_event_id(),
        event_type,
        tenant_id,
        // Plain structs of strings: serialising cannot fail.
        payload: serde_json::to_string(&payload).unwrap_or_default(),
        created_at_ms,
        give_up_at_ms: created_at_ms.saturating_add(window),
        endpoint_ids,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sis_onboard_protocol::Strategy;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_750_000_000_123), "2025-06-15T15:06:40.123Z");
    }

    #[test]
    fn a_connection_event_carries_no_secret_and_names_its_endpoints() {
        let connection = NewConnection {
            id: "conn_1".into(),
            session_hash: vec![1],
            tenant_id: "d1".into(),
            region: "us".into(),
            source: "infinite_campus".into(),
            strategy: Strategy::OneRosterApi,
            base_url: "https://district.example/campus".into(),
            token_url: "https://district.example/token".into(),
            client_id: "client-id-value".into(),
            secret_sealed: b"sealed-secret-bytes".to_vec(),
            district_name: "Springfield".into(),
            counts: "{}".into(),
            extract_plan: None,
            created_at: 1,
        };
        let event = connection_event(
            &WebhookSettings::default(),
            WebhookEventType::ConnectionCreated,
            connection_data(&connection),
        );
        assert!(event.id.starts_with("msg_") && !event.id.contains('.'));
        assert!(event.endpoint_ids.is_empty(), "no endpoint configured");
        assert_eq!(event.tenant_id.as_deref(), Some("d1"));
        assert_eq!(
            event.give_up_at_ms - event.created_at_ms,
            3 * 24 * 60 * 60 * 1000
        );
        let payload: serde_json::Value = serde_json::from_str(&event.payload).unwrap_or_default();
        assert_eq!(payload["type"], "connection.created");
        assert_eq!(payload["data"]["connection_id"], "conn_1");
        assert_eq!(payload["data"]["district_name"], "Springfield");
        for secretish in ["sealed-secret-bytes", "client-id-value", "district.example"] {
            assert!(!event.payload.contains(secretish), "{}", event.payload);
        }
    }

    #[test]
    fn a_test_event_needs_a_configured_endpoint() {
        assert!(matches!(
            test_event(&WebhookSettings::default(), "nope", None),
            Err(WebhookError::UnknownEndpoint(id)) if id == "nope"
        ));
    }
}
