//! A simulated Infinite Campus district: the OAuth 2.0 token endpoint and the OneRoster 1.2
//! rostering API, at Infinite Campus' own paths and, for the "Other OneRoster 1.2 provider",
//! in the shape of a generic OneRoster 1.2 server too: the token endpoint at
//! [`GENERIC_TOKEN_PATH`] (no `appName`) and the rostering API at [`GENERIC_BASE_PATH`],
//! straight under the host, as ClassLink-style and state-hosted servers root it. Both shapes
//! are one server: the same listener, district, connections and behaviours.
//!
//! It is the one stand-in of the project (Infinite Campus cannot be reached from here), so it
//! is strict where the real system is strict: wrong credentials, expired tokens and unknown
//! apps fail the way they fail there.

mod behaviour;
mod control;
mod district;
mod oauth;
mod oneroster;
mod query;
pub mod relay;
pub mod tls;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

pub use behaviour::{
    BIG_PAGE_BYTES, Behaviour, GENERIC_MOVED_TOKEN_PATH, HUGE_RESPONSE_BYTES,
    HUGE_TOKEN_ANSWER_BYTES, METADATA_TOKEN_URL, MOVED_TOKEN_PATH, SCOPE_GRADEBOOK,
};
pub use district::{District, DistrictSize, Listing, UserKind};
pub use oauth::{Clock, GENERIC_TOKEN_PATH, SystemClock};
pub use oneroster::GENERIC_BASE_PATH;

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
    /// How the connection behaves (chosen by its client id in the demo set).
    pub behaviour: Behaviour,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("app_name", &self.app_name)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("behaviour", &self.behaviour)
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

/// The secret of every demo connection.
pub const DEMO_SECRET: &str = "sandbox-client-secret";
/// The appName of every demo connection.
pub const DEMO_APP: &str = "sandbox";

impl Connection {
    /// The connection the demo and the README advertise: every roster scope granted.
    pub fn demo() -> Self {
        Self::for_behaviour(Behaviour::Working)
    }

    /// The demo connection whose client id selects `behaviour`.
    pub fn for_behaviour(behaviour: Behaviour) -> Self {
        let scopes = match behaviour {
            Behaviour::NoRosterScope => vec![SCOPE_GRADEBOOK.to_owned()],
            Behaviour::NoDemographicsScope => {
                vec![SCOPE_ROSTER_CORE.to_owned(), SCOPE_ROSTER.to_owned()]
            }
            _ => vec![
                SCOPE_ROSTER_CORE.to_owned(),
                SCOPE_ROSTER.to_owned(),
                SCOPE_DEMOGRAPHICS.to_owned(),
            ],
        };
        Self {
            app_name: DEMO_APP.into(),
            client_id: behaviour.client_id().into(),
            client_secret: DEMO_SECRET.into(),
            scopes,
            behaviour,
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
    /// How long [`Behaviour::Slow`] delays each answer.
    pub slow_delay: Duration,
    /// Delay added to every request (a request may add more with `X-Sandbox-Latency-Ms`).
    pub latency: Duration,
    /// Tokens of [`Behaviour::TokenExpiresAfterFirstCall`] that have been used.
    pub used_tokens: UsedTokens,
    /// How each token request presented its credentials, so tests can see the order.
    pub token_requests: TokenRequests,
    /// Behaviours switched at run time (`PUT /control/connections/{client_id}/behaviour`),
    /// shared by clones of a config.
    pub overrides: BehaviourOverrides,
}

/// Behaviours switched at run time, by client id: a working connection can start failing
/// (the district rotated its secret, switched the connection off) and recover, as health
/// checks must notice.
#[derive(Debug, Clone, Default)]
pub struct BehaviourOverrides(Arc<Mutex<std::collections::HashMap<String, Behaviour>>>);

impl BehaviourOverrides {
    /// Makes the connection of `client_id` behave as `behaviour` from now on.
    pub fn set(&self, client_id: &str, behaviour: Behaviour) {
        if let Ok(mut overrides) = self.0.lock() {
            overrides.insert(client_id.to_owned(), behaviour);
        }
    }

    /// Gives the connection of `client_id` its own behaviour back.
    pub fn clear(&self, client_id: &str) {
        if let Ok(mut overrides) = self.0.lock() {
            overrides.remove(client_id);
        }
    }

    /// The behaviour of `connection` now.
    pub fn of(&self, connection: &Connection) -> Behaviour {
        self.0
            .lock()
            .ok()
            .and_then(|overrides| overrides.get(&connection.client_id).copied())
            .unwrap_or(connection.behaviour)
    }
}

/// Where a token request carried the client's credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialsIn {
    /// An HTTP Basic `Authorization` header.
    Basic,
    /// `client_id` and `client_secret` in the form body.
    FormBody,
    /// Neither.
    Nowhere,
}

/// The token requests the sandbox has seen, in order (shared by clones of a config).
#[derive(Debug, Clone, Default)]
pub struct TokenRequests(Arc<Mutex<Vec<(String, CredentialsIn)>>>);

impl TokenRequests {
    /// Notes one request: the client id it named and where its credentials were.
    pub fn record(&self, client_id: &str, how: CredentialsIn) {
        if let Ok(mut seen) = self.0.lock() {
            seen.push((client_id.to_owned(), how));
        }
    }

