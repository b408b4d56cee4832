//! Shortens the names the wasm and its JavaScript glue call each other by.
//!
//! wasm-bindgen names every import after the Web API it wraps plus a 64-bit hash
//! (`__wbg_querySelector_1555c239948f2bf0`), and every closure shim after its full Rust type
//! (exports of 70 to 330 characters). Each name is written twice, once in the wasm and once
//! in the glue, and the hashes do not compress. binaryen's
//! `--minify-imports-and-exports-and-modules` renames them all in the wasm (`a`, `b`, … `Aa`)
//! and prints the mapping; [`rewrite_glue`] applies the same mapping to the glue. Saves about
//! 3.4 KB of the bundle as served.

use std::path::Path;

use crate::package::{read_text, write};
use crate::wasm::wasm_opt;

/// The module name binaryen gives every import when it minifies modules.
const MINIFIED_MODULE: &str = "a";

/// One renamed import or export: the old name and the new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renamed {
    /// wasm-bindgen's name.
    pub old: String,
    /// binaryen's.
    pub new: String,
}

/// What binaryen renamed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Mapping {
    /// The module every import came from (wasm-bindgen's `./<name>_bg.js`).
    pub module: String,
    /// The imports, which the glue provides as keys of one object.
    pub imports: Vec<Renamed>,
    /// The exports, which the glue calls as `wasm.<name>`.
    pub exports: Vec<Renamed>,
}

/// Reads binaryen's mapping: `{"imports": [[module, old, new], …], "exports": [[old, new], …]}`.
pub fn parse_mapping(json: &str) -> Result<Mapping, String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("wasm-opt's name mapping: {e}"))?;
    let rows = |key: &str| -> Result<Vec<Vec<String>>, String> {
        value[key]
            .as_array()
            .ok_or(format!("wasm-opt's name mapping has no \"{key}\" list"))?
            .iter()
            .map(|row| {
                row.as_array()
                    .and_then(|cells| {
                        cells
                            .iter()
                            .map(|c| c.as_str().map(str::to_owned))
                            .collect::<Option<Vec<_>>>()
                    })
                    .ok_or(format!("wasm-opt's name mapping: bad row {row}"))
            })
            .collect()
    };
    let mut mapping = Mapping::default();
    for row in rows("imports")? {
        let [module, old, new] = <[String; 3]>::try_from(row)
            .map_err(|row| format!("wasm-opt's name mapping: bad import {row:?}"))?;
        if !mapping.module.is_empty() && mapping.module != module {
            return Err(format!(
                "imports from two modules ({} and {module}); the glue provides one",
                mapping.module
            ));
        }
        mapping.module = module;
        mapping.imports.push(Renamed { old, new });
    }
    for row in rows("exports")? {
        let [old, new] = <[String; 2]>::try_from(row)
            .map_err(|row| format!("wasm-opt's name mapping: bad export {row:?}"))?;
        mapping.exports.push(Renamed { old, new });
    }
    Ok(mapping)
}

fn is_identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// `text` with every whole-identifier occurrence of `prefix` + `old` replaced by `prefix` +
/// `new`, and how many there were.
fn replace_identifier(text: &str, prefix: &str, old: &str, new: &str) -> (String, usize) {
    let needle = format!("{prefix}{old}");
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut count = 0;
    let mut rest = 0;
    let mut from = 0;
    while let Some(found) = text[from..].find(&needle) {
        let start = from + found;
        let end = start + needle.len();
        let before_ok = start == 0 || !is_identifier_byte(bytes[start - 1]);
        let after_ok = end == bytes.len() || !is_identifier_byte(bytes[end]);
        if before_ok && after_ok {
            out.push_str(&text[rest..start]);
            out.push_str(prefix);
            out.push_str(new);
            rest = end;
            count += 1;
        }
        from = end;
    }
    out.push_str(&text[rest..]);
    (out, count)
}

/// The glue with binaryen's names: the import module, each import's key, and each
/// `wasm.<export>` call. Fails, rather than ship a glue that cannot start the wasm, when an
/// import is not found exactly once.
pub fn rewrite_glue(glue: &str, mapping: &Mapping) -> Result<String, String> {
    let module = format!("\"{}\"", mapping.module);
    if glue.matches(&module).count() != 1 {
        return Err(format!(
            "the glue must name the import module {module} exactly once"
        ));
    }
    let mut glue = glue.replace(&module, &format!("\"{MINIFIED_MODULE}\""));
    for Renamed { old, new } in &mapping.imports {
        let (rewritten, count) = replace_identifier(&glue, "", old, new);
        if count != 1 {
            return Err(format!(
                "the glue names import {old} {count} times, not once"
            ));
        }
        glue = rewritten;
    }
    for Renamed { old, new } in &mapping.exports {
        glue = replace_identifier(&glue, "wasm.", old, new).0;
    }
    Ok(glue)
}

