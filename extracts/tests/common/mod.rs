//! Helpers shared by the integration tests.

#![allow(dead_code, reason = "each test binary uses only some of the helpers")]

use sqlparser::ast::Statement;
use sqlparser::dialect::MsSqlDialect;
use sqlparser::parser::Parser;

/// Parses `query` as T-SQL; it must be exactly one query (one result set, so one DEU file).
pub fn parse_one_query(query: &str) -> Result<(), String> {
    let statements =
        Parser::parse_sql(&MsSqlDialect {}, query).map_err(|error| error.to_string())?;
    match statements.as_slice() {
        [Statement::Query(_)] => Ok(()),
        other => Err(format!(
            "expected one query, got {} statement(s)",
            other.len()
        )),
    }
}

/// Every catalog id, as `generate` takes them.
pub fn all_ids() -> Vec<String> {
    extracts::CATALOG
        .iter()
        .map(|set| set.id.to_owned())
        .collect()
}
