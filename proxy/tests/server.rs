//! The binary's server loop against slow and hostile clients, and its graceful shutdown.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sis_onboard_proxy::Store;
use sis_onboard_sandbox::{DEMO_SECRET, District, DistrictSize, SandboxConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use common::binary::{ProxyProcess, proxy_binary};
use common::harness::{listen, open_session};

fn address(proxy: &ProxyProcess) -> String {
    proxy.url.strip_prefix("http://").unwrap().to_owned()
}

/// Reads from `stream` until what was read contains `needle` (or fails after `deadline`).
async fn read_until(stream: &mut TcpStream, needle: &str, deadline: Duration) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    tokio::time::timeout(deadline, async {
        while !String::from_utf8_lossy(&seen).contains(needle) {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(
                n > 0,
                "closed before {needle:?}: {}",
                String::from_utf8_lossy(&seen)
            );
            seen.extend_from_slice(&buf[..n]);
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {needle:?} within {deadline:?}"));
    String::from_utf8_lossy(&seen).into_owned()
}

#[tokio::test]
async fn a_client_that_stalls_in_its_request_line_is_disconnected() {
    let proxy = proxy_binary(&["--header-read-timeout-secs".into(), "1".into()]);
    let mut stream = TcpStream::connect(address(&proxy)).await.unwrap();
    stream.write_all(b"GET /heal").await.unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    // The connection ends (EOF or reset) once the timeout passes; without one it never does.
    let ended = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut rest)).await;
    assert!(
        ended.is_ok(),
        "a stalled request line kept its connection for 10 s"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "disconnected before the configured second: {:?}",
        started.elapsed()
    );
    assert!(
        !String::from_utf8_lossy(&rest).contains(" 200 "),
        "half a request line was answered"
    );
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let proxy = proxy_binary(&["--max-connections".into(), "1".into()]);
    let holder = TcpStream::connect(address(&proxy)).await.unwrap();
    // The holder has been accepted once a request on it is answered.
    let mut holder = holder;
    holder
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    read_until(&mut holder, "HTTP/1.1 200", Duration::from_secs(10)).await;

    let mut waiting = TcpStream::connect(address(&proxy)).await.unwrap();
    waiting
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 64];
    let early = tokio::time::timeout(Duration::from_millis(500), waiting.read(&mut buf)).await;
    assert!(
        early.is_err(),
        "a second connection was served past a cap of one"
    );
    drop(holder);
    read_until(&mut waiting, "HTTP/1.1 200", Duration::from_secs(10)).await;
}

