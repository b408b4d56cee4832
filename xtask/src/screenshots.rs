//! `cargo xtask screenshots`: the README's pictures of the wizard, taken from the real demo
//! (the built wizard, the demo proxy, the sandbox) in headless Chromium by
//! `tools/screenshots.mjs`, written to `docs/screenshots/`.

use crate::cmd::{command, exec};
use crate::{build, dist, setup};

/// Builds what the demo serves, then takes the pictures.
pub fn run() -> Result<(), String> {
    setup::run(setup::Needs::Everything)?;
    build::run()?;
    let proxy = build::demo_proxy()?;
    let mut node = command("node", &["tools/screenshots.mjs"]);
    node.env("SIS_ONBOARD_PROXY_BIN", proxy)
        .env("SIS_ONBOARD_DIST", dist::dir());
    exec(node)
}
