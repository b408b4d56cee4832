//! Drops the classes a dependency exports to JavaScript that no page can reach.
//!
//! Leptos always builds its server-function client, whose streamed bodies come from
//! wasm-streams, and wasm-streams exports three classes with `#[wasm_bindgen]`
//! ([`UNREACHABLE_CLASSES`]); a library's exports always reach the final wasm. The wizard
//! calls no server function and the loader reaches the glue only through `init` and
//! `mount`, so the classes, the wasm exports behind them and the code only they reach are
//! dead weight (about 2.5 KB of the bundle as served). This removes the classes from the
//! glue, then every wasm export the glue no longer names, then the function table's entries
//! that nothing reaches any more or that only wasm-streams' data names
//! ([`crate::dead_table_entries`], another 2.7 KB), then runs the release build's wasm-opt,
//! which drops the code and imports nothing reaches any more, then removes the glue's
//! functions for the imports that went.
//!
//! It reads wasm-bindgen's glue by its layout, which is fixed with wasm-bindgen's exact
//! version pin; a glue laid out otherwise fails the build rather than ship half-pruned.

use std::collections::BTreeSet;
use std::path::Path;

use wasm_encoder::{ExportKind, ExportSection};
use wasmparser::{ExternalKind, Parser, Payload};

use crate::package::{read, read_text, write};
use crate::wasm::{rewrite, wasm_opt};

/// The classes wasm-streams exports (`IntoUnderlyingSource` and kin), for JavaScript's
/// streams to call back into Rust; only a server function's streamed body uses them.
pub const UNREACHABLE_CLASSES: [&str; 3] = [
    "IntoUnderlyingByteSource",
    "IntoUnderlyingSink",
    "IntoUnderlyingSource",
];

/// The crates whose code only those classes reach (named as in the wasm's names).
pub const UNREACHABLE_CRATES: [&str; 1] = ["wasm_streams"];

/// Where the line at `start` ends (after its newline).
fn line_end(text: &str, start: usize) -> usize {
    text[start..]
        .find('\n')
        .map_or(text.len(), |at| start + at + 1)
}

/// `glue` without `class`: its declaration (`export class X {` … `}` at the margin), the
/// `Symbol.dispose` line after it and its `XFinalization` registry.
pub fn remove_class(glue: &str, class: &str) -> Result<String, String> {
    let missing = |what: &str| format!("the glue has no {what} for class {class}");
    let declaration = format!("export class {class} {{\n");
    let start = glue
        .find(&declaration)
        .ok_or_else(|| missing("declaration"))?;
    let body_end = glue[start..]
        .find("\n}\n")
        .map(|at| start + at + 3)
        .ok_or_else(|| missing("closing brace"))?;
    let dispose = format!("if (Symbol.dispose) {class}.prototype[Symbol.dispose]");
    let end = if glue[body_end..].starts_with(&dispose) {
        line_end(glue, body_end)
    } else {
        body_end
    };
    let mut pruned = format!("{}{}", &glue[..start], &glue[end..]);
    let registry = format!("const {class}Finalization = ");
    let at = pruned.find(&registry).ok_or_else(|| missing("registry"))?;
    let registry_end = pruned[at..]
        .find(");\n")
        .map(|e| at + e + 3)
        .ok_or_else(|| missing("registry's end"))?;
    pruned.replace_range(at..registry_end, "");
    if pruned.contains(class) {
        return Err(format!("class {class} is still named in the glue"));
    }
    Ok(pruned)
}

