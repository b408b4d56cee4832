//! `GET /v1/extracts`: the Custom Data Extract catalog with the extracts generated for the
//! session's prefix. The SQL lives here, in the proxy, not in the wizard's bundle; and the
//! proxy regenerates the same plan when the connection is completed, so what is stored is
//! what the administrator was shown.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use sis_onboard_protocol::{
    ApiError, DataSetOffer, EXTRACTS_PATH, ExtractCatalog, ExtractPlan, PlannedExtract, Strategy,
};

use crate::AppState;
use crate::client_address::ClientAddress;
use crate::error::ProxyError;
use crate::routes::sessions::{authenticate_session, effective_offer};
use crate::store::SessionOffer;

/// The catalog route (browser-facing: CORS).
pub fn router() -> Router<AppState> {
    Router::new()
        .route(EXTRACTS_PATH, get(catalog).options(|| async {}))
        .layer(axum::middleware::from_fn(super::cors::browser_cors))
}

/// The language of the catalog's texts.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct CatalogQuery {
    /// A BCP 47 tag; `es…` gives Spanish, anything else English.
    lang: Option<String>,
}

/// The refusal when a session does not offer the Custom Data Extract path.
fn not_offered() -> ProxyError {
    ProxyError::bad_request(
        "strategy",
        "strategy 'custom_data_extract' is not offered by this session",
    )
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
    client: ClientAddress,
    headers: HeaderMap,
    Query(query): Query<CatalogQuery>,
) -> Result<Json<ExtractCatalog>, ProxyError> {
    let (_, session) = authenticate_session(&state, &client, &headers).await?;
    let offer = effective_offer(&state, &session);
    if !offer.strategies.contains(&Strategy::CustomDataExtract) {
        return Err(not_offered());
    }
    let lang = query.lang.as_deref().unwrap_or("en");
    let prefix = &offer.extract_name_prefix;
    let all: Vec<String> = extracts::CATALOG.iter().map(|d| d.id.to_owned()).collect();
    let generated = extracts::generate(prefix, &all)
        .map_err(|e| ProxyError::Internal(format!("the catalog generates itself: {e}")))?;
    let data_sets = extracts::CATALOG
        .iter()
        .zip(generated)
        .map(|(set, extract)| DataSetOffer {
            id: set.id.to_owned(),
            name: set.name.get(lang).to_owned(),
            description: set.description.get(lang).to_owned(),
            yields: set.yields.get(lang).to_owned(),
            default: set.default,
            extract_name: extract.name,
            query: extract.query,
            query_sha256: extract.query_sha256,
        })
        .collect();
    Ok(Json(ExtractCatalog {
        required_value: extracts::required_value(prefix),
        name_prefix: extracts::sanitize_prefix(prefix),
        data_sets,
    }))
}

/// The plan a completion stores: for the Custom Data Extract path, the extracts of the
/// chosen data sets (at least one, all from the catalog); for the OneRoster path, none
/// (and no data sets may be named).
pub fn plan_for(
    offer: &SessionOffer,
    strategy: Strategy,
    data_sets: &[String],
) -> Result<Option<ExtractPlan>, ProxyError> {
    match strategy {
        Strategy::OneRosterApi if data_sets.is_empty() => Ok(None),
        Strategy::OneRosterApi => Err(ProxyError::bad_request(
            "data_sets",
            "data_sets must be empty on the oneroster_api path",
        )),
        Strategy::CustomDataExtract => {
            if !offer.strategies.contains(&Strategy::CustomDataExtract) {
                return Err(not_offered());
            }
            if data_sets.is_empty() {
                return Err(ProxyError::bad_request(
                    "data_sets",
                    "choose at least one data set on the custom_data_extract path",
                ));
            }
            let prefix = &offer.extract_name_prefix;
            let generated = extracts::generate(prefix, data_sets).map_err(|e| {
                let known: Vec<&str> = extracts::CATALOG.iter().map(|d| d.id).collect();
                ProxyError::bad_request("data_sets", format!("{e}; the data sets are {known:?}"))
            })?;
            Ok(Some(ExtractPlan {
                required_value: extracts::required_value(prefix),
                extracts: generated
                    .into_iter()
                    .map(|e| PlannedExtract {
                        data_set: e.data_set.to_owned(),
                        name: e.name,
                        query_sha256: e.query_sha256,
                    })
                    .collect(),
            }))
        }
    }
}
