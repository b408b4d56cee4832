//! The wizard's client for the proxy: one function per endpoint, one failure type. Requests
//! go through gloo-net (the browser's `fetch`); JSON is read and written with serde_json.

use gloo_net::http::{Headers, Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use sis_onboard_protocol::{
    ApiError, COMPLETE_PATH, CompleteRequest, CompleteResponse, EXTRACTS_PATH, ErrorCode,
    ExtractCatalog, SESSION_PATH, SessionConfig, VALIDATE_PATH, ValidateRequest, ValidationReport,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::Key;
use crate::options::MountOptions;

/// Why a call to the proxy failed. Each variant has its own message for the administrator
/// ([`ApiFailure::message`]) and its own code for the host page ([`ApiFailure::code`]); the
/// `Display` text is for developers' logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ApiFailure {
    /// The browser is offline. The administrator reads "You are offline. Check your internet
    /// connection; nothing you entered is lost."
    #[error("the browser is offline")]
    Offline,
    /// The proxy could not be reached (stopped, blocked, or the network failed on the way).
    /// The administrator reads "We could not reach the onboarding service. Try again in a
    /// minute; nothing you entered is lost."
    #[error("the onboarding service could not be reached")]
    Unreachable,
    /// The session token is unknown. The administrator reads "This onboarding link is not
    /// valid. Go back to <vendor> and open the integration link again."
    #[error("the session token is not valid")]
    InvalidSession,
    /// The session has expired. The administrator reads "This onboarding session has
    /// expired. Go back to <vendor> and open the integration link again."
    #[error("the session has expired")]
    SessionExpired,
    /// Too many attempts. The administrator reads "Too many attempts. Wait a minute, then
    /// try again."
    #[error("too many attempts")]
    RateLimited,
    /// Anything else the proxy answered, or an answer the wizard could not read. The
    /// administrator reads "Something went wrong on our side. Please try again."
    #[error("the onboarding service answered with an error")]
    Other,
}

impl ApiFailure {
    /// What the administrator reads.
    pub fn message(self) -> Key {
        match self {
            ApiFailure::Offline => Key::NetOffline,
            ApiFailure::Unreachable => Key::NetUnreachable,
            ApiFailure::InvalidSession => Key::NetInvalidSession,
            ApiFailure::SessionExpired => Key::NetExpired,
            ApiFailure::RateLimited => Key::NetRateLimited,
            ApiFailure::Other => Key::NetOther,
        }
    }

    /// The code the host page hears (`sis-onboard:error`, `sis-onboard:validation`).
    pub fn code(self) -> &'static str {
        match self {
            ApiFailure::Offline => "offline",
            ApiFailure::Unreachable => "unreachable",
            ApiFailure::InvalidSession => "invalid_session",
            ApiFailure::SessionExpired => "session_expired",
            ApiFailure::RateLimited => "rate_limited",
            ApiFailure::Other => "other",
        }
    }

    /// The message in English, for the vendor's logs (the `sis-onboard:error` event).
    pub fn english(self) -> String {
        crate::i18n::Lang::En.format(self.message(), &[("vendor", "")])
    }

    /// The failure an error body of the proxy stands for.
    pub fn from_code(code: ErrorCode) -> Self {
        match code {
            ErrorCode::InvalidSession => ApiFailure::InvalidSession,
            ErrorCode::SessionExpired => ApiFailure::SessionExpired,
            ErrorCode::RateLimited => ApiFailure::RateLimited,
            _ => ApiFailure::Other,
        }
    }

    /// The failure a refusal stands for: the code of the proxy's error body when `body` (None
    /// when it could not be read) is one, else what the status says. A 401 without a body
    /// cannot tell an expired session from an unknown one; the proxy's own 401s always say.
    pub fn from_refusal(status: u16, body: Option<&str>) -> Self {
        match body.and_then(|body| serde_json::from_str::<ApiError>(body).ok()) {
            Some(error) => ApiFailure::from_code(error.code),
            None => match status {
                401 => ApiFailure::InvalidSession,
                429 => ApiFailure::RateLimited,
                _ => ApiFailure::Other,
            },
        }
    }

    /// A request the network failed: offline when the browser says so, else unreachable.
    pub fn network() -> Self {
        if crate::host::offline() {
            ApiFailure::Offline
        } else {
            ApiFailure::Unreachable
        }
    }
}

/// The headers of every call: the session token. Built here rather than with gloo-net's
/// `header()`, which throws on a value the browser refuses (the token is the vendor's
/// attribute, so anything can be in it): such a token is a failure like any other.
fn authorized(
    options: &MountOptions,
    builder: RequestBuilder,
) -> Result<RequestBuilder, ApiFailure> {
    let headers = web_sys::Headers::new().map_err(|_| ApiFailure::Other)?;
    headers
        .set(
            "Authorization",
            &format!("Bearer {}", options.session_token),
        )
        .map_err(|_| ApiFailure::Other)?;
    Ok(builder.headers(Headers::from_raw(headers)))
}

/// Sends `request`; a request the network never answered is offline or unreachable.
async fn send(request: Request) -> Result<Response, ApiFailure> {
    request.send().await.map_err(|_| ApiFailure::network())
}

