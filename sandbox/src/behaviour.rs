//! Behaviours chosen by the client id: each one a failure an administrator can meet with a
//! real Infinite Campus, so vendors and the proxy's tests can reach every one on purpose.
//! The README's table lists them (a test keeps the two in step).

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
}

impl Behaviour {
    /// Every behaviour, in the README's order.
    pub const ALL: [Behaviour; 14] = [
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

/// How big [`Behaviour::HugeResponse`]'s answer is.
pub const HUGE_RESPONSE_BYTES: usize = 64 * 1024 * 1024;
