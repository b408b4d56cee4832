//! The wizard's client for the proxy: one function per endpoint, one error type.

use gloo_net::http::Request;
use sis_onboard_protocol::{ApiError, ErrorCode, SESSION_PATH, SessionConfig};
use thiserror::Error;

use crate::options::MountOptions;

/// Why a call to the proxy failed, in the words the administrator sees.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApiFailure {
    /// The proxy could not be reached (network down, proxy stopped, blocked by the page).
    #[error(
        "We could not reach the onboarding service. Check your internet connection and reload the page."
    )]
    Unreachable,
    /// The session token is unknown.
    #[error(
        "This onboarding link is not valid. Go back to the app and open the integration link again."
    )]
    InvalidSession,
    /// The session has expired.
    #[error(
        "This onboarding session has expired. Go back to the app and open the integration link again."
    )]
    SessionExpired,
    /// The proxy answered with an error the wizard has no message of its own for.
    #[error("{0}")]
    Other(String),
}

impl From<ApiError> for ApiFailure {
    fn from(error: ApiError) -> Self {
        match error.code {
            ErrorCode::InvalidSession => Self::InvalidSession,
            ErrorCode::SessionExpired => Self::SessionExpired,
            _ => Self::Other(error.message),
        }
    }
}

/// Reads the session's configuration (`GET /v1/session`).
pub async fn fetch_session(options: &MountOptions) -> Result<SessionConfig, ApiFailure> {
    let response = Request::get(&options.endpoint(SESSION_PATH))
        .header(
            "Authorization",
            &format!("Bearer {}", options.session_token),
        )
        .send()
        .await
        .map_err(|_| ApiFailure::Unreachable)?;
    if response.ok() {
        return response.json().await.map_err(|_| {
            ApiFailure::Other("The onboarding service sent an answer we could not read.".into())
        });
    }
    match response.json::<ApiError>().await {
        Ok(error) => Err(error.into()),
        Err(_) => Err(ApiFailure::Other(format!(
            "The onboarding service answered with an error (HTTP {}). Please try again later.",
            response.status()
        ))),
    }
}
