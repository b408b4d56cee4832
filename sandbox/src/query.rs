//! OneRoster 1.2 query parameters: `filter`, `sort`/`orderBy` and `fields`.
//!
//! Filters are `field<op>'value'` predicates joined by ` AND ` / ` OR ` (AND binds tighter),
//! with the operators `= != > >= < <= ~` (`~` is a case-insensitive "contains"). Values
//! compare as strings, which orders ISO 8601 dates (`dateLastModified`) correctly.

use serde_json::Value;

/// Why a query parameter was refused; the message goes into `imsx_description`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// The filter names a field this record type does not have (or not a scalar one).
    UnknownFilterField(String),
    /// The filter is not `field<op>'value'` joined by AND/OR.
    MalformedFilter(String),
    /// `sort` names a field this record type does not have (or not a scalar one).
    UnknownSortField(String),
    /// `fields` names a field this record type does not have.
    UnknownField(String),
    /// `orderBy` is neither `asc` nor `desc`.
    BadOrder(String),
}

impl QueryError {
    /// The `imsx_codeMinor` value the specification gives this problem.
    pub fn code_minor(&self) -> &'static str {
        match self {
            Self::UnknownFilterField(_) | Self::MalformedFilter(_) => "invalid_filter_field",
            Self::UnknownSortField(_) | Self::BadOrder(_) => "invalid_sort_field",
            Self::UnknownField(_) => "invalid_selection_field",
        }
    }
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownFilterField(field) => {
                write!(f, "The filter field '{field}' is not valid here.")
            }
            Self::MalformedFilter(why) => write!(f, "The filter is malformed: {why}."),
            Self::UnknownSortField(field) => {
                write!(f, "The sort field '{field}' is not valid here.")
            }
            Self::UnknownField(field) => write!(f, "The field '{field}' is not valid here."),
            Self::BadOrder(order) => write!(f, "orderBy must be 'asc' or 'desc', not '{order}'."),
        }
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Contains,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Predicate {
    field: String,
    op: Op,
    value: String,
}

/// A parsed filter: OR of ANDs of predicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    any_of: Vec<Vec<Predicate>>,
}

/// The collection wrapper key of a record type, from either of its wrapper keys.
fn collection_key(key: &str) -> &str {
    match key {
        "org" => "orgs",
        "academicSession" => "academicSessions",
        "course" => "courses",
        "class" => "classes",
        "user" => "users",
        "enrollment" => "enrollments",
        other => other,
    }
}

/// The scalar fields of a record type (by wrapper key): what filter and sort accept.
pub fn scalar_fields(key: &str) -> &'static [&'static str] {
    match collection_key(key) {
        "orgs" => &[
            "sourcedId",
            "status",
            "dateLastModified",
            "name",
            "type",
            "identifier",
        ],
        "academicSessions" => &[
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "type",
            "startDate",
            "endDate",
            "schoolYear",
        ],
        "courses" => &[
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "courseCode",
        ],
        "classes" => &[
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "classCode",
            "classType",
            "location",
        ],
        "users" => &[
            "sourcedId",
            "status",
            "dateLastModified",
            "enabledUser",
            "username",
            "givenName",
            "familyName",
            "email",
        ],
        "enrollments" => &[
            "sourcedId",
            "status",
            "dateLastModified",
            "role",
            "primary",
            "beginDate",
            "endDate",
        ],
        "demographics" => &[
            "sourcedId",
            "status",
            "dateLastModified",
            "birthDate",
            "sex",
            "americanIndianOrAlaskaNative",
            "asian",
            "blackOrAfricanAmerican",
            "nativeHawaiianOrOtherPacificIslander",
            "white",
            "demographicRaceTwoOrMoreRaces",
            "hispanicOrLatinoEthnicity",
        ],
        _ => &[],
    }
}

/// Every field of a record type (scalars, references and lists): what `fields` accepts.
pub fn all_fields(key: &str) -> Vec<&'static str> {
    let extra: &[&str] = match collection_key(key) {
        "orgs" => &["parent", "children", "metadata"],
        "academicSessions" => &["parent", "children", "metadata"],
        "courses" => &["grades", "schoolYear", "org", "metadata"],
        "classes" => &[
            "grades", "subjects", "course", "school", "terms", "periods", "metadata",
        ],
        "users" => &["userIds", "roles", "grades", "agents", "metadata"],
        "enrollments" => &["user", "class", "school", "metadata"],
        _ => &["metadata"],
    };
    scalar_fields(key).iter().chain(extra).copied().collect()
}

