//! The simulated district, generated deterministically from a seed.
//!
//! Nothing is stored per record: every record is computed from its index, and every
//! relationship (school of a student, students of a class, enrollments of a user) is
//! arithmetic on indices. A page of a 1,000,000-user district therefore costs what a page
//! of a 50-user one costs, in time and in memory.
//!
//! Layout (all indices start at 0):
//! - schools: `school % schools`; user `u` of a kind belongs to school `u % schools`.
//! - classes: teacher `t` teaches one class per period: class `t * periods + p`.
//! - in period `p`, student-in-school `m` sits in the class of teacher-in-school
//!   `(m + p) % teachers_in_school`, so classmates differ from period to period.
//! - enrollments: first one per class for its teacher, then one per student and period.
//! - guardian `g` is the guardian of students `2g` and `2g + 1`.

use std::ops::Range;

use serde_json::{Value, json};

mod names;

/// How big the district is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DistrictSize {
    /// Schools (at least 1).
    pub schools: u64,
    /// Students.
    pub students: u64,
    /// Teachers (at least one per school).
    pub teachers: u64,
    /// Administrators: the first is the district's, the others are their schools'.
    pub administrators: u64,
    /// Periods a day: each student takes, and each teacher teaches, one class per period.
    pub periods: u64,
}

impl DistrictSize {
    /// A tiny district for unit tests: 2 schools, 43 users.
    pub const TINY: Self = Self {
        schools: 2,
        students: 24,
        teachers: 4,
        administrators: 3,
        periods: 3,
    };

    /// A district of about `users` users: 64% students, a guardian for every two students,
    /// a teacher for every twenty, a school for every five hundred, the rest administrators.
    pub fn with_users(users: u64) -> Self {
        let students = users * 64 / 100;
        let guardians = students.div_ceil(2);
        let schools = (students / 500).max(1);
        let teachers = (students / 20).max(schools);
        let administrators = users.saturating_sub(students + guardians + teachers).max(1);
        Self {
            schools,
            students,
            teachers,
            administrators,
            periods: 6,
        }
    }

    /// The demo's district: about 5,000 users.
    pub fn typical() -> Self {
        Self::with_users(5_000)
    }

    /// Guardians: one for every two students.
    pub fn guardians(&self) -> u64 {
        self.students.div_ceil(2)
    }

    /// Every user of every kind.
    pub fn users(&self) -> u64 {
        self.administrators + self.teachers + self.students + self.guardians()
    }
}

/// A kind of user; `/users` lists them in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKind {
    /// District and school administrators.
    Administrator,
    /// Teachers.
    Teacher,
    /// Students.
    Student,
    /// Guardians (parents), linked to students as `agents`.
    Guardian,
}

impl UserKind {
    const ALL: [UserKind; 4] = [
        UserKind::Administrator,
        UserKind::Teacher,
        UserKind::Student,
        UserKind::Guardian,
    ];

    fn prefix(self) -> &'static str {
        match self {
            UserKind::Administrator => "adm",
            UserKind::Teacher => "tch",
            UserKind::Student => "stu",
            UserKind::Guardian => "grd",
        }
    }
}

/// The kinds of academic session, in the order `/academicSessions` lists them.
const TERMS: u64 = 2;
const GRADING_PERIODS_PER_TERM: u64 = 2;
/// Courses each school offers.
const COURSES_PER_SCHOOL: u64 = 12;
const COURSE_TITLES: [&str; COURSES_PER_SCHOOL as usize] = [
    "English Language Arts",
    "Mathematics",
    "Science",
    "Social Studies",
    "Art",
    "Music",
    "Physical Education",
    "Spanish",
    "Computer Science",
    "Health",
    "Reading Intervention",
    "Advisory",
];
/// Every record says it was last modified here (the sandbox's data does not change).
const MODIFIED: &str = "2026-08-01T00:00:00.000Z";

