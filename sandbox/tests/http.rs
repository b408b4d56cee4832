//! The sandbox over real HTTP on loopback: the token endpoint and `/orgs`, faults included.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use common::{ManualClock, basic, serve, tiny, token_request};
use reqwest::StatusCode;
use serde_json::Value;
use sis_onboard_sandbox::SandboxConfig;

const ORGS: &str = "/campus/api/ims/oneroster/rostering/v1p2/orgs";

#[tokio::test]
async fn basic_credentials_get_a_jwt_shaped_token_that_opens_orgs() {
    let base = serve(tiny()).await;
    let response = token_request(
        &base,
        "sandbox",
        Some(basic("sandbox-client-id", "sandbox-client-secret")),
        "grant_type=client_credentials",
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let token: Value = response.json().await.unwrap();
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["expires_in"], 3600);
    let access = token["access_token"].as_str().unwrap();
    assert_eq!(access.split('.').count(), 3, "header.payload.signature");
    let payload = access.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert!(claims["exp"].as_u64().unwrap() > claims["iat"].as_u64().unwrap());

    let client = reqwest::Client::new();
    for path in [
        ORGS.to_owned(),
        "/campus/api/oneroster/v1p2/sandbox/ims/oneroster/rostering/v1p2/orgs".to_owned(),
    ] {
        let orgs = client
            .get(format!("{base}{path}?limit=2&offset=1"))
            .bearer_auth(access)
            .send()
            .await
            .unwrap();
        assert_eq!(orgs.status(), StatusCode::OK, "{path}");
        assert_eq!(orgs.headers()["x-total-count"], "3");
        let body: Value = orgs.json().await.unwrap();
        let page = body["orgs"].as_array().unwrap();
        assert_eq!(page.len(), 2);
        assert_eq!(page[0]["type"], "school", "offset 1 skips the district");
    }
}

#[tokio::test]
async fn credentials_in_the_body_are_accepted_too() {
    let base = serve(tiny()).await;
    let response = token_request(
        &base,
        "sandbox",
        None,
        "grant_type=client_credentials&client_id=sandbox-client-id&client_secret=sandbox-client-secret",
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn token_endpoint_faults_match_infinite_campus() {
    let base = serve(tiny()).await;
    let good = || Some(basic("sandbox-client-id", "sandbox-client-secret"));

    let wrong_secret = token_request(
        &base,
        "sandbox",
        Some(basic("sandbox-client-id", "nope")),
        "grant_type=client_credentials",
    )
    .await;
    assert_eq!(wrong_secret.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong_secret.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );

    let wrong_app = token_request(&base, "other", good(), "grant_type=client_credentials").await;
    assert_eq!(wrong_app.status(), StatusCode::UNAUTHORIZED);

    let wrong_grant = token_request(&base, "sandbox", good(), "grant_type=password").await;
    assert_eq!(wrong_grant.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        wrong_grant.json::<Value>().await.unwrap()["error"],
        "unsupported_grant_type"
    );

    let no_app = reqwest::Client::new()
        .post(format!("{base}/campus/oauth2/token"))
        .header("authorization", good().unwrap())
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(no_app.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn orgs_refuse_missing_forged_and_expired_tokens() {
    let clock = Arc::new(ManualClock(AtomicU64::new(1_000_000)));
    let config = SandboxConfig {
        clock: clock.clone(),
        ..tiny()
    };
    let base = serve(config).await;
    let token: Value = token_request(
        &base,
        "sandbox",
        Some(basic("sandbox-client-id", "sandbox-client-secret")),
        "grant_type=client_credentials",
    )
    .await
    .json()
    .await
    .unwrap();
    let access = token["access_token"].as_str().unwrap().to_owned();
    let client = reqwest::Client::new();
    let get = |auth: Option<String>| {
        let mut request = client.get(format!("{base}{ORGS}"));
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        request.send()
    };

    let missing = get(None).await.unwrap();
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["imsx_codeMajor"], "failure");
    assert_eq!(
        body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"],
        "unauthorisedrequest"
    );

    let forged = format!("Bearer {}x", access);
    assert_eq!(
        get(Some(forged)).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(Some(format!("Bearer {access}")))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    clock.0.fetch_add(3600, Ordering::SeqCst);
    let expired = get(Some(format!("Bearer {access}"))).await.unwrap();
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    let body: Value = expired.json().await.unwrap();
    assert_eq!(body["imsx_description"], "The access token has expired.");
}
