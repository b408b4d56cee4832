//! The wizard's client for the proxy: one function per endpoint, one failure type. Requests
//! go through the browser's `fetch`; JSON is parsed and printed by the browser.

use miniserde::Deserialize;
use sis_onboard_protocol::{
    ApiError, COMPLETE_PATH, CompleteRequest, CompleteResponse, EXTRACTS_PATH, ErrorCode,
    ExtractCatalog, SESSION_PATH, SessionConfig, VALIDATE_PATH, ValidateRequest, ValidationReport,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::i18n::Key;
use crate::json::{from_json, to_json};
use crate::options::MountOptions;

/// Why a call to the proxy failed; each has its own message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiFailure {
    /// The browser is offline.
    Offline,
    /// The proxy could not be reached (stopped, blocked, or the network failed on the way).
    Unreachable,
    /// The session token is unknown.
    InvalidSession,
    /// The session has expired.
    SessionExpired,
    /// Too many attempts.
    RateLimited,
    /// Anything else the proxy answered.
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
}

/// One request to the proxy; the answer's text on success. Not generic, so the browser
/// plumbing exists once in the bundle whatever the answer's type.
async fn call_text(
    options: &MountOptions,
    method: &str,
    path: &str,
    body: Option<String>,
) -> Result<String, ApiFailure> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| ApiFailure::Other)?;
    let bearer = ["Bearer ", &options.session_token].concat();
    headers
        .set("Authorization", &bearer)
        .map_err(|_| ApiFailure::Other)?;
    if let Some(body) = &body {
        headers
            .set("Content-Type", "application/json")
            .map_err(|_| ApiFailure::Other)?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(&options.endpoint(path), &init)
        .map_err(|_| ApiFailure::Other)?;
    let window = web_sys::window().ok_or(ApiFailure::Other)?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| {
            if crate::host::offline() {
                ApiFailure::Offline
            } else {
                ApiFailure::Unreachable
            }
        })?
        .unchecked_into();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_string()),
        Err(_) => None,
    };
    if response.ok() {
        return text.ok_or(ApiFailure::Other);
    }
    Err(text
        .and_then(|t| from_json::<ApiError>(&t))
        .map_or(ApiFailure::Other, |e| ApiFailure::from_code(e.code)))
}

async fn call<T: Deserialize>(
    options: &MountOptions,
    method: &str,
    path: &str,
    body: Option<String>,
) -> Result<T, ApiFailure> {
    let text = call_text(options, method, path, body).await?;
    from_json(&text).ok_or(ApiFailure::Other)
}

/// Reads the session's configuration (`GET /v1/session`).
pub async fn fetch_session(options: &MountOptions) -> Result<SessionConfig, ApiFailure> {
    call(options, "GET", SESSION_PATH, None).await
}

/// "Validate Configuration" (`POST /v1/validate`).
pub async fn validate(
    options: &MountOptions,
    request: &ValidateRequest,
) -> Result<ValidationReport, ApiFailure> {
    call(options, "POST", VALIDATE_PATH, Some(to_json(request))).await
}

/// The Custom Data Extract catalog with the session's extracts, its texts in `lang`
/// (`GET /v1/extracts?lang=`).
pub async fn extracts(options: &MountOptions, lang: &str) -> Result<ExtractCatalog, ApiFailure> {
    let path = [EXTRACTS_PATH, "?lang=", lang].concat();
    call(options, "GET", &path, None).await
}

/// "Continue Setup" (`POST /v1/complete`).
pub async fn complete(
    options: &MountOptions,
    request: &CompleteRequest,
) -> Result<CompleteResponse, ApiFailure> {
    call(options, "POST", COMPLETE_PATH, Some(to_json(request))).await
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
        keys.dedup();
        assert_eq!(keys.len(), all.len());
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
}
