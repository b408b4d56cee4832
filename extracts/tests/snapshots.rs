//! Snapshots of every generated query, so any change to the SQL shows up in review.

use extracts::{CATALOG, generate};

#[test]
fn generated_queries_for_acme() {
    for set in CATALOG {
        let extracts = generate("Acme", &[set.id.to_owned()]).expect("catalog ids are known");
        let [extract] = extracts.as_slice() else {
            panic!("{}: expected one extract", set.id);
        };
        insta::assert_snapshot!(set.id, extract.query);
    }
}
