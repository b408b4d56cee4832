//! Webhook endpoints as the vendor configures them (`--webhooks` JSON or
//! `--webhooks-file`): parsed once at start, each URL checked by the SSRF policy, each
//! secret kept where nothing prints it.
//!
//! The configuration is a JSON array; each endpoint is
//! `{"id", "url", "tenants"?, "events"?, "secrets"}`, and each secret is
//! `{"secret": "whsec_…", "expires_at"?: "<RFC 3339>"}` or just `"whsec_…"`. A secret with
//! `expires_at` keeps signing until then: during a rotation the old secret gets an expiry
//! and the new one none, and both signatures are sent until the old one expires.

use std::path::Path;

use reqwest::Url;
use serde_json::Value;
use sis_onboard_protocol::WebhookEventType;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroize;

use super::signing::SigningSecret;
use crate::net_guard::NetPolicy;

/// The fields an endpoint may have.
const ENDPOINT_FIELDS: &str = "id, url, tenants, events, secrets";
/// The fields a secret may have.
const SECRET_FIELDS: &str = "secret, expires_at";
/// The longest endpoint id.
const MAX_ID_LEN: usize = 64;

/// Why the webhook configuration was refused: which endpoint, which field, and what to do.
/// Never holds a secret.
#[derive(Debug, thiserror::Error)]
pub enum EndpointsError {
    /// `--webhooks-file` could not be read.
    #[error("cannot read the webhooks file {path}: {source}")]
    Read {
        /// The file named.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The text is not JSON (serde_json's message: a position, never the text).
    #[error("the webhooks configuration is not valid JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// The JSON is not an array.
    #[error(
        "the webhooks configuration must be a JSON array of endpoints, e.g. \
         [{{\"id\": \"crm\", \"url\": \"https://hooks.example.com/sis\", \
         \"secrets\": [{{\"secret\": \"whsec_…\"}}]}}]"
    )]
    NotAList,
    /// One endpoint's field is wrong.
    #[error("webhook endpoint {entry}: `{field}` {problem}")]
    Field {
        /// The endpoint: its position in the array and, when it has one, its id.
        entry: String,
        /// The field at fault, as a path (`secrets[1].expires_at`).
        field: String,
        /// What is wrong and how to fix it.
        problem: String,
    },
}

/// One signing secret and when it stops signing.
#[derive(Debug, Clone)]
pub struct EndpointSecret {
    /// The key.
    pub secret: SigningSecret,
    /// Seconds since the Unix epoch after which it no longer signs; None: no expiry.
    pub expires_at: Option<i64>,
}

/// A configured webhook endpoint.
#[derive(Clone)]
pub struct Endpoint {
    /// The vendor's name for it, unique; deliveries refer to it.
    pub id: String,
    /// Where events are POSTed (already checked by the SSRF policy).
    pub url: Url,
    /// Only these tenants' events; None: every tenant's.
    pub tenants: Option<Vec<String>>,
    /// Only these event types; None: every type.
    pub events: Option<Vec<WebhookEventType>>,
    /// The signing secrets, in the order their signatures are sent.
    pub secrets: Vec<EndpointSecret>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A URL's query may carry the receiver's own token: print the origin and path only.
        f.debug_struct("Endpoint")
            .field("id", &self.id)
            .field(
                "url",
                &format!(
                    "{}{}",
                    self.url.origin().ascii_serialization(),
                    self.url.path()
                ),
            )
            .field("tenants", &self.tenants)
            .field("events", &self.events)
            .field("secrets", &self.secrets.len())
            .finish()
    }
}

impl Endpoint {
    /// True when this endpoint wants events of `event_type` about `tenant_id`. A `test`
    /// event goes to the endpoint it names, whatever its filters (see
    /// [`super::events::test_event`]).
    pub fn wants(&self, tenant_id: Option<&str>, event_type: WebhookEventType) -> bool {
        let tenant_ok = match (&self.tenants, tenant_id) {
            (None, _) => true,
            (Some(tenants), Some(tenant)) => tenants.iter().any(|t| t == tenant),
            (Some(_), None) => false,
        };
        let event_ok = self
            .events
            .as_ref()
            .is_none_or(|events| events.contains(&event_type));
        tenant_ok && event_ok
    }

