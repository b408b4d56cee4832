//! The OneRoster 1.2 rostering API, under both base-URL shapes Infinite Campus hands out and
//! under a generic OneRoster 1.2 server's, the rostering root straight under the host.
//!
//! One catch-all route per base URL hands the path's segments to [`resolve`], which maps
//! them onto the district's lazy listings; paging, totals and links are applied here.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::behaviour::SIGN_IN_PAGE;
use crate::district::{District, Listing, UserKind};
use crate::oauth::{Claims, TokenProblem, verify_bearer};
use crate::query::{Filter, QueryError, parse_fields, parse_sort, project, sort_key};
use crate::{
    BIG_PAGE_BYTES, Behaviour, HUGE_RESPONSE_BYTES, SCOPE_DEMOGRAPHICS, SCOPE_ROSTER,
    SCOPE_ROSTER_CORE, SandboxConfig,
};

/// The district-wide base path.
pub const BASE_PATH: &str = "/campus/api/ims/oneroster/rostering/v1p2";
/// The app-scoped base path; `{app}` is the connection's appName.
pub const APP_BASE_PATH: &str = "/campus/api/oneroster/v1p2/{app}/ims/oneroster/rostering/v1p2";
/// A generic OneRoster 1.2 server's base path: the specification's own, at the host's root.
/// Same data and behaviours as the district-wide path; a token names its connection.
pub const GENERIC_BASE_PATH: &str = "/ims/oneroster/rostering/v1p2";

/// OneRoster's default page size.
const DEFAULT_LIMIT: u64 = 100;

pub(crate) fn router() -> Router<Arc<SandboxConfig>> {
    Router::new()
        .route(&format!("{BASE_PATH}/{{*rest}}"), get(district_wide))
        .route(&format!("{APP_BASE_PATH}/{{*rest}}"), get(app_scoped))
        .route(
            &format!("{GENERIC_BASE_PATH}/{{*rest}}"),
            get(district_wide),
        )
}

#[derive(Deserialize)]
struct Params {
    limit: Option<String>,
    offset: Option<String>,
    filter: Option<String>,
    sort: Option<String>,
    #[serde(rename = "orderBy")]
    order_by: Option<String>,
    fields: Option<String>,
}

/// A OneRoster failure: answered as an `imsx_StatusInfo` body with the HTTP status the
/// specification pairs with its code.
#[derive(Debug)]
pub(crate) struct StatusInfo {
    status: StatusCode,
    code_major: &'static str,
    code_minor: &'static str,
    description: String,
    /// The scope a `WWW-Authenticate: Bearer error="insufficient_scope"` challenge names.
    challenge: Option<&'static str>,
}

impl StatusInfo {
    fn failure(
        status: StatusCode,
        code_minor: &'static str,
        description: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code_major: "failure",
            code_minor,
            description: description.into(),
            challenge: None,
        }
    }

    fn unauthorised(problem: TokenProblem) -> Self {
        let description = match problem {
            TokenProblem::Missing => "An access token is required.",
            TokenProblem::Invalid => "The access token is not valid.",
            TokenProblem::Expired => "The access token has expired.",
        };
        Self::failure(StatusCode::UNAUTHORIZED, "unauthorisedrequest", description)
    }

    fn unknown(description: impl Into<String>) -> Self {
        Self::failure(StatusCode::NOT_FOUND, "unknownobject", description)
    }
}

impl IntoResponse for StatusInfo {
    fn into_response(self) -> Response {
        let challenge = self.challenge.and_then(|scope| {
            HeaderValue::from_str(&format!(
                "Bearer error=\"insufficient_scope\", scope=\"{scope}\""
            ))
            .ok()
        });
        let mut response = (
            self.status,
            Json(json!({
                "imsx_codeMajor": self.code_major,
                "imsx_severity": "error",
                "imsx_description": self.description,
                "imsx_CodeMinor": {
                    "imsx_codeMinorField": [{
                        "imsx_codeMinorFieldName": "TargetEndSystem",
                        "imsx_codeMinorFieldValue": self.code_minor,
                    }]
                }
            })),
        )
            .into_response();
        if let Some(challenge) = challenge {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, challenge);
        }
        response
    }
}

/// What a path names.
pub(crate) enum Resolved<'a> {
    /// A collection: the wrapper key and the records.
    Collection(&'static str, Listing<'a>),
    /// One record: the wrapper key and the record.
    Single(&'static str, Value),
}

