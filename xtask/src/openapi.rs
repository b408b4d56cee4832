//! `cargo xtask openapi`: rewrites `proxy/openapi.json` from the proxy's handlers and wire types.

use std::process::Stdio;

use crate::cmd::{command, root};

/// Rewrites `proxy/openapi.json` with the document the proxy serves.
pub fn run() -> Result<(), String> {
    let out = command(
        "cargo",
        &["run", "-q", "-p", "sis-onboard-proxy", "--", "--openapi"],
    )
    .stderr(Stdio::inherit())
    .output()
    .map_err(|e| format!("could not run the proxy: {e}"))?;
    if !out.status.success() {
        return Err("the proxy could not print its OpenAPI document".into());
    }
    let path = root().join("proxy/openapi.json");
    std::fs::write(&path, &out.stdout).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
