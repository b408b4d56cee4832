//! Empties the function table's entries that nothing can reach any more.
//!
//! Rust takes a function's address (a closure's call shim, a vtable's method) as its index
//! in the wasm's function table, and every such function is listed in the table for good.
//! Binaryen keeps whatever the table lists, since the table is exported to the glue. So
//! when [`crate::unused_exports`] drops wasm-streams' classes, the closures and vtables
//! only they used stay, and with them what those reach: the formatting machinery of
//! `core::fmt` and `std::io::Error`'s messages, among others.
//!
//! A table index reaches code only as a constant: an `i32.const` in a function's body or a
//! word in a data segment (a vtable, a static closure). The glue never makes one up; it
//! calls only indices the wasm hands it. So an entry is kept when its index appears in any
//! data segment, at any byte offset, or as an `i32.const` in a function that is itself kept
//! (an export, the start function, a global's initializer, or reached from one of those
//! by a call, a `ref.func` or a kept entry). Any other entry becomes `ref.null`, which
//! traps if called, and wasm-opt then drops the code that only it reached. Constants that
//! merely equal an index (a length, an offset) keep that entry too: so far the analysis only
//! errs on the side of keeping.
//!
//! That alone frees little, because data segments hold every vtable, live or not, and have
//! no object boundaries to tell them apart. So one rule errs the other way, on knowledge the
//! analysis cannot see: for functions named for a crate whose code cannot run (wasm-streams,
//! see [`crate::unused_exports`]), data does not count. Three checks stand behind it: the
//! build fails when kept code calls or names such a function; it fails when the wasm names
//! none (names lost, or the crate gone); and the test run builds the wizard again without
//! LLVM's merging of identical functions and fails when one of the discounted functions has
//! the same code as one of another crate ([`check_unshared`]), which the shipped build may
//! have merged under the discounted name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use wasm_encoder::RefType;
use wasm_encoder::{ConstExpr, ElementMode, ElementSection, ElementSegment, Elements, HeapType};
use wasmparser::{
    DataKind, ElementItems, ElementKind, ExternalKind, Operator, Parser, Payload, TypeRef,
};

use crate::package::{read, write};
use crate::wasm::{functions, names, rewrite};

/// What the analysis reads of a module.
#[derive(Default)]
struct Module {
    /// Imported functions come first in the function index space.
    imported: u32,
    /// Functions kept whatever happens: exports, the start function.
    roots: BTreeSet<u32>,
    /// Every constant in a data segment or a global's initializer, as a possible index.
    static_words: BTreeSet<u32>,
    /// Per defined function: the functions it calls or names, and its `i32.const`s.
    bodies: Vec<(BTreeSet<u32>, BTreeSet<u32>)>,
    /// The function table: index → function.
    table: BTreeMap<u32, u32>,
    /// Functions whose name says they serve a crate that cannot run (see [`run`]), with
    /// their names.
    unreachable: BTreeMap<u32, String>,
}