/// Every `wasm.<name>` the glue calls or reads.
pub fn named_exports(glue: &str) -> BTreeSet<&str> {
    glue.match_indices("wasm.")
        .filter(|(at, _)| {
            *at == 0 || {
                let before = glue.as_bytes()[at - 1];
                !(before.is_ascii_alphanumeric() || before == b'_' || before == b'$')
            }
        })
        .map(|(at, _)| {
            let rest = &glue[at + 5..];
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
                .unwrap_or(rest.len());
            &rest[..len]
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// `glue`'s import object without the entries for functions the wasm does not import.
/// Entries are the object's members at eight spaces (`        name: function(…`).
pub fn remove_unimported(glue: &str, imported: &BTreeSet<String>) -> Result<String, String> {
    const OPEN: &str = "    const import0 = {\n";
    const CLOSE: &str = "\n    };\n";
    let start = glue
        .find(OPEN)
        .map(|at| at + OPEN.len())
        .ok_or("the glue has no import object")?;
    let end = glue[start..]
        .find(CLOSE)
        .map(|at| start + at + 1)
        .ok_or("the glue's import object does not end")?;
    let mut kept = String::with_capacity(end - start);
    let mut keep = true;
    for line in glue[start..end].split_inclusive('\n') {
        if let Some(member) = line.strip_prefix("        ")
            && let Some((name, _)) = member.split_once(": ")
            && !name.starts_with(' ')
            && name != "__proto__"
        {
            keep = imported.contains(name);
        }
        if keep {
            kept.push_str(line);
        }
    }
    Ok(format!("{}{kept}{}", &glue[..start], &glue[end..]))
}

/// `wasm` with only the exports named in `keep`.
fn keep_exports(wasm: &[u8], keep: &BTreeSet<&str>) -> Result<Vec<u8>, String> {
    let module = rewrite(wasm, |payload, module| {
        let Payload::ExportSection(exports) = payload else {
            return Ok(false);
        };
        let mut kept = ExportSection::new();
        for export in exports.clone() {
            let export = export.map_err(|e| format!("reading the wasm's exports: {e}"))?;
            if !keep.contains(export.name) {
                continue;
            }
            let kind = match export.kind {
                ExternalKind::Func | ExternalKind::FuncExact => ExportKind::Func,
                ExternalKind::Table => ExportKind::Table,
                ExternalKind::Memory => ExportKind::Memory,
                ExternalKind::Global => ExportKind::Global,
                ExternalKind::Tag => ExportKind::Tag,
            };
            kept.export(export.name, kind, export.index);
        }
        module.section(&kept);
        Ok(true)
    })?;
    Ok(module.finish())
}

/// The names of everything `wasm` imports (the keys of the glue's import object).
fn imported_names(wasm: &[u8]) -> Result<BTreeSet<String>, String> {
    let mut names = BTreeSet::new();
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::ImportSection(imports) = payload.map_err(|e| format!("reading: {e}"))? {
            for import in imports.into_imports() {
                let import = import.map_err(|e| format!("reading the wasm's imports: {e}"))?;
                names.insert(import.name.to_owned());
            }
        }
    }
    Ok(names)
}

/// Prunes `dist/<glue>` and `dist/<wasm>` in place.
pub fn run(dist: &Path, wasm: &str, glue: &str) -> Result<(), String> {
    let mut text = read_text(dist, glue)?;
    for class in UNREACHABLE_CLASSES {
        text = remove_class(&text, class)?;
    }
    write(
        dist,
        wasm,
        &keep_exports(&read(dist, wasm)?, &named_exports(&text))?,
    )?;
    crate::dead_table_entries::run(
        dist,
        wasm,
        &UNREACHABLE_CRATES,
        &crate::dead_table_entries::discounted_record(),
    )?;
    // Trunk runs no wasm-opt (our passes need the names it would drop): this is the
    // optimisation of the release build, and it removes what nothing reaches any more.
    wasm_opt(
        &dist.join(wasm).display().to_string(),
        &["-Oz", "--converge"],
        "optimise the wasm",
    )?;
    let text = remove_unimported(&text, &imported_names(&read(dist, wasm)?)?)?;
    write(dist, glue, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLUE: &str = "/* @ts-self-types=\"./x.d.ts\" */

export class IntoUnderlyingSink {
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_intounderlyingsink_free(ptr, 0);
    }
    write(chunk) {
        return wasm.intounderlyingsink_write(this.__wbg_ptr, chunk);
    }
}
if (Symbol.dispose) IntoUnderlyingSink.prototype[Symbol.dispose] = IntoUnderlyingSink.prototype.free;

export class WizardHandle {
    free() {
        wasm.__wbg_wizardhandle_free(ptr, 0);
    }
}
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_byobRequest_2c036bceca1e6037: function(arg0) {
            const ret = arg0.byobRequest;
            return ret;
        },
        __wbg_focus_1: function() { return handleError(function (arg0) {
            arg0.focus();
        }, arguments); },
        __wbg_enqueue_0: function(arg0, arg1) { arg0.enqueue(arg1); },
        __wbindgen_init_externref_table: function() {
            const table = wasm.__wbindgen_externrefs;
        },
    };
    return { __proto__: null, \"./x_bg.js\": import0 };
}
const IntoUnderlyingSinkFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_intounderlyingsink_free(ptr, 1));
const WizardHandleFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_wizardhandle_free(ptr, 1));
";

    #[test]
    fn a_class_goes_with_its_dispose_line_and_registry() {
        let pruned = remove_class(GLUE, "IntoUnderlyingSink").expect("pruned");
        assert!(!pruned.contains("IntoUnderlyingSink"), "{pruned}");
        assert!(!pruned.contains("intounderlyingsink"), "{pruned}");
        // The rest is untouched.
        assert!(pruned.contains("export class WizardHandle {\n    free() {"));
        assert!(pruned.contains("const WizardHandleFinalization = (typeof"));
        let class = &GLUE[GLUE.find("export class IntoUnderlyingSink").expect("there")
            ..GLUE.find("export class WizardHandle").expect("there")];
        let registry =
            "const IntoUnderlyingSinkFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_intounderlyingsink_free(ptr, 1));\n";
        let class = class.strip_suffix('\n').expect("a blank line follows");
        assert_eq!(pruned, GLUE.replace(class, "").replace(registry, ""));
        assert!(remove_class(&pruned, "IntoUnderlyingSink").is_err());
        assert!(remove_class(GLUE, "IntoUnderlyingSource").is_err());
    }

    #[test]
    fn the_exports_the_glue_names_are_found() {
        let pruned = remove_class(GLUE, "IntoUnderlyingSink").expect("pruned");
        let named = named_exports(&pruned);
        assert_eq!(
            named.into_iter().collect::<Vec<_>>(),
            ["__wbg_wizardhandle_free", "__wbindgen_externrefs"]
        );
        assert!(named_exports("mywasm.x; wasm.a(); (wasm.b_c$)").len() == 2);
    }

    #[test]
    fn only_the_exports_the_glue_names_stay() {
        let wasm = crate::wasm::sample_module();
        let keep: BTreeSet<&str> = ["a", "memory"].into_iter().collect();
        let pruned = keep_exports(&wasm, &keep).expect("pruned");
        let mut exports = Vec::new();
        for payload in Parser::new(0).parse_all(&pruned) {
            if let Ok(Payload::ExportSection(section)) = payload {
                for export in section.into_iter().flatten() {
                    exports.push((export.name.to_owned(), export.index));
                }
            }
        }
        assert_eq!(exports, [("a".to_owned(), 1), ("memory".to_owned(), 0)]);
        assert_eq!(
            imported_names(&pruned).expect("read"),
            BTreeSet::from(["f".to_owned()])
        );
        // The rest of the module is as it was (its names included).
        assert_eq!(
            crate::wasm::function_names(&pruned),
            crate::wasm::function_names(&wasm)
        );
    }

    #[test]
    fn functions_for_imports_that_went_are_dropped() {
        let imported: BTreeSet<String> = ["__wbg_focus_1", "__wbindgen_init_externref_table"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        let pruned = remove_unimported(GLUE, &imported).expect("pruned");
        assert!(!pruned.contains("byobRequest"), "{pruned}");
        assert!(!pruned.contains("enqueue"), "{pruned}");
        assert!(pruned.contains(
            "        __proto__: null,\n        __wbg_focus_1: function() { return handleError(function (arg0) {\n            arg0.focus();\n        }, arguments); },\n        __wbindgen_init_externref_table: function() {\n            const table = wasm.__wbindgen_externrefs;\n        },\n    };\n"
        ), "{pruned}");
        assert!(remove_unimported("no object", &imported).is_err());
    }
}
