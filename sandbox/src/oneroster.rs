//! The OneRoster 1.2 rostering API, under both base-URL shapes Infinite Campus hands out.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::SandboxConfig;
use crate::oauth::{TokenProblem, verify_bearer};

/// The district-wide base path.
pub const BASE_PATH: &str = "/campus/api/ims/oneroster/rostering/v1p2";
/// The app-scoped base path; `{app}` is the connection's appName.
pub const APP_BASE_PATH: &str = "/campus/api/oneroster/v1p2/{app}/ims/oneroster/rostering/v1p2";

pub(crate) fn router() -> Router<Arc<SandboxConfig>> {
    Router::new()
        .route(&format!("{BASE_PATH}/orgs"), get(list_orgs))
        .route(&format!("{APP_BASE_PATH}/orgs"), get(list_orgs_for_app))
}

#[derive(Deserialize)]
struct Paging {
    limit: Option<String>,
    offset: Option<String>,
}

/// An `imsx_StatusInfo` error body with the HTTP status the specification pairs with it.
fn status_info(status: StatusCode, code_minor: &str, description: &str) -> Response {
    (
        status,
        Json(json!({
            "imsx_codeMajor": "failure",
            "imsx_severity": "error",
            "imsx_description": description,
            "imsx_CodeMinor": {
                "imsx_codeMinorField": [
                    { "imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": code_minor }
                ]
            }
        })),
    )
        .into_response()
}

fn unauthorised(problem: TokenProblem) -> Response {
    let description = match problem {
        TokenProblem::Missing => "An access token is required.",
        TokenProblem::Invalid => "The access token is not valid.",
        TokenProblem::Expired => "The access token has expired.",
    };
    status_info(StatusCode::UNAUTHORIZED, "unauthorisedrequest", description)
}

fn parse_count(raw: Option<&str>, default: usize, name: &str) -> Result<usize, Response> {
    match raw {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|_| {
            status_info(
                StatusCode::BAD_REQUEST,
                "invalid_selection_field",
                &format!("{name} must be a non-negative whole number"),
            )
        }),
    }
}

/// Answers one page of a collection, keyed by record type, with `X-Total-Count`.
fn page(key: &str, records: Vec<Value>, paging: &Paging) -> Response {
    let limit = match parse_count(paging.limit.as_deref(), 100, "limit") {
        Ok(limit) => limit,
        Err(response) => return response,
    };
    let offset = match parse_count(paging.offset.as_deref(), 0, "offset") {
        Ok(offset) => offset,
        Err(response) => return response,
    };
    let total = records.len();
    let slice: Vec<Value> = records.into_iter().skip(offset).take(limit).collect();
    let mut response = Json(json!({ key: slice })).into_response();
    if let Ok(value) = HeaderValue::from_str(&total.to_string()) {
        response.headers_mut().insert("x-total-count", value);
    }
    response
}

async fn list_orgs(
    State(config): State<Arc<SandboxConfig>>,
    Query(paging): Query<Paging>,
    headers: HeaderMap,
) -> Response {
    if let Err(problem) = verify_bearer(&config, &headers) {
        return unauthorised(problem);
    }
    page("orgs", config.district.orgs(), &paging)
}

async fn list_orgs_for_app(
    State(config): State<Arc<SandboxConfig>>,
    Path(app): Path<String>,
    Query(paging): Query<Paging>,
    headers: HeaderMap,
) -> Response {
    match verify_bearer(&config, &headers) {
        Err(problem) => return unauthorised(problem),
        // A token issued for one app does not open another app's base URL.
        Ok(claims) if claims.app != app => return unauthorised(TokenProblem::Invalid),
        Ok(_) => {}
    }
    page("orgs", config.district.orgs(), &paging)
}