/// True when the demangled `name` names something of crate `krate` (`krate[<hash>]::…`),
/// anywhere in it (a generic instantiated for its types), but not a crate whose name only
/// ends the same way.
fn names_crate(name: &str, krate: &str) -> bool {
    let pattern = format!("{krate}[");
    name.match_indices(&pattern).any(|(at, _)| {
        name[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
    })
}

/// True when `name` names something of one of `crates` ([`names_crate`]).
fn of_any(name: &str, crates: &[&str]) -> bool {
    crates.iter().any(|krate| names_crate(name, krate))
}

/// The value of an `i32.const N` offset expression.
fn const_offset(expr: &wasmparser::ConstExpr) -> Result<u32, String> {
    let mut ops = expr.get_operators_reader();
    match (ops.read(), ops.read()) {
        (Ok(Operator::I32Const { value }), Ok(Operator::End)) => Ok(value as u32),
        _ => Err("an active segment's offset is not an i32.const".into()),
    }
}

fn read_module(wasm: &[u8], unreachable_crates: &[&str]) -> Result<Module, String> {
    let error = |e: wasmparser::BinaryReaderError| format!("reading the wasm: {e}");
    let mut module = Module {
        unreachable: names(wasm)?
            .into_iter()
            .filter(|(_, name)| of_any(name, unreachable_crates))
            .collect(),
        ..Module::default()
    };
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(error)? {
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    if let TypeRef::Func(_) | TypeRef::FuncExact(_) = import.map_err(error)?.ty {
                        module.imported += 1;
                    }
                }
            }
            Payload::ExportSection(exports) => {
                for export in exports {
                    let export = export.map_err(error)?;
                    if let ExternalKind::Func | ExternalKind::FuncExact = export.kind {
                        module.roots.insert(export.index);
                    }
                }
            }
            Payload::StartSection { func, .. } => {
                module.roots.insert(func);
            }
            Payload::GlobalSection(globals) => {
                for global in globals {
                    let mut ops = global.map_err(error)?.init_expr.get_operators_reader();
                    while !ops.eof() {
                        match ops.read().map_err(error)? {
                            Operator::I32Const { value } => {
                                module.static_words.insert(value as u32);
                            }
                            Operator::RefFunc { function_index } => {
                                module.roots.insert(function_index);
                            }
                            _ => {}
                        }
                    }
                }
            }
            Payload::ElementSection(elements) => {
                for element in elements {
                    let element = element.map_err(error)?;
                    let ElementKind::Active {
                        table_index: None | Some(0),
                        offset_expr,
                    } = element.kind
                    else {
                        return Err("the wasm has an element segment other than the \
                                    function table's"
                            .into());
                    };
                    let ElementItems::Functions(functions) = element.items else {
                        return Err("the function table's segment is not a list of \
                                    functions"
                            .into());
                    };
                    let offset = const_offset(&offset_expr)?;
                    for (at, function) in (offset..).zip(functions) {
                        module.table.insert(at, function.map_err(error)?);
                    }
                }
            }
            Payload::DataSection(segments) => {
                for segment in segments {
                    let segment = segment.map_err(error)?;
                    if let DataKind::Active { offset_expr, .. } = &segment.kind {
                        const_offset(offset_expr)?;
                    }
                    // Every byte offset, aligned or not: a word is a possible index.
                    for word in segment.data.windows(4) {
                        let word = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
                        module.static_words.insert(word);
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let (mut named, mut constants) = (BTreeSet::new(), BTreeSet::new());
                let mut ops = body.get_operators_reader().map_err(error)?;
                while !ops.eof() {
                    match ops.read().map_err(error)? {
                        Operator::Call { function_index }
                        | Operator::ReturnCall { function_index }
                        | Operator::RefFunc { function_index } => {
                            named.insert(function_index);
                        }
                        Operator::I32Const { value } => {
                            constants.insert(value as u32);
                        }
                        _ => {}
                    }
                }
                module.bodies.push((named, constants));
            }
            _ => {}
        }
    }
    Ok(module)
}

/// What is kept: the table indices some kept code or data can name, and the functions
/// reached (the roots, what they call or name, and what kept entries hold).
struct Kept {
    entries: BTreeSet<u32>,
    functions: BTreeSet<u32>,
}

fn kept(module: &Module) -> Kept {
    let mut entries: BTreeSet<u32> = module
        .static_words
        .iter()
        .filter(|w| {
            module
                .table
                .get(w)
                .is_some_and(|f| !module.unreachable.contains_key(f))
        })
        .copied()
        .collect();
    let mut seen: BTreeSet<u32> = BTreeSet::new();
    let mut todo: Vec<u32> = module.roots.iter().copied().collect();
    todo.extend(entries.iter().map(|at| module.table[at]));
    while let Some(function) = todo.pop() {
        if !seen.insert(function) {
            continue;
        }
        let Some(defined) = function.checked_sub(module.imported) else {
            continue;
        };
        let Some((named, constants)) = module.bodies.get(defined as usize) else {
            continue;
        };
        todo.extend(named.iter().copied());
        for at in constants {
            if let Some(&target) = module.table.get(at)
                && entries.insert(*at)
            {
                todo.push(target);
            }
        }
    }
    Kept {
        entries,
        functions: seen,
    }
}

/// `wasm` with every table entry outside `kept` made `ref.null`.
fn empty_entries(
    wasm: &[u8],
    table: &BTreeMap<u32, u32>,
    kept: &BTreeSet<u32>,
) -> Result<Vec<u8>, String> {
    let (Some(&first), Some(&last)) = (table.keys().next(), table.keys().next_back()) else {
        return Ok(wasm.to_vec());
    };
    let items: Vec<ConstExpr> = (first..=last)
        .map(|at| match table.get(&at) {
            Some(&function) if kept.contains(&at) => ConstExpr::ref_func(function),
            _ => ConstExpr::ref_null(HeapType::FUNC),
        })
        .collect();
    let offset = ConstExpr::i32_const(first as i32);
    let module = rewrite(wasm, |payload, module| {
        if !matches!(payload, Payload::ElementSection(_)) {
            return Ok(false);
        }
        let mut section = ElementSection::new();
        section.segment(ElementSegment {
            mode: ElementMode::Active {
                table: Some(0),
                offset: &offset,
            },
            elements: Elements::Expressions(RefType::FUNCREF, items.as_slice().into()),
        });
        module.section(&section);
        Ok(true)
    })?;
    Ok(module.finish())
}

