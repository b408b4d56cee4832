//! Webhook delivery (issue 18, "Done when"): the time from a completion to its verified
//! delivery, and the events one replica delivers per second, on loopback, on SQLite and on
//! PostgreSQL (the server `SIS_ONBOARD_TEST_POSTGRES_URL` names, as the proxy's tests find
//! it; `cargo xtask bench` sets it as `cargo xtask test` does, and without it PostgreSQL's
//! column says so).
//!
//! Everything is real and in this process: the proxy's router on its own server loop, the
//! sandbox district, a receiver that verifies every delivery's signature with the proxy's
//! `verify_delivery` (and counts any it refuses: there must be none), and the delivery
//! worker `main` starts. Each figure stands beside a baseline measured in the same run on
//! the same receiver: latency beside one plain signed POST round trip on an open connection
//! (the delivery's own floor), throughput beside the receiver's raw request rate at the
//! worker's concurrency. Prints a Markdown table and writes it to `bench/webhooks.md`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use sis_onboard_protocol::{ConnectionEventData, Strategy, WebhookEventType};
use sis_onboard_proxy::api_keys::ApiKey;
use sis_onboard_proxy::config::Config;
use sis_onboard_proxy::crypto::EncryptionKey;
use sis_onboard_proxy::net_guard::{AllowedHost, DistrictHttp, NetPolicy};
use sis_onboard_proxy::rate_limit::RateLimit;
use sis_onboard_proxy::webhooks::signing::{HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP};
use sis_onboard_proxy::webhooks::{
    Endpoints, SigningSecret, WebhookSettings, connection_event, signature_header,
    spawn_delivery_worker, verify_delivery,
};
use sis_onboard_proxy::{AppState, Store, app};
use sis_onboard_sandbox::{DEMO_SECRET, District, DistrictSize, SandboxConfig};
use sqlx::Connection;
use tokio::sync::Notify;

/// Completions timed per store.
const COMPLETIONS: usize = 200;
/// Events drained per store for the throughput.
const EVENTS: usize = 3_000;
/// Events written per transaction while filling the outbox.
const BATCH: usize = 500;
/// Plain POSTs timed for the round-trip baseline after each completion, so the baseline
/// and the latency are measured under the same load.
const ROUND_TRIPS_EACH: usize = 3;
/// How long any one wait may take before the benchmark fails.
const DEADLINE: Duration = Duration::from_secs(30);
const API_KEY: &str = "sk_bench_vendor_7Tg2Hn8Qw4Lp6Zx1Cv5";

/// The loopback receiver: what it verified (by connection id, or `webhook-id` for a
/// delivery without one) and when.
#[derive(Default)]
struct Receiver {
    secret: Option<SigningSecret>,
    verified_at: Mutex<HashMap<String, Instant>>,
    verified: AtomicUsize,
    refused: AtomicUsize,
    arrived: Notify,
}

impl Receiver {
    fn verified(&self) -> usize {
        self.verified.load(Ordering::SeqCst)
    }

    /// When `key` was verified, waiting for it.
    async fn wait_for(&self, key: &str) -> Instant {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            let arrived = self.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            if let Some(at) = self.verified_at.lock().expect("lock").get(key) {
                return *at;
            }
            tokio::time::timeout_at(deadline, arrived)
                .await
                .unwrap_or_else(|_| panic!("{key} was not delivered within {DEADLINE:?}"));
        }
    }

    /// Waits until `count` deliveries in all have been verified.
    async fn wait_for_count(&self, count: usize) {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            let arrived = self.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            if self.verified() >= count {
                return;
            }
            tokio::time::timeout_at(deadline, arrived)
                .await
                .unwrap_or_else(|_| panic!("{count} deliveries not verified within {DEADLINE:?}"));
        }
    }
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let now_secs = sis_onboard_proxy::clock::unix_now();
    let header = |name: &'static str| headers.get(name).and_then(|v| v.to_str().ok());
    if verify_delivery(receiver.secret.as_ref(), header, &body, now_secs).is_err() {
        receiver.refused.fetch_add(1, Ordering::SeqCst);
        return StatusCode::UNAUTHORIZED;
    }
    let at = Instant::now();
    let payload: Value = serde_json::from_slice(&body).unwrap_or_default();
    let key = payload["data"]["connection_id"]
        .as_str()
        .or_else(|| header(HEADER_ID))
        .unwrap_or_default()
        .to_owned();
    receiver.verified_at.lock().expect("lock").insert(key, at);
    receiver.verified.fetch_add(1, Ordering::SeqCst);
    receiver.arrived.notify_waiters();
    StatusCode::NO_CONTENT
}

