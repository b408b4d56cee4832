//! The demo vendor's webhook receiver: the endpoint the demo configures for itself (a
//! signing secret made at start, the receiver on the proxy's own address), the route that
//! verifies each delivery's Standard Webhooks signature with the proxy's own
//! [`verify_delivery`] and keeps the last [`KEPT`] it verified, and the JSON the demo page
//! shows them from.

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use serde_json::Value;
use zeroize::Zeroize;

use crate::clock::unix_now;
use crate::net_guard::NetPolicy;
use crate::webhooks::signing::{HEADER_ID, SECRET_PREFIX};
use crate::webhooks::{Endpoints, EndpointsError, SigningSecret, verify_delivery};

/// Where the webhooks are POSTed.
pub const RECEIVER_PATH: &str = "/demo/webhooks";
/// Where the demo page reads the deliveries received (JSON, newest first).
pub const RECEIVED_PATH: &str = "/demo/webhooks/received";
/// The id of the endpoint the demo configures for itself.
pub const ENDPOINT_ID: &str = "demo-page";
/// How many verified deliveries the receiver keeps (older ones are forgotten).
pub const KEPT: usize = 50;

/// The address the proxy's own delivery worker reaches the receiver at: the listening
/// address, or loopback when it listens on every interface.
pub fn reachable(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

/// The receiver's URL on a proxy listening at `addr`.
pub fn receiver_url(addr: SocketAddr) -> String {
    format!("http://{}{RECEIVER_PATH}", reachable(addr))
}

/// One endpoint, [`ENDPOINT_ID`], for every tenant's every event, POSTing to the receiver
/// of a proxy listening at `addr`, signed with a secret made here and now (it lives in this
/// process only: the next start makes another). The URL goes through `policy`'s SSRF check
/// like any configured endpoint's, so the demo's allow-list must name the address.
pub fn own_endpoint(addr: SocketAddr, policy: &NetPolicy) -> Result<Endpoints, EndpointsError> {
    let mut secret = format!(
        "{SECRET_PREFIX}{}",
        STANDARD.encode(rand::random::<[u8; 32]>())
    );
    let mut config = serde_json::json!([{
        "id": ENDPOINT_ID,
        "url": receiver_url(addr),
        "secrets": [secret],
    }])
    .to_string();
    secret.zeroize();
    let endpoints = Endpoints::parse_json(&config, policy, unix_now());
    config.zeroize();
    endpoints
}

/// One verified delivery, as the page shows it: no secret is ever in a payload.
#[derive(Debug, Clone, Serialize)]
struct Received {
    /// The `webhook-id`.
    id: String,
    /// The event's type (`connection.created` …).
    #[serde(rename = "type")]
    event_type: String,
    /// When the event happened (the payload's `timestamp`).
    timestamp: String,
    /// When the receiver verified it, in seconds since the Unix epoch.
    received_at: i64,
    /// Always true: a delivery whose signature does not verify is refused, not kept.
    verified: bool,
    /// The payload's `data`.
    data: Value,
}

/// What [`RECEIVED_PATH`] answers.
#[derive(Debug, Serialize)]
struct ReceivedList {
    /// False when no configured endpoint points here (the operator's `--webhooks` went
    /// elsewhere): then nothing will arrive.
    receiving: bool,
    /// The deliveries kept, newest first.
    deliveries: Vec<Received>,
}

/// The receiver: the secrets it verifies with, and the deliveries it verified.
#[derive(Clone, Default)]
pub struct DemoWebhooks {
    secrets: Arc<Vec<SigningSecret>>,
    received: Arc<Mutex<VecDeque<Received>>>,
}

impl DemoWebhooks {
    /// A receiver on a proxy listening at `addr` that verifies with the secrets of every
    /// endpoint of `endpoints` aimed at it (the demo's own, or an operator's pointing here);
    /// with none it refuses every delivery.
    pub fn for_endpoints(endpoints: &Endpoints, addr: SocketAddr) -> Self {
        let url = receiver_url(addr);
        let secrets = endpoints
            .iter()
            .filter(|endpoint| endpoint.url.as_str() == url)
            .flat_map(|endpoint| endpoint.secrets.iter().map(|s| s.secret.clone()))
            .collect();
        Self {
            secrets: Arc::new(secrets),
            received: Arc::default(),
        }
    }

    /// True when some endpoint delivers here.
    pub fn is_receiving(&self) -> bool {
        !self.secrets.is_empty()
    }

    /// The receiver at [`RECEIVER_PATH`] and the list at [`RECEIVED_PATH`].
    pub fn router<S: Clone + Send + Sync + 'static>(self) -> Router<S> {
        Router::new()
            .route(RECEIVER_PATH, post(receive))
            .route(RECEIVED_PATH, get(list))
            .with_state(self)
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, VecDeque<Received>> {
        // A panic elsewhere cannot leave the list half-written: every change is one call.
        self.received.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Verifies a delivery as a vendor's backend must before trusting it: 401 with the reason
/// when its signature or timestamp does not verify, 400 when the verified body is not a
/// payload, else 204 and kept. A retry of a delivery kept already (same `webhook-id`) is
/// acknowledged and not kept twice.
async fn receive(State(hooks): State<DemoWebhooks>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &'static str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Err(refusal) = verify_delivery(hooks.secrets.iter(), header, &body, unix_now()) {
        tracing::warn!(%refusal, "the demo's webhook receiver refused a delivery");
        return (StatusCode::UNAUTHORIZED, refusal.to_string()).into_response();
    }
    let Ok(mut payload) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "the body is not JSON").into_response();
    };
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let received = Received {
        id: header(HEADER_ID).unwrap_or_default().trim().to_owned(),
        event_type: text(&payload["type"]),
        timestamp: text(&payload["timestamp"]),
        received_at: unix_now(),
        verified: true,
        data: payload["data"].take(),
    };
    let mut kept = hooks.kept();
    if !kept.iter().any(|r| r.id == received.id) {
        kept.push_front(received);
        kept.truncate(KEPT);
    }
    StatusCode::NO_CONTENT.into_response()
}