fn found<'a>(
    key: &'static str,
    record: Option<Value>,
    what: &str,
    id: &str,
) -> Result<Resolved<'a>, StatusInfo> {
    record
        .map(|r| Resolved::Single(key, r))
        .ok_or_else(|| StatusInfo::unknown(format!("No {what} has the sourcedId '{id}'.")))
}

fn lookup<T>(index: Option<T>, what: &str, id: &str) -> Result<T, StatusInfo> {
    index.ok_or_else(|| StatusInfo::unknown(format!("No {what} has the sourcedId '{id}'.")))
}

/// Maps the path after the base URL onto the district.
pub(crate) fn resolve<'a>(
    district: &'a District,
    segments: &[&str],
) -> Result<Resolved<'a>, StatusInfo> {
    use Resolved::Collection as C;
    let d = district;
    let kind_of = |collection: &str| match collection {
        "students" => Some(UserKind::Student),
        "teachers" => Some(UserKind::Teacher),
        _ => None,
    };
    Ok(match segments {
        ["orgs"] => C("orgs", d.orgs()),
        ["orgs", id] => return found("org", d.org(id), "org", id),
        ["schools"] => C("orgs", d.schools()),
        ["schools", id] => {
            return found(
                "org",
                d.school_index(id).and_then(|s| d.schools().get(s)),
                "school",
                id,
            );
        }
        ["schools", id, "classes"] => C(
            "classes",
            d.classes_of_school(lookup(d.school_index(id), "school", id)?),
        ),
        ["schools", id, "courses"] => C(
            "courses",
            d.courses_of_school(lookup(d.school_index(id), "school", id)?),
        ),
        ["schools", id, "enrollments"] => C(
            "enrollments",
            d.enrollments_of_school(lookup(d.school_index(id), "school", id)?),
        ),
        ["schools", id, "terms"] => {
            lookup(d.school_index(id), "school", id)?;
            C("academicSessions", d.terms())
        }
        ["schools", id, kind @ ("students" | "teachers")] => {
            let school = lookup(d.school_index(id), "school", id)?;
            C(
                "users",
                d.users_of_school(kind_of(kind).unwrap_or(UserKind::Student), school),
            )
        }
        ["schools", school_id, "classes", class_id, rest] => {
            let school = lookup(d.school_index(school_id), "school", school_id)?;
            let class = lookup(d.class_index(class_id), "class", class_id)?;
            if d.school_of_class(class) != school {
                return Err(StatusInfo::unknown(format!(
                    "The class '{class_id}' is not in the school '{school_id}'."
                )));
            }
            match *rest {
                "students" => C("users", d.users_of_class(UserKind::Student, class)),
                "teachers" => C("users", d.users_of_class(UserKind::Teacher, class)),
                "enrollments" => C("enrollments", d.enrollments_of_class(class)),
                _ => return Err(unknown_path(segments)),
            }
        }
        ["academicSessions"] => C("academicSessions", d.academic_sessions()),
        ["academicSessions", id] => {
            return found(
                "academicSession",
                d.academic_session_by_id(id),
                "academic session",
                id,
            );
        }
        ["terms"] => C("academicSessions", d.terms()),
        ["terms", id] => {
            let term = lookup(d.term_index(id), "term", id)?;
            return found("academicSession", d.terms().get(term), "term", id);
        }
        ["terms", id, "gradingPeriods"] => C(
            "academicSessions",
            d.grading_periods_of_term(lookup(d.term_index(id), "term", id)?),
        ),
        ["terms", id, "classes"] => C(
            "classes",
            d.classes_of_term(lookup(d.term_index(id), "term", id)?),
        ),
        ["gradingPeriods"] => C("academicSessions", d.grading_periods()),
        ["gradingPeriods", id] => {
            let record = d
                .academic_session_by_id(id)
                .filter(|r| r["type"] == "gradingPeriod");
            return found("academicSession", record, "grading period", id);
        }
        ["courses"] => C("courses", d.courses()),
        ["courses", id] => return found("course", d.course_by_id(id), "course", id),
        ["courses", id, "classes"] => C(
            "classes",
            d.classes_of_course(lookup(d.course_index(id), "course", id)?),
        ),
        ["classes"] => C("classes", d.classes()),
        ["classes", id] => return found("class", d.class_by_id(id), "class", id),
        ["classes", id, "students"] => C(
            "users",
            d.users_of_class(UserKind::Student, lookup(d.class_index(id), "class", id)?),
        ),
        ["classes", id, "teachers"] => C(
            "users",
            d.users_of_class(UserKind::Teacher, lookup(d.class_index(id), "class", id)?),
        ),
        ["classes", id, "enrollments"] => C(
            "enrollments",
            d.enrollments_of_class(lookup(d.class_index(id), "class", id)?),
        ),
        ["users"] => C("users", d.users()),
        ["users", id] => return found("user", d.user_by_id(id), "user", id),
        [collection @ ("students" | "teachers")] => C(
            "users",
            d.users_of_kind(kind_of(collection).unwrap_or(UserKind::Student)),
        ),
        [collection @ ("students" | "teachers"), id] => {
            let wanted = kind_of(collection);
            let record = d
                .user_index(id)
                .filter(|(k, _)| Some(*k) == wanted)
                .and_then(|_| d.user_by_id(id));
            return found("user", record, collection.trim_end_matches('s'), id);
        }
        [
            collection @ ("users" | "students" | "teachers"),
            id,
            "classes",
        ] => {
            let (kind, index) = lookup(d.user_index(id), "user", id)?;
            if kind_of(collection).is_some_and(|wanted| wanted != kind) {
                return Err(StatusInfo::unknown(format!(
                    "No {} has the sourcedId '{id}'.",
                    collection.trim_end_matches('s')
                )));
            }
            C("classes", d.classes_of_user(kind, index))
        }
        ["enrollments"] => C("enrollments", d.enrollments()),
        ["enrollments", id] => {
            return found("enrollment", d.enrollment_by_id(id), "enrollment", id);
        }
        ["demographics"] => C("demographics", d.demographics()),
        // The specification wraps a single demographics record in the plural key.
        ["demographics", id] => {
            return found(
                "demographics",
                d.demographic_by_id(id),
                "demographics record",
                id,
            );
        }
        _ => return Err(unknown_path(segments)),
    })
}

