//! Every generated query is T-SQL that parses, picks the year from the date, and is commented.

mod common;

use common::{all_ids, parse_one_query};
use extracts::{CATALOG, generate};

/// The 4-digit numbers 2000–2099 in `text`, which would pin a query to one school year.
fn literal_years(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|run| run.len() == 4 && run.starts_with("20"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn literal_years_are_found() {
    assert_eq!(literal_years("endYear = 2026"), ["2026"]);
    assert_eq!(literal_years("'2025-08-01'"), ["2025"]);
    assert!(literal_years("varchar(10), 23, 108, 20250").is_empty());
}

#[test]
fn every_generated_query_parses_as_one_mssql_query() {
    let extracts = generate("Acme", &all_ids()).expect("catalog ids are known");
    assert_eq!(extracts.len(), CATALOG.len());
    for extract in &extracts {
        if let Err(error) = parse_one_query(&extract.query) {
            panic!(
                "{}: sqlparser (MsSqlDialect) rejects the query: {error}",
                extract.data_set
            );
        }
    }
}

#[test]
fn no_query_contains_a_literal_year() {
    for extract in generate("Acme", &all_ids()).expect("catalog ids are known") {
        let years = literal_years(&extract.query);
        assert!(
            years.is_empty(),
            "{}: literal years {years:?}",
            extract.data_set
        );
    }
}

#[test]
fn every_query_computes_the_year_from_today() {
    for set in CATALOG {
        assert!(set.query.contains("GETDATE()"), "{}: no GETDATE()", set.id);
        assert!(set.query.contains("endYear"), "{}: no endYear", set.id);
    }
}

#[test]
fn every_query_starts_with_a_comment_saying_what_it_selects() {
    for set in CATALOG {
        let header: Vec<&str> = set
            .query
            .lines()
            .take_while(|line| line.starts_with("--"))
            .collect();
        assert!(header.len() >= 3, "{}: header comment too short", set.id);
        assert!(
            header.iter().any(|line| line.contains("Why")),
            "{}: header does not say why",
            set.id
        );
    }
}

#[test]
fn every_query_has_a_deterministic_order() {
    for set in CATALOG {
        assert!(
            set.query.contains("\nORDER BY "),
            "{}: no final ORDER BY",
            set.id
        );
    }
}

#[test]
fn enrollment_based_queries_keep_primary_enrollments_only() {
    for set in CATALOG
        .iter()
        .filter(|set| set.query.contains("FROM Enrollment"))
    {
        assert!(
            set.query.contains("e.serviceType = 'P'"),
            "{}: not limited to primary enrollments",
            set.id
        );
        assert!(set.query.contains("noShow"), "{}: keeps no-shows", set.id);
        assert!(
            set.query.contains("stateExclude"),
            "{}: keeps state-excluded",
            set.id
        );
    }
}

#[test]
fn the_parse_check_rejects_broken_and_stacked_sql() {
    assert!(parse_one_query("SELECT a FROM t;").is_ok());
    assert!(parse_one_query("SELECT a FROM WHERE").is_err());
    assert!(parse_one_query("SELECT a FROM t; DROP TABLE t;").is_err());
    assert!(parse_one_query("-- x */\nSELECT a FROM t\nUNION ALL SELECT").is_err());
}