/// Where the build records the functions whose table entries [`run`] emptied although data
/// named them, for the test run's [`check_unshared`].
pub fn discounted_record() -> std::path::PathBuf {
    crate::cmd::root().join("target/wizard-release/discounted-functions.txt")
}

/// Empties `dist/<wasm>`'s unreachable table entries; the next wasm-opt run drops the code
/// only they reached.
///
/// Functions named for one of `unreachable_crates` (their own, or a generic instantiated for
/// their types) are not kept by a data word: the caller knows that crate's code cannot run,
/// so its vtables and static closures, which sit in the data with everyone else's, name
/// nothing that can be called. The claim is checked as far as the code shows: when kept
/// code calls such a function or names its entry, this fails. It needs the wasm's names as
/// rustc wrote them, before any wasm-opt pass. One gap is left to the test run: LLVM merges
/// identical functions and keeps one name, so a function of the crate may also be the code
/// of one of ours; [`check_unshared`] rules that out on a build without merging. The names
/// of the functions whose entries only this rule emptied are written to `record`, one per
/// line (the build writes [`discounted_record`]).
pub fn run(
    dist: &Path,
    wasm: &str,
    unreachable_crates: &[&str],
    record: &Path,
) -> Result<(), String> {
    let bytes = read(dist, wasm)?;
    let module = read_module(&bytes, unreachable_crates)?;
    if !unreachable_crates.is_empty() && module.unreachable.is_empty() {
        return Err(format!(
            "dist/{wasm} names no function of {unreachable_crates:?}: it lost its names, or \
             those crates are gone (then drop them from the list)"
        ));
    }
    let kept = kept(&module);
    if let Some(function) = kept
        .functions
        .iter()
        .find_map(|f| module.unreachable.get(f))
    {
        return Err(format!(
            "dist/{wasm}: kept code calls or names `{function}`, so {unreachable_crates:?} \
             can run after all: their table entries cannot be emptied"
        ));
    }
    let discounted: BTreeSet<&str> = module
        .static_words
        .iter()
        .filter_map(|at| module.table.get(at))
        .filter_map(|f| module.unreachable.get(f))
        .map(String::as_str)
        .collect();
    if let Some(dir) = record.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let lines: Vec<&str> = discounted.into_iter().collect();
    std::fs::write(record, lines.join("\n")).map_err(|e| format!("{}: {e}", record.display()))?;
    write(
        dist,
        wasm,
        &empty_entries(&bytes, &module.table, &kept.entries)?,
    )?;
    eprintln!(
        "emptied {} of {} function table entries; {} only because wasm-streams' data named them",
        module.table.len() - kept.entries.len(),
        module.table.len(),
        lines.len()
    );
    Ok(())
}