/// The answer's body as `T`, or the failure the proxy's error body (or status) stands for.
async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiFailure> {
    let body = response.text().await;
    if !response.ok() {
        return Err(ApiFailure::from_refusal(
            response.status(),
            body.as_deref().ok(),
        ));
    }
    // A yes whose body broke off on the way is the network's failure, not the proxy's.
    let body = body.map_err(|_| ApiFailure::network())?;
    serde_json::from_str(&body).map_err(|_| ApiFailure::Other)
}

/// Reads the session's configuration (`GET /v1/session`).
pub async fn fetch_session(options: &MountOptions) -> Result<SessionConfig, ApiFailure> {
    let builder = authorized(options, Request::get(&options.endpoint(SESSION_PATH)))?;
    let request = builder.build().map_err(|_| ApiFailure::Other)?;
    read(send(request).await?).await
}

/// The session's configuration from the loader's own `GET /v1/session`, started alongside
/// the wasm (`prefetched` resolves to its `Response`, or to `null` when the network failed).
/// A failed prefetch is not asked again (the request would be sent, refused and logged
/// twice): it is classified (offline, unreachable) as the wizard's own request would be.
pub async fn prefetched_session(prefetched: js_sys::Promise) -> Result<SessionConfig, ApiFailure> {
    let answer = JsFuture::from(prefetched).await.ok();
    match answer.and_then(|a| a.dyn_into::<web_sys::Response>().ok()) {
        Some(response) => read(Response::from(response)).await,
        None => Err(ApiFailure::network()),
    }
}

/// "Validate Configuration" (`POST /v1/validate`).
pub async fn validate(
    options: &MountOptions,
    request: &ValidateRequest,
) -> Result<ValidationReport, ApiFailure> {
    let builder = authorized(options, Request::post(&options.endpoint(VALIDATE_PATH)))?;
    let request = builder.json(request).map_err(|_| ApiFailure::Other)?;
    read(send(request).await?).await
}

/// The Custom Data Extract catalog with the session's extracts, its texts in `lang`
/// (`GET /v1/extracts?lang=`).
pub async fn extracts(options: &MountOptions, lang: &str) -> Result<ExtractCatalog, ApiFailure> {
    let builder = Request::get(&options.endpoint(EXTRACTS_PATH)).query([("lang", lang)]);
    let request = authorized(options, builder)?
        .build()
        .map_err(|_| ApiFailure::Other)?;
    read(send(request).await?).await
}

/// "Continue Setup" (`POST /v1/complete`).
pub async fn complete(
    options: &MountOptions,
    request: &CompleteRequest,
) -> Result<CompleteResponse, ApiFailure> {
    let builder = authorized(options, Request::post(&options.endpoint(COMPLETE_PATH)))?;
    let request = builder.json(request).map_err(|_| ApiFailure::Other)?;
    read(send(request).await?).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_has_its_own_message() {
        let all = [
            ApiFailure::Offline,
            ApiFailure::Unreachable,
            ApiFailure::InvalidSession,
            ApiFailure::SessionExpired,
            ApiFailure::RateLimited,
            ApiFailure::Other,
        ];
        let mut keys: Vec<_> = all.iter().map(|f| f.message() as usize).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), all.len());
        let mut codes: Vec<_> = all.iter().map(|f| f.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        assert_eq!(
            ApiFailure::from_code(ErrorCode::SessionExpired),
            ApiFailure::SessionExpired
        );
        assert_eq!(
            ApiFailure::from_code(ErrorCode::InvalidSession),
            ApiFailure::InvalidSession
        );
        assert_eq!(
            ApiFailure::from_code(ErrorCode::Internal),
            ApiFailure::Other
        );
    }

    #[test]
    fn a_refusal_is_read_from_its_body_else_from_its_status() {
        let body = |code: &str| format!(r#"{{"code":"{code}","message":"m","field":null}}"#);
        // The proxy's error body says which 401 it is, and wins over the status.
        assert_eq!(
            ApiFailure::from_refusal(401, Some(&body("session_expired"))),
            ApiFailure::SessionExpired
        );
        assert_eq!(
            ApiFailure::from_refusal(401, Some(&body("invalid_session"))),
            ApiFailure::InvalidSession
        );
        assert_eq!(
            ApiFailure::from_refusal(400, Some(&body("rate_limited"))),
            ApiFailure::RateLimited
        );
        assert_eq!(
            ApiFailure::from_refusal(429, Some(&body("internal"))),
            ApiFailure::Other
        );
        // Without one (a gateway's page, a body that broke off), the status tells.
        for body in [None, Some(""), Some("<html>Too Many Requests</html>")] {
            assert_eq!(ApiFailure::from_refusal(429, body), ApiFailure::RateLimited);
            assert_eq!(
                ApiFailure::from_refusal(401, body),
                ApiFailure::InvalidSession
            );
            for status in [400, 403, 404, 500, 502, 503] {
                assert_eq!(
                    ApiFailure::from_refusal(status, body),
                    ApiFailure::Other,
                    "{status}"
                );
            }
        }
    }
}
