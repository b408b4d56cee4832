//! `cargo xtask bench`: builds the release wizard and measures it — the size of each file a
//! page loads, raw and as served (its `.gz` and `.br` copies), against the brotli budget
//! (`bench/bundle.md`); the first step's time in headless Chromium on emulated mobile
//! networks (`tests/bench/first-step.mjs`, `bench/first-step.md`); and the proxy's
//! validation throughput (`bench/validation.md`), peak memory per validation
//! (`proxy/benches/memory.rs`, `bench/memory.md`), validation time over a network path
//! between two namespaces (`proxy/benches/network.rs`, `bench/network.md`), and webhook
//! delivery's latency and throughput on SQLite and PostgreSQL (`proxy/benches/webhooks.rs`,
//! `bench/webhooks.md`). The README quotes them all.

use std::io::Read;
use std::path::Path;

use crate::build;
use crate::cmd::{command, exec, root};
use crate::dist::{self, BROTLI_SUFFIX, GZIP_SUFFIX, LOADER, Manifest, read};
use crate::setup;

/// What a page downloads to show the wizard (one language), brotli as served, must fit in this.
const BUDGET_BROTLI_BYTES: usize = 170_000;

/// One file's size: raw, and as served with gzip and with brotli.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    name: String,
    raw: usize,
    gzip: usize,
    brotli: usize,
}

/// The bytes of the precompressed copy `dist/<name><suffix>`, once checked to unpack to
/// exactly `bytes` (a stale copy would be served in the file's place).
fn served(
    dist: &Path,
    name: &str,
    suffix: &str,
    bytes: &[u8],
    unpack: impl FnOnce(&[u8], &mut Vec<u8>) -> std::io::Result<()>,
) -> Result<usize, String> {
    let copy_name = format!("{name}{suffix}");
    let copy = read(dist, &copy_name)?;
    let mut unpacked = Vec::new();
    unpack(&copy, &mut unpacked).map_err(|e| format!("dist/{copy_name}: cannot unpack: {e}"))?;
    if unpacked != bytes {
        return Err(format!("dist/{copy_name} does not unpack to dist/{name}"));
    }
    Ok(copy.len())
}

fn measure(dist: &Path, name: &str) -> Result<Row, String> {
    let bytes = read(dist, name)?;
    let gzip = served(dist, name, GZIP_SUFFIX, &bytes, |copy, out| {
        flate2::read::GzDecoder::new(copy)
            .read_to_end(out)
            .map(drop)
    })?;
    let brotli = served(dist, name, BROTLI_SUFFIX, &bytes, |copy, out| {
        brotli::BrotliDecompress(&mut &copy[..], out)
    })?;
    Ok(Row {
        name: name.to_owned(),
        raw: bytes.len(),
        gzip,
        brotli,
    })
}

/// The bundle's figures as a Markdown table and a summary; the brotli total is the third
/// value. A page loads every file of `always` and one of `languages` (en, es, fr …): the
/// total counts the largest of those (by brotli), whichever language it is.
fn bundle_report(always: &[Row], languages: &[Row]) -> Result<(String, String, usize), String> {
    let largest = languages
        .iter()
        .max_by_key(|row| row.brotli)
        .ok_or("no strings files")?;
    let total = |size: fn(&Row) -> usize| always.iter().map(size).sum::<usize>() + size(largest);
    let (raw, gzip, brotli) = (total(|r| r.raw), total(|r| r.gzip), total(|r| r.brotli));

    let mut table = String::from(
        "| file | raw bytes | gzip as served (zopfli) | brotli as served (q 11) |\n\
         |---|---:|---:|---:|\n",
    );
    for row in always.iter().chain(languages) {
        // The content hash changes with every build; the table names the file's role.
        table.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            without_hash(&row.name),
            row.raw,
            row.gzip,
            row.brotli
        ));
    }
    table.push_str(&format!(
        "| **a page downloads** (with the largest strings file, `{}`) | **{raw}** | **{gzip}** | \
         **{brotli}** |\n",
        without_hash(&largest.name)
    ));
    let verdict = if brotli <= BUDGET_BROTLI_BYTES {
        "within"
    } else {
        "OVER"
    };
    let summary = format!(
        "A page downloads {brotli} bytes brotli as served ({gzip} gzip, {raw} raw): {verdict} \
         the budget of {BUDGET_BROTLI_BYTES} bytes brotli ({:.0}% of it).",
        brotli as f64 * 100.0 / BUDGET_BROTLI_BYTES as f64
    );
    Ok((table, summary, brotli))
}