/// Checks, on a build of the wizard without LLVM's merging of identical functions, that no
/// function named in `discounted` has the same code as a function that is not of
/// `unreachable_crates`: had it, the shipped build might have merged ours into it, and
/// emptied an entry that our data names. A name missing from `unmerged` fails too (the two
/// builds differ).
pub fn check_unshared(
    unmerged: &[u8],
    discounted: &[&str],
    unreachable_crates: &[&str],
) -> Result<(), String> {
    let (imported, codes) = functions(unmerged)?;
    let mut bodies: BTreeMap<String, &[u8]> = BTreeMap::new();
    let mut twins: BTreeMap<&[u8], Vec<String>> = BTreeMap::new();
    for (index, name) in names(unmerged)? {
        let Some(code) = index
            .checked_sub(imported)
            .and_then(|at| codes.get(at as usize))
        else {
            continue;
        };
        let name = rustc_demangle::demangle(&name).to_string();
        bodies.insert(name.clone(), code);
        twins.entry(code).or_default().push(name);
    }
    for name in discounted {
        let code = bodies.get(*name).ok_or(format!(
            "the build without merging has no function `{name}`: the two builds differ"
        ))?;
        if let Some(other) = twins[code]
            .iter()
            .find(|other| !of_any(other, unreachable_crates))
        {
            return Err(format!(
                "`{name}`, whose table entry the shipped build empties, has the same code as \
                 `{other}`: LLVM may have merged them, so that entry may be ours"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasm::{one_page_memory, test_module};
    use wasm_encoder::{
        CodeSection, DataSection, ExportKind, ExportSection, Function, FunctionSection, NameMap,
        NameSection, TableSection, TableType,
    };

    /// A module whose table holds functions 1 to 7 at indices 1 to 7: function 1 is
    /// exported and names the entries `named_by_root` as constants, the data holds the
    /// words 3 and 6, function 5 (named by nothing) names entry 4, and functions 6 and 7
    /// are named for `wasm_streams`.
    fn module_naming(named_by_root: &[i32]) -> Vec<u8> {
        let mut module = test_module();
        let mut functions = FunctionSection::new();
        let mut code = CodeSection::new();
        for index in 1..=7 {
            functions.function(0);
            let mut body = Function::new([]);
            let named: &[i32] = match index {
                1 => named_by_root,
                5 => &[4],
                _ => &[],
            };
            for constant in named {
                body.instructions().i32_const(*constant).drop();
            }
            body.instructions().call(0).end();
            code.function(&body);
        }
        module.section(&functions);
        let mut tables = TableSection::new();
        tables.table(TableType {
            element_type: RefType::FUNCREF,
            minimum: 8,
            maximum: None,
            table64: false,
            shared: false,
        });
        module.section(&tables);
        module.section(&one_page_memory());
        let mut exports = ExportSection::new();
        exports.export("run", ExportKind::Func, 1);
        module.section(&exports);
        let mut elements = ElementSection::new();
        let offset = ConstExpr::i32_const(1);
        elements.active(
            None,
            &offset,
            Elements::Functions((1..=7).collect::<Vec<u32>>().into()),
        );
        module.section(&elements);
        module.section(&code);
        let mut data = DataSection::new();
        data.active(0, &ConstExpr::i32_const(16), [3, 0, 0, 0, 6, 0, 0, 0]);
        module.section(&data);
        let mut names = NameMap::new();
        for index in 1..=5 {
            names.append(index, &format!("wizard[0]::f{index}"));
        }
        names.append(6, "<wasm_streams[0]::Sink>::write::{closure#0}");
        names.append(7, "js_sys[0]::future_to_promise::<wasm_streams[0]::Pull>");
        let mut section = NameSection::new();
        section.functions(&names);
        module.section(&section);
        module.finish()
    }

    /// The module of [`module_naming`] whose root names entries 2 and 7.
    fn module() -> Vec<u8> {
        module_naming(&[2, 7])
    }

    #[test]
    fn an_entry_is_kept_when_kept_code_or_any_data_names_it() {
        let module = read_module(&module(), &[]).expect("module");
        assert_eq!(module.table.len(), 7);
        // 1: exported, but no one takes its address. 4: named only by 5, which nothing
        // keeps. 5: named by nothing.
        assert_eq!(kept(&module).entries, BTreeSet::from([2, 3, 6, 7]));
    }

    #[test]
    fn data_does_not_keep_an_unreachable_crates_entry_but_kept_code_does() {
        let module = read_module(&module(), &["wasm_streams"]).expect("module");
        let unreachable: BTreeSet<u32> = module.unreachable.keys().copied().collect();
        assert_eq!(unreachable, BTreeSet::from([6, 7]));
        let kept = kept(&module);
        assert_eq!(kept.entries, BTreeSet::from([2, 3, 7]));
        // Kept code names function 7's entry: its crate can run, and `run` refuses.
        assert!(kept.functions.contains(&7));
    }

    /// The function table's entries of `wasm` after [`empty_entries`], from index 1.
    fn entries(wasm: &[u8]) -> Vec<Option<u32>> {
        let mut entries = Vec::new();
        for payload in Parser::new(0).parse_all(wasm) {
            if let Ok(Payload::ElementSection(elements)) = payload {
                for element in elements {
                    let element = element.expect("element");
                    let ElementKind::Active { offset_expr, .. } = &element.kind else {
                        panic!("not active");
                    };
                    assert_eq!(const_offset(offset_expr), Ok(1));
                    let ElementItems::Expressions(_, items) = element.items else {
                        panic!("not expressions");
                    };
                    for item in items {
                        let mut ops = item.expect("item").get_operators_reader();
                        entries.push(match ops.read().expect("operator") {
                            Operator::RefFunc { function_index } => Some(function_index),
                            Operator::RefNull { .. } => None,
                            other => panic!("unexpected {other:?}"),
                        });
                    }
                }
            }
        }
        entries
    }

    #[test]
    fn emptied_entries_become_null_and_the_rest_stay_in_place() {
        let wasm = module();
        let module = read_module(&wasm, &["wasm_streams"]).expect("module");
        let emptied =
            empty_entries(&wasm, &module.table, &kept(&module).entries).expect("rewritten");
        wasmparser::Validator::new()
            .validate_all(&emptied)
            .expect("a valid module");
        assert_eq!(
            entries(&emptied),
            [None, Some(2), Some(3), None, None, None, Some(7)]
        );
    }

    #[test]
    fn run_empties_in_place_and_refuses_when_the_crate_can_run() {
        let dist = std::env::temp_dir().join(format!("xtask-dead-table-{}", std::process::id()));
        std::fs::create_dir_all(&dist).expect("dir");
        write(&dist, "m.wasm", &module_naming(&[2])).expect("write");
        // Kept: 2 (named by the root) and 3 (data); 6 is in the data but wasm-streams'.
        let record = dist.join("discounted.txt");
        assert_eq!(run(&dist, "m.wasm", &["wasm_streams"], &record), Ok(()));
        let discounted = std::fs::read_to_string(&record).expect("record");
        assert_eq!(discounted, "<wasm_streams[0]::Sink>::write::{closure#0}");
        let written = read(&dist, "m.wasm").expect("read");
        assert_eq!(
            entries(&written),
            [None, Some(2), Some(3), None, None, None, None]
        );
        write(&dist, "m.wasm", &module()).expect("write");
        let reached = run(&dist, "m.wasm", &["wasm_streams"], &record).expect_err("refused");
        assert!(reached.contains("can run after all"), "{reached}");
        let unnamed = run(&dist, "m.wasm", &["wasm_sockets"], &record).expect_err("refused");
        assert!(unnamed.contains("names no function"), "{unnamed}");
        std::fs::remove_dir_all(&dist).expect("cleanup");
    }

    #[test]
    fn a_crate_is_named_by_its_whole_name() {
        assert!(names_crate(
            "wasm_streams[1a2b]::Sink::write",
            "wasm_streams"
        ));
        assert!(names_crate(
            "js_sys[9]::future_to_promise::<wasm_streams[1a2b]::Pull>",
            "wasm_streams"
        ));
        assert!(!names_crate("my_wasm_streams[1a2b]::f", "wasm_streams"));
        assert!(!names_crate("wasm_streams_ext[1a2b]::f", "wasm_streams"));
    }

    #[test]
    fn a_table_filled_other_than_by_one_active_list_is_refused() {
        let mut module = test_module();
        let mut elements = ElementSection::new();
        elements.passive(Elements::Functions(vec![0].into()));
        module.section(&elements);
        let refused = read_module(&module.finish(), &[]).err().expect("refused");
        assert!(
            refused.contains("other than the function table's"),
            "{refused}"
        );
    }

    #[test]
    fn discounted_code_may_be_shared_only_within_its_crate() {
        let mut module = test_module();
        let mut functions = FunctionSection::new();
        let mut code = CodeSection::new();
        for constant in [1, 1, 2, 2] {
            functions.function(0);
            let mut body = Function::new([]);
            body.instructions().i32_const(constant).drop().call(0).end();
            code.function(&body);
        }
        module.section(&functions);
        module.section(&code);
        let mut names = NameMap::new();
        names.append(1, "wasm_streams[0]::a");
        names.append(2, "wizard[0]::b");
        names.append(3, "wasm_streams[0]::c");
        names.append(4, "<wasm_streams[0]::S as core[1]::ops::Drop>::drop");
        let mut section = NameSection::new();
        section.functions(&names);
        module.section(&section);
        let wasm = module.finish();
        let crates = ["wasm_streams"];
        let shared = check_unshared(&wasm, &["wasm_streams[0]::a"], &crates);
        assert!(shared.expect_err("refused").contains("`wizard[0]::b`"));
        assert_eq!(
            check_unshared(&wasm, &["wasm_streams[0]::c"], &crates),
            Ok(())
        );
        let missing = check_unshared(&wasm, &["wasm_streams[0]::z"], &crates);
        assert!(
            missing
                .expect_err("refused")
                .contains("the two builds differ")
        );
    }
}
