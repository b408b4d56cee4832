//! The files of `dist/`: reading and writing them, finding a content-hashed name, and the
//! manifest that names the files a page loads.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::cmd::root;

/// Where `cargo xtask build` leaves the wizard.
pub fn dir() -> PathBuf {
    root().join("dist")
}

/// The loader's file name: stable, so a vendor's script tag never changes.
pub const LOADER: &str = "sis-onboard.js";
/// Where the loader's `sha384-…` integrity value is written.
pub const SRI_FILE: &str = "sis-onboard.sri.txt";
/// The JSON file that names the content-hashed files, for preload hints (`docs/embedding.md`).
pub const MANIFEST: &str = "sis-onboard.manifest.json";
/// The suffix of a file's gzip copy.
pub const GZIP_SUFFIX: &str = ".gz";
/// The suffix of a file's brotli copy.
pub const BROTLI_SUFFIX: &str = ".br";

/// The files a page loads besides the loader, by their names in `dist/` (relative to it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The wasm-bindgen glue (an ES module the loader imports).
    pub glue: String,
    /// The wasm.
    pub wasm: String,
    /// The stylesheet.
    pub css: String,
    /// Each language's strings file, `(language, file)`: a page loads one of them.
    pub strings: Vec<(String, String)>,
}

impl Manifest {
    /// `{"glue": …, "wasm": …, "css": …, "strings": {"en": …, "es": …, "fr": …}}`.
    pub fn to_json(&self) -> String {
        let strings: serde_json::Map<String, serde_json::Value> = self
            .strings
            .iter()
            .map(|(lang, file)| (lang.clone(), file.clone().into()))
            .collect();
        let json = serde_json::json!({
            "glue": self.glue,
            "wasm": self.wasm,
            "css": self.css,
            "strings": strings,
        });
        format!("{json:#}\n")
    }

    /// Reads what [`Manifest::to_json`] wrote.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("{MANIFEST}: {e}"))?;
        let field = |name: &str| {
            json[name]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("{MANIFEST}: no \"{name}\" file name"))
        };
        let strings = json["strings"]
            .as_object()
            .ok_or_else(|| format!("{MANIFEST}: no \"strings\" object"))?
            .iter()
            .map(|(lang, file)| {
                let file = file
                    .as_str()
                    .ok_or_else(|| format!("{MANIFEST}: strings.{lang} is not a file name"))?;
                Ok((lang.clone(), file.to_owned()))
            })
            .collect::<Result<_, String>>()?;
        Ok(Self {
            glue: field("glue")?,
            wasm: field("wasm")?,
            css: field("css")?,
            strings,
        })
    }

    /// `dist/sis-onboard.manifest.json`.
    pub fn read(dist: &Path) -> Result<Self, String> {
        Self::from_json(&read_text(dist, MANIFEST)?)
    }
}

/// A content hash in a file name: ours ([`content_hash`], 16 digits) or trunk's for the
/// stylesheet (a 64-bit hash in hex without leading zeros, so 8 to 16 digits but for a
/// one-in-four-billion chance, which fails the build loudly rather than mis-caching).
pub fn is_hash(text: &str) -> bool {
    (8..=16).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The first 16 hex digits of the SHA-256 of `parts`, one after the other.
pub fn content_hash(parts: &[&[u8]]) -> String {
    let digest = parts
        .iter()
        .fold(Sha256::new(), |hasher, part| hasher.chain_update(part))
        .finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The one file in `dist` named `<prefix><hash><suffix>`.
pub fn hashed(dist: &Path, prefix: &str, suffix: &str) -> Result<String, String> {
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

/// A manifest of made-up hashed names, for the tests of the modules that read one.
#[cfg(test)]
pub fn sample_manifest() -> Manifest {
    Manifest {
        glue: "sis-onboard-wizard-0123456789abcdef.js".into(),
        wasm: "sis-onboard-wizard-0123456789abcdef_bg.wasm".into(),
        css: "sis-onboard-3d3b1657ff42e.css".into(),
        strings: vec![
            ("en".into(), "sis-onboard-en-00000000000000aa.txt".into()),
            ("es".into(), "sis-onboard-es-00000000000000bb.txt".into()),
            ("fr".into(), "sis-onboard-fr-00000000000000cc.txt".into()),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_hash_changes_with_either_part_and_reads_as_a_hash() {
        let hash = content_hash(&[b"wasm", b"glue"]);
        assert_eq!(hash.len(), 16);
        assert!(is_hash(&hash));
        assert_ne!(hash, content_hash(&[b"wasm!", b"glue"]));
        assert_ne!(hash, content_hash(&[b"wasm", b"glue!"]));
        // `printf wasmglue | sha256sum | cut -c1-16`
        assert_eq!(hash, "66b80f8d6e4fb713");
    }

    #[test]
    fn the_manifest_reads_back_what_it_wrote_in_the_agreed_shape() {
        let manifest = sample_manifest();
        let json = manifest.to_json();
        let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(
            value,
            serde_json::json!({
                "glue": "sis-onboard-wizard-0123456789abcdef.js",
                "wasm": "sis-onboard-wizard-0123456789abcdef_bg.wasm",
                "css": "sis-onboard-3d3b1657ff42e.css",
                "strings": {
                    "en": "sis-onboard-en-00000000000000aa.txt",
                    "es": "sis-onboard-es-00000000000000bb.txt",
                    "fr": "sis-onboard-fr-00000000000000cc.txt",
                },
            })
        );
        assert_eq!(Manifest::from_json(&json).expect("read back"), manifest);
        assert!(Manifest::from_json(r#"{"glue": "a.js"}"#).is_err());
    }
}
