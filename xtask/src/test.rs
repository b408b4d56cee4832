//! `cargo xtask test`: every check and test, in the order that fails fastest.
//! The wasm is built once (by trunk) and shared by every browser test.

use crate::build;
use crate::cmd::{command, exec};
use crate::dist;
use crate::setup;

/// The PostgreSQL server on the project's machines and in CI (trust auth, database `test`);
/// the webhook benchmark measures on it too.
pub const LOCAL_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Each proxy test makes its own `t_…` schema; earlier runs' are dropped first. Best effort:
/// when the server is unreachable the tests themselves fail with a clear message.
fn drop_test_schemas(url: &str) {
    let sql = "DO $$DECLARE s text; BEGIN FOR s IN SELECT nspname FROM pg_namespace \
               WHERE nspname LIKE 't\\_%' LOOP EXECUTE format('DROP SCHEMA %I CASCADE', s); \
               END LOOP; END$$;";
    let _ = command("psql", &[url, "-q", "-c", sql])
        .stdout(std::process::Stdio::null())
        .status();
}

/// Runs everything; the first failure stops the run with a non-zero exit.
pub fn run_all() -> Result<(), String> {
    stage("formatting", || {
        exec(command("cargo", &["fmt", "--all", "--check"]))
    })?;
    stage("clippy (native)", || {
        exec(command(
            "cargo",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--all-features",
                "--",
                "-D",
                "warnings",
            ],
        ))
    })?;
    stage("clippy (wizard, wasm32)", || {
        exec(command(
            "cargo",
            &[
                "clippy",
                "-p",
                "sis-onboard-wizard",
                "--target",
                "wasm32-unknown-unknown",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ))
    })?;
    stage("native tests (SQLite and PostgreSQL)", || {
        let postgres = std::env::var("SIS_ONBOARD_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| LOCAL_POSTGRES.to_owned());
        drop_test_schemas(&postgres);
        let mut test = command("cargo", &["test", "--workspace", "--all-features"]);
        test.env("SIS_ONBOARD_TEST_POSTGRES_URL", &postgres);
        exec(test)
    })?;
    stage("wizard release build (trunk)", build::run)?;
    stage("wizard browser tests (headless Chromium)", || {
        let mut test = command(
            "cargo",
            &[
                "test",
                "-p",
                "sis-onboard-wizard",
                "--target",
                "wasm32-unknown-unknown",
                "--test",
                "browser",
            ],
        );
        test.env("CHROMEDRIVER", "/usr/bin/chromedriver");
        exec(test)
    })?;
    stage("end-to-end tests (proxy + sandbox + Chromium)", || {
        let proxy = build::demo_proxy()?;
        // Two proxy replicas share one PostgreSQL schema there (tests/e2e/webhooks.test.mjs).
        let postgres = std::env::var("SIS_ONBOARD_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| LOCAL_POSTGRES.to_owned());
        let mut e2e = command("node", &["--test", "--test-reporter=spec", "tests/e2e/"]);
        e2e.env("SIS_ONBOARD_PROXY_BIN", proxy)
            .env("SIS_ONBOARD_DIST", dist::dir())
            .env("SIS_ONBOARD_TEST_POSTGRES_URL", &postgres);
        exec(e2e)
    })
}

/// `cargo xtask test`.
pub fn run() -> Result<(), String> {
    stage("setup", || setup::run(setup::Needs::Everything))?;
    run_all()?;
    eprintln!("\nxtask: every check and test passed");
    Ok(())
}

/// Runs one stage of a command, framed by its name, its outcome and its time.
fn stage(name: &str, body: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    eprintln!("\n==> {name}");
    let started = std::time::Instant::now();
    let result = body().map_err(|e| format!("{name} failed: {e}"));
    eprintln!(
        "<== {name}: {} in {:.0?}",
        if result.is_ok() { "ok" } else { "FAILED" },
        started.elapsed()
    );
    result
}
