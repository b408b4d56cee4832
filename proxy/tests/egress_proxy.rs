//! The proxy binary ignores egress-proxy variables in its environment: an egress proxy would
//! be handed district host names unresolved, past the guarded resolver, so a name that
//! resolves to a forbidden address would be fetched.
#![allow(clippy::unwrap_used, missing_docs)]

use std::io::ErrorKind;
use std::net::TcpListener;

use serde_json::json;

mod common;
use common::binary::{proxy_binary_with_env, validate_through};

/// Every spelling of the variables reqwest (and most HTTP clients) would read.
const PROXY_VARIABLES: [&str; 6] = [
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "ALL_PROXY",
    "https_proxy",
    "http_proxy",
    "all_proxy",
];

#[tokio::test]
async fn proxy_variables_are_ignored_and_a_name_resolving_to_loopback_is_still_refused() {
    // The canary is never accepted from: a connection to it waits in its backlog, where a
    // non-blocking accept finds it after the fact.
    let canary = TcpListener::bind("127.0.0.1:0").unwrap();
    canary.set_nonblocking(true).unwrap();
    let canary_url = format!("http://{}", canary.local_addr().unwrap());
    let proxy = proxy_binary_with_env(&[], |command| {
        for variable in PROXY_VARIABLES {
            command.env(variable, &canary_url);
        }
        // Nothing may exempt the test's host from the (ignored) proxy.
        command.env_remove("NO_PROXY").env_remove("no_proxy");
    });

    // `localhost` resolves to loopback through the system resolver: refused, unless the
    // request went to the egress proxy instead, which would resolve it itself.
    let report = validate_through(
        &proxy,
        json!({
            "base_url": "https://localhost/campus/api/ims/oneroster/rostering/v1p2",
            "token_url": "https://localhost/campus/oauth2/token?appName=district",
            "client_id": "client",
            "client_secret": "secret",
        }),
    )
    .await;
    assert_eq!(report["passed"], false, "{report}");
    assert_eq!(report["error"]["code"], "forbidden_destination", "{report}");
    assert_eq!(report["error"]["field"], "token_url", "{report}");
    assert!(
        report["error"]["message"]
            .as_str()
            .unwrap()
            .contains("loopback"),
        "{report}"
    );
    // The validation has answered, so any connection to the canary has already been made.
    match canary.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        Err(e) => panic!("the canary failed: {e}"),
        Ok((_, peer)) => panic!("the egress proxy variable was used: {peer} connected"),
    }
}
