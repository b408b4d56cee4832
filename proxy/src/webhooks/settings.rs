//! How webhooks are sent: the configured endpoints and the delivery worker's timing.

use std::sync::Arc;
use std::time::Duration;

use super::endpoints::Endpoints;

/// The webhook part of the proxy's configuration.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Where events go (none by default).
    pub endpoints: Arc<Endpoints>,
    /// Time for one POST, answer included (`--webhook-timeout-secs`).
    pub request_timeout: Duration,
    /// The first retry's backoff ceiling; each failure doubles it, up to
    /// [`WebhookSettings::backoff_cap`]. The delay drawn is uniform below the ceiling
    /// ("full jitter").
    pub backoff_base: Duration,
    /// The largest backoff ceiling.
    pub backoff_cap: Duration,
    /// How long after an event is written its delivery is still tried; then it is `failed`.
    pub retry_window: Duration,
    /// How often each worker asks the database for due deliveries it was not woken for
    /// (other replicas' events, retries).
    pub poll_interval: Duration,
    /// Consecutive failed attempts (across all its deliveries) after which an endpoint is
    /// marked failing; a delivered attempt clears the mark.
    pub failing_after: u32,
    /// Deliveries one worker sends at once, per database.
    pub max_in_flight: usize,
    /// How long an event is kept once every delivery of it is over (delivered or failed),
    /// with its deliveries and attempts, for the admin API and retries by hand
    /// (`--webhook-retention`); the sweeper deletes older ones.
    pub retention: Duration,
}

impl WebhookSettings {
    /// Default time for one POST.
    pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default first backoff ceiling.
    pub const DEFAULT_BACKOFF_BASE: Duration = Duration::from_secs(5);
    /// Default largest backoff ceiling: 6 hours, so a 3-day window holds about two dozen
    /// attempts.
    pub const DEFAULT_BACKOFF_CAP: Duration = Duration::from_secs(6 * 60 * 60);
    /// Default retry window: 3 days, as the Standard Webhooks schedule.
    pub const DEFAULT_RETRY_WINDOW: Duration = Duration::from_secs(3 * 24 * 60 * 60);
    /// Default poll interval.
    pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);
    /// Default consecutive failures before an endpoint is marked failing.
    pub const DEFAULT_FAILING_AFTER: u32 = 5;
    /// Default deliveries in flight per worker and database.
    pub const DEFAULT_MAX_IN_FLIGHT: usize = 16;
    /// Default retention of finished events: 30 days, ten times the retry window.
    pub const DEFAULT_RETENTION: Duration = Duration::from_secs(30 * 24 * 60 * 60);

    /// How long a claimed delivery stays leased to the worker that claimed it: the request's
    /// time and a margin for writing the outcome. A worker that dies mid-attempt leaves its
    /// delivery to another after this, which then sends it again with the same `webhook-id`.
    pub fn lease(&self) -> Duration {
        self.request_timeout + Duration::from_secs(30)
    }
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            endpoints: Arc::new(Endpoints::none()),
            request_timeout: Self::DEFAULT_REQUEST_TIMEOUT,
            backoff_base: Self::DEFAULT_BACKOFF_BASE,
            backoff_cap: Self::DEFAULT_BACKOFF_CAP,
            retry_window: Self::DEFAULT_RETRY_WINDOW,
            poll_interval: Self::DEFAULT_POLL_INTERVAL,
            failing_after: Self::DEFAULT_FAILING_AFTER,
            max_in_flight: Self::DEFAULT_MAX_IN_FLIGHT,
            retention: Self::DEFAULT_RETENTION,
        }
    }
}
