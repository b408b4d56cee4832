//! Wire types shared by the wizard (wasm32) and the proxy (native): serde only.
//!
//! Everything that crosses HTTP between the browser and the proxy is defined here,
//! once, so the two sides cannot drift apart.

use serde::{Deserialize, Serialize};

/// Path of the proxy's health check.
pub const HEALTH_PATH: &str = "/healthz";
/// Path where the vendor's backend opens an onboarding session (API key required).
pub const SESSIONS_PATH: &str = "/v1/sessions";
/// Path where the wizard reads the configuration of its own session (session token required).
pub const SESSION_PATH: &str = "/v1/session";

/// What the health check answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Always `"ok"` when the proxy can serve requests.
    pub status: String,
    /// The proxy's version (its crate version).
    pub version: String,
}

/// What the vendor's backend sends to open an onboarding session for one of its customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSessionRequest {
    /// The vendor's own identifier for the customer (district) being onboarded.
    pub tenant_id: String,
    /// The vendor's name as the administrator should see it ("Acme Learning").
    pub display_name: String,
    /// Origins (scheme://host[:port]) allowed to use the session from a browser.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Where the administrator can get help, shown on the last step.
    #[serde(default)]
    pub support_contact: Option<String>,
}

/// What the proxy answers when a session was opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSessionResponse {
    /// The session token to hand to the wizard; shown once, stored by the proxy only as a hash.
    pub session_token: String,
    /// When the session stops working, in seconds since the Unix epoch.
    pub expires_at: i64,
}

/// The configuration the wizard reads for its session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionConfig {
    /// The vendor's name as the administrator should see it.
    pub display_name: String,
    /// Where the administrator can get help.
    pub support_contact: Option<String>,
    /// When the session stops working, in seconds since the Unix epoch.
    pub expires_at: i64,
}

/// The body of every error the proxy answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// A stable, documented, machine-readable code; the wizard picks its message from it.
    pub code: ErrorCode,
    /// A plain-language message, used when the wizard has none of its own for the code.
    pub message: String,
    /// The input field at fault, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Stable error codes; see the README's error table for what each one tells the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No session token, or one the proxy does not know.
    InvalidSession,
    /// The session token was valid but has expired; the vendor must open a new session.
    SessionExpired,
    /// No API key, or a wrong one, on a vendor endpoint.
    InvalidApiKey,
    /// The request body or parameters were malformed.
    BadRequest,
    /// Something failed inside the proxy; details are in its log, never in the answer.
    Internal,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_snake_case_on_the_wire() {
        let error = ApiError {
            code: ErrorCode::SessionExpired,
            message: "The session has expired.".into(),
            field: None,
        };
        let json = serde_json::to_value(&error).unwrap_or_default();
        assert_eq!(json["code"], "session_expired");
        assert!(json.get("field").is_none(), "absent field is omitted");
    }

    #[test]
    fn create_session_request_defaults_optional_lists() {
        let parsed: Result<CreateSessionRequest, _> =
            serde_json::from_str(r#"{"tenant_id":"d1","display_name":"Acme"}"#);
        let parsed = parsed.map_err(|e| e.to_string());
        assert_eq!(
            parsed,
            Ok(CreateSessionRequest {
                tenant_id: "d1".into(),
                display_name: "Acme".into(),
                allowed_origins: vec![],
                support_contact: None,
            })
        );
    }
}
