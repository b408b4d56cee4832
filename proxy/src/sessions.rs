//! Onboarding sessions: opening one for a tenant (what it offers, checked against the
//! configuration and the catalog), finding the live session a browser's token names, and
//! whether a session has completed its connection.

use axum::http::HeaderValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use sis_onboard_protocol::{
    ConnectionSummary, CreateSessionRequest, CreateSessionResponse, RegionOption, RepairReason,
    RepairTarget, SOURCE_CATALOG, SessionConfig, Strategy, catalog_source, source_option,
};

use crate::AppState;
use crate::api_keys::Visible;
use crate::client_address::ClientAddress;
use crate::clock::unix_now;
use crate::connections;
use crate::error::ProxyError;
use crate::rate_limit;
use crate::store::{SessionOffer, StoredSession};

/// Prefix of every session token, so a leaked one is recognisable in a secret scanner.
const TOKEN_PREFIX: &str = "sos_";
/// Longest display name accepted; it has to fit a heading.
const MAX_DISPLAY_NAME_CHARS: usize = 100;
/// Longest extract name prefix accepted; Infinite Campus names must stay readable.
use extracts::MAX_PREFIX_CHARS as MAX_EXTRACT_PREFIX_CHARS;

/// What the store keeps of a session token: its SHA-256.
pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
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

/// Checks the request and opens a session: 256 random bits, stored only as a hash. A
/// request naming a `connection_id` opens a repair session for that connection, which must
/// be one the caller may see (`visible`).
pub async fn open_session(
    state: &AppState,
    request: CreateSessionRequest,
    visible: Visible<'_>,
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
    let offer = match request.connection_id.as_deref() {
        Some(id) => repair_offer(state, &request, id, visible).await?,
        None => session_offer(state, &request, display_name)?,
    };
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

/// What a repair session offers: exactly the connection's region, source and strategy. Lists
/// in the request must name those or nothing; the tenant must be the connection's.
async fn repair_offer(
    state: &AppState,
    request: &CreateSessionRequest,
    id: &str,
    visible: Visible<'_>,
) -> Result<SessionOffer, ProxyError> {
    let connection = connections::summary(state, id, visible).await?;
    if connection.revoked_at.is_some() {
        return Err(ProxyError::NotFound);
    }
    if connection.tenant_id != request.tenant_id.trim() {
        return Err(ProxyError::bad_request(
            "tenant_id",
            format!(
                "tenant_id must be the tenant of connection {id} ('{}') to repair it",
                connection.tenant_id
            ),
        ));
    }
    let named = |items: &[String], value: &str| {
        items.is_empty() || (items.len() == 1 && items[0].trim() == value)
    };
    let strategies = &request.strategies;
    for (field, fits) in [
        ("regions", named(&request.regions, &connection.region)),
        ("sources", named(&request.sources, &connection.source)),
        (
            "strategies",
            strategies.is_empty() || strategies.as_slice() == [connection.strategy],
        ),
    ] {
        if !fits {
            return Err(ProxyError::bad_request(
                field,
                format!(
                    "{field}: a repair session offers the connection's own ({}, {}, {}); omit {field} or name that one",
                    connection.region,
                    connection.source,
                    connection.strategy.as_str()
                ),
            ));
        }
    }
    let mut offer = SessionOffer {
        regions: vec![connection.region],
        sources: vec![connection.source],
        strategies: vec![connection.strategy],
        extract_name_prefix: String::new(),
        repair_of: Some(connection.id),
    };
    if let Some(prefix) = &request.extract_name_prefix {
        offer.extract_name_prefix = prefix.trim().to_owned();
    }
    fill_defaults(state, &mut offer, request.display_name.trim());
    Ok(offer)
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
        repair_of: None,
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
    // Each connectable source named must connect by an offered strategy (Custom Data
    // Extracts are Infinite Campus's own): listed, it could be chosen and never completed.
    if let Some(stranded) = sources
        .iter()
        .filter_map(|s| catalog_source(s))
        .find(|s| s.connectable() && !s.strategies.iter().any(|by| strategies.contains(by)))
    {
        let by: Vec<&str> = stranded.strategies.iter().map(|s| s.as_str()).collect();
        return Err(ProxyError::bad_request(
            "strategies",
            format!(
                "strategies: the source '{}' connects only by {by:?}, which this session does not offer; add it to strategies or leave the source out (custom_data_extract is an Infinite Campus feature)",
                stranded.id
            ),
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
    if offer.strategies.is_empty() {
        offer.strategies = Strategy::ALL.to_vec();
    }
    // The whole catalog, but a connectable source none of the offered strategies connects
    // (any other OneRoster 1.2 provider in a Custom Data Extract-only session) is left out:
    // listed, it could be chosen and never completed.
    if offer.sources.is_empty() {
        offer.sources = SOURCE_CATALOG
            .iter()
            .filter(|s| {
                !s.connectable() || s.strategies.iter().any(|by| offer.strategies.contains(by))
            })
            .map(|s| s.id.to_owned())
            .collect();
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

/// A session a browser request named: its token's hash and the session.
pub struct LiveSession {
    /// The SHA-256 of the session token: how the store names the session.
    pub token_hash: Vec<u8>,
    /// The session.
    pub session: StoredSession,
}

/// Finds the live session `token` names, for a request from `origin` (absent when the caller
/// is not a browser page). A client address whose lookups keep finding nothing is refused
/// (429) before the database is asked, so guessing tokens costs the database nothing.
pub async fn find_live_session(
    state: &AppState,
    client: &ClientAddress,
    token: Option<&str>,
    origin: Option<&HeaderValue>,
) -> Result<LiveSession, ProxyError> {
    let token = token.ok_or(ProxyError::InvalidSession)?;
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
    if let Some(origin) = origin {
        let origin = origin.to_str().map(normalise_origin).unwrap_or_default();
        if !session.allowed_origins.contains(&origin) {
            return Err(ProxyError::OriginNotAllowed);
        }
    }
    Ok(LiveSession {
        token_hash,
        session,
    })
}

/// The session's configuration as the wizard reads it: what it offers, with the labels of
/// the regions still configured, and in repair mode the connection's stored values (never
/// its secret) and why it needs repair, when the proxy knows.
pub async fn wizard_config(
    state: &AppState,
    live: LiveSession,
) -> Result<SessionConfig, ProxyError> {
    let LiveSession {
        token_hash,
        session,
    } = live;
    let offer = effective_offer(state, &session);
    let repair = match &offer.repair_of {
        Some(id) => Some(repair_target(
            connections::summary(state, id, Visible::ALL).await?,
        )),
        None => None,
    };
    Ok(SessionConfig {
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
                labels: r.labels.clone(),
            })
            .collect(),
        sources: offer
            .sources
            .iter()
            .filter_map(|s| source_option(s))
            .collect(),
        strategies: offer.strategies,
        extract_name_prefix: offer.extract_name_prefix,
        repair,
    })
}

/// What the wizard shows of the connection it repairs.
fn repair_target(connection: ConnectionSummary) -> RepairTarget {
    let failing = connection
        .health
        .filter(|health| !health.passed)
        .and_then(|health| {
            Some(RepairReason {
                code: health.code?,
                message: health.message.unwrap_or_default(),
                checked_at: health.checked_at,
            })
        });
    RepairTarget {
        connection_id: connection.id,
        district_name: connection.district_name,
        base_url: connection.base_url,
        token_url: connection.token_url,
        client_id: connection.client_id,
        failing,
    }
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
