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

/// A OneRoster failure: answered as an `imsx_StatusInfo` body with the HTTP status the
/// specification pairs with its code.
#[derive(Debug)]
pub(crate) struct StatusInfo {
    status: StatusCode,
    code_minor: &'static str,
    description: String,
}

impl StatusInfo {
    fn unauthorised(problem: TokenProblem) -> Self {
        let description = match problem {
            TokenProblem::Missing => "An access token is required.",
            TokenProblem::Invalid => "The access token is not valid.",
            TokenProblem::Expired => "The access token has expired.",
        };
        Self {
            status: StatusCode::UNAUTHORIZED,
            code_minor: "unauthorisedrequest",
            description: description.into(),
        }
    }
}

impl IntoResponse for StatusInfo {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({
                "imsx_codeMajor": "failure",
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
            .into_response()
    }
}

fn parse_count(raw: Option<&str>, default: usize, name: &str) -> Result<usize, StatusInfo> {
    match raw {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|_| StatusInfo {
            status: StatusCode::BAD_REQUEST,
            code_minor: "invalid_selection_field",
            description: format!("{name} must be a non-negative whole number"),
        }),
    }
}

/// Answers one page of a collection, keyed by record type, with `X-Total-Count`.
fn page(key: &str, records: Vec<Value>, paging: &Paging) -> Result<Response, StatusInfo> {
    let limit = parse_count(paging.limit.as_deref(), 100, "limit")?;
    let offset = parse_count(paging.offset.as_deref(), 0, "offset")?;
    let total = records.len();
    let slice: Vec<Value> = records.into_iter().skip(offset).take(limit).collect();
    let mut response = Json(json!({ key: slice })).into_response();
    response
        .headers_mut()
        .insert("x-total-count", HeaderValue::from(total));
    Ok(response)
}

async fn list_orgs(
    State(config): State<Arc<SandboxConfig>>,
    Query(paging): Query<Paging>,
    headers: HeaderMap,
) -> Result<Response, StatusInfo> {
    verify_bearer(&config, &headers).map_err(StatusInfo::unauthorised)?;
    page("orgs", config.district.orgs(), &paging)
}

async fn list_orgs_for_app(
    State(config): State<Arc<SandboxConfig>>,
    Path(app): Path<String>,
    Query(paging): Query<Paging>,
    headers: HeaderMap,
) -> Result<Response, StatusInfo> {
    let claims = verify_bearer(&config, &headers).map_err(StatusInfo::unauthorised)?;
    // A token issued for one app does not open another app's base URL.
    if claims.app != app {
        return Err(StatusInfo::unauthorised(TokenProblem::Invalid));
    }
    page("orgs", config.district.orgs(), &paging)
}
