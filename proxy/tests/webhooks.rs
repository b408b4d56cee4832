//! Webhooks end to end on SQLite and PostgreSQL, with a real receiver on loopback: a
//! completed connection's event arrives signed (checked by a verifier written here from the
//! specification) and without a secret; failures are retried with the same `webhook-id`;
//! two workers on one database deliver each event once; an event is written with its change
//! or not at all; a rotated-out secret signs until it expires; the SSRF rules hold for
//! webhook URLs; the admin functions list, redeliver and test.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::harness::{API_KEY, Harness};
use common::test_stores;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;
use sis_onboard_protocol::{DeliveryStatus, Strategy, WebhookDelivery, WebhookEventType};
use sis_onboard_proxy::api_keys::ApiKey;
use sis_onboard_proxy::config::Config;
use sis_onboard_proxy::net_guard::{AllowedHost, Dns, NetPolicy};
use sis_onboard_proxy::store::{DeliveryFilter, NewConnection, NewEvent};
use sis_onboard_proxy::webhooks::{self, DeliveryWorker, Endpoints, WebhookError, WebhookSettings};
use sis_onboard_proxy::{Store, webhooks::spawn_delivery_worker};
use sis_onboard_sandbox::DEMO_SECRET;

/// How long any test waits for something to happen before failing.
const DEADLINE: Duration = Duration::from_secs(20);

/// A secret as the vendor would generate one: `whsec_` and 32 random-looking bytes.
fn secret(byte: u8) -> String {
    format!("whsec_{}", STANDARD.encode([byte; 32]))
}

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    id: String,
    timestamp: String,
    signature: String,
    body: String,
}

/// A webhook receiver on loopback: records every request and answers the statuses it is
/// given in turn (then 200).
#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<Received>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    async fn start() -> (Self, SocketAddr) {
        let receiver = Self::default();
        let app = Router::new().fallback(receive).with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, addr)
    }

    fn answer(&self, statuses: &[u16]) {
        self.answers.lock().unwrap().extend(statuses);
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn receive(
    State(receiver): State<Receiver>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    receiver.received.lock().unwrap().push(Received {
        path: uri.path().to_owned(),
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: String::from_utf8(body.to_vec()).unwrap(),
    });
    let status = receiver.answers.lock().unwrap().pop_front().unwrap_or(200);
    if status == 307 {
        return (StatusCode::TEMPORARY_REDIRECT, [("location", "/elsewhere")]).into_response();
    }
    StatusCode::from_u16(status).unwrap().into_response()
}

/// The signatures of `received` that `secret` verifies, computed as the Standard Webhooks
/// specification says (independently of the proxy's code): base64 of HMAC-SHA256, keyed
/// with the base64-decoded part of `whsec_…`, over `{id}.{timestamp}.{body}`, one
/// `v1,<signature>` per secret, space-separated.
fn verified_by(received: &Received, secret: &str) -> usize {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.{}", received.id, received.timestamp, received.body).as_bytes());
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    received
        .signature
        .split(' ')
        .filter(|part| part.strip_prefix("v1,") == Some(expected.as_str()))
        .count()
}

/// The timestamp is the attempt's, in seconds, close to now.
fn assert_fresh_timestamp(received: &Received) {
    let sent: i64 = received.timestamp.parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now - sent).abs() <= 60, "timestamp {sent} vs now {now}");
}

fn allowing(addr: SocketAddr) -> NetPolicy {
    NetPolicy {
        allowed_hosts: vec![AllowedHost {
            host: "127.0.0.1".into(),
            port: Some(addr.port()),
        }],
        ..NetPolicy::default()
    }
}

/// Settings for tests: fast retries, and a poll slow enough that only a wake-up explains a
/// prompt delivery of an event written through the worker's own store.
fn settings(endpoints: Value, policy: &NetPolicy) -> WebhookSettings {
    WebhookSettings {
        endpoints: Arc::new(
            Endpoints::parse_json(&endpoints.to_string(), policy, unix_now()).unwrap(),
        ),
        backoff_base: Duration::from_millis(20),
        backoff_cap: Duration::from_millis(200),
        poll_interval: Duration::from_secs(60),
        request_timeout: Duration::from_secs(5),
        ..WebhookSettings::default()
    }
}

