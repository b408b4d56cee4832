//! Builds the release wizard into `dist/` with the standard tools — trunk (cargo,
//! wasm-bindgen, `wasm-opt -Oz`), terser for the glue — then packages it; and builds the
//! demo proxy binary the browser tests and benchmarks start, and the sandbox binary the
//! network benchmark starts.

use std::path::PathBuf;

use crate::cmd::{command, exec, root, terser};
use crate::dist::{self, hashed};
use crate::package::{self, GLUE};

/// Where `cargo build` puts the demo proxy binary ([`demo_proxy`]), in the target directory.
const PROXY_BIN: &str = "debug/sis-onboard-proxy";
/// Where `cargo build --release` puts the sandbox binary ([`release_sandbox`]).
const SANDBOX_BIN: &str = "release/sis-onboard-sandbox";

/// Cargo's target directory: `CARGO_TARGET_DIR` when set (relative to the workspace, where
/// every command runs), else the workspace's `target/`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").filter(|dir| !dir.is_empty()) {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// `cargo xtask build`: the release wizard into `dist/`.
///
/// Trunk (offline; tools from `setup`) compiles with the release profile and
/// `.cargo/config.toml`'s flags, runs wasm-bindgen, and runs wasm-opt as `index.html` asks
/// (`data-wasm-opt="z"`). Its own JavaScript minifier cannot read wasm-bindgen's glue, so
/// terser minifies it; the stylesheet is minified by trunk.
pub fn run() -> Result<(), String> {
    // The target comes before --release: --release takes an optional value.
    exec(command("trunk", &["build", "index.html", "--release"]))?;
    let dist = dist::dir();
    terser(&dist.join(hashed(&dist, GLUE.0, GLUE.1)?))?;
    package::run(&dist)
}

/// Builds the proxy with its `demo` feature (debug: it builds in a fraction of the release
/// time and serves a test as fast); returns the binary's path.
pub fn demo_proxy() -> Result<PathBuf, String> {
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
    Ok(target_dir().join(PROXY_BIN))
}

/// Builds the sandbox district's binary, optimised (it generates a 1,000,000-user district
/// for the network benchmark); returns its path.
pub fn release_sandbox() -> Result<PathBuf, String> {
    exec(command(
        "cargo",
        &[
            "build",
            "--release",
            "-p",
            "sis-onboard-sandbox",
            "--bin",
            "sis-onboard-sandbox",
        ],
    ))?;
    Ok(target_dir().join(SANDBOX_BIN))
}
