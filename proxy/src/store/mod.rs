//! Where the proxy keeps its state: a SQLite file by default, PostgreSQL on request.

mod health;
mod outbox;
mod sql;

pub use health::{CredentialsUpdate, HealthRecord};
pub use sql::{Store, Swept};

use serde::{Deserialize, Serialize};
use sis_onboard_protocol::{DeliveryStatus, Strategy, WebhookEventType};

/// What a session offers the administrator, fixed when the session is opened.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionOffer {
    /// Region ids, in order.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Source ids from the catalog, in order.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Strategies, in order.
    #[serde(default)]
    pub strategies: Vec<Strategy>,
    /// What Custom Data Extract names start with.
    #[serde(default)]
    pub extract_name_prefix: String,
    /// Repair mode: the connection whose credentials the session replaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repair_of: Option<String>,
}

/// An onboarding session as stored (the token only as its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// The vendor's identifier for the customer.
    pub tenant_id: String,
    /// The vendor's name as shown to the administrator.
    pub display_name: String,
    /// Origins allowed to use the session.
    pub allowed_origins: Vec<String>,
    /// Where the administrator can get help.
    pub support_contact: Option<String>,
    /// The regions, sources and strategies offered.
    pub offer: SessionOffer,
    /// Seconds since the Unix epoch.
    pub created_at: i64,
    /// Seconds since the Unix epoch.
    pub expires_at: i64,
}

/// A connection about to be stored (the secret already sealed).
#[derive(Clone)]
pub struct NewConnection {
    /// The opaque id the wizard receives.
    pub id: String,
    /// The session that completed it.
    pub session_hash: Vec<u8>,
    /// The vendor's customer.
    pub tenant_id: String,
    /// The data storage region chosen.
    pub region: String,
    /// The data source (`infinite_campus`).
    pub source: String,
    /// The strategy chosen.
    pub strategy: Strategy,
    /// The OneRoster base URL.
    pub base_url: String,
    /// The token URL.
    pub token_url: String,
    /// The client id.
    pub client_id: String,
    /// The client secret, sealed ([`crate::crypto`] says how).
    pub secret_sealed: Vec<u8>,
    /// The district's name at validation.
    pub district_name: String,
    /// The validation's district summary, as JSON.
    pub counts: String,
    /// The Custom Data Extract plan (`ExtractPlan`), as JSON; None on the OneRoster path.
    pub extract_plan: Option<String>,
    /// Seconds since the Unix epoch.
    pub created_at: i64,
}

/// An event about to be written to the webhook outbox, with the endpoints it goes to
/// ([`crate::webhooks::connection_event`] makes one). Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// The `webhook-id` (`msg_…`), the same on every attempt to every endpoint.
    pub id: String,
    /// What happened.
    pub event_type: WebhookEventType,
    /// The tenant it is about (None only for a test event sent for no tenant).
    pub tenant_id: Option<String>,
    /// The exact body every attempt sends (`WebhookPayload` as JSON).
    pub payload: String,
    /// When it happened, in milliseconds since the Unix epoch.
    pub created_at_ms: i64,
    /// After this (milliseconds since the Unix epoch) a delivery is no longer retried.
    pub give_up_at_ms: i64,
    /// The endpoints it is delivered to, fanned out when it is written.
    pub endpoint_ids: Vec<String>,
}

/// A delivery a worker claimed: the event to send and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedDelivery {
    /// The delivery's id (`dlv_…`).
    pub id: String,
    /// The event's `webhook-id`.
    pub event_id: String,
    /// The endpoint's configured id.
    pub endpoint_id: String,
    /// The body to send.
    pub payload: String,
    /// Attempts made before this one.
    pub attempts: i64,
    /// When retrying stops, in milliseconds since the Unix epoch.
    pub give_up_at_ms: i64,
}

/// What one attempt came to, as the worker records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    /// When it was made, in milliseconds since the Unix epoch.
    pub attempted_at_ms: i64,
    /// How long it took.
    pub duration_ms: i64,
    /// The endpoint's HTTP status, when it answered.
    pub http_status: Option<u16>,
    /// Why it failed (plain words, bounded, never a secret or the URL); None when delivered.
    pub error: Option<String>,
    /// What happens next.
    pub next: NextAttempt,
    /// Whether it counts toward marking the endpoint failing (an attempt that never reached
    /// the network, such as one for an endpoint no longer configured, does not).
    pub counts_for_endpoint: bool,
}

/// What follows an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextAttempt {
    /// A 2xx: done.
    Delivered,
    /// Failed; try again at this time (milliseconds since the Unix epoch).
    RetryAt(i64),
    /// Failed, and the retry window is over.
    GiveUp,
}

/// How the endpoint's state changed with an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointChange {
    /// No change worth telling.
    None,
    /// It just reached the consecutive-failure threshold.
    BecameFailing,
    /// It was failing, and this attempt was delivered.
    Recovered,
}

/// A webhook endpoint's health as the database records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointHealth {
    /// The endpoint's configured id.
    pub endpoint_id: String,
    /// Failed attempts since its latest delivered one.
    pub consecutive_failures: i64,
    /// Since when it is marked failing (milliseconds since the Unix epoch), if it is.
    pub failing_since_ms: Option<i64>,
}

/// Which deliveries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryFilter {
    /// Only events about this tenant.
    pub tenant_id: Option<String>,
    /// Only deliveries in this state.
    pub status: Option<DeliveryStatus>,
    /// Only this event's deliveries.
    pub event_id: Option<String>,
    /// Only this delivery.
    pub delivery_id: Option<String>,
    /// At most this many (newest events first); None: 100.
    pub limit: Option<u32>,
}
