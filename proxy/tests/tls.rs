//! Validation against the sandbox over real TLS on loopback: an unknown issuer is
//! `tls_failure`, the same server trusted through the binary's `--extra-ca-files` passes,
//! HTTP/2 carries the token request and every probe on one connection (HTTP/1.1 needs more),
//! and a base URL on another host is connected to while the token request is in flight.
#![allow(clippy::unwrap_used, missing_docs)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sis_onboard_proxy::net_guard::{AllowedHost, Dns};
use sis_onboard_sandbox::tls::{AcceptedConnections, HttpVersions, TestCa, serve_tls};
use sis_onboard_sandbox::{DEMO_SECRET, District, DistrictSize, SandboxConfig, router};

mod common;
use common::binary::{proxy_binary, validate_through};
use common::harness::{Harness, listen};

/// The names the sandbox's certificate is for (all resolve to 127.0.0.1 in these tests).
const DISTRICT_HOST: &str = "district.test";
const API_HOST: &str = "api.district.test";

struct TlsSandbox {
    addr: SocketAddr,
    ca: TestCa,
    accepted: AcceptedConnections,
}

async fn tls_sandbox(versions: HttpVersions, latency: Duration) -> TlsSandbox {
    let (listener, addr) = listen().await;
    let ca = TestCa::generate(&[
        DISTRICT_HOST.to_owned(),
        API_HOST.to_owned(),
        "127.0.0.1".to_owned(),
    ])
    .unwrap();
    let config = SandboxConfig {
        latency,
        ..SandboxConfig::with_district(District::generate(9, DistrictSize::TINY))
    };
    let accepted = AcceptedConnections::default();
    let server_config = ca.server_config(versions).unwrap();
    let serving = accepted.clone();
    tokio::spawn(serve_tls(
        listener,
        router(config),
        server_config,
        versions,
        serving,
    ));
    TlsSandbox { addr, ca, accepted }
}

fn credentials(token_host: &str, base_host: &str, port: u16) -> Value {
    json!({
        "base_url": format!("https://{base_host}:{port}/campus/api/ims/oneroster/rostering/v1p2"),
        "token_url": format!("https://{token_host}:{port}/campus/oauth2/token?appName=sandbox"),
        "client_id": "sandbox-client-id",
        "client_secret": DEMO_SECRET,
    })
}

/// A proxy that reaches the sandbox by its names, trusting its CA when `trust` says so.
/// On SQLite only: these tests are about the district connection (TLS, HTTP versions), which
/// no store touches; the store's part of validation runs on both stores in validate.rs.
async fn proxy_for(sandbox: &TlsSandbox, trust: bool) -> Harness {
    let port = sandbox.addr.port();
    let ca_pem = sandbox.ca.ca_pem().as_bytes().to_vec();
    Harness::start(move |config| {
        let policy = &mut config.net_policy;
        for host in [DISTRICT_HOST, API_HOST] {
            policy.allowed_hosts.push(AllowedHost {
                host: host.into(),
                port: Some(port),
            });
        }
        policy.dns = Dns::Fixed(
            [DISTRICT_HOST, API_HOST]
                .map(|h| (h.to_owned(), vec!["127.0.0.1".parse().unwrap()]))
                .to_vec(),
        );
        // The API host takes its tokens from the district's main host.
        policy
            .token_hosts
            .push(format!("{API_HOST}={DISTRICT_HOST}").parse().unwrap());
        if trust {
            policy.extra_roots_pem.push(ca_pem);
        }
    })
    .await
}

/// Validates through `h` with both URLs on the district's main host.
async fn validate_on_district_host(h: &Harness, sandbox: &TlsSandbox) -> Value {
    h.validate(credentials(
        DISTRICT_HOST,
        DISTRICT_HOST,
        sandbox.addr.port(),
    ))
    .await
}