    /// The secrets that sign at `now` (seconds since the Unix epoch): those without an expiry
    /// and those expiring later.
    pub fn signing_secrets(&self, now: i64) -> Vec<&SigningSecret> {
        self.secrets
            .iter()
            .filter(|s| s.expires_at.is_none_or(|at| now < at))
            .map(|s| &s.secret)
            .collect()
    }
}

/// Every configured endpoint (none by default: no webhooks are sent).
#[derive(Debug, Clone, Default)]
pub struct Endpoints(Vec<Endpoint>);

impl Endpoints {
    /// No endpoints.
    pub fn none() -> Self {
        Self::default()
    }

    /// Parses the JSON configuration, checking each URL against `policy` as of `now`
    /// (seconds since the Unix epoch: a secret that has already expired is refused).
    pub fn parse_json(text: &str, policy: &NetPolicy, now: i64) -> Result<Self, EndpointsError> {
        let mut value: Value = serde_json::from_str(text).map_err(EndpointsError::Json)?;
        let parsed = match &mut value {
            Value::Array(entries) => entries
                .iter_mut()
                .enumerate()
                .map(|(index, entry)| parse_endpoint(index, entry, policy, now))
                .collect::<Result<Vec<_>, _>>(),
            _ => Err(EndpointsError::NotAList),
        };
        wipe_strings(&mut value);
        let endpoints = parsed?;
        for (index, endpoint) in endpoints.iter().enumerate() {
            if endpoints[..index].iter().any(|e| e.id == endpoint.id) {
                return Err(EndpointsError::Field {
                    entry: entry_name(index, Some(&endpoint.id)),
                    field: "id".into(),
                    problem: "is used by an earlier endpoint; each id must be unique".into(),
                });
            }
        }
        Ok(Self(endpoints))
    }

    /// Reads and parses the configuration file at `path` (see [`Endpoints::parse_json`]).
    pub fn read_file(path: &Path, policy: &NetPolicy, now: i64) -> Result<Self, EndpointsError> {
        let mut text = std::fs::read_to_string(path).map_err(|source| EndpointsError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let parsed = Self::parse_json(&text, policy, now);
        text.zeroize();
        parsed
    }

    /// Every endpoint, in configuration order.
    pub fn iter(&self) -> impl Iterator<Item = &Endpoint> {
        self.0.iter()
    }

    /// True when no endpoint is configured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The endpoint `id`.
    pub fn get(&self, id: &str) -> Option<&Endpoint> {
        self.0.iter().find(|e| e.id == id)
    }

    /// The ids of the endpoints that want events of `event_type` about `tenant_id`.
    pub fn matching(&self, tenant_id: Option<&str>, event_type: WebhookEventType) -> Vec<String> {
        self.0
            .iter()
            .filter(|e| e.wants(tenant_id, event_type))
            .map(|e| e.id.clone())
            .collect()
    }
}

impl FromIterator<Endpoint> for Endpoints {
    fn from_iter<I: IntoIterator<Item = Endpoint>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// How an entry is named in messages: `[2] (id crm)`, or `[2]` before its id is known. No
/// quotes: the binary prints its start-up errors quoted, and ids need none.
fn entry_name(index: usize, id: Option<&str>) -> String {
    match id {
        Some(id) => format!("[{index}] (id {id})"),
        None => format!("[{index}]"),
    }
}

/// Overwrites every string of a parsed configuration (the secrets among them) before it
/// is dropped.
fn wipe_strings(value: &mut Value) {
    match value {
        Value::String(text) => text.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe_strings),
        Value::Object(fields) => fields.values_mut().for_each(wipe_strings),
        _ => {}
    }
}

fn parse_endpoint(
    index: usize,
    entry: &mut Value,
    policy: &NetPolicy,
    now: i64,
) -> Result<Endpoint, EndpointsError> {
    let id_hint = entry
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| is_valid_id(id))
        .map(str::to_owned);
    let field_error = |field: &str, problem: String| EndpointsError::Field {
        entry: entry_name(index, id_hint.as_deref()),
        field: field.to_owned(),
        problem,
    };
    let Value::Object(fields) = entry else {
        return Err(field_error(
            "",
            "must be an object with the fields id, url and secrets (tenants and events optional)"
                .into(),
        ));
    };
    if let Some(unknown) = fields.keys().find(|key| {
        !ENDPOINT_FIELDS
            .split(", ")
            .any(|known| known == key.as_str())
    }) {
        return Err(field_error(
            unknown,
            format!("is not a field of an endpoint; the fields are {ENDPOINT_FIELDS}"),
        ));
    }

