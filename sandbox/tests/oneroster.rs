//! The sandbox holds to OneRoster 1.2's wire facts: wrapper keys per endpoint, paging with
//! totals and links, single and nested reads, error bodies and statuses, scopes.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{access_token, code_minor, serve, tiny};
use reqwest::StatusCode;
use serde_json::Value;
use sis_onboard_sandbox::{District, DistrictSize, SandboxConfig};

const BASE: &str = "/campus/api/ims/oneroster/rostering/v1p2";
const APP_BASE: &str = "/campus/api/oneroster/v1p2/sandbox/ims/oneroster/rostering/v1p2";
const DEMOGRAPHICS_SCOPE: &str =
    "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly";
const CORE_SCOPE: &str = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly";

struct Api {
    base: String,
    token: String,
}

impl Api {
    async fn start(config: SandboxConfig) -> Self {
        let base = serve(config).await;
        let token = access_token(&base, None).await;
        Self { base, token }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(format!("{}{BASE}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
    }

    async fn json(&self, path: &str) -> (StatusCode, Value) {
        let response = self.get(path).await;
        (response.status(), response.json().await.unwrap())
    }
}

#[tokio::test]
async fn wrappers_are_keyed_by_record_type() {
    let api = Api::start(tiny()).await;
    let cases = [
        ("/orgs", "orgs"),
        ("/schools", "orgs"),
        ("/academicSessions", "academicSessions"),
        ("/terms", "academicSessions"),
        ("/gradingPeriods", "academicSessions"),
        ("/courses", "courses"),
        ("/classes", "classes"),
        ("/users", "users"),
        ("/students", "users"),
        ("/teachers", "users"),
        ("/enrollments", "enrollments"),
        ("/demographics", "demographics"),
        ("/schools/sch-0/classes", "classes"),
        ("/schools/sch-0/students", "users"),
        ("/schools/sch-0/teachers", "users"),
        ("/schools/sch-0/courses", "courses"),
        ("/schools/sch-0/enrollments", "enrollments"),
        ("/schools/sch-0/terms", "academicSessions"),
        ("/classes/cls-0/students", "users"),
        ("/classes/cls-0/teachers", "users"),
        ("/users/stu-0/classes", "classes"),
        ("/students/stu-0/classes", "classes"),
        ("/teachers/tch-0/classes", "classes"),
        ("/terms/as-1/gradingPeriods", "academicSessions"),
        ("/terms/as-1/classes", "classes"),
        ("/courses/crs-0/classes", "classes"),
    ];
    for (path, key) in cases {
        let response = api.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let total: u64 = response.headers()["x-total-count"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let body: Value = response.json().await.unwrap();
        let records = body[key]
            .as_array()
            .unwrap_or_else(|| panic!("{path} has no '{key}'"));
        assert_eq!(
            records.len() as u64,
            total.min(100),
            "{path}: the page agrees with the total"
        );
        assert_eq!(
            body.as_object().unwrap().len(),
            1,
            "{path}: one wrapper key"
        );
    }
}

#[tokio::test]
async fn single_reads_use_the_singular_key_but_demographics() {
    let api = Api::start(tiny()).await;
    let cases = [
        ("/orgs/district-1", "org"),
        ("/schools/sch-1", "org"),
        ("/academicSessions/as-0", "academicSession"),
        ("/terms/as-2", "academicSession"),
        ("/gradingPeriods/as-3", "academicSession"),
        ("/courses/crs-3", "course"),
        ("/classes/cls-5", "class"),
        ("/users/grd-1", "user"),
        ("/students/stu-3", "user"),
        ("/teachers/tch-1", "user"),
        ("/enrollments/enr-7", "enrollment"),
        ("/demographics/stu-3", "demographics"),
    ];
    for (path, key) in cases {
        let (status, body) = api.json(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let id = path.rsplit('/').next().unwrap();
        assert_eq!(body[key]["sourcedId"], id, "{path}");
    }
}

#[tokio::test]
async fn unknown_ids_and_paths_are_404_status_info() {
    let api = Api::start(tiny()).await;
    for path in [
        "/users/stu-9999",
        "/students/tch-0",
        "/schools/district-1",
        "/terms/as-3",
        "/classes/cls-01",
        "/classes/nope/students",
        "/widgets",
    ] {
        let (status, body) = api.json(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body["imsx_codeMajor"], "failure", "{path}");
        assert_eq!(code_minor(&body), "unknownobject", "{path}");
    }
}

/// Nested under a prefix (the demo serves the sandbox at `/sandbox`), the paging links keep
/// it: a client following `next` stays on the sandbox.
#[tokio::test]
async fn paging_links_keep_the_prefix_the_sandbox_is_nested_under() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().nest("/sandbox", sis_onboard_sandbox::router(tiny()));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let origin = format!("http://{addr}/sandbox");
    let token = access_token(&origin, None).await;
    let client = reqwest::Client::new();
    let response = client
        .get(format!("{origin}{BASE}/users?limit=10&offset=10"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let link = response.headers()["link"].to_str().unwrap().to_owned();
    let next = format!("/sandbox{BASE}/users?limit=10&offset=20");
    assert!(link.contains(&format!("<{next}>; rel=\"next\"")), "{link}");
    let followed = client
        .get(format!("http://{addr}{next}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(followed.status(), StatusCode::OK);
}

#[tokio::test]
async fn paging_has_totals_and_links() {
    let api = Api::start(tiny()).await;
    let response = api.get("/users?limit=10&offset=10").await;
    assert_eq!(response.headers()["x-total-count"], "43");
    let link = response.headers()["link"].to_str().unwrap().to_owned();
    assert!(
        link.contains(&format!("<{BASE}/users?limit=10&offset=0>; rel=\"first\"")),
        "{link}"
    );
    assert!(link.contains("offset=0>; rel=\"prev\""), "{link}");
    assert!(link.contains("offset=20>; rel=\"next\""), "{link}");
    assert!(link.contains("offset=40>; rel=\"last\""), "{link}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["users"].as_array().unwrap().len(), 10);

    let (_, past_end) = api.json("/users?offset=1000").await;
    assert_eq!(past_end["users"].as_array().unwrap().len(), 0);

    let (status, body) = api.json("/users?limit=ten").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code_minor(&body), "invalid_selection_field");
}

#[tokio::test]
async fn the_app_scoped_base_url_answers_the_same() {
    let api = Api::start(tiny()).await;
    let scoped: Value = reqwest::Client::new()
        .get(format!("{}{APP_BASE}/classes?limit=5", api.base))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(scoped, api.json("/classes?limit=5").await.1);

    let other_app = reqwest::Client::new()
        .get(format!(
            "{}/campus/api/oneroster/v1p2/other/ims/oneroster/rostering/v1p2/classes",
            api.base
        ))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(other_app.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn demographics_need_the_demographics_scope() {
    let base = serve(tiny()).await;
    let core_only = access_token(&base, Some(CORE_SCOPE)).await;
    let get = |token: String, path: &'static str| {
        let url = format!("{base}{BASE}{path}");
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };
    let refused = get(core_only.clone(), "/demographics").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(code_minor(&refused.json().await.unwrap()), "forbidden");
    assert_eq!(get(core_only, "/students").await.status(), StatusCode::OK);

    let with_scope = access_token(&base, Some(&format!("{CORE_SCOPE} {DEMOGRAPHICS_SCOPE}"))).await;
    assert_eq!(
        get(with_scope, "/demographics").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_million_users_answer_a_count_and_a_deep_page() {
    let api = Api::start(SandboxConfig::with_district(District::generate(
        5,
        DistrictSize::with_users(1_000_000),
    )))
    .await;
    let response = api.get("/users?offset=999000&limit=100").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-total-count"], "1000000");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["users"].as_array().unwrap().len(), 100);

    let count = api.get("/enrollments?limit=1").await;
    let total: u64 = count.headers()["x-total-count"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(total, (640_000 + 32_000) * 6);
}

/// The org `type` is indexed, as in a real SIS database: the answer is the same as a scan's,
/// whatever else the filter says.
#[tokio::test]
async fn an_indexed_filter_answers_what_a_scan_would() {
    let api = Api::start(SandboxConfig::with_district(District::generate(
        5,
        DistrictSize::with_users(1_000_000),
    )))
    .await;
    let schools = DistrictSize::with_users(1_000_000).schools;
    for (filter, total) in [
        ("type='district'", 1),
        ("type='school'", schools),
        ("type='school' AND sourcedId='sch-3'", 1),
        ("type='district' AND sourcedId='sch-3'", 0),
        ("type='state'", 0),
        ("type='district' OR type='school'", schools + 1),
        ("type!='district'", schools),
    ] {
        let response = api.get(&format!("/orgs?filter={filter}&limit=1")).await;
        assert_eq!(response.status(), StatusCode::OK, "{filter}");
        assert_eq!(
            response.headers()["x-total-count"],
            total.to_string().as_str(),
            "{filter}"
        );
    }
    let (_, district) = api.json("/orgs?filter=type='district'").await;
    assert_eq!(district["orgs"][0]["type"], "district");
}

#[tokio::test]
async fn filters_select_and_count_what_matches() {
    let api = Api::start(tiny()).await;
    let response = api
        .get("/enrollments?filter=role%3D%27teacher%27&limit=5")
        .await;
    assert_eq!(
        response.headers()["x-total-count"],
        "12",
        "4 teachers x 3 periods"
    );
    let body: Value = response.json().await.unwrap();
    let page = body["enrollments"].as_array().unwrap();
    assert_eq!(page.len(), 5);
    assert!(page.iter().all(|e| e["role"] == "teacher"));

    let (_, schools) = api.json("/orgs?filter=type='school'").await;
    assert_eq!(schools["orgs"].as_array().unwrap().len(), 2);

    let (_, either) = api
        .json("/orgs?filter=type='district' OR sourcedId='sch-1'")
        .await;
    assert_eq!(either["orgs"].as_array().unwrap().len(), 2);

    let response = api.get("/users?filter=dateLastModified>'2026-09-01'").await;
    assert_eq!(response.headers()["x-total-count"], "0");

    let (_, named) = api
        .json("/users?filter=givenName~'A' AND status='active'")
        .await;
    let named = named["users"].as_array().unwrap();
    assert!(!named.is_empty());
    assert!(named.iter().all(|u| {
        u["givenName"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains('a')
    }));
}

#[tokio::test]
async fn sort_orders_and_fields_select() {
    let api = Api::start(tiny()).await;
    let (_, sorted) = api
        .json("/users?sort=familyName&orderBy=desc&limit=100")
        .await;
    let names: Vec<&str> = sorted["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["familyName"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 43);
    assert!(names.windows(2).all(|w| w[0] >= w[1]), "{names:?}");

    let (_, slim) = api.json("/users?fields=sourcedId,givenName&limit=3").await;
    for user in slim["users"].as_array().unwrap() {
        let keys: Vec<&String> = user.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["givenName", "sourcedId"]);
    }
    let (_, one) = api.json("/users/stu-0?fields=sourcedId").await;
    assert_eq!(one, serde_json::json!({ "user": { "sourcedId": "stu-0" } }));
}

#[tokio::test]
async fn bad_query_parameters_are_400_with_the_right_code() {
    let api = Api::start(tiny()).await;
    for (path, minor) in [
        ("/users?filter=shoeSize='9'", "invalid_filter_field"),
        ("/users?filter=status=active", "invalid_filter_field"),
        ("/users?sort=roles", "invalid_sort_field"),
        (
            "/users?sort=familyName&orderBy=sideways",
            "invalid_sort_field",
        ),
        (
            "/users?fields=sourcedId,shoeSize",
            "invalid_selection_field",
        ),
    ] {
        let (status, body) = api.json(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(code_minor(&body), minor, "{path}");
        assert!(
            body["imsx_description"].as_str().unwrap().len() > 10,
            "{path} explains itself"
        );
    }
}
