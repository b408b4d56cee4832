//! `cargo xtask bench`: the release wizard's size, raw and gzip -9, against the budget.
//! Prints a table and writes it to `bench/bundle.md`, which the README quotes.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::cmd::{build_wizard, command, root};
use crate::setup;

/// Everything a page downloads to show the wizard, gzip, must fit in this (120 KB).
const BUDGET_GZIP_BYTES: usize = 120_000;

fn gzip_len(bytes: &[u8]) -> Result<usize, String> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    encoder.finish().map(|v| v.len()).map_err(|e| e.to_string())
}

/// Builds, measures, prints and records.
pub fn run() -> Result<(), String> {
    setup::run(setup::Needs::Build)?;
    build_wizard()?;
    let dist = root().join("dist");
    let mut rows = Vec::new();
    for name in crate::package::bundle(&dist)? {
        let bytes = std::fs::read(dist.join(&name)).map_err(|e| format!("dist/{name}: {e}"))?;
        let size = gzip_len(&bytes)?;
        rows.push((name, bytes.len(), size));
    }
    let total_raw: usize = rows.iter().map(|r| r.1).sum();
    let total_gzip: usize = rows.iter().map(|r| r.2).sum();
    let verdict = if total_gzip <= BUDGET_GZIP_BYTES {
        "within"
    } else {
        "OVER"
    };

    let mut table = String::from("| file | raw bytes | gzip -9 bytes |\n|---|---:|---:|\n");
    for (name, raw, gz) in &rows {
        // The content hash changes with every build; the table names the file's role.
        let shown = without_hash(name);
        table.push_str(&format!("| `{shown}` | {raw} | {gz} |\n"));
    }
    table.push_str(&format!(
        "| **total** | **{total_raw}** | **{total_gzip}** |\n"
    ));
    let summary = format!(
        "Total {total_gzip} bytes gzip: {verdict} the budget of {BUDGET_GZIP_BYTES} bytes \
         ({:.0}% of it).",
        total_gzip as f64 * 100.0 / BUDGET_GZIP_BYTES as f64
    );
    println!("{table}\n{summary}");

    let report = format!(
        "# Wizard bundle size\n\nWritten by `cargo xtask bench` (release build: opt-level z, LTO, \
         wasm-opt -Oz; gzip level 9).\n\n{table}\n{summary}\n"
    );
    let dir = root().join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("bundle.md"), report).map_err(|e| e.to_string())?;
    validation(&dir)?;
    if total_gzip > BUDGET_GZIP_BYTES {
        return Err(format!("the bundle is over budget: {summary}"));
    }
    Ok(())
}

/// Runs the proxy's validation benchmark and records its table in `bench/validation.md`.
fn validation(dir: &std::path::Path) -> Result<(), String> {
    let output = command(
        "cargo",
        &["bench", "-p", "sis-onboard-proxy", "--bench", "validation"],
    )
    .stderr(std::process::Stdio::inherit())
    .output()
    .map_err(|e| format!("could not run the validation benchmark: {e}"))?;
    if !output.status.success() {
        return Err("the validation benchmark failed".into());
    }
    let table = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| l.starts_with('|'))
        .collect::<Vec<_>>()
        .join("\n");
    println!("\n{table}");
    let report = format!(
        "# Validation benchmarks\n\nWritten by `cargo xtask bench` (`cargo bench -p \
         sis-onboard-proxy --bench validation`, 2 cores, sandbox on loopback).\n\n{table}\n"
    );
    std::fs::write(dir.join("validation.md"), report).map_err(|e| e.to_string())
}

/// `name` with its content hash shown as `<hash>`.
fn without_hash(name: &str) -> String {
    let hashed = name.char_indices().find_map(|(i, c)| {
        let rest = &name[i + 1..];
        let end = rest.find(['.', '_'])?;
        (c == '-' && crate::package::is_hash(&rest[..end])).then_some((i, i + 1 + end))
    });
    match hashed {
        Some((start, end)) => format!("{}-<hash>{}", &name[..start], &name[end..]),
        None => name.to_owned(),
    }
}
