//! Vendor API keys: who may call the vendor API, with which scopes, for which tenants, and
//! how the configured list is read (docs/security.md, "API keys").

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// What a key may do; each vendor endpoint needs one (the OpenAPI document says which).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// Open onboarding sessions (`POST /v1/sessions`), and read the source catalog they
    /// choose from (`GET /v1/sources`).
    #[serde(rename = "sessions:write")]
    SessionsWrite,
    /// List and read stored connections, never their secrets.
    #[serde(rename = "connections:read")]
    ConnectionsRead,
    /// Read a connection's decrypted credentials.
    #[serde(rename = "credentials:read")]
    CredentialsRead,
    /// Change connections: revoke.
    #[serde(rename = "connections:write")]
    ConnectionsWrite,
}

impl Scope {
    /// Every scope, in the order the documentation lists them.
    pub const ALL: [Scope; 4] = [
        Scope::SessionsWrite,
        Scope::ConnectionsRead,
        Scope::CredentialsRead,
        Scope::ConnectionsWrite,
    ];

    /// The scope as configured and documented (`credentials:read`).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::SessionsWrite => "sessions:write",
            Scope::ConnectionsRead => "connections:read",
            Scope::CredentialsRead => "credentials:read",
            Scope::ConnectionsWrite => "connections:write",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Shortest key accepted, in characters.
pub const MIN_KEY_CHARS: usize = 32;
/// Fewest distinct characters a key must have: a random 32-character key has about 25, a
/// repeated word or a run of digits far fewer.
pub const MIN_DISTINCT_CHARS: usize = 12;
/// Longest key id, in characters.
const MAX_ID_CHARS: usize = 64;

/// Why a configured key list was refused. The messages name the entry by its id (or its
/// position) and never contain a key.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApiKeyError {
    /// The text is not JSON; serde's message says where (it never quotes a value).
    #[error(
        "{origin}: not JSON ({detail}); expected a list such as \
         [{{\"id\": \"web\", \"key\": \"…\", \"scopes\": [\"sessions:write\"]}}]"
    )]
    NotJson {
        /// Where the list came from.
        origin: String,
        /// serde_json's syntax error, with its line and column.
        detail: String,
    },
    /// The JSON is not the expected shape.
    #[error("{origin}: {entry}: {problem}")]
    Invalid {
        /// Where the list came from.
        origin: String,
        /// `key 'web'` or `entry 3`.
        entry: String,
        /// What is wrong and how to fix it.
        problem: String,
    },
}

/// One vendor API key: its id, what it may do, and for which tenants. Only the key's
/// SHA-256 is kept, and nothing about it is ever printed.
#[derive(Clone)]
pub struct ApiKey {
    id: String,
    digest: [u8; 32],
    scopes: Vec<Scope>,
    tenants: Option<Vec<String>>,
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKey")
            .field("id", &self.id)
            .field("scopes", &self.scopes)
            .field("tenants", &self.tenants)
            .finish_non_exhaustive()
    }
}

impl ApiKey {
    /// A key named `id` with every scope, for every tenant; refused when `id` or `key` breaks
    /// the rules of the configuration file (the message says which).
    pub fn new(id: &str, key: &str) -> Result<Self, String> {
        check_id(id)?;
        check_key(key)?;
        Ok(Self {
            id: id.to_owned(),
            digest: Sha256::digest(key.as_bytes()).into(),
            scopes: Scope::ALL.to_vec(),
            tenants: None,
        })
    }

    /// The same key with only `scopes`.
    pub fn with_scopes(mut self, scopes: &[Scope]) -> Self {
        self.scopes = scopes.to_vec();
        self
    }

    /// The same key, bound to `tenants`.
    pub fn for_tenants(mut self, tenants: &[&str]) -> Self {
        self.tenants = Some(tenants.iter().map(|t| (*t).to_owned()).collect());
        self
    }

    /// The key's id, as logs name it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// True when both are the same key (whatever their ids).
    pub fn same_key(&self, other: &ApiKey) -> bool {
        bool::from(self.digest.ct_eq(&other.digest))
    }