/// Shortens the names in `dist/<wasm>` and `dist/<glue>` in place.
pub fn run(dist: &Path, wasm: &str, glue: &str) -> Result<(), String> {
    let wasm_path = dist.join(wasm).display().to_string();
    let out = wasm_opt(
        &wasm_path,
        &["--minify-imports-and-exports-and-modules"],
        "shorten the names",
    )?;
    let mapping = parse_mapping(&String::from_utf8_lossy(&out.stdout))?;
    let rewritten = rewrite_glue(&read_text(dist, glue)?, &mapping)?;
    write(dist, glue, rewritten.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLUE: &str = r#"export function mount(host) { return wasm.mount(host); }
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_querySelector_1555c239948f2bf0: function(arg0) { return arg0.querySelector(); },
        __wbg_querySelector_1555c239948f2bf0x: function() {},
        __wbindgen_init_externref_table: function() { const t = wasm.__wbindgen_externrefs; },
    };
    return { __proto__: null, "./sis-onboard-wizard_bg.js": import0 };
}
function finish(instance) { wasm = instance.exports; wasm.memory.buffer; wasm.memoryx; wasm.__wbindgen_start(); }
"#;

    fn mapping() -> Mapping {
        let renamed = |old: &str, new: &str| Renamed {
            old: old.into(),
            new: new.into(),
        };
        Mapping {
            module: "./sis-onboard-wizard_bg.js".into(),
            imports: vec![
                renamed("__wbg_querySelector_1555c239948f2bf0", "A"),
                renamed("__wbindgen_init_externref_table", "$"),
            ],
            exports: vec![
                renamed("mount", "Ba"),
                renamed("memory", "Ca"),
                renamed("__wbindgen_externrefs", "Da"),
                renamed("__wbindgen_start", "Ea"),
                renamed("__abort_handler", "Fa"),
            ],
        }
    }

    #[test]
    fn binaryens_mapping_is_read() {
        let json = r#"{
 "imports": [
  ["./sis-onboard-wizard_bg.js", "__wbg_querySelector_1555c239948f2bf0", "A"],
  ["./sis-onboard-wizard_bg.js", "__wbindgen_init_externref_table", "$"]
 ],
"exports": [
  ["mount", "Ba"], ["memory", "Ca"], ["__wbindgen_externrefs", "Da"],
  ["__wbindgen_start", "Ea"], ["__abort_handler", "Fa"]
 ]
}"#;
        assert_eq!(parse_mapping(json), Ok(mapping()));
        assert!(parse_mapping(r#"{"imports": [["m", "a"]], "exports": []}"#).is_err());
        let two_modules = r#"{"imports": [["m", "a", "b"], ["n", "c", "d"]], "exports": []}"#;
        assert!(parse_mapping(two_modules).is_err());
    }

    #[test]
    fn the_glue_calls_the_short_names_and_keeps_its_own() {
        let glue = rewrite_glue(GLUE, &mapping()).expect("rewritten");
        assert!(glue.contains(r#"return { __proto__: null, "a": import0 };"#));
        assert!(glue.contains("A: function(arg0) { return arg0.querySelector(); }"));
        assert!(glue.contains("$: function() { const t = wasm.Da; }"));
        assert!(glue.contains("wasm.Ca.buffer; wasm.memoryx; wasm.Ea();"));
        // The page's API keeps its name; only the call into the wasm changes.
        assert!(glue.contains("export function mount(host) { return wasm.Ba(host); }"));
        // A longer name that merely starts with an old one is left alone.
        assert!(glue.contains("__wbg_querySelector_1555c239948f2bf0x: function() {}"));
        assert!(!glue.contains("1555c239948f2bf0:"));
    }

    #[test]
    fn a_glue_that_does_not_match_the_wasm_fails_the_build() {
        let mut missing = mapping();
        missing.imports.push(Renamed {
            old: "__wbg_gone_0000000000000000".into(),
            new: "B".into(),
        });
        assert!(rewrite_glue(GLUE, &missing).is_err());
        let mut other_module = mapping();
        other_module.module = "./other_bg.js".into();
        assert!(rewrite_glue(GLUE, &other_module).is_err());
    }
}
