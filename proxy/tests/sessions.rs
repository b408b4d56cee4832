//! The proxy over real HTTP on loopback with a real SQLite file: health, and sessions from
//! the vendor's backend to the wizard.
#![allow(clippy::unwrap_used, missing_docs)]

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sis_onboard_protocol::{SOURCE_CATALOG, source_option, source_options};
use sis_onboard_proxy::api_keys::{ApiKey, Scope};
use sis_onboard_proxy::{AppState, Config, Store, app};

mod common;
use common::{TestStore, test_stores};

const API_KEY: &str = "sk_test_vendor_4Jq8Zr2Lw6Nb1Xc9Vm3";
/// A key of the sync worker's kind: it reads connections, it opens no session.
const READ_ONLY_KEY: &str = "sk_test_reader_8Hs2Kd7Qp4Wm9Tz1Bx5";

struct Running {
    base: String,
    _store: TestStore,
}

/// The proxy on every test store, one after the other.
async fn serve_each(session_lifetime: Duration) -> Vec<Running> {
    let mut running = Vec::new();
    for store in test_stores().await {
        running.push(serve_on(store, session_lifetime).await);
    }
    running
}

async fn serve_on(test_store: TestStore, session_lifetime: Duration) -> Running {
    let store = Store::open(&test_store.url)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", test_store.backend));
    let mut config = Config::new(vec![
        ApiKey::new("test", API_KEY).unwrap(),
        ApiKey::new("reader", READ_ONLY_KEY)
            .unwrap()
            .with_scopes(&[Scope::ConnectionsRead]),
    ]);
    config.session_lifetime = session_lifetime;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(sis_onboard_proxy::server::serve(
        listener,
        app(AppState::new(config, store).unwrap()),
        sis_onboard_proxy::server::ServerLimits::default(),
        std::future::pending(),
    ));
    Running {
        base: format!("http://{addr}"),
        _store: test_store,
    }
}

async fn open_session(base: &str, key: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/v1/sessions"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn acme() -> Value {
    json!({
        "tenant_id": "district-42",
        "display_name": "Acme Learning",
        "allowed_origins": ["https://app.acme.test"],
        "support_contact": "help@acme.test"
    })
}

#[tokio::test]
async fn health_check_answers_ok() {
    for proxy in serve_each(Config::DEFAULT_SESSION_LIFETIME).await {
        let response = reqwest::get(format!("{}/healthz", proxy.base))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.json::<Value>().await.unwrap()["status"], "ok");
    }
}

#[tokio::test]
async fn the_wizard_reads_the_session_the_vendor_opened() {
    for proxy in serve_each(Config::DEFAULT_SESSION_LIFETIME).await {
        let created = open_session(&proxy.base, API_KEY, acme()).await;
        assert_eq!(created.status(), StatusCode::CREATED);
        let created: Value = created.json().await.unwrap();
        let token = created["session_token"].as_str().unwrap();
        assert!(
            token.starts_with("sos_") && token.len() >= 4 + 43,
            "256 random bits, base64url"
        );

        let session = read_session(&proxy.base, token).await;
        assert_eq!(session["display_name"], "Acme Learning");
        assert_eq!(session["support_contact"], "help@acme.test");
        assert_eq!(session["expires_at"], created["expires_at"]);
    }
}

#[tokio::test]
async fn opening_a_session_needs_the_api_key_and_a_name() {
    for proxy in serve_each(Config::DEFAULT_SESSION_LIFETIME).await {
        let wrong_key = open_session(&proxy.base, "sk_test_guess", acme()).await;
        assert_eq!(wrong_key.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            wrong_key.json::<Value>().await.unwrap()["code"],
            "invalid_api_key"
        );

        let mut nameless = acme();
        nameless["display_name"] = json!("  ");
        let response = open_session(&proxy.base, API_KEY, nameless).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["code"], "bad_request");
        assert_eq!(error["field"], "display_name");

        let malformed = reqwest::Client::new()
            .post(format!("{}/v1/sessions", proxy.base))
            .bearer_auth(API_KEY)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn unknown_and_expired_sessions_are_told_apart() {
    for proxy in serve_each(Duration::ZERO).await {
        let created: Value = open_session(&proxy.base, API_KEY, acme())
            .await
            .json()
            .await
            .unwrap();
        let read = |token: String| {
            reqwest::Client::new()
                .get(format!("{}/v1/session", proxy.base))
                .bearer_auth(token)
                .send()
        };
        let expired = read(created["session_token"].as_str().unwrap().to_owned())
            .await
            .unwrap();
        assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            expired.json::<Value>().await.unwrap()["code"],
            "session_expired"
        );

        let unknown = read("sos_not-a-real-token".to_owned()).await.unwrap();
        assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            unknown.json::<Value>().await.unwrap()["code"],
            "invalid_session"
        );
    }
}