fn unknown_path(segments: &[&str]) -> StatusInfo {
    StatusInfo::unknown(format!(
        "There is no OneRoster 1.2 endpoint at '/{}'.",
        segments.join("/")
    ))
}

fn parse_count(raw: Option<&str>, default: u64, name: &str) -> Result<u64, StatusInfo> {
    match raw {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|_| {
            StatusInfo::failure(
                StatusCode::BAD_REQUEST,
                "invalid_selection_field",
                format!("{name} must be a non-negative whole number"),
            )
        }),
    }
}

/// The scopes a path needs: demographics need their own scope, the rest any roster scope.
fn check_scope(claims: &Claims, segments: &[&str]) -> Result<(), StatusInfo> {
    let granted: Vec<&str> = claims.scope.split_whitespace().collect();
    let allowed = if segments.first() == Some(&"demographics") {
        granted.contains(&SCOPE_DEMOGRAPHICS)
    } else {
        granted
            .iter()
            .any(|s| *s == SCOPE_ROSTER_CORE || *s == SCOPE_ROSTER)
    };
    if allowed {
        Ok(())
    } else {
        Err(StatusInfo {
            // RFC 6750 §3.1: what tells a refused scope apart from a switched-off
            // connection, whose 403 carries no such challenge.
            challenge: Some(if segments.first() == Some(&"demographics") {
                SCOPE_DEMOGRAPHICS
            } else {
                SCOPE_ROSTER_CORE
            }),
            ..StatusInfo::failure(
                StatusCode::FORBIDDEN,
                "forbidden",
                "The access token's scope does not allow this request.",
            )
        })
    }
}

