//! Helpers shared by the sandbox's HTTP tests.
#![allow(clippy::unwrap_used, missing_docs, dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use sis_onboard_sandbox::{Clock, District, DistrictSize, SandboxConfig, router};

/// A clock the test moves by hand, so expiry needs no waiting.
pub struct ManualClock(pub AtomicU64);

impl Clock for ManualClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

pub async fn serve(config: SandboxConfig) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(config)).await });
    format!("http://{addr}")
}

/// The tiny district: 2 schools, so 3 orgs.
pub fn tiny() -> SandboxConfig {
    SandboxConfig::with_district(District::generate(7, DistrictSize::TINY))
}

pub fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

pub async fn token_request(
    base: &str,
    app: &str,
    auth: Option<String>,
    body: &str,
) -> reqwest::Response {
    let client = reqwest::Client::new();
    let mut request = client
        .post(format!("{base}/campus/oauth2/token?appName={app}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned());
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    request.send().await.unwrap()
}

/// A token request to the generic OneRoster 1.2 server's endpoint (no `appName`).
pub async fn generic_token_request(
    base: &str,
    auth: Option<String>,
    body: &str,
) -> reqwest::Response {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut request = client
        .post(format!("{base}{}", sis_onboard_sandbox::GENERIC_TOKEN_PATH))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned());
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    request.send().await.unwrap()
}

/// A bearer token for the demo connection, with the given scope (all granted when None).
pub async fn access_token(base: &str, scope: Option<&str>) -> String {
    let body = match scope {
        Some(scope) => format!(
            "grant_type=client_credentials&scope={}",
            scope.replace(':', "%3A").replace('/', "%2F")
        ),
        None => "grant_type=client_credentials".to_owned(),
    };
    let response = token_request(
        base,
        "sandbox",
        Some(basic("sandbox-client-id", "sandbox-client-secret")),
        &body,
    )
    .await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let token: serde_json::Value = response.json().await.unwrap();
    token["access_token"].as_str().unwrap().to_owned()
}

/// The OneRoster `imsx_codeMinorFieldValue` of a failure body ("" when there is none).
pub fn code_minor(body: &serde_json::Value) -> &str {
    body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
        .as_str()
        .unwrap_or("")
}