async fn listen() -> (tokio::net::TcpListener, SocketAddr) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    (listener, addr)
}

/// The store of one column: a fresh SQLite file, or a fresh schema on PostgreSQL (dropped
/// when the benchmark ends).
struct BenchStore {
    label: &'static str,
    url: String,
    _dir: Option<tempfile::TempDir>,
    schema: Option<(String, String)>,
}

impl BenchStore {
    fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a folder");
        Self {
            label: "SQLite",
            url: format!("sqlite://{}", dir.path().join("bench.sqlite").display()),
            _dir: Some(dir),
            schema: None,
        }
    }

    async fn postgres(base: &str) -> Self {
        let schema = format!("bench_{:016x}", rand::random::<u64>());
        let mut admin = sqlx::PgConnection::connect(base).await.unwrap_or_else(|e| {
            panic!("SIS_ONBOARD_TEST_POSTGRES_URL: {base} is unreachable: {e}")
        });
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut admin)
            .await
            .expect("create the schema");
        let separator = if base.contains('?') { '&' } else { '?' };
        Self {
            label: "PostgreSQL",
            url: format!("{base}{separator}options=-c%20search_path%3D{schema}"),
            _dir: None,
            schema: Some((base.to_owned(), schema)),
        }
    }

    async fn drop_schema(&self) {
        if let Some((base, schema)) = &self.schema
            && let Ok(mut admin) = sqlx::PgConnection::connect(base).await
        {
            let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .execute(&mut admin)
                .await;
        }
    }
}

/// The run's fixed parts: the sandbox, the receiver, and the policy and settings that
/// reach them.
struct Fixture {
    sandbox: SocketAddr,
    receiver: Arc<Receiver>,
    receiver_url: String,
    secret: SigningSecret,
    policy: NetPolicy,
    settings: WebhookSettings,
}

impl Fixture {
    async fn start() -> Self {
        let (listener, sandbox) = listen().await;
        let district = SandboxConfig::with_district(District::generate(1, DistrictSize::TINY));
        tokio::spawn(
            async move { axum::serve(listener, sis_onboard_sandbox::router(district)).await },
        );

        let secret_text = format!("whsec_{}", STANDARD.encode(rand::random::<[u8; 32]>()));
        let secret = SigningSecret::parse(&secret_text).expect("a secret");
        let receiver = Arc::new(Receiver {
            secret: Some(secret.clone()),
            ..Receiver::default()
        });
        let (listener, receiver_addr) = listen().await;
        let routes = Router::new().fallback(receive).with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, routes).await });

        let allow = |addr: SocketAddr| AllowedHost {
            host: addr.ip().to_string(),
            port: Some(addr.port()),
        };
        let policy = NetPolicy {
            allowed_hosts: vec![allow(sandbox), allow(receiver_addr)],
            ..NetPolicy::default()
        };
        let receiver_url = format!("http://{receiver_addr}/hooks");
        let endpoints = json!([{ "id": "bench", "url": receiver_url, "secrets": [secret_text] }]);
        let endpoints = Endpoints::parse_json(
            &endpoints.to_string(),
            &policy,
            sis_onboard_proxy::clock::unix_now(),
        )
        .expect("the endpoint");
        // The defaults a replica runs with (16 in flight), the endpoint added.
        let settings = WebhookSettings {
            endpoints: Arc::new(endpoints),
            ..WebhookSettings::default()
        };
        Self {
            sandbox,
            receiver,
            receiver_url,
            secret,
            policy,
            settings,
        }
    }

    fn config(&self) -> Config {
        let mut config = Config::new(vec![ApiKey::new("bench", API_KEY).expect("a key")]);
        config.encryption_key = Some(EncryptionKey::generate());
        config.net_policy = self.policy.clone();
        config.webhooks = self.settings.clone();
        // One client address makes every request here: its limits are not what is measured.
        let unlimited = RateLimit {
            burst: 1_000_000,
            per_minute: 1_000_000,
        };
        config.session_validations = unlimited;
        config.address_validations = unlimited;
        config
    }

    /// The client the delivery worker sends with (the SSRF-guarded one).
    fn http(&self) -> DistrictHttp {
        self.policy.district_http().expect("a client")
    }

    /// One signed POST to the receiver, as a delivery is sent.
    async fn post_signed(&self, http: &DistrictHttp, key: &str) {
        let id = format!("msg_{key}");
        let body = json!({ "type": "test", "timestamp": "", "data": { "endpoint_id": "bench" } })
            .to_string();
        let now = sis_onboard_proxy::clock::unix_now();
        let response = http
            .client()
            .post(&self.receiver_url)
            .header("content-type", "application/json")
            .header(HEADER_ID, &id)
            .header(HEADER_TIMESTAMP, now.to_string())
            .header(
                HEADER_SIGNATURE,
                signature_header([&self.secret], &id, now, body.as_bytes()),
            )
            .body(body)
            .send()
            .await
            .expect("a POST to the receiver");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }
}

