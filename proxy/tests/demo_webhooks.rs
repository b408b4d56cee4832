//! The demo binary's webhooks: without `--webhooks` it delivers to its own receiver, which
//! verifies the signature and lists the delivery for the page; with `--webhooks` the
//! operator's endpoints are kept and the page's receiver says it receives nothing.
#![cfg(feature = "demo")]
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::binary::{ProxyProcess, proxy_binary};
use common::harness::{call, open_session};
use reqwest::Method;
use serde_json::{Value, json};
use sis_onboard_proxy::webhooks::{SigningSecret, verify_delivery};
use sis_onboard_sandbox::DEMO_SECRET;

/// How long the test waits for a delivery before failing.
const DEADLINE: Duration = Duration::from_secs(20);

/// Validates the sandbox nested in the demo binary and completes; answers the connection id.
async fn complete_through(proxy: &ProxyProcess) -> String {
    let session = open_session(&proxy.url).await;
    let sandbox = format!("{}/sandbox/campus", proxy.url);
    let credentials = json!({
        "base_url": format!("{sandbox}/api/ims/oneroster/rostering/v1p2"),
        "token_url": format!("{sandbox}/oauth2/token?appName=sandbox"),
        "client_id": "sandbox-client-id",
        "client_secret": DEMO_SECRET,
    });
    let (_, report) = call(
        &proxy.url,
        Method::POST,
        "/v1/validate",
        &session,
        Some(credentials.clone()),
    )
    .await;
    assert_eq!(report["passed"], true, "{report}");
    let completion = json!({
        "credentials": credentials,
        "region": "us",
        "source": "infinite_campus",
        "strategy": "oneroster_api",
    });
    let (_, completed) = call(
        &proxy.url,
        Method::POST,
        "/v1/complete",
        &session,
        Some(completion),
    )
    .await;
    completed["connection_id"].as_str().unwrap().to_owned()
}

/// What the demo page reads.
async fn received(proxy: &ProxyProcess) -> Value {
    reqwest::get(format!("{}/demo/webhooks/received", proxy.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_demo_delivers_to_its_own_receiver_which_verifies_and_lists_the_event() {
    let proxy = proxy_binary(&["--demo".into()]);
    let list = received(&proxy).await;
    assert_eq!(list["receiving"], true);
    assert_eq!(list["deliveries"], json!([]));

    let connection_id = complete_through(&proxy).await;
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let delivery = loop {
        let list = received(&proxy).await;
        let found = list["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["data"]["connection_id"] == connection_id.as_str())
            .cloned();
        if let Some(delivery) = found {
            break delivery;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no delivery listed: {list}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(delivery["type"], "connection.created");
    assert_eq!(delivery["verified"], true);
    assert!(delivery["id"].as_str().unwrap().starts_with("msg_"));
    assert_eq!(delivery["data"]["tenant_id"], "d1");
    assert!(
        delivery["data"]["district_name"]
            .as_str()
            .unwrap()
            .ends_with("Unified School District")
    );
    assert!(!delivery.to_string().contains(DEMO_SECRET));

    // The page's list is all a stranger can add to only with the secret: a forged delivery
    // is refused.
    let forged = reqwest::Client::new()
        .post(format!("{}/demo/webhooks", proxy.url))
        .header("webhook-id", "msg_forged")
        .header(
            "webhook-timestamp",
            sis_onboard_proxy::clock::unix_now().to_string(),
        )
        .header(
            "webhook-signature",
            format!("v1,{}", STANDARD.encode([0u8; 32])),
        )
        .body(r#"{"type":"connection.created","timestamp":"x","data":{}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let ids: Vec<Value> = received(&proxy).await["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].clone())
        .collect();
    assert_eq!(ids, [delivery["id"].clone()]);
}

/// The operator's own receiver: the bodies whose signature verified with `secret`.
async fn operator_receiver(secret: &str) -> (Arc<Mutex<Vec<Value>>>, std::net::SocketAddr) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let secret = SigningSecret::parse(secret).unwrap();
    let app = Router::new()
        .fallback(
            |State((got, secret)): State<(Arc<Mutex<Vec<Value>>>, SigningSecret)>,
             headers: HeaderMap,
             body: Bytes| async move {
                let header = |name: &'static str| headers.get(name).and_then(|v| v.to_str().ok());
                let now = sis_onboard_proxy::clock::unix_now();
                if verify_delivery([&secret], header, &body, now).is_ok() {
                    got.lock()
                        .unwrap()
                        .push(serde_json::from_slice(&body).unwrap());
                }
            },
        )
        .with_state((got.clone(), secret));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (got, addr)
}

#[tokio::test]
async fn the_operators_webhooks_are_kept_and_the_page_says_it_receives_none() {
    let secret = format!("whsec_{}", STANDARD.encode([3u8; 32]));
    let (got, addr) = operator_receiver(&secret).await;
    let endpoints = json!([{
        "id": "crm",
        "url": format!("http://{addr}/hooks"),
        "secrets": [secret],
    }]);
    let proxy = proxy_binary(&[
        "--demo".into(),
        "--allow-hosts".into(),
        addr.to_string(),
        "--webhooks".into(),
        endpoints.to_string(),
    ]);
    let list = received(&proxy).await;
    assert_eq!(list["receiving"], false, "{list}");

    let connection_id = complete_through(&proxy).await;
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while !got
        .lock()
        .unwrap()
        .iter()
        .any(|p| p["data"]["connection_id"] == connection_id.as_str())
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the operator's endpoint got nothing"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(received(&proxy).await["deliveries"], json!([]));
}
