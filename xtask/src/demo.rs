//! `cargo xtask demo [--port N]`: the wizard in a vendor page, the proxy, the sandbox
//! district and a SQLite file under `data/`, on 127.0.0.1.

use crate::build;
use crate::cmd::{command, exec};
use crate::setup;

/// Sets up, builds the release wizard and runs the proxy in demo mode until Ctrl-C.
pub fn run(args: &[String]) -> Result<(), String> {
    let port = match args {
        [] => "8080".to_owned(),
        [flag, port] if flag == "--port" && port.parse::<u16>().is_ok() => port.clone(),
        _ => return Err("usage: cargo xtask demo [--port N]".into()),
    };
    setup::run(setup::Needs::Build)?;
    build::run()?;
    // The same debug binary the tests and the bench run: a fresh machine compiles the
    // proxy once, not once per profile.
    let proxy = build::demo_proxy()?;
    let listen = format!("127.0.0.1:{port}");
    exec(command(
        &proxy.display().to_string(),
        &[
            "--demo",
            "--listen",
            &listen,
            "--assets-dir",
            "dist",
            "--database-url",
            "sqlite://data/demo.sqlite",
        ],
    ))
}
