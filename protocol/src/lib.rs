//! Wire types shared by the wizard (wasm32) and the proxy (native): serde only.
//!
//! Everything that crosses HTTP between the browser and the proxy is defined here,
//! once, so the two sides cannot drift apart; so is the one reading of a pasted URL's host
//! ([`host`]) that both sides check before parsing.

use serde::{Deserialize, Serialize};

pub mod host;
pub mod webhooks;

pub use host::{host_span, host_text, is_non_ascii_host, scheme_end};
pub use webhooks::{
    ConnectionEventData, ConnectionFailure, DeliveryAttempt, DeliveryStatus, TestEventData,
    WebhookDelivery, WebhookEventData, WebhookEventType, WebhookPayload,
};

/// Path of the proxy's health check.
pub const HEALTH_PATH: &str = "/healthz";
/// Path where the vendor's backend opens an onboarding session (API key required).
pub const SESSIONS_PATH: &str = "/v1/sessions";
/// Path where the wizard reads the configuration of its own session (session token required).
pub const SESSION_PATH: &str = "/v1/session";
/// Path where the vendor's backend reads the source catalog, to choose a session's `sources`
/// (API key required).
pub const SOURCES_PATH: &str = "/v1/sources";

/// What the health check answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// Always `"ok"` when the proxy can serve requests.
    pub status: String,
    /// The proxy's version (its crate version).
    pub version: String,
}

/// What the vendor's backend sends to open an onboarding session for one of its customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Ids of the data storage regions to offer, in order; empty offers every region the
    /// proxy is configured with.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Ids of the data sources to list (see [`SOURCE_CATALOG`]), in order; empty lists the
    /// whole catalog.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Integration strategies to offer; empty offers both.
    #[serde(default)]
    pub strategies: Vec<Strategy>,
    /// What the names of Custom Data Extracts start with (letters and digits); by default the
    /// display name without spaces and punctuation, as in `AcmeLearningDataExtracts`.
    #[serde(default)]
    pub extract_name_prefix: Option<String>,
    /// Repair mode: the id of an existing connection whose credentials this session replaces
    /// (the API key must be allowed for its tenant, and `tenant_id` must be its tenant). The
    /// session then offers exactly the connection's region, source and strategy, and the
    /// wizard opens at the credentials step with the stored values filled in, the secret
    /// excepted. Completing keeps the connection's id.
    #[serde(default)]
    pub connection_id: Option<String>,
}

/// The connection a repair session replaces the credentials of, as the wizard shows it:
/// never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepairTarget {
    /// The connection's id, kept by the repair.
    pub connection_id: String,
    /// The district's name as its server reported it.
    pub district_name: String,
    /// The stored OneRoster API URL, filled in.
    pub base_url: String,
    /// The stored Token URL, filled in.
    pub token_url: String,
    /// The stored Client ID, filled in.
    pub client_id: String,
    /// Why the connection needs repair, when the proxy knows: its latest failed health check.
    /// A reason this side cannot read (a newer proxy's code) reads as none, so the session
    /// still opens.
    #[serde(default, deserialize_with = "readable_or_none")]
    pub failing: Option<RepairReason>,
}

/// `Some` of what reads as a `T`, `None` of anything else (null included).
fn readable_or_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Lenient<T> {
        Readable(T),
        Other(serde::de::IgnoredAny),
    }
    Ok(match Lenient::<T>::deserialize(deserializer)? {
        Lenient::Readable(value) => Some(value),
        Lenient::Other(_) => None,
    })
}

/// A stored connection's latest failed check, as a repair session explains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepairReason {
    /// The stable code of the failure; the wizard shows its own message for it.
    pub code: ValidationErrorCode,
    /// The proxy's message, when the wizard has none for the code.
    pub message: String,
    /// When the check ran, in seconds since the Unix epoch.
    pub checked_at: i64,
}

/// How the district's data reaches the vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Strategy {
    /// The OneRoster 1.2 API: basic roster data, fetched by the vendor.
    #[serde(rename = "oneroster_api")]
    OneRosterApi,
    /// Custom Data Extracts from Infinite Campus's Data Extract Utility: attendance,
    /// historical data and more.
    #[serde(rename = "custom_data_extract")]
    CustomDataExtract,
}

