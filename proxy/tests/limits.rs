//! Limits that hold across replicas (validations per session and per client address, kept
//! in PostgreSQL), client addresses behind trusted proxies, and failed session lookups
//! refused before the database is asked.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::IpAddr;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sis_onboard_proxy::rate_limit::RateLimit;
use sis_onboard_proxy::{Config, Store};
use sqlx::Connection;

use common::harness::{Harness, open_session};
use common::test_stores;

/// The PostgreSQL test store, when one is configured.
async fn postgres() -> Option<common::TestStore> {
    let store = test_stores()
        .await
        .into_iter()
        .find(|s| s.backend == "postgres");
    if store.is_none() {
        eprintln!("SIS_ONBOARD_TEST_POSTGRES_URL is not set: the replica tests are skipped");
    }
    store
}

fn wrong_secret(h: &Harness, attempt: usize) -> Value {
    h.credentials(&format!("wrong-{attempt}"))
}

/// A validation sent to `proxy` with `session`, from `from` (a loopback address).
async fn validate(proxy: &str, session: &str, body: &Value, from: Option<IpAddr>) -> StatusCode {
    let client = reqwest::Client::builder()
        .local_address(from)
        .build()
        .unwrap();
    let response = client
        .post(format!("{proxy}/v1/validate"))
        .bearer_auth(session)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let answer: Value = response.json().await.unwrap();
    match status {
        StatusCode::OK => assert_eq!(answer["error"]["code"], "invalid_client", "{answer}"),
        StatusCode::TOO_MANY_REQUESTS => assert_eq!(answer["code"], "rate_limited", "{answer}"),
        other => panic!("unexpected {other}: {answer}"),
    }
    status
}

/// How many of `statuses` are 200 and how many 429.
fn tally(statuses: &[StatusCode]) -> (usize, usize) {
    let count = |wanted| statuses.iter().filter(|s| **s == wanted).count();
    (count(StatusCode::OK), count(StatusCode::TOO_MANY_REQUESTS))
}

fn session_limit_only(config: &mut Config) {
    // Refilled at one a minute, so a slow machine cannot earn an extra attempt mid-test.
    config.session_validations = RateLimit {
        burst: 10,
        per_minute: 1,
    };
    config.address_validations = RateLimit {
        burst: 1000,
        per_minute: 1000,
    };
}

#[tokio::test]
async fn ten_wrong_secrets_per_session_in_total_across_two_and_three_replicas() {
    for replicas in [2, 3] {
        let Some(store) = postgres().await else {
            return;
        };
        let h = Harness::start_on(store, session_limit_only).await;
        let mut proxies = vec![h.proxy.clone()];
        for _ in 1..replicas {
            proxies.push(h.replica(session_limit_only).await);
        }
        // Ten, one replica after another: each is a wrong secret, reported as such.
        for attempt in 0..10 {
            let proxy = &proxies[attempt % replicas];
            let status = validate(proxy, &h.session, &wrong_secret(&h, attempt), None).await;
            assert_eq!(
                status,
                StatusCode::OK,
                "attempt {attempt} on {replicas} replicas"
            );
        }
        // The eleventh is refused by every replica.
        for proxy in &proxies {
            let status = validate(proxy, &h.session, &wrong_secret(&h, 10), None).await;
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{replicas} replicas");
        }
        // A concurrent burst on a fresh session, spread over the replicas: ten get through.
        let session = open_session(&h.proxy).await;
        let burst = (0..16).map(|attempt| {
            let (proxy, session, body) = (
                proxies[attempt % replicas].clone(),
                session.clone(),
                wrong_secret(&h, attempt),
            );
            async move { validate(&proxy, &session, &body, None).await }
        });
        let statuses = futures_join_all(burst).await;
        assert_eq!(tally(&statuses), (10, 6), "{replicas} replicas");
    }
}

#[tokio::test]
async fn the_per_address_limit_holds_across_three_replicas() {
    let Some(store) = postgres().await else {
        return;
    };
    let tweak = |config: &mut Config| {
        config.address_validations = RateLimit {
            burst: 5,
            per_minute: 1,
        };
    };
    let h = Harness::start_on(store, tweak).await;
    let proxies = [
        h.proxy.clone(),
        h.replica(tweak).await,
        h.replica(tweak).await,
    ];
    let mut sessions = Vec::new();
    for _ in 0..3 {
        sessions.push(open_session(&h.proxy).await);
    }
    let mut statuses = Vec::new();
    for attempt in 0..9 {
        let (proxy, session) = (&proxies[attempt % 3], &sessions[attempt / 3]);
        statuses.push(validate(proxy, session, &wrong_secret(&h, attempt), None).await);
    }
    assert_eq!(tally(&statuses), (5, 4), "{statuses:?}");
    assert!(statuses[..5].iter().all(|s| *s == StatusCode::OK));
    // Another address has its own budget, on every replica.
    let other: IpAddr = "127.0.0.2".parse().unwrap();
    for proxy in &proxies {
        let status = validate(proxy, &sessions[2], &wrong_secret(&h, 9), Some(other)).await;
        assert_eq!(status, StatusCode::OK);
    }
}

