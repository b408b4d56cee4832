//! The sandbox as a generic OneRoster 1.2 server: `/oauth/token` with no `appName`, the
//! rostering API at the host's root, the same district and behaviours as Infinite Campus'
//! paths, and the token answers other servers give.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{basic, code_minor, generic_token_request, serve, tiny, token_request};
use reqwest::StatusCode;
use serde_json::Value;
use sis_onboard_sandbox::{
    Behaviour, CredentialsIn, DEMO_SECRET, GENERIC_BASE_PATH, GENERIC_MOVED_TOKEN_PATH,
    GENERIC_TOKEN_PATH, METADATA_TOKEN_URL,
};

const CLIENT_ID: &str = "sandbox-client-id";

/// A client-credentials request body naming the core roster scope, as a generic server
/// requires a scope.
const GRANT: &str = "grant_type=client_credentials&scope=https%3A%2F%2Fpurl.imsglobal.org%2Fspec%2For%2Fv1p2%2Fscope%2Froster-core.readonly";

fn form_credentials(id: &str, secret: &str) -> String {
    format!("{GRANT}&client_id={id}&client_secret={secret}")
}

/// A token for `behaviour`'s connection from the generic endpoint, by HTTP Basic.
async fn generic_token(base: &str, behaviour: Behaviour) -> String {
    let response =
        generic_token_request(base, Some(basic(behaviour.client_id(), DEMO_SECRET)), GRANT).await;
    assert_eq!(response.status(), StatusCode::OK, "{behaviour:?}");
    let answer: Value = response.json().await.unwrap();
    answer["access_token"].as_str().unwrap().to_owned()
}

async fn get(base: &str, token: &str, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{base}{GENERIC_BASE_PATH}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[test]
fn the_generic_paths_are_oneroster_s_own_at_the_host_root() {
    assert_eq!(GENERIC_BASE_PATH, "/ims/oneroster/rostering/v1p2");
    assert_eq!(GENERIC_TOKEN_PATH, "/oauth/token");
}

#[tokio::test]
async fn basic_credentials_get_a_lower_case_bearer_without_scope_and_no_app_name() {
    let base = serve(tiny()).await;
    let response = generic_token_request(&base, Some(basic(CLIENT_ID, DEMO_SECRET)), GRANT).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/json;charset=UTF-8"
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["token_type"], "bearer", "{answer}");
    assert_eq!(answer["expires_in"], 3600, "{answer}");
    assert!(answer.get("scope").is_none(), "{answer}");
    let access = answer["access_token"].as_str().unwrap();
    assert_eq!(access.split('.').count(), 3, "header.payload.signature");
}

#[tokio::test]
async fn form_body_credentials_are_accepted_too() {
    let config = tiny();
    let seen = config.token_requests.clone();
    let base = serve(config).await;
    let response =
        generic_token_request(&base, None, &form_credentials(CLIENT_ID, DEMO_SECRET)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["token_type"], "bearer", "{answer}");
    assert_eq!(seen.of(CLIENT_ID), [CredentialsIn::FormBody]);
}