impl Strategy {
    /// Both strategies, in the order the wizard offers them.
    pub const ALL: [Strategy; 2] = [Strategy::OneRosterApi, Strategy::CustomDataExtract];

    /// The wire (and database) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::OneRosterApi => "oneroster_api",
            Strategy::CustomDataExtract => "custom_data_extract",
        }
    }

    /// Parses the wire name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A data storage region the administrator may choose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionOption {
    /// Stable id (`us`, `eu`, …), sent back on completion.
    pub id: String,
    /// What the administrator reads ("United States"): the default label.
    pub label: String,
    /// The label in other languages, by primary language subtag (`{"fr": "États-Unis"}`);
    /// the wizard shows the one of its language, else `label`.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, String>,
}

impl RegionOption {
    /// The label for `lang` (a BCP 47 tag: `fr-CA` reads `fr`), else the default one.
    pub fn label_in(&self, lang: &str) -> &str {
        let primary = lang.split(['-', '_']).next().unwrap_or_default();
        self.labels
            .iter()
            .find(|(tag, _)| tag.eq_ignore_ascii_case(primary))
            .map_or(&self.label, |(_, label)| label)
    }
}

/// A data source the wizard lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceOption {
    /// Stable id (`infinite_campus`), sent back on completion.
    pub id: String,
    /// What the administrator reads.
    pub name: String,
    /// False for sources listed so districts can find them, but not connectable yet; the
    /// wizard marks them and does not let them be chosen.
    pub implemented: bool,
    /// The strategies this source connects by, in the wizard's order; empty when it is not
    /// connectable. A session offers a source only the strategies both allow.
    #[serde(default)]
    pub strategies: Vec<Strategy>,
    /// What a district needs to connect it, in English for the vendor's engineers (the
    /// wizard says it in the administrator's language).
    #[serde(default)]
    pub needs: String,
}

/// The id of Infinite Campus in the catalog.
pub const INFINITE_CAMPUS: &str = "infinite_campus";

/// The id of any other server that speaks OneRoster 1.2 with OAuth 2.0 client credentials.
pub const ONEROSTER_GENERIC: &str = "oneroster_generic";

/// A source of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogSource {
    /// Stable id.
    pub id: &'static str,
    /// Product name, in ASCII (the wizard's search folds ASCII case only).
    pub name: &'static str,
    /// The strategies it connects by; empty: listed, not connectable yet.
    pub strategies: &'static [Strategy],
    /// What a district needs to connect it (English).
    pub needs: &'static str,
}

impl CatalogSource {
    /// Whether a district can connect it today.
    pub fn connectable(&self) -> bool {
        !self.strategies.is_empty()
    }

    /// The entry as the session and the API serve it.
    pub fn option(&self) -> SourceOption {
        SourceOption {
            id: self.id.to_owned(),
            name: self.name.to_owned(),
            implemented: self.connectable(),
            strategies: self.strategies.to_vec(),
            needs: self.needs.to_owned(),
        }
    }
}

/// What a listed source that cannot be connected yet says.
const NOT_YET: &str = "Not connectable by name yet. If the district's system offers a OneRoster 1.2 API with OAuth 2.0 client credentials, it can connect as oneroster_generic.";

/// Every data source the product knows. Data, not code: a source becomes connectable by
/// giving it strategies once the proxy can connect it.
pub const SOURCE_CATALOG: [CatalogSource; 10] = [
    CatalogSource {
        id: INFINITE_CAMPUS,
        name: "Infinite Campus",
        strategies: &[Strategy::OneRosterApi, Strategy::CustomDataExtract],
        needs: "An Infinite Campus administrator who can generate a OneRoster 1.2 connection (Instruction > Settings > Digital Learning Application Configuration). The Custom Data Extract strategy also needs access to the Data Extract Utility (System Administration > Data Utilities).",
    },
    CatalogSource {
        id: "powerschool",
        name: "PowerSchool SIS",
        strategies: &[],
        needs: NOT_YET,
    },
    CatalogSource {
        id: "skyward",
        name: "Skyward",
        strategies: &[],
        needs: NOT_YET,
    },
    CatalogSource {
        id: "synergy",
        name: "Edupoint Synergy",
        strategies: &[],
        needs: NOT_YET,
    },
    CatalogSource {
        id: "aeries",
        name: "Aeries",
        strategies: &[],
        needs: NOT_YET,
    },
    CatalogSource {
        id: "tyler_sis",
        name: "Tyler SIS",
        strategies: &[],
        needs: NOT_YET,
    },
    CatalogSource {
        id: "focus",
        name: "Focus School Software",
        strategies: &[],
        needs: NOT_YET,
    },
    CatalogSource {
        id: "gradelink",
        name: "Gradelink",
        strategies: &[],
        needs: NOT_YET,
    },
    CatalogSource {
        id: "classlink_roster_server",
        name: "ClassLink Roster Server",
        strategies: &[],
        needs: NOT_YET,
    },
    CatalogSource {
        id: ONEROSTER_GENERIC,
        name: "Other OneRoster 1.2 provider",
        strategies: &[Strategy::OneRosterApi],
        needs: "A OneRoster 1.2 rostering API (its base URL ends in /ims/oneroster/rostering/v1p2) with OAuth 2.0 client credentials from the district's SIS or rostering vendor: the token URL, a client id and secret, and the roster-core.readonly and roster.readonly scopes (roster-demographics.readonly for demographics). Custom Data Extracts are an Infinite Campus feature and are not offered.",
    },
];

