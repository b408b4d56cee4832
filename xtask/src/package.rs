//! After trunk: points the stable loader (`sis-onboard.js`) at the content-hashed assets
//! trunk wrote, and records the loader's Subresource Integrity value for the script tag.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256, Sha384};

use crate::cmd::{command, exec};

/// The names the loader's source uses, and how to recognise each hashed file in `dist/`.
const ASSETS: [(&str, &str, &str); 3] = [
    ("./sis-onboard-wizard.js", "sis-onboard-wizard-", ".js"),
    (
        "./sis-onboard-wizard_bg.wasm",
        "sis-onboard-wizard-",
        "_bg.wasm",
    ),
    ("./sis-onboard.css", "sis-onboard-", ".css"),
];

/// The loader's file name: stable, so a vendor's script tag never changes.
pub const LOADER: &str = "sis-onboard.js";
/// Where the loader's `sha384-…` integrity value is written.
pub const SRI_FILE: &str = "sis-onboard.sri.txt";

/// A content hash in a file name: ours ([`content_hash`], 16 digits) or trunk's for the
/// stylesheet (a 64-bit hash in hex without leading zeros, so 8 to 16 digits but for a
/// one-in-four-billion chance, which fails the build loudly rather than mis-caching).
pub fn is_hash(text: &str) -> bool {
    (8..=16).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The one file in `dist` named `<prefix><hash><suffix>`.
fn hashed(dist: &Path, prefix: &str, suffix: &str) -> Result<String, String> {
    let entries = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    let found: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| {
            name.strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(suffix))
                .is_some_and(is_hash)
        })
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(format!(
            "expected one {prefix}<hash>{suffix} in dist/, found {found:?}"
        )),
    }
}

/// The files every page loads to show the wizard, in load order: the loader, the
/// wasm-bindgen glue, the wasm, the stylesheet. (And one of the [`strings_files`].)
pub fn bundle(dist: &Path) -> Result<Vec<String>, String> {
    let mut files = vec![LOADER.to_owned()];
    for (_, prefix, suffix) in ASSETS {
        files.push(hashed(dist, prefix, suffix)?);
    }
    Ok(files)
}

/// Each language's strings file in `dist`, in [`crate::strings::LANGUAGES`] order: a page
/// loads one of them, besides the [`bundle`].
pub fn strings_files(dist: &Path) -> Result<Vec<String>, String> {
    let languages = crate::strings::LANGUAGES.iter();
    languages
        .map(|lang| hashed(dist, &crate::strings::prefix(lang), crate::strings::SUFFIX))
        .collect()
}

/// `sha384-<base64>` of `bytes`, as the `integrity` attribute wants it.
pub fn sri(bytes: &[u8]) -> String {
    format!("sha384-{}", STANDARD.encode(Sha384::digest(bytes)))
}

/// Finishes `dist/` after trunk: drops what a dependency exports that no page can reach
/// (`unused_exports`), puts similar functions together (`function_order`),
/// shortens the names the glue and the wasm call each other by
/// (`short_names`), minifies the JavaScript, names the glue and the wasm by
/// their final content, points `sis-onboard.js` at the hashed files, writes the loader's SRI
/// value, and writes a gzip copy of every file a page loads (see [`precompress`]).
pub fn run(dist: &Path) -> Result<(), String> {
    let glue = hashed(dist, ASSETS[0].1, ASSETS[0].2)?;
    let wasm = hashed(dist, ASSETS[1].1, ASSETS[1].2)?;
    if let Some(path) = source_file_named(&read(dist, &wasm)?) {
        return Err(format!(
            "dist/{wasm} names the source file `{path}`: the size options of the release \
             build (immediate-abort panics, no location detail) did not take effect"
        ));
    }
    crate::unused_exports::run(dist, &wasm, &glue)?;
    crate::function_order::run(dist, &wasm)?;
    crate::short_names::run(dist, &wasm, &glue)?;
    // Trunk minifies the stylesheet; its JavaScript minifier cannot read wasm-bindgen's glue.
    minify(&dist.join(&glue))?;
    rename_by_content(dist, &glue, &wasm)?;

    let strings = crate::strings::run(dist)?;

    let mut loader = read_text(dist, LOADER)?;
    let mut files = Vec::new();
    for (source_name, prefix, suffix) in ASSETS {
        files.push((source_name.to_owned(), hashed(dist, prefix, suffix)?));
    }
    let languages = crate::strings::LANGUAGES.iter().zip(&strings);
    files.extend(languages.map(|(lang, file)| (crate::strings::source_name(lang), file.clone())));
    for (source_name, file) in files {
        let quoted = format!("\"{source_name}\"");
        if loader.matches(&quoted).count() != 1 {
            return Err(format!("{LOADER} must name {quoted} exactly once"));
        }
        loader = loader.replace(&quoted, &format!("\"./{file}\""));
    }
    write(dist, LOADER, loader.as_bytes())?;
    minify(&dist.join(LOADER))?;
    let integrity = sri(&read(dist, LOADER)?);
    write(dist, SRI_FILE, format!("{integrity}\n").as_bytes())?;
    for file in bundle(dist)?.into_iter().chain(strings) {
        precompress(dist, &file)?;
    }
    eprintln!("packaged dist/{LOADER} ({integrity})");
    Ok(())
}

