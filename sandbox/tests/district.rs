//! The generated district agrees with itself: every reference resolves, and relationships
//! computed one way (a class's students) match those computed another (the enrollments).
#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use sis_onboard_sandbox::{District, DistrictSize, Listing, UserKind};

fn all(listing: Listing<'_>) -> Vec<Value> {
    listing.page(0, u64::MAX)
}

fn ids(records: &[Value]) -> BTreeSet<String> {
    records
        .iter()
        .map(|r| r["sourcedId"].as_str().unwrap().to_owned())
        .collect()
}

fn id_of(reference: &Value) -> String {
    reference["sourcedId"].as_str().unwrap().to_owned()
}

#[test]
fn every_reference_resolves() {
    let district = District::generate(7, DistrictSize::TINY);
    for enrollment in all(district.enrollments()) {
        assert!(
            district.user_by_id(&id_of(&enrollment["user"])).is_some(),
            "{enrollment}"
        );
        assert!(
            district.class_by_id(&id_of(&enrollment["class"])).is_some(),
            "{enrollment}"
        );
        assert!(
            district.org(&id_of(&enrollment["school"])).is_some(),
            "{enrollment}"
        );
    }
    for class in all(district.classes()) {
        assert!(district.course_by_id(&id_of(&class["course"])).is_some());
        assert!(district.org(&id_of(&class["school"])).is_some());
        for term in class["terms"].as_array().unwrap() {
            assert!(district.academic_session_by_id(&id_of(term)).is_some());
        }
    }
    for user in all(district.users()) {
        for role in user["roles"].as_array().unwrap() {
            assert!(district.org(&id_of(&role["org"])).is_some());
        }
        for agent in user["agents"].as_array().into_iter().flatten() {
            let other = district.user_by_id(&id_of(agent)).unwrap();
            let back: BTreeSet<String> = other["agents"]
                .as_array()
                .unwrap()
                .iter()
                .map(id_of)
                .collect();
            assert!(
                back.contains(user["sourcedId"].as_str().unwrap()),
                "agents are mutual"
            );
        }
    }
    for session in all(district.academic_sessions()) {
        if let Some(parent) = session.get("parent") {
            assert!(district.academic_session_by_id(&id_of(parent)).is_some());
        }
    }
}

#[test]
fn enrollments_agree_with_class_rosters_and_schedules() {
    let district = District::generate(11, DistrictSize::TINY);
    let mut by_class: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut by_user: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for enrollment in all(district.enrollments()) {
        let (user, class) = (id_of(&enrollment["user"]), id_of(&enrollment["class"]));
        by_class
            .entry(class.clone())
            .or_default()
            .insert(user.clone());
        by_user.entry(user).or_default().insert(class);
    }
    let classes = all(district.classes());
    for (index, class) in classes.iter().enumerate() {
        let index = index as u64;
        let class_id = class["sourcedId"].as_str().unwrap();
        let mut roster = ids(&all(district.users_of_class(UserKind::Student, index)));
        roster.extend(ids(&all(district.users_of_class(UserKind::Teacher, index))));
        assert_eq!(roster, by_class[class_id], "roster of {class_id}");
        let enrolled: BTreeSet<String> = all(district.enrollments_of_class(index))
            .iter()
            .map(|e| id_of(&e["user"]))
            .collect();
        assert_eq!(enrolled, by_class[class_id], "enrollments of {class_id}");
    }
    for (index, student) in all(district.users_of_kind(UserKind::Student))
        .iter()
        .enumerate()
    {
        let schedule = ids(&all(
            district.classes_of_user(UserKind::Student, index as u64)
        ));
        assert_eq!(schedule, by_user[student["sourcedId"].as_str().unwrap()]);
        assert_eq!(
            schedule.len() as u64,
            district.size.periods,
            "one class per period"
        );
    }
}

#[test]
fn school_listings_partition_the_district() {
    let district = District::generate(3, DistrictSize::TINY);
    let mut students = BTreeSet::new();
    let mut classes = BTreeSet::new();
    let mut enrollments = 0;
    for (school, record) in all(district.schools()).iter().enumerate() {
        let school = school as u64;
        let school_id = record["sourcedId"].as_str().unwrap();
        for student in all(district.users_of_school(UserKind::Student, school)) {
            assert_eq!(id_of(&student["roles"][0]["org"]), school_id);
            students.insert(student["sourcedId"].as_str().unwrap().to_owned());
        }
        for class in all(district.classes_of_school(school)) {
            assert_eq!(id_of(&class["school"]), school_id);
            classes.insert(class["sourcedId"].as_str().unwrap().to_owned());
        }
        for enrollment in all(district.enrollments_of_school(school)) {
            assert_eq!(id_of(&enrollment["school"]), school_id);
            enrollments += 1;
        }
    }
    assert_eq!(
        students,
        ids(&all(district.users_of_kind(UserKind::Student)))
    );
    assert_eq!(classes, ids(&all(district.classes())));
    assert_eq!(enrollments, district.enrollments().len());
}

#[test]
fn the_same_seed_gives_the_same_district() {
    let a = District::generate(42, DistrictSize::TINY);
    let b = District::generate(42, DistrictSize::TINY);
    let c = District::generate(43, DistrictSize::TINY);
    assert_eq!(all(a.users()), all(b.users()));
    assert_eq!(a.name, b.name);
    assert_ne!(all(a.users()), all(c.users()), "another seed, other names");
    assert_eq!(
        a.users().len(),
        c.users().len(),
        "the seed never changes counts"
    );
}

#[test]
fn sizes_are_what_they_say() {
    assert_eq!(District::generate(1, DistrictSize::TINY).users().len(), 43);
    let typical = District::demo().users().len();
    assert!(
        (4_900..=5_100).contains(&typical),
        "about 5,000 users, got {typical}"
    );
    assert_eq!(
        District::generate(1, DistrictSize::with_users(1_000_000))
            .users()
            .len(),
        1_000_000
    );
}

#[test]
fn a_million_user_district_serves_a_deep_page_from_indices() {
    let district = District::generate(1, DistrictSize::with_users(1_000_000));
    let users = district.users();
    let page = users.page(999_000, 100);
    assert_eq!(page.len(), 100);
    // The last users are guardians; each record is computed, not stored.
    assert!(page.iter().all(|u| u["roles"][0]["role"] == "guardian"));
    let first = page[0]["sourcedId"].as_str().unwrap();
    assert_eq!(district.user_by_id(first).as_ref(), Some(&page[0]));
    assert!(users.page(1_000_000, 100).is_empty());
    assert_eq!(
        district.enrollments().len(),
        (district.size.students + district.size.teachers) * 6
    );
}
