//! The wizard's client for the proxy: one function per endpoint, one failure type.

use gloo_net::http::{Request, RequestBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sis_onboard_protocol::{
    ApiError, COMPLETE_PATH, CompleteRequest, CompleteResponse, ErrorCode, SESSION_PATH,
    SessionConfig, VALIDATE_PATH, ValidateRequest, ValidationReport,
};

use crate::i18n::Key;
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

fn authorised(request: RequestBuilder, options: &MountOptions) -> RequestBuilder {
    request.header(
        "Authorization",
        &format!("Bearer {}", options.session_token),
    )
}

async fn send<T: DeserializeOwned>(
    request: Result<Request, gloo_net::Error>,
) -> Result<T, ApiFailure> {
    let unreachable = || {
        if crate::host::offline() {
            ApiFailure::Offline
        } else {
            ApiFailure::Unreachable
        }
    };
    let response = request
        .map_err(|_| ApiFailure::Other)?
        .send()
        .await
        .map_err(|_| unreachable())?;
    if response.ok() {
        return response.json().await.map_err(|_| ApiFailure::Other);
    }
    match response.json::<ApiError>().await {
        Ok(error) => Err(ApiFailure::from_code(error.code)),
        Err(_) => Err(ApiFailure::Other),
    }
}

async fn post<B: Serialize, T: DeserializeOwned>(
    options: &MountOptions,
    path: &str,
    body: &B,
) -> Result<T, ApiFailure> {
    send(authorised(Request::post(&options.endpoint(path)), options).json(body)).await
}

/// Reads the session's configuration (`GET /v1/session`).
pub async fn fetch_session(options: &MountOptions) -> Result<SessionConfig, ApiFailure> {
    send(authorised(Request::get(&options.endpoint(SESSION_PATH)), options).build()).await
}

/// "Validate Configuration" (`POST /v1/validate`).
pub async fn validate(
    options: &MountOptions,
    request: &ValidateRequest,
) -> Result<ValidationReport, ApiFailure> {
    post(options, VALIDATE_PATH, request).await
}

/// "Continue Setup" (`POST /v1/complete`).
pub async fn complete(
    options: &MountOptions,
    request: &CompleteRequest,
) -> Result<CompleteResponse, ApiFailure> {
    post(options, COMPLETE_PATH, request).await
}
