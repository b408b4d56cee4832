//! Scoped, tenant-bound API keys (issue 17 item 2): each key does what its scopes allow,
//! for its tenants only; keys are configured from JSON inline or in a file; the admin API can
//! listen on an address of its own.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::binary::{full_access_keys, proxy_binary, proxy_command_without_keys, refused_start};
use common::harness::{API_KEY, Harness, call, open_session};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sis_onboard_proxy::api_keys::{ApiKey, Scope};
use sis_onboard_sandbox::DEMO_SECRET;

/// Opens sessions for tenant d1 only.
const WEB: &str = "web_key_d1_8Hs2Kq7Wm4Xv1Bn9Rt3Pz6";
/// Reads connections of tenant d1, never secrets.
const READER: &str = "reader_key_d1_5Gt8Jw2Mq9Lx4Cv7Nb1";
/// Reads every tenant's connections and credentials.
const WORKER: &str = "worker_key_all_3Fy6Dk9Hp2Zs8Qw5Tm";
/// Every scope, tenant d2 only.
const D2_ADMIN: &str = "d2_admin_key_7Rv4Np1Xj8Ks3Lh6Wc9";

fn scoped_keys() -> Vec<ApiKey> {
    vec![
        ApiKey::new("web", WEB)
            .unwrap()
            .with_scopes(&[Scope::SessionsWrite])
            .for_tenants(&["d1"]),
        ApiKey::new("reader", READER)
            .unwrap()
            .with_scopes(&[Scope::ConnectionsRead])
            .for_tenants(&["d1"]),
        ApiKey::new("worker", WORKER)
            .unwrap()
            .with_scopes(&[Scope::ConnectionsRead, Scope::CredentialsRead]),
        ApiKey::new("d2-admin", D2_ADMIN)
            .unwrap()
            .for_tenants(&["d2"]),
    ]
}

