//! A simulated Infinite Campus district: the OAuth 2.0 token endpoint and the OneRoster 1.2
//! rostering API, at Infinite Campus' own paths.
//!
//! It is the one stand-in of the project (Infinite Campus cannot be reached from here), so it
//! is strict where the real system is strict: wrong credentials, expired tokens and unknown
//! apps fail the way they fail there.

mod district;
mod oauth;
mod oneroster;
mod query;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;

pub use district::{District, DistrictSize, Listing, UserKind};
pub use oauth::{Clock, SystemClock};

/// One OneRoster connection as an Infinite Campus administrator would generate it.
#[derive(Clone)]
pub struct Connection {
    /// The `appName` that appears in the token URL and in the app-scoped base URL.
    pub app_name: String,
    /// The generated Client ID.
    pub client_id: String,
    /// The generated Client Secret.
    pub client_secret: String,
    /// Scopes this connection may be granted.
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("app_name", &self.app_name)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// The OneRoster 1.2 scope for core roster data.
pub const SCOPE_ROSTER_CORE: &str =
    "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly";
/// The OneRoster 1.2 scope for the full roster.
pub const SCOPE_ROSTER: &str = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly";
/// The OneRoster 1.2 scope that demographics require.
pub const SCOPE_DEMOGRAPHICS: &str =
    "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly";

impl Connection {
    /// The connection the demo and the README advertise: every roster scope granted.
    pub fn demo() -> Self {
        Self {
            app_name: "sandbox".into(),
            client_id: "sandbox-client-id".into(),
            client_secret: "sandbox-client-secret".into(),
            scopes: vec![
                SCOPE_ROSTER_CORE.into(),
                SCOPE_ROSTER.into(),
                SCOPE_DEMOGRAPHICS.into(),
            ],
        }
    }
}

/// Everything the sandbox serves from.
#[derive(Clone)]
pub struct SandboxConfig {
    /// The connections the district has generated.
    pub connections: Vec<Connection>,
    /// How long an access token lives.
    pub token_lifetime: Duration,
    /// The district's data.
    pub district: Arc<District>,
    /// The key access tokens are signed with.
    pub signing_key: [u8; 32],
    /// What time it is (a fixed clock lets tests expire tokens without waiting).
    pub clock: Arc<dyn Clock>,
}

impl SandboxConfig {
    /// The demo district with the demo connection and a random signing key.
    pub fn demo() -> Self {
        Self::with_district(District::demo())
    }

    /// The given district with the demo connection and a random signing key.
    pub fn with_district(district: District) -> Self {
        Self {
            connections: vec![Connection::demo()],
            token_lifetime: Duration::from_secs(3600),
            district: Arc::new(district),
            signing_key: rand::random(),
            clock: Arc::new(SystemClock),
        }
    }
}

/// The sandbox's routes, rooted where Infinite Campus roots them (`/campus/...`).
pub fn router(config: SandboxConfig) -> Router {
    let state = Arc::new(config);
    Router::new()
        .merge(oauth::router())
        .merge(oneroster::router())
        .with_state(state)
}
