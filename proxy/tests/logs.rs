//! No secret reaches a log line, even at trace level. Its own test binary: tracing's
//! per-callsite caches are process-wide, and tests running beside it could hide lines.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use base64::Engine;
use common::harness::{API_KEY, Harness};
use reqwest::StatusCode;
use serde_json::Value;
use sis_onboard_sandbox::DEMO_SECRET;

/// Collects every log line written while it is the default subscriber.
#[derive(Clone, Default)]
struct CapturedLogs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for CapturedLogs {
    type Writer = CapturedLogs;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

// The single-threaded test runtime runs the proxy's tasks on this thread, so a thread-local
// subscriber sees every log line they write.
#[tokio::test]
async fn the_secret_is_in_no_log_line() {
    let logs = CapturedLogs::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    for h in Harness::start_each(|_| {}).await {
        assert_eq!(h.validate(h.credentials(DEMO_SECRET)).await["passed"], true);
        assert_eq!(
            h.validate(h.credentials("a-wrong-secret")).await["error"]["code"],
            "invalid_client"
        );
        let completed: Value = h
            .complete(h.credentials(DEMO_SECRET))
            .await
            .json()
            .await
            .unwrap();
        let id = completed["connection_id"].as_str().unwrap();
        let credentials = reqwest::Client::new()
            .get(format!("{}/v1/connections/{id}/credentials", h.proxy))
            .bearer_auth(API_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(credentials.status(), StatusCode::OK);

        let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
        let audit = text
            .lines()
            .find(|line| line.contains("credentials read") && line.contains(id))
            .unwrap_or_else(|| panic!("the audit line names the connection: {text}"));
        assert!(audit.contains("key=test"), "and the key: {audit}");
        assert!(!text.contains(API_KEY), "an API key reached the log");
        assert!(text.contains("validation"), "{text}");
        for secret in [DEMO_SECRET, "a-wrong-secret"] {
            assert!(!text.contains(secret), "a secret reached the log");
            // Nor as the Basic header that carried it.
            let basic = base64::engine::general_purpose::STANDARD
                .encode(format!("sandbox-client-id:{secret}"));
            assert!(!text.contains(&basic), "a Basic header reached the log");
        }
    }
}
