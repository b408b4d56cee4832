//! What the webhook domain functions can fail with.

/// Why a webhook request of the admin API could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The vendor's engineer sees: no endpoint with this id is configured.
    #[error("no webhook endpoint '{0}' is configured")]
    UnknownEndpoint(String),
    /// The vendor's engineer sees: no such delivery.
    #[error("no such webhook delivery")]
    DeliveryNotFound,
    /// The database failed; logged, never sent.
    #[error("store: {0}")]
    Store(#[from] sqlx::Error),
}
