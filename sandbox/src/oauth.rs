//! The OAuth 2.0 client-credentials token endpoints, and the checking of the access tokens
//! they issue: Infinite Campus' (`/campus/oauth2/token?appName=…`) and a generic OneRoster
//! 1.2 server's (`/oauth/token`, the connection named by its client id alone).
//!
//! The generic endpoint answers the way other OneRoster servers do, each difference one
//! that RFC 6749 allows: `"token_type": "bearer"` in lower case, no `scope` member, JSON
//! with a `charset`, and `invalid_client` as 400 when the credentials came in the form body
//! (401 with a `WWW-Authenticate` challenge only when HTTP Basic was tried, §5.2).
//!
//! Tokens are JWT-shaped (`header.payload.signature`, HS256 over the sandbox's key) and carry
//! `exp`, as Infinite Campus' do, so a client that decodes them sees what it would see there.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::Sha256;

use crate::{
    Behaviour, Connection, CredentialsIn, GENERIC_MOVED_TOKEN_PATH, HUGE_TOKEN_ANSWER_BYTES,
    METADATA_TOKEN_URL, MOVED_TOKEN_PATH, SandboxConfig,
};

/// Where Infinite Campus serves its token endpoint.
pub const TOKEN_PATH: &str = "/campus/oauth2/token";
/// Where a generic OneRoster 1.2 server serves its token endpoint: no `appName`, and
/// `/oauth/`, not Infinite Campus' `/oauth2/`.
pub const GENERIC_TOKEN_PATH: &str = "/oauth/token";

/// A source of the current time, in seconds since the Unix epoch.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> u64;
}

/// The machine's clock.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }
}

pub(crate) fn router() -> Router<Arc<SandboxConfig>> {
    Router::new()
        .route(TOKEN_PATH, post(issue_campus_token))
        .route(GENERIC_TOKEN_PATH, post(issue_generic_token))
}

/// Which server's token endpoint answers: the two differ in how a request names its
/// connection and in the shape of their answers, not in what they check.
#[derive(PartialEq, Eq)]
enum Endpoint {
    /// Infinite Campus': the connection is the `appName`'s with that client id.
    Campus { app_name: String },
    /// A generic OneRoster 1.2 server's: the connection is the client id's.
    Generic,
}

impl Endpoint {
    /// True when a request to this endpoint may name `connection`.
    fn serves(&self, connection: &Connection) -> bool {
        match self {
            Endpoint::Campus { app_name } => connection.app_name == *app_name,
            Endpoint::Generic => true,
        }
    }

    /// Where [`Behaviour::TokenRedirects`] sends this endpoint's requests.
    fn moved_to(&self) -> &'static str {
        match self {
            Endpoint::Campus { .. } => MOVED_TOKEN_PATH,
            Endpoint::Generic => GENERIC_MOVED_TOKEN_PATH,
        }
    }
}

#[derive(Deserialize)]
struct AppQuery {
    #[serde(rename = "appName")]
    app_name: Option<String>,
}