fn config(policy: &NetPolicy, settings: &WebhookSettings) -> Config {
    let mut config = Config::new(vec![ApiKey::new("test", API_KEY).unwrap()]);
    config.net_policy = policy.clone();
    config.webhooks = settings.clone();
    config
}

fn worker(store: &Store, policy: &NetPolicy, settings: &WebhookSettings) -> DeliveryWorker {
    spawn_delivery_worker([store.clone()], &config(policy, settings)).unwrap()
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Polls `check` until it answers Some, or fails the test at the deadline.
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn deliveries(store: &Store, filter: DeliveryFilter) -> Vec<WebhookDelivery> {
    webhooks::list_deliveries(&[store], &filter).await.unwrap()
}

/// Waits until every delivery of `event_id` is no longer pending; answers them.
async fn settled(store: &Store, event_id: &str) -> Vec<WebhookDelivery> {
    let filter = DeliveryFilter {
        event_id: Some(event_id.to_owned()),
        ..DeliveryFilter::default()
    };
    eventually(&format!("the deliveries of {event_id}"), || async {
        let found = deliveries(store, filter.clone()).await;
        (!found.is_empty() && found.iter().all(|d| d.status != DeliveryStatus::Pending))
            .then_some(found)
    })
    .await
}

fn connection(id: &str, session: &str, tenant: &str) -> NewConnection {
    NewConnection {
        id: id.to_owned(),
        session_hash: session.as_bytes().to_vec(),
        tenant_id: tenant.to_owned(),
        region: "us".into(),
        source: "infinite_campus".into(),
        strategy: Strategy::OneRosterApi,
        base_url: "https://district.example/campus/api/ims/oneroster/rostering/v1p2".into(),
        token_url: "https://district.example/campus/oauth2/token".into(),
        client_id: "client-of-the-district".into(),
        secret_sealed: b"sealed-bytes".to_vec(),
        district_name: "Springfield".into(),
        counts: "{}".into(),
        extract_plan: None,
        created_at: 1,
    }
}

fn created(settings: &WebhookSettings, c: &NewConnection) -> NewEvent {
    webhooks::connection_event(
        settings,
        WebhookEventType::ConnectionCreated,
        webhooks::connection_data(c),
    )
}

#[tokio::test]
async fn a_completed_connection_is_delivered_signed_and_without_a_secret() {
    let (receiver, addr) = Receiver::start().await;
    let policy = allowing(addr);
    let settings = settings(
        json!([{"id": "backend", "url": format!("http://{addr}/hooks/sis"),
                "secrets": [{"secret": secret(1)}]}]),
        &policy,
    );
    for h in Harness::start_each(|config| {
        config
            .net_policy
            .allowed_hosts
            .extend(policy.allowed_hosts.clone());
        config.webhooks = settings.clone();
    })
    .await
    {
        let backend = h.test_store.backend;
        let before = receiver.received().len();
        let worker = worker(&h.store, &policy, &settings);
        assert_eq!(h.validate(h.credentials(DEMO_SECRET)).await["passed"], true);
        let id = Harness::connection_id(h.complete(h.credentials(DEMO_SECRET)).await).await;

        let got = eventually("the connection.created webhook", || async {
            receiver.received().get(before).cloned()
        })
        .await;
        assert_eq!(got.path, "/hooks/sis");
        assert!(got.id.starts_with("msg_"), "{backend}: {}", got.id);
        assert_eq!(verified_by(&got, &secret(1)), 1, "{backend}: {got:?}");
        assert_eq!(verified_by(&got, &secret(2)), 0);
        assert_fresh_timestamp(&got);
        let payload: Value = serde_json::from_str(&got.body).unwrap();
        assert_eq!(payload["type"], "connection.created", "{backend}");
        assert_eq!(payload["data"]["connection_id"], id.as_str());
        assert_eq!(payload["data"]["tenant_id"], "d1");
        assert_eq!(payload["data"]["region"], "us");
        assert_eq!(payload["data"]["source"], "infinite_campus");
        assert_eq!(payload["data"]["strategy"], "oneroster_api");
        assert!(payload["data"]["district_name"].is_string());
        assert!(payload["timestamp"].as_str().unwrap().ends_with('Z'));
        for leak in [DEMO_SECRET, "sandbox-client-id", "oauth2/token", "whsec_"] {
            assert!(
                !got.body.contains(leak),
                "{backend}: {leak} in {}",
                got.body
            );
        }
        let delivered = settled(&h.store, &got.id).await;
        assert_eq!(delivered.len(), 1);
        assert_eq!(delivered[0].status, DeliveryStatus::Delivered);
        assert_eq!(delivered[0].attempts.len(), 1);
        assert_eq!(delivered[0].attempts[0].status, Some(200));

        // Revoking reports itself once; revoking again does not.
        let path = format!("/v1/connections/{id}");
        assert_eq!(h.admin(Method::DELETE, &path).await.status(), 204);
        let revoked = eventually("the connection.revoked webhook", || async {
            receiver.received().get(before + 1).cloned()
        })
        .await;
        let payload: Value = serde_json::from_str(&revoked.body).unwrap();
        assert_eq!(payload["type"], "connection.revoked", "{backend}");
        assert_eq!(payload["data"]["connection_id"], id.as_str());
        assert_ne!(revoked.id, got.id);
        assert_eq!(h.admin(Method::DELETE, &path).await.status(), 204);
        let revocations = deliveries(&h.store, DeliveryFilter::default())
            .await
            .into_iter()
            .filter(|d| d.event_type == WebhookEventType::ConnectionRevoked)
            .count();
        assert_eq!(revocations, 1, "{backend}");
        worker.shutdown().await;
    }
}

#[tokio::test]
async fn a_failed_attempt_is_retried_with_the_same_webhook_id() {
    for test_store in test_stores().await {
        let backend = test_store.backend;
        let store = Store::open(&test_store.url).await.unwrap();
        let (receiver, addr) = Receiver::start().await;
        receiver.answer(&[500]);
        let policy = allowing(addr);
        let settings = settings(
            json!([{"id": "flaky", "url": format!("http://{addr}/"), "secrets": [secret(3)]}]),
            &policy,
        );
        let worker = worker(&store, &policy, &settings);
        let c = connection("conn_retry", "session-retry", "d1");
        let event = created(&settings, &c);
        store
            .insert_connection(&c, std::slice::from_ref(&event))
            .await
            .unwrap();

        let delivered = settled(&store, &event.id).await;
        let got = receiver.received();
        assert_eq!(got.len(), 2, "{backend}: {got:?}");
        assert!(got.iter().all(|r| r.id == event.id), "{backend}: {got:?}");
        assert!(got.iter().all(|r| verified_by(r, &secret(3)) == 1));
        assert_eq!(got[0].body, got[1].body, "the very same body");
        let d = &delivered[0];
        assert_eq!(d.status, DeliveryStatus::Delivered, "{backend}");
        assert_eq!(d.event_id, event.id);
        assert_eq!(d.last_status, Some(200));
        assert_eq!(d.last_error, None);
        let statuses: Vec<_> = d.attempts.iter().map(|a| (a.number, a.status)).collect();
        assert_eq!(statuses, [(1, Some(500)), (2, Some(200))], "{backend}");
        assert_eq!(
            d.attempts[0].error.as_deref(),
            Some("the endpoint answered HTTP 500")
        );
        worker.shutdown().await;
    }
}

#[tokio::test]
async fn two_workers_on_one_database_deliver_each_event_once() {
    for test_store in test_stores().await {
        let backend = test_store.backend;
        let (receiver, addr) = Receiver::start().await;
        let policy = allowing(addr);
        let mut settings = settings(
            json!([{"id": "backend", "url": format!("http://{addr}/"), "secrets": [secret(4)]}]),
            &policy,
        );
        // Each worker sees the other's events only by polling.
        settings.poll_interval = Duration::from_millis(50);
        settings.max_in_flight = 4;
        let first = Store::open(&test_store.url).await.unwrap();
        let second = Store::open(&test_store.url).await.unwrap();
        let workers = [
            worker(&first, &policy, &settings),
            worker(&second, &policy, &settings),
        ];
        let mut ids = Vec::new();
        for n in 0..30 {
            let c = connection(&format!("conn_{n}"), &format!("session-{n}"), "d1");
            let event = created(&settings, &c);
            let store = if n % 2 == 0 { &first } else { &second };
            store
                .insert_connection(&c, std::slice::from_ref(&event))
                .await
                .unwrap();
            ids.push(event.id);
        }
        let all = eventually("every event delivered", || async {
            let all = deliveries(&first, DeliveryFilter::default()).await;
            (all.len() == 30 && all.iter().all(|d| d.status == DeliveryStatus::Delivered))
                .then_some(all)
        })
        .await;
        assert!(all.iter().all(|d| d.attempts.len() == 1), "{backend}");
        let mut received: HashMap<String, usize> = HashMap::new();
        for r in receiver.received() {
            assert_eq!(verified_by(&r, &secret(4)), 1);
            *received.entry(r.id).or_default() += 1;
        }
        for id in &ids {
            assert_eq!(received.get(id), Some(&1), "{backend}: {id}");
        }
        assert_eq!(received.len(), ids.len(), "{backend}: nothing else arrived");
        for worker in workers {
            worker.shutdown().await;
        }
    }
}

#[tokio::test]
async fn an_event_is_written_with_its_change_or_not_at_all() {
    for test_store in test_stores().await {
        let backend = test_store.backend;
        let store = Store::open(&test_store.url).await.unwrap();
        // No worker: what was written stays pending, for the listing to show.
        let policy = NetPolicy::default();
        let settings = settings(
            json!([{"id": "backend", "url": "https://hooks.example/", "secrets": [secret(5)]}]),
            &policy,
        );
        let count =
            |store: Store| async move { deliveries(&store, DeliveryFilter::default()).await.len() };

        let first = connection("conn_a", "session-a", "d1");
        let event = created(&settings, &first);
        store
            .insert_connection(&first, std::slice::from_ref(&event))
            .await
            .unwrap();
        assert_eq!(count(store.clone()).await, 1, "{backend}");

        // An event that cannot be written (its id taken) undoes the change it reports.
        let second = connection("conn_b", "session-b", "d1");
        let mut clash = created(&settings, &second);
        clash.id = event.id.clone();
        assert!(store.insert_connection(&second, &[clash]).await.is_err());
        assert!(
            store.connection("conn_b").await.unwrap().is_none(),
            "{backend}"
        );

        // A change that fails (its id taken by another session's connection) writes no event.
        let mut taken = connection("conn_a", "session-c", "d1");
        taken.district_name = "Shelbyville".into();
        assert!(
            store
                .insert_connection(&taken, &[created(&settings, &taken)])
                .await
                .is_err()
        );
        assert_eq!(count(store.clone()).await, 1, "{backend}");

        // Completing the same session again keeps the first connection and writes nothing.
        let again = connection("conn_other", "session-a", "d1");
        assert_eq!(
            store
                .insert_connection(&again, &[created(&settings, &again)])
                .await
                .unwrap(),
            "conn_a"
        );
        assert_eq!(count(store.clone()).await, 1, "{backend}");

        let revoked = |c: &NewConnection| {
            webhooks::connection_event(
                &settings,
                WebhookEventType::ConnectionRevoked,
                webhooks::connection_data(c),
            )
        };
        assert!(
            store
                .revoke_connection("conn_a", 5, &[revoked(&first)])
                .await
                .unwrap()
        );
        assert!(
            store
                .revoke_connection("conn_a", 6, &[revoked(&first)])
                .await
                .unwrap()
        );
        assert!(
            !store
                .revoke_connection("conn_zz", 6, &[revoked(&first)])
                .await
                .unwrap()
        );
        let listed = deliveries(&store, DeliveryFilter::default()).await;
        let types: Vec<_> = listed.iter().map(|d| d.event_type).collect();
        assert_eq!(types.len(), 2, "{backend}: {types:?}");
        assert!(types.contains(&WebhookEventType::ConnectionRevoked));
        assert!(listed.iter().all(|d| d.status == DeliveryStatus::Pending));
    }
}

#[tokio::test]
async fn a_rotated_out_secret_signs_until_it_expires() {
    for test_store in test_stores().await {
        let backend = test_store.backend;
        let store = Store::open(&test_store.url).await.unwrap();
        let (receiver, addr) = Receiver::start().await;
        let policy = allowing(addr);
        let rfc3339 = |offset: i64| {
            time::OffsetDateTime::from_unix_timestamp(unix_now() + offset)
                .unwrap()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        };
        let settings = settings(
            json!([
                {"id": "in_grace", "url": format!("http://{addr}/grace"), "secrets": [
                    {"secret": secret(6)},
                    {"secret": secret(7), "expires_at": rfc3339(3600)}]},
                {"id": "after_grace", "url": format!("http://{addr}/after"), "secrets": [
                    {"secret": secret(6)},
                    {"secret": secret(7), "expires_at": rfc3339(-1)}]},
            ]),
            &policy,
        );
        let worker = worker(&store, &policy, &settings);
        let c = connection("conn_rot", "session-rot", "d1");
        let event = created(&settings, &c);
        store
            .insert_connection(&c, std::slice::from_ref(&event))
            .await
            .unwrap();
        settled(&store, &event.id).await;
        let got = receiver.received();
        let at = |path: &str| got.iter().find(|r| r.path == path).unwrap();
        let grace = at("/grace");
        assert_eq!(grace.signature.split(' ').count(), 2, "{backend}");
        assert_eq!(verified_by(grace, &secret(6)), 1);
        assert_eq!(verified_by(grace, &secret(7)), 1);
        let after = at("/after");
        assert_eq!(after.signature.split(' ').count(), 1, "{backend}");
        assert_eq!(verified_by(after, &secret(6)), 1);
        assert_eq!(verified_by(after, &secret(7)), 0);
        worker.shutdown().await;
    }
}

#[tokio::test]
async fn webhook_urls_obey_the_ssrf_rules_and_redirects_are_not_followed() {
    let (receiver, addr) = Receiver::start().await;
    // A literal loopback URL is refused when the configuration is read.
    let refused = Endpoints::parse_json(
        &json!([{"id": "local", "url": format!("http://{addr}/"), "secrets": [secret(8)]}])
            .to_string(),
        &NetPolicy::default(),
        unix_now(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        refused.contains("[0] (id local): `url` cannot be used"),
        "{refused}"
    );

    for test_store in test_stores().await {
        let backend = test_store.backend;
        let store = Store::open(&test_store.url).await.unwrap();
        // A name that resolves to loopback is refused when it is resolved, before connecting.
        let mut policy = allowing(addr);
        policy.dns = Dns::Fixed(vec![(
            "hooks.example".into(),
            vec!["127.0.0.1".parse().unwrap()],
        )]);
        let settings = settings(
            json!([
                {"id": "rebound", "url": "https://hooks.example/hook", "secrets": [secret(8)]},
                {"id": "redirecting", "url": format!("http://{addr}/redirect"), "secrets": [secret(8)]},
            ]),
            &policy,
        );
        receiver.answer(&[307]);
        let worker = worker(&store, &policy, &settings);
        let c = connection("conn_ssrf", "session-ssrf", "d1");
        let event = created(&settings, &c);
        store
            .insert_connection(&c, std::slice::from_ref(&event))
            .await
            .unwrap();
        let attempted = |endpoint: &'static str| {
            let store = store.clone();
            let event_id = event.id.clone();
            async move {
                let filter = DeliveryFilter {
                    event_id: Some(event_id),
                    ..DeliveryFilter::default()
                };
                eventually(&format!("an attempt to {endpoint}"), || async {
                    deliveries(&store, filter.clone())
                        .await
                        .into_iter()
                        .find(|d| d.endpoint_id == endpoint && !d.attempts.is_empty())
                })
                .await
            }
        };
        let rebound = attempted("rebound").await;
        let error = rebound.attempts[0].error.clone().unwrap();
        assert!(
            error.contains("refused by the SSRF rules") && error.contains("loopback"),
            "{backend}: {error}"
        );
        assert_eq!(rebound.attempts[0].status, None);
        assert_eq!(rebound.status, DeliveryStatus::Pending, "retried later");

        let redirected = attempted("redirecting").await;
        assert_eq!(redirected.attempts[0].status, Some(307), "{backend}");
        assert!(
            redirected.attempts[0]
                .error
                .as_deref()
                .unwrap()
                .contains("redirects are not followed")
        );
        worker.shutdown().await;
        let paths: Vec<String> = receiver.received().into_iter().map(|r| r.path).collect();
        assert!(
            paths.iter().all(|p| p == "/redirect"),
            "{backend}: only the configured URL was asked: {paths:?}"
        );
    }
}

#[tokio::test]
async fn the_admin_functions_list_redeliver_and_test() {
    for test_store in test_stores().await {
        let backend = test_store.backend;
        let store = Store::open(&test_store.url).await.unwrap();
        let (receiver, addr) = Receiver::start().await;
        let policy = allowing(addr);
        let settings = settings(
            json!([
                {"id": "all", "url": format!("http://{addr}/all"), "secrets": [secret(9)]},
                {"id": "d2_failures", "url": format!("http://{addr}/d2"), "tenants": ["d2"],
                 "events": ["connection.failing"], "secrets": [secret(9)]},
            ]),
            &policy,
        );
        let worker = worker(&store, &policy, &settings);
        for (n, tenant) in [(1, "d1"), (2, "d2")] {
            let c = connection(&format!("conn_{n}"), &format!("s{n}"), tenant);
            let event = created(&settings, &c);
            store
                .insert_connection(&c, std::slice::from_ref(&event))
                .await
                .unwrap();
            settled(&store, &event.id).await;
        }
        // The tenant filter and the endpoints' filters: d2's creation went to `all` only.
        let d2 = deliveries(
            &store,
            DeliveryFilter {
                tenant_id: Some("d2".into()),
                ..DeliveryFilter::default()
            },
        )
        .await;
        assert_eq!(d2.len(), 1, "{backend}: {d2:?}");
        assert_eq!(d2[0].endpoint_id, "all");
        assert_eq!(d2[0].tenant_id.as_deref(), Some("d2"));

        // A redelivery sends the same webhook again, as a new attempt.
        let again = webhooks::redeliver(&[&store], &d2[0].id).await.unwrap();
        assert_eq!(again.event_id, d2[0].event_id);
        let twice = eventually("the redelivery", || async {
            let d = webhooks::delivery(&[&store], &d2[0].id).await.unwrap();
            (d.attempts.len() == 2 && d.status == DeliveryStatus::Delivered).then_some(d)
        })
        .await;
        assert_eq!(twice.attempts[1].number, 2);
        let same_id = receiver
            .received()
            .iter()
            .filter(|r| r.id == d2[0].event_id)
            .count();
        assert_eq!(same_id, 2, "{backend}");

        // A test event goes to the endpoint named, whatever its filters.
        let test = webhooks::send_test_event(&store, &settings, "d2_failures", Some("d2"))
            .await
            .unwrap();
        assert_eq!(test.event_type, WebhookEventType::Test);
        assert_eq!(test.endpoint_id, "d2_failures");
        settled(&store, &test.event_id).await;
        let got = receiver
            .received()
            .into_iter()
            .find(|r| r.id == test.event_id)
            .unwrap();
        assert_eq!(got.path, "/d2");
        assert_eq!(verified_by(&got, &secret(9)), 1);
        let payload: Value = serde_json::from_str(&got.body).unwrap();
        assert_eq!(payload["type"], "test");
        assert_eq!(payload["data"]["endpoint_id"], "d2_failures");

        assert!(matches!(
            webhooks::send_test_event(&store, &settings, "nope", None).await,
            Err(WebhookError::UnknownEndpoint(_))
        ));
        assert!(matches!(
            webhooks::redeliver(&[&store], "dlv_nope").await,
            Err(WebhookError::DeliveryNotFound)
        ));
        worker.shutdown().await;
    }
}

#[tokio::test]
async fn an_endpoint_is_marked_failing_and_recovers_and_a_delivery_gives_up_after_its_window() {
    for test_store in test_stores().await {
        let backend = test_store.backend;
        let store = Store::open(&test_store.url).await.unwrap();
        let (receiver, addr) = Receiver::start().await;
        let policy = allowing(addr);
        let mut settings = settings(
            json!([{"id": "down", "url": format!("http://{addr}/"), "secrets": [secret(10)]}]),
            &policy,
        );
        settings.failing_after = 3;
        settings.retry_window = Duration::from_millis(400);
        receiver.answer(&[503; 1000]);
        let worker = worker(&store, &policy, &settings);
        let c = connection("conn_down", "session-down", "d1");
        let event = created(&settings, &c);
        store
            .insert_connection(&c, std::slice::from_ref(&event))
            .await
            .unwrap();

        let failed = settled(&store, &event.id).await;
        assert_eq!(failed[0].status, DeliveryStatus::Failed, "{backend}");
        assert!(failed[0].attempts.len() >= 3, "{backend}: {failed:?}");
        assert_eq!(failed[0].last_status, Some(503));
        let statuses = webhooks::endpoint_statuses(&[&store], &settings)
            .await
            .unwrap();
        assert_eq!(statuses.len(), 1);
        assert!(statuses[0].is_failing, "{backend}: {statuses:?}");

        // The endpoint comes back: the redelivery succeeds and clears the mark.
        receiver.answers.lock().unwrap().clear();
        webhooks::redeliver(&[&store], &failed[0].id).await.unwrap();
        let delivered = eventually("the redelivery", || async {
            let d = webhooks::delivery(&[&store], &failed[0].id).await.unwrap();
            (d.status == DeliveryStatus::Delivered).then_some(d)
        })
        .await;
        assert_eq!(delivered.last_status, Some(200));
        let statuses = webhooks::endpoint_statuses(&[&store], &settings)
            .await
            .unwrap();
        assert!(!statuses[0].is_failing, "{backend}: {statuses:?}");
        assert_eq!(statuses[0].consecutive_failures, 0);
        worker.shutdown().await;
    }
}

/// Events are kept for the retention once every delivery is over, then swept with their
/// deliveries and attempts; an event still owed to an endpoint is kept whatever its age.
#[tokio::test]
async fn finished_events_are_swept_after_the_retention_and_owed_ones_never() {
    for test_store in test_stores().await {
        let backend = test_store.backend;
        let store = Store::open(&test_store.url).await.unwrap();
        let (_receiver, addr) = Receiver::start().await;
        let policy = allowing(addr);
        let settings = settings(
            json!([{"id": "ok", "url": format!("http://{addr}/"), "secrets": [secret(11)]}]),
            &policy,
        );
        let now = webhooks::events::now_ms();
        let day_ms = 24 * 60 * 60 * 1000;
        let retention_ms = i64::try_from(settings.retention.as_millis()).unwrap();
        let event = |n: u32, age_ms: i64| {
            let mut event = created(&settings, &connection(&format!("conn_{n}"), "s", "d1"));
            event.created_at_ms = now - age_ms;
            event.give_up_at_ms = now + day_ms;
            event
        };
        let (old_done, new_done) = (event(1, retention_ms + day_ms), event(2, day_ms));
        let worker = worker(&store, &policy, &settings);
        store
            .enqueue_events(&[old_done.clone(), new_done.clone()])
            .await
            .unwrap();
        let old_delivery = settled(&store, &old_done.id).await[0].id.clone();
        settled(&store, &new_done.id).await;
        worker.shutdown().await;
        // With no worker running: one owed to its endpoint, one no endpoint wanted.
        let old_owed = event(3, retention_ms + day_ms);
        let mut old_unwanted = event(4, retention_ms + day_ms);
        old_unwanted.endpoint_ids.clear();
        store
            .enqueue_events(&[old_owed.clone(), old_unwanted])
            .await
            .unwrap();

        let listed = |left: Vec<WebhookDelivery>| {
            let mut listed: Vec<(String, DeliveryStatus, usize)> = left
                .into_iter()
                .map(|d| (d.event_id, d.status, d.attempts.len()))
                .collect();
            listed.sort_by(|a, b| a.0.cmp(&b.0));
            listed
        };
        // Today: only the old event no endpoint wanted goes. The old one delivered just now
        // is kept for the retention from that delivery, not from its writing.
        let today = now - retention_ms;
        assert_eq!(
            store.sweep_webhook_events(today).await.unwrap(),
            1,
            "{backend}"
        );
        let mut expected = vec![
            (old_done.id.clone(), DeliveryStatus::Delivered, 1),
            (new_done.id.clone(), DeliveryStatus::Delivered, 1),
            (old_owed.id.clone(), DeliveryStatus::Pending, 0),
        ];
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        let left = deliveries(&store, DeliveryFilter::default()).await;
        assert_eq!(listed(left), expected, "{backend}");
        // A retention later: both delivered events go with their attempts; the owed one,
        // older than both, stays.
        let later = webhooks::events::now_ms() + 1;
        assert_eq!(
            store.sweep_webhook_events(later).await.unwrap(),
            2,
            "{backend}"
        );
        assert!(matches!(
            webhooks::delivery(&[&store], &old_delivery).await,
            Err(WebhookError::DeliveryNotFound)
        ));
        let left = deliveries(&store, DeliveryFilter::default()).await;
        assert_eq!(
            listed(left),
            [(old_owed.id.clone(), DeliveryStatus::Pending, 0)],
            "{backend}"
        );
        assert_eq!(
            store.sweep_webhook_events(later).await.unwrap(),
            0,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn the_binary_reads_its_webhooks_file_and_delivers_a_completion() {
    let (sandbox_listener, sandbox) = common::harness::listen().await;
    let sandbox_app =
        sis_onboard_sandbox::router(sis_onboard_sandbox::SandboxConfig::with_district(
            sis_onboard_sandbox::District::generate(9, sis_onboard_sandbox::DistrictSize::TINY),
        ));
    tokio::spawn(async move { axum::serve(sandbox_listener, sandbox_app).await });
    let (receiver, addr) = Receiver::start().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("webhooks.json");
    std::fs::write(
        &file,
        json!([{"id": "backend", "url": format!("http://{addr}/sis"), "secrets": [secret(11)]}])
            .to_string(),
    )
    .unwrap();
    let mut proxy = common::binary::proxy_binary_with_env(
        &[
            "--allow-hosts".into(),
            format!("127.0.0.1:{},127.0.0.1:{}", sandbox.port(), addr.port()),
        ],
        |command| {
            command.env("SIS_ONBOARD_WEBHOOKS_FILE", &file);
        },
    );
    let session = common::harness::open_session(&proxy.url).await;
    let credentials = json!({
        "base_url": format!("http://{sandbox}/campus/api/ims/oneroster/rostering/v1p2"),
        "token_url": format!("http://{sandbox}/campus/oauth2/token?appName=sandbox"),
        "client_id": "sandbox-client-id",
        "client_secret": DEMO_SECRET,
    });
    let client = reqwest::Client::new();
    for (path, body) in [
        ("/v1/validate", credentials.clone()),
        (
            "/v1/complete",
            json!({"credentials": credentials, "region": "us", "source": "infinite_campus",
                   "strategy": "oneroster_api"}),
        ),
    ] {
        let answer = client
            .post(format!("{}{path}", proxy.url))
            .bearer_auth(&session)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{path}");
    }
    let got = eventually("the binary's webhook", || async {
        receiver.received().first().cloned()
    })
    .await;
    assert_eq!(verified_by(&got, &secret(11)), 1, "{got:?}");
    assert!(got.body.contains("\"connection.created\""), "{}", got.body);
    assert!(!got.body.contains(DEMO_SECRET));

    // SIGTERM: the server and the worker stop, and the process exits cleanly.
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &proxy.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(proxy.wait_for_exit(DEADLINE).success());
}

#[test]
fn the_binary_refuses_a_bad_webhook_configuration_naming_the_field_not_the_secret() {
    let short = format!("whsec_{}", STANDARD.encode([12u8; 16]));
    let dir = tempfile::tempdir().unwrap();
    let output = common::binary::proxy_command(dir.path())
        .env(
            "SIS_ONBOARD_WEBHOOKS",
            json!([{"id": "crm", "url": "https://hooks.example/", "secrets": [{"secret": short}]}])
                .to_string(),
        )
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("webhook endpoint [0] (id crm): `secrets[0].secret` the key is 16 bytes"),
        "{stderr}"
    );
    assert!(!stderr.contains(&short[6..]), "{stderr}");
}

#[test]
fn the_binary_refuses_a_webhook_retention_that_is_not_an_interval() {
    let dir = tempfile::tempdir().unwrap();
    let output = common::binary::proxy_command(dir.path())
        .args(["--webhook-retention", "forever"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--webhook-retention")
            && stderr
                .contains("'forever' is not an interval: write a whole number with s, m, h or d"),
        "{stderr}"
    );
}
