//! What the packager's passes over the wasm share: reading parts of it, running wasm-opt.

use std::process::Output;

use std::collections::BTreeMap;
use wasm_encoder::{Module, RawSection};

use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};

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

/// The number of imported functions (they come first in the function index space) and each
/// defined function's body, in index order.
pub fn functions(wasm: &[u8]) -> Result<(u32, Vec<&[u8]>), String> {
    let mut imported = 0;
    let mut bodies = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| format!("reading the wasm: {e}"))? {
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    let import = import.map_err(|e| format!("reading the wasm's imports: {e}"))?;
                    if let TypeRef::Func(_) | TypeRef::FuncExact(_) = import.ty {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(part(wasm, body.range())?),
            _ => {}
        }
    }
    Ok((imported, bodies))
}

/// Every function name in `wasm`'s name sections, by function index.
pub fn names(wasm: &[u8]) -> Result<BTreeMap<u32, String>, String> {
    let error = |e: wasmparser::BinaryReaderError| format!("reading the wasm's names: {e}");
    let mut names = BTreeMap::new();
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::CustomSection(custom) = payload.map_err(error)?
            && let KnownCustom::Name(reader) = custom.as_known()
        {
            for subsection in reader {
                if let Name::Function(map) = subsection.map_err(error)? {
                    for naming in map {
                        let naming = naming.map_err(error)?;
                        names.insert(naming.index, naming.name.to_owned());
                    }
                }
            }
        }
    }
    Ok(names)
}

/// `wasm` rebuilt section by section: `change` may write its own version of a section into
/// the module (or none, to drop it) and return true; when it returns false the section is
/// copied as it is.
pub fn rewrite(
    wasm: &[u8],
    mut change: impl FnMut(&Payload, &mut Module) -> Result<bool, String>,
) -> Result<Module, String> {
    let mut module = Module::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| format!("reading the wasm: {e}"))?;
        if change(&payload, &mut module)? {
            continue;
        }
        if let Some((id, range)) = payload.as_section() {
            module.section(&RawSection {
                id,
                data: part(wasm, range)?,
            });
        }
    }
    Ok(module)
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

/// The start of the passes' test modules: the function type `() -> ()` (type 0) and the
/// imported function `env.f` (function 0).
#[cfg(test)]
pub fn test_module() -> wasm_encoder::Module {
    use wasm_encoder::{EntityType, ImportSection, TypeSection};
    let mut module = wasm_encoder::Module::new();
    let mut types = TypeSection::new();
    types.ty().function([], []);
    module.section(&types);
    let mut imports = ImportSection::new();
    imports.import("env", "f", EntityType::Function(0));
    module.section(&imports);
    module
}

/// One page of memory, for the passes' test modules.
#[cfg(test)]
pub fn one_page_memory() -> wasm_encoder::MemorySection {
    let mut memories = wasm_encoder::MemorySection::new();
    memories.memory(wasm_encoder::MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    memories
}

/// A small module for the passes' tests: one imported function (`env.f`), three defined
/// ones with distinct bodies and names (`zero`, `one`, `two`), exports `a` and `b` (the
/// first two) and `memory`.
#[cfg(test)]
pub fn sample_module() -> Vec<u8> {
    use wasm_encoder::{
        CodeSection, ExportKind, ExportSection, Function, FunctionSection, NameMap, NameSection,
    };
    let mut module = test_module();
    let mut functions = FunctionSection::new();
    let mut code = CodeSection::new();
    for n in 0..3 {
        functions.function(0);
        let mut body = Function::new([]);
        body.instructions().i32_const(n).drop().call(0).end();
        code.function(&body);
    }
    module.section(&functions);
    module.section(&one_page_memory());
    let mut exports = ExportSection::new();
    exports.export("a", ExportKind::Func, 1);
    exports.export("b", ExportKind::Func, 2);
    exports.export("memory", ExportKind::Memory, 0);
    module.section(&exports);
    module.section(&code);
    let mut names = NameMap::new();
    for (index, name) in [(1, "zero"), (2, "one"), (3, "two")] {
        names.append(index, name);
    }
    let mut section = NameSection::new();
    section.functions(&names);
    module.section(&section);
    module.finish()
}

/// The function names of `wasm`'s name sections, by index (for the passes' tests).
#[cfg(test)]
pub fn function_names(wasm: &[u8]) -> Vec<Vec<(u32, String)>> {
    use wasmparser::{KnownCustom, Name};
    let mut sections = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let Ok(wasmparser::Payload::CustomSection(custom)) = payload
            && let KnownCustom::Name(reader) = custom.as_known()
        {
            let mut names = Vec::new();
            for subsection in reader.into_iter().flatten() {
                if let Name::Function(map) = subsection {
                    for naming in map.into_iter().flatten() {
                        names.push((naming.index, naming.name.to_owned()));
                    }
                }
            }
            sections.push(names);
        }
    }
    sections
}
