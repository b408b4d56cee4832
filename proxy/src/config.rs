//! The proxy's configuration, as the binary's flags and environment variables fill it.

use std::collections::BTreeMap;
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
    /// What the administrator reads ("United States"): the default label.
    pub label: String,
    /// The label in other languages, by primary language subtag (`fr` → "États-Unis").
    pub labels: BTreeMap<String, String>,
}

/// Longest label, in characters.
const MAX_LABEL_CHARS: usize = 64;

impl Region {
    /// Parses `id=Label`, optionally followed by labels in other languages,
    /// `id=Label|fr:Libellé|es:Etiqueta` (the binary's `--regions` syntax); the id is 1 to 32
    /// lower-case letters, digits, `-` or `_`, a language 2 or 3 lower-case letters.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (id, labels) = text.split_once('=').ok_or_else(|| {
            format!("region '{text}' is not of the form id=Label, e.g. eu=European Union")
        })?;
        let id = id.trim();
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
        let mut parts = labels.split('|').map(str::trim);
        let label = parts.next().unwrap_or_default();
        let label_ok = |label: &str| !label.is_empty() && label.chars().count() <= MAX_LABEL_CHARS;
        if !label_ok(label) {
            return Err(format!(
                "region '{id}' needs a label of 1 to {MAX_LABEL_CHARS} characters"
            ));
        }
        let mut translated = BTreeMap::new();
        for part in parts {
            let (lang, text) = part
                .split_once(':')
                .map_or(("", ""), |(l, t)| (l.trim(), t.trim()));
            let lang_ok =
                (2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_lowercase());
            if !lang_ok || !label_ok(text) {
                return Err(format!(
                    "region '{id}': '{part}' is not a label in another language; write lang:Label, \
                     e.g. ca=Canada|fr:Canada|es:Canadá"
                ));
            }
            if translated
                .insert(lang.to_owned(), text.to_owned())
                .is_some()
            {
                return Err(format!("region '{id}' has two labels in '{lang}'"));
            }
        }
        Ok(Self {
            id: id.to_owned(),
            label: label.to_owned(),
            labels: translated,
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
            "us=United States|fr:États-Unis|es:Estados Unidos",
            "ca=Canada|fr:Canada|es:Canadá",
            "eu=European Union|fr:Union européenne|es:Unión Europea",
        ]
        .into_iter()
        .filter_map(|text| Region::parse(text).ok())
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
                label: "European Union".into(),
                labels: BTreeMap::new(),
            })
        );
        assert!(Region::parse("eu").is_err_and(|e| e.contains("id=Label")));
        assert!(Region::parse("EU=Europe").is_err_and(|e| e.contains("lower-case")));
        assert!(Region::parse("eu=").is_err_and(|e| e.contains("label")));
    }

    #[test]
    fn regions_carry_labels_in_other_languages() {
        let ca = Region::parse("ca=Canada | fr:Canada (Québec) | es:Canadá")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ca.label, "Canada");
        assert_eq!(
            ca.labels.get("fr").map(String::as_str),
            Some("Canada (Québec)")
        );
        assert_eq!(ca.labels.get("es").map(String::as_str), Some("Canadá"));
        for bad in [
            "ca=Canada|Kanada",
            "ca=Canada|FR:Canada",
            "ca=Canada|fr:",
            "ca=Canada|fr:A|fr:B",
        ] {
            assert!(
                Region::parse(bad).is_err_and(|e| e.contains("'ca'")),
                "{bad}"
            );
        }
        assert_eq!(Config::default_regions().len(), 3);
        assert!(
            Config::default_regions()
                .iter()
                .all(|r| r.labels.contains_key("fr"))
        );
    }
}