    /// Where each request naming `client_id` carried its credentials, oldest first.
    pub fn of(&self, client_id: &str) -> Vec<CredentialsIn> {
        self.0.lock().map_or_else(
            |_| Vec::new(),
            |seen| {
                seen.iter()
                    .filter(|(id, _)| id == client_id)
                    .map(|(_, how)| *how)
                    .collect()
            },
        )
    }

    /// How many token requests were made, for any client.
    pub fn len(&self) -> usize {
        self.0.lock().map_or(0, |seen| seen.len())
    }

    /// True when no token request was made.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Remembers single-use tokens that have been used (shared by clones of a config).
#[derive(Debug, Clone, Default)]
pub struct UsedTokens(Arc<Mutex<HashSet<String>>>);

impl UsedTokens {
    /// True the first time a token id is seen, false after.
    pub fn first_use(&self, token_id: &str) -> bool {
        match self.0.lock() {
            Ok(mut used) => used.insert(token_id.to_owned()),
            // A poisoned lock means a panic elsewhere; refusing is the safe answer.
            Err(_) => false,
        }
    }
}

/// The most a request may ask to be delayed by `X-Sandbox-Latency-Ms`.
const MAX_REQUESTED_LATENCY: Duration = Duration::from_secs(30);

impl SandboxConfig {
    /// The demo district with the demo connection and a random signing key.
    pub fn demo() -> Self {
        Self::with_district(District::demo())
    }

    /// The given district with the demo connection and a random signing key.
    pub fn with_district(district: District) -> Self {
        Self {
            connections: Behaviour::ALL
                .into_iter()
                .map(Connection::for_behaviour)
                .collect(),
            token_lifetime: Duration::from_secs(3600),
            district: Arc::new(district),
            signing_key: rand::random(),
            clock: Arc::new(SystemClock),
            slow_delay: Duration::from_secs(3),
            latency: Duration::ZERO,
            used_tokens: UsedTokens::default(),
            token_requests: TokenRequests::default(),
            overrides: BehaviourOverrides::default(),
        }
    }
}

/// The sandbox's routes: Infinite Campus' under `/campus/...`, the generic OneRoster 1.2
/// server's at [`GENERIC_TOKEN_PATH`] and under [`GENERIC_BASE_PATH`], and the control.
pub fn router(config: SandboxConfig) -> Router {
    let state = Arc::new(config);
    Router::new()
        .merge(oauth::router())
        .merge(oneroster::router())
        .merge(control::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            inject_latency,
        ))
        .with_state(state)
}

/// Simulates network distance: the configured latency plus what the request asks for.
async fn inject_latency(
    State(config): State<Arc<SandboxConfig>>,
    request: Request,
    next: Next,
) -> Response {
    let requested = request
        .headers()
        .get("x-sandbox-latency-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_millis)
        .unwrap_or_default()
        .min(MAX_REQUESTED_LATENCY);
    let delay = config.latency + requested;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    next.run(request).await
}
