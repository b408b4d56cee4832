//! Stored secrets and their keys, on SQLite and PostgreSQL: a secret is bound to where it
//! may be sent, and `rotate-key` moves every secret from key A to key B — resumably, without
//! overwriting a change made meanwhile — after which B alone reads every one of them.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use common::{TestStore, test_stores};
use sis_onboard_protocol::Strategy;
use sis_onboard_proxy::api_keys::ApiKey;
use sis_onboard_proxy::crypto::{EncryptionKey, SealBinding, sealed_key_id};
use sis_onboard_proxy::rotation::{RotationReport, rotate_store};
use sis_onboard_proxy::store::NewConnection;
use sis_onboard_proxy::{AppState, Config, Store, app};
use tower::ServiceExt;

const API_KEY: &str = "sk_test_keys_4Jq8Zr2Lw6Nb1Xc9Vm3Pd";

/// A key and its bytes (to write a key file or seal the way older versions did).
fn key_pair() -> ([u8; 32], EncryptionKey) {
    let bytes: [u8; 32] = rand::random();
    (bytes, EncryptionKey::from_bytes(bytes))
}

fn new_connection(id: &str) -> NewConnection {
    NewConnection {
        id: id.to_owned(),
        session_hash: id.as_bytes().to_vec(),
        tenant_id: format!("tenant-of-{id}"),
        region: "us".into(),
        source: "infinite_campus".into(),
        strategy: Strategy::OneRosterApi,
        base_url: format!("https://{id}.example.org/campus/api/ims/oneroster/rostering/v1p2"),
        token_url: format!("https://{id}.example.org/campus/oauth2/token?appName=x"),
        client_id: format!("client-{id}"),
        secret_sealed: Vec::new(),
        district_name: "District".into(),
        counts: "{}".into(),
        extract_plan: None,
        created_at: 1,
    }
}

fn secret_of(id: &str) -> String {
    format!("secret-of-{id}")
}

/// Stores connection `id` with its secret sealed under `key`.
async fn store_sealed(store: &Store, key: &EncryptionKey, id: &str) {
    let mut connection = new_connection(id);
    connection.secret_sealed = key
        .seal(
            secret_of(id).as_bytes(),
            &SealBinding {
                connection_id: &connection.id,
                tenant_id: &connection.tenant_id,
                base_url: &connection.base_url,
                token_url: &connection.token_url,
                client_id: &connection.client_id,
            },
        )
        .unwrap();
    store.insert_connection(&connection, &[]).await.unwrap();
}

/// Stores connection `id` as the proxy did before key ids: nonce ‖ ciphertext under the
/// master key itself, bound to the id alone.
async fn store_legacy(store: &Store, master: [u8; 32], id: &str) {
    let nonce: [u8; 24] = rand::random();
    let sealed = XChaCha20Poly1305::new((&master).into())
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: secret_of(id).as_bytes(),
                aad: id.as_bytes(),
            },
        )
        .unwrap();
    let mut connection = new_connection(id);
    connection.secret_sealed = [nonce.as_slice(), &sealed].concat();
    store.insert_connection(&connection, &[]).await.unwrap();
}

