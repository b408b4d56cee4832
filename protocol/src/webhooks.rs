//! The webhooks the proxy sends the vendor's backend (Standard Webhooks payloads) and what
//! the admin API says about their deliveries.

use serde::{Deserialize, Serialize};

use crate::{Strategy, ValidationErrorCode};

/// What happened, as the payload's `type` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum WebhookEventType {
    /// A district completed the wizard: a new connection is stored.
    #[serde(rename = "connection.created")]
    ConnectionCreated,
    /// A connection's credentials were replaced (repaired).
    #[serde(rename = "connection.updated")]
    ConnectionUpdated,
    /// The vendor revoked a connection; its secret is erased.
    #[serde(rename = "connection.revoked")]
    ConnectionRevoked,
    /// A health check of a working connection failed.
    #[serde(rename = "connection.failing")]
    ConnectionFailing,
    /// A health check of a failing connection passed again.
    #[serde(rename = "connection.recovered")]
    ConnectionRecovered,
    /// Sent on request, to check an endpoint and its signature verification.
    #[serde(rename = "test")]
    Test,
}

impl WebhookEventType {
    /// Every event type.
    pub const ALL: [WebhookEventType; 6] = [
        WebhookEventType::ConnectionCreated,
        WebhookEventType::ConnectionUpdated,
        WebhookEventType::ConnectionRevoked,
        WebhookEventType::ConnectionFailing,
        WebhookEventType::ConnectionRecovered,
        WebhookEventType::Test,
    ];

    /// The wire (and database) name, e.g. `connection.created`.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEventType::ConnectionCreated => "connection.created",
            WebhookEventType::ConnectionUpdated => "connection.updated",
            WebhookEventType::ConnectionRevoked => "connection.revoked",
            WebhookEventType::ConnectionFailing => "connection.failing",
            WebhookEventType::ConnectionRecovered => "connection.recovered",
            WebhookEventType::Test => "test",
        }
    }

    /// When the event is sent, in a sentence (the OpenAPI document's summary).
    pub fn description(self) -> &'static str {
        match self {
            WebhookEventType::ConnectionCreated => {
                "A district completed the wizard: a new connection is stored."
            }
            WebhookEventType::ConnectionUpdated => {
                "A repair session replaced a connection's credentials (same connection id)."
            }
            WebhookEventType::ConnectionRevoked => {
                "The vendor revoked a connection; its secret is erased."
            }
            WebhookEventType::ConnectionFailing => {
                "A health check of a working connection failed; `data.failure` says why."
            }
            WebhookEventType::ConnectionRecovered => {
                "A health check of a failing connection passed again."
            }
            WebhookEventType::Test => "Sent on request, to check an endpoint and its verification.",
        }
    }

    /// Parses the wire name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// The body of every webhook: `{"type", "timestamp", "data"}`, as the Standard Webhooks
/// specification recommends. The body is sent byte for byte the same on every attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookPayload {
    /// What happened.
    #[serde(rename = "type")]
    pub event_type: WebhookEventType,
    /// When it happened (RFC 3339, UTC), not when this attempt was made: the attempt's time
    /// is the `webhook-timestamp` header.
    pub timestamp: String,
    /// About what: a connection, or (for `test`) the endpoint.
    pub data: WebhookEventData,
}

/// The `data` of a webhook: the connection for `connection.*` events, the endpoint for
/// `test`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum WebhookEventData {
    /// `connection.created`, `.updated`, `.revoked`, `.failing`, `.recovered`.
    Connection(ConnectionEventData),
    /// `test`.
    Test(TestEventData),
}

/// The connection an event is about: never a secret, a token or the client id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionEventData {
    /// The connection's opaque id (`GET /v1/connections/{id}` reads it).
    pub connection_id: String,
    /// The vendor's customer.
    pub tenant_id: String,
    /// The data storage region.
    pub region: String,
    /// The data source (`infinite_campus`).
    pub source: String,
    /// The integration strategy.
    pub strategy: Strategy,
    /// The district's name at its latest validation.
    pub district_name: String,
    /// For `connection.failing`: why the health check failed; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<ConnectionFailure>,
}

