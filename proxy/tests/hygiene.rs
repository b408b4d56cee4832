//! Erasure and hygiene: a revoked secret leaves no copy in the SQLite files, expired
//! sessions and validations are swept on both stores, and no answer that carries a token, a
//! report or a secret may be cached.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::time::Duration;

use base64::Engine;
use common::harness::{Harness, open_session};
use common::test_stores;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sis_onboard_protocol::Strategy;
use sis_onboard_proxy::Store;
use sis_onboard_proxy::store::{SessionOffer, StoredSession, Swept};
use sis_onboard_sandbox::DEMO_SECRET;

/// Every file of the SQLite database: the file, its WAL and its shared-memory index.
fn database_files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    ["proxy.sqlite", "proxy.sqlite-wal", "proxy.sqlite-shm"]
        .iter()
        .map(|name| {
            (
                (*name).to_owned(),
                std::fs::read(dir.join(name)).unwrap_or_default(),
            )
        })
        .collect()
}

/// The needles a copy of `sealed` would show: every 16-byte window of it (the ciphertext is
/// random, so any one of them found is a copy), and its base64 forms.
fn needles(sealed: &[u8]) -> Vec<Vec<u8>> {
    let mut needles: Vec<Vec<u8>> = sealed.windows(16).map(<[u8]>::to_vec).collect();
    for engine in [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ] {
        needles.push(engine.encode(sealed).into_bytes());
        needles.push(engine.encode(&sealed[sealed.len() - 24..]).into_bytes());
    }
    needles
}

