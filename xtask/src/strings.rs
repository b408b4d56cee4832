//! Each language's strings file: the wizard's string table (`src/i18n/<lang>.json`, a
//! list of `[key, text]` in the order of the wizard's `Key`) as its texts, one per line.
//! The loader fetches only the language it shows, so the wasm carries no strings and a page
//! downloads one language instead of all of them.

use crate::cmd::root;

/// The languages the wizard speaks, as the loader names them.
pub const LANGUAGES: [&str; 3] = ["en", "es", "fr"];

/// The end of every strings file's name.
pub const SUFFIX: &str = ".txt";

/// The start of `lang`'s strings file's name, before its content hash.
pub fn prefix(lang: &str) -> String {
    format!("sis-onboard-{lang}-")
}

/// The strings file of `lang` as the loader's source names it.
pub fn source_name(lang: &str) -> String {
    format!("./sis-onboard-{lang}{SUFFIX}")
}

/// The keys and texts of a string table.
fn table(json: &str, name: &str) -> Result<Vec<(String, String)>, String> {
    let rows: Vec<(String, String)> = serde_json::from_str(json)
        .map_err(|e| format!("{name}: not a list of [key, text] pairs: {e}"))?;
    if let Some((key, _)) = rows.iter().find(|(_, text)| text.contains(['\n', '\r'])) {
        return Err(format!(
            "{name}: {key} has a line break (the shipped file holds one string per line)"
        ));
    }
    Ok(rows)
}

/// Each language's file contents, in [`LANGUAGES`] order, from its table's JSON; every
/// table must list the first one's keys in the same order.
pub fn files(tables: &[(&str, String)]) -> Result<Vec<String>, String> {
    let mut keys: Option<Vec<String>> = None;
    let mut files = Vec::new();
    for (name, json) in tables {
        let (these, texts): (Vec<String>, Vec<String>) = table(json, name)?.into_iter().unzip();
        match &keys {
            Some(first) if *first != these => {
                return Err(format!(
                    "{name} does not list the same keys in the same order as {}",
                    tables[0].0
                ));
            }
            Some(_) => {}
            None => keys = Some(these),
        }
        files.push(texts.join("\n"));
    }
    Ok(files)
}

/// Each language's strings file contents, `(language, text)` in [`LANGUAGES`] order, read
/// from `src/i18n/`; the packager names and writes them.
pub fn run() -> Result<Vec<(&'static str, String)>, String> {
    let dir = root().join("src/i18n");
    let mut tables = Vec::new();
    for lang in LANGUAGES {
        let path = dir.join(format!("{lang}.json"));
        let json =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        tables.push((lang, json));
    }
    Ok(LANGUAGES.into_iter().zip(files(&tables)?).collect())
}

#[cfg(test)]
mod tests {
    use super::files;

    fn tables(en: &str, es: &str) -> Vec<(&'static str, String)> {
        vec![("en.json", en.to_owned()), ("es.json", es.to_owned())]
    }

    #[test]
    fn every_language_the_loader_names_has_a_table_in_step_with_english() {
        assert_eq!(super::LANGUAGES, ["en", "es", "fr"]);
        let written = super::run().expect("the real tables");
        let langs: Vec<&str> = written.iter().map(|(lang, _)| *lang).collect();
        assert_eq!(langs, super::LANGUAGES);
        let lines = written[0].1.split('\n').count();
        for (lang, text) in &written {
            assert_eq!(text.split('\n').count(), lines, "{lang}");
        }
    }

    #[test]
    fn a_third_table_out_of_step_fails_the_build() {
        let mut three = tables(r#"[["Back", "Back"]]"#, r#"[["Back", "Atrás"]]"#);
        three.push(("fr.json", r#"[["Exit", "Quitter"]]"#.to_owned()));
        assert!(
            files(&three)
                .expect_err("refused")
                .contains("fr.json does not list the same keys")
        );
        three[2].1 = r#"[["Back", "Retour"]]"#.to_owned();
        assert_eq!(files(&three).expect("files"), ["Back", "Atrás", "Retour"]);
    }

    #[test]
    fn each_file_is_the_texts_one_per_line() {
        let written = files(&tables(
            r#"[["Back", "Back"], ["StepOf", "Step {n} of {total}"]]"#,
            r#"[["Back", "Atrás"], ["StepOf", "Paso {n} de {total}"]]"#,
        ))
        .expect("files");
        assert_eq!(
            written,
            ["Back\nStep {n} of {total}", "Atrás\nPaso {n} de {total}"]
        );
    }

    #[test]
    fn a_table_out_of_step_or_with_a_line_break_fails_the_build() {
        let missing = files(&tables(
            r#"[["Back", "Back"], ["Exit", "Exit"]]"#,
            r#"[["Back", "Atrás"]]"#,
        ));
        assert!(
            missing
                .expect_err("refused")
                .contains("es.json does not list the same keys")
        );
        let swapped = files(&tables(
            r#"[["Back", "Back"], ["Exit", "Exit"]]"#,
            r#"[["Exit", "Salir"], ["Back", "Atrás"]]"#,
        ));
        assert!(swapped.is_err());
        let broken = files(&tables(
            r#"[["Back", "Back\nnow"]]"#,
            r#"[["Back", "Atrás"]]"#,
        ));
        assert!(
            broken
                .expect_err("refused")
                .contains("Back has a line break")
        );
        assert!(files(&tables(r#"{"Back": "Back"}"#, "[]")).is_err());
    }
}
