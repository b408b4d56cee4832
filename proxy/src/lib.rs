//! The sis-onboard proxy: opens onboarding sessions for the vendor's backend, serves the
//! wizard its session, and (in later milestones) validates and stores district connections.
//!
//! [`app`] builds the whole HTTP surface as one axum [`Router`], so a vendor can run the
//! binary or nest the router into its own service.

pub mod assets;
pub mod config;
pub mod crypto;
pub mod error;
pub mod net_guard;
pub mod oneroster;
pub mod rate_limit;
pub mod routes;
pub mod store;

#[cfg(feature = "demo")]
pub mod demo;

use axum::Router;
use axum::http::{HeaderValue, header};
use std::sync::Arc;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use config::Config;
pub use store::Store;

/// Largest request body the proxy reads; onboarding requests are a few hundred bytes.
pub const BODY_LIMIT_BYTES: usize = 16 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The configuration the proxy was started with.
    pub config: Arc<Config>,
    /// Where sessions (and later connections) live.
    pub store: Store,
    /// The HTTP client for district servers, enforcing the configuration's SSRF policy.
    pub http: reqwest::Client,
    /// Validations allowed per session.
    pub session_limiter: Arc<rate_limit::RateLimiter>,
    /// Validations allowed per client address.
    pub address_limiter: Arc<rate_limit::RateLimiter>,
}

impl AppState {
    /// Bundles the configuration and the store; fails when the SSRF policy's extra CA
    /// certificates cannot be read.
    pub fn new(config: Config, store: Store) -> Result<Self, reqwest::Error> {
        let http = config.net_policy.client()?;
        Ok(Self {
            session_limiter: Arc::new(rate_limit::RateLimiter::new(config.session_validations)),
            address_limiter: Arc::new(rate_limit::RateLimiter::new(config.address_validations)),
            config: Arc::new(config),
            store,
            http,
        })
    }
}

/// The proxy's routes: the health check, the vendor API and the wizard API.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(routes::health::router())
        .merge(routes::sessions::router())
        .merge(routes::validate::router())
        .merge(routes::complete::router())
        .merge(routes::connections::router())
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(TraceLayer::new_for_http())
}

/// Security headers for every answer of the proxy, the demo page and the assets included.
pub fn with_security_headers(router: Router) -> Router {
    let header = |name, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    router
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ))
}
