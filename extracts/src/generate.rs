//! Generation of the named extracts a district creates for one vendor.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::catalog::{CATALOG, DataSet, data_set};
use crate::prefix::sanitize_prefix;

/// One extract to create in the Data Extract Utility.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extract {
    /// The id of the [`DataSet`] it extracts.
    pub data_set: &'static str,
    /// The extract's name, `"<prefix>_<suffix>"`, e.g. `"Acme_ExtendedRostering"`.
    pub name: String,
    /// The query to paste: a header comment naming the extract, then the catalog query.
    pub query: String,
    /// The lowercase hex SHA-256 of `query`, so both sides can tell they hold the same text.
    pub query_sha256: String,
}

/// An id not in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownDataSet(pub String);

impl fmt::Display for UnknownDataSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Debug formatting escapes quotes and control characters in the caller's id.
        write!(f, "unknown data set {:?}", self.0)
    }
}

impl std::error::Error for UnknownDataSet {}

/// One extract per chosen data set, in catalog order, duplicates ignored; deterministic.
///
/// The prefix is sanitized here, so whatever a vendor calls itself, it cannot break the
/// extract names or the SQL. Any id not in the catalog fails the whole call.
pub fn generate(prefix: &str, ids: &[String]) -> Result<Vec<Extract>, UnknownDataSet> {
    if let Some(unknown) = ids.iter().find(|id| data_set(id).is_none()) {
        return Err(UnknownDataSet(unknown.clone()));
    }
    let prefix = sanitize_prefix(prefix);
    Ok(CATALOG
        .iter()
        .filter(|set| ids.iter().any(|id| id == set.id))
        .map(|set| extract(&prefix, set))
        .collect())
}

/// The extract of `set` for an already sanitized `prefix`.
fn extract(prefix: &str, set: &'static DataSet) -> Extract {
    let name = format!("{prefix}_{}", set.suffix);
    // Only the sanitized prefix, the suffix and fixed English text go into the header, so
    // it stays `--` comment lines whatever the vendor is called.
    let query = format!(
        "-- {name}: {title} for {prefix}.\n\
         -- Paste into the SQL field of a new Data Extract Utility extract. \
         The school year is computed from the date the extract runs.\n\
         {body}",
        title = set.name.en,
        body = set.query,
    );
    let query_sha256 = sha256_hex(&query);
    Extract {
        data_set: set.id,
        name,
        query,
        query_sha256,
    }
}

/// The lowercase hex SHA-256 of `text`.
fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_hex_of_a_known_text() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn unknown_data_set_names_the_id_escaped() {
        let error = UnknownDataSet("grades\n--".to_owned());
        assert_eq!(error.to_string(), r#"unknown data set "grades\n--""#);
    }
}
