//! `POST /v1/validate` over real loopback HTTP against the sandbox district, one test per
//! failure an administrator can meet, each asserting the exact code and field.
#![allow(clippy::unwrap_used, missing_docs)]

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sis_onboard_proxy::net_guard::{AllowedHost, Dns};
use sis_onboard_sandbox::{Behaviour, CredentialsIn, DEMO_SECRET, MOVED_TOKEN_PATH};

mod common;
use common::harness::{Harness, listen, open_session};
use common::test_stores;

fn assert_failure(report: &Value, code: &str, field: Option<&str>) {
    assert_eq!(report["passed"], false, "{report}");
    assert_eq!(report["error"]["code"], code, "{report}");
    match field {
        Some(field) => assert_eq!(report["error"]["field"], field, "{report}"),
        None => assert!(report["error"]["field"].is_null(), "{report}"),
    }
    assert!(
        report["error"]["message"].as_str().unwrap().len() > 20,
        "{report}"
    );
}

#[tokio::test]
async fn a_working_connection_reports_the_district() {
    for h in Harness::start_each(|_| {}).await {
        let report = h.validate_as(Behaviour::Working).await;
        assert_eq!(report["passed"], true, "{report}");
        let district = &report["district"];
        assert!(
            district["name"]
                .as_str()
                .unwrap()
                .ends_with("Unified School District")
        );
        assert_eq!(district["schools"], json!({ "value": 2, "exact": true }));
        assert_eq!(district["students"], json!({ "value": 24, "exact": true }));
        assert_eq!(district["teachers"], json!({ "value": 4, "exact": true }));
        assert_eq!(district["classes"], json!({ "value": 12, "exact": true }));
        assert_eq!(district["academic_session"], "2026-2027 School Year");
        let checks: Vec<&str> = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            checks,
            [
                "token",
                "district",
                "schools",
                "students",
                "teachers",
                "classes",
                "academic_session"
            ]
        );
        assert!(
            report["checks"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["passed"] == true)
        );
        assert_eq!(report["warnings"], json!([]));
    }
}

#[tokio::test]
async fn every_sandbox_behaviour_gets_its_code_and_field() {
    for h in Harness::start_each(|_| {}).await {
        let cases: [(Behaviour, &str, Option<&str>); 8] = [
            (
                Behaviour::WrongSecret,
                "invalid_client",
                Some("client_secret"),
            ),
            (Behaviour::OneRoster11, "one_roster11", None),
            (Behaviour::Inactive, "inactive_connection", None),
            (Behaviour::NoDataShared, "no_data_shared", None),
            (Behaviour::ServerError, "upstream_error", Some("base_url")),
            (Behaviour::RateLimited, "rate_limited", Some("base_url")),
            (
                Behaviour::MalformedJson,
                "malformed_response",
                Some("base_url"),
            ),
            (
                Behaviour::HtmlSignIn,
                "not_one_roster_root",
                Some("base_url"),
            ),
        ];
        for (behaviour, code, field) in cases {
            let report = h.validate_as(behaviour).await;
            assert_failure(&report, code, field);
        }
        let huge = h.validate_as(Behaviour::HugeResponse).await;
        assert_failure(&huge, "response_too_large", Some("base_url"));
    }
}

/// The message's own words: an address the server redirected to (which may well hold an
/// `appName`) is the server's text, not the proxy's.
fn own_words(message: &str) -> String {
    message.replace(MOVED_TOKEN_PATH, "")
}

/// True when a message speaks of Infinite Campus: its name, or its `appName` token URLs.
fn speaks_of_infinite_campus(message: &str) -> bool {
    let own = own_words(message);
    own.contains("Infinite Campus") || own.contains("appName") || own.contains("Token Endpoint")
}

/// `body` with `source` set (or left out).
fn from_source(body: &Value, source: Option<&str>) -> Value {
    let mut body = body.clone();
    if let Some(source) = source {
        body["source"] = json!(source);
    }
    body
}