/// Builds, measures, prints and records; fails after every benchmark has run when the bundle
/// is over budget, and at once when a benchmark fails.
pub fn run() -> Result<(), String> {
    setup::run(setup::Needs::Everything)?;
    build::run()?;
    let dist = dist::dir();
    let manifest = Manifest::read(&dist)?;
    let (table, summary, brotli) = bundle(&dist, &manifest)?;
    println!("{table}\n{summary}");
    let report = format!(
        "# Wizard bundle size\n\nWritten by `cargo xtask bench`. Release build on stable Rust: \
         opt-level z, LTO, one codegen unit, panic=abort, `--cfg erase_components`; trunk with \
         wasm-bindgen and `wasm-opt -Oz`; the JavaScript minified by terser. \"As served\" is \
         the precompressed copy the proxy sends: `.br` (brotli quality 11) to browsers that \
         accept brotli, `.gz` (gzip by zopfli) to those that accept only gzip.\n\n\
         {table}\n{summary}\n"
    );
    let dir = root().join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("bundle.md"), report).map_err(|e| e.to_string())?;

    first_step(&dist)?;
    validation(&dir)?;
    // The memory and network benchmarks write `bench/memory.md` and `bench/network.md`;
    // both run the sandbox as a process of its own, so they measure only the proxy.
    let sandbox = build::release_sandbox()?;
    for bench in ["memory", "network"] {
        let mut run = command(
            "cargo",
            &["bench", "-p", "sis-onboard-proxy", "--bench", bench],
        );
        run.env("SIS_ONBOARD_SANDBOX_BIN", &sandbox);
        exec(run)?;
    }
    // Writes `bench/webhooks.md`; PostgreSQL is the server the tests use.
    let mut webhooks = command(
        "cargo",
        &["bench", "-p", "sis-onboard-proxy", "--bench", "webhooks"],
    );
    webhooks.env(
        "SIS_ONBOARD_TEST_POSTGRES_URL",
        std::env::var("SIS_ONBOARD_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| crate::test::LOCAL_POSTGRES.to_owned()),
    );
    exec(webhooks)?;
    if brotli > BUDGET_BROTLI_BYTES {
        return Err(format!("the bundle is over budget: {summary}"));
    }
    Ok(())
}

fn bundle(dist: &Path, manifest: &Manifest) -> Result<(String, String, usize), String> {
    let always = [LOADER, &manifest.glue, &manifest.wasm, &manifest.css]
        .into_iter()
        .map(|name| measure(dist, name))
        .collect::<Result<Vec<_>, _>>()?;
    let languages = manifest
        .strings
        .iter()
        .map(|(_, name)| measure(dist, name))
        .collect::<Result<Vec<_>, _>>()?;
    bundle_report(&always, &languages)
}

/// The first step on emulated mobile networks: `tests/bench/first-step.mjs` starts the demo
/// proxy over `dist`, loads the demo page cold in headless Chromium, and writes
/// `bench/first-step.md`.
fn first_step(dist: &Path) -> Result<(), String> {
    let proxy = build::demo_proxy()?;
    let mut node = command("node", &["tests/bench/first-step.mjs"]);
    node.env("SIS_ONBOARD_PROXY_BIN", proxy)
        .env("SIS_ONBOARD_DIST", dist);
    exec(node)
}

/// Runs the proxy's validation benchmark and records its table in `bench/validation.md`.
fn validation(dir: &Path) -> Result<(), String> {
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
        (c == '-' && dist::is_hash(&rest[..end])).then_some((i, i + 1 + end))
    });
    match hashed {
        Some((start, end)) => format!("{}-<hash>{}", &name[..start], &name[end..]),
        None => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, raw: usize, gzip: usize, brotli: usize) -> Row {
        Row {
            name: name.into(),
            raw,
            gzip,
            brotli,
        }
    }

    #[test]
    fn the_total_counts_every_file_and_the_largest_language() {
        let always = [
            row("sis-onboard.js", 3000, 1200, 1000),
            row(
                "sis-onboard-wizard-0123456789abcdef_bg.wasm",
                400_000,
                150_000,
                120_000,
            ),
        ];
        let languages = [
            row("sis-onboard-en-00000000000000aa.txt", 9000, 3500, 3000),
            row("sis-onboard-es-00000000000000bb.txt", 10_000, 3900, 3300),
            row("sis-onboard-fr-00000000000000cc.txt", 9500, 3800, 3200),
        ];
        let (table, summary, brotli) = bundle_report(&always, &languages).expect("report");
        assert_eq!(brotli, 1000 + 120_000 + 3300);
        assert!(table.contains("| `sis-onboard-fr-<hash>.txt` | 9500 | 3800 | 3200 |"));
        assert!(
            table.contains("| `sis-onboard-wizard-<hash>_bg.wasm` | 400000 | 150000 | 120000 |")
        );
        assert!(
            table.contains("`sis-onboard-es-<hash>.txt`) | **413000** | **155100** | **124300** |")
        );
        assert!(summary.contains("124300 bytes brotli") && summary.contains("within"));

        let heavy = [row(
            "sis-onboard-wizard-0123456789abcdef_bg.wasm",
            1,
            1,
            170_000,
        )];
        let (_, summary, brotli) = bundle_report(&heavy, &languages).expect("report");
        assert!(brotli > BUDGET_BROTLI_BYTES && summary.contains("OVER"));
        assert!(bundle_report(&always, &[]).is_err());

        // Whichever language is largest is the one counted, wherever the manifest lists it.
        let french_largest = [
            row("sis-onboard-en-00000000000000aa.txt", 9000, 3500, 3000),
            row("sis-onboard-fr-00000000000000cc.txt", 11_000, 4100, 3600),
            row("sis-onboard-es-00000000000000bb.txt", 10_000, 3900, 3300),
        ];
        let (table, _, brotli) = bundle_report(&always, &french_largest).expect("report");
        assert_eq!(brotli, 1000 + 120_000 + 3600);
        assert!(table.contains("(with the largest strings file, `sis-onboard-fr-<hash>.txt`)"));
    }

    #[test]
    fn hashes_are_hidden_in_names_and_nothing_else() {
        assert_eq!(
            without_hash("sis-onboard-wizard-0123456789abcdef_bg.wasm"),
            "sis-onboard-wizard-<hash>_bg.wasm"
        );
        assert_eq!(
            without_hash("sis-onboard-3d3b1657ff42e.css"),
            "sis-onboard-<hash>.css"
        );
        assert_eq!(without_hash("sis-onboard.js"), "sis-onboard.js");
    }
}
