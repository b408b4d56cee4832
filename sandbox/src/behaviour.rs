//! Behaviours chosen by the client id: each one a failure an administrator can meet with a
//! real Infinite Campus, so vendors and the proxy's tests can reach every one on purpose.
//! The README's table lists them (a test keeps the two in step).
//!
//! Every behaviour applies on both shapes the sandbox serves, Infinite Campus' and the
//! generic OneRoster 1.2 server's (`/oauth/token`, `/ims/oneroster/rostering/v1p2`): the API
//! behaviours act on every base path, the token behaviours on both token endpoints. Where a
//! behaviour names a place, each shape has its own: [`Behaviour::TokenRedirects`] moves the
//! Infinite Campus endpoint to [`MOVED_TOKEN_PATH`] and the generic one to
//! [`GENERIC_MOVED_TOKEN_PATH`]. [`Behaviour::ScopeOmitted`] changes nothing on the generic
//! endpoint, whose answers never carry `scope`. Only Infinite Campus' `404` for a missing or
//! unknown `appName` has no generic counterpart: the generic endpoint takes no `appName`.

/// What a connection does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Works: every roster scope, the whole district.
    Working,
    /// Works, but without the demographics scope.
    NoDemographicsScope,
    /// The token endpoint refuses the secret, whatever is typed (`invalid_client`).
    WrongSecret,
    /// Generated as OneRoster 1.1: tokens are issued, 1.2 paths do not answer (404).
    OneRoster11,
    /// The connection is switched off in Infinite Campus: every API call is 403.
    Inactive,
    /// "Data to share" is not set: every list is empty.
    NoDataShared,
    /// Every API answer is delayed by the configured slow delay.
    Slow,
    /// Every API call fails with 500.
    ServerError,
    /// Every API call is 429 with `Retry-After`.
    RateLimited,
    /// Every API answer is cut-off JSON.
    MalformedJson,
    /// Every API answer is an HTML sign-in page with status 200.
    HtmlSignIn,
    /// Every API answer is a (valid) JSON document of 64 MiB.
    HugeResponse,
    /// A token opens exactly one API call; the next one is 401 (expired).
    TokenExpiresAfterFirstCall,
    /// Lists come without the `X-Total-Count` header.
    NoTotalCount,
    /// Works, but the token answer has no `scope` member (RFC 6749 makes it optional).
    ScopeOmitted,
    /// Works, but the token answer says `"scope": ""` (a server echoing the empty request).
    ScopeEmpty,
    /// Works, but the token answer names scopes of the server's own (`read write`).
    UnrelatedScopes,
    /// Generated for the gradebook only: the token grants no roster scope, so every roster
    /// call is 403 with `WWW-Authenticate: Bearer error="insufficient_scope"`.
    NoRosterScope,
    /// Works; the token answer says `"token_type": "bearer"`, `"expires_in": "3600"` (a
    /// string) and carries members of the server's own.
    LowercaseBearer,
    /// Works; the token answer says `"token_type": "BEARER"`.
    UppercaseBearer,
    /// The token endpoint answers 200 JSON without `access_token`.
    NoAccessToken,
    /// The token endpoint answers 307 to another path of the same server.
    TokenRedirects,
    /// The token endpoint answers 307 to the cloud metadata address.
    TokenRedirectsInside,
    /// `orgs` ignores `filter` (as some OneRoster servers do) and lists schools first.
    IgnoresFilter,
    /// No org of type `district`: `orgs` lists only the schools, and they have no `parent`.
    NoDistrictOrg,
    /// The token endpoint refuses HTTP Basic with `invalid_request`; it reads the client id
    /// and secret only from the form body.
    BasicRefused,
    /// Works, but shares a single school (a connection limited to one school).
    OneSchool,
    /// The token endpoint answers 200 JSON of [`HUGE_TOKEN_ANSWER_BYTES`].
    HugeTokenAnswer,
    /// Every API answer is cut off: the connection closes in the middle of the body.
    CutMidBody,
    /// Works, but the district's name carries a right-to-left override, control characters
    /// and some 330 characters.
    HostileNames,
    /// Works, but every list answer is [`BIG_PAGE_BYTES`] of tiny records whatever `limit`
    /// asks for, as from a server that ignores `limit`.
    BigPages,
}