#[derive(Deserialize, Default)]
struct TokenForm {
    grant_type: Option<String>,
    scope: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// What an access token says about itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Claims {
    pub sub: String,
    pub app: String,
    pub scope: String,
    pub iat: u64,
    pub exp: u64,
    /// Unique per token, so a single-use token can be remembered as used.
    pub jti: String,
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

async fn issue_campus_token(
    State(config): State<Arc<SandboxConfig>>,
    Query(query): Query<AppQuery>,
    headers: HeaderMap,
    body: String,
) -> Response {
    // Infinite Campus answers an unknown or missing appName with a plain 404 page.
    let Some(app_name) = query.app_name.filter(|a| !a.is_empty()) else {
        return (StatusCode::NOT_FOUND, "Not Found").into_response();
    };
    issue_token(&config, &Endpoint::Campus { app_name }, &headers, &body)
}

/// A query string, `appName` included, is ignored, as a server that knows no such
/// parameter ignores it.
async fn issue_generic_token(
    State(config): State<Arc<SandboxConfig>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    issue_token(&config, &Endpoint::Generic, &headers, &body)
}

fn issue_token(
    config: &SandboxConfig,
    endpoint: &Endpoint,
    headers: &HeaderMap,
    body: &str,
) -> Response {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        );
    }
    let form: TokenForm = match serde_urlencoded::from_str(body) {
        Ok(form) => form,
        Err(_) => {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "malformed body");
        }
    };
    match form.grant_type.as_deref() {
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only client_credentials is supported",
            );
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is missing",
            );
        }
    }
    let basic = basic_credentials(headers);
    let (presented, how) = match basic {
        Ok(Some(pair)) => (Some(pair), CredentialsIn::Basic),
        Ok(None) => match form.client_id.clone().zip(form.client_secret.clone()) {
            Some(pair) => (Some(pair), CredentialsIn::FormBody),
            None => (None, CredentialsIn::Nowhere),
        },
        Err(()) => (None, CredentialsIn::Basic),
    };
    let named = presented.as_ref().map_or("", |(id, _)| id.as_str());
    config.token_requests.record(named, how);
    let behaviour_of = |client_id: &str| {
        config
            .connections
            .iter()
            .find(|c| endpoint.serves(c) && c.client_id == client_id)
            .map(|c| config.overrides.of(c))
    };
    // A server that reads credentials only from the body calls a Basic request malformed.
    if how == CredentialsIn::Basic && behaviour_of(named) == Some(Behaviour::BasicRefused) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client credentials must be sent in the request body",
        );
    }
    let Some((client_id, client_secret)) = presented else {
        return invalid_client(endpoint, how);
    };
    // A moved endpoint redirects before it looks at the secret, as a web server in front
    // of it would.
    let redirect = behaviour_of(&client_id).and_then(|behaviour| match behaviour {
        Behaviour::TokenRedirects => Some(endpoint.moved_to()),
        Behaviour::TokenRedirectsInside => Some(METADATA_TOKEN_URL),
        _ => None,
    });
    if let Some(location) = redirect {
        return (
            StatusCode::TEMPORARY_REDIRECT,
            [(header::LOCATION, location)],
        )
            .into_response();
    }
    let Some(connection) = config.connections.iter().find(|c| {
        endpoint.serves(c)
            && c.client_id == client_id
            && c.client_secret == client_secret
            && config.overrides.of(c) != Behaviour::WrongSecret
    }) else {
        return invalid_client(endpoint, how);
    };
    // A generic server follows the IMS Security Framework to the letter: the request must
    // name its scopes (Infinite Campus grants a connection's switches without).
    let names_scope = form.scope.as_deref().is_some_and(|s| !s.trim().is_empty());
    if *endpoint == Endpoint::Generic && !names_scope {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the scope parameter is required",
        );
    }
    let scope = match granted_scope(connection, form.scope.as_deref()) {
        Ok(scope) => scope,
        Err(()) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                "a requested scope is not granted to this connection",
            );
        }
    };
    let now = config.clock.now();
    let lifetime = config.token_lifetime.as_secs();
    let claims = Claims {
        sub: connection.client_id.clone(),
        app: connection.app_name.clone(),
        scope: scope.clone(),
        iat: now,
        exp: now + lifetime,
        jti: format!("{:032x}", rand::random::<u128>()),
    };
    let token = sign(&config.signing_key, &claims);
    let mut answer = match endpoint {
        Endpoint::Campus { .. } => json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": lifetime,
            "scope": scope,
        }),
        // RFC 6749 makes the type case-insensitive and `scope` optional when it is what
        // was asked for; many servers use both freedoms.
        Endpoint::Generic => json!({
            "access_token": token,
            "token_type": "bearer",
            "expires_in": lifetime,
        }),
    };
    // Odd but valid answers other OAuth servers give; the token itself is the same.
    match config.overrides.of(connection) {
        Behaviour::ScopeOmitted => {
            answer.as_object_mut().map(|a| a.remove("scope"));
        }
        Behaviour::ScopeEmpty => answer["scope"] = json!(""),
        Behaviour::UnrelatedScopes => answer["scope"] = json!("read write"),
        Behaviour::LowercaseBearer => {
            answer["token_type"] = json!("bearer");
            answer["expires_in"] = json!(lifetime.to_string());
            answer["refresh_expires_in"] = json!(0);
            answer["not-before-policy"] = json!(0);
        }
        Behaviour::UppercaseBearer => answer["token_type"] = json!("BEARER"),
        Behaviour::NoAccessToken => {
            answer.as_object_mut().map(|a| a.remove("access_token"));
        }
        Behaviour::HugeTokenAnswer => {
            answer["padding"] = json!("x".repeat(HUGE_TOKEN_ANSWER_BYTES));
        }
        _ => {}
    }
    let mut response = ([(header::CACHE_CONTROL, "no-store")], Json(answer)).into_response();
    if let Endpoint::Generic = endpoint {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/json;charset=UTF-8"),
        );
    }
    response
}

