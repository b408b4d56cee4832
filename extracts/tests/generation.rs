//! Generating a vendor's extracts: names, order, duplicates, hashes and errors.

mod common;

use common::all_ids;
use extracts::{CATALOG, UnknownDataSet, data_set, generate, required_value};
use sha2::{Digest, Sha256};

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|&id| id.to_owned()).collect()
}

#[test]
fn names_are_prefix_underscore_suffix() {
    let extracts = generate("Acme", &all_ids()).expect("catalog ids are known");
    let names: Vec<&str> = extracts
        .iter()
        .map(|extract| extract.name.as_str())
        .collect();
    assert_eq!(names.first(), Some(&"Acme_ExtendedRostering"));
    for (extract, set) in extracts.iter().zip(CATALOG) {
        assert_eq!(extract.data_set, set.id);
        assert_eq!(extract.name, format!("Acme_{}", set.suffix));
    }
    assert!(names.contains(&"Acme_Attendance"));
}

#[test]
fn required_value_is_prefix_data_extracts() {
    assert_eq!(required_value("Acme"), "AcmeDataExtracts");
    assert_eq!(
        required_value("Acme Learning, Inc."),
        "AcmeLearningIncDataExtracts"
    );
}

#[test]
fn follows_catalog_order_and_ignores_duplicates() {
    let chosen = ids(&[
        "schedules_calendars",
        "attendance",
        "extended_rostering",
        "attendance",
        "schedules_calendars",
    ]);
    let extracts = generate("Acme", &chosen).expect("catalog ids are known");
    let got: Vec<&str> = extracts.iter().map(|extract| extract.data_set).collect();
    assert_eq!(
        got,
        ["extended_rostering", "attendance", "schedules_calendars"]
    );
}

#[test]
fn is_deterministic() {
    let first = generate("Acme", &all_ids()).expect("catalog ids are known");
    let second = generate("Acme", &all_ids()).expect("catalog ids are known");
    assert_eq!(first, second);
}

#[test]
fn query_is_a_header_then_the_catalog_query() {
    let extracts = generate("Acme", &ids(&["attendance"])).expect("catalog ids are known");
    let [extract] = extracts.as_slice() else {
        panic!("expected one extract, got {extracts:?}");
    };
    let catalog_query = data_set("attendance").expect("in the catalog").query;
    let header = extract
        .query
        .strip_suffix(catalog_query)
        .expect("query ends with the catalog query");
    assert_eq!(
        header,
        "-- Acme_Attendance: Attendance for Acme.\n\
         -- Paste into the SQL field of a new Data Extract Utility extract. \
         The school year is computed from the date the extract runs.\n"
    );
}

#[test]
fn query_sha256_is_the_sha256_of_the_query() {
    for extract in generate("Acme", &all_ids()).expect("catalog ids are known") {
        let digest = Sha256::digest(extract.query.as_bytes());
        let expected: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        assert_eq!(extract.query_sha256, expected, "{}", extract.data_set);
        assert_eq!(extract.query_sha256.len(), 64);
    }
}

#[test]
fn unknown_id_is_an_error() {
    let result = generate("Acme", &ids(&["attendance", "grades"]));
    assert_eq!(result, Err(UnknownDataSet("grades".to_owned())));
    let error = result.expect_err("grades is unknown");
    assert!(error.to_string().contains("grades"));
    let _: &dyn std::error::Error = &error;
}

#[test]
fn no_ids_give_no_extracts() {
    assert_eq!(generate("Acme", &[]), Ok(Vec::new()));
}