#[tokio::test]
async fn browser_calls_are_held_to_the_sessions_origins() {
    for proxy in serve_each(Config::DEFAULT_SESSION_LIFETIME).await {
        let created: Value = open_session(&proxy.base, API_KEY, acme())
            .await
            .json()
            .await
            .unwrap();
        let token = created["session_token"].as_str().unwrap().to_owned();
        let read = |origin: &'static str| {
            reqwest::Client::new()
                .get(format!("{}/v1/session", proxy.base))
                .bearer_auth(&token)
                .header("origin", origin)
                .send()
        };

        let allowed = read("https://app.acme.test").await.unwrap();
        assert_eq!(allowed.status(), StatusCode::OK);
        assert_eq!(
            allowed.headers()["access-control-allow-origin"],
            "https://app.acme.test"
        );
        assert_eq!(allowed.headers()["vary"], "Origin");

        let other = read("https://evil.example").await.unwrap();
        assert_eq!(other.status(), StatusCode::FORBIDDEN);
        assert!(
            other.headers().get("access-control-allow-origin").is_none(),
            "{:?}",
            other.headers()
        );
        assert_eq!(
            other.json::<Value>().await.unwrap()["code"],
            "origin_not_allowed"
        );

        let preflight = reqwest::Client::new()
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/v1/validate", proxy.base),
            )
            .header("origin", "https://app.acme.test")
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
            .await
            .unwrap();
        assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            preflight.headers()["access-control-allow-origin"],
            "https://app.acme.test"
        );
        assert!(
            preflight.headers()["access-control-allow-headers"]
                .to_str()
                .unwrap()
                .contains("authorization")
        );
    }
}

#[tokio::test]
async fn allowed_origins_must_be_origins() {
    for proxy in serve_each(Config::DEFAULT_SESSION_LIFETIME).await {
        let mut body = acme();
        body["allowed_origins"] = json!(["https://app.acme.test/onboarding"]);
        let response = open_session(&proxy.base, API_KEY, body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            response.json::<Value>().await.unwrap()["field"],
            "allowed_origins"
        );
    }
}

#[tokio::test]
async fn every_answer_has_security_headers_and_bodies_are_capped() {
    for proxy in serve_each(Config::DEFAULT_SESSION_LIFETIME).await {
        let health = reqwest::get(format!("{}/healthz", proxy.base))
            .await
            .unwrap();
        for (name, value) in [
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "no-referrer"),
            ("x-frame-options", "DENY"),
        ] {
            assert_eq!(health.headers()[name], value, "{name}");
        }
        let mut big = acme();
        big["support_contact"] = json!("x".repeat(sis_onboard_proxy::BODY_LIMIT_BYTES));
        let response = open_session(&proxy.base, API_KEY, big).await;
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
}