fn field_text(record: &Value, field: &str) -> String {
    match record.get(field) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

impl Filter {
    /// Parses a filter for a record type.
    pub fn parse(input: &str, key: &str) -> Result<Self, QueryError> {
        let allowed = scalar_fields(key);
        let mut rest = input.trim();
        let mut any_of = vec![vec![]];
        loop {
            let (predicate, after) = parse_predicate(rest)?;
            if !allowed.contains(&predicate.field.as_str()) {
                return Err(QueryError::UnknownFilterField(predicate.field));
            }
            if let Some(all_of) = any_of.last_mut() {
                all_of.push(predicate);
            }
            let after = after.trim_start();
            if after.is_empty() {
                break;
            }
            if let Some(next) = strip_keyword(after, "AND") {
                rest = next;
            } else if let Some(next) = strip_keyword(after, "OR") {
                any_of.push(vec![]);
                rest = next;
            } else {
                return Err(QueryError::MalformedFilter(format!(
                    "expected AND or OR before '{after}'"
                )));
            }
        }
        Ok(Self { any_of })
    }

    /// The value every matching record must have in `field`, when the filter demands one
    /// (`field='value'` in a filter without OR): what an index can answer.
    pub fn required_value(&self, field: &str) -> Option<&str> {
        match self.any_of.as_slice() {
            [all_of] => all_of
                .iter()
                .find(|p| p.field == field && p.op == Op::Eq)
                .map(|p| p.value.as_str()),
            _ => None,
        }
    }

    /// True when the record satisfies the filter.
    pub fn matches(&self, record: &Value) -> bool {
        self.any_of.iter().any(|all_of| {
            all_of.iter().all(|p| {
                let actual = field_text(record, &p.field);
                match p.op {
                    Op::Eq => actual == p.value,
                    Op::Ne => actual != p.value,
                    Op::Gt => actual > p.value,
                    Op::Ge => actual >= p.value,
                    Op::Lt => actual < p.value,
                    Op::Le => actual <= p.value,
                    Op::Contains => actual.to_lowercase().contains(&p.value.to_lowercase()),
                }
            })
        })
    }
}

fn strip_keyword<'a>(input: &'a str, keyword: &str) -> Option<&'a str> {
    let rest = input.strip_prefix(keyword)?;
    rest.starts_with(char::is_whitespace)
        .then(|| rest.trim_start())
}

fn parse_predicate(input: &str) -> Result<(Predicate, &str), QueryError> {
    let input = input.trim_start();
    let name_end = input
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(input.len());
    if name_end == 0 {
        return Err(QueryError::MalformedFilter("expected a field name".into()));
    }
    let field = input[..name_end].to_owned();
    let rest = input[name_end..].trim_start();
    let (op, rest) = [
        ("!=", Op::Ne),
        (">=", Op::Ge),
        ("<=", Op::Le),
        ("=", Op::Eq),
        (">", Op::Gt),
        ("<", Op::Lt),
        ("~", Op::Contains),
    ]
    .into_iter()
    .find_map(|(text, op)| rest.strip_prefix(text).map(|r| (op, r)))
    .ok_or_else(|| QueryError::MalformedFilter(format!("expected an operator after '{field}'")))?;
    let rest = rest.trim_start();
    let body = rest.strip_prefix('\'').ok_or_else(|| {
        QueryError::MalformedFilter(format!("the value for '{field}' must be in single quotes"))
    })?;
    // A quote inside a value is written twice ('O''Brien').
    let mut value = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            if let Some((_, '\'')) = chars.peek() {
                chars.next();
                value.push('\'');
                continue;
            }
            return Ok((Predicate { field, op, value }, &body[i + 1..]));
        }
        value.push(c);
    }
    Err(QueryError::MalformedFilter(format!(
        "the value for '{field}' has no closing quote"
    )))
}

/// Checks `sort`/`orderBy`; answers the field and whether the order is descending.
pub fn parse_sort(
    sort: &str,
    order_by: Option<&str>,
    key: &str,
) -> Result<(String, bool), QueryError> {
    let field = sort.trim();
    if !scalar_fields(key).contains(&field) {
        return Err(QueryError::UnknownSortField(field.to_owned()));
    }
    let descending = match order_by.map(str::trim) {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(other) => return Err(QueryError::BadOrder(other.to_owned())),
    };
    Ok((field.to_owned(), descending))
}