/// `Link` header with first/prev/next/last pages, keeping the request's other parameters.
fn link_header(uri: &Uri, offset: u64, limit: u64, total: u64) -> Option<HeaderValue> {
    if limit == 0 {
        return None;
    }
    let others: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("offset=") && !p.starts_with("limit="))
        .collect();
    let href = |at: u64| {
        let mut query = others.clone();
        let limit_param = format!("limit={limit}");
        let offset_param = format!("offset={at}");
        query.push(&limit_param);
        query.push(&offset_param);
        format!("<{}?{}>", uri.path(), query.join("&"))
    };
    let last = if total == 0 {
        0
    } else {
        (total - 1) / limit * limit
    };
    let mut links = vec![format!("{}; rel=\"first\"", href(0))];
    if offset > 0 {
        links.push(format!(
            "{}; rel=\"prev\"",
            href(offset.saturating_sub(limit))
        ));
    }
    if offset.saturating_add(limit) < total {
        links.push(format!("{}; rel=\"next\"", href(offset + limit)));
    }
    links.push(format!("{}; rel=\"last\"", href(last)));
    HeaderValue::from_str(&links.join(", ")).ok()
}

impl From<QueryError> for StatusInfo {
    fn from(error: QueryError) -> Self {
        Self::failure(
            StatusCode::BAD_REQUEST,
            error.code_minor(),
            error.to_string(),
        )
    }
}

/// Answers an authenticated API call the way the connection's behaviour says.
async fn serve_api(
    config: &SandboxConfig,
    claims: &Claims,
    rest: &str,
    params: &Params,
    uri: &Uri,
) -> Result<Response, StatusInfo> {
    let behaviour = config
        .connections
        .iter()
        .find(|c| c.client_id == claims.sub && c.app_name == claims.app)
        .map_or(Behaviour::Working, |c| config.overrides.of(c));
    match behaviour {
        Behaviour::TokenExpiresAfterFirstCall if !config.used_tokens.first_use(&claims.jti) => {
            return Err(StatusInfo::unauthorised(TokenProblem::Expired));
        }
        Behaviour::OneRoster11 => {
            return Err(StatusInfo::unknown(
                "This connection was generated for OneRoster 1.1; it has no OneRoster 1.2 API.",
            ));
        }
        Behaviour::Inactive => {
            return Err(StatusInfo::failure(
                StatusCode::FORBIDDEN,
                "forbidden",
                "This OneRoster connection is not active.",
            ));
        }
        Behaviour::ServerError => {
            return Err(StatusInfo::failure(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_server_error",
                "An unexpected error occurred.",
            ));
        }
        Behaviour::RateLimited => {
            let mut response = StatusInfo::failure(
                StatusCode::TOO_MANY_REQUESTS,
                "server_busy",
                "Too many requests; try again later.",
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
            return Ok(response);
        }
        Behaviour::MalformedJson => {
            return Ok((
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"orgs":[{"sourcedId":"district-1","status":"act"#,
            )
                .into_response());
        }
        Behaviour::HtmlSignIn => return Ok(Html(SIGN_IN_PAGE).into_response()),
        Behaviour::HugeResponse => return Ok(huge_response()),
        Behaviour::CutMidBody => return Ok(cut_mid_body()),
        Behaviour::Slow => tokio::time::sleep(config.slow_delay).await,
        _ => {}
    }
    let one_school;
    let params = if behaviour == Behaviour::OneSchool && rest.trim_matches('/') == "schools" {
        // The connection is limited to one school: the list holds it alone.
        one_school = Params {
            limit: Some("1".into()),
            offset: None,
            filter: params.filter.clone(),
            sort: params.sort.clone(),
            order_by: params.order_by.clone(),
            fields: params.fields.clone(),
        };
        &one_school
    } else {
        params
    };
    let ignoring;
    let params = if behaviour == Behaviour::IgnoresFilter && rest.trim_matches('/') == "orgs" {
        // Whatever was asked, the schools come first and the district last.
        ignoring = Params {
            filter: None,
            sort: Some("type".into()),
            order_by: Some("desc".into()),
            limit: params.limit.clone(),
            offset: params.offset.clone(),
            fields: params.fields.clone(),
        };
        &ignoring
    } else {
        params
    };
    let mut response = answer(config, claims, rest, params, uri, behaviour)?;
    if behaviour == Behaviour::NoTotalCount {
        response.headers_mut().remove("x-total-count");
    }
    if behaviour == Behaviour::OneSchool && rest.trim_matches('/') == "schools" {
        response
            .headers_mut()
            .insert("x-total-count", HeaderValue::from(1));
        response.headers_mut().remove(header::LINK);
    }
    if behaviour == Behaviour::BigPages && response.status().is_success() {
        return Ok(big_page(response).await);
    }
    Ok(response)
}

/// [`Behaviour::BigPages`]' answer: a list answer's first record, then tiny records up to
/// [`BIG_PAGE_BYTES`], streamed from one shared chunk so the sandbox holds almost none of
/// it (the proxy's memory benchmark counts the whole process). Other answers pass as they are.
async fn big_page(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BIG_PAGE_BYTES).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let list = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|answer| match answer {
            Value::Object(members) => members.into_iter().find(|(_, v)| v.is_array()),
            _ => None,
        });
    let Some((key, Value::Array(records))) = list else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    const RECORD: &str = r#",{"sourcedId":"p"}"#;
    const CHUNK_RECORDS: usize = 512;
    let head = match records.first() {
        Some(first) => format!("{{{}:[{first}", Value::String(key)),
        None => format!("{{{}:[{{\"sourcedId\":\"p\"}}", Value::String(key)),
    };
    let tail = "]}";
    let room = BIG_PAGE_BYTES.saturating_sub(head.len() + tail.len()) / RECORD.len();
    let chunk = Bytes::from(RECORD.repeat(CHUNK_RECORDS));
    let rest = Bytes::from(RECORD.repeat(room % CHUNK_RECORDS));
    let body = std::iter::once(Bytes::from(head))
        .chain(std::iter::repeat_n(chunk, room / CHUNK_RECORDS))
        .chain([rest, Bytes::from_static(tail.as_bytes())])
        .map(Ok::<_, std::convert::Infallible>);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from_stream(futures_util::stream::iter(body)))
}