/// The proxy on loopback over `store`; answers its base URL.
async fn start_proxy(fixture: &Fixture, store: &Store) -> String {
    let (listener, addr) = listen().await;
    let router = app(AppState::new(fixture.config(), store.clone()).expect("state"));
    tokio::spawn(sis_onboard_proxy::server::serve(
        listener,
        router,
        sis_onboard_proxy::server::ServerLimits::default(),
        std::future::pending(),
    ));
    format!("http://{addr}")
}

/// Median and p99 of `samples`.
fn median_p99(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let p99 = (samples.len() * 99).div_ceil(100).saturating_sub(1);
    (samples[samples.len() / 2], samples[p99])
}

/// One plain signed POST to the receiver on an open connection, timed.
async fn round_trip(fixture: &Fixture, http: &DistrictHttp, key: &str) -> Duration {
    let started = Instant::now();
    fixture.post_signed(http, key).await;
    started.elapsed()
}

/// The receiver's raw rate: `EVENTS` signed POSTs, as many at once as the worker sends.
async fn raw_rate(fixture: &Arc<Fixture>, tag: &str) -> f64 {
    let http = fixture.http();
    let at_once = fixture.settings.max_in_flight;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for lane in 0..at_once {
        let (fixture, http, tag) = (fixture.clone(), http.clone(), tag.to_owned());
        tasks.spawn(async move {
            for n in (lane..EVENTS).step_by(at_once) {
                fixture.post_signed(&http, &format!("{tag}-raw-{n}")).await;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a lane");
    }
    EVENTS as f64 / started.elapsed().as_secs_f64()
}

/// What one store's column holds.
struct Column {
    label: &'static str,
    round_trip: Duration,
    median: Duration,
    p99: Duration,
    before_answer: usize,
    per_second: f64,
    raw_per_second: f64,
}

/// Opens a session, validates the sandbox's credentials and completes, timing from the
/// completion's answer to the receiver's verification of its `connection.created`.
async fn completion_to_delivery(
    fixture: &Fixture,
    client: &reqwest::Client,
    proxy: &str,
) -> (Duration, bool) {
    let session: Value = client
        .post(format!("{proxy}/v1/sessions"))
        .bearer_auth(API_KEY)
        .json(&json!({ "tenant_id": "d1", "display_name": "Bench" }))
        .send()
        .await
        .expect("a session")
        .json()
        .await
        .expect("JSON");
    let token = session["session_token"].as_str().expect("a token");
    let sandbox = fixture.sandbox;
    let credentials = json!({
        "base_url": format!("http://{sandbox}/campus/api/ims/oneroster/rostering/v1p2"),
        "token_url": format!("http://{sandbox}/campus/oauth2/token?appName=sandbox"),
        "client_id": "sandbox-client-id",
        "client_secret": DEMO_SECRET,
    });
    let report: Value = client
        .post(format!("{proxy}/v1/validate"))
        .bearer_auth(token)
        .json(&credentials)
        .send()
        .await
        .expect("a validation")
        .json()
        .await
        .expect("JSON");
    assert_eq!(report["passed"], true, "{report}");
    let completion = client
        .post(format!("{proxy}/v1/complete"))
        .bearer_auth(token)
        .json(&json!({
            "credentials": credentials,
            "region": "us",
            "source": "infinite_campus",
            "strategy": "oneroster_api",
        }))
        .send()
        .await
        .expect("a completion");
    assert_eq!(completion.status(), StatusCode::OK);
    let body: Value = completion.json().await.expect("JSON");
    let answered = Instant::now();
    let id = body["connection_id"].as_str().expect("a connection id");
    let verified = fixture.receiver.wait_for(id).await;
    (
        verified.saturating_duration_since(answered),
        verified < answered,
    )
}

/// Fills the outbox of `store` with `EVENTS` events for the endpoint, then starts one
/// worker and times it until the receiver has verified them all.
async fn drain(fixture: &Fixture, store: &Store, tag: &str) -> f64 {
    let events: Vec<_> = (0..EVENTS)
        .map(|n| {
            connection_event(
                &fixture.settings,
                WebhookEventType::ConnectionCreated,
                ConnectionEventData {
                    connection_id: format!("{tag}-event-{n}"),
                    tenant_id: "d1".into(),
                    region: "us".into(),
                    source: "infinite_campus".into(),
                    strategy: Strategy::OneRosterApi,
                    district_name: "Bench Unified School District".into(),
                    failure: None,
                },
            )
        })
        .collect();
    for batch in events.chunks(BATCH) {
        store.enqueue_events(batch).await.expect("enqueue");
    }
    let before = fixture.receiver.verified();
    let started = Instant::now();
    let worker = spawn_delivery_worker([store.clone()], &fixture.config()).expect("the worker");
    fixture.receiver.wait_for_count(before + EVENTS).await;
    let elapsed = started.elapsed();
    worker.shutdown().await;
    EVENTS as f64 / elapsed.as_secs_f64()
}

async fn measure(fixture: &Arc<Fixture>, bench_store: &BenchStore) -> Column {
    let tag = bench_store.label;
    eprintln!("webhooks benchmark: {tag}");
    let store = Store::open(&bench_store.url)
        .await
        .unwrap_or_else(|e| panic!("{tag}: {e}"));
    let proxy = start_proxy(fixture, &store).await;
    let worker = spawn_delivery_worker([store.clone()], &fixture.config()).expect("the worker");
    let client = reqwest::Client::new();
    // Warm-up: connections, the pools, the first statements' preparation.
    for _ in 0..10 {
        completion_to_delivery(fixture, &client, &proxy).await;
    }
    let http = fixture.http();
    for n in 0..10 {
        round_trip(fixture, &http, &format!("{tag}-warm-{n}")).await;
    }
    let mut latencies = Vec::with_capacity(COMPLETIONS);
    let mut round_trips = Vec::with_capacity(COMPLETIONS * ROUND_TRIPS_EACH);
    let mut before_answer = 0;
    for n in 0..COMPLETIONS {
        let (latency, early) = completion_to_delivery(fixture, &client, &proxy).await;
        latencies.push(latency);
        before_answer += usize::from(early);
        for k in 0..ROUND_TRIPS_EACH {
            round_trips.push(round_trip(fixture, &http, &format!("{tag}-rtt-{n}-{k}")).await);
        }
    }
    let (median, p99) = median_p99(latencies);
    let (round_trip, _) = median_p99(round_trips);
    worker.shutdown().await;

    // Throughput on a store of its own, so nothing else is in its outbox.
    let throughput_store = match &bench_store.schema {
        None => BenchStore::sqlite(),
        Some((base, _)) => BenchStore::postgres(base).await,
    };
    let store = Store::open(&throughput_store.url)
        .await
        .unwrap_or_else(|e| panic!("{tag}: {e}"));
    let per_second = drain(fixture, &store, tag).await;
    let raw_per_second = raw_rate(fixture, tag).await;
    drop(store);
    throughput_store.drop_schema().await;
    Column {
        label: bench_store.label,
        round_trip,
        median,
        p99,
        before_answer,
        per_second,
        raw_per_second,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn table(columns: &[Column]) -> String {
    let mut header = String::from("| measure |");
    let mut rule = String::from("|---|");
    for column in columns {
        header.push_str(&format!(" {} |", column.label));
        rule.push_str("---:|");
    }
    let mut rows = vec![header, rule];
    let mut row = |name: String, cell: &dyn Fn(&Column) -> String| {
        let mut line = format!("| {name} |");
        for column in columns {
            line.push_str(&format!(" {} |", cell(column)));
        }
        rows.push(line);
    };
    row(
        format!(
            "baseline: one signed POST to the receiver on an open connection (median of {}, \
             {ROUND_TRIPS_EACH} after each completion)",
            COMPLETIONS * ROUND_TRIPS_EACH
        ),
        &|c| ms(c.round_trip),
    );
    row(
        format!("completion answered → its `connection.created` verified, median of {COMPLETIONS}"),
        &|c| {
            format!(
                "{} = {:.1} x baseline",
                ms(c.median),
                c.median.as_secs_f64() / c.round_trip.as_secs_f64()
            )
        },
    );
    row(format!("the same, p99 of {COMPLETIONS}"), &|c| {
        format!(
            "{} = {:.1} x baseline",
            ms(c.p99),
            c.p99.as_secs_f64() / c.round_trip.as_secs_f64()
        )
    });
    row(
        "deliveries verified before the completion's answer was read (counted as 0 ms)".into(),
        &|c| format!("{} of {COMPLETIONS}", c.before_answer),
    );
    row(
        format!(
            "baseline: the receiver's raw rate, {EVENTS} signed POSTs, {} at a time",
            WebhookSettings::DEFAULT_MAX_IN_FLIGHT
        ),
        &|c| format!("{:.0}/s", c.raw_per_second),
    );
    row(
        format!(
            "events delivered and verified per second, one worker ({} in flight), {EVENTS} queued",
            WebhookSettings::DEFAULT_MAX_IN_FLIGHT
        ),
        &|c| {
            format!(
                "{:.0}/s = {:.2} x raw rate",
                c.per_second,
                c.per_second / c.raw_per_second
            )
        },
    );
    rows.join("\n") + "\n"
}

/// The one-minute load average, which says how much else the machine was doing.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let load_before = load_average();
    let fixture = Arc::new(Fixture::start().await);
    let mut stores = vec![BenchStore::sqlite()];
    let postgres = std::env::var("SIS_ONBOARD_TEST_POSTGRES_URL").ok();
    if let Some(base) = &postgres {
        stores.push(BenchStore::postgres(base).await);
    }
    let started = Instant::now();
    let mut columns = Vec::new();
    for store in &stores {
        columns.push(measure(&fixture, store).await);
        store.drop_schema().await;
    }
    let refused = fixture.receiver.refused.load(Ordering::SeqCst);
    assert_eq!(refused, 0, "the receiver refused {refused} deliveries");
    let mut table = table(&columns);
    if postgres.is_none() {
        table.push_str("\nPostgreSQL was not measured: SIS_ONBOARD_TEST_POSTGRES_URL is unset.\n");
    }
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    table.push_str(&format!(
        "\nLoad average (1 min) when the run started and ended: {load_before} and {}, on {cores} \
         cores.\n",
        load_average()
    ));
    print!("{table}");
    eprintln!("webhooks benchmark: {:.0?}", started.elapsed());
    let out = concat!(env!("CARGO_MANIFEST_DIR"), "/../bench/webhooks.md");
    let doc = format!(
        "# Webhook delivery\n\nWritten by `cargo xtask bench` (`cargo bench -p sis-onboard-proxy \
         --bench webhooks`, 2 cores, everything in one process on loopback). The proxy's \
         router on its own server loop, the sandbox district, and a receiver that verifies \
         every delivery's Standard Webhooks signature (with the proxy's `verify_delivery`; it \
         refused none). **Latency**: each of {COMPLETIONS} completions (after 10 unmeasured) \
         opens a session, validates and completes through the HTTP API; the time runs from \
         the moment `POST /v1/complete` has answered to the moment the receiver has verified \
         that connection's `connection.created` (the event is written in the completion's \
         transaction, and the write wakes the worker). Its baseline is one plain signed POST \
         to the same receiver on an open connection, with the client the worker uses, \
         timed {ROUND_TRIPS_EACH} times after each completion so both see the same load. \
         **Throughput**: {EVENTS} events written to a fresh outbox, then one delivery worker \
         started with a replica's defaults (16 deliveries in flight) and timed until the \
         receiver has verified them all (each is claimed, sent, and its attempt recorded); \
         its baseline is the receiver's raw rate for as many signed POSTs, 16 at a time. \
         SQLite is a file on local disk; PostgreSQL is the server on 127.0.0.1.\n\n{table}"
    );
    std::fs::write(out, doc).unwrap_or_else(|e| panic!("cannot write {out}: {e}"));
}
