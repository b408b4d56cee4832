//! One delivery attempt: the stored body signed for this attempt, POSTed through the
//! SSRF-guarded client with a timeout and no redirect followed, and what came of it in
//! words safe to store (never the URL, a secret or the receiver's answer).

use std::error::Error as _;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};

use super::settings::WebhookSettings;
use super::signing::{HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, signature_header};
use crate::net_guard::{DistrictHttp, Refusal};
use crate::oneroster::validate::is_tls_error;
use crate::store::ClaimedDelivery;

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The endpoint answered 2xx.
    Delivered {
        /// The status it answered.
        status: u16,
    },
    /// Anything else.
    Failed {
        /// The status, when the endpoint answered.
        status: Option<u16>,
        /// What went wrong, in plain words.
        error: String,
        /// How long the endpoint asked to be left alone (`Retry-After` in seconds).
        retry_after: Option<Duration>,
        /// False when the attempt never reached the network through no fault of the
        /// endpoint (it is no longer configured), so it does not count toward failing.
        counts_for_endpoint: bool,
    },
}

/// Sends `delivery` once, signed at `now_secs` (seconds since the Unix epoch) with every
/// secret of its endpoint that is valid then.
pub async fn attempt(
    http: &DistrictHttp,
    settings: &WebhookSettings,
    delivery: &ClaimedDelivery,
    now_secs: i64,
) -> Outcome {
    let Some(endpoint) = settings.endpoints.get(&delivery.endpoint_id) else {
        // Perhaps another replica's configuration has it; a retry may find it there.
        return failed(
            None,
            "this replica has no endpoint with this id configured".into(),
            false,
        );
    };
    let secrets = endpoint.signing_secrets(now_secs);
    if secrets.is_empty() {
        return failed(
            None,
            "every signing secret of the endpoint has expired; configure a new one".into(),
            false,
        );
    }
    let body = delivery.payload.as_bytes();
    let signature = signature_header(secrets, &delivery.event_id, now_secs, body);
    let request = http
        .client()
        .post(endpoint.url.clone())
        .timeout(settings.request_timeout)
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .header(HEADER_ID, &delivery.event_id)
        .header(HEADER_TIMESTAMP, now_secs.to_string())
        .header(HEADER_SIGNATURE, signature)
        .body(delivery.payload.clone());
    match request.send().await {
        Ok(response) => {
            let status = response.status();
            if status.is_success() {
                return Outcome::Delivered {
                    status: status.as_u16(),
                };
            }
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let error = if status.is_redirection() {
                format!(
                    "the endpoint answered HTTP {} (a redirect); redirects are not followed: \
                     configure the address it redirects to",
                    status.as_u16()
                )
            } else {
                format!("the endpoint answered HTTP {}", status.as_u16())
            };
            Outcome::Failed {
                status: Some(status.as_u16()),
                error,
                retry_after,
                counts_for_endpoint: true,
            }
        }
        Err(error) => failed(None, describe(&error, settings.request_timeout), true),
    }
}

fn failed(status: Option<u16>, error: String, counts_for_endpoint: bool) -> Outcome {
    Outcome::Failed {
        status,
        error,
        retry_after: None,
        counts_for_endpoint,
    }
}

/// A transport failure in plain words, told apart by the error chain; never reqwest's own
/// text, which names the URL.
fn describe(error: &reqwest::Error, timeout: Duration) -> String {
    let mut source = error.source();
    while let Some(inner) = source {
        if let Some(refusal) = inner.downcast_ref::<Refusal>() {
            return match refusal {
                Refusal::NoHost => "the endpoint's host name does not resolve".into(),
                other => format!("the endpoint's address is refused by the SSRF rules: {other}"),
            };
        }
        if is_tls_error(inner) {
            return "the TLS handshake with the endpoint failed (its certificate is not trusted, \
                    has expired or names another host)"
                .into();
        }
        if let Some(io) = inner.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return "nothing accepts connections at the endpoint's address (connection refused)"
                .into();
        }
        source = inner.source();
    }
    if error.is_timeout() {
        format!(
            "the endpoint did not answer within {} s",
            timeout.as_secs_f64()
        )
    } else if error.is_connect() {
        "the connection to the endpoint failed".into()
    } else {
        "the request to the endpoint failed before an answer came".into()
    }
}