/// The same failure from every source: the same code, field and checks, in Infinite
/// Campus's words for Infinite Campus (or no source), and never in them for another
/// OneRoster provider, whichever failure the sandbox can cause.
#[tokio::test]
async fn another_provider_gets_the_same_failures_in_its_own_words() {
    use sis_onboard_proxy::rate_limit::RateLimit;
    let (closed_addr, silent_addr, _keep) = closed_and_silent_ports().await;
    let h = Harness::start(|config| {
        let plenty = RateLimit {
            burst: 1000,
            per_minute: 1000,
        };
        config.session_validations = plenty;
        config.address_validations = plenty;
        config.net_policy.total_timeout = Duration::from_millis(1000);
        let sandbox_port = config.net_policy.allowed_hosts[0].port;
        for port in [
            Some(closed_addr.port()),
            Some(silent_addr.port()),
            sandbox_port,
        ] {
            let host = if port == sandbox_port {
                "localhost"
            } else {
                "127.0.0.1"
            };
            config.net_policy.allowed_hosts.push(AllowedHost {
                host: host.into(),
                port,
            });
        }
        // localhost is the sandbox by another name (token_host_mismatch); any other name
        // resolves nowhere (unknown_host).
        config.net_policy.dns = Dns::Fixed(vec![(
            "localhost".into(),
            vec!["127.0.0.1".parse().unwrap()],
        )]);
    })
    .await;
    let (base, token) = (h.base_url(), h.token_url());
    let with = |base: &str, token: &str, client_id: &str, secret: &str| json!({ "base_url": base, "token_url": token, "client_id": client_id, "client_secret": secret });
    let ok = Behaviour::Working.client_id();
    let by = |behaviour: Behaviour| with(&base, &token, behaviour.client_id(), DEMO_SECRET);
    let token_at = |token: String| with(&base, &token, ok, DEMO_SECRET);
    // (case, request, code, does Infinite Campus's message speak of Infinite Campus)
    let cases: Vec<(&str, Value, &str, bool)> = vec![
        (
            "not a URL",
            with("not a url", &token, ok, DEMO_SECRET),
            "malformed_url",
            true,
        ),
        (
            "plain http",
            with(
                "http://district.example/ims/oneroster/rostering/v1p2",
                &token,
                ok,
                DEMO_SECRET,
            ),
            "not_https",
            false,
        ),
        (
            "a OneRoster 1.1 base URL",
            with(
                &base.replace("/rostering/v1p2", "/v1p1"),
                &token,
                ok,
                DEMO_SECRET,
            ),
            "one_roster11",
            true,
        ),
        (
            "a base URL off the OneRoster root",
            with(
                &base.replace("/rostering/v1p2", "/rostering"),
                &token,
                ok,
                DEMO_SECRET,
            ),
            "not_one_roster_root",
            true,
        ),
        (
            "the base URL as the token URL",
            with(&base, &base, ok, DEMO_SECRET),
            "not_token_endpoint",
            true,
        ),
        (
            "a token URL on another host",
            token_at(token.replace("127.0.0.1", "localhost")),
            "token_host_mismatch",
            true,
        ),
        (
            "no client id",
            with(&base, &token, " ", DEMO_SECRET),
            "invalid_client",
            true,
        ),
        (
            "no client secret",
            with(&base, &token, ok, ""),
            "invalid_client",
            true,
        ),
        (
            "a wrong secret",
            by(Behaviour::WrongSecret),
            "invalid_client",
            true,
        ),
        (
            "a token URL that is no token endpoint",
            token_at(token.replace("/oauth2/token", "/oauth2/nothing")),
            "not_token_endpoint",
            true,
        ),
        (
            "a token answer without a token",
            by(Behaviour::NoAccessToken),
            "not_token_endpoint",
            true,
        ),
        (
            "a token URL that redirects",
            by(Behaviour::TokenRedirects),
            "not_token_endpoint",
            true,
        ),
        (
            "a token URL that redirects inside",
            by(Behaviour::TokenRedirectsInside),
            "forbidden_destination",
            false,
        ),
        (
            "a huge token answer",
            by(Behaviour::HugeTokenAnswer),
            "response_too_large",
            false,
        ),
        (
            "a OneRoster 1.1 connection",
            by(Behaviour::OneRoster11),
            "one_roster11",
            false,
        ),
        (
            "a switched-off connection",
            by(Behaviour::Inactive),
            "inactive_connection",
            true,
        ),
        (
            "no data shared",
            by(Behaviour::NoDataShared),
            "no_data_shared",
            true,
        ),
        (
            "no roster scope",
            by(Behaviour::NoRosterScope),
            "insufficient_scope",
            true,
        ),
        (
            "a server error",
            by(Behaviour::ServerError),
            "upstream_error",
            true,
        ),
        (
            "rate limited",
            by(Behaviour::RateLimited),
            "rate_limited",
            true,
        ),
        (
            "cut-off JSON",
            by(Behaviour::MalformedJson),
            "malformed_response",
            true,
        ),
        (
            "a sign-in page",
            by(Behaviour::HtmlSignIn),
            "not_one_roster_root",
            true,
        ),
        (
            "cut mid-body",
            by(Behaviour::CutMidBody),
            "upstream_error",
            false,
        ),
        (
            "nothing listening",
            token_at(format!(
                "http://{closed_addr}/campus/oauth2/token?appName=sandbox"
            )),
            "connection_refused",
            true,
        ),
        (
            "no answer in time",
            token_at(format!(
                "http://{silent_addr}/campus/oauth2/token?appName=sandbox"
            )),
            "timeout",
            true,
        ),
        (
            "https to a plain server",
            token_at(format!(
                "https://{}/campus/oauth2/token?appName=sandbox",
                h.sandbox
            )),
            "tls_failure",
            false,
        ),
        (
            "a name that resolves nowhere",
            with(
                "https://nowhere.example/ims/oneroster/rostering/v1p2",
                "https://nowhere.example/oauth2/token",
                ok,
                DEMO_SECRET,
            ),
            "unknown_host",
            false,
        ),
    ];
    let checks = |report: &Value| -> Vec<(Value, Value)> {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["id"].clone(), c["passed"].clone()))
            .collect()
    };
    let mut named_campus = 0;
    for (case, body, code, names_campus) in cases {
        let campus = h.validate(from_source(&body, None)).await;
        let field = campus["error"]["field"].as_str().map(str::to_owned);
        assert_failure(&campus, code, field.as_deref());
        let campus_message = campus["error"]["message"].as_str().unwrap();
        assert_eq!(
            speaks_of_infinite_campus(campus_message),
            names_campus,
            "{case}: {campus_message}"
        );
        let named = h
            .validate(from_source(&body, Some("infinite_campus")))
            .await;
        assert_eq!(
            named["error"], campus["error"],
            "{case}: absent is infinite_campus"
        );

        let generic = h
            .validate(from_source(&body, Some("oneroster_generic")))
            .await;
        assert_failure(&generic, code, field.as_deref());
        if code == "insufficient_scope" {
            // Another provider's token request names the roster scopes, so a connection
            // without them is refused its token, where Infinite Campus's probes are refused.
            assert_eq!(
                checks(&generic),
                [(json!("token"), json!(false))],
                "{case}: refused at the token"
            );
        } else {
            assert_eq!(
                checks(&generic),
                checks(&campus),
                "{case}: the same checks ran"
            );
        }
        let message = generic["error"]["message"].as_str().unwrap();
        assert!(!speaks_of_infinite_campus(message), "{case}: {message}");
        if names_campus {
            assert_ne!(message, campus_message, "{case}");
            named_campus += 1;
        }
        // An id the proxy does not know reads as another provider too.
        let unknown = h
            .validate(from_source(&body, Some("sis_of_the_future")))
            .await;
        assert_eq!(unknown["error"], generic["error"], "{case}");
    }
    assert!(
        named_campus >= 15,
        "only {named_campus} messages in Infinite Campus's words"
    );
}

#[tokio::test]
async fn recoverable_behaviours_pass_with_warnings() {
    for h in Harness::start_each(|_| {}).await {
        let no_demographics = h.validate_as(Behaviour::NoDemographicsScope).await;
        assert_eq!(no_demographics["passed"], true);
        assert_eq!(
            no_demographics["warnings"],
            json!(["no_demographics_scope"])
        );

        let no_total = h.validate_as(Behaviour::NoTotalCount).await;
        assert_eq!(no_total["passed"], true);
        assert_eq!(no_total["warnings"], json!(["counts_are_lower_bounds"]));
        assert_eq!(
            no_total["district"]["students"],
            json!({ "value": 1, "exact": false })
        );

        // A single-use token: each probe renews it once and goes on.
        let expiring = h.validate_as(Behaviour::TokenExpiresAfterFirstCall).await;
        assert_eq!(expiring["passed"], true, "{expiring}");

        let slow = h.validate_as(Behaviour::Slow).await;
        assert_eq!(slow["passed"], true);
    }
}

#[tokio::test]
async fn typed_urls_are_checked_before_anything_is_sent() {
    for h in Harness::start_each(|_| {}).await {
        let with = |base: &str, token: &str| json!({ "base_url": base, "token_url": token, "client_id": "sandbox-client-id", "client_secret": DEMO_SECRET });
        let token = h.token_url();
        let base = h.base_url();
        let cases = [
            (with("not a url", &token), "malformed_url", "base_url"),
            (
                with(&base, "campus/oauth2/token"),
                "malformed_url",
                "token_url",
            ),
            (
                with(
                    "http://district.infinitecampus.org/campus/api/ims/oneroster/rostering/v1p2",
                    &token,
                ),
                "not_https",
                "base_url",
            ),
            (
                with(
                    "https://10.0.0.5/campus/api/ims/oneroster/rostering/v1p2",
                    &token,
                ),
                "forbidden_destination",
                "base_url",
            ),
            (
                with(&base, "https://169.254.169.254/latest/meta-data"),
                "forbidden_destination",
                "token_url",
            ),
            (
                with(
                    &base.replace("v1p2", "v1p1").replace("/rostering", ""),
                    &token,
                ),
                "one_roster11",
                "base_url",
            ),
            (with(&token, &token), "not_one_roster_root", "base_url"),
            (with(&base, &base), "not_token_endpoint", "token_url"),
            (
                with(&base.replace("/rostering/v1p2", "/rostering"), &token),
                "not_one_roster_root",
                "base_url",
            ),
        ];
        for (body, code, field) in cases {
            let report = h.validate(body.clone()).await;
            assert_failure(&report, code, Some(field));
            assert!(
                report["checks"].as_array().unwrap().is_empty(),
                "nothing was fetched for {body}"
            );
        }
    }
}