async fn read_session(base: &str, token: &str) -> Value {
    let response = reqwest::Client::new()
        .get(format!("{base}/v1/session"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_session_offers_what_the_vendor_chose() {
    for proxy in serve_each(Config::DEFAULT_SESSION_LIFETIME).await {
        let mut chosen = acme();
        chosen["regions"] = json!(["eu", "us"]);
        chosen["sources"] = json!(["powerschool", "infinite_campus"]);
        chosen["strategies"] = json!(["oneroster_api"]);
        chosen["extract_name_prefix"] = json!("Acme");
        let created: Value = open_session(&proxy.base, API_KEY, chosen)
            .await
            .json()
            .await
            .unwrap();
        let token = created["session_token"].as_str().unwrap();
        let session = read_session(&proxy.base, token).await;
        assert_eq!(
            session["regions"],
            json!([
                {"id": "eu", "label": "European Union",
                 "labels": {"es": "Unión Europea", "fr": "Union européenne"}},
                {"id": "us", "label": "United States",
                 "labels": {"es": "Estados Unidos", "fr": "États-Unis"}}
            ])
        );
        assert_eq!(
            session["sources"],
            json!([
                source_option("powerschool"),
                source_option("infinite_campus")
            ])
        );
        assert_eq!(session["sources"][0]["implemented"], false);
        assert_eq!(session["sources"][0]["strategies"], json!([]));
        assert_eq!(session["sources"][1]["implemented"], true);
        assert_eq!(
            session["sources"][1]["strategies"],
            json!(["oneroster_api", "custom_data_extract"])
        );
        assert_eq!(session["strategies"], json!(["oneroster_api"]));
        assert_eq!(session["extract_name_prefix"], "Acme");
        let id = session["session_id"].as_str().unwrap();
        assert!(
            id.len() >= 16 && !token.contains(id),
            "a public id, not the token"
        );
    }
}

#[tokio::test]
async fn a_session_that_chooses_nothing_offers_everything() {
    let proxy = serve_each(Config::DEFAULT_SESSION_LIFETIME).await.remove(0);
    let created: Value = open_session(&proxy.base, API_KEY, acme())
        .await
        .json()
        .await
        .unwrap();
    let session = read_session(&proxy.base, created["session_token"].as_str().unwrap()).await;
    let ids = |list: &Value, key: &str| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|v| v[key].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&session["regions"], "id"), ["us", "ca", "eu"]);
    assert_eq!(
        ids(&session["sources"], "id").len(),
        sis_onboard_protocol::SOURCE_CATALOG.len()
    );
    assert_eq!(session["sources"][0]["id"], "infinite_campus");
    assert_eq!(
        session["strategies"],
        json!(["oneroster_api", "custom_data_extract"])
    );
    assert_eq!(session["extract_name_prefix"], "AcmeLearning");
}

#[tokio::test]
async fn a_session_offer_the_proxy_cannot_keep_is_refused() {
    let proxy = serve_each(Config::DEFAULT_SESSION_LIFETIME).await.remove(0);
    for (key, value, field) in [
        ("regions", json!(["us", "mars"]), "regions"),
        ("regions", json!(["us", "us"]), "regions"),
        ("sources", json!(["blackboard"]), "sources"),
        ("sources", json!(["powerschool", "skyward"]), "sources"),
        (
            "extract_name_prefix",
            json!("Acme Learning"),
            "extract_name_prefix",
        ),
        ("extract_name_prefix", json!(""), "extract_name_prefix"),
    ] {
        let mut request = acme();
        request[key] = value.clone();
        let response = open_session(&proxy.base, API_KEY, request).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{key}: {value}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["field"], field, "{key}: {value}: {error}");
        assert!(!error["message"].as_str().unwrap().is_empty());
    }
    let mut unknown_strategy = acme();
    unknown_strategy["strategies"] = json!(["carrier_pigeon"]);
    let response = open_session(&proxy.base, API_KEY, unknown_strategy).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

/// Custom Data Extracts are Infinite Campus's: a session whose only source is another
/// OneRoster provider must offer the OneRoster API, and with the default strategies it does.
#[tokio::test]
async fn a_generic_provider_is_offered_by_the_oneroster_api_only() {
    for proxy in serve_each(Config::DEFAULT_SESSION_LIFETIME).await {
        let mut extracts_only = acme();
        extracts_only["sources"] = json!(["oneroster_generic"]);
        extracts_only["strategies"] = json!(["custom_data_extract"]);
        let refused = open_session(&proxy.base, API_KEY, extracts_only).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let error: Value = refused.json().await.unwrap();
        assert_eq!(error["code"], "bad_request", "{error}");
        assert_eq!(error["field"], "strategies", "{error}");

        let mut generic = acme();
        generic["sources"] = json!(["oneroster_generic"]);
        let created = open_session(&proxy.base, API_KEY, generic).await;
        assert_eq!(created.status(), StatusCode::CREATED);
        let created: Value = created.json().await.unwrap();
        let session = read_session(&proxy.base, created["session_token"].as_str().unwrap()).await;
        assert_eq!(
            session["sources"],
            json!([source_option("oneroster_generic")])
        );
        assert_eq!(session["sources"][0]["implemented"], true);
        assert_eq!(
            session["sources"][0]["strategies"],
            json!(["oneroster_api"])
        );

        // Named beside Infinite Campus in a Custom Data Extract-only session, it could be
        // chosen and never completed: refused, naming it.
        let mut both = acme();
        both["sources"] = json!(["infinite_campus", "oneroster_generic"]);
        both["strategies"] = json!(["custom_data_extract"]);
        let refused = open_session(&proxy.base, API_KEY, both).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let error: Value = refused.json().await.unwrap();
        assert_eq!(error["field"], "strategies", "{error}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("'oneroster_generic' connects only by [\"oneroster_api\"]"),
            "{error}"
        );
        // Not named, the whole catalog is offered but for it; sources not connectable yet
        // stay listed.
        let mut extracts = acme();
        extracts["strategies"] = json!(["custom_data_extract"]);
        let created = open_session(&proxy.base, API_KEY, extracts).await;
        assert_eq!(created.status(), StatusCode::CREATED);
        let created: Value = created.json().await.unwrap();
        let session = read_session(&proxy.base, created["session_token"].as_str().unwrap()).await;
        let ids: Vec<&str> = session["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        let expected: Vec<&str> = SOURCE_CATALOG
            .iter()
            .map(|s| s.id)
            .filter(|id| *id != "oneroster_generic")
            .collect();
        assert_eq!(ids, expected);
    }
}

/// `GET /v1/sources`: the whole catalog, in order, for a key that may open sessions.
#[tokio::test]
async fn the_vendor_reads_the_source_catalog() {
    let proxy = serve_each(Config::DEFAULT_SESSION_LIFETIME).await.remove(0);
    let get = |key: Option<&str>| {
        let mut request = reqwest::Client::new().get(format!("{}/v1/sources", proxy.base));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        request.send()
    };
    let response = get(Some(API_KEY)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let sources: Value = response.json().await.unwrap();
    let ids: Vec<&str> = sources
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let catalog: Vec<&str> = SOURCE_CATALOG.iter().map(|s| s.id).collect();
    assert_eq!(ids, catalog, "every catalog id, in catalog order");
    assert_eq!(sources, json!(source_options()));
    let by_id = |id: &str| {
        sources
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()
            .clone()
    };
    let generic = by_id("oneroster_generic");
    assert_eq!(generic["name"], "Other OneRoster 1.2 provider");
    assert_eq!(generic["implemented"], true);
    assert_eq!(generic["strategies"], json!(["oneroster_api"]));
    assert!(!generic["needs"].as_str().unwrap().is_empty());
    let powerschool = by_id("powerschool");
    assert_eq!(powerschool["implemented"], false);
    assert_eq!(powerschool["strategies"], json!([]));
    assert_eq!(
        by_id("infinite_campus")["strategies"],
        json!(["oneroster_api", "custom_data_extract"])
    );

    let anonymous = get(None).await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        anonymous.json::<Value>().await.unwrap()["code"],
        "invalid_api_key"
    );
    let reader = get(Some(READ_ONLY_KEY)).await.unwrap();
    assert_eq!(reader.status(), StatusCode::FORBIDDEN);
    let error: Value = reader.json().await.unwrap();
    assert_eq!(error["code"], "key_scope_missing", "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("sessions:write"),
        "{error}"
    );
}

#[tokio::test]
async fn the_proxy_serves_its_openapi_document() {
    let proxy = serve_each(Config::DEFAULT_SESSION_LIFETIME).await.remove(0);
    let response = reqwest::get(format!("{}/v1/openapi.json", proxy.base))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let served = response.text().await.unwrap();
    assert_eq!(
        served,
        include_str!("../openapi.json"),
        "the checked-in file is served"
    );
    let document: Value = serde_json::from_str(&served).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
}

#[tokio::test]
async fn the_binary_reads_regions_with_their_labels_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("regions.txt");
    std::fs::write(
        &file,
        "# id=Label|lang:Label\nca=Canada|fr:Canada (Québec)|es:Canadá\n\nus=United States\n",
    )
    .unwrap();
    let proxy =
        common::binary::proxy_binary(&["--regions-file".into(), file.display().to_string()]);
    let token = common::harness::open_session(&proxy.url).await;
    let session = read_session(&proxy.url, &token).await;
    assert_eq!(
        session["regions"],
        json!([
            {"id": "ca", "label": "Canada", "labels": {"es": "Canadá", "fr": "Canada (Québec)"}},
            {"id": "us", "label": "United States"}
        ])
    );

    std::fs::write(&file, "ca=Canada\nus=United States|Estados Unidos\n").unwrap();
    let mut command = common::binary::proxy_command(dir.path());
    command.args(["--regions-file".into(), file.display().to_string()]);
    let stderr = common::binary::refused_start(command);
    assert!(
        stderr.contains("line 2") && stderr.contains("lang:Label"),
        "{stderr}"
    );
}
