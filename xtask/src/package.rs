//! Finishes `dist/` after the build: content-hashed names, the stable loader pointed at them,
//! its Subresource Integrity value, the manifest, and `.gz` and `.br` copies of every file a
//! page loads. Plain file work: no file's content is rewritten but the loader's.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha384};

use crate::cmd::terser;
use crate::dist::{
    BROTLI_SUFFIX, GZIP_SUFFIX, LOADER, MANIFEST, Manifest, SRI_FILE, content_hash, hashed, read,
    read_text, write,
};
use crate::strings;

/// The glue's name in `dist/`: `<prefix><hash><suffix>`.
pub const GLUE: (&str, &str) = ("sis-onboard-wizard-", ".js");
/// The wasm's name in `dist/`.
pub const WASM: (&str, &str) = ("sis-onboard-wizard-", "_bg.wasm");
/// The stylesheet's name in `dist/` (named by trunk).
const CSS: (&str, &str) = ("sis-onboard-", ".css");

/// Packages `dist/` as trunk and terser left it.
pub fn run(dist: &Path) -> Result<(), String> {
    let (glue, wasm) = rename_by_content(
        dist,
        &hashed(dist, GLUE.0, GLUE.1)?,
        &hashed(dist, WASM.0, WASM.1)?,
    )?;
    let mut strings_files = Vec::new();
    for (lang, text) in strings::run()? {
        let hash = content_hash(&[text.as_bytes()]);
        let name = format!("{}{hash}{}", strings::prefix(lang), strings::SUFFIX);
        write(dist, &name, text.as_bytes())?;
        strings_files.push((lang.to_owned(), name));
    }
    let manifest = Manifest {
        glue,
        wasm,
        css: hashed(dist, CSS.0, CSS.1)?,
        strings: strings_files,
    };

    let loader = point_loader(&read_text(dist, LOADER)?, &manifest)?;
    write(dist, LOADER, loader.as_bytes())?;
    terser(&dist.join(LOADER))?;
    let integrity = sri(&read(dist, LOADER)?);
    write(dist, SRI_FILE, format!("{integrity}\n").as_bytes())?;
    write(dist, MANIFEST, manifest.to_json().as_bytes())?;
    for file in page_files(&manifest) {
        precompress(dist, &file)?;
    }
    eprintln!("packaged dist/{LOADER} ({integrity}) and dist/{MANIFEST}");
    Ok(())
}

/// Every file a page may load, in load order: the loader, the glue, the wasm, the
/// stylesheet, and each language's strings (a page loads one of them).
pub fn page_files(manifest: &Manifest) -> Vec<String> {
    let fixed = [LOADER, &manifest.glue, &manifest.wasm, &manifest.css];
    let strings = manifest.strings.iter().map(|(_, file)| file.clone());
    fixed
        .into_iter()
        .map(str::to_owned)
        .chain(strings)
        .collect()
}

/// The loader's source with each asset name it imports or fetches (`"./sis-onboard.css"`
/// …) replaced by the content-hashed file of this build; each must appear exactly once.
pub fn point_loader(source: &str, manifest: &Manifest) -> Result<String, String> {
    let mut names = vec![
        ("./sis-onboard-wizard.js".to_owned(), &manifest.glue),
        ("./sis-onboard-wizard_bg.wasm".to_owned(), &manifest.wasm),
        ("./sis-onboard.css".to_owned(), &manifest.css),
    ];
    names.extend(
        manifest
            .strings
            .iter()
            .map(|(lang, file)| (strings::source_name(lang), file)),
    );
    let mut loader = source.to_owned();
    for (source_name, file) in names {
        let quoted = format!("\"{source_name}\"");
        if loader.matches(&quoted).count() != 1 {
            return Err(format!("{LOADER} must name {quoted} exactly once"));
        }
        loader = loader.replace(&quoted, &format!("\"./{file}\""));
    }
    Ok(loader)
}

/// `sha384-<base64>` of `bytes`, as the `integrity` attribute wants it.
pub fn sri(bytes: &[u8]) -> String {
    format!("sha384-{}", STANDARD.encode(Sha384::digest(bytes)))
}

/// Renames the glue and the wasm by the content hash of their final bytes (the wasm, then
/// the glue); returns the new names. Trunk names both by the hash of cargo's wasm, before
/// wasm-bindgen, wasm-opt and terser: a change to any of those (a tool upgrade, other
/// wasm-opt options) would ship new bytes under a name browsers were told to cache forever.
fn rename_by_content(dist: &Path, glue: &str, wasm: &str) -> Result<(String, String), String> {
    let hash = content_hash(&[&read(dist, wasm)?, &read(dist, glue)?]);
    let new_glue = format!("{}{hash}{}", GLUE.0, GLUE.1);
    let new_wasm = format!("{}{hash}{}", WASM.0, WASM.1);
    for (old, new) in [(glue, &new_glue), (wasm, &new_wasm)] {
        std::fs::rename(dist.join(old), dist.join(new))
            .map_err(|e| format!("dist/{old} -> {new}: {e}"))?;
    }
    Ok((new_glue, new_wasm))
}