/// `GET /v1/connections/{id}/credentials` on a proxy configured with `current` and `old`:
/// the secret, or the status.
async fn read_secret(
    store: &Store,
    current: &EncryptionKey,
    old: &[EncryptionKey],
    id: &str,
) -> Result<String, StatusCode> {
    let mut config = Config::new(vec![ApiKey::new("test", API_KEY).unwrap()]);
    config.encryption_key = Some(current.clone());
    config.old_encryption_keys = old.to_vec();
    let router = app(AppState::new(config, store.clone()).unwrap());
    let response = router
        .oneshot(
            Request::get(format!("/v1/connections/{id}/credentials"))
                .header("authorization", format!("Bearer {API_KEY}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    if status != StatusCode::OK {
        return Err(status);
    }
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    Ok(json["client_secret"].as_str().unwrap().to_owned())
}

/// How many of `ids` read back their own secret with these keys.
async fn readable(
    store: &Store,
    current: &EncryptionKey,
    old: &[EncryptionKey],
    ids: &[&str],
) -> usize {
    let mut count = 0;
    for id in ids {
        match read_secret(store, current, old, id).await {
            Ok(secret) => {
                assert_eq!(secret, secret_of(id), "the same secret comes back");
                count += 1;
            }
            Err(status) => assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
    count
}

async fn open(test_store: &TestStore) -> Store {
    Store::open(&test_store.url)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", test_store.backend))
}

/// A database writer who points a connection's URLs, client id or tenant elsewhere gets an
/// undecryptable secret, not a secret sent to their host.
#[tokio::test]
async fn a_secret_is_bound_to_its_connection_tenant_urls_and_client_id() {
    for test_store in test_stores().await {
        let store = open(&test_store).await;
        let (_, key) = key_pair();
        sqlx::any::install_default_drivers();
        let raw = sqlx::AnyPool::connect(&test_store.url).await.unwrap();
        for (n, column) in ["tenant_id", "base_url", "token_url", "client_id", "id"]
            .into_iter()
            .enumerate()
        {
            let id = format!("conn_{n}");
            store_sealed(&store, &key, &id).await;
            assert_eq!(
                read_secret(&store, &key, &[], &id).await,
                Ok(secret_of(&id))
            );
            let moved_id = format!("{id}_moved");
            let value = if column == "id" {
                moved_id.clone()
            } else {
                format!("https://attacker.example/{column}")
            };
            sqlx::query(&format!(
                "UPDATE connections SET {column} = $1 WHERE id = $2"
            ))
            .bind(&value)
            .bind(&id)
            .execute(&raw)
            .await
            .unwrap();
            let read_as = if column == "id" { &moved_id } else { &id };
            assert_eq!(
                read_secret(&store, &key, &[], read_as).await,
                Err(StatusCode::INTERNAL_SERVER_ERROR),
                "{}: {column} changed",
                test_store.backend
            );
        }
    }
}

/// Connections sealed under A (one of them in the format before key ids, one revoked) are
/// rotated to B in two runs, the first interrupted; in between, servers with B and A read
/// everything, and afterwards B alone does.
#[tokio::test]
async fn a_rotation_moves_every_secret_to_the_new_key_and_resumes_after_an_interruption() {
    for test_store in test_stores().await {
        let backend = test_store.backend;
        let store = open(&test_store).await;
        let ((master_a, a), (_, b)) = (key_pair(), key_pair());
        let ids = ["conn_1", "conn_2", "conn_3", "conn_4", "conn_legacy"];
        for id in &ids[..4] {
            store_sealed(&store, &a, id).await;
        }
        store_legacy(&store, master_a, "conn_legacy").await;
        store_sealed(&store, &a, "conn_revoked").await;
        assert!(
            store
                .revoke_connection("conn_revoked", 2, &[])
                .await
                .unwrap()
        );
        assert_eq!(readable(&store, &a, &[], &ids).await, 5, "{backend}");
        assert_eq!(readable(&store, &b, &[], &ids).await, 0, "{backend}");

        // Interrupted after two rows.
        let first = rotate_store(&store, &b, std::slice::from_ref(&a), Some(2))
            .await
            .unwrap();
        assert_eq!(
            first,
            RotationReport {
                resealed: 2,
                remaining: 3,
                ..RotationReport::default()
            },
            "{backend}"
        );
        assert!(!first.is_finished());
        assert_eq!(readable(&store, &b, &[], &ids).await, 2, "{backend}");
        let old = [a.clone()];
        assert_eq!(
            readable(&store, &b, &old, &ids).await,
            5,
            "{backend}: during the rotation, servers with B and the old A read everything"
        );

        // A run without the old key cannot open the rest: it says so and changes nothing.
        let keyless = rotate_store(&store, &b, &[], None).await.unwrap();
        assert_eq!(
            (keyless.resealed, keyless.already, keyless.failed),
            (0, 2, 3)
        );
        assert!(!keyless.is_finished());
        assert_eq!(readable(&store, &b, &old, &ids).await, 5, "{backend}");

        // Resumed: the rows already under B are skipped.
        let second = rotate_store(&store, &b, &old, None).await.unwrap();
        assert_eq!(
            second,
            RotationReport {
                resealed: 3,
                already: 2,
                ..RotationReport::default()
            },
            "{backend}"
        );
        assert!(second.is_finished());
        assert_eq!(
            readable(&store, &b, &[], &ids).await,
            5,
            "{backend}: B alone reads every secret"
        );
        assert_eq!(readable(&store, &a, &[], &ids).await, 0, "{backend}");
        for id in ids {
            let sealed = store.sealed_secret(id).await.unwrap().unwrap();
            assert_eq!(sealed_key_id(&sealed), Some(b.id()), "{backend}: {id}");
        }
        assert_eq!(
            store.sealed_secret("conn_revoked").await.unwrap(),
            Some(vec![]),
            "a revoked connection gets no secret back"
        );
        let third = rotate_store(&store, &b, &[], None).await.unwrap();
        assert_eq!((third.resealed, third.already), (0, 5), "{backend}");
    }
}

/// The re-seal is a compare-and-swap on the sealed value: a revocation, or another
/// rotation's write, that lands between the rotation's read and its write wins.
#[tokio::test]
async fn a_reseal_never_overwrites_a_change_made_meanwhile() {
    for test_store in test_stores().await {
        let backend = test_store.backend;
        let store = open(&test_store).await;
        let ((_, a), (_, b)) = (key_pair(), key_pair());
        store_sealed(&store, &a, "conn_1").await;
        store_sealed(&store, &a, "conn_2").await;
        let read = store.sealed_secret("conn_1").await.unwrap().unwrap();
        assert!(store.revoke_connection("conn_1", 5, &[]).await.unwrap());
        assert!(
            !store
                .reseal_connection("conn_1", &read, b"resealed")
                .await
                .unwrap(),
            "{backend}"
        );
        assert_eq!(store.sealed_secret("conn_1").await.unwrap(), Some(vec![]));

        let read = store.sealed_secret("conn_2").await.unwrap().unwrap();
        assert!(
            store
                .reseal_connection("conn_2", &read, b"first")
                .await
                .unwrap()
        );
        assert!(
            !store
                .reseal_connection("conn_2", &read, b"second")
                .await
                .unwrap(),
            "{backend}"
        );
        assert_eq!(
            store.sealed_secret("conn_2").await.unwrap(),
            Some(b"first".to_vec())
        );
        let _ = b;
    }
}

fn write_key(dir: &std::path::Path, name: &str, bytes: [u8; 32]) -> std::path::PathBuf {
    let path = dir.join(name);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(&path, hex).unwrap();
    path
}

/// The real binary: `rotate-key` re-seals every region's database, configured the way the
/// server is (`--database-url`, `--region-databases`, the current key as the old one), in
/// slices with `--max-rows`, exiting non-zero until it has finished.
#[tokio::test]
async fn the_rotate_key_command_reseals_every_regions_database() {
    for test_store in test_stores().await {
        let backend = test_store.backend;
        let store = open(&test_store).await;
        let dir = tempfile::tempdir().unwrap();
        let eu_url = format!("sqlite://{}", dir.path().join("eu.sqlite").display());
        let eu = Store::open(&eu_url).await.unwrap();
        let ((bytes_a, a), (bytes_b, b)) = (key_pair(), key_pair());
        let (a_file, b_file) = (
            write_key(dir.path(), "a.key", bytes_a),
            write_key(dir.path(), "b.key", bytes_b),
        );
        for id in ["conn_us_1", "conn_us_2"] {
            store_sealed(&store, &a, id).await;
        }
        store_sealed(&eu, &a, "conn_eu_1").await;

        let run = |max_rows: Option<&str>| {
            let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_sis-onboard-proxy"));
            command
                .args(["rotate-key", "--new-key-file"])
                .arg(&b_file)
                .args(["--database-url", &test_store.url])
                .args(["--region-databases", &format!("eu={eu_url}")])
                .env("SIS_ONBOARD_ENCRYPTION_KEY_FILE", &a_file)
                .env("RUST_LOG", "warn");
            if let Some(max) = max_rows {
                command.args(["--max-rows", max]);
            }
            command.output().unwrap()
        };
        let sliced = run(Some("1"));
        let out = String::from_utf8_lossy(&sliced.stdout).into_owned();
        assert!(
            !sliced.status.success(),
            "{backend}: not finished yet: {out}"
        );
        assert!(out.contains("1 left for the next run"), "{backend}: {out}");
        assert!(out.contains(&b.id().to_string()), "{out}");
        let hex_b: String = bytes_b.iter().map(|b| format!("{b:02x}")).collect();
        assert!(!out.contains(&hex_b), "the key itself is never printed");

        let finished = run(None);
        let out = String::from_utf8_lossy(&finished.stdout).into_owned();
        let err = String::from_utf8_lossy(&finished.stderr).into_owned();
        assert!(finished.status.success(), "{backend}: {out}\n{err}");
        assert!(out.contains("rotation finished"), "{out}");
        assert!(out.contains("1 already under the new key"), "{out}");
        for id in ["conn_us_1", "conn_us_2"] {
            assert_eq!(
                read_secret(&store, &b, &[], id).await,
                Ok(secret_of(id)),
                "{backend}"
            );
        }
        assert_eq!(
            read_secret(&eu, &b, &[], "conn_eu_1").await,
            Ok(secret_of("conn_eu_1")),
            "{backend}: the region's own database is rotated too"
        );
    }
}
