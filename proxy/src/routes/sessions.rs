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
    ApiError, CreateSessionRequest, CreateSessionResponse, RegionOption, SESSION_PATH,
    SESSIONS_PATH, SOURCE_CATALOG, SessionConfig, Strategy, source_option,
};

use crate::AppState;
use crate::client_address::ClientAddress;
use crate::error::ProxyError;
use crate::rate_limit;
use crate::store::{SessionOffer, StoredSession};

/// Prefix of every session token, so a leaked one is recognisable in a secret scanner.
const TOKEN_PREFIX: &str = "sos_";
/// Longest display name accepted; it has to fit a heading.
const MAX_DISPLAY_NAME_CHARS: usize = 100;
/// Longest extract name prefix accepted; Infinite Campus names must stay readable.
use extracts::MAX_PREFIX_CHARS as MAX_EXTRACT_PREFIX_CHARS;

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

/// What the store keeps of a session token: its SHA-256.
pub fn hash_token(token: &str) -> Vec<u8> {
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
        return Err(ProxyError::bad_request(
            "display_name",
            format!("display_name must be 1 to {MAX_DISPLAY_NAME_CHARS} characters"),
        ));
    }
    let tenant_id = request.tenant_id.trim();
    if tenant_id.is_empty() {
        return Err(ProxyError::bad_request(
            "tenant_id",
            "tenant_id must not be empty",
        ));
    }
    let allowed_origins: Vec<String> = request
        .allowed_origins
        .iter()
        .map(|o| normalise_origin(o))
        .collect();
    if let Some(bad) = allowed_origins.iter().find(|o| !is_origin(o)) {
        return Err(ProxyError::bad_request(
            "allowed_origins",
            format!("allowed_origins: '{bad}' is not an origin such as https://app.example.com"),
        ));
    }
    let offer = session_offer(state, &request, display_name)?;
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
        offer,
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

/// The first repeated item, if any.
fn first_duplicate<T: PartialEq>(items: &[T]) -> Option<&T> {
    items
        .iter()
        .enumerate()
        .find(|(i, item)| items[..*i].contains(item))
        .map(|(_, item)| item)
}

/// What the session offers: the request's lists checked against the configuration and the
/// catalog, or the defaults where the request names none.
fn session_offer(
    state: &AppState,
    request: &CreateSessionRequest,
    display_name: &str,
) -> Result<SessionOffer, ProxyError> {
    let extract_name_prefix = match &request.extract_name_prefix {
        Some(prefix) => {
            let prefix = prefix.trim();
            // Accepted exactly when the extracts would use it as given.
            if prefix.is_empty() || extracts::sanitize_prefix(prefix) != prefix {
                return Err(ProxyError::bad_request(
                    "extract_name_prefix",
                    format!(
                        "extract_name_prefix must be 1 to {MAX_EXTRACT_PREFIX_CHARS} letters \
                         or digits, e.g. AcmeLearning"
                    ),
                ));
            }
            prefix.to_owned()
        }
        // Filled in with the defaults below.
        None => String::new(),
    };
    let trimmed = |items: &[String]| items.iter().map(|i| i.trim().to_owned()).collect();
    let mut offer = SessionOffer {
        regions: trimmed(&request.regions),
        sources: trimmed(&request.sources),
        strategies: request.strategies.clone(),
        extract_name_prefix,
    };
    fill_defaults(state, &mut offer, display_name);
    let SessionOffer {
        regions,
        sources,
        strategies,
        ..
    } = &offer;
    if let Some(unknown) = regions.iter().find(|r| state.config.region(r).is_none()) {
        let known: Vec<&str> = state.config.regions.iter().map(|r| r.id.as_str()).collect();
        return Err(ProxyError::bad_request(
            "regions",
            format!("regions: '{unknown}' is not a configured region (configured: {known:?})"),
        ));
    }
    if let Some(unknown) = sources.iter().find(|s| source_option(s).is_none()) {
        return Err(ProxyError::bad_request(
            "sources",
            format!("sources: '{unknown}' is not in the source catalog (see the README)"),
        ));
    }
    if !sources
        .iter()
        .any(|s| source_option(s).is_some_and(|o| o.implemented))
    {
        return Err(ProxyError::bad_request(
            "sources",
            "sources: offer at least one source that can be connected, e.g. infinite_campus",
        ));
    }
    for (field, duplicate) in [
        ("regions", first_duplicate(regions).cloned()),
        ("sources", first_duplicate(sources).cloned()),
        (
            "strategies",
            first_duplicate(strategies).map(|s| s.as_str().to_owned()),
        ),
    ] {
        if let Some(duplicate) = duplicate {
            return Err(ProxyError::bad_request(
                field,
                format!("{field}: '{duplicate}' is listed twice"),
            ));
        }
    }
    Ok(offer)
}

/// What a stored session offers, with the defaults filled in where it names nothing (a
/// session opened before offers were stored reads as offering everything).
pub fn effective_offer(state: &AppState, session: &StoredSession) -> SessionOffer {
    let mut offer = session.offer.clone();
    fill_defaults(state, &mut offer, &session.display_name);
    offer
}