/// `bytes` as gzip, made with zopfli: the same format `gzip -9` writes, about 5% smaller,
/// at a cost paid once per build instead of on every request.
pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut gz = Vec::new();
    zopfli::compress(
        zopfli::Options::default(),
        zopfli::Format::Gzip,
        bytes,
        &mut gz,
    )
    .map_err(|e| format!("gzip: {e}"))?;
    Ok(gz)
}

/// `bytes` as brotli at quality 11 (`brotli -q 11`), the densest setting.
pub fn brotli(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        size_hint: bytes.len(),
        ..Default::default()
    };
    let mut br = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut br, &params)
        .map_err(|e| format!("brotli: {e}"))?;
    Ok(br)
}

/// Writes `<file>.gz` and `<file>.br` beside `dist/<file>`, for servers that send a
/// precompressed copy to browsers that accept its encoding.
fn precompress(dist: &Path, name: &str) -> Result<(), String> {
    let bytes = read(dist, name)?;
    let gz = gzip(&bytes).map_err(|e| format!("dist/{name}: {e}"))?;
    write(dist, &format!("{name}{GZIP_SUFFIX}"), &gz)?;
    let br = brotli(&bytes).map_err(|e| format!("dist/{name}: {e}"))?;
    write(dist, &format!("{name}{BROTLI_SUFFIX}"), &br)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::sample_manifest as manifest;

    /// The real loader, as trunk copies it into `dist/`.
    const LOADER_SOURCE: &str = include_str!("../../js/sis-onboard.js");

    #[test]
    fn the_real_loader_is_pointed_at_every_hashed_file() {
        let loader = point_loader(LOADER_SOURCE, &manifest()).expect("pointed");
        assert!(loader.contains(r#"import("./sis-onboard-wizard-0123456789abcdef.js")"#));
        assert!(loader.contains(r#"new URL("./sis-onboard-wizard-0123456789abcdef_bg.wasm""#));
        assert!(loader.contains(r#"new URL("./sis-onboard-3d3b1657ff42e.css""#));
        assert!(loader.contains(r#"new URL("./sis-onboard-en-00000000000000aa.txt""#));
        assert!(loader.contains(r#"new URL("./sis-onboard-es-00000000000000bb.txt""#));
        assert!(loader.contains(r#"new URL("./sis-onboard-fr-00000000000000cc.txt""#));
        // No unhashed name is left for the browser to ask for.
        for unhashed in [
            "./sis-onboard-wizard.js",
            "./sis-onboard-wizard_bg.wasm",
            "./sis-onboard.css",
            "./sis-onboard-en.txt",
            "./sis-onboard-es.txt",
            "./sis-onboard-fr.txt",
        ] {
            assert!(!loader.contains(&format!("\"{unhashed}\"")), "{unhashed}");
        }
        // A loader that lost a name, or names one twice, fails the build.
        let without_css = LOADER_SOURCE.replace("./sis-onboard.css", "./other.css");
        assert!(point_loader(&without_css, &manifest()).is_err());
        let twice = format!("{LOADER_SOURCE} \"./sis-onboard.css\"");
        assert!(point_loader(&twice, &manifest()).is_err());
    }

    #[test]
    fn page_files_are_the_loader_then_the_manifests_files() {
        assert_eq!(
            page_files(&manifest()),
            [
                "sis-onboard.js",
                "sis-onboard-wizard-0123456789abcdef.js",
                "sis-onboard-wizard-0123456789abcdef_bg.wasm",
                "sis-onboard-3d3b1657ff42e.css",
                "sis-onboard-en-00000000000000aa.txt",
                "sis-onboard-es-00000000000000bb.txt",
                "sis-onboard-fr-00000000000000cc.txt",
            ]
        );
    }

    #[test]
    fn both_copies_unpack_to_the_file_and_are_smaller() {
        let text = "the wizard's strings, one per line\n".repeat(50);
        let gz = gzip(text.as_bytes()).expect("gzip");
        let mut unpacked = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut unpacked)
            .expect("gunzip");
        assert_eq!(unpacked, text);
        let br = brotli(text.as_bytes()).expect("brotli");
        let mut unpacked = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut unpacked).expect("unbrotli");
        assert_eq!(unpacked, text.as_bytes());
        assert!(br.len() < text.len() && gz.len() < text.len());
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