/// The deliveries kept, newest first.
async fn list(State(hooks): State<DemoWebhooks>) -> Response {
    let list = ReceivedList {
        receiving: hooks.is_receiving(),
        deliveries: hooks.kept().iter().cloned().collect(),
    };
    let mut response = Json(list).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use axum::body::{Body, to_bytes};
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;
    use crate::net_guard::AllowedHost;
    use crate::webhooks::signature_header;
    use crate::webhooks::signing::{HEADER_SIGNATURE, HEADER_TIMESTAMP};

    const ADDR: &str = "127.0.0.1:8080";

    fn allowing_demo() -> NetPolicy {
        NetPolicy {
            allowed_hosts: vec![AllowedHost {
                host: "127.0.0.1".into(),
                port: Some(8080),
            }],
            ..NetPolicy::default()
        }
    }

    /// The demo's own endpoint and a receiver that knows its secret.
    fn demo() -> (Endpoints, DemoWebhooks) {
        let addr = ADDR.parse().expect("an address");
        let endpoints = own_endpoint(addr, &allowing_demo()).expect("the demo's endpoint");
        let hooks = DemoWebhooks::for_endpoints(&endpoints, addr);
        (endpoints, hooks)
    }

    fn payload(connection_id: &str) -> String {
        serde_json::json!({
            "type": "connection.created",
            "timestamp": "2026-12-05T10:00:00.123Z",
            "data": {
                "connection_id": connection_id,
                "tenant_id": "demo-district",
                "region": "us",
                "source": "infinite_campus",
                "strategy": "oneroster_api",
                "district_name": "Springfield Unified School District",
            },
        })
        .to_string()
    }

    /// A delivery as the delivery worker sends it, signed by `secrets` at `timestamp`.
    fn delivery(secrets: &[&SigningSecret], id: &str, timestamp: i64, body: &str) -> Request<Body> {
        Request::post(RECEIVER_PATH)
            .header(header::CONTENT_TYPE, "application/json")
            .header(HEADER_ID, id)
            .header(HEADER_TIMESTAMP, timestamp.to_string())
            .header(
                HEADER_SIGNATURE,
                signature_header(secrets.iter().copied(), id, timestamp, body.as_bytes()),
            )
            .body(Body::from(body.to_owned()))
            .expect("a request")
    }

    async fn send(hooks: &DemoWebhooks, request: Request<Body>) -> StatusCode {
        hooks
            .clone()
            .router::<()>()
            .oneshot(request)
            .await
            .expect("an answer")
            .status()
    }

    async fn listed(hooks: &DemoWebhooks) -> Value {
        let response = hooks
            .clone()
            .router::<()>()
            .oneshot(
                Request::get(RECEIVED_PATH)
                    .body(Body::empty())
                    .expect("a request"),
            )
            .await
            .expect("an answer");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        let bytes = to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
        serde_json::from_slice(&bytes).expect("JSON")
    }

    #[test]
    fn the_demo_endpoint_points_at_the_receiver_with_a_fresh_secret() {
        let (endpoints, hooks) = demo();
        let endpoint = endpoints.get(ENDPOINT_ID).expect("the demo's endpoint");
        assert_eq!(endpoint.url.as_str(), "http://127.0.0.1:8080/demo/webhooks");
        assert!(endpoint.tenants.is_none() && endpoint.events.is_none());
        assert_eq!(endpoint.secrets.len(), 1);
        assert!(hooks.is_receiving());
        // Each start makes its own secret.
        let (_, other) = demo();
        assert_eq!(other.secrets.len(), 1);
        let probe = hooks.secrets[0].sign("msg_1", 1, b"{}");
        assert!(!other.secrets[0].verifies(&probe, "msg_1", "1", b"{}"));
        // The address goes through the SSRF rules like any endpoint's: loopback needs the
        // allow-list, and listening everywhere means delivering to loopback.
        let addr = ADDR.parse().expect("an address");
        assert!(own_endpoint(addr, &NetPolicy::default()).is_err());
        assert_eq!(
            receiver_url("0.0.0.0:8080".parse().expect("an address")),
            "http://127.0.0.1:8080/demo/webhooks"
        );
        assert_eq!(
            receiver_url("[::]:8080".parse().expect("an address")),
            "http://[::1]:8080/demo/webhooks"
        );
    }

    #[tokio::test]
    async fn a_signed_delivery_is_accepted_and_listed_and_a_wrongly_signed_one_refused() {
        let (endpoints, hooks) = demo();
        let secret = &endpoints.get(ENDPOINT_ID).expect("endpoint").secrets[0].secret;
        let now = unix_now();
        assert_eq!(listed(&hooks).await["deliveries"], serde_json::json!([]));

        let body = payload("conn_good");
        assert_eq!(
            send(&hooks, delivery(&[secret], "msg_good", now, &body)).await,
            StatusCode::NO_CONTENT
        );

        let stranger = SigningSecret::parse(&format!("whsec_{}", STANDARD.encode([9u8; 32])))
            .expect("a secret");
        let forged = payload("conn_forged");
        for refused in [
            // Signed by another secret.
            delivery(&[&stranger], "msg_forged", now, &forged),
            // Signed by the right secret, then the body changed.
            {
                let mut request = delivery(&[secret], "msg_forged", now, &body);
                *request.body_mut() = Body::from(forged.clone());
                request
            },
            // Signed, but ten minutes old (a replay).
            delivery(&[secret], "msg_forged", now - 600, &forged),
            // No signature at all.
            Request::post(RECEIVER_PATH)
                .header(HEADER_ID, "msg_forged")
                .header(HEADER_TIMESTAMP, now.to_string())
                .body(Body::from(forged.clone()))
                .expect("a request"),
        ] {
            assert_eq!(send(&hooks, refused).await, StatusCode::UNAUTHORIZED);
        }

        let list = listed(&hooks).await;
        assert_eq!(list["receiving"], true);
        let deliveries = list["deliveries"].as_array().expect("a list");
        assert_eq!(deliveries.len(), 1, "{list}");
        assert_eq!(deliveries[0]["id"], "msg_good");
        assert_eq!(deliveries[0]["type"], "connection.created");
        assert_eq!(deliveries[0]["verified"], true);
        assert_eq!(deliveries[0]["timestamp"], "2026-12-05T10:00:00.123Z");
        assert_eq!(deliveries[0]["data"]["connection_id"], "conn_good");
        assert_eq!(
            deliveries[0]["data"]["district_name"],
            "Springfield Unified School District"
        );
    }

    #[tokio::test]
    async fn retries_are_kept_once_newest_first_and_only_the_last_fifty() {
        let (endpoints, hooks) = demo();
        let secret = &endpoints.get(ENDPOINT_ID).expect("endpoint").secrets[0].secret;
        let now = unix_now();
        for n in 0..KEPT + 5 {
            let (id, body) = (format!("msg_{n}"), payload(&format!("conn_{n}")));
            for _attempt in 0..2 {
                assert_eq!(
                    send(&hooks, delivery(&[secret], &id, now, &body)).await,
                    StatusCode::NO_CONTENT
                );
            }
        }
        let list = listed(&hooks).await;
        let ids: Vec<&str> = list["deliveries"]
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|d| d["id"].as_str())
            .collect();
        assert_eq!(ids.len(), KEPT);
        assert_eq!(ids[0], format!("msg_{}", KEPT + 4));
        assert_eq!(ids[KEPT - 1], "msg_5");
    }

    #[tokio::test]
    async fn a_receiver_no_endpoint_points_at_refuses_everything_and_says_so() {
        let (endpoints, _) = demo();
        let secret = &endpoints.get(ENDPOINT_ID).expect("endpoint").secrets[0].secret;
        // The operator's own endpoints go elsewhere (another port here).
        let hooks =
            DemoWebhooks::for_endpoints(&endpoints, "127.0.0.1:9090".parse().expect("an address"));
        assert!(!hooks.is_receiving());
        let body = payload("conn_1");
        assert_eq!(
            send(&hooks, delivery(&[secret], "msg_1", unix_now(), &body)).await,
            StatusCode::UNAUTHORIZED
        );
        let list = listed(&hooks).await;
        assert_eq!(list["receiving"], false);
        assert_eq!(list["deliveries"], serde_json::json!([]));
    }
}
