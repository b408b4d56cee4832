//! Running commands from the repository root with the project's tools on PATH.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// PATH with npm's tools (wasm-opt) and cargo's installed binaries first.
pub fn tool_path() -> String {
    let cargo_home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/root".into())).join(".cargo")
        });
    let mut parts = vec![
        root().join("node_modules/.bin").display().to_string(),
        cargo_home.join("bin").display().to_string(),
    ];
    if let Ok(path) = std::env::var("PATH") {
        parts.push(path);
    }
    parts.join(":")
}

/// A command to run from the repository root with [`tool_path`].
pub fn command(program: &str, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(root())
        .env("PATH", tool_path());
    command
}

/// Runs a command, echoing it; an error says which command failed.
pub fn exec(mut command: Command) -> Result<(), String> {
    let shown = format!("{command:?}").replace('"', "");
    eprintln!("$ {shown}");
    let status = command
        .status()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Runs a command quietly and returns its trimmed stdout, or None when it cannot run or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = command(program, args)
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The shipped wizard's compiler flags (README, "Bundle size"): Leptos's type erasure, and a
/// panic that traps at once instead of formatting a message nobody sees, with no file and
/// line or `Debug` output compiled in. They go with a standard library rebuilt the same way.
/// `RUSTFLAGS` replaces `.cargo/config.toml`'s wasm32 `rustflags`, so those are repeated here.
const WIZARD_RUSTFLAGS: &str = "--cfg erase_components -Cpanic=immediate-abort \
    -Zunstable-options -Zlocation-detail=none -Zfmt-debug=none";

/// The compiler the unstable options above were checked with. Another release may rename or
/// change them, so the build stops and says so rather than ship something different.
const WIZARD_RUSTC: &str = "rustc 1.95.";

/// Stops unless the compiler is the release [`WIZARD_RUSTFLAGS`] were checked with.
fn check_wizard_rustc() -> Result<(), String> {
    let version = output("rustc", &["--version"]).unwrap_or_default();
    if version.starts_with(WIZARD_RUSTC) {
        return Ok(());
    }
    Err(format!(
        "the release wizard is built with unstable compiler options checked on {WIZARD_RUSTC}x, \
         but this is `{version}`. Check that the options in xtask/src/cmd.rs (WIZARD_RUSTFLAGS \
         and the build-std settings in build_wizard) still exist and mean the same, then update \
         WIZARD_RUSTC"
    ))
}

/// Builds the release wizard into `dist/` with trunk (offline; tools from `setup`), then
/// packages it (`package::run`).
///
/// The standard library is rebuilt for the wizard's size (`-Zbuild-std` from the toolchain's
/// own `rust-src`): the one place the project uses unstable compiler options, allowed on the
/// pinned stable toolchain by `RUSTC_BOOTSTRAP=1`. Only this build is affected; the tests'
/// wasm and the native crates build as usual. The release wasm gets its own target directory
/// so the two sets of flags do not rebuild each other's dependencies.
pub fn build_wizard() -> Result<(), String> {
    // The target comes before --release: --release takes an optional value.
    let mut trunk = command("trunk", &["build", "index.html", "--release"]);
    shipped_build(&mut trunk, "", "target/wizard-release")?;
    exec(trunk)?;
    crate::package::run(&root().join("dist"))
}

/// Sets `build` up to compile the wizard as it ships: the checked compiler, the standard
/// library rebuilt for size, [`WIZARD_RUSTFLAGS`] and `more_flags`, into `target_dir`.
fn shipped_build(build: &mut Command, more_flags: &str, target_dir: &str) -> Result<(), String> {
    check_wizard_rustc()?;
    build
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size")
        .env("RUSTFLAGS", format!("{WIZARD_RUSTFLAGS}{more_flags}"))
        .env("CARGO_TARGET_DIR", root().join(target_dir));
    Ok(())
}

/// Builds the wizard's wasm as [`build_wizard`] does, but with LLVM's merging of identical
/// functions off, into `target/wizard-unmerged`; returns the wasm, as cargo wrote it. The
/// tests read it to check the packager's table pass ([`crate::dead_table_entries`]).
pub fn build_unmerged_wasm() -> Result<Vec<u8>, String> {
    const DIR: &str = "target/wizard-unmerged";
    let mut cargo = command(
        "cargo",
        &[
            "build",
            "--release",
            "--lib",
            "-p",
            "sis-onboard-wizard",
            "--target",
            "wasm32-unknown-unknown",
        ],
    );
    shipped_build(&mut cargo, " -Zmerge-functions=disabled", DIR)?;
    exec(cargo)?;
    let wasm = root()
        .join(DIR)
        .join("wasm32-unknown-unknown/release/wizard.wasm");
    std::fs::read(&wasm).map_err(|e| format!("{}: {e}", wasm.display()))
}

/// Rewrites `proxy/openapi.json` with the document the proxy serves.
pub fn write_openapi() -> Result<(), String> {
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
