//! The proxy's configuration, as the binary's flags and environment variables fill it.

use std::time::Duration;

use crate::api_keys::ApiKey;
use crate::client_address::TrustedProxies;
use crate::crypto::{EncryptionKey, Keyring};
use crate::net_guard::NetPolicy;
use crate::rate_limit::RateLimit;

/// How the proxy behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// What the proxy may fetch (SSRF policy).
    pub net_policy: NetPolicy,
    /// The key stored secrets are sealed with; completing a connection needs it.
    pub encryption_key: Option<EncryptionKey>,
    /// Keys accepted for reading only, while `rotate-key` moves stored secrets from them to
    /// [`Config::encryption_key`]; empty outside a rotation.
    pub old_encryption_keys: Vec<EncryptionKey>,
    /// How often the server deletes expired sessions and validations.
    pub sweep_interval: Duration,
    /// Validations one session may run (default: 10 at once, 10 a minute).
    pub session_validations: RateLimit,
    /// Validations one client address may run (default: 30 at once, 30 a minute).
    pub address_validations: RateLimit,
    /// Session lookups with an unknown token one client address may make (default: 30 at
    /// once, 30 a minute); counted in memory, before the database is asked.
    pub failed_session_lookups: RateLimit,
    /// Load balancers whose `X-Forwarded-For`/`Forwarded` headers name the client (none by
    /// default: the TCP peer is the client).
    pub trusted_proxies: TrustedProxies,
    /// Keys that authenticate the vendor's backend on the vendor API.
    pub api_keys: Vec<ApiKey>,
    /// How long a new onboarding session lives.
    pub session_lifetime: Duration,
    /// The data storage regions this deployment has, in the order the wizard offers them.
    /// Which database each one uses is the [`crate::AppState`]'s business.
    pub regions: Vec<Region>,
    /// Webhook endpoints and how deliveries are retried (no endpoints by default).
    pub webhooks: crate::webhooks::WebhookSettings,
}

/// A data storage region: where a district's connection is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Stable id, recorded with each connection (`us`).
    pub id: String,
    /// What the administrator reads ("United States").
    pub label: String,
}

impl Region {
    /// Parses `id=Label` (the binary's `--regions` syntax); the id is 1 to 32 lower-case
    /// letters, digits, `-` or `_`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (id, label) = text.split_once('=').ok_or_else(|| {
            format!("region '{text}' is not of the form id=Label, e.g. eu=European Union")
        })?;
        let (id, label) = (id.trim(), label.trim());
        let id_ok = !id.is_empty()
            && id.len() <= 32
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !id_ok {
            return Err(format!(
                "region id '{id}' must be 1 to 32 lower-case letters, digits, '-' or '_'"
            ));
        }
        if label.is_empty() || label.chars().count() > 64 {
            return Err(format!("region '{id}' needs a label of 1 to 64 characters"));
        }
        Ok(Self {
            id: id.to_owned(),
            label: label.to_owned(),
        })
    }
}

impl Config {
    /// Default session lifetime: 30 minutes, like a Plaid link token.
    pub const DEFAULT_SESSION_LIFETIME: Duration = Duration::from_secs(30 * 60);

    /// Default interval of the sweep of expired sessions and validations: 5 minutes.
    pub const DEFAULT_SWEEP_INTERVAL: Duration = Duration::from_secs(5 * 60);

    /// A configuration with the given vendor API keys and default settings.
    pub fn new(api_keys: Vec<ApiKey>) -> Self {
        Self {
            net_policy: NetPolicy::default(),
            encryption_key: None,
            old_encryption_keys: Vec::new(),
            sweep_interval: Self::DEFAULT_SWEEP_INTERVAL,
            session_validations: RateLimit {
                burst: 10,
                per_minute: 10,
            },
            address_validations: RateLimit {
                burst: 30,
                per_minute: 30,
            },
            failed_session_lookups: RateLimit {
                burst: 30,
                per_minute: 30,
            },
            trusted_proxies: TrustedProxies::default(),
            api_keys,
            session_lifetime: Self::DEFAULT_SESSION_LIFETIME,
            regions: Self::default_regions(),
            webhooks: crate::webhooks::WebhookSettings::default(),
        }
    }

    /// The regions of a deployment that names none: the United States, Canada and the
    /// European Union, all kept in the one default database with the region recorded.
    pub fn default_regions() -> Vec<Region> {
        [
            ("us", "United States"),
            ("ca", "Canada"),
            ("eu", "European Union"),
        ]
        .into_iter()
        .map(|(id, label)| Region {
            id: id.into(),
            label: label.into(),
        })
        .collect()
    }

    /// The configured region `id`.
    pub fn region(&self, id: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.id == id)
    }

    /// The keys stored secrets are read with (None when no key is configured).
    pub fn keyring(&self) -> Option<Keyring<'_>> {
        self.encryption_key
            .as_ref()
            .map(|key| Keyring::new(key, &self.old_encryption_keys))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_parse_from_id_equals_label() {
        assert_eq!(
            Region::parse(" eu = European Union "),
            Ok(Region {
                id: "eu".into(),
                label: "European Union".into()
            })
        );
        assert!(Region::parse("eu").is_err_and(|e| e.contains("id=Label")));
        assert!(Region::parse("EU=Europe").is_err_and(|e| e.contains("lower-case")));
        assert!(Region::parse("eu=").is_err_and(|e| e.contains("label")));
    }
}