#[tokio::test]
async fn a_completion_in_flight_when_sigterm_arrives_is_answered_and_stored() {
    let (sandbox_listener, sandbox) = listen().await;
    let sandbox_app = sis_onboard_sandbox::router(SandboxConfig::with_district(
        District::generate(9, DistrictSize::TINY),
    ));
    tokio::spawn(async move { axum::serve(sandbox_listener, sandbox_app).await });
    let mut proxy = proxy_binary(&[
        "--allow-hosts".into(),
        format!("127.0.0.1:{}", sandbox.port()),
    ]);
    let session = open_session(&proxy.url).await;
    let credentials = json!({
        "base_url": format!("http://{sandbox}/campus/api/ims/oneroster/rostering/v1p2"),
        "token_url": format!("http://{sandbox}/campus/oauth2/token?appName=sandbox"),
        "client_id": "sandbox-client-id",
        "client_secret": DEMO_SECRET,
    });
    let report: Value = reqwest::Client::new()
        .post(format!("{}/v1/validate", proxy.url))
        .bearer_auth(&session)
        .json(&credentials)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["passed"], true, "{report}");

    // The completion's headers go first; its body waits until shutdown has begun.
    let body = json!({
        "credentials": credentials,
        "region": "us",
        "source": "infinite_campus",
        "strategy": "oneroster_api",
    })
    .to_string();
    let addr = address(&proxy);
    let mut completion = TcpStream::connect(&addr).await.unwrap();
    completion
        .write_all(
            format!(
                "POST /v1/complete HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {session}\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\n\
                 Expect: 100-continue\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    // hyper says "100 Continue" when the handler starts reading the body: it is in flight.
    read_until(&mut completion, "100 Continue", Duration::from_secs(10)).await;

    let killed = std::process::Command::new("kill")
        .args(["-TERM", &proxy.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // Shutdown has begun once the listener is gone: new connections are refused.
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(&addr).await.is_ok() {
        assert!(
            Instant::now() < deadline,
            "still accepting 10 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    completion.write_all(body.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(
        Duration::from_secs(10),
        completion.read_to_string(&mut answer),
    )
    .await
    .expect("the completion was not answered")
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let json: Value = serde_json::from_str(answer.split("\r\n\r\n").last().unwrap()).unwrap();
    let connection_id = json["connection_id"].as_str().unwrap().to_owned();

    let status = proxy.wait_for_exit(Duration::from_secs(10));
    assert!(status.success(), "{status}");
    let store = Store::open(&format!("sqlite://{}", proxy.database_path().display()))
        .await
        .unwrap();
    let (stored, secret) = store.connection(&connection_id).await.unwrap().unwrap();
    assert_eq!(stored.id, connection_id);
    assert!(secret.is_some());
}

#[tokio::test]
async fn a_body_that_stalls_ends_its_request_after_the_body_timeout() {
    let proxy = proxy_binary(&["--request-body-timeout-secs".into(), "1".into()]);
    let mut stream = TcpStream::connect(address(&proxy)).await.unwrap();
    let head = format!(
        "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"tenant",
        common::harness::API_KEY
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let answer = read_until(&mut stream, "HTTP/1.1 ", Duration::from_secs(10)).await;
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "answered before the configured second: {answer}"
    );
    assert!(!answer.contains("HTTP/1.1 2"), "{answer}");
}

#[tokio::test]
async fn a_request_slower_than_the_request_timeout_is_answered_408() {
    let (sandbox_listener, sandbox) = listen().await;
    let sandbox_app = sis_onboard_sandbox::router(SandboxConfig {
        latency: Duration::from_secs(5),
        ..SandboxConfig::with_district(District::generate(9, DistrictSize::TINY))
    });
    tokio::spawn(async move { axum::serve(sandbox_listener, sandbox_app).await });
    let proxy = proxy_binary(&[
        "--allow-hosts".into(),
        format!("127.0.0.1:{}", sandbox.port()),
        "--request-timeout-secs".into(),
        "1".into(),
    ]);
    let session = open_session(&proxy.url).await;
    let started = Instant::now();
    let response = reqwest::Client::new()
        .post(format!("{}/v1/validate", proxy.url))
        .bearer_auth(&session)
        .json(&json!({
            "base_url": format!("http://{sandbox}/campus/api/ims/oneroster/rostering/v1p2"),
            "token_url": format!("http://{sandbox}/campus/oauth2/token?appName=sandbox"),
            "client_id": "sandbox-client-id",
            "client_secret": DEMO_SECRET,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::REQUEST_TIMEOUT);
    // Made outside the router, it still carries what every answer carries.
    for (name, value) in [
        ("cache-control", "no-store"),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
    ] {
        assert_eq!(
            response.headers().get(name).and_then(|v| v.to_str().ok()),
            Some(value),
            "{name}"
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_kept_alive_connection_left_idle_is_closed_after_the_header_read_timeout() {
    let proxy = proxy_binary(&["--header-read-timeout-secs".into(), "1".into()]);
    let mut stream = TcpStream::connect(address(&proxy)).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    read_until(&mut stream, "HTTP/1.1 200", Duration::from_secs(10)).await;
    let idle_since = Instant::now();
    let mut rest = Vec::new();
    let ended = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut rest)).await;
    assert!(ended.is_ok(), "an idle connection was kept for 10 s");
    assert!(idle_since.elapsed() >= Duration::from_millis(900));
}
