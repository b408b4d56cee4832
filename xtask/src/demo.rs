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
    let listen = format!("127.0.0.1:{port}");
    exec(command(
        "cargo",
        &[
            "run",
            "--release",
            "--quiet",
            "-p",
            "sis-onboard-proxy",
            "--features",
            "demo",
            "--",
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
