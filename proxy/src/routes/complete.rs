//! `POST /v1/complete`: "Continue Setup". Stores the connection that the session validated,
//! with its secret sealed, and answers only an opaque connection id.

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sis_onboard_protocol::{
    ApiError, COMPLETE_PATH, CompleteRequest, CompleteResponse, ValidationReport, source_option,
};

use crate::AppState;
use crate::client_address::ClientAddress;
use crate::crypto::SealBinding;
use crate::error::ProxyError;
use crate::oneroster::validate::checked_url;
use crate::routes::sessions::{authenticate_session, completed_connection, unix_now};
use crate::routes::validate::fingerprint_fields;
use crate::secrets::Wiped;
use crate::store::NewConnection;

/// The completion route (browser-facing: CORS).
pub fn router() -> Router<AppState> {
    Router::new()
        .route(COMPLETE_PATH, post(complete).options(|| async {}))
        .layer(axum::middleware::from_fn(super::cors::browser_cors))
}

/// "Continue Setup": stores the connection the session validated; answers its opaque id.
/// On the Custom Data Extract path it also stores the extract plan of the chosen data sets,
/// regenerated here from the session's prefix. Completing twice answers the same id.
#[utoipa::path(post, path = "/v1/complete", tag = "wizard",
    security(("session_token" = [])),
    request_body = CompleteRequest,
    responses(
        (status = 200, description = "The connection's id", body = CompleteResponse),
        (status = 400, description = "`bad_request`: region, source or strategy not offered, or data sets that do not fit the strategy", body = ApiError),
        (status = 401, description = "`invalid_session` or `session_expired`", body = ApiError),
        (status = 403, description = "`origin_not_allowed`", body = ApiError),
        (status = 409, description = "`validation_required`: these exact values have not passed validation", body = ApiError),
        (status = 429, description = "`rate_limited`: too many unknown tokens from this address", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
pub(crate) async fn complete(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    body: Result<Json<CompleteRequest>, JsonRejection>,
) -> Result<Json<CompleteResponse>, ProxyError> {
    let (session_hash, session) = authenticate_session(&state, &client, &headers).await?;
    let Json(request) = body?;
    let request = Wiped::new(request);
    let offer = &crate::routes::sessions::effective_offer(&state, &session);
    if !offer.sources.contains(&request.source) {
        return Err(ProxyError::bad_request(
            "source",
            format!(
                "source must be one of this session's sources {:?}",
                offer.sources
            ),
        ));
    }
    if !source_option(&request.source).is_some_and(|s| s.implemented) {
        return Err(ProxyError::bad_request(
            "source",
            format!("the source '{}' cannot be connected yet", request.source),
        ));
    }
    if !offer.strategies.contains(&request.strategy) {
        return Err(ProxyError::bad_request(
            "strategy",
            format!(
                "strategy '{}' is not offered by this session",
                request.strategy.as_str()
            ),
        ));
    }
    let region = request.region.as_str();
    if !offer.regions.iter().any(|r| r == region) || state.config.region(region).is_none() {
        return Err(ProxyError::bad_request(
            "region",
            format!(
                "region must be one of this session's regions {:?}",
                offer.regions
            ),
        ));
    }
    let extract_plan = crate::routes::extracts::plan_for(
        offer,
        request.strategy,
        request.data_sets.as_deref().unwrap_or_default(),
    )?;
    let keyring = state
        .config
        .keyring()
        .ok_or_else(|| ProxyError::Internal("no encryption key is configured".into()))?;

    // Completing twice answers the connection the first completion claimed.
    if let Some(id) = completed_connection(&state, &session_hash).await? {
        return Ok(Json(CompleteResponse { connection_id: id }));
    }
    let credentials = &request.credentials;
    let (validated, report) = state
        .store
        .latest_validation(&session_hash)
        .await?
        .ok_or(ProxyError::ValidationRequired)?;
    if !keyring.fingerprint_matches(&validated, &fingerprint_fields(credentials)) {
        return Err(ProxyError::ValidationRequired);
    }
    let report: ValidationReport = serde_json::from_str(&report)
        .map_err(|e| ProxyError::Internal(format!("stored report: {e}")))?;
    let district = report
        .district
        .ok_or_else(|| ProxyError::Internal("a passed validation without a district".into()))?;

    let id = format!(
        "conn_{}",
        URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>())
    );
    // What the validation probed, so the vendor's sync talks to exactly that.
    let base_url = checked_url(&credentials.base_url)
        .ok_or_else(|| ProxyError::Internal("a validated base URL does not parse".into()))?;
    let token_url = checked_url(&credentials.token_url)
        .ok_or_else(|| ProxyError::Internal("a validated token URL does not parse".into()))?;
    let client_id = credentials.client_id.trim().to_owned();
    // Bound to where the secret may be sent: a changed token URL in the database makes the
    // secret undecryptable rather than sending it there.
    let secret_sealed = keyring
        .current()
        .seal(
            credentials.client_secret.as_bytes(),
            &SealBinding {
                connection_id: &id,
                tenant_id: &session.tenant_id,
                base_url: &base_url,
                token_url: &token_url,
                client_id: &client_id,
            },
        )
        .map_err(|e| ProxyError::Internal(e.to_string()))?;
    let connection = NewConnection {
        id,
        session_hash,
        tenant_id: session.tenant_id,
        region: region.to_owned(),
        source: request.source.clone(),
        strategy: request.strategy,
        base_url,
        token_url,
        client_id,
        secret_sealed,
        district_name: district.name.clone(),
        counts: serde_json::to_string(&district)
            .map_err(|e| ProxyError::Internal(format!("district: {e}")))?,
        extract_plan: extract_plan
            .map(|plan| serde_json::to_string(&plan))
            .transpose()
            .map_err(|e| ProxyError::Internal(format!("extract plan: {e}")))?,
        created_at: unix_now(),
    };
    // One claim per session, in the default database, before the region's database is
    // written: concurrent completions (even for different regions) agree on one id.
    let claimed = state
        .store
        .claim_completion(&connection.session_hash, &connection.id)
        .await?;
    if claimed != connection.id {
        return Ok(Json(CompleteResponse {
            connection_id: claimed,
        }));
    }
    // The webhook is written with the connection, in one transaction.
    let created = crate::webhooks::connection_event(
        &state.config.webhooks,
        sis_onboard_protocol::WebhookEventType::ConnectionCreated,
        crate::webhooks::connection_data(&connection),
    );
    let stored = state
        .connection_store(region)
        .insert_connection(&connection, &[created])
        .await;
    let connection_id = match stored {
        Ok(id) => id,
        Err(error) => {
            // Let a retry complete the session instead of pointing at nothing.
            state
                .store
                .release_completion(&connection.session_hash, &connection.id)
                .await?;
            return Err(error.into());
        }
    };
    tracing::info!(connection = %connection_id, region, "connection stored");
    Ok(Json(CompleteResponse { connection_id }))
}