impl Behaviour {
    /// Every behaviour, in the README's order.
    pub const ALL: [Behaviour; 31] = [
        Behaviour::Working,
        Behaviour::NoDemographicsScope,
        Behaviour::WrongSecret,
        Behaviour::OneRoster11,
        Behaviour::Inactive,
        Behaviour::NoDataShared,
        Behaviour::Slow,
        Behaviour::ServerError,
        Behaviour::RateLimited,
        Behaviour::MalformedJson,
        Behaviour::HtmlSignIn,
        Behaviour::HugeResponse,
        Behaviour::TokenExpiresAfterFirstCall,
        Behaviour::NoTotalCount,
        Behaviour::ScopeOmitted,
        Behaviour::ScopeEmpty,
        Behaviour::UnrelatedScopes,
        Behaviour::NoRosterScope,
        Behaviour::LowercaseBearer,
        Behaviour::UppercaseBearer,
        Behaviour::NoAccessToken,
        Behaviour::TokenRedirects,
        Behaviour::TokenRedirectsInside,
        Behaviour::IgnoresFilter,
        Behaviour::NoDistrictOrg,
        Behaviour::BasicRefused,
        Behaviour::OneSchool,
        Behaviour::HugeTokenAnswer,
        Behaviour::CutMidBody,
        Behaviour::HostileNames,
        Behaviour::BigPages,
    ];

    /// The client id that selects the behaviour (the secret is always the demo secret).
    pub fn client_id(self) -> &'static str {
        match self {
            Behaviour::Working => "sandbox-client-id",
            Behaviour::NoDemographicsScope => "sandbox-no-demographics",
            Behaviour::WrongSecret => "sandbox-wrong-secret",
            Behaviour::OneRoster11 => "sandbox-oneroster-1p1",
            Behaviour::Inactive => "sandbox-inactive",
            Behaviour::NoDataShared => "sandbox-no-data",
            Behaviour::Slow => "sandbox-slow",
            Behaviour::ServerError => "sandbox-server-error",
            Behaviour::RateLimited => "sandbox-rate-limited",
            Behaviour::MalformedJson => "sandbox-malformed-json",
            Behaviour::HtmlSignIn => "sandbox-html-sign-in",
            Behaviour::HugeResponse => "sandbox-huge-response",
            Behaviour::TokenExpiresAfterFirstCall => "sandbox-token-expires",
            Behaviour::NoTotalCount => "sandbox-no-total-count",
            Behaviour::ScopeOmitted => "sandbox-scope-omitted",
            Behaviour::ScopeEmpty => "sandbox-scope-empty",
            Behaviour::UnrelatedScopes => "sandbox-unrelated-scopes",
            Behaviour::NoRosterScope => "sandbox-no-roster-scope",
            Behaviour::LowercaseBearer => "sandbox-lowercase-bearer",
            Behaviour::UppercaseBearer => "sandbox-uppercase-bearer",
            Behaviour::NoAccessToken => "sandbox-no-access-token",
            Behaviour::TokenRedirects => "sandbox-token-redirects",
            Behaviour::TokenRedirectsInside => "sandbox-token-redirects-inside",
            Behaviour::IgnoresFilter => "sandbox-ignores-filter",
            Behaviour::NoDistrictOrg => "sandbox-no-district",
            Behaviour::BasicRefused => "sandbox-basic-refused",
            Behaviour::OneSchool => "sandbox-one-school",
            Behaviour::HugeTokenAnswer => "sandbox-huge-token-answer",
            Behaviour::CutMidBody => "sandbox-cut-mid-body",
            Behaviour::HostileNames => "sandbox-hostile-names",
            Behaviour::BigPages => "sandbox-big-pages",
        }
    }

    /// The behaviour a client id selects.
    pub fn from_client_id(client_id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.client_id() == client_id)
    }
}

/// The body of [`Behaviour::HtmlSignIn`]: what a single-sign-on gateway in front of
/// Infinite Campus answers instead of JSON.
pub const SIGN_IN_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>Infinite Campus - Sign In</title></head>\
<body><form method=\"post\" action=\"/campus/verify.jsp\"><h1>Campus Sign In</h1>\
<label>Username <input name=\"username\"></label><label>Password <input type=\"password\" \
name=\"password\"></label><button>Log In</button></form></body></html>\n";

/// The one scope [`Behaviour::NoRosterScope`]'s connection is granted.
pub const SCOPE_GRADEBOOK: &str =
    "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook-core.readonly";

/// Where [`Behaviour::TokenRedirects`] sends the token request (relative to the server).
pub const MOVED_TOKEN_PATH: &str = "/campus/oauth2/v2/token?appName=sandbox";

/// Where [`Behaviour::TokenRedirects`] sends a request to the generic token endpoint.
pub const GENERIC_MOVED_TOKEN_PATH: &str = "/oauth/v2/token";

/// Where [`Behaviour::TokenRedirectsInside`] sends the token request.
pub const METADATA_TOKEN_URL: &str = "https://169.254.169.254/latest/meta-data/token";

/// How big [`Behaviour::HugeResponse`]'s answer is.
pub const HUGE_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// How big [`Behaviour::HugeTokenAnswer`]'s token answer is: past the proxy's 64 KiB cap.
pub const HUGE_TOKEN_ANSWER_BYTES: usize = 96 * 1024;

/// How big [`Behaviour::BigPages`]' list answers are: just under the proxy's 2 MiB cap.
pub const BIG_PAGE_BYTES: usize = 2 * 1024 * 1024 - 1024;
