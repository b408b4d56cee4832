//! `cargo xtask …`: the one entry point for humans and CI.
//!
//! - `setup`: installs what is missing, from the package registries only.
//! - `build`: builds the release wizard into `dist/` (content-hashed assets, stable loader).
//! - `demo`:  setup + build, then the proxy with the demo vendor page and sandbox district.
//! - `test`:  setup + every check and test; exits non-zero when any part fails.
//! - `bench`: builds the release wizard and reports its size against the budget.
//! - `openapi`: rewrites `proxy/openapi.json` from the proxy's handlers and wire types.

mod bench;
mod cmd;
mod dead_table_entries;
mod demo;
mod function_order;
mod package;
mod setup;
mod short_names;
mod strings;
mod test;
mod unused_exports;
mod wasm;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <setup|build|demo [--port N]|test|bench|openapi>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(setup::Needs::Everything),
        Some("build") => setup::run(setup::Needs::Build).and_then(|()| cmd::build_wizard()),
        Some("demo") => demo::run(&args[1..]),
        Some("test") => test::run(),
        Some("bench") => bench::run(),
        Some("openapi") => cmd::write_openapi(),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}