/// The catalog entry of `id`, if there is one.
pub fn catalog_source(id: &str) -> Option<&'static CatalogSource> {
    SOURCE_CATALOG.iter().find(|source| source.id == id)
}

/// The catalog entry of `id` as the session serves it, if there is one.
pub fn source_option(id: &str) -> Option<SourceOption> {
    catalog_source(id).map(CatalogSource::option)
}

/// The whole catalog as the API serves it, in catalog order.
pub fn source_options() -> Vec<SourceOption> {
    SOURCE_CATALOG.iter().map(CatalogSource::option).collect()
}

/// What the proxy answers when a session was opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateSessionResponse {
    /// The session token to hand to the wizard; shown once, stored by the proxy only as a hash.
    pub session_token: String,
    /// When the session stops working, in seconds since the Unix epoch.
    pub expires_at: i64,
}

/// The configuration the wizard reads for its session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionConfig {
    /// A public id of the session (not the token): the key the wizard keeps its progress
    /// under in `sessionStorage`.
    pub session_id: String,
    /// The vendor's name as the administrator should see it.
    pub display_name: String,
    /// Where the administrator can get help.
    pub support_contact: Option<String>,
    /// When the session stops working, in seconds since the Unix epoch.
    pub expires_at: i64,
    /// The data storage regions offered, in order.
    pub regions: Vec<RegionOption>,
    /// The data sources listed, in order.
    pub sources: Vec<SourceOption>,
    /// The strategies offered, in order.
    pub strategies: Vec<Strategy>,
    /// What Custom Data Extract names start with.
    pub extract_name_prefix: String,
    /// Set when the session repairs an existing connection (repair mode).
    #[serde(default)]
    pub repair: Option<RepairTarget>,
}

/// The body of every error the proxy answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// A stable, documented, machine-readable code; the wizard picks its message from it.
    pub code: ErrorCode,
    /// A plain-language message, used when the wizard has none of its own for the code.
    pub message: String,
    /// The input field at fault, when one is.
    pub field: Option<String>,
}

/// Stable error codes; see the README's error table for what each one tells the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ErrorCode {
    /// No session token, or one the proxy does not know.
    #[serde(rename = "invalid_session")]
    InvalidSession,
    /// The session token was valid but has expired; the vendor must open a new session.
    #[serde(rename = "session_expired")]
    SessionExpired,
    /// No API key, or a wrong one, on a vendor endpoint.
    #[serde(rename = "invalid_api_key")]
    InvalidApiKey,
    /// The API key is valid but lacks the scope the endpoint needs; the message names it.
    #[serde(rename = "key_scope_missing")]
    KeyScopeMissing,
    /// The API key is bound to tenants, and the request names another one.
    #[serde(rename = "tenant_not_allowed")]
    TenantNotAllowed,
    /// The page calling the proxy is not one of the session's allowed origins.
    #[serde(rename = "origin_not_allowed")]
    OriginNotAllowed,
    /// Completing needs a passed validation of the very same values first.
    #[serde(rename = "validation_required")]
    ValidationRequired,
    /// No such record (or, for credentials, the connection was revoked).
    #[serde(rename = "not_found")]
    NotFound,
    /// Too many requests; `Retry-After` says when to try again.
    #[serde(rename = "rate_limited")]
    RateLimited,
    /// The request body or parameters were malformed.
    #[serde(rename = "bad_request")]
    BadRequest,
    /// Something failed inside the proxy; details are in its log, never in the answer.
    #[serde(rename = "internal")]
    Internal,
}

