//! The guarded HTTP client over real loopback HTTP: allowed hosts are reached, redirects to
//! forbidden places are refused before any connection, and bodies are capped while streaming.
#![allow(clippy::unwrap_used, missing_docs)]

use std::error::Error as _;

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use sis_onboard_proxy::net_guard::{AllowedHost, NetPolicy, ReadError, read_capped};

async fn serve(app: Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

fn allowing(addr: std::net::SocketAddr) -> NetPolicy {
    NetPolicy {
        allowed_hosts: vec![AllowedHost {
            host: "127.0.0.1".into(),
            port: Some(addr.port()),
        }],
        ..NetPolicy::default()
    }
}

/// The whole chain of an error's messages, where reqwest puts the refusal.
fn chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(&format!(" / {inner}"));
        source = inner.source();
    }
    text
}

#[tokio::test]
async fn loopback_is_reachable_only_when_allowed() {
    let addr = serve(Router::new().route("/", get(|| async { "hello" }))).await;
    let url = format!("http://127.0.0.1:{}/", addr.port());

    let allowed = allowing(addr)
        .client()
        .unwrap()
        .get(&url)
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.text().await.unwrap(), "hello");

    // By default the name localhost resolves to loopback and is refused.
    let refused = NetPolicy::default()
        .client()
        .unwrap()
        .get(format!("https://localhost:{}/", addr.port()))
        .send()
        .await
        .unwrap_err();
    assert!(chain(&refused).contains("loopback"), "{}", chain(&refused));
}

#[tokio::test]
async fn redirects_are_checked_and_capped() {
    let app = Router::new()
        .route(
            "/to-metadata",
            get(|| async { Redirect::temporary("https://169.254.169.254/latest/meta-data/") }),
        )
        .route(
            "/to-http",
            get(|| async { Redirect::temporary("http://example.com/") }),
        )
        .route("/loop", get(|| async { Redirect::temporary("/loop") }));
    let addr = serve(app).await;
    let client = allowing(addr).client().unwrap();
    let base = format!("http://127.0.0.1:{}", addr.port());

    let metadata = client
        .get(format!("{base}/to-metadata"))
        .send()
        .await
        .unwrap_err();
    assert!(
        chain(&metadata).contains("cloud metadata"),
        "{}",
        chain(&metadata)
    );

    let plain_http = client
        .get(format!("{base}/to-http"))
        .send()
        .await
        .unwrap_err();
    assert!(
        chain(&plain_http).contains("https"),
        "{}",
        chain(&plain_http)
    );

    let looping = client.get(format!("{base}/loop")).send().await.unwrap_err();
    assert!(
        chain(&looping).contains("too many redirects"),
        "{}",
        chain(&looping)
    );
}

#[tokio::test]
async fn bodies_are_capped_while_streaming() {
    let big = "x".repeat(100_000);
    let app = Router::new().route("/big", get(move || async move { big }));
    let addr = serve(app).await;
    let client = allowing(addr).client().unwrap();
    let url = format!("http://127.0.0.1:{}/big", addr.port());

    let small_cap = read_capped(client.get(&url).send().await.unwrap(), 10_000).await;
    assert!(matches!(small_cap, Err(ReadError::TooLarge)));
    let enough = read_capped(client.get(&url).send().await.unwrap(), 200_000)
        .await
        .unwrap();
    assert_eq!(enough.len(), 100_000);
}
