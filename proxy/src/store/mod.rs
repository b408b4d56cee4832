//! Where the proxy keeps its state: a SQLite file by default.

mod sqlite;

pub use sqlite::Store;

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
    /// Seconds since the Unix epoch.
    pub created_at: i64,
    /// Seconds since the Unix epoch.
    pub expires_at: i64,
}
