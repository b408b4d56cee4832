//! The guarded HTTP client over real loopback HTTP: allowed hosts are reached, redirects to
//! forbidden places are refused before any connection, an allowed `host:port` opens only
//! that port (literal or name, redirects included), the token goes only to the origin it
//! was meant for, and bodies are capped while streaming.
#![allow(clippy::unwrap_used, missing_docs)]

use std::error::Error as _;

use axum::Router;
use axum::http::HeaderMap;
use axum::response::Redirect;
use axum::routing::get;
use reqwest::Url;
use sis_onboard_proxy::net_guard::{
    AllowedHost, Dns, FetchError, NetPolicy, ReadError, Refusal, read_capped,
};

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
        .district_http()
        .unwrap()
        .client()
        .get(&url)
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.text().await.unwrap(), "hello");

    // By default the name localhost resolves to loopback and is refused.
    let refused = NetPolicy::default()
        .district_http()
        .unwrap()
        .client()
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
        .route("/loop", get(|| async { Redirect::temporary("/loop") }))
        .route("/hop", get(|| async { Redirect::permanent("/landed") }))
        .route("/landed", get(|| async { "landed" }));
    let addr = serve(app).await;
    let http = allowing(addr).district_http().unwrap();
    let url = |path: &str| Url::parse(&format!("http://127.0.0.1:{}{path}", addr.port())).unwrap();

    let metadata = http
        .get_following(url("/to-metadata"), "t")
        .await
        .unwrap_err();
    assert!(
        matches!(
            metadata,
            FetchError::RedirectRefused(Refusal::ForbiddenAddress {
                class: "cloud metadata"
            })
        ),
        "{metadata:?}"
    );
    let plain_http = http.get_following(url("/to-http"), "t").await.unwrap_err();
    assert!(
        matches!(plain_http, FetchError::RedirectRefused(Refusal::NotHttps)),
        "{plain_http:?}"
    );
    let looping = http.get_following(url("/loop"), "t").await.unwrap_err();
    assert!(
        matches!(looping, FetchError::TooManyRedirects),
        "{looping:?}"
    );
    let followed = http.get_following(url("/hop"), "t").await.unwrap();
    assert_eq!(followed.text().await.unwrap(), "landed");
}

/// An allowed `host:port` entry opens that port only: a redirect from the allowed port to
/// the same host on another port (the default one included) is refused before anything is
/// sent, whether the host is an IP literal or a name that resolves to loopback.
#[tokio::test]
async fn an_allowed_host_port_opens_only_that_port_even_through_redirects() {
    // Another service on the same loopback host: what a redirect must not reach.
    let internal = serve(Router::new().route("/", get(|| async { "internal" }))).await;
    let other = internal.port();
    let app = Router::new()
        .route("/", get(|| async { "district" }))
        .route(
            "/to",
            get(|query: axum::extract::RawQuery| async move {
                Redirect::temporary(&query.0.unwrap_or_default())
            }),
        );
    let addr = serve(app).await;
    let port = addr.port();
    let policy = NetPolicy {
        allowed_hosts: vec![
            AllowedHost {
                host: "127.0.0.1".into(),
                port: Some(port),
            },
            AllowedHost {
                host: "district.test".into(),
                port: Some(port),
            },
        ],
        dns: Dns::Fixed(vec![(
            "district.test".into(),
            vec!["127.0.0.1".parse().unwrap()],
        )]),
        ..NetPolicy::default()
    };
    let http = policy.district_http().unwrap();

    // The allowed port works by literal and by name.
    for host in ["127.0.0.1", "district.test"] {
        let url = Url::parse(&format!("http://{host}:{port}/")).unwrap();
        let answer = http.get_following(url, "t").await.unwrap();
        assert_eq!(answer.text().await.unwrap(), "district", "{host}");
    }

    for host in ["127.0.0.1", "district.test"] {
        for (target, expected) in [
            (
                format!("https://{host}:{other}/"),
                Refusal::PortNotAllowed(other),
            ),
            // The default port: a name is resolved without its port, so only the URL check
            // keeps the allowed name from being exempt here.
            (format!("https://{host}/"), Refusal::PortNotAllowed(443)),
            (format!("http://{host}:{other}/"), Refusal::NotHttps),
        ] {
            let start = Url::parse(&format!("http://{host}:{port}/to?{target}")).unwrap();
            let refused = http.get_following(start, "t").await.unwrap_err();
            assert!(
                matches!(&refused, FetchError::RedirectRefused(r) if *r == expected),
                "{target}: {refused:?}"
            );
        }
        // And a typed URL (the token request's), judged before it is sent.
        let direct = Url::parse(&format!("https://{host}/")).unwrap();
        assert_eq!(policy.check_url(&direct), Err(Refusal::PortNotAllowed(443)));
    }
}

/// Answers whether the request carried the bearer token.
async fn saw_token(headers: HeaderMap) -> &'static str {
    match headers.get("authorization").and_then(|v| v.to_str().ok()) {
        Some("Bearer secret-token") => "token",
        Some(_) => "other",
        None => "none",
    }
}

#[tokio::test]
async fn the_token_goes_only_to_its_own_origin() {
    let elsewhere = serve(Router::new().route("/who", get(saw_token))).await;
    let app = Router::new()
        .route("/who", get(saw_token))
        .route("/same", get(|| async { Redirect::temporary("/who") }))
        .route(
            "/other",
            get(move || async move {
                Redirect::temporary(&format!("http://127.0.0.1:{}/who", elsewhere.port()))
            }),
        );
    let addr = serve(app).await;
    let policy = NetPolicy {
        allowed_hosts: vec![
            AllowedHost {
                host: "127.0.0.1".into(),
                port: Some(addr.port()),
            },
            AllowedHost {
                host: "127.0.0.1".into(),
                port: Some(elsewhere.port()),
            },
        ],
        ..NetPolicy::default()
    };
    let http = policy.district_http().unwrap();
    let url = |path: &str| Url::parse(&format!("http://127.0.0.1:{}{path}", addr.port())).unwrap();
    let answer = |response: reqwest::Response| async move { response.text().await.unwrap() };

    let same = http
        .get_following(url("/same"), "secret-token")
        .await
        .unwrap();
    assert_eq!(answer(same).await, "token", "same origin keeps the token");
    let other = http
        .get_following(url("/other"), "secret-token")
        .await
        .unwrap();
    assert_eq!(answer(other).await, "none", "another origin never sees it");
}

#[tokio::test]
async fn bodies_are_capped_while_streaming() {
    let big = "x".repeat(100_000);
    let app = Router::new().route("/big", get(move || async move { big }));
    let addr = serve(app).await;
    let http = allowing(addr).district_http().unwrap();
    let client = http.client();
    let url = format!("http://127.0.0.1:{}/big", addr.port());

    let small_cap = read_capped(client.get(&url).send().await.unwrap(), 10_000).await;
    assert!(matches!(small_cap, Err(ReadError::TooLarge)));
    let enough = read_capped(client.get(&url).send().await.unwrap(), 200_000)
        .await
        .unwrap();
    assert_eq!(enough.len(), 100_000);
}
