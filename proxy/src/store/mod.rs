//! Where the proxy keeps its state: a SQLite file by default, PostgreSQL on request.

mod sql;

pub use sql::{Store, Swept};

use serde::{Deserialize, Serialize};
use sis_onboard_protocol::Strategy;

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
