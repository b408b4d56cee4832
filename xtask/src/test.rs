//! `cargo xtask test`: every check and test, in the order that fails fastest.
//! The wasm is built once (by trunk) and shared by every browser test.

use crate::cmd::{build_wizard, command, exec, root};
use crate::setup;

/// Where `cargo build` puts the proxy binary the end-to-end tests start.
const PROXY_BIN: &str = "target/debug/sis-onboard-proxy";

/// The PostgreSQL server on the project's machines and in CI (trust auth, database `test`).
const LOCAL_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

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
    stage("wizard release build (trunk)", build_wizard)?;
    stage(
        "the table pass empties no entry of ours (build without merging)",
        || {
            let unmerged = crate::cmd::build_unmerged_wasm()?;
            let record = crate::dead_table_entries::discounted_record();
            let names = std::fs::read_to_string(&record)
                .map_err(|e| format!("{}: {e}", record.display()))?;
            let discounted: Vec<&str> = names.lines().collect();
            crate::dead_table_entries::check_unshared(
                &unmerged,
                &discounted,
                &crate::unused_exports::UNREACHABLE_CRATES,
            )?;
            eprintln!(
                "{} discounted functions share their code with none of ours",
                discounted.len()
            );
            Ok(())
        },
    )?;
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
        exec(command(
            "cargo",
            &[
                "build",
                "-p",
                "sis-onboard-proxy",
                "--features",
                "demo",
                "--bin",
                "sis-onboard-proxy",
            ],
        ))?;
        let mut e2e = command("node", &["--test", "--test-reporter=spec", "tests/e2e/"]);
        e2e.env("SIS_ONBOARD_PROXY_BIN", root().join(PROXY_BIN))
            .env("SIS_ONBOARD_DIST", root().join("dist"));
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