/// The hash in the glue's and the wasm's names, from their final bytes: the first 16 hex
/// digits of the SHA-256 of the wasm followed by the glue.
pub fn content_hash(wasm: &[u8], glue: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(wasm)
        .chain_update(glue)
        .finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Renames the glue and the wasm after [`content_hash`]. Trunk names both by the hash of
/// cargo's wasm, before wasm-bindgen, wasm-opt and our minifier: a change to any of those
/// (a tool upgrade, other wasm-opt options) would ship new bytes under a name that browsers
/// were told to cache forever.
fn rename_by_content(dist: &Path, glue: &str, wasm: &str) -> Result<(), String> {
    let [
        (_, glue_prefix, glue_suffix),
        (_, wasm_prefix, wasm_suffix),
        _,
    ] = ASSETS;
    let hash = content_hash(&read(dist, wasm)?, &read(dist, glue)?);
    for (old, new) in [
        (glue, format!("{glue_prefix}{hash}{glue_suffix}")),
        (wasm, format!("{wasm_prefix}{hash}{wasm_suffix}")),
    ] {
        std::fs::rename(dist.join(old), dist.join(&new))
            .map_err(|e| format!("dist/{old} -> {new}: {e}"))?;
    }
    Ok(())
}

/// The bytes of `dist/<name>`.
pub fn read(dist: &Path, name: &str) -> Result<Vec<u8>, String> {
    std::fs::read(dist.join(name)).map_err(|e| format!("dist/{name}: {e}"))
}

/// The text of `dist/<name>`.
pub fn read_text(dist: &Path, name: &str) -> Result<String, String> {
    String::from_utf8(read(dist, name)?).map_err(|e| format!("dist/{name}: {e}"))
}

/// Replaces `dist/<name>` with `bytes`.
pub fn write(dist: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(dist.join(name), bytes).map_err(|e| format!("dist/{name}: {e}"))
}

/// Minifies an ES module in place with terser (from npm, installed by `setup`).
fn minify(path: &Path) -> Result<(), String> {
    let file = path.display().to_string();
    exec(command(
        "terser",
        &[
            &file,
            "--module",
            "--compress",
            "--mangle",
            "--output",
            &file,
        ],
    ))
}

/// The suffix of a file's precompressed copy, which the proxy sends to browsers that accept
/// gzip (every browser does).
pub const GZIP_SUFFIX: &str = ".gz";

/// The first Rust source file path `bytes` names (`…/lazy.rs`), if any. Panic locations name
/// them; the release build compiles none in, so one here means its size options were lost
/// (they are worth about 18 KB, and these paths also tell the world the build machine's
/// directories).
pub fn source_file_named(bytes: &[u8]) -> Option<String> {
    let is_path_byte = |b: u8| b.is_ascii_alphanumeric() || b"_-/.".contains(&b);
    bytes.windows(4).enumerate().find_map(|(i, w)| {
        let ends_path = bytes.get(i + 4).is_none_or(|&b| !is_path_byte(b));
        if &w[1..] != b".rs" || !(w[0].is_ascii_alphanumeric() || w[0] == b'_') || !ends_path {
            return None;
        }
        let start = bytes[..i]
            .iter()
            .rposition(|&b| !is_path_byte(b))
            .map_or(0, |p| p + 1);
        // Panic locations are paths (`src/app.rs`); a bare `x.rs` is more likely chance bytes.
        let path = &bytes[start..i + 4];
        path.contains(&b'/')
            .then(|| String::from_utf8_lossy(path).into_owned())
    })
}

/// Writes `<file>.gz`: gzip made with zopfli, which packs the same format about 5% tighter
/// than `gzip -9` at a cost paid once per build instead of on every request.
fn precompress(dist: &Path, name: &str) -> Result<(), String> {
    let bytes = read(dist, name)?;
    let mut gz = Vec::new();
    zopfli::compress(
        zopfli::Options::default(),
        zopfli::Format::Gzip,
        bytes.as_slice(),
        &mut gz,
    )
    .map_err(|e| format!("dist/{name}: gzip: {e}"))?;
    let out = format!("{name}{GZIP_SUFFIX}");
    std::fs::write(dist.join(&out), gz).map_err(|e| format!("dist/{out}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_hash_changes_with_either_file_and_reads_as_a_hash() {
        let hash = content_hash(b"wasm", b"glue");
        assert_eq!(hash.len(), 16);
        assert!(is_hash(&hash));
        assert_eq!(hash, content_hash(b"wasm", b"glue"));
        assert_ne!(hash, content_hash(b"wasm!", b"glue"));
        assert_ne!(hash, content_hash(b"wasm", b"glue!"));
        // `printf wasmglue | sha256sum | cut -c1-16`
        assert_eq!(hash, "66b80f8d6e4fb713");
    }

    #[test]
    fn a_source_file_name_is_found_and_nothing_else() {
        let with = b"\0\x01/rustc/59807616e1/library/core/src/cell/lazy.rs\0more";
        assert_eq!(
            source_file_named(with).as_deref(),
            Some("/rustc/59807616e1/library/core/src/cell/lazy.rs")
        );
        assert_eq!(
            source_file_named(b"src/steps/strategy.rs").as_deref(),
            Some("src/steps/strategy.rs")
        );
        // Words and names that merely contain ".rs" are not source files.
        assert_eq!(
            source_file_named(b"\0users.rsvp\0 .rs \0hrs.rs2\0main.rs\0"),
            None
        );
    }

    #[test]
    fn sri_is_sha384_in_base64() {
        // `printf abc | openssl dgst -sha384 -binary | base64`
        assert_eq!(
            sri(b"abc"),
            "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
        );
    }
}
