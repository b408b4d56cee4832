//! Signed webhooks (Standard Webhooks) to the vendor's backend, from an outbox written in
//! the same transaction as the change each event reports.
//!
//! [`connection_event`] makes an event; the store method making the change writes it
//! ([`crate::Store::insert_connection`], [`crate::Store::revoke_connection`],
//! [`crate::Store::enqueue_events`]); [`spawn_delivery_worker`] delivers it; [`admin`] is
//! what the admin API offers.

pub mod admin;
pub mod delivery;
pub mod endpoints;
pub mod error;
pub mod events;
pub mod retry;
pub mod settings;
pub mod signing;
pub mod worker;

pub use admin::{
    EndpointStatus, delivery, endpoint_statuses, list_deliveries, redeliver, send_test_event,
};
pub use endpoints::{Endpoint, EndpointSecret, Endpoints, EndpointsError};
pub use error::WebhookError;
pub use events::{connection_data, connection_event, summary_data, test_event};
pub use settings::WebhookSettings;
pub use signing::{SigningSecret, VerifyError, signature_header, verify_delivery};
pub use worker::{DeliveryWorker, spawn_delivery_worker};