/// `join_all` without a futures dependency: spawns each and awaits them in order.
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<StatusCode>
where
    F: std::future::Future<Output = StatusCode> + Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut statuses = Vec::new();
    for handle in handles {
        statuses.push(handle.await.unwrap());
    }
    statuses
}

/// A validation through a load balancer at 127.0.0.1 that forwards `x_forwarded_for`.
async fn validate_forwarded(h: &Harness, session: &str, x_forwarded_for: &str) -> StatusCode {
    reqwest::Client::new()
        .post(format!("{}/v1/validate", h.proxy))
        .bearer_auth(session)
        .header("x-forwarded-for", x_forwarded_for)
        .json(&wrong_secret(h, 0))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn behind_a_trusted_proxy_clients_count_by_their_forwarded_address() {
    for store in test_stores().await {
        let backend = store.backend;
        let h = Harness::start_on(store, |config| {
            config.address_validations = RateLimit {
                burst: 2,
                per_minute: 1,
            };
            config
                .trusted_proxies
                .0
                .push("127.0.0.0/8".parse().unwrap());
        })
        .await;
        let session = open_session(&h.proxy).await;
        let one = "198.51.100.1";
        for _ in 0..2 {
            assert_eq!(validate_forwarded(&h, &session, one).await, StatusCode::OK);
        }
        assert_eq!(
            validate_forwarded(&h, &session, one).await,
            StatusCode::TOO_MANY_REQUESTS,
            "{backend}"
        );
        // A leftmost entry is the client's own writing: it does not buy a new budget.
        assert_eq!(
            validate_forwarded(&h, &session, "203.0.113.9, 198.51.100.1").await,
            StatusCode::TOO_MANY_REQUESTS,
            "{backend}"
        );
        // Another client behind the same load balancer has its own budget, and IPv6 counts by
        // its /64: two addresses of one /64 share one.
        assert_eq!(
            validate_forwarded(&h, &session, "198.51.100.2").await,
            StatusCode::OK,
            "{backend}"
        );
        for (address, expected) in [
            ("2001:db8:1:2::1", StatusCode::OK),
            ("2001:db8:1:2::ffff", StatusCode::OK),
            ("2001:db8:1:2:aaaa::1", StatusCode::TOO_MANY_REQUESTS),
            ("2001:db8:1:3::1", StatusCode::OK),
        ] {
            assert_eq!(
                validate_forwarded(&h, &session, address).await,
                expected,
                "{backend} {address}"
            );
        }
    }
}

#[tokio::test]
async fn an_untrusted_peer_cannot_choose_its_address() {
    let h = Harness::start(|config| {
        config.address_validations = RateLimit {
            burst: 2,
            per_minute: 1,
        };
    })
    .await;
    let session = open_session(&h.proxy).await;
    let statuses = [
        validate_forwarded(&h, &session, "198.51.100.1").await,
        validate_forwarded(&h, &session, "198.51.100.2").await,
        validate_forwarded(&h, &session, "198.51.100.3").await,
    ];
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
}

/// `GET /v1/session` with `token`, from `from`: the status and the error code.
async fn read_session(proxy: &str, token: &str, from: IpAddr) -> (StatusCode, Value) {
    let response = reqwest::Client::builder()
        .local_address(from)
        .build()
        .unwrap()
        .get(format!("{proxy}/v1/session"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (
        status,
        response.json::<Value>().await.unwrap()["code"].clone(),
    )
}

#[tokio::test]
async fn guessed_tokens_are_refused_before_the_database_is_asked() {
    for store in test_stores().await {
        let backend = store.backend;
        let h = Harness::start_on(store, |config| {
            config.failed_session_lookups = RateLimit {
                burst: 5,
                per_minute: 1,
            };
        })
        .await;
        let guesser: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..5 {
            let token = format!("sos_{:032x}", rand::random::<u128>());
            let (status, code) = read_session(&h.proxy, &token, guesser).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{backend}");
            assert_eq!(code, json!("invalid_session"));
        }
        for _ in 0..20 {
            let token = format!("sos_{:032x}", rand::random::<u128>());
            let (status, code) = read_session(&h.proxy, &token, guesser).await;
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{backend}");
            assert_eq!(code, json!("rate_limited"));
        }
        // Refused before the lookup: even the real token is not looked up from there.
        let (status, _) = read_session(&h.proxy, &h.session, guesser).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{backend}");
        let refused = reqwest::Client::new()
            .post(format!("{}/v1/validate", h.proxy))
            .bearer_auth(&h.session)
            .json(&h.credentials("x"))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "{backend}");
        // Another address is unaffected: its real token works, its guesses are 401.
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        assert_eq!(
            read_session(&h.proxy, &h.session, other).await.0,
            StatusCode::OK
        );
        assert_eq!(
            read_session(&h.proxy, "sos_nope", other).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn found_sessions_do_not_count_as_failed_lookups() {
    let h = Harness::start(|config| {
        config.failed_session_lookups = RateLimit {
            burst: 2,
            per_minute: 1,
        };
    })
    .await;
    let here: IpAddr = "127.0.0.1".parse().unwrap();
    for _ in 0..10 {
        assert_eq!(
            read_session(&h.proxy, &h.session, here).await.0,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn concurrent_replicas_never_both_take_the_last_token() {
    let Some(test_store) = postgres().await else {
        return;
    };
    let mut stores = Vec::new();
    for _ in 0..3 {
        stores.push(Store::open(&test_store.url).await.unwrap());
    }
    let limit = RateLimit {
        burst: 7,
        per_minute: 1,
    };
    let takes: Vec<_> = (0..60)
        .map(|i| {
            let store = stores[i % 3].clone();
            tokio::spawn(async move { store.take_rate_token(b"bucket", limit).await.unwrap() })
        })
        .collect();
    let mut allowed = 0;
    for take in takes {
        match take.await.unwrap() {
            Ok(()) => allowed += 1,
            Err(wait) => assert!(
                (50..=60).contains(&wait.as_secs()),
                "one token a minute: {wait:?}"
            ),
        }
    }
    assert_eq!(allowed, 7);
    assert!(
        stores[0]
            .take_rate_token(b"another bucket", limit)
            .await
            .unwrap()
            .is_ok(),
        "buckets are independent"
    );
}

#[tokio::test]
async fn the_sweep_deletes_buckets_once_they_are_full_again() {
    let Some(test_store) = postgres().await else {
        return;
    };
    let store = Store::open(&test_store.url).await.unwrap();
    let mut database = sqlx::PgConnection::connect(&test_store.url).await.unwrap();
    // Refilled within a millisecond, and within a minute.
    let quick = RateLimit {
        burst: 1,
        per_minute: 60_000,
    };
    let slow = RateLimit {
        burst: 2,
        per_minute: 1,
    };
    store
        .take_rate_token(b"quick", quick)
        .await
        .unwrap()
        .unwrap();
    store.take_rate_token(b"slow", slow).await.unwrap().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        store
            .sweep_expired(sis_onboard_proxy::clock::unix_now())
            .await
            .unwrap();
        let buckets: Vec<Vec<u8>> = sqlx::query_scalar("SELECT bucket FROM rate_limits")
            .fetch_all(&mut database)
            .await
            .unwrap();
        if buckets == [b"slow".to_vec()] {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the full bucket is still there: {buckets:?}"
        );
        tokio::task::yield_now().await;
    }
}

/// `GET /v1/session` on `proxy` with a guessed token, as forwarded for `client`.
async fn guess_forwarded(proxy: &str, client: &str) -> StatusCode {
    reqwest::Client::new()
        .get(format!("{proxy}/v1/session"))
        .bearer_auth(format!("sos_{:032x}", rand::random::<u128>()))
        .header("x-forwarded-for", client)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn the_binary_reads_its_trusted_proxies_from_the_environment() {
    let proxy = common::binary::proxy_binary_with_env(&[], |command| {
        command.env("SIS_ONBOARD_TRUSTED_PROXIES", "192.0.2.0/24, 127.0.0.1");
    });
    // The default budget of failed lookups (30) for one forwarded client…
    for _ in 0..30 {
        assert_eq!(
            guess_forwarded(&proxy.url, "198.51.100.1").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        guess_forwarded(&proxy.url, "198.51.100.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // …is not another's: the load balancer at 127.0.0.1 is trusted.
    assert_eq!(
        guess_forwarded(&proxy.url, "198.51.100.2").await,
        StatusCode::UNAUTHORIZED
    );
}

#[test]
fn the_binary_refuses_a_trusted_proxy_that_is_not_a_range() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = common::binary::proxy_command(dir.path());
    command.args(["--trusted-proxies", "10.0.0.0/8,load-balancer"]);
    let stderr = common::binary::refused_start(command);
    assert!(
        stderr.contains("--trusted-proxies") && stderr.contains("load-balancer"),
        "{stderr}"
    );
}