#[tokio::test]
async fn a_certificate_from_an_unknown_issuer_is_a_tls_failure() {
    let sandbox = tls_sandbox(HttpVersions::Http2AndHttp1, Duration::ZERO).await;
    let h = proxy_for(&sandbox, false).await;
    let report = validate_on_district_host(&h, &sandbox).await;
    assert_eq!(report["passed"], false, "{report}");
    assert_eq!(report["error"]["code"], "tls_failure", "{report}");
    assert_eq!(report["error"]["field"], "token_url", "{report}");
    assert!(sandbox.accepted.all().is_empty(), "no handshake completed");
}

#[tokio::test]
async fn http2_carries_the_token_request_and_every_probe_on_one_connection() {
    let sandbox = tls_sandbox(HttpVersions::Http2AndHttp1, Duration::ZERO).await;
    let h = proxy_for(&sandbox, true).await;
    let report = validate_on_district_host(&h, &sandbox).await;
    assert_eq!(report["passed"], true, "{report}");
    assert!(
        report["district"]["name"]
            .as_str()
            .unwrap()
            .ends_with("School District")
    );
    let accepted = sandbox.accepted.all();
    assert_eq!(accepted.len(), 1, "one connection: {accepted:?}");
    assert_eq!(accepted[0].protocol.as_deref(), Some("h2"));
    assert_eq!(accepted[0].server_name.as_deref(), Some(DISTRICT_HOST));
}

#[tokio::test]
async fn an_http1_only_server_gets_parallel_connections_and_passes() {
    let sandbox = tls_sandbox(HttpVersions::Http1Only, Duration::ZERO).await;
    let h = proxy_for(&sandbox, true).await;
    let report = validate_on_district_host(&h, &sandbox).await;
    assert_eq!(report["passed"], true, "{report}");
    let accepted = sandbox.accepted.all();
    assert!(accepted.len() > 1, "probes in parallel: {accepted:?}");
    assert!(
        accepted
            .iter()
            .all(|c| c.protocol.as_deref() == Some("http/1.1")),
        "{accepted:?}"
    );
}

#[tokio::test]
async fn the_base_url_host_is_connected_to_while_the_token_is_fetched() {
    // Every answer takes 300 ms, so a connection opened only after the token answer would
    // come at least that late.
    let latency = Duration::from_millis(300);
    let sandbox = tls_sandbox(HttpVersions::Http2AndHttp1, latency).await;
    let h = proxy_for(&sandbox, true).await;
    let started = Instant::now();
    let report = h
        .validate(credentials(DISTRICT_HOST, API_HOST, sandbox.addr.port()))
        .await;
    assert_eq!(report["passed"], true, "{report}");
    let accepted = sandbox.accepted.all();
    let api: Vec<_> = accepted
        .iter()
        .filter(|c| c.server_name.as_deref() == Some(API_HOST))
        .collect();
    assert_eq!(api.len(), 1, "one connection to the API host: {accepted:?}");
    let opened_after = api[0].at.duration_since(started);
    assert!(
        opened_after < latency,
        "the API host's connection opened {opened_after:?} after the start, before the token answer ({latency:?})"
    );
}

#[tokio::test]
async fn the_binary_trusts_a_self_hosted_ca_given_by_extra_ca_files() {
    let sandbox = tls_sandbox(HttpVersions::Http2AndHttp1, Duration::ZERO).await;
    let port = sandbox.addr.port();
    let ca_dir = tempfile::tempdir().unwrap();
    let ca_file = ca_dir.path().join("district-ca.pem");
    std::fs::write(&ca_file, sandbox.ca.ca_pem()).unwrap();
    // The certificate is also for 127.0.0.1, so the binary needs no name table.
    let body = credentials("127.0.0.1", "127.0.0.1", port);
    let allow = ["--allow-hosts".to_owned(), format!("127.0.0.1:{port}")];

    let untrusting = proxy_binary(&allow);
    let report = validate_through(&untrusting, body.clone()).await;
    assert_eq!(report["error"]["code"], "tls_failure", "{report}");

    let mut with_ca = allow.to_vec();
    with_ca.extend(["--extra-ca-files".to_owned(), ca_file.display().to_string()]);
    let trusting = proxy_binary(&with_ca);
    let report = validate_through(&trusting, body).await;
    assert_eq!(report["passed"], true, "{report}");
}
