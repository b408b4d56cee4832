//! What the packager's passes over the wasm share: reading parts of it, running wasm-opt.

use std::process::Output;

use crate::cmd::command;

/// The WebAssembly features the wizard's wasm uses (wasm-opt refuses a module using others).
const FEATURES: [&str; 3] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
];

/// The bytes of `wasm` at `range` (wasmparser counts in u64).
pub fn part(wasm: &[u8], range: std::ops::Range<u64>) -> Result<&[u8], String> {
    usize::try_from(range.start)
        .ok()
        .zip(usize::try_from(range.end).ok())
        .and_then(|(start, end)| wasm.get(start..end))
        .ok_or(format!("reading the wasm: no bytes at {range:?}"))
}

/// Runs wasm-opt's `passes` over the module at `path`, in place; its output on success.
/// `doing` says what for, in the error.
pub fn wasm_opt(path: &str, passes: &[&str], doing: &str) -> Result<Output, String> {
    let mut args = vec![path];
    args.extend_from_slice(passes);
    args.extend_from_slice(&FEATURES);
    args.extend_from_slice(&["-o", path]);
    let out = command("wasm-opt", &args)
        .output()
        .map_err(|e| format!("could not run wasm-opt: {e}"))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!(
            "wasm-opt could not {doing}: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