/// Checks `fields`; answers the field names to keep.
pub fn parse_fields(fields: &str, key: &str) -> Result<Vec<String>, QueryError> {
    let known = all_fields(key);
    fields
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|f| {
            if known.contains(&f) {
                Ok(f.to_owned())
            } else {
                Err(QueryError::UnknownField(f.to_owned()))
            }
        })
        .collect()
}

/// Keeps only the named fields of a record.
pub fn project(record: Value, fields: &[String]) -> Value {
    match record {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| fields.iter().any(|f| f == k))
                .collect(),
        ),
        other => other,
    }
}

/// The text a record sorts by.
pub fn sort_key(record: &Value, field: &str) -> String {
    field_text(record, field)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "sourcedId": "stu-1", "status": "active", "givenName": "Ana",
            "familyName": "O'Brien", "dateLastModified": "2026-08-01T00:00:00.000Z",
        })
    }

    fn check(filter: &str) -> Result<bool, QueryError> {
        Filter::parse(filter, "users").map(|f| f.matches(&user()))
    }

    #[test]
    fn operators_compare_as_strings() {
        assert_eq!(check("status='active'"), Ok(true));
        assert_eq!(check("status!='active'"), Ok(false));
        assert_eq!(check("dateLastModified>'2026-01-01'"), Ok(true));
        assert_eq!(
            check("dateLastModified>='2026-08-01T00:00:00.000Z'"),
            Ok(true)
        );
        assert_eq!(check("dateLastModified<'2026-01-01'"), Ok(false));
        assert_eq!(
            check("dateLastModified<='2026-08-01T00:00:00.000Z'"),
            Ok(true)
        );
        assert_eq!(
            check("givenName~'an'"),
            Ok(true),
            "contains, case-insensitive"
        );
        assert_eq!(check("familyName='O''Brien'"), Ok(true), "doubled quote");
    }

    #[test]
    fn and_binds_tighter_than_or() {
        assert_eq!(
            check("status='x' AND givenName='Ana' OR sourcedId='stu-1'"),
            Ok(true)
        );
        assert_eq!(
            check("status='x' AND givenName='Ana' OR sourcedId='stu-2'"),
            Ok(false)
        );
        assert_eq!(
            check("status = 'active' AND givenName = 'Ana'"),
            Ok(true),
            "spaces allowed"
        );
    }

    #[test]
    fn bad_filters_say_what_is_wrong() {
        assert_eq!(
            check("shoeSize='9'"),
            Err(QueryError::UnknownFilterField("shoeSize".into()))
        );
        assert!(matches!(
            check("status=active"),
            Err(QueryError::MalformedFilter(_))
        ));
        assert!(matches!(
            check("status='active"),
            Err(QueryError::MalformedFilter(_))
        ));
        assert!(matches!(
            check("status='a' XOR givenName='b'"),
            Err(QueryError::MalformedFilter(_))
        ));
        assert!(matches!(
            check("status"),
            Err(QueryError::MalformedFilter(_))
        ));
        assert!(matches!(check(""), Err(QueryError::MalformedFilter(_))));
    }

    #[test]
    fn sort_and_fields_are_checked() {
        assert_eq!(
            parse_sort("familyName", Some("desc"), "users"),
            Ok(("familyName".into(), true))
        );
        assert!(parse_sort("roles", None, "users").is_err(), "not a scalar");
        assert!(parse_sort("familyName", Some("up"), "users").is_err());
        assert_eq!(
            parse_fields("sourcedId, roles", "users"),
            Ok(vec!["sourcedId".into(), "roles".into()])
        );
        assert!(parse_fields("sourcedId,shoeSize", "users").is_err());
        assert_eq!(
            project(user(), &["givenName".into()]),
            json!({ "givenName": "Ana" })
        );
    }

    /// Property tests: any text is parsed without panicking, and every filter the grammar
    /// allows, however spaced, parses back to itself. `PROPTEST_CASES` cases (256 by
    /// default; the README's "Fuzzing" section has the longer runs).
    mod properties {
        use super::*;
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};

        const KEYS: &[&str] = &[
            "orgs",
            "schools",
            "academicSessions",
            "courses",
            "classes",
            "users",
            "students",
            "teachers",
            "enrollments",
            "demographics",
        ];
        const OPS: &[(&str, Op)] = &[
            ("=", Op::Eq),
            ("!=", Op::Ne),
            (">", Op::Gt),
            (">=", Op::Ge),
            ("<", Op::Lt),
            ("<=", Op::Le),
            ("~", Op::Contains),
        ];
        const SPACE: &[&str] = &["", " ", "  ", "\t", " \n "];

        fn config() -> Config {
            let cases = std::env::var("PROPTEST_CASES")
                .ok()
                .and_then(|cases| cases.parse().ok())
                .unwrap_or(256);
            Config::with_cases(cases)
        }

        fn op_text(op: Op) -> &'static str {
            OPS.iter()
                .find(|(_, o)| *o == op)
                .map_or("=", |(text, _)| text)
        }

        /// A predicate on one of `key`'s filterable fields, with any value, spaced anyhow.
        fn predicate(key: &'static str) -> impl Strategy<Value = (Predicate, String)> {
            let value = prop_oneof![any::<String>(), "[a-z' ]{0,12}", Just("O'Brien".to_owned())];
            (
                proptest::sample::select(scalar_fields(key)),
                proptest::sample::select(OPS),
                value,
                proptest::sample::select(SPACE),
                proptest::sample::select(SPACE),
            )
                .prop_map(|(field, (op_text, op), value, before, after)| {
                    let text = format!(
                        "{field}{before}{op_text}{after}'{}'",
                        value.replace('\'', "''")
                    );
                    let predicate = Predicate {
                        field: field.to_owned(),
                        op,
                        value,
                    };
                    (predicate, text)
                })
        }

        /// A filter (OR of ANDs) and a text of it.
        fn filter() -> impl Strategy<Value = (&'static str, Filter, String)> {
            // Only record types with filterable fields: filtering the others out case by
            // case would run into proptest's cap on rejected cases in a long run.
            let keys: Vec<&'static str> = KEYS
                .iter()
                .copied()
                .filter(|key| !scalar_fields(key).is_empty())
                .collect();
            proptest::sample::select(keys)
                .prop_flat_map(|key| {
                    let all_of = proptest::collection::vec(predicate(key), 1..4);
                    (
                        Just(key),
                        proptest::collection::vec(all_of, 1..4),
                        proptest::sample::select(SPACE),
                    )
                })
                .prop_map(|(key, groups, space)| {
                    let text = groups
                        .iter()
                        .map(|group| {
                            group
                                .iter()
                                .map(|(_, text)| text.as_str())
                                .collect::<Vec<_>>()
                                .join(&format!("{space} AND {space}"))
                        })
                        .collect::<Vec<_>>()
                        .join(&format!(" {space}OR "));
                    let any_of = groups
                        .into_iter()
                        .map(|group| group.into_iter().map(|(p, _)| p).collect())
                        .collect();
                    (key, Filter { any_of }, format!("{space}{text}{space}"))
                })
        }

        /// The filter written out in the grammar's plainest spelling.
        fn render(filter: &Filter) -> String {
            filter
                .any_of
                .iter()
                .map(|all_of| {
                    all_of
                        .iter()
                        .map(|p| {
                            format!(
                                "{}{}'{}'",
                                p.field,
                                op_text(p.op),
                                p.value.replace('\'', "''")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(" AND ")
                })
                .collect::<Vec<_>>()
                .join(" OR ")
        }

        #[test]
        fn every_valid_filter_parses_back_to_itself() {
            TestRunner::new(config())
                .run(&filter(), |(key, filter, text)| {
                    prop_assert_eq!(Filter::parse(&text, key), Ok(filter.clone()), "{:?}", text);
                    prop_assert_eq!(Filter::parse(&render(&filter), key), Ok(filter));
                    Ok(())
                })
                .unwrap_or_else(|e| panic!("{e}"));
        }

        #[test]
        fn any_text_is_parsed_or_refused_without_panicking() {
            let text = prop_oneof![
                any::<String>(),
                "[a-zA-Z_. =!<>~'\t]{0,60}",
                "(status|type|sourcedId|givenName)( ?)(=|!=|>=|<=|~|<|>)( ?)('[^']{0,5}'|'')( (AND|OR|XOR|and) )?{1,4}",
            ];
            let cases = (text, proptest::sample::select(KEYS), "[a-zA-Z, ]{0,30}");
            let record = json!({ "sourcedId": "s1", "status": "active", "type": "district" });
            TestRunner::new(config())
                .run(&cases, |(text, key, fields)| {
                    // Whatever parses is a filter the grammar writes the same way again.
                    if let Ok(filter) = Filter::parse(&text, key) {
                        let _ = filter.matches(&record);
                        let _ = filter.required_value("type");
                        prop_assert_eq!(Filter::parse(&render(&filter), key), Ok(filter));
                    }
                    let _ = parse_sort(&text, Some(&fields), key);
                    let _ = parse_fields(&text, key);
                    let _ = parse_fields(&fields, key);
                    Ok(())
                })
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
}
