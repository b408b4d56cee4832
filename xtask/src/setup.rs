//! Installs what the build and the tests need, from the package registries only, and only
//! what is missing: the second run takes seconds.

use std::path::Path;

use crate::cmd::{command, exec, output, root};

/// The trunk release that installs with this toolchain (0.22 needs a newer rustc).
const TRUNK_VERSION: &str = "0.21.14";
/// wasm-opt comes from npm's binaryen at this version (see Trunk.toml).
const WASM_OPT_VERSION: &str = "version 132";

/// The npm packages (package.json) besides binaryen, whose wasm-opt is checked by version:
/// terser minifies the shipped JavaScript, playwright-core drives Chromium in the end-to-end
/// tests and benchmarks, typescript checks `sis-onboard.d.ts`, axe-core audits accessibility,
/// standardwebhooks verifies the webhooks the end-to-end tests receive.
const NPM_PACKAGES: [&str; 5] = [
    "terser",
    "playwright-core",
    "typescript",
    "axe-core",
    "standardwebhooks",
];

/// How much to set up.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// What building the wizard needs.
    Build,
    /// Building plus the browser for the tests and the benchmarks.
    Everything,
}

/// Installs whatever of `needs` is missing.
pub fn run(needs: Needs) -> Result<(), String> {
    ensure_wasm_target()?;
    let wasm_bindgen = locked_wasm_bindgen_version()?;
    check_trunk_pin(&wasm_bindgen)?;
    ensure_trunk()?;
    ensure_wasm_bindgen_cli(&wasm_bindgen)?;
    ensure_npm_tools()?;
    fetch_crates()?;
    if needs == Needs::Everything {
        ensure_browser()?;
    }
    Ok(())
}

/// Every crate the workspace builds with, for the host and for wasm32, from Cargo.lock: after
/// this the builds need no registry (trunk's cargo included). Seconds when all are cached.
fn fetch_crates() -> Result<(), String> {
    exec(command("cargo", &["fetch", "--locked"]))
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|t| t == "wasm32-unknown-unknown") {
        return Ok(());
    }
    exec(command(
        "rustup",
        &["target", "add", "wasm32-unknown-unknown"],
    ))
}

/// The `wasm-bindgen` crate's version in Cargo.lock: the CLI must be exactly this one.
pub fn locked_wasm_bindgen_version() -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == r#"name = "wasm-bindgen""#
            && let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
        {
            return Ok(version.trim_matches('"').to_owned());
        }
    }
    Err("Cargo.lock has no wasm-bindgen package; run `cargo generate-lockfile`".into())
}

/// Trunk.toml names the wasm-bindgen version trunk expects; it must match Cargo.lock.
fn check_trunk_pin(locked: &str) -> Result<(), String> {
    let trunk_toml = std::fs::read_to_string(root().join("Trunk.toml"))
        .map_err(|e| format!("cannot read Trunk.toml: {e}"))?;
    let pinned = trunk_toml
        .lines()
        .find_map(|l| l.trim().strip_prefix("wasm_bindgen = "))
        .map(|v| v.trim_matches('"').to_owned());
    match pinned {
        Some(pinned) if pinned == locked => Ok(()),
        Some(pinned) => Err(format!(
            "Trunk.toml pins wasm_bindgen = \"{pinned}\" but Cargo.lock has wasm-bindgen {locked}; \
             make them equal (and keep the `=` pin in Cargo.toml)"
        )),
        None => Err("Trunk.toml must pin [tools] wasm_bindgen to Cargo.lock's version".into()),
    }
}

fn ensure_trunk() -> Result<(), String> {
    if output("trunk", &["--version"]).is_some_and(|v| v.ends_with(TRUNK_VERSION)) {
        return Ok(());
    }
    eprintln!("installing trunk {TRUNK_VERSION} (about 7 minutes on 2 cores, once)");
    exec(command(
        "cargo",
        &["install", "--locked", "trunk", "--version", TRUNK_VERSION],
    ))
}

fn ensure_wasm_bindgen_cli(version: &str) -> Result<(), String> {
    // Each tool prints its own name and version, e.g. `wasm-bindgen-test-runner 0.2.130`.
    let has =
        |tool: &str| output(tool, &["--version"]).is_some_and(|v| v == format!("{tool} {version}"));
    if has("wasm-bindgen") && has("wasm-bindgen-test-runner") {
        return Ok(());
    }
    eprintln!("installing wasm-bindgen-cli {version} (about 2 minutes, once)");
    // Not --locked: the registry here lacks a patch release the CLI's lockfile names.
    exec(command(
        "cargo",
        &[
            "install",
            "--force",
            "wasm-bindgen-cli",
            "--version",
            version,
        ],
    ))?;
    if has("wasm-bindgen") {
        Ok(())
    } else {
        Err(format!(
            "wasm-bindgen-cli {version} did not install as expected; `wasm-bindgen --version` must print `wasm-bindgen {version}`"
        ))
    }
}

fn ensure_npm_tools() -> Result<(), String> {
    let root = root();
    let has_wasm_opt = output(
        &root
            .join("node_modules/.bin/wasm-opt")
            .display()
            .to_string(),
        &["--version"],
    )
    .is_some_and(|v| v.contains(WASM_OPT_VERSION));
    let has_packages = NPM_PACKAGES.iter().all(|p| {
        root.join(format!("node_modules/{p}/package.json"))
            .is_file()
    });
    if has_wasm_opt && has_packages {
        return Ok(());
    }
    if output("npm", &["--version"]).is_none() {
        return Err(
            "npm is needed for wasm-opt (binaryen), terser, playwright-core, typescript, axe-core and standardwebhooks; install Node.js 20 and npm"
                .into(),
        );
    }
    exec(command("npm", &["ci", "--no-audit", "--no-fund"]))
}

fn ensure_browser() -> Result<(), String> {
    let present = |p: &str| Path::new(p).is_file();
    if present("/usr/bin/chromium") && present("/usr/bin/chromedriver") {
        return Ok(());
    }
    eprintln!("installing Chromium and ChromeDriver from Debian's packages");
    exec(command("apt-get", &["update", "-q"]))?;
    let mut install = command(
        "apt-get",
        &["install", "-y", "-q", "chromium", "chromium-driver"],
    );
    install.env("DEBIAN_FRONTEND", "noninteractive");
    exec(install).map_err(|e| {
        format!("{e}\nthe browser tests need Debian's chromium and chromium-driver packages (run as root, or install them yourself)")
    })
}
