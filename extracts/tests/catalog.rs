//! The catalog's invariants: ids, suffixes, the default, and texts in every language.

use extracts::{CATALOG, Localized, data_set};

fn is_snake_case(id: &str) -> bool {
    !id.is_empty()
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && !id.ends_with('_')
        && !id.contains("__")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_camel_case(suffix: &str) -> bool {
    suffix.starts_with(|c: char| c.is_ascii_uppercase())
        && suffix.chars().all(|c| c.is_ascii_alphanumeric())
}

#[test]
fn ids_are_unique_snake_case() {
    for (index, set) in CATALOG.iter().enumerate() {
        assert!(is_snake_case(set.id), "{:?} is not snake_case", set.id);
        assert!(
            CATALOG[..index].iter().all(|earlier| earlier.id != set.id),
            "duplicate id {:?}",
            set.id
        );
    }
}

#[test]
fn suffixes_are_unique_camel_case_ascii() {
    for (index, set) in CATALOG.iter().enumerate() {
        assert!(is_camel_case(set.suffix), "{:?}", set.suffix);
        assert!(
            CATALOG[..index]
                .iter()
                .all(|earlier| earlier.suffix != set.suffix),
            "duplicate suffix {:?}",
            set.suffix
        );
    }
}

#[test]
fn has_at_least_the_five_data_sets_extended_rostering_first() {
    let ids: Vec<&str> = CATALOG.iter().map(|set| set.id).collect();
    assert_eq!(ids.first(), Some(&"extended_rostering"));
    for id in [
        "extended_rostering",
        "attendance",
        "historical",
        "demographics_programs",
        "schedules_calendars",
    ] {
        assert!(ids.contains(&id), "{id} missing");
    }
}

#[test]
fn exactly_one_default_and_it_is_extended_rostering() {
    let defaults: Vec<&str> = CATALOG
        .iter()
        .filter(|set| set.default)
        .map(|set| set.id)
        .collect();
    assert_eq!(defaults, ["extended_rostering"]);
}

#[test]
fn texts_are_filled_in_every_language_and_translated() {
    for set in CATALOG {
        for (field, text) in [
            ("name", set.name),
            ("description", set.description),
            ("yields", set.yields),
        ] {
            assert!(!text.en.trim().is_empty(), "{} {field} en is empty", set.id);
            assert!(!text.es.trim().is_empty(), "{} {field} es is empty", set.id);
            assert!(!text.fr.trim().is_empty(), "{} {field} fr is empty", set.id);
            assert_ne!(text.en, text.es, "{} {field} is not translated", set.id);
            assert_ne!(text.en, text.fr, "{} {field} is not in French", set.id);
            assert_ne!(text.es, text.fr, "{} {field}: French is Spanish", set.id);
            assert_eq!(text.get("en"), text.en);
            assert_eq!(text.get("es-MX"), text.es);
            assert_eq!(text.get("fr-CA"), text.fr);
        }
    }
}

#[test]
fn names_fit_on_one_header_line() {
    // The English name goes into the generated `--` header comment.
    for set in CATALOG {
        assert!(
            !set.name.en.contains(['\n', '\r']),
            "{} name spans lines",
            set.id
        );
    }
}

#[test]
fn localized_falls_back_to_english() {
    let text = Localized {
        en: "Attendance",
        es: "Asistencia",
        fr: "Présences",
    };
    assert_eq!(text.get("de"), "Attendance");
    assert_eq!(text.get(""), "Attendance");
    assert_eq!(text.get("es"), "Asistencia");
    assert_eq!(text.get("fr"), "Présences");
}

#[test]
fn data_set_finds_each_and_rejects_unknown() {
    for set in CATALOG {
        let found = data_set(set.id).map(|found| found.id);
        assert_eq!(found, Some(set.id));
    }
    for unknown in [
        "",
        "grades",
        "Attendance",
        "attendance ",
        "extended-rostering",
    ] {
        assert!(data_set(unknown).is_none(), "{unknown:?} was found");
    }
}