/// The workspace links the ASCII-only IDNA back end: a host with other letters gets its own
/// code, at its field, asking for the `xn--` form, whichever way it was written.
#[tokio::test]
async fn a_host_with_non_ascii_letters_asks_for_its_xn_form() {
    for h in Harness::start_each(|config| {
        config.net_policy.dns = Dns::Fixed(Vec::new());
        // The punycode base URL below takes its token from the sandbox.
        config
            .net_policy
            .token_hosts
            .push("xn--distrct-kza.example=127.0.0.1".parse().unwrap());
    })
    .await
    {
        let with = |base: &str, token: &str| json!({ "base_url": base, "token_url": token, "client_id": "sandbox-client-id", "client_secret": DEMO_SECRET });
        let (base, token) = (h.base_url(), h.token_url());
        let cases = [
            (
                with(
                    "https://distrîct.example/campus/api/ims/oneroster/rostering/v1p2",
                    &token,
                ),
                "base_url",
            ),
            (
                with(
                    " https://DISTRÎCT.example:443/campus/api/ims/oneroster/rostering/v1p2",
                    &token,
                ),
                "base_url",
            ),
            (
                with(
                    &base,
                    "https://distr%C3%AEct.example/campus/oauth2/token?appName=sandbox",
                ),
                "token_url",
            ),
            (
                with(
                    &base,
                    "https://user@bücher.example/campus/oauth2/token?appName=sandbox",
                ),
                "token_url",
            ),
        ];
        for (body, field) in cases {
            let report = h.validate(body.clone()).await;
            assert_failure(&report, "non_ascii_host", Some(field));
            assert!(
                report["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("xn--"),
                "{report}"
            );
            assert!(report["checks"].as_array().unwrap().is_empty(), "{body}");
        }
        // The xn-- form parses under this back end and goes on to be looked up.
        let punycode = h
            .validate(with(
                "https://xn--distrct-kza.example/campus/api/ims/oneroster/rostering/v1p2",
                &token,
            ))
            .await;
        assert_failure(&punycode, "unknown_host", Some("base_url"));
        // Letters outside ASCII elsewhere in the address are not the host's problem.
        let in_path = h
            .validate(with(
                &base,
                &token.replace("appName=sandbox", "appName=sandbox&x=é"),
            ))
            .await;
        assert_ne!(in_path["error"]["code"], "non_ascii_host", "{in_path}");
    }
}

#[tokio::test]
async fn transport_failures_are_told_apart() {
    let (closed_addr, silent_addr, _keep) = closed_and_silent_ports().await;
    for h in Harness::start_each(|config| {
        for addr in [closed_addr, silent_addr] {
            config.net_policy.allowed_hosts.push(AllowedHost {
                host: "127.0.0.1".into(),
                port: Some(addr.port()),
            });
        }
        config.net_policy.total_timeout = Duration::from_millis(500);
    })
    .await
    {
        let with_token_url = |token_url: String| json!({ "base_url": h.base_url(), "token_url": token_url, "client_id": "sandbox-client-id", "client_secret": DEMO_SECRET });
        let refused = h
            .validate(with_token_url(format!(
                "http://{closed_addr}/campus/oauth2/token?appName=sandbox"
            )))
            .await;
        assert_failure(&refused, "connection_refused", Some("token_url"));

        let timeout = h
            .validate(with_token_url(format!(
                "http://{silent_addr}/campus/oauth2/token?appName=sandbox"
            )))
            .await;
        assert_failure(&timeout, "timeout", Some("token_url"));

        // https to a plain-HTTP server: the TLS handshake fails.
        let tls = h
            .validate(with_token_url(format!(
                "https://{}/campus/oauth2/token?appName=sandbox",
                h.sandbox
            )))
            .await;
        assert_failure(&tls, "tls_failure", Some("token_url"));

        let not_token = h
            .validate(with_token_url(format!(
                "http://{}/campus/oauth2/token",
                h.sandbox
            )))
            .await;
        assert_failure(&not_token, "not_token_endpoint", Some("token_url"));
    }
}

/// Names are resolved from a fixed table here: a test never asks a real DNS server.
#[tokio::test]
async fn host_names_that_do_not_resolve_or_resolve_inside_are_told_apart() {
    for h in Harness::start_each(|config| {
        config.net_policy.dns = Dns::Fixed(vec![
            (
                "campus.district.test".into(),
                vec!["10.1.2.3".parse().unwrap()],
            ),
            (
                "sandbox.district.test".into(),
                vec!["127.0.0.1".parse().unwrap()],
            ),
        ]);
        // Each case pairs one of these names with the sandbox at 127.0.0.1.
        for pair in [
            "127.0.0.1=nowhere.district.test",
            "campus.district.test=127.0.0.1",
        ] {
            config.net_policy.token_hosts.push(pair.parse().unwrap());
        }
    })
    .await
    {
        let port = h.sandbox.port();
        let body = |base: String, token: String| json!({ "base_url": base, "token_url": token, "client_id": "sandbox-client-id", "client_secret": DEMO_SECRET });
        let unknown = h
            .validate(body(
                h.base_url(),
                "https://nowhere.district.test/campus/oauth2/token?appName=sandbox".into(),
            ))
            .await;
        assert_failure(&unknown, "unknown_host", Some("token_url"));

        let inside = h
            .validate(body(
                "https://campus.district.test/campus/api/ims/oneroster/rostering/v1p2".into(),
                h.token_url(),
            ))
            .await;
        assert_failure(&inside, "forbidden_destination", Some("base_url"));

        // A loopback name is refused until it is allowed by name, and then it works.
        let by_name = body(
            format!("http://sandbox.district.test:{port}/campus/api/ims/oneroster/rostering/v1p2"),
            format!("http://sandbox.district.test:{port}/campus/oauth2/token?appName=sandbox"),
        );
        assert_failure(
            &h.validate(by_name.clone()).await,
            "not_https",
            Some("base_url"),
        );
        let same_backend = common::test_stores()
            .await
            .into_iter()
            .find(|s| s.backend == h.test_store.backend)
            .unwrap();
        let allowed = Harness::start_on(same_backend, |config| {
            config.net_policy.dns = Dns::Fixed(vec![(
                "sandbox.district.test".into(),
                vec!["127.0.0.1".parse().unwrap()],
            )]);
            config.net_policy.allowed_hosts.push(AllowedHost {
                host: "sandbox.district.test".into(),
                port: None,
            });
        })
        .await;
        let by_name = body(
            format!(
                "http://sandbox.district.test:{}/campus/api/ims/oneroster/rostering/v1p2",
                allowed.sandbox.port()
            ),
            format!(
                "http://sandbox.district.test:{}/campus/oauth2/token?appName=sandbox",
                allowed.sandbox.port()
            ),
        );
        assert_eq!(allowed.validate(by_name).await["passed"], true);
    }
}

/// A name allowed as `name:port` that resolves to loopback is usable on that port only: on
/// the default port it is refused before it is resolved (not tried and found closed).
#[tokio::test]
async fn a_name_allowed_with_a_port_is_refused_on_any_other_port() {
    for h in Harness::start_each(|config| {
        // The harness has allowed 127.0.0.1 on the sandbox's port; the name gets that port.
        let port = config.net_policy.allowed_hosts[0].port;
        config.net_policy.dns = Dns::Fixed(vec![(
            "sandbox.district.test".into(),
            vec!["127.0.0.1".parse().unwrap()],
        )]);
        config.net_policy.allowed_hosts.push(AllowedHost {
            host: "sandbox.district.test".into(),
            port,
        });
    })
    .await
    {
        let body = |origin: &str| {
            json!({
                "base_url": format!("{origin}/campus/api/ims/oneroster/rostering/v1p2"),
                "token_url": format!("{origin}/campus/oauth2/token?appName=sandbox"),
                "client_id": "sandbox-client-id",
                "client_secret": DEMO_SECRET,
            })
        };
        let on_port = format!("http://sandbox.district.test:{}", h.sandbox.port());
        assert_eq!(h.validate(body(&on_port)).await["passed"], true);
        for origin in [
            "https://sandbox.district.test",
            "https://sandbox.district.test:443",
        ] {
            let report = h.validate(body(origin)).await;
            assert_failure(&report, "forbidden_destination", Some("base_url"));
            assert!(
                report["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("port 443"),
                "{report}"
            );
        }
    }
}

#[tokio::test]
async fn validation_needs_a_live_session() {
    for h in Harness::start_each(|_| {}).await {
        let response = reqwest::Client::new()
            .post(format!("{}/v1/validate", h.proxy))
            .bearer_auth("sos_wrong")
            .json(&json!({ "base_url": "", "token_url": "", "client_id": "", "client_secret": "" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.json::<Value>().await.unwrap()["code"],
            "invalid_session"
        );
    }
}

#[tokio::test]
async fn completing_needs_the_very_same_validated_values() {
    for test_store in test_stores().await {
        let h = Harness::start_on(test_store, |_| {}).await;
        let before = h.complete(h.credentials(DEMO_SECRET)).await;
        assert_eq!(
            before.status(),
            StatusCode::CONFLICT,
            "{}",
            h.test_store.backend
        );
        assert_eq!(
            before.json::<Value>().await.unwrap()["code"],
            "validation_required"
        );

        assert_eq!(h.validate(h.credentials(DEMO_SECRET)).await["passed"], true);
        let changed = h.complete(h.credentials("another-secret")).await;
        assert_eq!(
            changed.status(),
            StatusCode::CONFLICT,
            "any change needs a new validation"
        );

        let first = h.complete(h.credentials(DEMO_SECRET)).await;
        assert_eq!(first.status(), StatusCode::OK, "{}", h.test_store.backend);
        let first_text = first.text().await.unwrap();
        assert!(!first_text.contains(DEMO_SECRET));
        let id = serde_json::from_str::<Value>(&first_text).unwrap()["connection_id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(id.starts_with("conn_"));

        let again: Value = h
            .complete(h.credentials(DEMO_SECRET))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            again["connection_id"], id,
            "completing twice returns the same connection"
        );

        // The secret is sealed at rest: recoverable with the key, and stored nowhere in clear.
        let (summary, sealed) = h.store.connection(&id).await.unwrap().unwrap();
        let sealed = sealed.unwrap();
        let opened = sis_onboard_proxy::crypto::Keyring::new(&h.key, &[])
            .open(
                &sealed,
                &sis_onboard_proxy::crypto::SealBinding::of(&summary),
            )
            .unwrap();
        assert_eq!(secrecy::ExposeSecret::expose_secret(&opened), DEMO_SECRET);
        let at_rest: Vec<u8> = match &h.test_store.dir {
            Some(dir) => std::fs::read_dir(dir.path())
                .unwrap()
                .flat_map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
                .collect(),
            None => {
                use sqlx::Connection;
                let mut pg = sqlx::PgConnection::connect(&h.test_store.url)
                    .await
                    .unwrap();
                let rows: Vec<String> =
                    sqlx::query_scalar("SELECT row_to_json(c)::text FROM connections c")
                        .fetch_all(&mut pg)
                        .await
                        .unwrap();
                let validations: Vec<String> =
                    sqlx::query_scalar("SELECT row_to_json(v)::text FROM validations v")
                        .fetch_all(&mut pg)
                        .await
                        .unwrap();
                assert_eq!(rows.len(), 1);
                rows.concat()
                    .into_bytes()
                    .into_iter()
                    .chain(validations.concat().into_bytes())
                    .collect()
            }
        };
        assert!(!at_rest.is_empty(), "{}", h.test_store.backend);
        assert!(
            !at_rest
                .windows(DEMO_SECRET.len())
                .any(|w| w == DEMO_SECRET.as_bytes())
        );

        // The vendor's admin API: list and read without the secret, fetch it, revoke.
        let list = h
            .admin(reqwest::Method::GET, "/v1/connections?tenant_id=d1")
            .await;
        let list_text = list.text().await.unwrap();
        assert!(!list_text.contains(DEMO_SECRET));
        let listed: Value = serde_json::from_str(&list_text).unwrap();
        assert_eq!(listed[0]["id"], id);
        assert_eq!(listed[0]["region"], "us");
        assert!(
            listed[0]["district_name"]
                .as_str()
                .unwrap()
                .ends_with("School District")
        );
        let other_tenant: Value = h
            .admin(reqwest::Method::GET, "/v1/connections?tenant_id=d2")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(other_tenant, json!([]));

        let credentials: Value = h
            .admin(
                reqwest::Method::GET,
                &format!("/v1/connections/{id}/credentials"),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(credentials["client_secret"], DEMO_SECRET);
        assert_eq!(credentials["client_id"], "sandbox-client-id");

        let wrong_key = reqwest::Client::new()
            .get(format!("{}/v1/connections/{id}/credentials", h.proxy))
            .bearer_auth("sk_guess")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong_key.status(), StatusCode::UNAUTHORIZED);

        let revoked = h
            .admin(reqwest::Method::DELETE, &format!("/v1/connections/{id}"))
            .await;
        assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
        let gone = h
            .admin(
                reqwest::Method::GET,
                &format!("/v1/connections/{id}/credentials"),
            )
            .await;
        assert_eq!(gone.status(), StatusCode::NOT_FOUND);
        let record: Value = h
            .admin(reqwest::Method::GET, &format!("/v1/connections/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert!(record["revoked_at"].as_i64().is_some(), "{record}");
        assert_eq!(
            h.store.sealed_secret(&id).await.unwrap(),
            Some(vec![]),
            "the secret is erased"
        );
        let unknown = h
            .admin(reqwest::Method::DELETE, "/v1/connections/conn_nope")
            .await;
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_burst_of_wrong_secrets_is_rate_limited() {
    use sis_onboard_proxy::rate_limit::RateLimit;
    for h in Harness::start_each(|config| {
        config.session_validations = RateLimit {
            burst: 3,
            per_minute: 1,
        };
        config.address_validations = RateLimit {
            burst: 5,
            per_minute: 1,
        };
    })
    .await
    {
        let guess = |secret: String| json!({ "base_url": h.base_url(), "token_url": h.token_url(), "client_id": "sandbox-client-id", "client_secret": secret });
        let send = |session: String, body: Value| {
            let url = format!("{}/v1/validate", h.proxy);
            async move {
                reqwest::Client::new()
                    .post(url)
                    .bearer_auth(session)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
            }
        };
        for attempt in 0..3 {
            let report = h.validate(guess(format!("guess-{attempt}"))).await;
            assert_eq!(report["error"]["code"], "invalid_client");
        }
        let limited = send(h.session.clone(), guess("guess-3".into())).await;
        assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry_after: u64 = limited.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry_after), "{retry_after}");
        assert_eq!(
            limited.json::<Value>().await.unwrap()["code"],
            "rate_limited"
        );

        // A fresh session from the same address has its own budget, until the address's runs out.
        let other = open_session(&h.proxy).await;
        // The address has spent 4 of 5 (the refused attempt counted against it too).
        assert_eq!(
            send(other.clone(), guess("guess-4".into())).await.status(),
            StatusCode::OK
        );
        assert_eq!(
            send(other, guess("guess-5".into())).await.status(),
            StatusCode::TOO_MANY_REQUESTS
        );
    }
}

#[tokio::test]
async fn completing_holds_the_administrator_to_the_sessions_offer() {
    for h in Harness::start_each(|_| {}).await {
        let offer = json!({
            "tenant_id": "d1",
            "display_name": "Acme",
            "regions": ["eu"],
            "sources": ["infinite_campus", "powerschool"],
            "strategies": ["oneroster_api"],
        });
        let session = common::harness::open_session_with(&h.proxy, offer).await;
        let h = Harness { session, ..h };
        assert_eq!(h.validate(h.credentials(DEMO_SECRET)).await["passed"], true);

        for (region, source, strategy, field) in [
            ("us", "infinite_campus", "oneroster_api", "region"),
            ("mars", "infinite_campus", "oneroster_api", "region"),
            ("eu", "skyward", "oneroster_api", "source"),
            ("eu", "powerschool", "oneroster_api", "source"),
            ("eu", "infinite_campus", "custom_data_extract", "strategy"),
        ] {
            let response = h
                .complete_as(h.credentials(DEMO_SECRET), region, source, strategy)
                .await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{field}");
            let error: Value = response.json().await.unwrap();
            assert_eq!(error["code"], "bad_request");
            assert_eq!(
                error["field"], field,
                "{region} {source} {strategy}: {error}"
            );
        }
        let unknown_strategy = h
            .complete_as(h.credentials(DEMO_SECRET), "eu", "infinite_campus", "csv")
            .await;
        assert_eq!(unknown_strategy.status(), StatusCode::BAD_REQUEST);

        let done = h
            .complete_as(
                h.credentials(DEMO_SECRET),
                "eu",
                "infinite_campus",
                "oneroster_api",
            )
            .await;
        let id = Harness::connection_id(done).await;
        let record = h.admin_json(&format!("/v1/connections/{id}")).await;
        assert_eq!(record["region"], "eu");
        assert_eq!(record["strategy"], "oneroster_api");
    }
}

/// Custom Data Extracts are Infinite Campus's: another OneRoster provider completes by the
/// OneRoster API, and is refused at `strategy` on the extract path even in a session that
/// offers both strategies.
#[tokio::test]
async fn another_provider_completes_by_the_oneroster_api_only() {
    for h in Harness::start_each(|_| {}).await {
        // As the wizard sends them: the values and the source they come from.
        let mut credentials = h.credentials(DEMO_SECRET);
        credentials["source"] = json!("oneroster_generic");
        assert_eq!(h.validate(credentials.clone()).await["passed"], true);

        let extracts = h
            .complete_with(json!({
                "credentials": credentials,
                "region": "us",
                "source": "oneroster_generic",
                "strategy": "custom_data_extract",
                "data_sets": ["extended_rostering"],
            }))
            .await;
        assert_eq!(
            extracts.status(),
            StatusCode::BAD_REQUEST,
            "{}",
            h.test_store.backend
        );
        let error: Value = extracts.json().await.unwrap();
        assert_eq!(error["code"], "bad_request", "{error}");
        assert_eq!(error["field"], "strategy", "{error}");

        let done = h
            .complete_as(credentials, "us", "oneroster_generic", "oneroster_api")
            .await;
        let id = Harness::connection_id(done).await;
        let record = h.admin_json(&format!("/v1/connections/{id}")).await;
        assert_eq!(record["source"], "oneroster_generic", "{record}");
        assert_eq!(record["strategy"], "oneroster_api", "{record}");
        assert_eq!(record["extract_plan"], Value::Null, "{record}");
    }
}

/// A database for the region "eu", on the server of `regional`: with PostgreSQL, that
/// server; without it, a second SQLite file stands for the region's server.
async fn regional_store(regional: &common::TestStore) -> sis_onboard_proxy::Store {
    let url = match &regional.dir {
        Some(dir) => format!("sqlite://{}", dir.path().join("eu.sqlite").display()),
        None => regional.url.clone(),
    };
    sis_onboard_proxy::Store::open(&url).await.unwrap()
}

/// Data residency: a region with its own database keeps its connections there, and only
/// there; the admin API finds them wherever they are. With PostgreSQL configured, the
/// region's database is PostgreSQL and the default one SQLite.
#[tokio::test]
async fn a_region_with_its_own_database_keeps_its_connections_there() {
    let mut stores = test_stores().await;
    let regional = stores.pop().unwrap();
    let regional_store = regional_store(&regional).await;
    let default_store = test_stores().await.into_iter().next().unwrap();
    let eu = regional_store.clone();
    let h = Harness::start_with(
        default_store,
        |_| {},
        move |state| state.with_region_store("eu", eu),
    )
    .await;

    assert_eq!(h.validate(h.credentials(DEMO_SECRET)).await["passed"], true);
    let done = h
        .complete_as(
            h.credentials(DEMO_SECRET),
            "eu",
            "infinite_campus",
            "oneroster_api",
        )
        .await;
    let id = Harness::connection_id(done).await;
    assert!(regional_store.connection(&id).await.unwrap().is_some());
    assert!(
        h.store.connection(&id).await.unwrap().is_none(),
        "the default database never sees the region's connection"
    );
    assert!(h.store.list_connections(None).await.unwrap().is_empty());

    let again: Value = h
        .complete_as(
            h.credentials(DEMO_SECRET),
            "eu",
            "infinite_campus",
            "oneroster_api",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["connection_id"], id.as_str());

    let listed = h.admin_json("/v1/connections").await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["region"], "eu");
    let credentials = h
        .admin_json(&format!("/v1/connections/{id}/credentials"))
        .await;
    assert_eq!(credentials["client_secret"], DEMO_SECRET);
    let revoked = h
        .admin(reqwest::Method::DELETE, &format!("/v1/connections/{id}"))
        .await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        regional_store.sealed_secret(&id).await.unwrap(),
        Some(vec![]),
        "revoked in the region's own database"
    );
    drop(regional);
}

/// Two completions of one session racing for different regions agree on one connection.
#[tokio::test]
async fn concurrent_completions_for_different_regions_store_one_connection() {
    let mut stores = test_stores().await;
    let regional = stores.pop().unwrap();
    let eu = regional_store(&regional).await;
    let default_store = test_stores().await.into_iter().next().unwrap();
    let for_state = eu.clone();
    let h = Harness::start_with(
        default_store,
        |_| {},
        move |state| state.with_region_store("eu", for_state),
    )
    .await;
    assert_eq!(h.validate(h.credentials(DEMO_SECRET)).await["passed"], true);
    let (us, in_eu) = tokio::join!(
        h.complete_as(
            h.credentials(DEMO_SECRET),
            "us",
            "infinite_campus",
            "oneroster_api"
        ),
        h.complete_as(
            h.credentials(DEMO_SECRET),
            "eu",
            "infinite_campus",
            "oneroster_api"
        ),
    );
    let us: Value = us.json().await.unwrap();
    let in_eu: Value = in_eu.json().await.unwrap();
    assert_eq!(us["connection_id"], in_eu["connection_id"], "{us} {in_eu}");
    let stored = h.store.list_connections(None).await.unwrap().len()
        + eu.list_connections(None).await.unwrap().len();
    assert_eq!(stored, 1, "one connection in all the regions' databases");
    drop(regional);
}

/// A connection written where its region's database was not yet configured is still
/// revoked where it is read from.
#[tokio::test]
async fn revoking_happens_in_the_database_that_holds_the_connection() {
    for h in Harness::start_each(|_| {}).await {
        assert_eq!(h.validate(h.credentials(DEMO_SECRET)).await["passed"], true);
        let done = h
            .complete_as(
                h.credentials(DEMO_SECRET),
                "eu",
                "infinite_campus",
                "oneroster_api",
            )
            .await;
        let id = Harness::connection_id(done).await;

        // The operator now gives eu a database of its own; the old connection stays put.
        let dir = tempfile::tempdir().unwrap();
        let eu = sis_onboard_proxy::Store::open(&format!(
            "sqlite://{}",
            dir.path().join("eu.sqlite").display()
        ))
        .await
        .unwrap();
        let mut config = sis_onboard_proxy::Config::new(vec![
            sis_onboard_proxy::api_keys::ApiKey::new("test", common::harness::API_KEY).unwrap(),
        ]);
        config.encryption_key = Some(h.key.clone());
        let state = sis_onboard_proxy::AppState::new(config, h.store.clone())
            .unwrap()
            .with_region_store("eu", eu);
        let (listener, addr) = listen().await;
        let router = sis_onboard_proxy::app(state);
        tokio::spawn(async move { axum::serve(listener, router).await });
        let client = reqwest::Client::new();
        let call = |method: reqwest::Method, path: String| {
            client
                .request(method, format!("http://{addr}{path}"))
                .bearer_auth(common::harness::API_KEY)
                .send()
        };
        let revoked = call(reqwest::Method::DELETE, format!("/v1/connections/{id}"))
            .await
            .unwrap();
        assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
        let gone = call(
            reqwest::Method::GET,
            format!("/v1/connections/{id}/credentials"),
        )
        .await
        .unwrap();
        assert_eq!(
            gone.status(),
            StatusCode::NOT_FOUND,
            "the secret is no longer served"
        );
    }
}

/// A session stored before sessions carried an offer reads as offering everything.
#[tokio::test]
async fn a_session_without_a_stored_offer_offers_the_defaults() {
    for h in Harness::start_each(|_| {}).await {
        let token = "sos_from_before_offers";
        h.store
            .insert_session(
                &sis_onboard_proxy::sessions::hash_token(token),
                &sis_onboard_proxy::store::StoredSession {
                    tenant_id: "d1".into(),
                    display_name: "Acme Learning".into(),
                    allowed_origins: vec![],
                    support_contact: None,
                    offer: sis_onboard_proxy::store::SessionOffer::default(),
                    created_at: 0,
                    expires_at: i64::MAX,
                },
            )
            .await
            .unwrap();
        let session: Value = h
            .wizard_get_as(token, "/v1/session")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(session["regions"].as_array().map(Vec::len), Some(3));
        assert_eq!(session["strategies"].as_array().map(Vec::len), Some(2));
        assert_eq!(session["extract_name_prefix"], "AcmeLearning");
        assert_eq!(session["sources"][0]["id"], "infinite_campus");
    }
}

/// The claim that makes completion once-only, on both backends, without relying on a race.
#[tokio::test]
async fn the_first_completion_claim_holds() {
    for test_store in test_stores().await {
        let store = sis_onboard_proxy::Store::open(&test_store.url)
            .await
            .unwrap();
        assert_eq!(
            store.claim_completion(b"s1", "conn_a").await.unwrap(),
            "conn_a"
        );
        assert_eq!(
            store.claim_completion(b"s1", "conn_b").await.unwrap(),
            "conn_a",
            "{}: a second claim gets the first id",
            test_store.backend
        );
        store.release_completion(b"s1", "conn_b").await.unwrap();
        assert_eq!(
            store.claimed_completion(b"s1").await.unwrap().as_deref(),
            Some("conn_a")
        );
        store.release_completion(b"s1", "conn_a").await.unwrap();
        assert_eq!(
            store.claim_completion(b"s1", "conn_b").await.unwrap(),
            "conn_b"
        );
    }
}

/// The district name every passing validation against the demo district reports.
fn assert_passes_with_district(report: &Value, warnings: Value) {
    assert_eq!(report["passed"], true, "{report}");
    assert!(report["error"].is_null(), "{report}");
    assert!(
        report["district"]["name"]
            .as_str()
            .unwrap()
            .ends_with("Unified School District"),
        "{report}"
    );
    assert_eq!(report["district"]["students"]["value"], 24, "{report}");
    assert_eq!(report["warnings"], warnings, "{report}");
}

#[tokio::test]
async fn the_token_answers_scope_text_alone_never_fails_validation() {
    for h in Harness::start_each(|_| {}).await {
        // Missing, empty, or the server's own names: the API answers every probe, so it passes,
        // and the demographics probe answering means no warning either.
        for behaviour in [
            Behaviour::ScopeOmitted,
            Behaviour::ScopeEmpty,
            Behaviour::UnrelatedScopes,
        ] {
            let report = h.validate_as(behaviour).await;
            assert_passes_with_district(&report, json!([]));
        }
    }
}

#[tokio::test]
async fn a_refused_probe_is_insufficient_scope_naming_the_granted_scope() {
    for h in Harness::start_each(|_| {}).await {
        let report = h.validate_as(Behaviour::NoRosterScope).await;
        assert_failure(&report, "insufficient_scope", None);
        let message = report["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(sis_onboard_sandbox::SCOPE_GRADEBOOK),
            "{report}"
        );
        // The token was issued: it is the API that refused.
        assert_eq!(report["checks"][0]["id"], "token");
        assert_eq!(report["checks"][0]["passed"], true, "{report}");

        // A switched-off connection's 403 carries no scope challenge and stays what it was.
        let inactive = h.validate_as(Behaviour::Inactive).await;
        assert_failure(&inactive, "inactive_connection", None);

        // The demographics warning comes from the refused /demographics probe.
        let no_demographics = h.validate_as(Behaviour::NoDemographicsScope).await;
        assert_passes_with_district(&no_demographics, json!(["no_demographics_scope"]));
    }
}

#[tokio::test]
async fn odd_but_valid_token_answers_pass() {
    for h in Harness::start_each(|_| {}).await {
        for behaviour in [Behaviour::LowercaseBearer, Behaviour::UppercaseBearer] {
            let report = h.validate_as(behaviour).await;
            assert_passes_with_district(&report, json!([]));
        }
        let no_token = h.validate_as(Behaviour::NoAccessToken).await;
        assert_failure(&no_token, "not_token_endpoint", Some("token_url"));
    }
}

#[tokio::test]
async fn the_token_request_never_follows_a_redirect() {
    for h in Harness::start_each(|_| {}).await {
        let moved = h.validate_as(Behaviour::TokenRedirects).await;
        assert_failure(&moved, "not_token_endpoint", Some("token_url"));
        let message = moved["error"]["message"].as_str().unwrap();
        assert!(message.contains("redirects to"), "{moved}");
        assert!(
            message.contains(&format!(
                "{}{}",
                h.token_url().split("/campus/").next().unwrap_or_default(),
                sis_onboard_sandbox::MOVED_TOKEN_PATH
            )),
            "{moved}"
        );
        assert_eq!(moved["checks"][0]["passed"], false, "{moved}");

        let inside = h.validate_as(Behaviour::TokenRedirectsInside).await;
        assert_failure(&inside, "forbidden_destination", Some("token_url"));
        assert!(
            inside["error"]["message"]
                .as_str()
                .unwrap()
                .contains("169.254.169.254"),
            "{inside}"
        );
    }
}

#[tokio::test]
async fn a_server_that_ignores_filter_still_names_the_district_not_a_school() {
    for h in Harness::start_each(|_| {}).await {
        let report = h.validate_as(Behaviour::IgnoresFilter).await;
        assert_passes_with_district(&report, json!([]));
        assert_eq!(
            report["district"]["schools"],
            json!({ "value": 2, "exact": true })
        );
        assert!(
            !report["district"]["name"]
                .as_str()
                .unwrap()
                .ends_with(" School"),
            "{report}"
        );
    }
}

#[tokio::test]
async fn a_server_without_a_district_org_warns_and_names_no_school() {
    for h in Harness::start_each(|_| {}).await {
        let report = h.validate_as(Behaviour::NoDistrictOrg).await;
        assert_eq!(report["passed"], true, "{report}");
        assert!(report["error"].is_null(), "{report}");
        assert_eq!(report["warnings"], json!(["no_district_org"]), "{report}");
        assert_eq!(report["district"]["name"], "", "{report}");
        assert_eq!(
            report["district"]["schools"],
            json!({ "value": 2, "exact": true })
        );
    }
}

#[tokio::test]
async fn basic_comes_first_and_the_form_body_only_after_invalid_request() {
    for h in Harness::start_each(|_| {}).await {
        let refused = h.validate_as(Behaviour::BasicRefused).await;
        assert_eq!(refused["passed"], true, "{refused}");
        assert_eq!(
            h.token_requests.of(Behaviour::BasicRefused.client_id()),
            [CredentialsIn::Basic, CredentialsIn::FormBody]
        );
        // A server that takes Basic never sees the credentials in a body.
        let working = h.validate_as(Behaviour::Working).await;
        assert_eq!(working["passed"], true, "{working}");
        assert_eq!(
            h.token_requests.of(Behaviour::Working.client_id()),
            [CredentialsIn::Basic]
        );
        // Nor does one that refuses the secret: invalid_client is not a reason to retry.
        let wrong = h.validate_as(Behaviour::WrongSecret).await;
        assert_failure(&wrong, "invalid_client", Some("client_secret"));
        assert_eq!(
            h.token_requests.of(Behaviour::WrongSecret.client_id()),
            [CredentialsIn::Basic]
        );
    }
}

#[tokio::test]
async fn a_generic_oneroster_server_validates_end_to_end() {
    for h in Harness::start_each(|_| {}).await {
        let report = h.validate_generic_as(Behaviour::Working, DEMO_SECRET).await;
        // The token answer says "bearer" and names no scope: neither stops validation.
        assert_passes_with_district(&report, json!([]));
        let district = &report["district"];
        assert_eq!(district["schools"], json!({ "value": 2, "exact": true }));
        assert_eq!(district["students"], json!({ "value": 24, "exact": true }));
        assert_eq!(district["teachers"], json!({ "value": 4, "exact": true }));
        assert_eq!(district["classes"], json!({ "value": 12, "exact": true }));
        assert_eq!(district["academic_session"], "2026-2027 School Year");
        assert!(
            report["checks"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["passed"] == true),
            "{report}"
        );
        assert_eq!(
            h.token_requests.of(Behaviour::Working.client_id()),
            [CredentialsIn::Basic]
        );

        // A server that takes the credentials only from the form body passes too.
        let form_only = h
            .validate_generic_as(Behaviour::BasicRefused, DEMO_SECRET)
            .await;
        assert_passes_with_district(&form_only, json!([]));
        assert_eq!(
            h.token_requests.of(Behaviour::BasicRefused.client_id()),
            [CredentialsIn::Basic, CredentialsIn::FormBody]
        );

        // The generic server requires the request to name its scopes and grants no more
        // than the connection has: without demographics, the roster scopes are asked for
        // again alone, and the report says demographics are not shared.
        let no_demographics = h
            .validate_generic_as(Behaviour::NoDemographicsScope, DEMO_SECRET)
            .await;
        assert_eq!(no_demographics["passed"], true, "{no_demographics}");
        assert_eq!(
            no_demographics["warnings"],
            json!(["no_demographics_scope"])
        );
        assert_eq!(
            h.token_requests
                .of(Behaviour::NoDemographicsScope.client_id()),
            [CredentialsIn::Basic, CredentialsIn::Basic]
        );
        // Without the roster scopes, no token: the connection does not share rosters.
        let no_roster = h
            .validate_generic_as(Behaviour::NoRosterScope, DEMO_SECRET)
            .await;
        assert_eq!(
            no_roster["error"]["code"], "insufficient_scope",
            "{no_roster}"
        );
        let message = no_roster["error"]["message"].as_str().unwrap();
        assert!(message.contains("roster-core.readonly"), "{message}");
    }
}

#[tokio::test]
async fn a_wrong_secret_at_a_generic_oneroster_server_is_invalid_client() {
    for h in Harness::start_each(|_| {}).await {
        let typo = h
            .validate_generic_as(Behaviour::Working, "not-the-secret")
            .await;
        assert_failure(&typo, "invalid_client", Some("client_secret"));
        let rotated = h
            .validate_generic_as(Behaviour::WrongSecret, DEMO_SECRET)
            .await;
        assert_failure(&rotated, "invalid_client", Some("client_secret"));
        assert_eq!(rotated["checks"][0]["id"], "token", "{rotated}");
        assert_eq!(rotated["checks"][0]["passed"], false, "{rotated}");
    }
}

#[tokio::test]
async fn an_empty_client_id_or_secret_is_refused_before_any_token_request() {
    for h in Harness::start_each(|_| {}).await {
        for (client_id, secret, field) in [
            ("", DEMO_SECRET, "client_id"),
            ("   ", DEMO_SECRET, "client_id"),
            ("sandbox-client-id", "", "client_secret"),
        ] {
            let report = h
                .validate(json!({
                    "base_url": h.base_url(),
                    "token_url": h.token_url(),
                    "client_id": client_id,
                    "client_secret": secret,
                }))
                .await;
            assert_failure(&report, "invalid_client", Some(field));
            assert_eq!(report["checks"], json!([]), "{report}");
        }
        assert!(h.token_requests.is_empty());
    }
}

/// The client id and secret go only to the base URL's host, or to the host the vendor's
/// configuration pairs with it: otherwise `token_host_mismatch` before any request. Here
/// `localhost` reaches the very sandbox that serves the base URL, so a token request sent
/// by mistake would be counted.
#[tokio::test]
async fn a_token_url_on_another_host_is_refused_before_anything_is_sent() {
    let reach_by_name = |config: &mut sis_onboard_proxy::Config| {
        let port = config.net_policy.allowed_hosts[0].port;
        config.net_policy.allowed_hosts.push(AllowedHost {
            host: "localhost".into(),
            port,
        });
        config.net_policy.dns = Dns::Fixed(vec![(
            "localhost".into(),
            vec!["127.0.0.1".parse().unwrap()],
        )]);
    };
    for h in Harness::start_each(reach_by_name).await {
        let elsewhere = json!({
            "base_url": h.base_url(),
            "token_url": h.token_url().replace("127.0.0.1", "localhost"),
            "client_id": "sandbox-client-id",
            "client_secret": DEMO_SECRET,
        });
        let report = h.validate(elsewhere.clone()).await;
        assert_failure(&report, "token_host_mismatch", Some("token_url"));
        assert!(
            report["error"]["message"]
                .as_str()
                .unwrap()
                .contains("127.0.0.1"),
            "names the base URL's host: {report}"
        );
        assert_eq!(report["checks"], json!([]), "{report}");
        assert!(h.token_requests.is_empty(), "no token request was sent");
        // Another port on the same host is the same host.
        let same_host = h
            .validate(json!({
                "base_url": h.base_url(),
                "token_url": h.token_url().replace(&format!(":{}/", h.sandbox.port()), ":1/"),
                "client_id": "sandbox-client-id",
                "client_secret": DEMO_SECRET,
            }))
            .await;
        assert_ne!(
            same_host["error"]["code"], "token_host_mismatch",
            "{same_host}"
        );

        // The vendor names the pair: the same values pass.
        let same_backend = common::test_stores()
            .await
            .into_iter()
            .find(|s| s.backend == h.test_store.backend)
            .unwrap();
        let paired = Harness::start_on(same_backend, |config| {
            reach_by_name(config);
            config
                .net_policy
                .token_hosts
                .push("127.0.0.1=localhost".parse().unwrap());
        })
        .await;
        let elsewhere = json!({
            "base_url": paired.base_url(),
            "token_url": paired.token_url().replace("127.0.0.1", "localhost"),
            "client_id": "sandbox-client-id",
            "client_secret": DEMO_SECRET,
        });
        assert_eq!(paired.validate(elsewhere).await["passed"], true);
    }
}

/// A completed session is finished: it cannot validate again (the shape of an expired
/// session, before any request to the district), and completing again answers its id.
#[tokio::test]
async fn a_completed_session_no_longer_validates_and_completes_to_the_same_id() {
    for test_store in test_stores().await {
        let h = Harness::start_on(test_store, |_| {}).await;
        let backend = h.test_store.backend;
        assert_eq!(h.validate(h.credentials(DEMO_SECRET)).await["passed"], true);
        let id = Harness::connection_id(h.complete(h.credentials(DEMO_SECRET)).await).await;
        let token_requests = h.token_requests.len();

        let after = reqwest::Client::new()
            .post(format!("{}/v1/validate", h.proxy))
            .bearer_auth(&h.session)
            .json(&h.credentials(DEMO_SECRET))
            .send()
            .await
            .unwrap();
        assert_eq!(after.status(), StatusCode::UNAUTHORIZED, "{backend}");
        let error: Value = after.json().await.unwrap();
        assert_eq!(error["code"], "session_expired", "{backend}: {error}");
        assert!(
            error["message"].as_str().unwrap().contains("complete"),
            "{error}"
        );
        assert_eq!(h.token_requests.len(), token_requests, "nothing was sent");

        let again = Harness::connection_id(h.complete(h.credentials(DEMO_SECRET)).await).await;
        assert_eq!(again, id, "{backend}: completing again answers the same id");
        let listed = h.admin_json("/v1/connections?tenant_id=d1").await;
        assert_eq!(
            listed.as_array().map(Vec::len),
            Some(1),
            "{backend}: {listed}"
        );
    }
}

#[tokio::test]
async fn a_connection_sharing_one_school_warns_one_school_shared() {
    for h in Harness::start_each(|_| {}).await {
        let report = h.validate_as(Behaviour::OneSchool).await;
        assert_passes_with_district(&report, json!(["one_school_shared"]));
        assert_eq!(
            report["district"]["schools"],
            json!({ "value": 1, "exact": true })
        );
    }
}

#[tokio::test]
async fn a_token_answer_past_64_kib_is_response_too_large_at_the_token_url() {
    for h in Harness::start_each(|_| {}).await {
        let report = h.validate_as(Behaviour::HugeTokenAnswer).await;
        assert_failure(&report, "response_too_large", Some("token_url"));
        assert_eq!(report["checks"][0]["id"], "token", "{report}");
        assert_eq!(report["checks"][0]["passed"], false, "{report}");
    }
}

#[tokio::test]
async fn a_connection_cut_mid_body_is_upstream_error() {
    for h in Harness::start_each(|_| {}).await {
        let report = h.validate_as(Behaviour::CutMidBody).await;
        assert_failure(&report, "upstream_error", Some("base_url"));
        assert_eq!(report["checks"][0]["passed"], true, "{report}");
    }
}

#[tokio::test]
async fn the_connection_stores_the_urls_as_the_proxy_checked_them() {
    for h in Harness::start_each(|_| {}).await {
        // Validation parses these to the harness's own URLs; the raw text is never stored.
        let typed = json!({
            "base_url": format!(" {} ", h.base_url().replace("/campus/api/", "/campus/./api/")),
            "token_url": h.token_url().replace("http://", "HTTP://"),
            "client_id": "sandbox-client-id",
            "client_secret": DEMO_SECRET,
        });
        let report = h.validate(typed.clone()).await;
        assert_eq!(report["passed"], true, "{report}");
        let completed = h.complete(typed).await;
        assert_eq!(completed.status(), StatusCode::OK);
        let id = Harness::connection_id(completed).await;
        let stored: Value = h
            .admin(
                reqwest::Method::GET,
                &format!("/v1/connections/{id}/credentials"),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(stored["base_url"], h.base_url(), "{stored}");
        assert_eq!(stored["token_url"], h.token_url(), "{stored}");
    }
}

#[tokio::test]
async fn a_hostile_district_name_is_shown_and_stored_clean_and_bounded() {
    for h in Harness::start_each(|_| {}).await {
        let credentials = json!({
            "base_url": h.base_url(),
            "token_url": h.token_url(),
            "client_id": Behaviour::HostileNames.client_id(),
            "client_secret": DEMO_SECRET,
        });
        let report = h.validate(credentials.clone()).await;
        assert_eq!(report["passed"], true, "{report}");
        let name = report["district"]["name"].as_str().unwrap().to_owned();
        assert!(name.chars().count() <= 200, "{name}");
        assert!(
            !name.chars().any(|c| c.is_control()
                || ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)),
            "{name:?}"
        );
        assert!(name.contains("School District and its schools"), "{name}");
        assert!(!name.ends_with(' '), "{name:?}");
        let id = Harness::connection_id(h.complete(credentials).await).await;
        let listed = h.admin_json("/v1/connections?tenant_id=d1").await;
        assert_eq!(listed[0]["id"], id);
        assert_eq!(listed[0]["district_name"], name.as_str());
    }
}

#[tokio::test]
async fn a_server_ignoring_limit_validates_like_one_that_honours_it() {
    // Every probe answers ~2 MiB of tiny records; the proxy keeps the first record only.
    for h in Harness::start_each(|_| {}).await {
        let big = h.validate_as(Behaviour::BigPages).await;
        let normal = h.validate_as(Behaviour::Working).await;
        assert_eq!(big["passed"], true, "{big}");
        assert_eq!(big["district"], normal["district"]);
        assert_eq!(big["warnings"], json!([]));
        assert!(
            big["district"]["name"]
                .as_str()
                .is_some_and(|n| !n.is_empty())
        );
    }
}

/// A port with nothing behind it, and one that accepts but never answers (for as long as
/// the task handed back is kept).
async fn closed_and_silent_ports() -> (
    std::net::SocketAddr,
    std::net::SocketAddr,
    tokio::task::JoinHandle<()>,
) {
    let (closed, closed_addr) = listen().await;
    drop(closed);
    let (silent, silent_addr) = listen().await;
    let keep = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    (closed_addr, silent_addr, keep)
}