/// Refused credentials. Infinite Campus always answers 401 with a Basic challenge; the
/// generic server does so only when Basic was tried, and otherwise answers 400, as RFC 6749
/// §5.2 allows.
fn invalid_client(endpoint: &Endpoint, how: CredentialsIn) -> Response {
    let status = match (endpoint, how) {
        (Endpoint::Generic, CredentialsIn::FormBody | CredentialsIn::Nowhere) => {
            StatusCode::BAD_REQUEST
        }
        _ => StatusCode::UNAUTHORIZED,
    };
    let mut response = oauth_error(status, "invalid_client", "client authentication failed");
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Basic"),
        );
    }
    response
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space).
fn form_decode(component: &str) -> Option<String> {
    let spaced = component.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

/// Reads HTTP Basic client credentials; RFC 6749 §2.3.1 form-urlencodes each part first.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, ()> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ())?;
    let Some(encoded) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    else {
        return Err(());
    };
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| ())?;
    let decoded = String::from_utf8(decoded).map_err(|_| ())?;
    let (id, secret) = decoded.split_once(':').ok_or(())?;
    Ok(Some((
        form_decode(id).ok_or(())?,
        form_decode(secret).ok_or(())?,
    )))
}

/// With no scope requested, the connection's scopes are granted; otherwise each requested
/// scope must be one of them.
fn granted_scope(connection: &Connection, requested: Option<&str>) -> Result<String, ()> {
    match requested.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(connection.scopes.join(" ")),
        Some(requested) => {
            if requested
                .split_whitespace()
                .all(|s| connection.scopes.iter().any(|g| g == s))
            {
                Ok(requested.split_whitespace().collect::<Vec<_>>().join(" "))
            } else {
                Err(())
            }
        }
    }
}

fn signature(key: &[u8; 32], signing_input: &str) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(signing_input.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

pub(crate) fn sign(key: &[u8; 32], claims: &Claims) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signing_input = format!("{header}.{payload}");
    let sig = URL_SAFE_NO_PAD.encode(signature(key, &signing_input));
    format!("{signing_input}.{sig}")
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenProblem {
    Missing,
    Invalid,
    Expired,
}

/// Checks the `Authorization: Bearer …` header: signature first, then expiry.
pub(crate) fn verify_bearer(
    config: &SandboxConfig,
    headers: &HeaderMap,
) -> Result<Claims, TokenProblem> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .ok_or(TokenProblem::Missing)?
        .trim();
    let (signing_input, sig) = token.rsplit_once('.').ok_or(TokenProblem::Invalid)?;
    let sig = URL_SAFE_NO_PAD
        .decode(sig)
        .map_err(|_| TokenProblem::Invalid)?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&config.signing_key)
        .map_err(|_| TokenProblem::Invalid)?;
    mac.update(signing_input.as_bytes());
    mac.verify_slice(&sig).map_err(|_| TokenProblem::Invalid)?;
    let (_, payload) = signing_input.split_once('.').ok_or(TokenProblem::Invalid)?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| TokenProblem::Invalid)?;
    let claims: Claims = serde_json::from_slice(&payload).map_err(|_| TokenProblem::Invalid)?;
    if claims.exp <= config.clock.now() {
        return Err(TokenProblem::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let mut headers = HeaderMap::new();
        let encoded = STANDARD.encode("id%3Awith+colon:s%26cret");
        headers.insert(
            header::AUTHORIZATION,
            format!("Basic {encoded}")
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(
            basic_credentials(&headers),
            Ok(Some(("id:with colon".into(), "s&cret".into())))
        );
    }

    #[test]
    fn requested_scope_must_be_granted() {
        let connection = Connection::demo();
        assert!(granted_scope(&connection, Some(crate::SCOPE_ROSTER_CORE)).is_ok());
        assert!(granted_scope(&connection, Some("https://example.com/other")).is_err());
        assert_eq!(
            granted_scope(&connection, None),
            Ok(connection.scopes.join(" "))
        );
    }
}