/// [`Behaviour::CutMidBody`]'s answer: the status and the start of a JSON body, then the
/// connection fails, as when a proxy or a load balancer drops it half way.
fn cut_mid_body() -> Response {
    let start = Bytes::from_static(b"{\"orgs\":[{\"sourcedId\":\"district-1\",");
    let body = futures_util::stream::unfold(Some(start), |start| async move {
        match start {
            Some(start) => Some((Ok(start), None)),
            None => {
                // Long enough for the status and the first bytes to be on the wire.
                tokio::time::sleep(CUT_AFTER).await;
                let cut = std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "the connection was cut",
                );
                Some((Err(cut), None))
            }
        }
    });
    (
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(body),
    )
        .into_response()
}

/// [`Behaviour::HostileNames`]' district name: a right-to-left override, a bell, a line
/// break and far more text than a name needs.
fn hostile_name(name: &str) -> String {
    format!(
        "\u{202E}{name}\u{2066}\u{7}\n{}",
        " and its schools".repeat(20)
    )
}

/// How long [`Behaviour::CutMidBody`]'s answer runs before the connection is cut.
const CUT_AFTER: std::time::Duration = std::time::Duration::from_millis(20);

/// A valid JSON document of [`HUGE_RESPONSE_BYTES`], streamed so the sandbox never holds it.
fn huge_response() -> Response {
    const CHUNK_RECORDS: usize = 512;
    let record = r#"{"sourcedId":"padding","status":"active","name":"A record that no sane page would repeat this often"},"#;
    let chunk = Bytes::from(record.repeat(CHUNK_RECORDS));
    let chunks = HUGE_RESPONSE_BYTES / chunk.len();
    let body = std::iter::once(Bytes::from_static(b"{\"orgs\":["))
        .chain(std::iter::repeat_n(chunk, chunks))
        .chain(std::iter::once(Bytes::from_static(
            b"{\"sourcedId\":\"end\"}]}",
        )))
        .map(Ok::<_, std::convert::Infallible>);
    (
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(futures_util::stream::iter(body)),
    )
        .into_response()
}