fn copies_in(files: &[(String, Vec<u8>)], sealed: &[u8]) -> Vec<String> {
    let needles = needles(sealed);
    files
        .iter()
        .filter(|(_, bytes)| {
            needles
                .iter()
                .any(|needle| bytes.windows(needle.len()).any(|w| w == needle.as_slice()))
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// Revoking a connection on a real SQLite file leaves no copy of its sealed secret in the
/// database file, its WAL or its shared-memory file (PostgreSQL's old row versions are its
/// vacuum's business; README, "Keys and rotation").
#[tokio::test]
async fn revoking_leaves_no_copy_of_the_sealed_secret_in_the_sqlite_files() {
    let h = Harness::start(|_| {}).await;
    let dir = h.test_store.dir.as_ref().unwrap().path().to_owned();
    assert_eq!(h.validate(h.credentials(DEMO_SECRET)).await["passed"], true);
    let id = Harness::connection_id(h.complete(h.credentials(DEMO_SECRET)).await).await;
    let sealed = h.store.sealed_secret(&id).await.unwrap().unwrap();
    assert!(sealed.len() > 40);
    assert!(
        !copies_in(&database_files(&dir), &sealed).is_empty(),
        "the search finds the sealed value while it is stored"
    );

    let revoked = h
        .admin(Method::DELETE, &format!("/v1/connections/{id}"))
        .await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let files = database_files(&dir);
    assert!(!files[0].1.is_empty(), "the database file is read");
    assert_eq!(
        copies_in(&files, &sealed),
        Vec::<String>::new(),
        "no copy of the sealed secret is left"
    );
    // The record itself stays, for the vendor's audit.
    let record = h.admin_json(&format!("/v1/connections/{id}")).await;
    assert!(record["revoked_at"].is_i64());
}

/// After a rotation no copy of a secret's old sealed value (openable with the old key,
/// which may be why it was rotated) is left in the SQLite files. A secret sealed before key
/// ids grows when re-sealed, so its old value is freed rather than overwritten: only
/// `secure_delete` zeroes it.
#[tokio::test]
async fn a_rotation_leaves_no_copy_of_the_old_sealed_values_in_the_sqlite_files() {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    let test_store = test_stores().await.into_iter().next().unwrap();
    let dir = test_store.dir.as_ref().unwrap().path().to_owned();
    let store = Store::open(&test_store.url).await.unwrap();
    let master: [u8; 32] = rand::random();
    let mut old_values = Vec::new();
    for n in 0..3 {
        let id = format!("conn_{n}");
        let nonce: [u8; 24] = rand::random();
        let sealed = chacha20poly1305::XChaCha20Poly1305::new((&master).into())
            .encrypt(
                &chacha20poly1305::XNonce::from(nonce),
                Payload {
                    msg: format!("secret-{n}").as_bytes(),
                    aad: id.as_bytes(),
                },
            )
            .unwrap();
        let sealed = [nonce.as_slice(), &sealed].concat();
        store
            .insert_connection(
                &sis_onboard_proxy::store::NewConnection {
                    id: id.clone(),
                    session_hash: id.as_bytes().to_vec(),
                    tenant_id: "d1".into(),
                    region: "us".into(),
                    source: "infinite_campus".into(),
                    strategy: Strategy::OneRosterApi,
                    base_url: "https://d.example/ims/oneroster/rostering/v1p2".into(),
                    token_url: "https://d.example/token".into(),
                    client_id: "client".into(),
                    secret_sealed: sealed.clone(),
                    district_name: "District".into(),
                    counts: "{}".into(),
                    extract_plan: None,
                    created_at: 1,
                },
                &[],
            )
            .await
            .unwrap();
        old_values.push(sealed);
    }
    // Checkpointed into the database file, as a long-running server's would be.
    store.truncate_wal().await.unwrap();
    assert!(
        old_values
            .iter()
            .all(|old| !copies_in(&database_files(&dir), old).is_empty())
    );

    let old_key = sis_onboard_proxy::crypto::EncryptionKey::from_bytes(master);
    let new_key = sis_onboard_proxy::crypto::EncryptionKey::generate();
    let report = sis_onboard_proxy::rotation::rotate_store(&store, &new_key, &[old_key], None)
        .await
        .unwrap();
    assert_eq!(report.resealed, 3);
    let files = database_files(&dir);
    for old in &old_values {
        assert_eq!(
            copies_in(&files, old),
            Vec::<String>::new(),
            "an old sealed value is left"
        );
    }
}

fn session(expires_at: i64) -> StoredSession {
    StoredSession {
        tenant_id: "d1".into(),
        display_name: "Acme".into(),
        allowed_origins: vec![],
        support_contact: None,
        offer: SessionOffer {
            regions: vec!["us".into()],
            sources: vec!["infinite_campus".into()],
            strategies: vec![Strategy::OneRosterApi],
            extract_name_prefix: "Acme".into(),
            repair_of: None,
        },
        created_at: 0,
        expires_at,
    }
}

/// The sweep deletes validations as soon as their session expires, and sessions (with their
/// completion claims) an hour after they expired; live ones stay.
#[tokio::test]
async fn the_sweep_deletes_expired_sessions_and_validations() {
    for test_store in test_stores().await {
        let backend = test_store.backend;
        let store = Store::open(&test_store.url).await.unwrap();
        let now = 1_000_000;
        let kept = Store::EXPIRED_SESSIONS_KEPT_SECS;
        let sessions: [(&[u8], i64); 3] = [
            (b"live", now + 60),
            (b"just-expired", now - 60),
            (b"long-expired", now - kept - 1),
        ];
        for (hash, expires_at) in sessions {
            store
                .insert_session(hash, &session(expires_at))
                .await
                .unwrap();
            store.record_validation(hash, b"fp", "{}", 0).await.unwrap();
            store.claim_completion(hash, "conn_x").await.unwrap();
        }
        store
            .record_validation(b"orphan", b"fp", "{}", 0)
            .await
            .unwrap();

        let swept = store.sweep_expired(now).await.unwrap();
        assert_eq!(
            swept,
            Swept {
                sessions: 1,
                validations: 3
            },
            "{backend}"
        );
        assert!(
            store
                .session_by_token_hash(b"live")
                .await
                .unwrap()
                .is_some()
        );
        assert!(store.latest_validation(b"live").await.unwrap().is_some());
        assert!(store.claimed_completion(b"live").await.unwrap().is_some());
        assert!(
            store
                .session_by_token_hash(b"just-expired")
                .await
                .unwrap()
                .is_some(),
            "{backend}: kept a while, to be told 'expired'"
        );
        assert!(
            store
                .latest_validation(b"just-expired")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .session_by_token_hash(b"long-expired")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .latest_validation(b"long-expired")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .claimed_completion(b"long-expired")
                .await
                .unwrap()
                .is_none()
        );
        assert!(store.latest_validation(b"orphan").await.unwrap().is_none());
        assert_eq!(store.sweep_expired(now).await.unwrap(), Swept::default());
    }
}

/// The server's background sweep runs on its interval (polled with a deadline).
#[tokio::test]
async fn the_server_sweeps_on_an_interval() {
    for test_store in test_stores().await {
        let store = Store::open(&test_store.url).await.unwrap();
        store.insert_session(b"old", &session(1)).await.unwrap();
        store
            .record_validation(b"old", b"fp", "{}", 0)
            .await
            .unwrap();
        let sweeper = sis_onboard_proxy::spawn_sweeper(
            store.clone(),
            Duration::from_millis(20),
            sis_onboard_proxy::webhooks::WebhookSettings::DEFAULT_RETENTION,
        );
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while store.session_by_token_hash(b"old").await.unwrap().is_some() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{}: not swept",
                test_store.backend
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(store.latest_validation(b"old").await.unwrap().is_none());
        sweeper.abort();
    }
}

fn assert_no_store(response: &reqwest::Response, what: &str) {
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "{what}"
    );
}

/// Every answer of the API — a session token, the session, a report, a connection id, the
/// connections, the credentials, and errors — says `Cache-Control: no-store`.
#[tokio::test]
async fn no_answer_that_carries_a_token_a_report_or_a_secret_may_be_cached() {
    for h in Harness::start_each(|_| {}).await {
        let client = reqwest::Client::new();
        let opened = client
            .post(format!("{}/v1/sessions", h.proxy))
            .bearer_auth(common::harness::API_KEY)
            .json(&json!({ "tenant_id": "d1", "display_name": "Acme" }))
            .send()
            .await
            .unwrap();
        assert_eq!(opened.status(), StatusCode::CREATED);
        assert_no_store(&opened, "POST /v1/sessions");
        assert_no_store(&h.wizard_get("/v1/session").await, "GET /v1/session");
        assert_no_store(&h.wizard_get("/v1/extracts").await, "GET /v1/extracts");
        let validated = client
            .post(format!("{}/v1/validate", h.proxy))
            .bearer_auth(&h.session)
            .json(&h.credentials(DEMO_SECRET))
            .send()
            .await
            .unwrap();
        assert_eq!(validated.status(), StatusCode::OK);
        assert_no_store(&validated, "POST /v1/validate");
        let completed = h.complete(h.credentials(DEMO_SECRET)).await;
        assert_no_store(&completed, "POST /v1/complete");
        let id = Harness::connection_id(completed).await;
        for path in [
            "/v1/connections".to_owned(),
            format!("/v1/connections/{id}"),
            format!("/v1/connections/{id}/credentials"),
        ] {
            let response = h.admin(Method::GET, &path).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_no_store(&response, &format!("GET {path}"));
        }
        let revoked = h
            .admin(Method::DELETE, &format!("/v1/connections/{id}"))
            .await;
        assert_no_store(&revoked, "DELETE /v1/connections/{id}");
        let refused = h.wizard_get_as("sos_not-a-session", "/v1/session").await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        assert_no_store(&refused, "an error");
        let _ = open_session;
    }
}

/// The proxy's PostgreSQL connections can be encrypted: with `sslmode=require` the server
/// reports TLS for them, and `sslmode=verify-full` refuses a certificate no configured CA
/// signed (the test server's is self-signed).
#[tokio::test]
async fn postgresql_connections_use_tls_when_the_url_asks() {
    let Some(postgres) = test_stores().await.into_iter().find(|s| s.schema.is_some()) else {
        eprintln!("PostgreSQL is not configured: skipped");
        return;
    };
    let name = format!("sis_tls_{:08x}", rand::random::<u32>());
    let store = Store::open(&format!(
        "{}&sslmode=require&application_name={name}",
        postgres.url
    ))
    .await
    .unwrap();
    store.ping().await.unwrap();
    let (base, _) = postgres.schema.as_ref().unwrap();
    let mut observer = <sqlx::PgConnection as sqlx::Connection>::connect(base)
        .await
        .unwrap();
    let encrypted: Vec<bool> = sqlx::query_scalar(
        "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
         WHERE a.application_name = $1",
    )
    .bind(&name)
    .fetch_all(&mut observer)
    .await
    .unwrap();
    assert!(
        !encrypted.is_empty() && encrypted.iter().all(|ssl| *ssl),
        "{encrypted:?}"
    );

    let refused = Store::open(&format!("{}&sslmode=verify-full", postgres.url)).await;
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        !message.is_empty(),
        "an unverifiable certificate was accepted"
    );
}
