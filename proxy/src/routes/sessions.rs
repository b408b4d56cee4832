//! Onboarding sessions: the vendor's backend opens one (`POST /v1/sessions`, API key), the
//! wizard reads its configuration (`GET /v1/session`, session token).

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use sis_onboard_protocol::{
    CreateSessionRequest, CreateSessionResponse, SESSION_PATH, SESSIONS_PATH, SessionConfig,
};

use crate::AppState;
use crate::error::ProxyError;
use crate::store::StoredSession;

/// Prefix of every session token, so a leaked one is recognisable in a secret scanner.
const TOKEN_PREFIX: &str = "sos_";
/// Longest display name accepted; it has to fit a heading.
const MAX_DISPLAY_NAME_CHARS: usize = 100;

/// The session routes: the vendor's (server to server) and the wizard's (CORS).
pub fn router() -> Router<AppState> {
    Router::new()
        .route(SESSIONS_PATH, post(create_session))
        .merge(
            Router::new()
                .route(SESSION_PATH, get(read_session).options(|| async {}))
                .layer(axum::middleware::from_fn(super::cors::browser_cors)),
        )
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Admits only the vendor's backend: a configured API key as the Bearer token.
pub fn require_api_key(state: &AppState, headers: &HeaderMap) -> Result<(), ProxyError> {
    if bearer(headers).is_some_and(|key| state.config.is_api_key(key)) {
        Ok(())
    } else {
        Err(ProxyError::InvalidApiKey)
    }
}

fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// An origin as browsers send it: lower-case scheme and host, no trailing slash.
fn normalise_origin(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// True for `scheme://host[:port]` with an http(s) scheme and nothing after.
fn is_origin(origin: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    matches!(scheme, "https" | "http")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@', ' '])
}

/// Checks the request and opens a session: 256 random bits, stored only as a hash.
pub async fn open_session(
    state: &AppState,
    request: CreateSessionRequest,
) -> Result<CreateSessionResponse, ProxyError> {
    let display_name = request.display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(ProxyError::BadRequest {
            message: format!("display_name must be 1 to {MAX_DISPLAY_NAME_CHARS} characters"),
            field: Some("display_name"),
        });
    }
    let tenant_id = request.tenant_id.trim();
    if tenant_id.is_empty() {
        return Err(ProxyError::BadRequest {
            message: "tenant_id must not be empty".into(),
            field: Some("tenant_id"),
        });
    }
    let allowed_origins: Vec<String> = request
        .allowed_origins
        .iter()
        .map(|o| normalise_origin(o))
        .collect();
    if let Some(bad) = allowed_origins.iter().find(|o| !is_origin(o)) {
        return Err(ProxyError::BadRequest {
            message: format!(
                "allowed_origins: '{bad}' is not an origin such as https://app.example.com"
            ),
            field: Some("allowed_origins"),
        });
    }
    let token = format!(
        "{TOKEN_PREFIX}{}",
        URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
    );
    let created_at = unix_now();
    let lifetime = i64::try_from(state.config.session_lifetime.as_secs()).unwrap_or(i64::MAX);
    let session = StoredSession {
        tenant_id: tenant_id.to_owned(),
        display_name: display_name.to_owned(),
        allowed_origins,
        support_contact: request.support_contact,
        created_at,
        expires_at: created_at.saturating_add(lifetime),
    };
    state
        .store
        .insert_session(&hash_token(&token), &session)
        .await?;
    Ok(CreateSessionResponse {
        session_token: token,
        expires_at: session.expires_at,
    })
}

async fn create_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<CreateSessionRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<CreateSessionResponse>), ProxyError> {
    require_api_key(&state, &headers)?;
    let Json(request) = body.map_err(|rejection| ProxyError::BadRequest {
        message: rejection.body_text(),
        field: None,
    })?;
    let created = open_session(&state, request).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Finds the live session a browser request's token names: the token's hash and the session.
pub async fn authenticate_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(Vec<u8>, StoredSession), ProxyError> {
    let token = bearer(headers).ok_or(ProxyError::InvalidSession)?;
    let token_hash = hash_token(token);
    let session = state
        .store
        .session_by_token_hash(&token_hash)
        .await?
        .ok_or(ProxyError::InvalidSession)?;
    if session.expires_at <= unix_now() {
        return Err(ProxyError::SessionExpired);
    }
    // Browsers always say where a cross-origin (and any POST) request comes from; a caller
    // without an Origin header is not a browser page and gains nothing from this check.
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().map(normalise_origin).unwrap_or_default();
        if !session.allowed_origins.contains(&origin) {
            return Err(ProxyError::OriginNotAllowed);
        }
    }
    Ok((token_hash, session))
}

async fn read_session(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<SessionConfig>, ProxyError> {
    let (_, session) = authenticate_session(&state, &headers).await?;
    Ok(Json(SessionConfig {
        display_name: session.display_name,
        support_contact: session.support_contact,
        expires_at: session.expires_at,
    }))
}
