//! How a vendor configures one wizard: the attributes of its host element.

use crate::i18n::Key;

/// A wizard's configuration, checked once when it mounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountOptions {
    /// The proxy's base URL without a trailing slash (empty: the page's own origin).
    pub api_base: String,
    /// The onboarding session token the vendor's backend obtained.
    pub session_token: String,
}

/// What can be wrong with the host element's attributes: shown inside the element (the
/// administrator cannot go on), and told to the page as `sis-onboard:error` with
/// [`OptionsError::code`]. The `Display` text is for developers' logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OptionsError {
    /// The vendor's page did not pass a session token. The administrator reads "This page
    /// did not start an onboarding session. Ask the app for a new onboarding link." (with a
    /// note for developers).
    #[error("the `session` attribute is missing or empty")]
    MissingSession,
    /// The `api` attribute is not an http(s) URL or a path. The administrator reads "This
    /// onboarding page is misconfigured." (with a note for developers).
    #[error("the `api` attribute is not an http(s) URL or a path")]
    BadApi,
}

impl OptionsError {
    /// The code of the host's `sis-onboard:error` event.
    pub fn code(self) -> &'static str {
        match self {
            OptionsError::MissingSession => "missing_session",
            OptionsError::BadApi => "bad_api",
        }
    }

    /// What the administrator (and the vendor's developer) reads.
    pub fn message(self) -> Key {
        match self {
            OptionsError::MissingSession => Key::OptMissingSession,
            OptionsError::BadApi => Key::OptBadApi,
        }
    }
}

impl MountOptions {
    /// Reads the `session` and `api` attributes; `api` defaults to the page's own origin.
    pub fn from_attributes(
        session: Option<String>,
        api: Option<String>,
    ) -> Result<Self, OptionsError> {
        let session_token = session
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .ok_or(OptionsError::MissingSession)?;
        let api = api.map(|a| a.trim().to_owned()).unwrap_or_default();
        let is_url = api.starts_with("https://") || api.starts_with("http://");
        if !(api.is_empty() || api.starts_with('/') || is_url) || api.contains(char::is_whitespace)
        {
            return Err(OptionsError::BadApi);
        }
        Ok(Self {
            api_base: api.trim_end_matches('/').to_owned(),
            session_token,
        })
    }

    /// The full URL of a proxy endpoint such as `/v1/session`.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.api_base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_is_required() {
        assert_eq!(
            MountOptions::from_attributes(None, Some("/".into())),
            Err(OptionsError::MissingSession)
        );
        assert_eq!(
            MountOptions::from_attributes(Some("  ".into()), None),
            Err(OptionsError::MissingSession)
        );
    }

    #[test]
    fn api_is_normalised_to_a_prefix() {
        let same_origin = MountOptions::from_attributes(Some("sos_x".into()), Some("/".into()));
        assert_eq!(
            same_origin.map(|o| o.endpoint("/v1/session")),
            Ok("/v1/session".into())
        );
        let remote = MountOptions::from_attributes(
            Some("sos_x".into()),
            Some(" https://onboard.example.com/ ".into()),
        );
        assert_eq!(
            remote.map(|o| o.endpoint("/v1/session")),
            Ok("https://onboard.example.com/v1/session".into())
        );
        let absent = MountOptions::from_attributes(Some("sos_x".into()), None);
        assert_eq!(
            absent.map(|o| o.endpoint("/healthz")),
            Ok("/healthz".into())
        );
    }

    #[test]
    fn api_must_be_a_url_or_path() {
        for bad in ["javascript:alert(1)", "onboard.example.com", "https://a b"] {
            assert_eq!(
                MountOptions::from_attributes(Some("sos_x".into()), Some(bad.into())),
                Err(OptionsError::BadApi),
                "{bad}"
            );
        }
    }
}