/// Path where the wizard validates credentials (session token required).
pub const VALIDATE_PATH: &str = "/v1/validate";

/// The four values Infinite Campus shows for a OneRoster connection.
///
/// No `Debug`: the secret must not reach a log by accident.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidateRequest {
    /// "OneRoster API URL": the connection's Base URL.
    pub base_url: String,
    /// "Token Endpoint": the connection's Token URL.
    pub token_url: String,
    /// "Client ID".
    pub client_id: String,
    /// "Client Secret".
    pub client_secret: String,
    /// The catalog id of the source being connected (`infinite_campus` when absent). Only
    /// the wording of the messages depends on it: the checks are OneRoster 1.2's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl std::fmt::Debug for ValidateRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValidateRequest")
            .field("base_url", &self.base_url)
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("source", &self.source)
            .finish()
    }
}

/// An input field of the credentials step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CredentialField {
    /// "OneRoster API URL".
    #[serde(rename = "base_url")]
    BaseUrl,
    /// "Token Endpoint".
    #[serde(rename = "token_url")]
    TokenUrl,
    /// "Client ID".
    #[serde(rename = "client_id")]
    ClientId,
    /// "Client Secret".
    #[serde(rename = "client_secret")]
    ClientSecret,
}

/// Why a validation failed: stable codes, documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ValidationErrorCode {
    /// The value is not a URL at all.
    #[serde(rename = "malformed_url")]
    MalformedUrl,
    /// The URL is not https.
    #[serde(rename = "not_https")]
    NotHttps,
    /// The base URL does not end in `/ims/oneroster/rostering/v1p2`, or answers HTML.
    #[serde(rename = "not_one_roster_root")]
    NotOneRosterRoot,
    /// The token URL does not answer like an OAuth 2.0 token endpoint.
    #[serde(rename = "not_token_endpoint")]
    NotTokenEndpoint,
    /// The connection (or URL) is OneRoster 1.1, not 1.2.
    #[serde(rename = "one_roster11")]
    OneRoster11,
    /// The host name does not resolve.
    #[serde(rename = "unknown_host")]
    UnknownHost,
    /// Nothing listens at that host and port.
    #[serde(rename = "connection_refused")]
    ConnectionRefused,
    /// The TLS handshake failed (certificate not trusted, expired, wrong name).
    #[serde(rename = "tls_failure")]
    TlsFailure,
    /// The server did not answer in time.
    #[serde(rename = "timeout")]
    Timeout,
    /// The token endpoint refused the client id and secret.
    #[serde(rename = "invalid_client")]
    InvalidClient,
    /// The token does not grant the roster scopes.
    #[serde(rename = "insufficient_scope")]
    InsufficientScope,
    /// The connection is not active in Infinite Campus (403).
    #[serde(rename = "inactive_connection")]
    InactiveConnection,
    /// The connection shares no schools.
    #[serde(rename = "no_data_shared")]
    NoDataShared,
    /// The server answered 429.
    #[serde(rename = "rate_limited")]
    RateLimited,
    /// The server answered 5xx.
    #[serde(rename = "upstream_error")]
    UpstreamError,
    /// The server's answer could not be understood.
    #[serde(rename = "malformed_response")]
    MalformedResponse,
    /// The server's answer was larger than the proxy reads.
    #[serde(rename = "response_too_large")]
    ResponseTooLarge,
    /// The URL points where the proxy must not go (private, loopback, metadata, ...).
    #[serde(rename = "forbidden_destination")]
    ForbiddenDestination,
    /// The host name has letters outside ASCII; it must be given in its `xn--` (punycode)
    /// form, because the build's IDNA back end is ASCII-only.
    #[serde(rename = "non_ascii_host")]
    NonAsciiHost,
    /// The Token URL is on another host than the base URL, and the vendor's configuration
    /// does not name that pair: the proxy does not send credentials to an unrelated host.
    #[serde(rename = "token_host_mismatch")]
    TokenHostMismatch,
}

