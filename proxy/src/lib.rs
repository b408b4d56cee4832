//! The sis-onboard proxy: opens onboarding sessions for the vendor's backend, serves the
//! wizard its session, and (in later milestones) validates and stores district connections.
//!
//! [`app`] builds the whole HTTP surface as one axum [`Router`], so a vendor can run the
//! binary or nest the router into its own service.

pub mod api_keys;
pub mod assets;
pub mod auth;
pub mod client_address;
pub mod clock;
pub mod config;
pub mod connections;
pub mod cors;
pub mod crypto;
pub mod error;
pub mod extract_plans;
pub mod health_checks;
pub mod net_guard;
pub mod oneroster;
pub mod openapi;
pub mod rate_limit;
pub mod rotation;
pub mod routes;
pub mod secrets;
pub mod server;
pub mod sessions;
pub mod store;
pub mod validations;
pub mod webhooks;

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
    /// Where sessions and validations live, and the connections of every region without a
    /// database of its own.
    pub store: Store,
    /// Regions with a database of their own (data residency), by region id.
    pub regional_stores: Arc<Vec<(String, Store)>>,
    /// The HTTP clients for district servers, enforcing the configuration's SSRF policy.
    pub http: net_guard::DistrictHttp,
    /// Validations allowed per session (SQLite only: PostgreSQL counts in the database).
    pub session_limiter: Arc<rate_limit::RateLimiter>,
    /// Validations allowed per client address (SQLite only, as `session_limiter`).
    pub address_limiter: Arc<rate_limit::RateLimiter>,
    /// Failed session lookups allowed per client address, counted before the database is
    /// asked (in every replica's memory, whatever the store).
    pub failed_lookup_limiter: Arc<rate_limit::RateLimiter>,
}

impl AppState {
    /// Bundles the configuration and the store; fails when the SSRF policy's extra CA
    /// certificates cannot be read.
    pub fn new(config: Config, store: Store) -> Result<Self, reqwest::Error> {
        let http = config.net_policy.district_http()?;
        Ok(Self {
            session_limiter: Arc::new(rate_limit::RateLimiter::new(config.session_validations)),
            address_limiter: Arc::new(rate_limit::RateLimiter::new(config.address_validations)),
            failed_lookup_limiter: Arc::new(rate_limit::RateLimiter::new(
                config.failed_session_lookups,
            )),
            config: Arc::new(config),
            store,
            regional_stores: Arc::new(Vec::new()),
            http,
        })
    }

    /// Keeps the connections of `region` in `store` instead of the default store.
    pub fn with_region_store(mut self, region: &str, store: Store) -> Self {
        let mut stores = (*self.regional_stores).clone();
        stores.retain(|(id, _)| id != region);
        stores.push((region.to_owned(), store));
        self.regional_stores = Arc::new(stores);
        self
    }

    /// Where the connections of `region` live.
    pub fn connection_store(&self, region: &str) -> &Store {
        self.regional_stores
            .iter()
            .find(|(id, _)| id == region)
            .map_or(&self.store, |(_, store)| store)
    }

    /// Every database that holds connections, each once.
    pub fn connection_stores(&self) -> Vec<&Store> {
        let mut stores = vec![&self.store];
        for (_, store) in self.regional_stores.iter() {
            if !stores.iter().any(|s| s.same_database(store)) {
                stores.push(store);
            }
        }
        stores
    }
}

/// Which of the proxy's routes a listener serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// Everything: the default, one address.
    All,
    /// The wizard's API, `POST /v1/sessions` and `GET /v1/sources`, not the admin API
    /// (`--admin-listen` is set).
    Public,
    /// The admin API (`/v1/connections…`) alone, with the health check and the document.
    Admin,
}

/// The proxy's routes: the health check, the vendor API and the wizard API.
pub fn app(state: AppState) -> Router {
    app_for(state, Surface::All)
}

/// The routes of one `surface`, with the layers every answer needs.
pub fn app_for(state: AppState, surface: Surface) -> Router {
    let mut router = Router::new()
        .merge(routes::health::router())
        .merge(openapi::router());
    if surface != Surface::Admin {
        router = router
            .merge(routes::sessions::router())
            .merge(routes::sources::router())
            .merge(routes::validate::router())
            .merge(routes::complete::router())
            .merge(routes::extracts::router());
    }
    if surface != Surface::Public {
        router = router
            .merge(routes::connections::router())
            .merge(routes::webhooks::router());
    }
    router
        .with_state(state)
        // Every answer of the API is about one session or one tenant, and several carry a
        // token, a report or a secret: none may be kept by a browser or a shared cache.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(TraceLayer::new_for_http())
}

/// Deletes expired sessions and validations from `store` every `interval`, and webhook
/// events finished longer than `webhook_retention` ago, for as long as the server runs (the
/// binary starts it; [`Store::sweep_expired`] and [`Store::sweep_webhook_events`] are one
/// sweep).
pub fn spawn_sweeper(
    store: Store,
    interval: std::time::Duration,
    webhook_retention: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match store.sweep_expired(clock::unix_now()).await {
                Ok(swept) if swept != store::Swept::default() => tracing::info!(
                    sessions = swept.sessions,
                    validations = swept.validations,
                    "expired sessions and validations deleted"
                ),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "sweep of expired sessions failed"),
            }
            let retention_ms = i64::try_from(webhook_retention.as_millis()).unwrap_or(i64::MAX);
            let cutoff_ms = webhooks::events::now_ms().saturating_sub(retention_ms);
            match store.sweep_webhook_events(cutoff_ms).await {
                Ok(0) => {}
                Ok(events) => {
                    tracing::info!(events, "finished webhook events past retention deleted")
                }
                Err(error) => tracing::warn!(%error, "sweep of webhook events failed"),
            }
        }
    })
}

/// Security headers for every answer of the proxy, the demo page and the assets included
/// ([`server::serve`] puts them around everything it serves, its own `408` included).
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