/// The defaults of an offer that names nothing: every configured region, the whole
/// catalog, both strategies, the display name's letters and digits as the prefix.
fn fill_defaults(state: &AppState, offer: &mut SessionOffer, display_name: &str) {
    if offer.regions.is_empty() {
        offer.regions = state.config.regions.iter().map(|r| r.id.clone()).collect();
    }
    if offer.sources.is_empty() {
        offer.sources = SOURCE_CATALOG
            .iter()
            .map(|(id, _, _)| (*id).to_owned())
            .collect();
    }
    if offer.strategies.is_empty() {
        offer.strategies = Strategy::ALL.to_vec();
    }
    if offer.extract_name_prefix.is_empty() {
        offer.extract_name_prefix = default_extract_prefix(display_name);
    }
}

/// The display name's letters and digits ("Acme Learning, Inc." → "AcmeLearningInc"), or
/// "Vendor" when it has none Infinite Campus would accept.
pub fn default_extract_prefix(display_name: &str) -> String {
    extracts::sanitize_prefix(display_name)
}

/// Opens an onboarding session for one of the vendor's customers (vendor backend only).
#[utoipa::path(post, path = "/v1/sessions", tag = "vendor",
    security(("api_key" = [])),
    request_body = CreateSessionRequest,
    responses(
        (status = 201, description = "The session; hand its token to the wizard", body = CreateSessionResponse),
        (status = 400, description = "`bad_request`: a field is malformed; `field` names it", body = ApiError),
        (status = 401, description = "`invalid_api_key`", body = ApiError),
    ))]
pub(crate) async fn create_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<CreateSessionRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<CreateSessionResponse>), ProxyError> {
    require_api_key(&state, &headers)?;
    let Json(request) = body?;
    let created = open_session(&state, request).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Finds the live session a browser request's token names: the token's hash and the session.
/// A client address whose lookups keep finding nothing is refused (429) before the database
/// is asked, so guessing tokens costs the database nothing.
pub async fn authenticate_session(
    state: &AppState,
    client: &ClientAddress,
    headers: &HeaderMap,
) -> Result<(Vec<u8>, StoredSession), ProxyError> {
    let token = bearer(headers).ok_or(ProxyError::InvalidSession)?;
    rate_limit::check_failed_lookups(state, client)?;
    let token_hash = hash_token(token);
    let Some(session) = state.store.session_by_token_hash(&token_hash).await? else {
        rate_limit::record_failed_lookup(state, client);
        return Err(ProxyError::InvalidSession);
    };
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

/// The connection a session completed, if it did: the one its completion claimed, or (for
/// connections stored before claims existed) the one any region's database holds.
pub async fn completed_connection(
    state: &AppState,
    session_hash: &[u8],
) -> Result<Option<String>, ProxyError> {
    if let Some(id) = state.store.claimed_completion(session_hash).await? {
        return Ok(Some(id));
    }
    for store in state.connection_stores() {
        if let Some(id) = store.connection_of_session(session_hash).await? {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// The session's configuration, as the wizard reads it.
#[utoipa::path(get, path = "/v1/session", tag = "wizard",
    security(("session_token" = [])),
    responses(
        (status = 200, description = "The session's configuration", body = SessionConfig),
        (status = 401, description = "`invalid_session` or `session_expired`", body = ApiError),
        (status = 403, description = "`origin_not_allowed`", body = ApiError),
        (status = 429, description = "`rate_limited`: too many unknown tokens from this address", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
pub(crate) async fn read_session(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
) -> Result<Json<SessionConfig>, ProxyError> {
    let (token_hash, session) = authenticate_session(&state, &client, &headers).await?;
    let offer = effective_offer(&state, &session);
    Ok(Json(SessionConfig {
        // A prefix of the token's hash names the session without revealing the token.
        session_id: URL_SAFE_NO_PAD.encode(&token_hash[..12]),
        display_name: session.display_name,
        support_contact: session.support_contact,
        expires_at: session.expires_at,
        // A region removed from the configuration since the session opened is not offered.
        regions: offer
            .regions
            .iter()
            .filter_map(|id| state.config.region(id))
            .map(|r| RegionOption {
                id: r.id.clone(),
                label: r.label.clone(),
            })
            .collect(),
        sources: offer
            .sources
            .iter()
            .filter_map(|s| source_option(s))
            .collect(),
        strategies: offer.strategies,
        extract_name_prefix: offer.extract_name_prefix,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_extract_prefix_keeps_letters_and_digits() {
        assert_eq!(
            default_extract_prefix("Acme Learning, Inc."),
            "AcmeLearningInc"
        );
        assert_eq!(default_extract_prefix("Édu 360"), "du360");
        assert_eq!(default_extract_prefix("学习"), "Vendor");
        assert_eq!(
            default_extract_prefix(&"x".repeat(99)).len(),
            MAX_EXTRACT_PREFIX_CHARS
        );
    }

    #[test]
    fn duplicates_are_found() {
        assert_eq!(first_duplicate(&["a", "b", "a"]), Some(&"a"));
        assert_eq!(first_duplicate(&["a", "b"]), None);
    }
}
