//! After trunk: points the stable loader (`sis-onboard.js`) at the content-hashed assets
//! trunk wrote, and records the loader's Subresource Integrity value for the script tag.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha384};

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

/// Trunk's content hash: a 64-bit hash in hex, without leading zeros (so 8 to 16 digits but
/// for a one-in-four-billion chance, which fails the build loudly rather than mis-caching).
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

/// The files a page loads to show the wizard, in load order: the loader, the wasm-bindgen
/// glue, the wasm, the stylesheet.
pub fn bundle(dist: &Path) -> Result<Vec<String>, String> {
    let mut files = vec![LOADER.to_owned()];
    for (_, prefix, suffix) in ASSETS {
        files.push(hashed(dist, prefix, suffix)?);
    }
    Ok(files)
}

/// `sha384-<base64>` of `bytes`, as the `integrity` attribute wants it.
pub fn sri(bytes: &[u8]) -> String {
    format!("sha384-{}", STANDARD.encode(Sha384::digest(bytes)))
}

/// Rewrites `dist/sis-onboard.js` to import the hashed files and writes its SRI value.
pub fn run(dist: &Path) -> Result<(), String> {
    let loader_path = dist.join(LOADER);
    let mut loader = std::fs::read_to_string(&loader_path)
        .map_err(|e| format!("{}: {e}", loader_path.display()))?;
    for (source_name, prefix, suffix) in ASSETS {
        let quoted = format!("\"{source_name}\"");
        if loader.matches(&quoted).count() != 1 {
            return Err(format!("{LOADER} must name {quoted} exactly once"));
        }
        let file = hashed(dist, prefix, suffix)?;
        loader = loader.replace(&quoted, &format!("\"./{file}\""));
    }
    std::fs::write(&loader_path, &loader).map_err(|e| format!("{}: {e}", loader_path.display()))?;
    let integrity = sri(loader.as_bytes());
    std::fs::write(dist.join(SRI_FILE), format!("{integrity}\n"))
        .map_err(|e| format!("{SRI_FILE}: {e}"))?;
    eprintln!("packaged dist/{LOADER} ({integrity})");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sri_is_sha384_in_base64() {
        // `printf abc | openssl dgst -sha384 -binary | base64`
        assert_eq!(
            sri(b"abc"),
            "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
        );
    }
}
