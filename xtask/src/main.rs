//! `cargo xtask …`: the one entry point for humans and CI, a flat pipeline of modules.
//!
//! - `setup`: installs what is missing, from the package registries only.
//! - `build`: the release wizard into `dist/` (trunk, wasm-bindgen, wasm-opt, terser), then
//!   `package` (content-hashed names, stable loader, SRI, manifest, `.gz` and `.br` copies).
//! - `demo`:  setup + build, then the proxy with the demo vendor page and sandbox district.
//! - `test`:  setup + every check and test; exits non-zero when any part fails.
//! - `bench`: setup + build, then the bundle's size against its budget, the first step's
//!   time in a browser on emulated slow networks, and the validation benchmarks.
//! - `openapi`: rewrites `proxy/openapi.json` from the proxy's handlers and wire types.
//!
//! Each module is called from here (or, for `build`, by the commands that need a build) and
//! none calls back into its caller; `cmd` and `dist` are helpers every stage may use.

mod bench;
mod build;
mod cmd;
mod demo;
mod dist;
mod openapi;
mod package;
mod screenshots;
mod setup;
mod strings;
mod test;

use std::process::ExitCode;

const USAGE: &str =
    "usage: cargo xtask <setup|build|demo [--port N]|test|bench|openapi|screenshots>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(setup::Needs::Everything),
        Some("build") => setup::run(setup::Needs::Build).and_then(|()| build::run()),
        Some("demo") => demo::run(&args[1..]),
        Some("test") => test::run(),
        Some("bench") => bench::run(),
        Some("openapi") => openapi::run(),
        Some("screenshots") => screenshots::run(),
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
