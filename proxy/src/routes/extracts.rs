//! `GET /v1/extracts`: the Custom Data Extract catalog with the extracts generated for the
//! session's prefix (`extract_plans` builds it).

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use sis_onboard_protocol::{ApiError, EXTRACTS_PATH, ExtractCatalog};

use crate::AppState;
use crate::auth::SessionAuth;
use crate::error::ProxyError;
use crate::extract_plans;
use crate::sessions::effective_offer;

/// The catalog route (browser-facing: CORS).
pub fn router() -> Router<AppState> {
    Router::new()
        .route(EXTRACTS_PATH, get(catalog).options(|| async {}))
        .layer(axum::middleware::from_fn(crate::cors::browser_cors))
}

/// The language of the catalog's texts.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogQuery {
    /// A BCP 47 tag; `es…` gives Spanish, `fr…` (`fr`, `fr-CA`, `fr-FR` …) French, anything
    /// else English.
    lang: Option<String>,
}

/// The data sets and, for each, the extract to create in Infinite Campus.
#[utoipa::path(get, path = "/v1/extracts", tag = "wizard",
    security(("session_token" = [])),
    params(CatalogQuery),
    responses(
        (status = 200, description = "The catalog with the session's extracts", body = ExtractCatalog),
        (status = 400, description = "`bad_request`: the session does not offer Custom Data Extract", body = ApiError),
        (status = 401, description = "`invalid_session` or `session_expired`", body = ApiError),
        (status = 403, description = "`origin_not_allowed`", body = ApiError),
        (status = 429, description = "`rate_limited`: too many unknown tokens from this address", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
pub(crate) async fn catalog(
    State(state): State<AppState>,
    SessionAuth(live): SessionAuth,
    Query(query): Query<CatalogQuery>,
) -> Result<Json<ExtractCatalog>, ProxyError> {
    let offer = effective_offer(&state, &live.session);
    let lang = query.lang.as_deref().unwrap_or("en");
    Ok(Json(extract_plans::catalog(&offer, lang)?))
}
