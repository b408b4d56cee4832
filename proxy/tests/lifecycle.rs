//! A connection's life after onboarding (issue 18 items 3 and 4): a repair session replaces
//! the credentials of the same connection, and health checks notice a connection that
//! starts failing and recovers, each change with its webhook event in the outbox.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::harness::{API_KEY, Harness, call};
use common::test_stores;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sis_onboard_protocol::{Strategy, WebhookEventType};
use sis_onboard_proxy::Config;
use sis_onboard_proxy::health_checks::{HealthSettings, spawn_health_checker};
use sis_onboard_proxy::store::{DeliveryFilter, NewConnection};
use sis_onboard_proxy::webhooks::{self, Endpoints};
use sis_onboard_sandbox::{Behaviour, DEMO_SECRET};

/// An endpoint for every event, on the sandbox's allowed address: no worker runs in these
/// tests, so each event stays in the outbox, where the tests read it.
fn with_endpoint(config: &mut Config) {
    let port = config.net_policy.allowed_hosts[0].port.unwrap();
    let endpoints = json!([{ "id": "vendor", "url": format!("http://127.0.0.1:{port}/hooks"),
        "secrets": [{ "secret": format!("whsec_{}", "QUJD".repeat(11)) }] }]);
    config.webhooks.endpoints =
        Arc::new(Endpoints::parse_json(&endpoints.to_string(), &config.net_policy, 0).unwrap());
}

/// The types of the events in `h`'s outbox, oldest first.
async fn events(h: &Harness) -> Vec<WebhookEventType> {
    let mut deliveries = webhooks::list_deliveries(&[&h.store], &DeliveryFilter::default())
        .await
        .unwrap();
    deliveries.reverse();
    deliveries.into_iter().map(|d| d.event_type).collect()
}

/// Validates and completes the harness's session; answers the connection id.
async fn connected(h: &Harness) -> String {
    assert_eq!(h.validate(h.credentials(DEMO_SECRET)).await["passed"], true);
    Harness::connection_id(h.complete(h.credentials(DEMO_SECRET)).await).await
}

/// Opens a repair session of connection `id` for `tenant`; answers the status and body.
async fn repair_session(h: &Harness, id: &str, tenant: &str, extra: Value) -> (StatusCode, Value) {
    let mut body = json!({ "tenant_id": tenant, "display_name": "Acme", "connection_id": id });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    call(&h.proxy, Method::POST, "/v1/sessions", API_KEY, Some(body)).await
}

