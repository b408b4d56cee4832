//! The Custom Data Extract path over real loopback HTTP: the catalog the wizard reads, and
//! the extract plan a completion stores and the vendor's admin API returns, on every store.
#![allow(clippy::unwrap_used, missing_docs)]

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sis_onboard_sandbox::DEMO_SECRET;

mod common;
use common::harness::{Harness, open_session_with};
use common::test_stores;

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn read_catalog(h: &Harness, query: &str) -> (StatusCode, Value) {
    let response = h.wizard_get(&format!("/v1/extracts{query}")).await;
    (response.status(), response.json().await.unwrap())
}

#[tokio::test]
async fn the_catalog_names_the_sessions_extracts_in_its_language() {
    for h in Harness::start_each(|_| {}).await {
        let (status, english) = read_catalog(&h, "").await;
        assert_eq!(status, StatusCode::OK, "{english}");
        assert_eq!(english["required_value"], "AcmeDataExtracts");
        assert_eq!(english["name_prefix"], "Acme");
        let sets = english["data_sets"].as_array().unwrap();
        let ids: Vec<&str> = sets.iter().map(|s| s["id"].as_str().unwrap()).collect();
        let catalog: Vec<&str> = extracts::CATALOG.iter().map(|d| d.id).collect();
        assert_eq!(ids, catalog);
        let defaults: Vec<&str> = sets
            .iter()
            .filter(|s| s["default"] == true)
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        assert_eq!(defaults, ["extended_rostering"]);
        for set in sets {
            let suffix = extracts::data_set(set["id"].as_str().unwrap())
                .unwrap()
                .suffix;
            assert_eq!(set["extract_name"], format!("Acme_{suffix}"));
            let query = set["query"].as_str().unwrap();
            assert!(query.starts_with(&format!("-- Acme_{suffix}")), "{query}");
            assert_eq!(set["query_sha256"], hex_sha256(query));
        }

        let (_, spanish) = read_catalog(&h, "?lang=es-MX").await;
        assert_ne!(
            spanish["data_sets"][0]["description"], english["data_sets"][0]["description"],
            "Spanish texts for a Spanish-speaking administrator"
        );
        assert_eq!(
            spanish["data_sets"][0]["query"], english["data_sets"][0]["query"],
            "the SQL is the same in every language"
        );
        for tag in ["fr", "fr-CA", "fr-FR", "fr_CA"] {
            let (status, french) = read_catalog(&h, &format!("?lang={tag}")).await;
            assert_eq!(status, StatusCode::OK, "{tag}");
            let attendance = &french["data_sets"][1];
            assert_eq!(attendance["name"], "Présences", "{tag}");
            assert_eq!(
                attendance["description"],
                extracts::CATALOG[1].description.fr
            );
            assert_eq!(attendance["yields"], extracts::CATALOG[1].yields.fr);
            assert_eq!(attendance["query"], english["data_sets"][1]["query"]);
            assert_eq!(attendance["extract_name"], "Acme_Attendance");
        }
    }
}

#[tokio::test]
async fn a_vendor_name_that_is_not_a_safe_name_cannot_break_the_extracts() {
    for h in Harness::start_each(|_| {}).await {
        let hostile = "O'Brien \"Ed\" */ DROP TABLE x; --\nLearning";
        let token = open_session_with(
            &h.proxy,
            json!({ "tenant_id": "d2", "display_name": hostile }),
        )
        .await;
        let response = h.wizard_get_as(&token, "/v1/extracts").await;
        let catalog: Value = response.json().await.unwrap();
        let prefix = catalog["name_prefix"].as_str().unwrap();
        assert_eq!(prefix, "OBrienEdDROPTABLExLearning");
        for set in catalog["data_sets"].as_array().unwrap() {
            let name = set["extract_name"].as_str().unwrap();
            assert!(
                name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
                "{name}"
            );
            let query = set["query"].as_str().unwrap();
            assert!(!query.contains(hostile) && !query.contains("*/"), "{query}");
        }
    }
}

#[tokio::test]
async fn a_session_without_custom_data_extract_has_no_catalog() {
    for h in Harness::start_each(|_| {}).await {
        let token = open_session_with(
            &h.proxy,
            json!({ "tenant_id": "d3", "display_name": "Acme", "strategies": ["oneroster_api"] }),
        )
        .await;
        let response = h.wizard_get_as(&token, "/v1/extracts").await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["field"], "strategy", "{error}");
        // And without a session, nothing at all.
        let anonymous = reqwest::Client::new()
            .get(format!("{}/v1/extracts", h.proxy))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    }
}

fn extract_completion(h: &Harness, data_sets: Value) -> Value {
    json!({
        "credentials": h.credentials(DEMO_SECRET),
        "region": "us",
        "source": "infinite_campus",
        "strategy": "custom_data_extract",
        "data_sets": data_sets,
    })
}

async fn assert_refused(h: &Harness, body: Value, field: &str) {
    let response = h.complete_with(body).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["code"], "bad_request", "{error}");
    assert_eq!(error["field"], field, "{error}");
}

#[tokio::test]
async fn completing_the_extract_path_stores_the_plan_the_vendor_reads() {
    for test_store in test_stores().await {
        let backend = test_store.backend;
        let h = Harness::start_on(test_store, |_| {}).await;
        assert_eq!(h.validate(h.credentials(DEMO_SECRET)).await["passed"], true);

        // Data sets that do not fit the path are refused, naming the field.
        assert_refused(&h, extract_completion(&h, json!([])), "data_sets").await;
        assert_refused(
            &h,
            extract_completion(&h, json!(["grades_2019"])),
            "data_sets",
        )
        .await;
        let mut roster_with_sets = extract_completion(&h, json!(["attendance"]));
        roster_with_sets["strategy"] = json!("oneroster_api");
        assert_refused(&h, roster_with_sets, "data_sets").await;

        // Chosen out of order and twice: stored once each, in the catalog's order.
        let done = h
            .complete_with(extract_completion(
                &h,
                json!(["attendance", "extended_rostering", "attendance"]),
            ))
            .await;
        assert_eq!(done.status(), StatusCode::OK, "{backend}");
        let id = Harness::connection_id(done).await;
        let stored = h.admin_json(&format!("/v1/connections/{id}")).await;
        assert_eq!(stored["strategy"], "custom_data_extract", "{backend}");
        let plan = &stored["extract_plan"];
        assert_eq!(plan["required_value"], "AcmeDataExtracts", "{backend}");
        let (_, catalog) = read_catalog(&h, "").await;
        let offered = |id: &str| {
            catalog["data_sets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["id"] == id)
                .cloned()
                .unwrap()
        };
        let expected: Vec<Value> = ["extended_rostering", "attendance"]
            .into_iter()
            .map(|id| {
                let set = offered(id);
                json!({
                    "data_set": id,
                    "name": set["extract_name"],
                    "query_sha256": set["query_sha256"],
                })
            })
            .collect();
        assert_eq!(plan["extracts"], json!(expected), "{backend}");
        let listed = h.admin_json("/v1/connections").await;
        assert_eq!(
            listed[0]["extract_plan"], *plan,
            "{backend}: the list shows it too"
        );
    }
}

#[tokio::test]
async fn the_oneroster_path_stores_no_plan() {
    for h in Harness::start_each(|_| {}).await {
        assert_eq!(h.validate(h.credentials(DEMO_SECRET)).await["passed"], true);
        let id = Harness::connection_id(h.complete(h.credentials(DEMO_SECRET)).await).await;
        let stored = h.admin_json(&format!("/v1/connections/{id}")).await;
        assert!(stored["extract_plan"].is_null(), "{stored}");
    }
}