/// The district: a seed and a size, from which every record is computed.
#[derive(Debug, Clone)]
pub struct District {
    /// Changes names and attributes, never counts or relationships.
    pub seed: u64,
    /// How big the district is.
    pub size: DistrictSize,
    /// The school year's ending year (OneRoster's `schoolYear`), e.g. 2027 for 2026–27.
    pub school_year: u16,
    /// The district's name.
    pub name: String,
    /// The district org, built once: it lists up to 50 schools, and rebuilding that list
    /// for every request would make a big district slower to answer than a real server's
    /// cached record.
    district_org: std::sync::OnceLock<Value>,
}

/// A stable 64-bit mix of the seed, a salt and an index (splitmix64's finaliser).
fn mix(seed: u64, salt: u64, index: u64) -> u64 {
    let mut z = seed
        .wrapping_add(salt.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(index.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pick<'a>(list: &[&'a str], hash: u64) -> &'a str {
    list[(hash % list.len() as u64) as usize]
}

fn reference(kind: &str, href: &str, sourced_id: &str) -> Value {
    json!({ "href": format!("/{href}/{sourced_id}"), "sourcedId": sourced_id, "type": kind })
}

/// Which indices hold the records whose field has a given value.
type IndexLookup<'a> = Box<dyn Fn(&str) -> Range<u64> + 'a>;

/// A lazily computed, ordered list of records.
pub struct Listing<'a> {
    len: u64,
    at: Box<dyn Fn(u64) -> Value + 'a>,
    /// A field whose records lie in contiguous runs, as a database index would find them.
    index: Option<(&'static str, IndexLookup<'a>)>,
}

impl<'a> Listing<'a> {
    fn new(len: u64, at: impl Fn(u64) -> Value + 'a) -> Self {
        Self {
            len,
            at: Box::new(at),
            index: None,
        }
    }

    /// Declares `field` indexed: `lookup(value)` gives the indices of the records that have it.
    fn indexed(mut self, field: &'static str, lookup: impl Fn(&str) -> Range<u64> + 'a) -> Self {
        self.index = Some((field, Box::new(lookup)));
        self
    }

    /// The indices a query must look at when every match has `field == value` for the given
    /// fields: an indexed field narrows the scan like a database index; otherwise, all.
    pub fn candidates<'v>(&self, required: impl Fn(&str) -> Option<&'v str>) -> Range<u64> {
        match &self.index {
            Some((field, lookup)) => match required(field) {
                Some(value) => {
                    let range = lookup(value);
                    range.start.min(self.len)..range.end.min(self.len)
                }
                None => 0..self.len,
            },
            None => 0..self.len,
        }
    }

    /// A listing with no records.
    pub fn empty() -> Self {
        Self::new(0, |_| Value::Null)
    }

    /// How many records.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The record at `index`, or None past the end.
    pub fn get(&self, index: u64) -> Option<Value> {
        (index < self.len).then(|| (self.at)(index))
    }

    /// Records from `offset`, at most `limit` of them.
    pub fn page(&self, offset: u64, limit: u64) -> Vec<Value> {
        let end = offset.saturating_add(limit).min(self.len);
        (offset.min(end)..end).map(|i| (self.at)(i)).collect()
    }
}

impl District {
    /// A district of the given size; the name is derived from the seed.
    pub fn generate(seed: u64, size: DistrictSize) -> Self {
        let place = pick(names::PLACES, mix(seed, 1, 0));
        Self {
            seed,
            size,
            school_year: 2027,
            name: format!("{place} Unified School District"),
            district_org: std::sync::OnceLock::new(),
        }
    }

    /// The demo district: about 5,000 users.
    pub fn demo() -> Self {
        Self::generate(2026, DistrictSize::typical())
    }

    /// The district org's sourcedId.
    pub fn sourced_id(&self) -> String {
        "district-1".into()
    }

    // ----- orgs -------------------------------------------------------------------------