    /// True when the key has `scope`.
    pub fn has_scope(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// The tenants the key may act for: None for every tenant.
    pub fn tenants(&self) -> Option<&[String]> {
        self.tenants.as_deref()
    }

    /// True when the key may act for `tenant`.
    pub fn may_act_for(&self, tenant: &str) -> bool {
        self.tenants
            .as_ref()
            .is_none_or(|tenants| tenants.iter().any(|t| t == tenant))
    }
}

/// The tenants whose records a caller may see: `Visible::ALL`, or a key's tenants.
#[derive(Debug, Clone, Copy)]
pub struct Visible<'a>(pub Option<&'a [String]>);

impl Visible<'_> {
    /// Every tenant (the proxy's own work, and keys bound to none).
    pub const ALL: Visible<'static> = Visible(None);

    /// The tenant filters a listing runs for a caller that asked for `requested` (None: all
    /// it may see): one filter per tenant of a bound key, `[None]` for every tenant; None
    /// when `requested` is a tenant the caller may not see.
    pub fn filters(&self, requested: Option<&str>) -> Option<Vec<Option<String>>> {
        match (requested, self.0) {
            (Some(tenant), _) if !self.includes(tenant) => None,
            (Some(tenant), _) => Some(vec![Some(tenant.to_owned())]),
            (None, None) => Some(vec![None]),
            (None, Some(tenants)) => Some(tenants.iter().cloned().map(Some).collect()),
        }
    }

    /// True when the records of `tenant` may be seen.
    pub fn includes(&self, tenant: &str) -> bool {
        self.0
            .is_none_or(|tenants| tenants.iter().any(|t| t == tenant))
    }
}

/// The configured key `presented` is, if any. Compares SHA-256 digests with `subtle`, and
/// every configured key, so the time taken tells neither how much of a guess matched nor
/// which key it was.
pub fn find<'a>(keys: &'a [ApiKey], presented: &str) -> Option<&'a ApiKey> {
    let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
    let mut found = None;
    for key in keys {
        if bool::from(key.digest.ct_eq(&digest)) {
            found = Some(key);
        }
    }
    found
}

fn check_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.chars().count() <= MAX_ID_CHARS
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "\"id\" must be 1 to {MAX_ID_CHARS} letters, digits, '.', '_' or '-' (logs name the key by it)"
        ))
    }
}

fn check_key(key: &str) -> Result<(), String> {
    const HOW: &str = "make one with `openssl rand -base64 32`";
    if !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(format!(
            "\"key\" must be printable ASCII without spaces; {HOW}"
        ));
    }
    if key.len() < MIN_KEY_CHARS {
        return Err(format!(
            "\"key\" has {} characters; at least {MIN_KEY_CHARS} random ones are needed; {HOW}",
            key.len()
        ));
    }
    let mut seen = [false; 128];
    for byte in key.bytes() {
        seen[usize::from(byte & 0x7f)] = true;
    }
    let distinct = seen.iter().filter(|s| **s).count();
    if distinct < MIN_DISTINCT_CHARS {
        return Err(format!(
            "\"key\" has only {distinct} different characters, so it is not random; {HOW}"
        ));
    }
    Ok(())
}

/// Reads a key list (the format of `SIS_ONBOARD_API_KEYS` and of `SIS_ONBOARD_API_KEYS_FILE`)
/// from `text`; `origin` names where it came from in messages. Ids must be unique, and so
/// must keys.
pub fn parse(text: &str, origin: &str) -> Result<Vec<ApiKey>, ApiKeyError> {
    // Parsed as a tree first: serde's messages for a wrong shape quote the value, and a value
    // here may be a key; syntax errors quote nothing.
    let mut value: Value = serde_json::from_str(text).map_err(|e| ApiKeyError::NotJson {
        origin: origin.to_owned(),
        detail: e.to_string(),
    })?;
    let invalid = |entry: String, problem: String| ApiKeyError::Invalid {
        origin: origin.to_owned(),
        entry,
        problem,
    };
    let Some(entries) = value.as_array_mut() else {
        return Err(invalid(
            "the list".into(),
            "must be a JSON list of keys, [{\"id\": …, \"key\": …, \"scopes\": […]}]".into(),
        ));
    };
    let mut keys: Vec<ApiKey> = Vec::with_capacity(entries.len());
    for (position, entry) in entries.iter_mut().enumerate() {
        let name = entry
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| check_id(id).is_ok())
            .map_or_else(
                || format!("entry {}", position + 1),
                |id| format!("key '{id}'"),
            );
        let key = parse_entry(entry).map_err(|problem| invalid(name.clone(), problem))?;
        if keys.iter().any(|k| k.id == key.id) {
            return Err(invalid(name, "the id is used twice".into()));
        }
        if let Some(twin) = keys.iter().find(|k| k.same_key(&key)) {
            return Err(invalid(
                name,
                format!("has the same key as '{}'; give each its own", twin.id),
            ));
        }
        keys.push(key);
    }
    Ok(keys)
}

