//! The Custom Data Extract catalog for Infinite Campus' Data Extract Utility (DEU).
//!
//! A district that shares data through the DEU creates one SQL extract per data set and
//! pastes a T-SQL query into it. This crate is the one place that holds those data sets
//! and their queries ([`CATALOG`]), and turns a vendor's name and a choice of data sets
//! into the named extracts to create ([`generate`]).

mod catalog;
mod generate;
mod prefix;

pub use catalog::{CATALOG, DataSet, Localized, data_set};
pub use generate::{Extract, UnknownDataSet, generate};
pub use prefix::{MAX_PREFIX_CHARS, required_value, sanitize_prefix};
