//! The proxy's one error type and its one mapping to HTTP statuses and stable codes.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sis_onboard_protocol::{ApiError, ErrorCode};

/// Marks a response whose request came from a refused origin.
#[derive(Debug, Clone, Copy)]
pub struct OriginRefused;

/// Everything a request can fail with. Internal detail is logged, never sent.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// The user sees: "This onboarding link is not valid. Ask the app for a new one."
    #[error("no valid session token")]
    InvalidSession,
    /// The user sees: "This onboarding session has expired. Reopen it from the app."
    #[error("the session has expired")]
    SessionExpired,
    /// The user sees the expired session's message: a completed session is finished, and
    /// can no longer validate (its connection is stored; the app opens a new session to
    /// change it). The same code as [`ProxyError::SessionExpired`], so the wizard needs none.
    #[error("the session has completed")]
    SessionCompleted,
    /// The vendor's engineer sees: this page's origin is not in the session's allowed origins.
    #[error("origin not allowed")]
    OriginNotAllowed,
    /// The user sees: "Validate the configuration again before continuing."
    #[error("no passed validation of these values")]
    ValidationRequired,
    /// The user sees: "Too many attempts. Wait a minute, then try again."
    #[error("rate limited")]
    RateLimited {
        /// Seconds until a request is allowed again.
        retry_after_secs: u64,
    },
    /// The vendor's engineer sees: no such connection (or it was revoked).
    #[error("not found")]
    NotFound,
    /// The vendor's engineer sees: the API key is missing or wrong.
    #[error("no valid API key")]
    InvalidApiKey,
    /// The vendor's engineer sees: the API key lacks the scope this endpoint needs (named).
    #[error("the API key lacks the scope {}", .0.as_str())]
    KeyScopeMissing(crate::api_keys::Scope),
    /// The vendor's engineer sees: the API key is bound to other tenants.
    #[error("the API key may not act for this tenant")]
    TenantNotAllowed,
    /// The caller sent something malformed; the message says what.
    #[error("bad request: {message}")]
    BadRequest {
        /// What was wrong, in plain words (never containing a secret).
        message: String,
        /// The field at fault.
        field: Option<&'static str>,
    },
    /// Something broke inside the proxy.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ProxyError {
    /// A malformed `field`, with what is wrong in plain words.
    pub fn bad_request(field: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            message: message.into(),
            field: Some(field),
        }
    }
}

/// A JSON body that could not be read is the caller's mistake; axum says what it was.
impl From<axum::extract::rejection::JsonRejection> for ProxyError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        Self::BadRequest {
            message: rejection.body_text(),
            field: None,
        }
    }
}

impl From<crate::webhooks::WebhookError> for ProxyError {
    fn from(error: crate::webhooks::WebhookError) -> Self {
        use crate::webhooks::WebhookError;
        match error {
            WebhookError::UnknownEndpoint(_) | WebhookError::DeliveryNotFound => Self::NotFound,
            WebhookError::Store(error) => error.into(),
        }
    }
}

impl From<sqlx::Error> for ProxyError {
    fn from(error: sqlx::Error) -> Self {
        Self::Internal(format!("store: {error}"))
    }
}

impl IntoResponse for ProxyError {
    fn into_response(self) -> Response {
        let (status, code, message, field) = match &self {
            Self::InvalidSession => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidSession,
                "This onboarding link is not valid. Ask the app for a new one.".to_owned(),
                None,
            ),
            Self::SessionExpired => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::SessionExpired,
                "This onboarding session has expired. Reopen it from the app.".to_owned(),
                None,
            ),
            Self::SessionCompleted => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::SessionExpired,
                "This onboarding session is complete; its connection is saved. Reopen it from the app to make changes."
                    .to_owned(),
                None,
            ),
            Self::OriginNotAllowed => (
                StatusCode::FORBIDDEN,
                ErrorCode::OriginNotAllowed,
                "This page is not allowed to use this onboarding session.".to_owned(),
                None,
            ),
            Self::ValidationRequired => (
                StatusCode::CONFLICT,
                ErrorCode::ValidationRequired,
                "These values have not been validated. Click Validate Configuration first."
                    .to_owned(),
                None,
            ),
            Self::RateLimited { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                "Too many attempts. Wait a minute, then try again.".to_owned(),
                None,
            ),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                "There is no such record (or, for a connection, it was revoked).".to_owned(),
                None,
            ),
            Self::InvalidApiKey => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidApiKey,
                "A valid API key is required in the Authorization header.".to_owned(),
                None,
            ),
            Self::KeyScopeMissing(scope) => (
                StatusCode::FORBIDDEN,
                ErrorCode::KeyScopeMissing,
                format!(
                    "This API key lacks the scope {}; use a key that has it (docs/security.md, \"API keys\").",
                    scope.as_str()
                ),
                None,
            ),
            Self::TenantNotAllowed => (
                StatusCode::FORBIDDEN,
                ErrorCode::TenantNotAllowed,
                "This API key may not act for this tenant; use a key bound to it, or one bound to no tenant."
                    .to_owned(),
                Some("tenant_id".to_owned()),
            ),
            Self::BadRequest { message, field } => (
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                message.clone(),
                field.map(str::to_owned),
            ),
            Self::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::Internal,
                    "Something went wrong on our side. Please try again.".to_owned(),
                    None,
                )
            }
        };
        let mut response = (
            status,
            Json(ApiError {
                code,
                message,
                field,
            }),
        )
            .into_response();
        if let Self::RateLimited { retry_after_secs } = self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after_secs.max(1)),
            );
        }
        if code == ErrorCode::OriginNotAllowed {
            // Tells the CORS layer not to let the refused page read the answer.
            response.extensions_mut().insert(OriginRefused);
        }
        response
    }
}