fn parse_entry(entry: &mut Value) -> Result<ApiKey, String> {
    let Some(fields) = entry.as_object_mut() else {
        return Err("must be an object with \"id\", \"key\" and \"scopes\"".into());
    };
    if let Some(unknown) = fields
        .keys()
        .find(|k| !matches!(k.as_str(), "id" | "key" | "scopes" | "tenants"))
    {
        return Err(format!(
            "unknown field \"{unknown}\"; the fields are id, key, scopes and tenants"
        ));
    }
    let id = fields
        .get("id")
        .and_then(Value::as_str)
        .ok_or("needs an \"id\" string")?
        .to_owned();
    let mut key = match fields.remove("key") {
        Some(Value::String(key)) => key,
        _ => return Err("needs a \"key\" string".into()),
    };
    let built = ApiKey::new(&id, &key);
    key.zeroize();
    let mut api_key = built?;
    let scopes = fields
        .get("scopes")
        .and_then(Value::as_array)
        .ok_or("needs \"scopes\", a list such as [\"sessions:write\"]")?;
    if scopes.is_empty() {
        return Err("\"scopes\" is empty; a key without scopes can do nothing".into());
    }
    let known = Scope::ALL.map(Scope::as_str).join(", ");
    let mut parsed = Vec::new();
    for scope in scopes {
        let text = scope.as_str().unwrap_or_default();
        match Scope::parse(text) {
            Some(scope) if !parsed.contains(&scope) => parsed.push(scope),
            Some(_) => return Err(format!("scope '{text}' is listed twice")),
            // A misplaced key is never echoed: keys are at least MIN_KEY_CHARS long.
            None if text.len() < MIN_KEY_CHARS && !text.is_empty() => {
                return Err(format!("unknown scope '{text}'; the scopes are {known}"));
            }
            None => return Err(format!("unknown scope; the scopes are {known}")),
        }
    }
    api_key.scopes = parsed;
    match fields.get("tenants") {
        None | Some(Value::Null) => {}
        Some(Value::Array(tenants)) => {
            let tenants: Vec<String> = tenants
                .iter()
                .map(|t| t.as_str().map(str::trim).unwrap_or_default().to_owned())
                .collect();
            if tenants.is_empty() || tenants.iter().any(String::is_empty) {
                return Err(
                    "\"tenants\" must list tenant ids (omit it for a key that acts for every tenant)"
                        .into(),
                );
            }
            api_key.tenants = Some(tenants);
        }
        Some(_) => return Err("\"tenants\" must be a list of tenant ids".into()),
    }
    Ok(api_key)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const KEY: &str = "k7Qe2vN9xR4mB1tZ8pL3wC6yH0sD5fGj";
    const OTHER: &str = "Zt3Hq9Lw2Ne7Rb5Xc1Vm8Ks4Pd6Jf0Gy";

    #[test]
    fn a_key_is_found_only_by_itself_and_never_printed() {
        let keys = vec![
            ApiKey::new("web", KEY).unwrap(),
            ApiKey::new("sync", OTHER).unwrap(),
        ];
        assert_eq!(find(&keys, KEY).map(ApiKey::id), Some("web"));
        assert_eq!(find(&keys, OTHER).map(ApiKey::id), Some("sync"));
        assert!(find(&keys, &KEY[..31]).is_none());
        assert!(find(&keys, &format!("{KEY}x")).is_none());
        assert!(find(&keys, "").is_none());
        let printed = format!("{keys:?}");
        assert!(!printed.contains(KEY) && !printed.contains(&KEY[..8]));
    }

    #[test]
    fn short_patterned_or_spaced_keys_are_refused() {
        assert!(
            ApiKey::new("a", "sk_test_123")
                .unwrap_err()
                .contains("at least 32")
        );
        let patterned = "password".repeat(5);
        assert!(
            ApiKey::new("a", &patterned)
                .unwrap_err()
                .contains("not random")
        );
        let spaced = format!("{} {}", &KEY[..20], &KEY[..20]);
        assert!(
            ApiKey::new("a", &spaced)
                .unwrap_err()
                .contains("printable ASCII")
        );
        assert!(ApiKey::new("bad id", KEY).unwrap_err().contains("\"id\""));
    }

    #[test]
    fn a_list_reads_scopes_and_tenants() {
        let text = format!(
            r#"[{{"id": "web", "key": "{KEY}", "scopes": ["sessions:write"], "tenants": ["d-1", "d-2"]}},
                {{"id": "sync", "key": "{OTHER}", "scopes": ["connections:read", "credentials:read"]}}]"#
        );
        let keys = parse(&text, "test").unwrap();
        let web = find(&keys, KEY).unwrap();
        assert!(web.has_scope(Scope::SessionsWrite) && !web.has_scope(Scope::CredentialsRead));
        assert!(web.may_act_for("d-2") && !web.may_act_for("d-3"));
        let sync = find(&keys, OTHER).unwrap();
        assert!(sync.may_act_for("anyone") && sync.has_scope(Scope::CredentialsRead));
        assert!(!sync.has_scope(Scope::ConnectionsWrite));
    }

    #[test]
    fn mistakes_are_named_and_keys_are_never_quoted() {
        let cases = [
            ("sk_a,sk_b".to_owned(), "not JSON"),
            (r#"{"id": "x"}"#.to_owned(), "JSON list"),
            (
                format!(r#"[{{"id": "w", "key": "{KEY}"}}]"#),
                "key 'w': needs \"scopes\"",
            ),
            (
                format!(r#"[{{"id": "w", "key": "{KEY}", "scopes": []}}]"#),
                "empty",
            ),
            (
                format!(r#"[{{"id": "w", "key": "{KEY}", "scopes": ["sessions:writ"]}}]"#),
                "unknown scope 'sessions:writ'",
            ),
            (
                format!(r#"[{{"id": "w", "key": "x", "scopes": ["{KEY}"]}}]"#),
                "at least 32",
            ),
            (
                format!(r#"[{{"id": "w", "key": "{OTHER}", "scopes": ["{KEY}"]}}]"#),
                "unknown scope;",
            ),
            (
                format!(
                    r#"[{{"id": "w", "key": "{KEY}", "scopes": ["sessions:write"], "tenants": []}}]"#
                ),
                "\"tenants\" must list",
            ),
            (
                format!(r#"[{{"id": "w", "key": "{KEY}", "scope": ["sessions:write"]}}]"#),
                "unknown field \"scope\"",
            ),
            (
                format!(
                    r#"[{{"id": "w", "key": "{KEY}", "scopes": ["sessions:write"]}},
                        {{"id": "w", "key": "{OTHER}", "scopes": ["sessions:write"]}}]"#
                ),
                "used twice",
            ),
            (
                format!(
                    r#"[{{"id": "w", "key": "{KEY}", "scopes": ["sessions:write"]}},
                        {{"id": "v", "key": "{KEY}", "scopes": ["sessions:write"]}}]"#
                ),
                "same key as 'w'",
            ),
        ];
        for (text, expected) in cases {
            let message = parse(&text, "SIS_ONBOARD_API_KEYS")
                .unwrap_err()
                .to_string();
            assert!(message.contains(expected), "{text}: {message}");
            assert!(message.starts_with("SIS_ONBOARD_API_KEYS: "), "{message}");
            assert!(
                !message.contains(KEY) && !message.contains(OTHER),
                "{message}"
            );
        }
    }
}