/// What went wrong, where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidationError {
    /// The stable code.
    pub code: ValidationErrorCode,
    /// The field at fault, when one is.
    pub field: Option<CredentialField>,
    /// A plain-language message (the wizard prefers its own text for the code).
    pub message: String,
}

/// One probe of the validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Check {
    /// What was checked: `token`, `district`, `schools`, `students`, `teachers`, `classes`,
    /// `academic_session`.
    pub id: String,
    /// Whether it passed.
    pub passed: bool,
    /// How long it took.
    pub millis: u64,
}

/// A count from `X-Total-Count`, or a lower bound when the server gave none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Count {
    /// The count (or lower bound).
    pub value: u64,
    /// False when `value` is only a lower bound.
    pub exact: bool,
}

/// What the connection shares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DistrictSummary {
    /// The district org's name.
    pub name: String,
    /// Schools shared.
    pub schools: Count,
    /// Students shared.
    pub students: Count,
    /// Teachers shared.
    pub teachers: Count,
    /// Classes shared.
    pub classes: Count,
    /// The current school year's title, when the server has one.
    pub academic_session: Option<String>,
}

/// Something worth knowing that does not stop the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ValidationWarning {
    /// The token lacks the demographics scope.
    #[serde(rename = "no_demographics_scope")]
    NoDemographicsScope,
    /// Only one school is shared.
    #[serde(rename = "one_school_shared")]
    OneSchoolShared,
    /// The server sends no `X-Total-Count`: counts are lower bounds.
    #[serde(rename = "counts_are_lower_bounds")]
    CountsAreLowerBounds,
    /// No org of type `district` was found: the report names no district (never a school).
    #[serde(rename = "no_district_org")]
    NoDistrictOrg,
}

/// The answer to a validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidationReport {
    /// True when the connection works.
    pub passed: bool,
    /// Each probe, in order.
    pub checks: Vec<Check>,
    /// What the connection shares (when the probes got that far).
    pub district: Option<DistrictSummary>,
    /// Warnings.
    pub warnings: Vec<ValidationWarning>,
    /// Why it failed.
    pub error: Option<ValidationError>,
}

/// Path where the wizard completes the connection (session token required).
pub const COMPLETE_PATH: &str = "/v1/complete";

/// "Continue Setup": the validated values plus the administrator's choices.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompleteRequest {
    /// The same four values that passed validation.
    pub credentials: ValidateRequest,
    /// The data storage region chosen.
    pub region: String,
    /// The data source (`infinite_campus`).
    pub source: String,
    /// The strategy chosen.
    pub strategy: Strategy,
    /// On the Custom Data Extract path, the ids of the data sets the administrator set up
    /// extracts for (at least one); absent (or empty) on the OneRoster path.
    pub data_sets: Option<Vec<String>>,
}

impl std::fmt::Debug for CompleteRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompleteRequest")
            .field("credentials", &self.credentials)
            .field("region", &self.region)
            .field("source", &self.source)
            .field("strategy", &self.strategy)
            .field("data_sets", &self.data_sets)
            .finish()
    }
}

/// The stored connection, as the wizard knows it: an opaque id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompleteResponse {
    /// The connection's id.
    pub connection_id: String,
}

/// Path where the wizard reads the Custom Data Extract catalog, with the extracts
/// generated for its session (session token required); `?lang=es` for Spanish texts,
/// `?lang=fr` for French.
pub const EXTRACTS_PATH: &str = "/v1/extracts";

/// One data set the administrator can share, with the extract generated for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataSetOffer {
    /// The data set's id (`extended_rostering`).
    pub id: String,
    /// Its name, in the language asked for.
    pub name: String,
    /// What it is for, in plain language.
    pub description: String,
    /// What the extract's file contains.
    pub yields: String,
    /// Chosen unless the administrator unticks it (Extended Rostering).
    pub default: bool,
    /// The extract's name in Infinite Campus (`<Prefix>_<DataSet>`).
    pub extract_name: String,
    /// The T-SQL to paste into the extract's SQL field.
    pub query: String,
    /// Lowercase hex SHA-256 of `query`.
    pub query_sha256: String,
}

/// The Custom Data Extract catalog for one session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExtractCatalog {
    /// The value for every required (*) field of a new extract (`<Prefix>DataExtracts`).
    pub required_value: String,
    /// What every extract's name starts with.
    pub name_prefix: String,
    /// The data sets, in the order to show them.
    pub data_sets: Vec<DataSetOffer>,
}

