//! Signed webhooks (Standard Webhooks) to the vendor's backend, from an outbox written in
//! the same transaction as the change each event reports.

pub mod endpoints;
pub mod error;
pub mod events;
pub mod settings;
pub mod signing;

pub use endpoints::{Endpoint, EndpointSecret, Endpoints, EndpointsError};
pub use error::WebhookError;
pub use events::{connection_data, connection_event, summary_data, test_event};
pub use settings::WebhookSettings;
pub use signing::{SigningSecret, signature_header};