    let id = match fields.get("id") {
        Some(Value::String(id)) if is_valid_id(id) => id.clone(),
        Some(_) => {
            return Err(field_error(
                "id",
                format!("must be 1 to {MAX_ID_LEN} letters, digits, '-' or '_'"),
            ));
        }
        None => return Err(field_error("id", "is missing".into())),
    };

    let url = match fields.get("url") {
        Some(Value::String(text)) => parse_url(text, policy).map_err(|p| field_error("url", p))?,
        Some(_) => return Err(field_error("url", "must be a string".into())),
        None => return Err(field_error("url", "is missing".into())),
    };

    let tenants = match fields.get("tenants") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) if !items.is_empty() => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| match item.as_str().map(str::trim) {
                    Some(tenant) if !tenant.is_empty() => Ok(tenant.to_owned()),
                    _ => Err(field_error(
                        &format!("tenants[{i}]"),
                        "must be a tenant id (a non-empty string)".into(),
                    )),
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(_) => {
            return Err(field_error(
                "tenants",
                "must be a non-empty list of tenant ids; leave it out to receive every tenant's events"
                    .into(),
            ));
        }
    };

    let events = match fields.get("events") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) if !items.is_empty() => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    item.as_str()
                        .and_then(WebhookEventType::from_name)
                        .ok_or_else(|| {
                            field_error(
                                &format!("events[{i}]"),
                                format!(
                                    "must be one of {}",
                                    WebhookEventType::ALL
                                        .map(WebhookEventType::as_str)
                                        .join(", ")
                                ),
                            )
                        })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(_) => {
            return Err(field_error(
                "events",
                "must be a non-empty list of event types; leave it out to receive every event"
                    .into(),
            ));
        }
    };

    let secrets = match fields.get_mut("secrets") {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter_mut()
            .enumerate()
            .map(|(i, item)| {
                parse_secret(item).map_err(|(f, p)| field_error(&format!("secrets[{i}]{f}"), p))
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => {
            return Err(field_error(
                "secrets",
                "must be a non-empty list of signing secrets, e.g. [{\"secret\": \"whsec_…\"}]"
                    .into(),
            ));
        }
        None => return Err(field_error("secrets", "is missing".into())),
    };
    if !secrets
        .iter()
        .any(|s| s.expires_at.is_none_or(|at| now < at))
    {
        return Err(field_error(
            "secrets",
            "has no secret that is still valid: every one has expired; add a new one without expires_at"
                .into(),
        ));
    }

    Ok(Endpoint {
        id,
        url,
        tenants,
        events,
        secrets,
    })
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Parses and checks an endpoint URL: what a district URL must pass, since the same guarded
/// client sends to it.
fn parse_url(text: &str, policy: &NetPolicy) -> Result<Url, String> {
    let text = text.trim();
    if sis_onboard_protocol::is_non_ascii_host(text) {
        return Err(
            "has a host name with letters other than a to z; write it in its xn-- form".into(),
        );
    }
    let url = Url::parse(text).map_err(|e| format!("is not a URL ({e})"))?;
    policy.check_url(&url).map_err(|refusal| {
        format!(
            "cannot be used: {refusal} (the SSRF rules that apply to district URLs apply here; \
             a host on a private network or a port other than 443 must be named in --allow-hosts)"
        )
    })?;
    Ok(url)
}

/// Parses one item of `secrets`; on error, the sub-field (`.secret`, `.expires_at` or
/// nothing) and the problem. The secret's text is wiped once parsed.
fn parse_secret(item: &mut Value) -> Result<EndpointSecret, (&'static str, String)> {
    let (text, expires_at) = match item {
        Value::String(text) => (text, None),
        Value::Object(fields) => {
            // The unknown key is not named: a misplaced secret could be one.
            if fields
                .keys()
                .any(|key| !SECRET_FIELDS.split(", ").any(|known| known == key.as_str()))
            {
                return Err((
                    "",
                    format!("has a field that is not one of {SECRET_FIELDS}"),
                ));
            }
            let expires_at = match fields.get("expires_at") {
                None | Some(Value::Null) => None,
                Some(Value::String(at)) => Some(
                    OffsetDateTime::parse(at.trim(), &Rfc3339)
                        .map_err(|_| {
                            (
                                ".expires_at",
                                "must be an RFC 3339 time, e.g. 2025-07-01T00:00:00Z".to_owned(),
                            )
                        })?
                        .unix_timestamp(),
                ),
                Some(_) => {
                    return Err((
                        ".expires_at",
                        "must be an RFC 3339 time string, e.g. 2025-07-01T00:00:00Z".into(),
                    ));
                }
            };
            match fields.get_mut("secret") {
                Some(Value::String(text)) => (text, expires_at),
                Some(_) => return Err((".secret", "must be a string (whsec_…)".into())),
                None => return Err((".secret", "is missing".into())),
            }
        }
        _ => {
            return Err((
                "",
                "must be {\"secret\": \"whsec_…\", \"expires_at\": \"<RFC 3339>\"} or a \"whsec_…\" string"
                    .into(),
            ));
        }
    };
    let secret = SigningSecret::parse(text);
    text.zeroize();
    let suffix = if matches!(item, Value::Object(_)) {
        ".secret"
    } else {
        ""
    };
    Ok(EndpointSecret {
        secret: secret.map_err(|e| (suffix, e.to_string()))?,
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde_json::json;

    const NOW: i64 = 1_750_000_000; // 2025-06-15T15:06:40Z

    fn key(byte: u8) -> String {
        format!("whsec_{}", STANDARD.encode([byte; 32]))
    }

    fn parse(config: Value) -> Result<Endpoints, EndpointsError> {
        Endpoints::parse_json(&config.to_string(), &NetPolicy::default(), NOW)
    }

    fn error_of(config: Value) -> String {
        match parse(config) {
            Ok(endpoints) => panic!("accepted: {endpoints:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn parses_endpoints_with_filters_and_a_rotation() {
        let endpoints = parse(json!([
            {"id": "crm", "url": "https://hooks.example.com/sis?token=t",
             "secrets": [{"secret": key(1)}, {"secret": key(2), "expires_at": "2025-06-16T00:00:00Z"}]},
            {"id": "eu_only", "url": "https://eu.example.com/hook", "tenants": ["d1", "d2"],
             "events": ["connection.failing", "connection.recovered"], "secrets": [key(3)]},
        ]))
        .unwrap_or_else(|e| panic!("{e}"));
        let crm = endpoints.get("crm").unwrap_or_else(|| panic!("crm"));
        assert_eq!(crm.secrets[1].expires_at, Some(1_750_032_000));
        assert_eq!(crm.signing_secrets(NOW).len(), 2);
        assert_eq!(
            crm.signing_secrets(1_750_032_000).len(),
            1,
            "expired at its time"
        );
        assert_eq!(
            endpoints.matching(Some("d1"), WebhookEventType::ConnectionFailing),
            ["crm", "eu_only"]
        );
        assert_eq!(
            endpoints.matching(Some("d3"), WebhookEventType::ConnectionFailing),
            ["crm"]
        );
        assert_eq!(
            endpoints.matching(Some("d1"), WebhookEventType::ConnectionCreated),
            ["crm"]
        );
        let printed = format!("{endpoints:?}");
        assert!(!printed.contains("token=t") && !printed.contains(&STANDARD.encode([1u8; 32])));
    }

    #[test]
    fn errors_name_the_entry_and_the_field_and_never_the_secret() {
        let short = format!("whsec_{}", STANDARD.encode([9u8; 16]));
        for (config, expected) in [
            (json!({"id": "x"}), "must be a JSON array".to_owned()),
            (
                json!([{"url": "https://a.example/", "secrets": [key(1)]}]),
                "[0]: `id` is missing".into(),
            ),
            (
                json!([{"id": "a b", "url": "https://a.example/", "secrets": [key(1)]}]),
                "[0]: `id` must be".into(),
            ),
            (
                json!([{"id": "crm", "url": "http://a.example/", "secrets": [key(1)]}]),
                "[0] (id crm): `url` cannot be used: only https".into(),
            ),
            (
                json!([{"id": "crm", "url": "https://10.0.0.1/", "secrets": [key(1)]}]),
                "private address".into(),
            ),
            (
                json!([{"id": "crm", "url": "https://a.example:8443/", "secrets": [key(1)]}]),
                "port 8443".into(),
            ),
            (
                json!([{"id": "crm", "url": "https://a.example/", "secret": key(1)}]),
                "`secret` is not a field of an endpoint".into(),
            ),
            (
                json!([{"id": "crm", "url": "https://a.example/", "secrets": []}]),
                "`secrets` must be a non-empty list".into(),
            ),
            (
                json!([{"id": "crm", "url": "https://a.example/", "secrets": [short.clone()]}]),
                "`secrets[0]` the key is 16 bytes".into(),
            ),
            (
                json!([{"id": "crm", "url": "https://a.example/", "secrets": [{"secret": "abc"}]}]),
                "`secrets[0].secret` a signing secret must start with `whsec_`".into(),
            ),
            (
                json!([{"id": "crm", "url": "https://a.example/", "secrets": [{"secret": key(1), "expires_at": "tomorrow"}]}]),
                "`secrets[0].expires_at` must be an RFC 3339 time".into(),
            ),
            (
                json!([{"id": "crm", "url": "https://a.example/", "secrets": [{"secret": key(1), "expires_at": "2025-01-01T00:00:00Z"}]}]),
                "every one has expired".into(),
            ),
            (
                json!([{"id": "crm", "url": "https://a.example/", "events": ["connection.deleted"], "secrets": [key(1)]}]),
                "`events[0]` must be one of connection.created".into(),
            ),
            (
                json!([{"id": "crm", "url": "https://a.example/", "tenants": [], "secrets": [key(1)]}]),
                "`tenants` must be a non-empty list".into(),
            ),
            (
                json!([{"id": "crm", "url": "https://a.example/", "secrets": [key(1)]}, {"id": "crm", "url": "https://b.example/", "secrets": [key(2)]}]),
                "[1] (id crm): `id` is used by an earlier endpoint".into(),
            ),
        ] {
            let message = error_of(config);
            assert!(message.contains(&expected), "{message} lacks {expected}");
            assert!(
                !message.contains(&short[6..]) && !message.contains(&key(1)[6..]),
                "{message}"
            );
        }
        assert!(
            Endpoints::parse_json("[{\"id\": ", &NetPolicy::default(), NOW)
                .is_err_and(|e| e.to_string().contains("not valid JSON"))
        );
    }

    #[test]
    fn allowed_hosts_open_plain_http_and_other_ports() {
        let policy = NetPolicy {
            allowed_hosts: vec![
                "127.0.0.1:9000"
                    .parse()
                    .unwrap_or_else(|e: String| panic!("{e}")),
            ],
            ..NetPolicy::default()
        };
        let config =
            json!([{"id": "local", "url": "http://127.0.0.1:9000/hook", "secrets": [key(1)]}]);
        assert!(Endpoints::parse_json(&config.to_string(), &policy, NOW).is_ok());
        assert!(parse(config).is_err(), "not without the allow list");
    }

    #[test]
    fn an_endpoint_for_some_tenants_gets_no_tenantless_events() {
        let endpoints = parse(json!([
            {"id": "d1", "url": "https://a.example/", "tenants": ["d1"], "secrets": [key(1)]},
        ]))
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            endpoints
                .matching(None, WebhookEventType::ConnectionCreated)
                .is_empty()
        );
    }
}