/// One extract of a stored plan: which file to expect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlannedExtract {
    /// The data set's id.
    pub data_set: String,
    /// The extract's name in Infinite Campus.
    pub name: String,
    /// Lowercase hex SHA-256 of the query the administrator was given.
    pub query_sha256: String,
}

/// What a Custom Data Extract connection set up in Infinite Campus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExtractPlan {
    /// The value given for every required field (`<Prefix>DataExtracts`).
    pub required_value: String,
    /// One extract per data set chosen.
    pub extracts: Vec<PlannedExtract>,
}

/// Path of the vendor's connection list (API key required); `/{id}` for one.
pub const CONNECTIONS_PATH: &str = "/v1/connections";

/// A stored connection as the vendor's backend sees it: never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionSummary {
    /// The opaque id.
    pub id: String,
    /// The vendor's customer.
    pub tenant_id: String,
    /// The data storage region.
    pub region: String,
    /// The data source.
    pub source: String,
    /// The integration strategy.
    pub strategy: Strategy,
    /// The OneRoster base URL.
    pub base_url: String,
    /// The token URL.
    pub token_url: String,
    /// The client id.
    pub client_id: String,
    /// The district's name at validation.
    pub district_name: String,
    /// Seconds since the Unix epoch.
    pub created_at: i64,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
    /// On the Custom Data Extract path, the extracts the administrator set up; null on
    /// the OneRoster path.
    pub extract_plan: Option<ExtractPlan>,
    /// The latest health check, once one ran (the proxy re-validates every active
    /// connection on a schedule).
    #[serde(default)]
    pub health: Option<ConnectionHealth>,
}

/// A stored connection's latest health check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionHealth {
    /// When it ran, in seconds since the Unix epoch.
    pub checked_at: i64,
    /// True when the stored credentials still validate.
    pub passed: bool,
    /// Why it failed, when it did: the validation's stable code.
    pub code: Option<ValidationErrorCode>,
    /// The validation's message, when it failed.
    pub message: Option<String>,
    /// Since when the connection has been failing (the first failed check of this run).
    pub failing_since: Option<i64>,
    /// The district as the check found it, when it passed.
    pub district: Option<DistrictSummary>,
}