/// Completes a connection for `tenant` through a session the full-access key opens.
async fn connection_for(h: &Harness, tenant: &str) -> String {
    let session: Value = call(
        &h.proxy,
        Method::POST,
        "/v1/sessions",
        API_KEY,
        Some(json!({ "tenant_id": tenant, "display_name": "Acme" })),
    )
    .await
    .1;
    let token = session["session_token"].as_str().unwrap();
    let credentials = h.credentials(DEMO_SECRET);
    let (status, report) = call(
        &h.proxy,
        Method::POST,
        "/v1/validate",
        token,
        Some(credentials.clone()),
    )
    .await;
    assert_eq!((status, &report["passed"]), (StatusCode::OK, &json!(true)));
    let body = json!({ "credentials": credentials, "region": "us",
        "source": "infinite_campus", "strategy": "oneroster_api" });
    let (status, completed) = call(&h.proxy, Method::POST, "/v1/complete", token, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{completed}");
    completed["connection_id"].as_str().unwrap().to_owned()
}

fn code(answer: &Value) -> &str {
    answer["code"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn keys_do_what_their_scopes_allow_for_their_tenants_only() {
    for h in Harness::start_each(|config| config.api_keys.extend(scoped_keys())).await {
        let d1 = connection_for(&h, "d1").await;
        let d2 = connection_for(&h, "d2").await;
        let proxy = h.proxy.as_str();
        let session = |tenant: &str| Some(json!({ "tenant_id": tenant, "display_name": "Acme" }));

        // The web backend's key opens sessions for its tenant, and does nothing else.
        let (status, _) = call(proxy, Method::POST, "/v1/sessions", WEB, session(" d1 ")).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, refused) = call(proxy, Method::POST, "/v1/sessions", WEB, session("d2")).await;
        assert_eq!(
            (status, code(&refused)),
            (StatusCode::FORBIDDEN, "tenant_not_allowed")
        );
        assert_eq!(refused["field"], "tenant_id");
        for (method, path) in [
            (Method::GET, "/v1/connections".to_owned()),
            (Method::GET, format!("/v1/connections/{d1}")),
            (Method::GET, format!("/v1/connections/{d1}/credentials")),
            (Method::DELETE, format!("/v1/connections/{d1}")),
        ] {
            let (status, refused) = call(proxy, method.clone(), &path, WEB, None).await;
            assert_eq!(
                (status, code(&refused)),
                (StatusCode::FORBIDDEN, "key_scope_missing"),
                "{method} {path}"
            );
        }

        // A reader bound to d1 sees d1's connection and nothing of d2's, and no secret.
        let (_, listed) = call(proxy, Method::GET, "/v1/connections", READER, None).await;
        let ids: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [d1.as_str()]);
        let (status, refused) = call(
            proxy,
            Method::GET,
            "/v1/connections?tenant_id=d2",
            READER,
            None,
        )
        .await;
        assert_eq!(
            (status, code(&refused)),
            (StatusCode::FORBIDDEN, "tenant_not_allowed")
        );
        let (status, _) = call(
            proxy,
            Method::GET,
            &format!("/v1/connections/{d1}"),
            READER,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, absent) = call(
            proxy,
            Method::GET,
            &format!("/v1/connections/{d2}"),
            READER,
            None,
        )
        .await;
        assert_eq!(
            (status, code(&absent)),
            (StatusCode::NOT_FOUND, "not_found")
        );
        let (status, refused) = call(
            proxy,
            Method::GET,
            &format!("/v1/connections/{d1}/credentials"),
            READER,
            None,
        )
        .await;
        assert_eq!(
            (status, code(&refused)),
            (StatusCode::FORBIDDEN, "key_scope_missing")
        );
        assert!(
            refused["message"]
                .as_str()
                .unwrap()
                .contains("credentials:read")
        );
        assert!(!refused.to_string().contains(DEMO_SECRET));

        // The sync worker's key, bound to no tenant, reads every tenant's credentials.
        let (_, listed) = call(proxy, Method::GET, "/v1/connections", WORKER, None).await;
        assert_eq!(listed.as_array().unwrap().len(), 2);
        for id in [&d1, &d2] {
            let (status, credentials) = call(
                proxy,
                Method::GET,
                &format!("/v1/connections/{id}/credentials"),
                WORKER,
                None,
            )
            .await;
            assert_eq!(
                (status, &credentials["client_secret"]),
                (StatusCode::OK, &json!(DEMO_SECRET))
            );
        }

        // An all-scopes key bound to d2 cannot revoke d1's connection.
        let (status, _) = call(
            proxy,
            Method::DELETE,
            &format!("/v1/connections/{d1}"),
            D2_ADMIN,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = call(
            proxy,
            Method::GET,
            &format!("/v1/connections/{d1}/credentials"),
            WORKER,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "d1's connection is untouched");
        let (status, _) = call(
            proxy,
            Method::DELETE,
            &format!("/v1/connections/{d2}"),
            D2_ADMIN,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);

        // A key the proxy does not know, or a near miss, is no key at all.
        for wrong in ["", &WORKER[..WORKER.len() - 1], &format!("{WORKER}x")] {
            let (status, refused) = call(proxy, Method::GET, "/v1/connections", wrong, None).await;
            assert_eq!(
                (status, code(&refused)),
                (StatusCode::UNAUTHORIZED, "invalid_api_key")
            );
        }
    }
}

#[tokio::test]
async fn the_binary_reads_keys_from_a_file_and_keeps_the_admin_api_on_its_own_address() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keys.json");
    let keys = json!([
        { "id": "web", "key": WEB, "scopes": ["sessions:write"] },
        { "id": "worker", "key": WORKER, "scopes": ["connections:read", "credentials:read"] },
    ]);
    std::fs::write(&file, keys.to_string()).unwrap();
    let proxy = proxy_binary(&[
        "--api-keys-file".into(),
        file.display().to_string(),
        "--admin-listen".into(),
        "127.0.0.1:0".into(),
    ]);
    let admin = proxy.admin_url.clone().unwrap();
    assert_ne!(admin, proxy.url);

    // The file's keys work, each on its own surface: sessions on the public address...
    let (status, _) = call(
        &proxy.url,
        Method::POST,
        "/v1/sessions",
        WEB,
        Some(json!({ "tenant_id": "d1", "display_name": "Acme" })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // ...the admin API only on the admin address.
    let (status, listed) = call(&admin, Method::GET, "/v1/connections", WORKER, None).await;
    assert_eq!((status, listed), (StatusCode::OK, json!([])));
    let (status, _) = call(&proxy.url, Method::GET, "/v1/connections", WORKER, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(
        &proxy.url,
        Method::GET,
        "/v1/connections/conn_x/credentials",
        WORKER,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(
        &admin,
        Method::POST,
        "/v1/sessions",
        WEB,
        Some(json!({ "tenant_id": "d1", "display_name": "Acme" })),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for base in [&proxy.url, &admin] {
        let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
        assert_eq!(health.status(), StatusCode::OK);
    }
    // The full-access key of the command line works beside the file's.
    assert!(open_session(&proxy.url).await.starts_with("sos_"));
}

#[test]
fn the_binary_refuses_key_lists_it_cannot_trust_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keys.json");
    std::fs::write(&file, full_access_keys(WORKER)).unwrap();
    let short = json!([{ "id": "web", "key": "sk_live_123", "scopes": ["sessions:write"] }]);
    let cases: [(Vec<String>, Vec<&str>); 5] = [
        // The old comma-separated form.
        (
            vec!["--api-keys".into(), format!("{WEB},{WORKER}")],
            vec!["not JSON", "\"scopes\""],
        ),
        (
            vec!["--api-keys".into(), short.to_string()],
            vec!["key 'web'", "at least 32", "openssl rand"],
        ),
        (vec![], vec!["no vendor API key", "SIS_ONBOARD_API_KEYS"]),
        (
            vec![
                "--api-keys-file".into(),
                dir.path().join("missing.json").display().to_string(),
            ],
            vec!["cannot read the API key file", "missing.json"],
        ),
        // The same key inline and in the file.
        (
            vec![
                "--api-keys".into(),
                full_access_keys(WORKER),
                "--api-keys-file".into(),
                file.display().to_string(),
            ],
            vec!["repeats an id or a key"],
        ),
    ];
    for (args, expected) in cases {
        let mut command = proxy_command_without_keys(dir.path());
        command.args(&args);
        let stderr = refused_start(command);
        for text in expected {
            assert!(stderr.contains(text), "{args:?}: {stderr}");
        }
        for key in [WEB, WORKER, "sk_live_123"] {
            assert!(!stderr.contains(key), "a key was echoed: {stderr}");
        }
    }
}
