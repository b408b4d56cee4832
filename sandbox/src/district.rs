//! The district's data. A fixed demo district for now; the seeded generator replaces it.

use serde_json::{Value, json};

/// A district: its org record and its schools.
#[derive(Debug, Clone)]
pub struct District {
    /// The district's `sourcedId`.
    pub sourced_id: String,
    /// The district's name.
    pub name: String,
    /// The schools, as `(sourcedId, name)`.
    pub schools: Vec<(String, String)>,
}

impl District {
    /// The demo district.
    pub fn demo() -> Self {
        Self {
            sourced_id: "district-1".into(),
            name: "Sandbox Unified School District".into(),
            schools: vec![
                ("school-1".into(), "Lincoln Elementary School".into()),
                ("school-2".into(), "Roosevelt Middle School".into()),
                ("school-3".into(), "Jefferson High School".into()),
            ],
        }
    }

    /// Every org (the district first, then its schools) as OneRoster 1.2 JSON records.
    pub fn orgs(&self) -> Vec<Value> {
        let modified = "2026-08-01T00:00:00.000Z";
        let district = json!({
            "sourcedId": self.sourced_id,
            "status": "active",
            "dateLastModified": modified,
            "name": self.name,
            "type": "district",
            "identifier": "",
            "children": self.schools.iter().map(|(id, _)| org_ref(id)).collect::<Vec<_>>(),
        });
        std::iter::once(district)
            .chain(self.schools.iter().map(|(id, name)| {
                json!({
                    "sourcedId": id,
                    "status": "active",
                    "dateLastModified": modified,
                    "name": name,
                    "type": "school",
                    "identifier": "",
                    "parent": org_ref(&self.sourced_id),
                })
            }))
            .collect()
    }
}

fn org_ref(sourced_id: &str) -> Value {
    json!({ "href": format!("/orgs/{sourced_id}"), "sourcedId": sourced_id, "type": "org" })
}