/// Why a connection is failing: the validation's stable code and its message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionFailure {
    /// The stable code, as validation answers it.
    pub code: ValidationErrorCode,
    /// What went wrong, in plain words.
    pub message: String,
}

/// The `data` of a `test` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestEventData {
    /// The endpoint the test was sent to (its configured id).
    pub endpoint_id: String,
    /// The tenant the test was sent for, when one was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DeliveryStatus {
    /// Not delivered yet: due now or at `next_attempt_at`.
    #[serde(rename = "pending")]
    Pending,
    /// An attempt was answered with a 2xx status.
    #[serde(rename = "delivered")]
    Delivered,
    /// Every attempt failed until the retry window closed; a redelivery can try again.
    #[serde(rename = "failed")]
    Failed,
}

impl DeliveryStatus {
    /// The wire (and database) name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    /// Parses the wire name.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// One event's delivery to one endpoint, with every attempt made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    /// The delivery's id (`dlv_…`), for a redelivery.
    pub id: String,
    /// The event's `webhook-id` (`msg_…`), the same on every attempt and every endpoint.
    pub event_id: String,
    /// The event's type.
    pub event_type: WebhookEventType,
    /// The tenant the event is about (none for a test event sent without one).
    pub tenant_id: Option<String>,
    /// The configured endpoint's id.
    pub endpoint_id: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// When the event was written, in seconds since the Unix epoch.
    pub created_at: i64,
    /// When the next attempt is due (pending only), in seconds since the Unix epoch.
    pub next_attempt_at: Option<i64>,
    /// The latest attempt's HTTP status, when the endpoint answered.
    pub last_status: Option<u16>,
    /// The latest failed attempt's error, in plain words.
    pub last_error: Option<String>,
    /// Every attempt, oldest first.
    pub attempts: Vec<DeliveryAttempt>,
}

/// One POST of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryAttempt {
    /// 1 for the first attempt.
    pub number: u32,
    /// When it was made, in seconds since the Unix epoch.
    pub attempted_at: i64,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// The HTTP status, when the endpoint answered.
    pub status: Option<u16>,
    /// Why it failed, when it did; absent for a 2xx.
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_round_trip_their_wire_names() {
        for event_type in WebhookEventType::ALL {
            let json = serde_json::to_string(&event_type).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", event_type.as_str()));
            assert_eq!(
                WebhookEventType::from_name(event_type.as_str()),
                Some(event_type)
            );
        }
        assert_eq!(WebhookEventType::from_name("connection"), None);
    }

    #[test]
    fn payloads_have_the_standard_webhooks_shape() {
        let payload = WebhookPayload {
            event_type: WebhookEventType::ConnectionFailing,
            timestamp: "2025-01-02T03:04:05.678Z".into(),
            data: WebhookEventData::Connection(ConnectionEventData {
                connection_id: "conn_1".into(),
                tenant_id: "d1".into(),
                region: "us".into(),
                source: "infinite_campus".into(),
                strategy: Strategy::OneRosterApi,
                district_name: "Springfield".into(),
                failure: Some(ConnectionFailure {
                    code: ValidationErrorCode::InvalidClient,
                    message: "refused".into(),
                }),
            }),
        };
        let json = serde_json::to_value(&payload).unwrap_or_default();
        assert_eq!(json["type"], "connection.failing");
        assert_eq!(json["data"]["failure"]["code"], "invalid_client");
        let back: Result<WebhookPayload, _> = serde_json::from_value(json);
        assert_eq!(back.ok(), Some(payload));

        let test = WebhookPayload {
            event_type: WebhookEventType::Test,
            timestamp: "2025-01-02T03:04:05Z".into(),
            data: WebhookEventData::Test(TestEventData {
                endpoint_id: "crm".into(),
                tenant_id: None,
            }),
        };
        let json = serde_json::to_string(&test).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"type":"test","timestamp":"2025-01-02T03:04:05Z","data":{"endpoint_id":"crm"}}"#
        );
    }
}