#[tokio::test]
async fn a_generic_token_reads_the_district_at_the_host_root() {
    let base = serve(tiny()).await;
    let token = generic_token(&base, Behaviour::Working).await;

    let orgs = get(&base, &token, "/orgs?limit=2&offset=1").await;
    assert_eq!(orgs.status(), StatusCode::OK);
    assert_eq!(orgs.headers()["x-total-count"], "3");
    let link = orgs.headers()["link"].to_str().unwrap().to_owned();
    assert!(
        link.contains(&format!("<{GENERIC_BASE_PATH}/orgs?")),
        "links stay on the generic path: {link}"
    );
    let body: Value = orgs.json().await.unwrap();
    assert_eq!(
        body["orgs"][0]["type"], "school",
        "offset 1 skips the district"
    );

    // The same district as Infinite Campus' paths serve.
    for (path, key, total) in [
        ("/schools", "orgs", "2"),
        ("/students?limit=1", "users", "24"),
        ("/teachers?limit=1", "users", "4"),
        ("/classes?limit=1", "classes", "12"),
    ] {
        let response = get(&base, &token, path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["x-total-count"], total, "{path}");
        let body: Value = response.json().await.unwrap();
        assert!(body[key].is_array(), "{path}: {body}");
    }
    let campus = reqwest::Client::new()
        .get(format!(
            "{base}/campus/api/ims/oneroster/rostering/v1p2/students?limit=1"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(campus.headers()["x-total-count"], "24");
    let district: Value = get(&base, &token, "/orgs/district-1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(district["org"]["type"], "district", "{district}");
    // The grant is what was asked for (the core scope), though the answer names none.
    assert_eq!(
        get(&base, &token, "/demographics?limit=1").await.status(),
        StatusCode::FORBIDDEN,
    );
}

/// The generic server follows the IMS Security Framework to the letter: a token request
/// must name its scopes, and gets no more than the connection was given.
#[tokio::test]
async fn a_generic_token_request_must_name_scopes_the_connection_has() {
    let base = serve(tiny()).await;
    let good = || Some(basic(CLIENT_ID, DEMO_SECRET));
    let unnamed = generic_token_request(&base, good(), "grant_type=client_credentials").await;
    assert_eq!(unnamed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        unnamed.json::<Value>().await.unwrap()["error"],
        "invalid_request"
    );
    let gradebook = format!(
        "grant_type=client_credentials&scope={}",
        sis_onboard_sandbox::SCOPE_GRADEBOOK
            .replace(':', "%3A")
            .replace('/', "%2F")
    );
    let more = generic_token_request(&base, good(), &gradebook).await;
    assert_eq!(
        more.json::<Value>().await.unwrap()["error"],
        "invalid_scope"
    );
    // The demographics behaviour's connection has no demographics scope to give.
    let demographics = "grant_type=client_credentials&scope=https%3A%2F%2Fpurl.imsglobal.org%2Fspec%2For%2Fv1p2%2Fscope%2Froster-demographics.readonly";
    let refused = generic_token_request(
        &base,
        Some(basic(
            Behaviour::NoDemographicsScope.client_id(),
            DEMO_SECRET,
        )),
        demographics,
    )
    .await;
    assert_eq!(
        refused.json::<Value>().await.unwrap()["error"],
        "invalid_scope"
    );
    let granted = generic_token_request(&base, good(), demographics).await;
    assert_eq!(granted.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_generic_api_refuses_missing_and_forged_tokens() {
    let base = serve(tiny()).await;
    let token = generic_token(&base, Behaviour::Working).await;
    let missing = reqwest::Client::new()
        .get(format!("{base}{GENERIC_BASE_PATH}/orgs"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    let forged = get(&base, &format!("{token}x"), "/orgs").await;
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let body: Value = forged.json().await.unwrap();
    assert_eq!(code_minor(&body), "unauthorisedrequest", "{body}");
}

#[tokio::test]
async fn refused_credentials_are_invalid_client_401_for_basic_400_for_the_form() {
    let base = serve(tiny()).await;
    let by_basic = generic_token_request(&base, Some(basic(CLIENT_ID, "nope")), GRANT).await;
    assert_eq!(by_basic.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(by_basic.headers()["www-authenticate"], "Basic");
    assert_eq!(
        by_basic.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );

    let by_form = generic_token_request(&base, None, &form_credentials(CLIENT_ID, "nope")).await;
    assert_eq!(by_form.status(), StatusCode::BAD_REQUEST);
    assert!(by_form.headers().get("www-authenticate").is_none());
    assert_eq!(
        by_form.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );

    let unknown =
        generic_token_request(&base, Some(basic("no-such-client", DEMO_SECRET)), GRANT).await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);

    let wrong_grant = generic_token_request(
        &base,
        Some(basic(CLIENT_ID, DEMO_SECRET)),
        "grant_type=password",
    )
    .await;
    assert_eq!(wrong_grant.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        wrong_grant.json::<Value>().await.unwrap()["error"],
        "unsupported_grant_type"
    );
}

#[tokio::test]
async fn the_wrong_secret_behaviour_refuses_even_the_demo_secret() {
    let base = serve(tiny()).await;
    let id = Behaviour::WrongSecret.client_id();
    let by_basic = generic_token_request(&base, Some(basic(id, DEMO_SECRET)), GRANT).await;
    assert_eq!(by_basic.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        by_basic.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );
    let by_form = generic_token_request(&base, None, &form_credentials(id, DEMO_SECRET)).await;
    assert_eq!(
        by_form.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );
}

#[tokio::test]
async fn api_behaviours_apply_on_the_generic_base_path() {
    let base = serve(tiny()).await;

    let inactive = generic_token(&base, Behaviour::Inactive).await;
    let response = get(&base, &inactive, "/orgs").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(code_minor(&response.json().await.unwrap()), "forbidden");

    let no_data = generic_token(&base, Behaviour::NoDataShared).await;
    let response = get(&base, &no_data, "/schools").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-total-count"], "0");

    let one_roster_11 = generic_token(&base, Behaviour::OneRoster11).await;
    let response = get(&base, &one_roster_11, "/orgs").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // A connection without the roster scopes gets no token that asks for them.
    let no_roster = generic_token_request(
        &base,
        Some(basic(Behaviour::NoRosterScope.client_id(), DEMO_SECRET)),
        GRANT,
    )
    .await;
    assert_eq!(no_roster.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        no_roster.json::<Value>().await.unwrap()["error"],
        "invalid_scope"
    );

    let limited = generic_token(&base, Behaviour::RateLimited).await;
    let response = get(&base, &limited, "/orgs").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "30");
}

#[tokio::test]
async fn token_behaviours_apply_on_the_generic_endpoint() {
    let config = tiny();
    let seen = config.token_requests.clone();
    let base = serve(config).await;

    // Basic refused, then the form body taken: what the proxy's fallback needs.
    let id = Behaviour::BasicRefused.client_id();
    let by_basic = generic_token_request(&base, Some(basic(id, DEMO_SECRET)), GRANT).await;
    assert_eq!(by_basic.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        by_basic.json::<Value>().await.unwrap()["error"],
        "invalid_request"
    );
    let by_form = generic_token_request(&base, None, &form_credentials(id, DEMO_SECRET)).await;
    assert_eq!(by_form.status(), StatusCode::OK);
    assert_eq!(seen.of(id), [CredentialsIn::Basic, CredentialsIn::FormBody]);

    for (behaviour, location) in [
        (Behaviour::TokenRedirects, GENERIC_MOVED_TOKEN_PATH),
        (Behaviour::TokenRedirectsInside, METADATA_TOKEN_URL),
    ] {
        let response = generic_token_request(
            &base,
            Some(basic(behaviour.client_id(), DEMO_SECRET)),
            GRANT,
        )
        .await;
        assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
        assert_eq!(response.headers()["location"], location);
    }

    let answer = |behaviour: Behaviour| {
        let base = base.clone();
        async move {
            let response = generic_token_request(
                &base,
                Some(basic(behaviour.client_id(), DEMO_SECRET)),
                GRANT,
            )
            .await;
            assert_eq!(response.status(), StatusCode::OK, "{behaviour:?}");
            response.json::<Value>().await.unwrap()
        }
    };
    assert_eq!(
        answer(Behaviour::UppercaseBearer).await["token_type"],
        "BEARER"
    );
    assert_eq!(answer(Behaviour::ScopeEmpty).await["scope"], "");
    assert!(
        answer(Behaviour::NoAccessToken)
            .await
            .get("access_token")
            .is_none()
    );
    assert_eq!(
        answer(Behaviour::LowercaseBearer).await["expires_in"],
        "3600"
    );
}

#[tokio::test]
async fn a_connection_switched_at_run_time_fails_on_the_generic_shape_too() {
    let config = tiny();
    let overrides = config.overrides.clone();
    let base = serve(config).await;
    let token = generic_token(&base, Behaviour::Working).await;
    overrides.set(CLIENT_ID, Behaviour::Inactive);
    assert_eq!(
        get(&base, &token, "/orgs").await.status(),
        StatusCode::FORBIDDEN
    );
    overrides.clear(CLIENT_ID);
    assert_eq!(get(&base, &token, "/orgs").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn infinite_campus_paths_keep_their_own_rules() {
    let base = serve(tiny()).await;
    let good = || Some(basic(CLIENT_ID, DEMO_SECRET));
    let client = reqwest::Client::new();

    // Infinite Campus' endpoint still needs its appName (tests/http.rs), and still answers
    // in its own shape.
    let campus = token_request(&base, "sandbox", good(), "grant_type=client_credentials").await;
    let answer: Value = campus.json().await.unwrap();
    assert_eq!(answer["token_type"], "Bearer", "{answer}");
    assert!(answer["scope"].is_string(), "{answer}");
    let by_form = token_request(&base, "sandbox", None, &form_credentials(CLIENT_ID, "nope")).await;
    assert_eq!(by_form.status(), StatusCode::UNAUTHORIZED);

    // `/oauth/token`, not `/oauth2/token`, at the host's root.
    let oauth2 = client
        .post(format!("{base}/oauth2/token"))
        .header("authorization", good().unwrap())
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(oauth2.status(), StatusCode::NOT_FOUND);
}