fn answer(
    config: &SandboxConfig,
    claims: &Claims,
    rest: &str,
    params: &Params,
    uri: &Uri,
    behaviour: Behaviour,
) -> Result<Response, StatusInfo> {
    let no_data_shared = behaviour == Behaviour::NoDataShared;
    let no_district = behaviour == Behaviour::NoDistrictOrg;
    let mut segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    check_scope(claims, &segments)?;
    let district_id = config.district.sourced_id();
    if no_district {
        // A server that lists only schools: `orgs` are the schools, the district is unknown.
        match segments.as_slice() {
            ["orgs"] => segments = vec!["schools"],
            ["orgs", id] if *id == district_id => {
                return Err(StatusInfo::unknown(format!(
                    "No org has the sourcedId '{id}'."
                )));
            }
            _ => {}
        }
    }
    let (key, resolved) = match resolve(&config.district, &segments)? {
        // With no data shared, the API knows the endpoints but none of the records.
        Resolved::Single(..) if no_data_shared => {
            return Err(StatusInfo::unknown("No record has that sourcedId."));
        }
        Resolved::Collection(key, _) if no_data_shared => (key, Ok(Listing::empty())),
        Resolved::Single(key, record) => (key, Err(record)),
        Resolved::Collection(key, listing) => (key, Ok(listing)),
    };
    let fields = params
        .fields
        .as_deref()
        .map(|f| parse_fields(f, key))
        .transpose()?;
    let shape = |record: Value| {
        let mut record = match &fields {
            Some(fields) => project(record, fields),
            None => record,
        };
        // Its schools have no parent: there is no district to point at.
        if no_district
            && matches!(key, "orgs" | "org")
            && let Some(org) = record.as_object_mut()
        {
            org.remove("parent");
        }
        if behaviour == Behaviour::HostileNames
            && record["type"] == "district"
            && let Some(name) = record["name"].as_str().map(hostile_name)
        {
            record["name"] = json!(name);
        }
        record
    };
    let listing = match resolved {
        Err(record) => return Ok(Json(json!({ key: shape(record) })).into_response()),
        Ok(listing) => listing,
    };
    let filter = params
        .filter
        .as_deref()
        .map(|f| Filter::parse(f, key))
        .transpose()?;
    let sort = params
        .sort
        .as_deref()
        .map(|s| parse_sort(s, params.order_by.as_deref(), key))
        .transpose()?;
    let limit = parse_count(params.limit.as_deref(), DEFAULT_LIMIT, "limit")?;
    let offset = parse_count(params.offset.as_deref(), 0, "offset")?;
    let (total, page) = if filter.is_none() && sort.is_none() {
        // The common case costs one page, whatever the district's size.
        (listing.len(), listing.page(offset, limit))
    } else {
        // Filtering and sorting scan the collection (or the part an index points at) but
        // keep only indices and sort keys.
        let candidates =
            listing.candidates(|field| filter.as_ref().and_then(|f| f.required_value(field)));
        let mut matching: Vec<u64> = candidates
            .filter(|i| match &filter {
                Some(filter) => listing.get(*i).is_some_and(|r| filter.matches(&r)),
                None => true,
            })
            .collect();
        if let Some((field, descending)) = &sort {
            matching.sort_by_cached_key(|i| {
                listing
                    .get(*i)
                    .map(|r| sort_key(&r, field))
                    .unwrap_or_default()
            });
            if *descending {
                matching.reverse();
            }
        }
        let page = matching
            .iter()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .filter_map(|i| listing.get(*i))
            .collect();
        (matching.len() as u64, page)
    };
    let page: Vec<Value> = page.into_iter().map(shape).collect();
    let mut response = Json(json!({ key: page })).into_response();
    let headers = response.headers_mut();
    headers.insert("x-total-count", HeaderValue::from(total));
    if let Some(link) = link_header(uri, offset, limit, total) {
        headers.insert(header::LINK, link);
    }
    Ok(response)
}

async fn district_wide(
    State(config): State<Arc<SandboxConfig>>,
    Path(rest): Path<String>,
    Query(params): Query<Params>,
    // The URI as the client sent it, so paging links keep any prefix the sandbox is nested
    // under (the demo serves it at `/sandbox`).
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, StatusInfo> {
    let claims = verify_bearer(&config, &headers).map_err(StatusInfo::unauthorised)?;
    serve_api(&config, &claims, &rest, &params, &uri).await
}

async fn app_scoped(
    State(config): State<Arc<SandboxConfig>>,
    Path((app, rest)): Path<(String, String)>,
    Query(params): Query<Params>,
    // The URI as the client sent it, so paging links keep any prefix the sandbox is nested
    // under (the demo serves it at `/sandbox`).
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, StatusInfo> {
    let claims = verify_bearer(&config, &headers).map_err(StatusInfo::unauthorised)?;
    // A token issued for one app does not open another app's base URL.
    if claims.app != app {
        return Err(StatusInfo::unauthorised(TokenProblem::Invalid));
    }
    serve_api(&config, &claims, &rest, &params, &uri).await
}
