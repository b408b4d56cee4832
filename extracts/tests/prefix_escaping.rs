//! Whatever a vendor is called, the names stay plain and the SQL keeps its meaning.

mod common;

use common::{all_ids, parse_one_query};
use extracts::{MAX_PREFIX_CHARS, data_set, generate};

const HOSTILE_NAMES: &[&str] = &[
    "O'Brien \"Ed\" */ DROP",
    "Acme Learning, Inc.",
    "Evil */ DROP TABLE Person; --",
    "-- comment\nSELECT 1",
    "Line\r\nBreak\rVendor\u{2028}X",
    "a--b/*c*/d",
    "[Identity]; EXEC xp_cmdshell 'dir'",
    "Ñandú Learning",
    "",
    "   ",
    "!!!---***",
    "ÑÚ",
];

fn is_plain_name(name: &str) -> bool {
    let mut parts = name.split('_');
    let (Some(prefix), Some(suffix), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    [prefix, suffix]
        .iter()
        .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[test]
fn hostile_vendor_names_cannot_break_names_or_sql() {
    for &vendor in HOSTILE_NAMES {
        let extracts = generate(vendor, &all_ids()).expect("catalog ids are known");
        for extract in &extracts {
            assert!(
                is_plain_name(&extract.name),
                "{vendor:?} gave name {:?}",
                extract.name
            );
            let catalog_query = data_set(extract.data_set).expect("in the catalog").query;
            let header = extract
                .query
                .strip_suffix(catalog_query)
                .unwrap_or_else(|| panic!("{vendor:?}: catalog query altered"));
            assert_eq!(header.lines().count(), 2, "{vendor:?}: header {header:?}");
            for line in header.lines() {
                assert!(line.starts_with("-- "), "{vendor:?}: header line {line:?}");
                assert!(line.is_ascii(), "{vendor:?}: header line {line:?}");
            }
            if let Err(error) = parse_one_query(&extract.query) {
                panic!("{vendor:?} / {}: {error}", extract.data_set);
            }
        }
    }
}

#[test]
fn sanitized_names_are_what_the_vendor_would_expect() {
    let name = |vendor: &str| {
        generate(vendor, &["attendance".to_owned()]).expect("known")[0]
            .name
            .clone()
    };
    assert_eq!(name("O'Brien \"Ed\" */ DROP"), "OBrienEdDROP_Attendance");
    assert_eq!(name("Ñandú Learning"), "andLearning_Attendance");
    assert_eq!(name(""), "Vendor_Attendance");
    assert_eq!(name("!!!---***"), "Vendor_Attendance");
}

#[test]
fn an_over_long_name_is_cut() {
    let vendor = "Very Long Vendor Name ".repeat(10);
    let extracts = generate(&vendor, &all_ids()).expect("catalog ids are known");
    for extract in &extracts {
        let (prefix, _) = extract.name.split_once('_').expect("has an underscore");
        assert_eq!(prefix.len(), MAX_PREFIX_CHARS);
        assert!(prefix.starts_with("VeryLongVendorName"));
    }
}
