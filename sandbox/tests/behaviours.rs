//! Every behaviour chosen by a client id is reachable and does what the README says.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::time::{Duration, Instant};

use common::{basic, code_minor, serve, tiny, token_request};
use reqwest::StatusCode;
use serde_json::Value;
use sis_onboard_sandbox::{
    BIG_PAGE_BYTES, Behaviour, CredentialsIn, DEMO_SECRET, HUGE_RESPONSE_BYTES,
    HUGE_TOKEN_ANSWER_BYTES, SandboxConfig,
};

const BASE: &str = "/campus/api/ims/oneroster/rostering/v1p2";

async fn token_for(base: &str, behaviour: Behaviour) -> reqwest::Response {
    token_request(
        base,
        "sandbox",
        Some(basic(behaviour.client_id(), DEMO_SECRET)),
        "grant_type=client_credentials",
    )
    .await
}

/// The sandbox and a token for `behaviour`'s connection.
async fn connect(config: SandboxConfig, behaviour: Behaviour) -> (String, String) {
    let base = serve(config).await;
    let token: Value = token_for(&base, behaviour).await.json().await.unwrap();
    (base, token["access_token"].as_str().unwrap().to_owned())
}

async fn get(base: &str, token: &str, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{base}{BASE}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn working_connection_answers() {
    let (base, token) = connect(tiny(), Behaviour::Working).await;
    assert_eq!(get(&base, &token, "/orgs").await.status(), StatusCode::OK);
    assert_eq!(
        get(&base, &token, "/demographics").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn no_demographics_scope_refuses_demographics_only() {
    let (base, token) = connect(tiny(), Behaviour::NoDemographicsScope).await;
    assert_eq!(
        get(&base, &token, "/students").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        get(&base, &token, "/demographics").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn wrong_secret_is_invalid_client_even_with_the_demo_secret() {
    let base = serve(tiny()).await;
    let response = token_for(&base, Behaviour::WrongSecret).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );
}

#[tokio::test]
async fn a_oneroster_1p1_connection_has_no_1p2_api() {
    let (base, token) = connect(tiny(), Behaviour::OneRoster11).await;
    let response = get(&base, &token, "/orgs").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("OneRoster 1.1"));
}

#[tokio::test]
async fn an_inactive_connection_is_forbidden() {
    let (base, token) = connect(tiny(), Behaviour::Inactive).await;
    let response = get(&base, &token, "/orgs").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(code_minor(&response.json().await.unwrap()), "forbidden");
}

#[tokio::test]
async fn no_data_shared_means_empty_lists() {
    let (base, token) = connect(tiny(), Behaviour::NoDataShared).await;
    let response = get(&base, &token, "/schools").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-total-count"], "0");
    assert_eq!(
        response.json::<Value>().await.unwrap()["orgs"],
        serde_json::json!([])
    );
    assert_eq!(
        get(&base, &token, "/orgs/district-1").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_slow_server_takes_its_delay() {
    let config = SandboxConfig {
        slow_delay: Duration::from_millis(300),
        ..tiny()
    };
    let (base, token) = connect(config, Behaviour::Slow).await;
    let started = Instant::now();
    assert_eq!(get(&base, &token, "/orgs").await.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn server_errors_and_rate_limits() {
    let (base, token) = connect(tiny(), Behaviour::ServerError).await;
    let response = get(&base, &token, "/orgs").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        code_minor(&response.json().await.unwrap()),
        "internal_server_error"
    );

    let (base, token) = connect(tiny(), Behaviour::RateLimited).await;
    let response = get(&base, &token, "/orgs").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "30");
    assert_eq!(code_minor(&response.json().await.unwrap()), "server_busy");
}

#[tokio::test]
async fn malformed_json_and_html_where_json_is_expected() {
    let (base, token) = connect(tiny(), Behaviour::MalformedJson).await;
    let response = get(&base, &token, "/orgs").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(serde_json::from_str::<Value>(&response.text().await.unwrap()).is_err());

    let (base, token) = connect(tiny(), Behaviour::HtmlSignIn).await;
    let response = get(&base, &token, "/orgs").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(response.text().await.unwrap().contains("<form"));
}

#[tokio::test]
async fn a_huge_response_is_streamed_whole() {
    let (base, token) = connect(tiny(), Behaviour::HugeResponse).await;
    let mut response = get(&base, &token, "/orgs").await;
    assert_eq!(response.status(), StatusCode::OK);
    let (mut bytes, mut first, mut last) = (0usize, Vec::new(), Vec::new());
    while let Some(chunk) = response.chunk().await.unwrap() {
        if first.is_empty() {
            first = chunk.to_vec();
        }
        bytes += chunk.len();
        last = chunk.to_vec();
    }
    assert!(bytes >= HUGE_RESPONSE_BYTES * 9 / 10, "{bytes} bytes");
    assert!(first.starts_with(b"{\"orgs\":["));
    assert!(last.ends_with(b"]}"));
}

#[tokio::test]
async fn big_pages_answer_two_mib_of_tiny_records_whatever_the_limit() {
    let (base, token) = connect(tiny(), Behaviour::BigPages).await;
    let normal = {
        let (base, token) = connect(tiny(), Behaviour::Working).await;
        get(&base, &token, "/orgs?filter=type%3D%27district%27&limit=1")
            .await
            .json::<Value>()
            .await
            .unwrap()
    };
    let response = get(&base, &token, "/orgs?filter=type%3D%27district%27&limit=1").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-total-count"], "1");
    let body = response.bytes().await.unwrap();
    assert!(body.len() <= BIG_PAGE_BYTES, "{} bytes", body.len());
    assert!(body.len() >= BIG_PAGE_BYTES - 64, "{} bytes", body.len());
    let answer: Value = serde_json::from_slice(&body).unwrap();
    let orgs = answer["orgs"].as_array().unwrap();
    assert!(orgs.len() > 100_000, "{} records", orgs.len());
    assert_eq!(orgs[0], normal["orgs"][0]);
    assert_eq!(orgs[1], serde_json::json!({"sourcedId": "p"}));
    let users: Value = get(&base, &token, "/users?limit=1")
        .await
        .json()
        .await
        .unwrap();
    assert!(users["users"].as_array().unwrap().len() > 100_000);
}

#[tokio::test]
async fn a_token_that_expires_after_the_first_call() {
    let (base, token) = connect(tiny(), Behaviour::TokenExpiresAfterFirstCall).await;
    assert_eq!(get(&base, &token, "/orgs").await.status(), StatusCode::OK);
    let second = get(&base, &token, "/orgs").await;
    assert_eq!(second.status(), StatusCode::UNAUTHORIZED);
    assert!(second.text().await.unwrap().contains("expired"));
}

#[tokio::test]
async fn lists_without_a_total_count() {
    let (base, token) = connect(tiny(), Behaviour::NoTotalCount).await;
    let response = get(&base, &token, "/users?limit=5").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get("x-total-count").is_none());
    assert_eq!(
        response.json::<Value>().await.unwrap()["users"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
}

#[tokio::test]
async fn latency_can_be_injected_per_request() {
    let (base, token) = connect(tiny(), Behaviour::Working).await;
    let started = Instant::now();
    let response = reqwest::Client::new()
        .get(format!("{base}{BASE}/orgs"))
        .bearer_auth(&token)
        .header("x-sandbox-latency-ms", "250")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(250));
}

#[test]
fn the_readme_lists_every_behaviour() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    for behaviour in Behaviour::ALL {
        assert!(
            readme.contains(&format!("`{}`", behaviour.client_id())),
            "README's sandbox table lacks {behaviour:?}"
        );
    }
}

#[tokio::test]
async fn a_scope_refusal_carries_the_challenge_an_inactive_connection_does_not() {
    let (base, token) = connect(tiny(), Behaviour::NoRosterScope).await;
    let refused = get(&base, &token, "/orgs").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let challenge = refused.headers()["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.starts_with("Bearer error=\"insufficient_scope\""),
        "{challenge}"
    );

    let (base, token) = connect(tiny(), Behaviour::Inactive).await;
    let inactive = get(&base, &token, "/orgs").await;
    assert_eq!(inactive.status(), StatusCode::FORBIDDEN);
    assert!(inactive.headers().get("www-authenticate").is_none());
}

#[tokio::test]
async fn token_answers_take_the_shapes_their_behaviours_name() {
    let base = serve(tiny()).await;
    let answer = |behaviour| {
        let base = base.clone();
        async move {
            let response = token_for(&base, behaviour).await;
            assert_eq!(response.status(), StatusCode::OK, "{behaviour:?}");
            response.json::<Value>().await.unwrap()
        }
    };
    assert!(answer(Behaviour::ScopeOmitted).await.get("scope").is_none());
    assert_eq!(answer(Behaviour::ScopeEmpty).await["scope"], "");
    assert_eq!(
        answer(Behaviour::UnrelatedScopes).await["scope"],
        "read write"
    );
    let lower = answer(Behaviour::LowercaseBearer).await;
    assert_eq!(lower["token_type"], "bearer");
    assert_eq!(lower["expires_in"], "3600");
    assert_eq!(
        answer(Behaviour::UppercaseBearer).await["token_type"],
        "BEARER"
    );
    let none = answer(Behaviour::NoAccessToken).await;
    assert!(none.get("access_token").is_none(), "{none}");

    // A token issued under an odd scope text still opens the API.
    let token = answer(Behaviour::ScopeEmpty).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(get(&base, &token, "/orgs").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn redirecting_token_endpoints_answer_307_with_their_target() {
    let base = serve(tiny()).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (behaviour, location) in [
        (
            Behaviour::TokenRedirects,
            sis_onboard_sandbox::MOVED_TOKEN_PATH,
        ),
        (
            Behaviour::TokenRedirectsInside,
            sis_onboard_sandbox::METADATA_TOKEN_URL,
        ),
    ] {
        let response = client
            .post(format!("{base}/campus/oauth2/token?appName=sandbox"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("authorization", basic(behaviour.client_id(), DEMO_SECRET))
            .body("grant_type=client_credentials")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
        assert_eq!(response.headers()["location"], location);
    }
}

#[tokio::test]
async fn ignoring_filter_lists_schools_before_the_district() {
    let (base, token) = connect(tiny(), Behaviour::IgnoresFilter).await;
    let response = get(&base, &token, "/orgs?filter=type%3D%27district%27&limit=1").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-total-count"], "3");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["orgs"][0]["type"], "school", "{body}");
    let all: Value = get(&base, &token, "/orgs").await.json().await.unwrap();
    assert_eq!(all["orgs"][2]["type"], "district", "{all}");
}

#[tokio::test]
async fn without_a_district_org_orgs_are_parentless_schools() {
    let (base, token) = connect(tiny(), Behaviour::NoDistrictOrg).await;
    let response = get(&base, &token, "/orgs?filter=type%3D%27district%27&limit=1").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-total-count"], "0");
    let all: Value = get(&base, &token, "/orgs").await.json().await.unwrap();
    let orgs = all["orgs"].as_array().unwrap();
    assert_eq!(orgs.len(), 2, "{all}");
    for org in orgs {
        assert_eq!(org["type"], "school", "{all}");
        assert!(org.get("parent").is_none(), "{all}");
    }
    let district = get(&base, &token, "/orgs/district-1").await;
    assert_eq!(district.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn basic_refused_takes_the_credentials_only_from_the_body() {
    let config = tiny();
    let seen = config.token_requests.clone();
    let base = serve(config).await;
    let id = Behaviour::BasicRefused.client_id();
    let basic_answer = token_for(&base, Behaviour::BasicRefused).await;
    assert_eq!(basic_answer.status(), StatusCode::BAD_REQUEST);
    let body: Value = basic_answer.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request", "{body}");
    let form = format!("grant_type=client_credentials&client_id={id}&client_secret={DEMO_SECRET}");
    let form_answer = token_request(&base, "sandbox", None, &form).await;
    assert_eq!(form_answer.status(), StatusCode::OK);
    assert_eq!(seen.of(id), [CredentialsIn::Basic, CredentialsIn::FormBody]);
}

#[tokio::test]
async fn one_school_lists_a_single_school() {
    let (base, token) = connect(tiny(), Behaviour::OneSchool).await;
    let response = get(&base, &token, "/schools").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-total-count"], "1");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["orgs"].as_array().unwrap().len(), 1, "{body}");
}

#[tokio::test]
async fn huge_token_answer_is_past_the_proxys_cap() {
    let base = serve(tiny()).await;
    let response = token_for(&base, Behaviour::HugeTokenAnswer).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.bytes().await.unwrap();
    assert!(body.len() > HUGE_TOKEN_ANSWER_BYTES, "{}", body.len());
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert!(json["access_token"].is_string());
}

#[tokio::test]
async fn cut_mid_body_sends_a_status_then_drops_the_body() {
    let (base, token) = connect(tiny(), Behaviour::CutMidBody).await;
    let response = get(&base, &token, "/orgs").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.bytes().await.is_err());
}

#[tokio::test]
async fn hostile_names_carry_bidi_controls_and_length() {
    let (base, token) = connect(tiny(), Behaviour::HostileNames).await;
    let body: Value = get(&base, &token, "/orgs?filter=type%3D%27district%27")
        .await
        .json()
        .await
        .unwrap();
    let name = body["orgs"][0]["name"].as_str().unwrap();
    assert!(name.starts_with('\u{202E}'), "{name:?}");
    assert!(name.contains('\n'), "{name:?}");
    assert!(name.chars().count() > 300, "{name:?}");
}

#[tokio::test]
async fn a_connection_switched_at_run_time_fails_and_recovers() {
    let (base, token) = connect(tiny(), Behaviour::Working).await;
    let control = format!("{base}/control/connections/sandbox-client-id/behaviour");
    let client = reqwest::Client::new();
    let switch = |to: &str| {
        client
            .put(&control)
            .json(&serde_json::json!({ "behaviour": to }))
            .send()
    };

    // Switched off in Infinite Campus: the token already issued stops working...
    assert_eq!(
        switch("sandbox-inactive").await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        get(&base, &token, "/orgs").await.status(),
        StatusCode::FORBIDDEN
    );
    // ...and a rotated secret refuses new tokens.
    switch("sandbox-wrong-secret").await.unwrap();
    let refused = token_for(&base, Behaviour::Working).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    // Back to its own behaviour.
    let restored = client.delete(&control).send().await.unwrap();
    assert_eq!(restored.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        token_for(&base, Behaviour::Working).await.status(),
        StatusCode::OK
    );
    assert_eq!(get(&base, &token, "/orgs").await.status(), StatusCode::OK);

    // Unknown names are refused and say what to use.
    let unknown = switch("broken").await.unwrap();
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    assert!(
        unknown
            .text()
            .await
            .unwrap()
            .contains("sandbox-wrong-secret")
    );
    let missing = client
        .put(format!("{base}/control/connections/nobody/behaviour"))
        .json(&serde_json::json!({ "behaviour": "sandbox-inactive" }))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
