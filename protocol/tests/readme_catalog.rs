//! The README's source table is the catalog, row for row: a source added, renamed, made
//! connectable or given another strategy fails this test until the README says so.
#![allow(clippy::unwrap_used, missing_docs)]

use sis_onboard_protocol::{SOURCE_CATALOG, Strategy};

const README: &str = include_str!("../../README.md");
const EMBEDDING: &str = include_str!("../../docs/embedding.md");

/// The header the source table starts with.
const HEADER: &str = "| id | name | connectable | strategies | what a district needs |";

/// The cells of each row of the source table, trimmed.
fn source_rows() -> Vec<Vec<String>> {
    let mut lines = README.lines().skip_while(|line| line.trim() != HEADER);
    assert!(
        lines.next().is_some(),
        "README.md has no source table ({HEADER})"
    );
    lines
        .skip(1) // |---|---|…
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            line.trim()
                .trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().to_owned())
                .collect()
        })
        .collect()
}

/// How the table writes a source's strategies.
fn strategies_cell(strategies: &[Strategy]) -> String {
    if strategies.is_empty() {
        return "—".to_owned();
    }
    strategies
        .iter()
        .map(|s| format!("`{}`", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn the_readme_lists_every_source_as_the_catalog_has_it() {
    let rows = source_rows();
    let ids: Vec<&str> = rows.iter().map(|row| row[0].as_str()).collect();
    let expected: Vec<String> = SOURCE_CATALOG
        .iter()
        .map(|s| format!("`{}`", s.id))
        .collect();
    assert_eq!(ids, expected, "the README's sources, in catalog order");
    for (row, source) in rows.iter().zip(SOURCE_CATALOG) {
        assert_eq!(row.len(), 5, "{row:?}");
        assert_eq!(row[1], source.name, "{}'s name", source.id);
        let connectable = if source.connectable() { "yes" } else { "no" };
        assert_eq!(row[2], connectable, "is {} connectable", source.id);
        assert_eq!(
            row[3],
            strategies_cell(source.strategies),
            "{}'s strategies",
            source.id
        );
        assert!(!row[4].is_empty(), "what {} needs", source.id);
    }
}

#[test]
fn the_embedding_guide_names_every_connectable_source_and_the_catalog_endpoint() {
    assert!(EMBEDDING.contains("GET /v1/sources"));
    for source in SOURCE_CATALOG.iter().filter(|s| s.connectable()) {
        assert!(
            EMBEDDING.contains(&format!("`{}`", source.id)),
            "docs/embedding.md does not name {}",
            source.id
        );
    }
}