#[tokio::test]
async fn a_repair_keeps_the_connection_id_and_replaces_its_credentials() {
    for h in Harness::start_each(with_endpoint).await {
        let id = connected(&h).await;
        let sealed_before = h.store.sealed_secret(&id).await.unwrap().unwrap();

        let (status, opened) = repair_session(&h, &id, "d1", json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{opened}");
        let token = opened["session_token"].as_str().unwrap().to_owned();
        let (_, config) = call(&h.proxy, Method::GET, "/v1/session", &token, None).await;
        let repair = &config["repair"];
        assert_eq!(repair["connection_id"], json!(id));
        assert_eq!(repair["client_id"], "sandbox-client-id");
        assert_eq!(repair["base_url"], json!(h.base_url()));
        assert_eq!(repair["failing"], Value::Null);
        assert!(!config.to_string().contains(DEMO_SECRET));
        let regions: Vec<&str> = config["regions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(regions, ["us"]);
        assert_eq!(config["strategies"], json!(["oneroster_api"]));

        // The administrator enters a new client id and secret (another sandbox connection).
        let new_client = Behaviour::LowercaseBearer.client_id();
        let credentials = json!({ "base_url": h.base_url(), "token_url": h.token_url(),
            "client_id": new_client, "client_secret": DEMO_SECRET });
        let (_, report) = call(
            &h.proxy,
            Method::POST,
            "/v1/validate",
            &token,
            Some(credentials.clone()),
        )
        .await;
        assert_eq!(report["passed"], true, "{report}");
        let completion = json!({ "credentials": credentials, "region": "us",
            "source": "infinite_campus", "strategy": "oneroster_api", "data_sets": null });
        for _ in 0..2 {
            let (status, done) = call(
                &h.proxy,
                Method::POST,
                "/v1/complete",
                &token,
                Some(completion.clone()),
            )
            .await;
            assert_eq!(
                (status, &done["connection_id"]),
                (StatusCode::OK, &json!(id))
            );
        }

        let (_, read) = call(
            &h.proxy,
            Method::GET,
            &format!("/v1/connections/{id}/credentials"),
            API_KEY,
            None,
        )
        .await;
        assert_eq!(
            (read["client_id"].as_str(), read["client_secret"].as_str()),
            (Some(new_client), Some(DEMO_SECRET))
        );
        let (_, listed) = call(
            &h.proxy,
            Method::GET,
            "/v1/connections?tenant_id=d1",
            API_KEY,
            None,
        )
        .await;
        assert_eq!(
            listed.as_array().unwrap().len(),
            1,
            "still one connection: {listed}"
        );
        assert_eq!(
            listed[0]["health"]["passed"], true,
            "the repair's validation counts as a check"
        );
        assert_ne!(
            h.store.sealed_secret(&id).await.unwrap().unwrap(),
            sealed_before
        );
        // Written in the same millisecond, the two may list in either order.
        let written = events(&h).await;
        assert_eq!(written.len(), 2, "{written:?}");
        for expected in [
            WebhookEventType::ConnectionCreated,
            WebhookEventType::ConnectionUpdated,
        ] {
            assert!(written.contains(&expected), "{written:?}");
        }
    }
}

#[tokio::test]
async fn a_repair_session_is_refused_when_it_cannot_repair() {
    for h in Harness::start_each(|_| {}).await {
        let id = connected(&h).await;
        let cases = [
            (
                repair_session(&h, &id, "d2", json!({})).await,
                StatusCode::BAD_REQUEST,
                "tenant_id",
            ),
            (
                repair_session(&h, &id, "d1", json!({ "regions": ["eu"] })).await,
                StatusCode::BAD_REQUEST,
                "regions",
            ),
            (
                repair_session(
                    &h,
                    &id,
                    "d1",
                    json!({ "strategies": ["custom_data_extract"] }),
                )
                .await,
                StatusCode::BAD_REQUEST,
                "strategies",
            ),
            (
                repair_session(&h, "conn_nothing", "d1", json!({})).await,
                StatusCode::NOT_FOUND,
                "",
            ),
        ];
        for ((status, body), expected, field) in cases {
            assert_eq!(status, expected, "{body}");
            if !field.is_empty() {
                assert_eq!(body["field"], field, "{body}");
            }
        }
        let (status, _) = call(
            &h.proxy,
            Method::DELETE,
            &format!("/v1/connections/{id}"),
            API_KEY,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = repair_session(&h, &id, "d1", json!({})).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "a revoked connection cannot be repaired"
        );
    }
}

/// Polls the connection's health until `done` holds (or fails the test after 30 s).
async fn health_until(h: &Harness, id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (_, connection) = call(
            &h.proxy,
            Method::GET,
            &format!("/v1/connections/{id}"),
            API_KEY,
            None,
        )
        .await;
        if done(&connection["health"]) {
            return connection["health"].clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}: {connection}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn health_checks_notice_a_failing_connection_and_its_recovery() {
    for store in test_stores().await {
        let h = Harness::start_with(store, with_endpoint, |state| {
            spawn_health_checker(state.clone(), HealthSettings::every(Duration::from_secs(1)));
            state
        })
        .await;
        let id = connected(&h).await;
        let passed =
            health_until(&h, &id, "a first check", |health| health["passed"] == true).await;
        assert!(passed["district"]["name"].is_string(), "{passed}");

        // The district rotates its secret: the stored one stops working.
        switch_sandbox(&h, Some("sandbox-wrong-secret")).await;
        let failing = health_until(&h, &id, "a failed check", |health| {
            health["passed"] == false
        })
        .await;
        assert_eq!(failing["code"], "invalid_client", "{failing}");
        assert!(
            failing["message"]
                .as_str()
                .unwrap()
                .contains("Infinite Campus"),
            "an Infinite Campus connection is told in its words: {failing}"
        );
        let since = failing["failing_since"].as_i64().unwrap();
        // Checks go on failing without a second event, the first failure's time kept.
        let checked = failing["checked_at"].as_i64().unwrap();
        let again = health_until(&h, &id, "another failed check", |health| {
            health["checked_at"].as_i64().unwrap_or(0) > checked
        })
        .await;
        assert_eq!(
            (again["passed"].clone(), again["failing_since"].as_i64()),
            (json!(false), Some(since))
        );

        // A repair session explains why.
        let (_, opened) = repair_session(&h, &id, "d1", json!({})).await;
        let token = opened["session_token"].as_str().unwrap();
        let (_, config) = call(&h.proxy, Method::GET, "/v1/session", token, None).await;
        assert_eq!(
            config["repair"]["failing"]["code"], "invalid_client",
            "{config}"
        );

        // The district puts it back.
        switch_sandbox(&h, None).await;
        let recovered =
            health_until(&h, &id, "a passed check", |health| health["passed"] == true).await;
        assert_eq!(recovered["failing_since"], Value::Null);
        assert_eq!(
            events(&h).await,
            [
                WebhookEventType::ConnectionCreated,
                WebhookEventType::ConnectionFailing,
                WebhookEventType::ConnectionRecovered
            ]
        );
    }
}

/// A connection to another OneRoster provider that starts failing is explained in that
/// provider's words wherever the failure is read: its health, the `connection.failing`
/// event and the repair session.
#[tokio::test]
async fn a_failing_generic_connection_is_explained_without_infinite_campus() {
    for store in test_stores().await {
        let h = Harness::start_with(store, with_endpoint, |state| {
            spawn_health_checker(state.clone(), HealthSettings::every(Duration::from_secs(1)));
            state
        })
        .await;
        let mut credentials = h.credentials(DEMO_SECRET);
        credentials["source"] = json!("oneroster_generic");
        assert_eq!(h.validate(credentials.clone()).await["passed"], true);
        let id = Harness::connection_id(
            h.complete_as(credentials, "us", "oneroster_generic", "oneroster_api")
                .await,
        )
        .await;
        health_until(&h, &id, "a first check", |health| health["passed"] == true).await;

        switch_sandbox(&h, Some("sandbox-wrong-secret")).await;
        let failing = health_until(&h, &id, "a failed check", |health| {
            health["passed"] == false
        })
        .await;
        assert_eq!(failing["code"], "invalid_client", "{failing}");
        let message = failing["message"].as_str().unwrap().to_owned();
        assert!(
            !message.contains("Infinite Campus") && !message.contains("appName"),
            "{message}"
        );
        assert!(message.contains("OneRoster provider"), "{message}");

        // The event the vendor's backend receives says the same.
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let claimed = h
            .store
            .claim_deliveries("lifecycle-test", now_ms + 60_000, now_ms + 120_000, 100)
            .await
            .unwrap();
        let event: Value = claimed
            .iter()
            .map(|delivery| serde_json::from_str::<Value>(&delivery.payload).unwrap())
            .find(|payload| payload["type"] == "connection.failing")
            .unwrap_or_else(|| panic!("no connection.failing event: {claimed:?}"));
        assert_eq!(
            event["data"]["failure"],
            json!({ "code": "invalid_client", "message": message }),
            "{event}"
        );

        // And so does a repair session.
        let (_, opened) = repair_session(&h, &id, "d1", json!({})).await;
        let token = opened["session_token"].as_str().unwrap();
        let (_, config) = call(&h.proxy, Method::GET, "/v1/session", token, None).await;
        assert_eq!(
            config["repair"]["failing"]["message"],
            json!(message),
            "{config}"
        );
    }
}

fn connection(id: &str, created_at: i64) -> NewConnection {
    NewConnection {
        id: id.to_owned(),
        session_hash: id.as_bytes().to_vec(),
        tenant_id: "d1".into(),
        region: "us".into(),
        source: "infinite_campus".into(),
        strategy: Strategy::OneRosterApi,
        base_url: "https://district.example/campus/api/ims/oneroster/rostering/v1p2".into(),
        token_url: "https://district.example/campus/oauth2/token".into(),
        client_id: "client".into(),
        secret_sealed: b"sealed".to_vec(),
        district_name: "Springfield".into(),
        counts: "{}".into(),
        extract_plan: None,
        created_at,
    }
}

/// Leases give each due connection to one claimant per interval, and each upstream host to
/// one check at a time; a revoked connection is never claimed.
#[tokio::test]
async fn claims_and_host_leases_let_one_replica_check_each_connection() {
    for test_store in test_stores().await {
        let store = sis_onboard_proxy::Store::open(&test_store.url)
            .await
            .unwrap();
        let other = sis_onboard_proxy::Store::open(&test_store.url)
            .await
            .unwrap();
        for n in 0..6 {
            store
                .insert_connection(&connection(&format!("conn_{n}"), 1_000), &[])
                .await
                .unwrap();
        }
        // Not due before created_at + interval.
        assert!(
            store
                .claim_health_checks(1_050, 100, "a", 2_000, 10)
                .await
                .unwrap()
                .is_empty()
        );
        // Two replicas claiming at once share the six, none twice.
        let now = 1_200;
        let (mine, theirs) = tokio::join!(
            store.claim_health_checks(now, 100, "a", now + 60, 4),
            other.claim_health_checks(now, 100, "b", now + 60, 4)
        );
        let mut ids: Vec<String> = mine
            .unwrap()
            .into_iter()
            .chain(theirs.unwrap())
            .map(|(c, _)| c.id)
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 6, "{ids:?}");
        assert!(
            store
                .claim_health_checks(now, 100, "c", now + 60, 10)
                .await
                .unwrap()
                .is_empty()
        );
        // A lease that lapses (its replica died) lets another take the check; revoked ones stay.
        store.revoke_connection("conn_0", now, &[]).await.unwrap();
        let retaken = other
            .claim_health_checks(now + 61, 100, "d", now + 120, 10)
            .await
            .unwrap();
        assert_eq!(retaken.len(), 5);
        assert!(retaken.iter().all(|(c, _)| c.id != "conn_0"));

        assert!(
            store
                .take_host_lease("district.example", "a", now, now + 60)
                .await
                .unwrap()
        );
        assert!(
            !other
                .take_host_lease("district.example", "b", now, now + 60)
                .await
                .unwrap()
        );
        assert!(
            other
                .take_host_lease("district.example", "b", now + 61, now + 120)
                .await
                .unwrap()
        );
        store
            .release_host_lease("district.example", "a")
            .await
            .unwrap();
        assert!(
            !store
                .take_host_lease("district.example", "a", now + 62, now + 120)
                .await
                .unwrap(),
            "b holds it"
        );
        other
            .release_host_lease("district.example", "b")
            .await
            .unwrap();
        assert!(
            store
                .take_host_lease("district.example", "a", now + 62, now + 120)
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn the_admin_api_lists_sends_again_and_tests_deliveries() {
    const D2_KEY: &str = "d2_only_key_7Rv4Np1Xj8Ks3Lh6Wc9Qz";
    let tweak = |config: &mut Config| {
        with_endpoint(config);
        config.api_keys.push(
            sis_onboard_proxy::api_keys::ApiKey::new("d2", D2_KEY)
                .unwrap()
                .for_tenants(&["d2"]),
        );
    };
    for h in Harness::start_each(tweak).await {
        connected(&h).await;
        let (status, listed) = call(
            &h.proxy,
            Method::GET,
            "/v1/webhooks/deliveries",
            API_KEY,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{listed}");
        let delivery = &listed[0];
        assert_eq!(
            (
                &delivery["event_type"],
                &delivery["status"],
                &delivery["tenant_id"]
            ),
            (
                &json!("connection.created"),
                &json!("pending"),
                &json!("d1")
            )
        );
        let id = delivery["id"].as_str().unwrap();

        // A key bound to another tenant sees none of it.
        let (_, theirs) = call(
            &h.proxy,
            Method::GET,
            "/v1/webhooks/deliveries",
            D2_KEY,
            None,
        )
        .await;
        assert_eq!(theirs, json!([]));
        let path = format!("/v1/webhooks/deliveries/{id}");
        assert_eq!(
            call(&h.proxy, Method::GET, &path, D2_KEY, None).await.0,
            StatusCode::NOT_FOUND
        );
        let (status, refused) = call(
            &h.proxy,
            Method::GET,
            "/v1/webhooks/deliveries?tenant_id=d1",
            D2_KEY,
            None,
        )
        .await;
        assert_eq!(
            (status, &refused["code"]),
            (StatusCode::FORBIDDEN, &json!("tenant_not_allowed"))
        );

        let (status, again) = call(
            &h.proxy,
            Method::POST,
            &format!("{path}/retry"),
            API_KEY,
            None,
        )
        .await;
        assert_eq!((status, &again["id"]), (StatusCode::ACCEPTED, &json!(id)));

        let (status, test) = call(
            &h.proxy,
            Method::POST,
            "/v1/webhooks/endpoints/vendor/test",
            API_KEY,
            None,
        )
        .await;
        assert_eq!(
            (status, &test["event_type"]),
            (StatusCode::ACCEPTED, &json!("test"))
        );
        let (status, _) = call(
            &h.proxy,
            Method::POST,
            "/v1/webhooks/endpoints/nobody/test",
            API_KEY,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = call(
            &h.proxy,
            Method::POST,
            "/v1/webhooks/endpoints/vendor/test",
            D2_KEY,
            None,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "a bound key names its tenant"
        );
        let (status, _) = call(
            &h.proxy,
            Method::POST,
            "/v1/webhooks/endpoints/vendor/test?tenant_id=d2",
            D2_KEY,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }
}

/// Switches the sandbox connection `sandbox-client-id` to `behaviour` at run time, as a
/// district changing its side would, or (None) puts it back.
async fn switch_sandbox(h: &Harness, behaviour: Option<&str>) {
    let control = format!(
        "http://{}/control/connections/sandbox-client-id/behaviour",
        h.sandbox
    );
    let client = reqwest::Client::new();
    let request = match behaviour {
        Some(behaviour) => client
            .put(&control)
            .json(&json!({ "behaviour": behaviour })),
        None => client.delete(&control),
    };
    let switched = request.send().await.unwrap();
    assert!(switched.status().is_success(), "{}", switched.status());
}