    /// Orgs: the district, then its schools.
    pub fn orgs(&self) -> Listing<'_> {
        let schools = self.size.schools;
        Listing::new(1 + schools, move |i| {
            if i == 0 {
                self.district_org()
            } else {
                self.school(i - 1)
            }
        })
        .indexed("type", move |value| match value {
            "district" => 0..1,
            "school" => 1..1 + schools,
            _ => 0..0,
        })
    }

    /// The schools.
    pub fn schools(&self) -> Listing<'_> {
        Listing::new(self.size.schools, move |i| self.school(i))
    }

    fn district_org(&self) -> Value {
        self.district_org
            .get_or_init(|| self.build_district_org())
            .clone()
    }

    fn build_district_org(&self) -> Value {
        json!({
            "sourcedId": self.sourced_id(),
            "status": "active",
            "dateLastModified": MODIFIED,
            "name": self.name,
            "type": "district",
            "identifier": format!("{:07}", mix(self.seed, 2, 0) % 10_000_000),
            "children": (0..self.size.schools.min(50))
                .map(|s| reference("org", "orgs", &school_id(s)))
                .collect::<Vec<_>>(),
        })
    }

    fn school_name(&self, school: u64) -> String {
        let person = pick(names::FAMILY, mix(self.seed, 3, school));
        let level = match school % 3 {
            0 => "Elementary School",
            1 => "Middle School",
            _ => "High School",
        };
        format!("{person} {level}")
    }

    fn school(&self, school: u64) -> Value {
        json!({
            "sourcedId": school_id(school),
            "status": "active",
            "dateLastModified": MODIFIED,
            "name": self.school_name(school),
            "type": "school",
            "identifier": format!("{:04}", 100 + school),
            "parent": reference("org", "orgs", &self.sourced_id()),
        })
    }

    /// Grades a school teaches, by its level.
    fn school_grades(school: u64) -> &'static [&'static str] {
        match school % 3 {
            0 => &["KG", "01", "02", "03", "04", "05"],
            1 => &["06", "07", "08"],
            _ => &["09", "10", "11", "12"],
        }
    }

    // ----- academic sessions ------------------------------------------------------------

    /// Academic sessions: the school year, its terms, then their grading periods.
    pub fn academic_sessions(&self) -> Listing<'_> {
        Listing::new(1 + TERMS + TERMS * GRADING_PERIODS_PER_TERM, move |i| {
            self.academic_session(i)
        })
    }

    /// The terms.
    pub fn terms(&self) -> Listing<'_> {
        Listing::new(TERMS, move |i| self.academic_session(1 + i))
    }

    /// The grading periods.
    pub fn grading_periods(&self) -> Listing<'_> {
        Listing::new(TERMS * GRADING_PERIODS_PER_TERM, move |i| {
            self.academic_session(1 + TERMS + i)
        })
    }

    /// The grading periods of one term.
    pub fn grading_periods_of_term(&self, term: u64) -> Listing<'_> {
        Listing::new(GRADING_PERIODS_PER_TERM, move |i| {
            self.academic_session(1 + TERMS + term * GRADING_PERIODS_PER_TERM + i)
        })
    }

    fn academic_session(&self, i: u64) -> Value {
        let end_year = i64::from(self.school_year);
        let start_year = end_year - 1;
        // Dates as (year, month, day): the year runs August to June.
        let (title, kind, start, end, parent, children): (
            String,
            &str,
            _,
            _,
            Option<u64>,
            Vec<u64>,
        ) = if i == 0 {
            (
                format!("{start_year}-{end_year} School Year"),
                "schoolYear",
                (start_year, 8, 15),
                (end_year, 6, 15),
                None,
                (1..=TERMS).collect(),
            )
        } else if i <= TERMS {
            let term = i - 1;
            let (start, end) = if term == 0 {
                ((start_year, 8, 15), (start_year, 12, 20))
            } else {
                ((end_year, 1, 5), (end_year, 6, 15))
            };
            let first = 1 + TERMS + term * GRADING_PERIODS_PER_TERM;
            (
                format!("Semester {}", term + 1),
                "term",
                start,
                end,
                Some(0),
                (first..first + GRADING_PERIODS_PER_TERM).collect(),
            )
        } else {
            let quarter = i - 1 - TERMS;
            let term = quarter / GRADING_PERIODS_PER_TERM;
            let (start, end) = match quarter {
                0 => ((start_year, 8, 15), (start_year, 10, 17)),
                1 => ((start_year, 10, 20), (start_year, 12, 20)),
                2 => ((end_year, 1, 5), (end_year, 3, 20)),
                _ => ((end_year, 3, 23), (end_year, 6, 15)),
            };
            (
                format!("Quarter {}", quarter + 1),
                "gradingPeriod",
                start,
                end,
                Some(1 + term),
                vec![],
            )
        };
        let date = |(y, m, d): (i64, i32, i32)| format!("{y:04}-{m:02}-{d:02}");
        let mut record = json!({
            "sourcedId": academic_session_id(i),
            "status": "active",
            "dateLastModified": MODIFIED,
            "title": title,
            "type": kind,
            "startDate": date(start),
            "endDate": date(end),
            "schoolYear": end_year.to_string(),
        });
        if let Some(parent) = parent {
            record["parent"] = reference(
                "academicSession",
                "academicSessions",
                &academic_session_id(parent),
            );
        }
        if !children.is_empty() {
            record["children"] = children
                .into_iter()
                .map(|c| {
                    reference(
                        "academicSession",
                        "academicSessions",
                        &academic_session_id(c),
                    )
                })
                .collect();
        }
        record
    }

    // ----- courses ----------------------------------------------------------------------

    /// Courses: each school's catalog.
    pub fn courses(&self) -> Listing<'_> {
        Listing::new(self.size.schools * COURSES_PER_SCHOOL, move |i| {
            self.course(i)
        })
    }

    /// One school's courses.
    pub fn courses_of_school(&self, school: u64) -> Listing<'_> {
        Listing::new(COURSES_PER_SCHOOL, move |i| {
            self.course(school * COURSES_PER_SCHOOL + i)
        })
    }

    fn course(&self, course: u64) -> Value {
        let school = course / COURSES_PER_SCHOOL;
        let title = COURSE_TITLES[(course % COURSES_PER_SCHOOL) as usize];
        json!({
            "sourcedId": course_id(course),
            "status": "active",
            "dateLastModified": MODIFIED,
            "title": title,
            "courseCode": format!("{}-{:03}", &title[..3].to_uppercase(), course % COURSES_PER_SCHOOL + 100),
            "grades": Self::school_grades(school),
            "schoolYear": reference("academicSession", "academicSessions", &academic_session_id(0)),
            "org": reference("org", "orgs", &school_id(school)),
        })
    }

    // ----- classes ----------------------------------------------------------------------

    fn teachers_in_school(&self, school: u64) -> u64 {
        count_congruent(self.size.teachers, self.size.schools, school)
    }

    fn students_in_school(&self, school: u64) -> u64 {
        count_congruent(self.size.students, self.size.schools, school)
    }

    /// Every class: one per teacher and period.
    pub fn classes(&self) -> Listing<'_> {
        Listing::new(self.size.teachers * self.size.periods, move |i| {
            self.class(i)
        })
    }

    /// The classes of one school.
    pub fn classes_of_school(&self, school: u64) -> Listing<'_> {
        let periods = self.size.periods;
        let schools = self.size.schools;
        Listing::new(self.teachers_in_school(school) * periods, move |i| {
            let teacher = school + schools * (i / periods);
            self.class(teacher * periods + i % periods)
        })
    }

    /// The classes a user is in (teacher or student); none for other kinds.
    pub fn classes_of_user(&self, kind: UserKind, index: u64) -> Listing<'_> {
        let periods = self.size.periods;
        match kind {
            UserKind::Teacher => Listing::new(periods, move |p| self.class(index * periods + p)),
            UserKind::Student => Listing::new(periods, move |p| {
                self.class(self.class_of_student(index, p))
            }),
            _ => Listing::new(0, move |_| Value::Null),
        }
    }

    /// The classes of a course: its school's teachers' classes in the course's subject.
    pub fn classes_of_course(&self, course: u64) -> Listing<'_> {
        let school = course / COURSES_PER_SCHOOL;
        let all = self.classes_of_school(school);
        let matching: Vec<u64> = (0..all.len())
            .filter(|i| self.course_of_class(self.class_index_in_school(school, *i)) == course)
            .collect();
        Listing::new(matching.len() as u64, move |i| {
            self.class(self.class_index_in_school(school, matching[i as usize]))
        })
    }

    /// The classes that run in a term.
    pub fn classes_of_term(&self, term: u64) -> Listing<'_> {
        // A class runs in term `class % TERMS`; classes alternate, so this is a stride.
        let total = self.size.teachers * self.size.periods;
        Listing::new(count_congruent(total, TERMS, term), move |i| {
            self.class(term + TERMS * i)
        })
    }

    fn class_index_in_school(&self, school: u64, i: u64) -> u64 {
        let periods = self.size.periods;
        (school + self.size.schools * (i / periods)) * periods + i % periods
    }

    fn class_of_student(&self, student: u64, period: u64) -> u64 {
        let schools = self.size.schools;
        let school = student % schools;
        let local = student / schools;
        let teacher_local = (local + period) % self.teachers_in_school(school).max(1);
        (school + schools * teacher_local) * self.size.periods + period
    }

    /// The school a class belongs to (its teacher's).
    pub fn school_of_class(&self, class: u64) -> u64 {
        (class / self.size.periods) % self.size.schools
    }

    fn course_of_class(&self, class: u64) -> u64 {
        let teacher = class / self.size.periods;
        let school = teacher % self.size.schools;
        // A teacher teaches one subject; the period picks nothing else.
        school * COURSES_PER_SCHOOL + mix(self.seed, 5, teacher) % COURSES_PER_SCHOOL
    }

    fn class(&self, class: u64) -> Value {
        let periods = self.size.periods;
        let teacher = class / periods;
        let period = class % periods;
        let school = teacher % self.size.schools;
        let course = self.course_of_class(class);
        let term = class % TERMS;
        let title = COURSE_TITLES[(course % COURSES_PER_SCHOOL) as usize];
        json!({
            "sourcedId": class_id(class),
            "status": "active",
            "dateLastModified": MODIFIED,
            "title": format!("{title} - Period {}", period + 1),
            "classCode": format!("{}-{}", &title[..3].to_uppercase(), class),
            "classType": if title == "Advisory" { "homeroom" } else { "scheduled" },
            "location": format!("Room {}", 100 + (teacher / self.size.schools) % 300),
            "grades": Self::school_grades(school),
            "subjects": [title],
            "course": reference("course", "courses", &course_id(course)),
            "school": reference("org", "orgs", &school_id(school)),
            "terms": [reference("academicSession", "academicSessions", &academic_session_id(1 + term))],
            "periods": [(period + 1).to_string()],
        })
    }

    // ----- users ------------------------------------------------------------------------

    fn kind_count(&self, kind: UserKind) -> u64 {
        match kind {
            UserKind::Administrator => self.size.administrators,
            UserKind::Teacher => self.size.teachers,
            UserKind::Student => self.size.students,
            UserKind::Guardian => self.size.guardians(),
        }
    }

    /// Every user: administrators, teachers, students, then guardians.
    pub fn users(&self) -> Listing<'_> {
        Listing::new(self.size.users(), move |mut i| {
            for kind in UserKind::ALL {
                let count = self.kind_count(kind);
                if i < count {
                    return self.user(kind, i);
                }
                i -= count;
            }
            Value::Null
        })
    }

    /// Every user of one kind.
    pub fn users_of_kind(&self, kind: UserKind) -> Listing<'_> {
        Listing::new(self.kind_count(kind), move |i| self.user(kind, i))
    }

    /// The users of one kind in one school (students or teachers).
    pub fn users_of_school(&self, kind: UserKind, school: u64) -> Listing<'_> {
        let schools = self.size.schools;
        let len = match kind {
            UserKind::Student => self.students_in_school(school),
            UserKind::Teacher => self.teachers_in_school(school),
            _ => 0,
        };
        Listing::new(len, move |i| self.user(kind, school + schools * i))
    }

    /// The students (or the teacher) of a class.
    pub fn users_of_class(&self, kind: UserKind, class: u64) -> Listing<'_> {
        let teacher = class / self.size.periods;
        match kind {
            UserKind::Teacher => Listing::new(1, move |_| self.user(UserKind::Teacher, teacher)),
            UserKind::Student => {
                let (len, student) = self.class_roster(class);
                Listing::new(len, move |i| self.user(UserKind::Student, student(i)))
            }
            _ => Listing::new(0, move |_| Value::Null),
        }
    }

    /// A user's school, when it has one.
    fn school_of_user(&self, kind: UserKind, index: u64) -> Option<u64> {
        match kind {
            UserKind::Administrator if index == 0 => None,
            UserKind::Administrator => Some((index - 1) % self.size.schools),
            UserKind::Teacher | UserKind::Student => Some(index % self.size.schools),
            UserKind::Guardian => Some((2 * index) % self.size.schools),
        }
    }

    fn user(&self, kind: UserKind, index: u64) -> Value {
        let salt = match kind {
            UserKind::Administrator => 10,
            UserKind::Teacher => 11,
            UserKind::Student => 12,
            UserKind::Guardian => 13,
        };
        let sourced_id = user_id(kind, index);
        let given = pick(names::GIVEN, mix(self.seed, salt, index));
        // A student shares the family name of their guardian.
        let family = match kind {
            UserKind::Student => pick(names::FAMILY, mix(self.seed, 13, index / 2) >> 8),
            UserKind::Guardian => pick(names::FAMILY, mix(self.seed, 13, index) >> 8),
            _ => pick(names::FAMILY, mix(self.seed, salt, index) >> 8),
        };
        let username = format!(
            "{}.{}{}",
            given.to_lowercase(),
            family.to_lowercase(),
            index
        );
        let org = match self.school_of_user(kind, index) {
            Some(school) => reference("org", "orgs", &school_id(school)),
            None => reference("org", "orgs", &self.sourced_id()),
        };
        let role = match kind {
            UserKind::Administrator if index == 0 => "districtAdministrator",
            UserKind::Administrator => "siteAdministrator",
            UserKind::Teacher => "teacher",
            UserKind::Student => "student",
            UserKind::Guardian => "guardian",
        };
        let mut record = json!({
            "sourcedId": sourced_id,
            "status": "active",
            "dateLastModified": MODIFIED,
            "enabledUser": "true",
            "username": username,
            "userIds": [{ "type": "Infinite Campus", "identifier": format!("{}", 100_000 + salt * 1_000_000 + index) }],
            "givenName": given,
            "familyName": family,
            "roles": [{ "roleType": "primary", "role": role, "org": org }],
            "email": format!("{username}@district.example.org"),
        });
        match kind {
            UserKind::Student => {
                let school = index % self.size.schools;
                let grades = Self::school_grades(school);
                record["grades"] = json!([pick(grades, mix(self.seed, 14, index))]);
                record["agents"] = json!([reference(
                    "user",
                    "users",
                    &user_id(UserKind::Guardian, index / 2)
                )]);
            }
            UserKind::Guardian => {
                let children: Vec<Value> = [2 * index, 2 * index + 1]
                    .into_iter()
                    .filter(|s| *s < self.size.students)
                    .map(|s| reference("user", "users", &user_id(UserKind::Student, s)))
                    .collect();
                record["agents"] = Value::Array(children);
                record["email"] = json!(format!("{username}@family.example.com"));
            }
            _ => {}
        }
        record
    }

    // ----- enrollments ------------------------------------------------------------------

    fn teacher_enrollments(&self) -> u64 {
        self.size.teachers * self.size.periods
    }

    /// Every enrollment: a teacher's for each class, then each student's for each period.
    pub fn enrollments(&self) -> Listing<'_> {
        Listing::new(
            (self.size.teachers + self.size.students) * self.size.periods,
            move |i| self.enrollment(i),
        )
    }

    /// The enrollments of a school (its teachers', then its students').
    pub fn enrollments_of_school(&self, school: u64) -> Listing<'_> {
        let periods = self.size.periods;
        let schools = self.size.schools;
        let teacher_part = self.teachers_in_school(school) * periods;
        let student_part = self.students_in_school(school) * periods;
        Listing::new(teacher_part + student_part, move |i| {
            if i < teacher_part {
                let teacher = school + schools * (i / periods);
                self.enrollment(teacher * periods + i % periods)
            } else {
                let i = i - teacher_part;
                let student = school + schools * (i / periods);
                self.enrollment(self.teacher_enrollments() + student * periods + i % periods)
            }
        })
    }

    /// The enrollments of a class: its teacher's, then its students'.
    pub fn enrollments_of_class(&self, class: u64) -> Listing<'_> {
        let (students, student_indices) = self.class_roster(class);
        let period = class % self.size.periods;
        let periods = self.size.periods;
        let base = self.teacher_enrollments();
        Listing::new(1 + students, move |i| {
            if i == 0 {
                self.enrollment(class)
            } else {
                self.enrollment(base + student_indices(i - 1) * periods + period)
            }
        })
    }

    /// A class's students: how many, and the student index of the `i`th. In period `p`,
    /// student-in-school `m` sits with teacher-in-school `(m + p) % teachers_here`.
    fn class_roster(&self, class: u64) -> (u64, impl Fn(u64) -> u64 + use<>) {
        let periods = self.size.periods;
        let schools = self.size.schools;
        let teacher = class / periods;
        let period = class % periods;
        let school = teacher % schools;
        let teachers_here = self.teachers_in_school(school).max(1);
        let teacher_local = teacher / schools;
        let first = (teacher_local + teachers_here - period % teachers_here) % teachers_here;
        let students_here = self.students_in_school(school);
        let len = if first < students_here {
            (students_here - first).div_ceil(teachers_here)
        } else {
            0
        };
        (len, move |i| school + schools * (first + teachers_here * i))
    }

    fn enrollment(&self, i: u64) -> Value {
        let periods = self.size.periods;
        let (kind, user, class) = if i < self.teacher_enrollments() {
            (UserKind::Teacher, i / periods, i)
        } else {
            let i = i - self.teacher_enrollments();
            let student = i / periods;
            (
                UserKind::Student,
                student,
                self.class_of_student(student, i % periods),
            )
        };
        let school = (class / periods) % self.size.schools;
        let mut record = json!({
            "sourcedId": enrollment_id(i),
            "status": "active",
            "dateLastModified": MODIFIED,
            "role": if kind == UserKind::Teacher { "teacher" } else { "student" },
            "user": reference("user", "users", &user_id(kind, user)),
            "class": reference("class", "classes", &class_id(class)),
            "school": reference("org", "orgs", &school_id(school)),
            "beginDate": format!("{}-08-15", self.school_year - 1),
            "endDate": format!("{}-06-15", self.school_year),
        });
        if kind == UserKind::Teacher {
            record["primary"] = json!("true");
        }
        record
    }

    // ----- demographics -----------------------------------------------------------------

    /// Demographics: one record per student, sharing the student's sourcedId.
    pub fn demographics(&self) -> Listing<'_> {
        Listing::new(self.size.students, move |i| self.demographic(i))
    }

    fn demographic(&self, student: u64) -> Value {
        let h = mix(self.seed, 20, student);
        let school = student % self.size.schools;
        let grade_offset = match school % 3 {
            0 => 6,
            1 => 12,
            _ => 15,
        };
        let birth_year = i64::from(self.school_year) - grade_offset - (h % 4) as i64;
        let flag = |bit: u32| {
            if (h >> bit).is_multiple_of(7) {
                "true"
            } else {
                "false"
            }
        };
        json!({
            "sourcedId": user_id(UserKind::Student, student),
            "status": "active",
            "dateLastModified": MODIFIED,
            "birthDate": format!("{birth_year:04}-{:02}-{:02}", 1 + (h >> 8) % 12, 1 + (h >> 16) % 28),
            "sex": if h.is_multiple_of(2) { "female" } else { "male" },
            "americanIndianOrAlaskaNative": flag(20),
            "asian": flag(23),
            "blackOrAfricanAmerican": flag(26),
            "nativeHawaiianOrOtherPacificIslander": flag(29),
            "white": flag(32),
            "demographicRaceTwoOrMoreRaces": "false",
            "hispanicOrLatinoEthnicity": flag(35),
        })
    }

    // ----- lookups by sourcedId ---------------------------------------------------------

    /// The index of a school from its sourcedId.
    pub fn school_index(&self, sourced_id: &str) -> Option<u64> {
        parse_id(sourced_id, "sch-").filter(|i| *i < self.size.schools)
    }

    /// The index of a class from its sourcedId.
    pub fn class_index(&self, sourced_id: &str) -> Option<u64> {
        parse_id(sourced_id, "cls-").filter(|i| *i < self.size.teachers * self.size.periods)
    }

    /// The index of a course from its sourcedId.
    pub fn course_index(&self, sourced_id: &str) -> Option<u64> {
        parse_id(sourced_id, "crs-").filter(|i| *i < self.size.schools * COURSES_PER_SCHOOL)
    }

    /// The index of a term from its sourcedId.
    pub fn term_index(&self, sourced_id: &str) -> Option<u64> {
        parse_id(sourced_id, "as-")
            .filter(|i| (1..=TERMS).contains(i))
            .map(|i| i - 1)
    }

    /// The kind and index of a user from its sourcedId.
    pub fn user_index(&self, sourced_id: &str) -> Option<(UserKind, u64)> {
        UserKind::ALL.into_iter().find_map(|kind| {
            parse_id(sourced_id, &format!("{}-", kind.prefix()))
                .filter(|i| *i < self.kind_count(kind))
                .map(|i| (kind, i))
        })
    }

    /// One org by sourcedId.
    pub fn org(&self, sourced_id: &str) -> Option<Value> {
        if sourced_id == self.sourced_id() {
            return Some(self.district_org());
        }
        self.school_index(sourced_id).map(|s| self.school(s))
    }

    /// One academic session by sourcedId.
    pub fn academic_session_by_id(&self, sourced_id: &str) -> Option<Value> {
        parse_id(sourced_id, "as-")
            .filter(|i| *i < self.academic_sessions().len())
            .map(|i| self.academic_session(i))
    }

    /// One course by sourcedId.
    pub fn course_by_id(&self, sourced_id: &str) -> Option<Value> {
        self.course_index(sourced_id).map(|c| self.course(c))
    }

    /// One class by sourcedId.
    pub fn class_by_id(&self, sourced_id: &str) -> Option<Value> {
        self.class_index(sourced_id).map(|c| self.class(c))
    }

    /// One user by sourcedId.
    pub fn user_by_id(&self, sourced_id: &str) -> Option<Value> {
        self.user_index(sourced_id)
            .map(|(kind, i)| self.user(kind, i))
    }

    /// One enrollment by sourcedId.
    pub fn enrollment_by_id(&self, sourced_id: &str) -> Option<Value> {
        parse_id(sourced_id, "enr-")
            .filter(|i| *i < self.enrollments().len())
            .map(|i| self.enrollment(i))
    }

    /// One student's demographics by sourcedId.
    pub fn demographic_by_id(&self, sourced_id: &str) -> Option<Value> {
        match self.user_index(sourced_id) {
            Some((UserKind::Student, i)) => Some(self.demographic(i)),
            _ => None,
        }
    }
}

/// How many of `0..total` are congruent to `residue` modulo `modulus`.
fn count_congruent(total: u64, modulus: u64, residue: u64) -> u64 {
    if residue >= total {
        0
    } else {
        (total - residue).div_ceil(modulus)
    }
}

fn parse_id(sourced_id: &str, prefix: &str) -> Option<u64> {
    let digits = sourced_id.strip_prefix(prefix)?;
    // Only the canonical spelling: "sch-7", not "sch-07" or "sch-+7".
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
    {
        return None;
    }
    digits.parse().ok()
}

fn school_id(school: u64) -> String {
    format!("sch-{school}")
}

fn academic_session_id(i: u64) -> String {
    format!("as-{i}")
}

fn course_id(course: u64) -> String {
    format!("crs-{course}")
}

fn class_id(class: u64) -> String {
    format!("cls-{class}")
}

fn user_id(kind: UserKind, index: u64) -> String {
    format!("{}-{index}", kind.prefix())
}

fn enrollment_id(i: u64) -> String {
    format!("enr-{i}")
}