/// The decrypted credentials, for the vendor's own sync worker. No `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionCredentials {
    /// The OneRoster base URL.
    pub base_url: String,
    /// The token URL.
    pub token_url: String,
    /// The client id.
    pub client_id: String,
    /// The client secret, decrypted.
    pub client_secret: String,
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_region_label_is_chosen_by_primary_language() {
        let region = RegionOption {
            id: "ca".into(),
            label: "Canada".into(),
            labels: [
                ("fr".to_owned(), "Canada (fr)".to_owned()),
                ("es".to_owned(), "Canadá".to_owned()),
            ]
            .into(),
        };
        assert_eq!(region.label_in("fr-CA"), "Canada (fr)");
        assert_eq!(region.label_in("FR"), "Canada (fr)");
        assert_eq!(region.label_in("es_MX"), "Canadá");
        assert_eq!(region.label_in("en"), "Canada");
        assert_eq!(region.label_in(""), "Canada");
    }

    #[test]
    fn a_repair_reason_of_an_unknown_code_reads_as_none() {
        let target = |failing: &str| {
            format!(
                r#"{{"connection_id": "c", "district_name": "D", "base_url": "b",
                    "token_url": "t", "client_id": "i", "failing": {failing}}}"#
            )
        };
        let read = |json: String| serde_json::from_str::<RepairTarget>(&json).ok();
        let known = read(target(
            r#"{"code": "invalid_client", "message": "m", "checked_at": 5}"#,
        ));
        assert_eq!(
            known.and_then(|t| t.failing).map(|f| f.code),
            Some(ValidationErrorCode::InvalidClient)
        );
        let unknown = read(target(
            r#"{"code": "a_code_from_the_future", "message": "m", "checked_at": 5}"#,
        ));
        assert_eq!(unknown.map(|t| t.failing), Some(None));
        assert_eq!(read(target("null")).map(|t| t.failing), Some(None));
    }

    use super::*;

    /// What one side writes, the other reads back unchanged (both use these types with
    /// serde_json): nested options, lists, counts and codes included.
    #[test]
    fn wire_types_read_back_what_they_write() {
        let report = ValidationReport {
            passed: false,
            checks: vec![Check {
                id: "token".into(),
                passed: false,
                millis: 12,
            }],
            district: Some(DistrictSummary {
                name: "Springfield".into(),
                schools: Count {
                    value: 3,
                    exact: true,
                },
                students: Count {
                    value: 1_000_000,
                    exact: false,
                },
                teachers: Count {
                    value: 40,
                    exact: true,
                },
                classes: Count {
                    value: 90,
                    exact: true,
                },
                academic_session: None,
            }),
            warnings: vec![ValidationWarning::CountsAreLowerBounds],
            error: Some(ValidationError {
                code: ValidationErrorCode::OneRoster11,
                field: Some(CredentialField::BaseUrl),
                message: "1.1".into(),
            }),
        };
        let json = serde_json::to_string(&report).unwrap_or_default();
        let read: Result<ValidationReport, _> = serde_json::from_str(&json);
        assert_eq!(read.ok(), Some(report));

        let session = SessionConfig {
            session_id: "s".into(),
            display_name: "Acme".into(),
            support_contact: None,
            expires_at: 1_900_000_000,
            regions: vec![RegionOption {
                id: "us".into(),
                label: "United States".into(),
                labels: [("fr".to_owned(), "États-Unis".to_owned())].into(),
            }],
            sources: vec![
                source_option(INFINITE_CAMPUS).unwrap_or_else(|| SourceOption {
                    id: String::new(),
                    name: String::new(),
                    implemented: false,
                    strategies: vec![],
                    needs: String::new(),
                }),
            ],
            strategies: Strategy::ALL.to_vec(),
            extract_name_prefix: "Acme".into(),
            repair: None,
        };
        let json = serde_json::to_string(&session).unwrap_or_default();
        let read: Result<SessionConfig, _> = serde_json::from_str(&json);
        assert_eq!(read.ok(), Some(session));
        // A field this side does not know (a newer proxy's) is skipped, not refused.
        let newer = r#"{"code":"session_expired","message":"gone","field":null,"retry":[1,{}]}"#;
        let read: Result<ApiError, _> = serde_json::from_str(newer);
        assert_eq!(read.map(|e| e.code).ok(), Some(ErrorCode::SessionExpired));
    }

    #[test]
    fn strategies_have_stable_wire_names() {
        for strategy in Strategy::ALL {
            let json = serde_json::to_value(strategy).unwrap_or_default();
            assert_eq!(json, strategy.as_str());
            assert_eq!(Strategy::from_name(strategy.as_str()), Some(strategy));
        }
        assert_eq!(Strategy::from_name("csv"), None);
    }

    #[test]
    fn the_catalog_has_unique_ids_and_says_what_each_source_needs() {
        let mut ids: Vec<_> = SOURCE_CATALOG.iter().map(|s| s.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), SOURCE_CATALOG.len());
        for source in SOURCE_CATALOG {
            assert!(!source.needs.trim().is_empty(), "{}", source.id);
            let option = source.option();
            assert_eq!(option.implemented, !option.strategies.is_empty());
        }
        let campus = source_option(INFINITE_CAMPUS);
        assert_eq!(campus.map(|s| s.strategies), Some(Strategy::ALL.to_vec()));
        // Custom Data Extracts are Infinite Campus's own.
        let generic = source_option(ONEROSTER_GENERIC);
        assert_eq!(
            generic.as_ref().map(|s| s.strategies.clone()),
            Some(vec![Strategy::OneRosterApi])
        );
        assert!(generic.is_some_and(|s| s.needs.contains("/ims/oneroster/rostering/v1p2")));
        assert_eq!(source_option("nope"), None);
    }

    #[test]
    fn error_codes_are_snake_case_on_the_wire() {
        let error = ApiError {
            code: ErrorCode::SessionExpired,
            message: "The session has expired.".into(),
            field: None,
        };
        let json = serde_json::to_value(&error).unwrap_or_default();
        assert_eq!(json["code"], "session_expired");
        assert!(json["field"].is_null(), "no field is null");
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
                regions: vec![],
                sources: vec![],
                strategies: vec![],
                extract_name_prefix: None,
                connection_id: None,
            })
        );
    }
}
