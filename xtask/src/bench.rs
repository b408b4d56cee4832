//! `cargo xtask bench`: the release wizard's size, raw, gzip -9 and as served (the
//! precompressed copies), against the budget.
//! Prints a table and writes it to `bench/bundle.md`, which the README quotes.

use std::io::{Read, Write};

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

/// The size of the precompressed copy of `dist/name` the proxy sends, once it is checked to
/// unpack to exactly the file.
fn served_len(dist: &std::path::Path, name: &str, bytes: &[u8]) -> Result<usize, String> {
    let gz_name = format!("{name}{}", crate::package::GZIP_SUFFIX);
    let gz = crate::package::read(dist, &gz_name)?;
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_end(&mut unpacked)
        .map_err(|e| format!("dist/{gz_name}: not gzip: {e}"))?;
    if unpacked != bytes {
        return Err(format!("dist/{gz_name} does not unpack to dist/{name}"));
    }
    Ok(gz.len())
}

/// A file's name, raw bytes, gzip -9 bytes and bytes as served.
type Row = (String, usize, usize, usize);

/// Builds, measures, prints and records.
pub fn run() -> Result<(), String> {
    setup::run(setup::Needs::Build)?;
    build_wizard()?;
    let dist = root().join("dist");
    let measure = |names: Vec<String>| -> Result<Vec<Row>, String> {
        let mut rows = Vec::new();
        for name in names {
            let bytes = crate::package::read(&dist, &name)?;
            let served = served_len(&dist, &name, &bytes)?;
            rows.push((name, bytes.len(), gzip_len(&bytes)?, served));
        }
        Ok(rows)
    };
    let mut rows = measure(crate::package::bundle(&dist)?)?;
    // A page loads one language's strings: the total counts the larger file.
    let languages = measure(crate::package::strings_files(&dist)?)?;
    let largest = languages
        .iter()
        .max_by_key(|row| row.3)
        .ok_or("no strings files")?;
    let total_raw: usize = rows.iter().map(|r| r.1).sum::<usize>() + largest.1;
    let total_gzip: usize = rows.iter().map(|r| r.2).sum::<usize>() + largest.2;
    let total_served: usize = rows.iter().map(|r| r.3).sum::<usize>() + largest.3;
    rows.extend(languages.iter().cloned());
    let verdict = if total_served <= BUDGET_GZIP_BYTES {
        "within"
    } else {
        "OVER"
    };

    let mut table = String::from(
        "| file | raw bytes | gzip -9 bytes | served, gzip (zopfli) bytes |\n|---|---:|---:|---:|\n",
    );
    for (name, raw, gz, served) in &rows {
        // The content hash changes with every build; the table names the file's role.
        let shown = without_hash(name);
        table.push_str(&format!("| `{shown}` | {raw} | {gz} | {served} |\n"));
    }
    table.push_str(&format!(
        "| **total** (with the larger strings file, `{}`) | **{total_raw}** | **{total_gzip}** | \
         **{total_served}** |\n",
        without_hash(&largest.0)
    ));
    let summary = format!(
        "Total {total_served} bytes gzip as served: {verdict} the budget of \
         {BUDGET_GZIP_BYTES} bytes ({:.0}% of it; {total_gzip} bytes with gzip -9).",
        total_served as f64 * 100.0 / BUDGET_GZIP_BYTES as f64
    );
    println!("{table}\n{summary}");

    let report = format!(
        "# Wizard bundle size\n\nWritten by `cargo xtask bench` (release build: opt-level z, LTO, \
         std rebuilt with immediate-abort panics, wasm-opt -Oz, JavaScript minified by terser). \
         \"Served\" is the precompressed `.gz` file the proxy sends to a browser; gzip -9 is \
         for comparison.\n\n{table}\n{summary}\n"
    );
    let dir = root().join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("bundle.md"), report).map_err(|e| e.to_string())?;
    validation(&dir)?;
    if total_served > BUDGET_GZIP_BYTES {
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
