//! Validates the four values of a OneRoster 1.2 connection in two round trips: a
//! client-credentials token, then every probe in parallel (`limit=1`, counts from
//! `X-Total-Count`). Each failure becomes one stable code, the field at fault and a message
//! an administrator can act on, in the words of the request's source ([`Wording`]: the source
//! changes what a message says, never what is checked). The secret goes into the token
//! request and nowhere else.

use std::error::Error as _;
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};
use reqwest::{Client, StatusCode, Url};
use sis_onboard_protocol::{
    Check, Count, CredentialField, DistrictSummary, ValidateRequest, ValidationError,
    ValidationErrorCode as Code, ValidationReport, ValidationWarning,
};

use serde_json::Value;

use super::page::{Answer, Record, decode_wrapped, is_streamed, read_page};
use super::wording::Wording;
use crate::net_guard::{
    DistrictHttp, FetchError, NetPolicy, ReadError, Refusal, join_location, read_capped,
};

/// Every OneRoster 1.2 rostering base URL ends with this.
const ROSTERING_SUFFIX: &str = "/ims/oneroster/rostering/v1p2";
const SCOPE_ROSTER_CORE: &str =
    "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly";
const SCOPE_ROSTER: &str = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly";
const SCOPE_DEMOGRAPHICS: &str =
    "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly";
/// A token answer is a few hundred bytes; anything near this is not a token endpoint.
const MAX_TOKEN_RESPONSE_BYTES: usize = 64 * 1024;

fn error(
    code: Code,
    field: Option<CredentialField>,
    message: impl Into<String>,
) -> ValidationError {
    ValidationError {
        code,
        field,
        message: message.into(),
    }
}

fn millis(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Validates a connection; never fails, always reports.
pub async fn validate_connection(
    client: &DistrictHttp,
    policy: &NetPolicy,
    request: &ValidateRequest,
) -> ValidationReport {
    let mut checks = Vec::new();
    let mut warnings = Vec::new();
    let wording = Wording::for_source(request.source.as_deref());
    let outcome = run(client, policy, request, wording, &mut checks, &mut warnings).await;
    match outcome {
        Ok(district) => ValidationReport {
            passed: true,
            checks,
            district: Some(district),
            warnings,
            error: None,
        },
        Err(error) => ValidationReport {
            passed: false,
            checks,
            district: None,
            warnings,
            error: Some(error),
        },
    }
}

/// The address exactly as validation checks it: the parsed URL's serialisation, so what
/// is stored is what was probed (None when it does not parse).
pub fn checked_url(raw: &str) -> Option<String> {
    Url::parse(raw.trim()).ok().map(String::from)
}

/// The most characters of a text from upstream (a name, a title) the proxy shows or stores.
pub const MAX_UPSTREAM_TEXT_CHARS: usize = 200;

/// True for the bidirectional formatting characters that can make a name read as another.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A text from the district's server made safe to show and store: bidi characters removed,
/// control characters and runs of white space made one space, trimmed, at most [`MAX_UPSTREAM_TEXT_CHARS`] characters.
pub fn upstream_text(raw: &str) -> String {
    // A line break or tab between words stays a space between them.
    let clean: String = raw
        .chars()
        .filter(|c| !is_bidi_control(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let words = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    words
        .chars()
        .take(MAX_UPSTREAM_TEXT_CHARS)
        .collect::<String>()
        .trim_end()
        .to_owned()
}

/// Parses and checks one URL field.
fn parse_url(
    raw: &str,
    field: CredentialField,
    policy: &NetPolicy,
    wording: Wording,
) -> Result<Url, ValidationError> {
    // On the text, before parsing, exactly as the wizard reads it: the ASCII-only IDNA back
    // end would refuse such a host with an opaque parse error.
    if sis_onboard_protocol::is_non_ascii_host(raw.trim()) {
        return Err(error(
            Code::NonAsciiHost,
            Some(field),
            "The server name in this address has letters other than a to z. Enter it in its xn-- (punycode) form, such as https://xn--distrct-kza.example/… for distrîct.example; your IT team can give it to you.",
        ));
    }
    let url = Url::parse(raw.trim()).map_err(|_| {
        error(
            Code::MalformedUrl,
            Some(field),
            wording.pick(
                "This is not a web address. Copy it again from Infinite Campus; it starts with https://.",
                "This is not a web address. Copy it again from what your OneRoster provider gave you; it starts with https://.",
            ),
        )
    })?;
    policy.check_url(&url).map_err(|refusal| match refusal {
        Refusal::NotHttps => error(
            Code::NotHttps,
            Some(field),
            "The address must start with https://.",
        ),
        Refusal::CredentialsInUrl => error(
            Code::MalformedUrl,
            Some(field),
            "The address must not contain a user name or password.",
        ),
        other => error(
            Code::ForbiddenDestination,
            Some(field),
            format!("This address cannot be used: {other}."),
        ),
    })?;
    Ok(url)
}

async fn run(
    client: &DistrictHttp,
    policy: &NetPolicy,
    request: &ValidateRequest,
    wording: Wording,
    checks: &mut Vec<Check>,
    warnings: &mut Vec<ValidationWarning>,
) -> Result<DistrictSummary, ValidationError> {
    let base = parse_url(&request.base_url, CredentialField::BaseUrl, policy, wording)?;
    let token_url = parse_url(
        &request.token_url,
        CredentialField::TokenUrl,
        policy,
        wording,
    )?;
    check_base_shape(&base, wording)?;
    if token_url.path().contains("/ims/oneroster") {
        return Err(error(
            Code::NotTokenEndpoint,
            Some(CredentialField::TokenUrl),
            wording.pick(
                "This looks like the OneRoster API URL. The Token Endpoint is the address that ends in /oauth2/token?appName=…",
                "This looks like the OneRoster API URL. The Token URL is the other address your OneRoster provider gave you, the one that issues access tokens.",
            ),
        ));
    }
    // The token request carries the client id and secret: only to the district's own
    // host, or to the one the vendor configured for it. Otherwise anyone could make the
    // proxy test credentials against any host and report what it answered.
    if !policy.is_token_host_allowed(&base, &token_url) {
        return Err(error(
            Code::TokenHostMismatch,
            Some(CredentialField::TokenUrl),
            format!(
                "The Token URL must be on the same server as the Base URL ({}). {}",
                base.host_str().unwrap_or_default(),
                wording.pick(
                    "Copy both from the same OneRoster connection in Infinite Campus.",
                    "Copy both from the same connection your OneRoster provider gave you; if your provider really issues tokens from another server, the app's vendor can allow that pair.",
                ),
            ),
        ));
    }
    if request.client_id.trim().is_empty() {
        return Err(error(
            Code::InvalidClient,
            Some(CredentialField::ClientId),
            wording.pick(
                "Enter the Client ID Infinite Campus generated.",
                "Enter the Client ID your OneRoster provider gave you.",
            ),
        ));
    }
    if request.client_secret.is_empty() {
        return Err(error(
            Code::InvalidClient,
            Some(CredentialField::ClientSecret),
            wording.pick(
                "Enter the Client Secret Infinite Campus generated.",
                "Enter the Client Secret your OneRoster provider gave you.",
            ),
        ));
    }

    // The probes go to the base URL's host: when the token is fetched from another one,
    // that connection (TCP, TLS) is opened meanwhile, not after.
    let _preconnect = (base.origin() != token_url.origin()).then(|| client.preconnect(&base));
    let started = Instant::now();
    let token = fetch_token(TokenCall {
        client: client.client(),
        policy,
        url: &token_url,
        request,
        wording,
    })
    .await;
    checks.push(Check {
        id: "token".into(),
        passed: token.is_ok(),
        millis: millis(started),
    });
    // The granted scope is only a hint: servers omit it, echo the (empty) request or name
    // scopes of their own, so only the API's refusal of a probe fails validation.
    let token = token?;
    let granted = Granted::from_answer(token.scope.as_deref());

    let probing = Probing {
        client,
        policy,
        base: &base,
        token_url: &token_url,
        request,
        wording,
        granted: &granted,
        large_answers: tokio::sync::Semaphore::new(LARGE_ANSWERS_AT_ONCE),
    };
    let probe = |path: &'static str, key: &'static str| {
        let access = token.access_token.clone();
        let probing = &probing;
        async move {
            let started = Instant::now();
            let result = probing.probe(access, path, key).await;
            (result, millis(started))
        }
    };
    let (district, schools, students, teachers, classes, session, demographics) = tokio::join!(
        probe("orgs?filter=type%3D%27district%27&limit=1", "orgs"),
        probe("schools?limit=1", "orgs"),
        probe("students?limit=1", "users"),
        probe("teachers?limit=1", "users"),
        probe("classes?limit=1", "classes"),
        probe(
            "academicSessions?filter=type%3D%27schoolYear%27&sort=startDate&orderBy=desc&limit=1",
            "academicSessions"
        ),
        // Not a check of its own: it only decides the demographics warning.
        probe("demographics?limit=1", "demographics"),
    );
    let mut first_error = None;
    let mut record = |id: &str, outcome: &(Result<Probe, ValidationError>, u64), fatal: bool| {
        checks.push(Check {
            id: id.into(),
            passed: outcome.0.is_ok(),
            millis: outcome.1,
        });
        if let (Err(e), true, None) = (&outcome.0, fatal, &first_error) {
            first_error = Some(e.clone());
        }
    };
    record("district", &district, true);
    record("schools", &schools, true);
    record("students", &students, true);
    record("teachers", &teachers, true);
    record("classes", &classes, true);
    // Not every server sorts or filters academic sessions; a failure here is not fatal.
    record("academic_session", &session, false);
    if let Some(error) = first_error {
        return Err(error);
    }
    let demographics_refused = match &demographics.0 {
        Ok(_) => false,
        Err(e) => {
            matches!(e.code, Code::InsufficientScope | Code::InactiveConnection)
                || granted.lacks(SCOPE_DEMOGRAPHICS)
        }
    };
    if demographics_refused {
        warnings.push(ValidationWarning::NoDemographicsScope);
    }
    let (Ok(district), Ok(schools), Ok(students), Ok(teachers), Ok(classes)) =
        (district.0, schools.0, students.0, teachers.0, classes.0)
    else {
        return Err(error(
            Code::UpstreamError,
            None,
            "The server's answers were incomplete.",
        ));
    };
    if [&schools, &students, &teachers, &classes]
        .iter()
        .any(|p| !p.count.exact)
    {
        warnings.push(ValidationWarning::CountsAreLowerBounds);
    }
    if schools.count.value == 0 {
        return Err(error(
            Code::NoDataShared,
            None,
            wording.pick(
                "The connection shares no schools. In Infinite Campus, choose the schools (\"data to share\") for this connection, then validate again.",
                "The connection shares no schools. Ask your OneRoster provider to share the district's schools with this connection, then validate again.",
            ),
        ));
    }
    if schools.count.exact && schools.count.value == 1 {
        warnings.push(ValidationWarning::OneSchoolShared);
    }
    let name = district_name(client, policy, &base, &token.access_token, &district).await;
    if name.is_none() {
        warnings.push(ValidationWarning::NoDistrictOrg);
    }
    Ok(DistrictSummary {
        name: name.unwrap_or_default(),
        schools: schools.count,
        students: students.count,
        teachers: teachers.count,
        classes: classes.count,
        academic_session: session
            .0
            .ok()
            .and_then(|p| p.first?.title)
            .map(|t| upstream_text(&t))
            .filter(|t| !t.is_empty()),
    })
}

/// How far up a school's `parent` chain the district is looked for.
const MAX_PARENT_HOPS: usize = 3;

/// True when an org record is of type `district`.
fn is_district(org: &Record) -> bool {
    org.kind
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("district"))
}

/// The district's name: the district probe's org when it is of type `district`; otherwise
/// (a server that ignores `filter` answers a school) up that org's `parent` chain, a few
/// hops at most. None when no district org is found, so no school is named as the district.
async fn district_name(
    client: &DistrictHttp,
    policy: &NetPolicy,
    base: &Url,
    access: &str,
    probe: &Probe,
) -> Option<String> {
    let mut org = probe.first.clone()?;
    for _ in 0..MAX_PARENT_HOPS {
        if is_district(&org) {
            break;
        }
        let parent = org.parent.as_ref()?.sourced_id.as_deref()?;
        let mut url = base.clone();
        url.path_segments_mut()
            .ok()?
            .pop_if_empty()
            .push("orgs")
            .push(parent);
        let response = client.get_following(url, access).await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        let body = read_capped(response, policy.max_response_bytes)
            .await
            .ok()?;
        org = decode_wrapped::<Record>(&body, "org").ok()??;
    }
    is_district(&org)
        .then(|| org.name.as_deref().map(upstream_text))
        .flatten()
}

fn check_base_shape(base: &Url, wording: Wording) -> Result<(), ValidationError> {
    let path = base.path().trim_end_matches('/');
    if path.ends_with(ROSTERING_SUFFIX) {
        return Ok(());
    }
    let field = Some(CredentialField::BaseUrl);
    if path.contains("/v1p1") {
        Err(error(
            Code::OneRoster11,
            field,
            wording.pick(
                "This is a OneRoster 1.1 address. Generate a OneRoster 1.2 connection in Infinite Campus and use its Base URL.",
                "This is a OneRoster 1.1 address. Ask your OneRoster provider for a OneRoster 1.2 connection and use its Base URL.",
            ),
        ))
    } else if path.contains("/oauth2/token") {
        Err(error(
            Code::NotOneRosterRoot,
            field,
            wording.pick(
                "This looks like the Token Endpoint. The OneRoster API URL ends in /ims/oneroster/rostering/v1p2.",
                "This looks like a token URL. The Base URL ends in /ims/oneroster/rostering/v1p2.",
            ),
        ))
    } else {
        Err(error(
            Code::NotOneRosterRoot,
            field,
            wording.pick(
                "This is not a OneRoster 1.2 API URL. Copy the Base URL from Infinite Campus; it ends in /ims/oneroster/rostering/v1p2.",
                "This is not a OneRoster 1.2 API URL. Copy the Base URL your OneRoster provider gave you; it ends in /ims/oneroster/rostering/v1p2.",
            ),
        ))
    }
}

struct Token {
    access_token: String,
    scope: Option<String>,
}

/// The scopes a token answer names, when it names any OneRoster scope at all.
#[derive(Debug, Default)]
struct Granted {
    /// The answer's scope text, as given (shown to the administrator).
    text: String,
    /// True when at least one name is a OneRoster scope, so the list can be read as the
    /// server's real grant; a list of the server's own names says nothing either way.
    is_oneroster: bool,
}

impl Granted {
    fn from_answer(scope: Option<&str>) -> Self {
        let text = scope.unwrap_or_default().trim().to_owned();
        let is_oneroster = text
            .split_whitespace()
            .any(|s| s.starts_with("https://purl.imsglobal.org/spec/or/"));
        Self { text, is_oneroster }
    }

    /// True only when the grant is readable and `scope` is not in it.
    fn lacks(&self, scope: &str) -> bool {
        self.is_oneroster && !self.text.split_whitespace().any(|s| s == scope)
    }

    /// True only when the grant is readable and names no roster scope.
    fn lacks_roster(&self) -> bool {
        self.lacks(SCOPE_ROSTER_CORE) && self.lacks(SCOPE_ROSTER)
    }

    fn insufficient_scope(&self, wording: Wording) -> ValidationError {
        let granted = if self.text.is_empty() {
            String::new()
        } else {
            let who = wording.pick("Infinite Campus", "your OneRoster provider");
            format!(" ({who} granted only: {})", self.text)
        };
        let fix = wording.pick(
            "In Infinite Campus, enable roster sync for this connection, then validate again.",
            "Ask your SIS or rostering vendor to grant the roster scopes (roster-core.readonly, roster.readonly), then validate again.",
        );
        error(
            Code::InsufficientScope,
            None,
            format!("The connection does not share roster data{granted}. {fix}"),
        )
    }
}

/// True when the answer carries RFC 6750's `insufficient_scope` challenge.
fn is_scope_challenge(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.to_ascii_lowercase()
                .replace(' ', "")
                .contains("error=\"insufficient_scope\"")
        })
}

/// A GET of the API that got no answer: a refused or endless redirect, or a transport
/// failure.
fn fetch_error(err: FetchError, field: CredentialField, wording: Wording) -> ValidationError {
    match err {
        FetchError::RedirectRefused(refusal) => error(
            Code::ForbiddenDestination,
            Some(field),
            format!("The server redirected to an address that cannot be used: {refusal}."),
        ),
        FetchError::TooManyRedirects => error(
            Code::ForbiddenDestination,
            Some(field),
            wording.pick(
                "The server redirected too many times. Copy the Base URL from Infinite Campus again.",
                "The server redirected too many times. Copy the Base URL your OneRoster provider gave you again.",
            ),
        ),
        FetchError::Transport(e) => transport_error(&e, field, wording),
    }
}

/// A transport failure, told apart by what the error chain says.
fn transport_error(
    err: &reqwest::Error,
    field: CredentialField,
    wording: Wording,
) -> ValidationError {
    let field = Some(field);
    let mut source = err.source();
    let mut text = err.to_string().to_lowercase();
    while let Some(inner) = source {
        if let Some(refusal) = inner.downcast_ref::<Refusal>() {
            return match refusal {
                Refusal::NoHost => error(
                    Code::UnknownHost,
                    field,
                    "This server name does not exist. Check the address for typos.",
                ),
                other => error(
                    Code::ForbiddenDestination,
                    field,
                    format!("This address cannot be used: {other}."),
                ),
            };
        }
        if is_tls_error(inner) {
            return error(
                Code::TlsFailure,
                field,
                "The secure connection to the server failed: its certificate is not trusted, or it does not speak https at this address. A self-hosted district may need its certificate added to the proxy.",
            );
        }
        if let Some(io) = inner.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return error(
                Code::ConnectionRefused,
                field,
                wording.pick(
                    "Nothing answers at this address. Check the address, or ask your Infinite Campus host whether the server is up.",
                    "Nothing answers at this address. Check the address, or ask your OneRoster provider whether the server is up.",
                ),
            );
        }
        text.push(' ');
        text.push_str(&inner.to_string().to_lowercase());
        source = inner.source();
    }
    if err.is_timeout() {
        error(
            Code::Timeout,
            field,
            wording.pick(
                "The server did not answer in time. Try again; if it keeps happening, your Infinite Campus host may be down.",
                "The server did not answer in time. Try again; if it keeps happening, your OneRoster provider's server may be down.",
            ),
        )
    } else if text.contains("certificate") || text.contains("tls") || text.contains("handshake") {
        error(
            Code::TlsFailure,
            field,
            "The server's security certificate is not trusted. Check the address; a self-hosted district may need its certificate added to the proxy.",
        )
    } else if text.contains("dns") || text.contains("resolve") {
        error(
            Code::UnknownHost,
            field,
            "This server name does not exist. Check the address for typos.",
        )
    } else if text.contains("refused") {
        error(
            Code::ConnectionRefused,
            field,
            "Nothing answers at this address.",
        )
    } else {
        error(
            Code::UpstreamError,
            field,
            "The connection to the server failed. Try again.",
        )
    }
}

/// True when a rustls error is inside, even wrapped in io::Errors (whose `source()` skips
/// the error they wrap, so the chain alone never shows it).
pub(crate) fn is_tls_error(error: &(dyn std::error::Error + 'static)) -> bool {
    if error.is::<rustls::Error>() {
        return true;
    }
    match error
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
    {
        Some(inner) => is_tls_error(inner),
        None => false,
    }
}

fn status_error(
    status: StatusCode,
    field: CredentialField,
    wording: Wording,
) -> Option<ValidationError> {
    if status == StatusCode::TOO_MANY_REQUESTS {
        Some(error(
            Code::RateLimited,
            Some(field),
            wording.pick(
                "Infinite Campus is limiting requests right now. Wait a minute, then validate again.",
                "Your OneRoster provider is limiting requests right now. Wait a minute, then validate again.",
            ),
        ))
    } else if status.is_server_error() {
        Some(error(
            Code::UpstreamError,
            Some(field),
            format!(
                "{} answered with an error (HTTP {}). Try again later.",
                wording.pick("Infinite Campus", "Your OneRoster provider"),
                status.as_u16()
            ),
        ))
    } else {
        None
    }
}

fn read_error(err: ReadError, field: CredentialField, wording: Wording) -> ValidationError {
    match err {
        ReadError::TooLarge => error(
            Code::ResponseTooLarge,
            Some(field),
            "The server's answer is far larger than a OneRoster server sends. Check the address.",
        ),
        ReadError::Transport(e) => transport_error(&e, field, wording),
    }
}

/// The content type and the body, read up to `max` bytes.
async fn read_body(
    response: reqwest::Response,
    max: usize,
    field: CredentialField,
    wording: Wording,
) -> Result<(String, Vec<u8>), ValidationError> {
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = read_capped(response, max)
        .await
        .map_err(|e| read_error(e, field, wording))?;
    Ok((content_type, body))
}

fn looks_like_html(content_type: &str, body: &[u8]) -> bool {
    content_type.contains("html") || body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

/// The `scope` a token request names for the source, and the one to ask for when that is
/// refused as `invalid_scope`. Infinite Campus: none (it grants a connection what its
/// switches give it). Any other OneRoster 1.2 provider: the roster scopes with
/// demographics, then without, as servers that follow the IMS Security Framework refuse a
/// request that names no scope, or one that asks for more than the connection was given.
fn scopes_to_request(wording: Wording) -> (Option<String>, Option<String>) {
    match wording {
        Wording::InfiniteCampus => (None, None),
        Wording::OneRoster => (
            Some(format!(
                "{SCOPE_ROSTER_CORE} {SCOPE_ROSTER} {SCOPE_DEMOGRAPHICS}"
            )),
            Some(format!("{SCOPE_ROSTER_CORE} {SCOPE_ROSTER}")),
        ),
    }
}

/// What every token request of one validation shares: the client, the policy its
/// redirects are checked against, the token URL, the credentials and the wording.
#[derive(Clone, Copy)]
struct TokenCall<'a> {
    client: &'a Client,
    policy: &'a NetPolicy,
    url: &'a Url,
    request: &'a ValidateRequest,
    wording: Wording,
}

async fn fetch_token(call: TokenCall<'_>) -> Result<Token, ValidationError> {
    let wording = call.wording;
    let (scope, without_demographics) = scopes_to_request(wording);
    let answer = fetch_token_for(call, scope.as_deref()).await;
    match (answer, without_demographics) {
        // Without demographics, the demographics probe then says what the grant lacks.
        (Err(e), Some(fallback)) if e.code == Code::InsufficientScope => {
            fetch_token_for(call, Some(&fallback)).await
        }
        (answer, _) => answer,
    }
}

/// One token request for `scope`: HTTP Basic, then the form body when the server says
/// Basic itself is not accepted.
async fn fetch_token_for(
    call: TokenCall<'_>,
    scope: Option<&str>,
) -> Result<Token, ValidationError> {
    let wording = call.wording;
    match token_request(call, scope, true).await? {
        TokenAnswer::Token(token) => Ok(token),
        // Only when the server says the Basic form itself is not accepted.
        TokenAnswer::BasicNotAccepted => {
            match token_request(call, scope, false).await? {
                TokenAnswer::Token(token) => Ok(token),
                TokenAnswer::BasicNotAccepted => Err(error(
                    Code::NotTokenEndpoint,
                    Some(CredentialField::TokenUrl),
                    wording.pick(
                        "The Token Endpoint did not accept the request. Check the address.",
                        "The token URL did not accept the request. Check the address with your OneRoster provider.",
                    ),
                )),
            }
        }
    }
}

enum TokenAnswer {
    Token(Token),
    BasicNotAccepted,
}

fn form_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn token_request(
    call: TokenCall<'_>,
    scope: Option<&str>,
    basic: bool,
) -> Result<TokenAnswer, ValidationError> {
    let TokenCall {
        client,
        policy,
        url,
        request,
        wording,
    } = call;
    let field = CredentialField::TokenUrl;
    let mut body = String::from("grant_type=client_credentials");
    if let Some(scope) = scope {
        body.push_str(&format!("&scope={}", form_encode(scope)));
    }
    let mut builder = client
        .post(url.clone())
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded");
    if basic {
        // RFC 6749 §2.3.1: each part is form-urlencoded before base64.
        let pair = format!(
            "{}:{}",
            form_encode(request.client_id.trim()),
            form_encode(&request.client_secret)
        );
        builder = builder.header(AUTHORIZATION, format!("Basic {}", STANDARD.encode(pair)));
    } else {
        body.push_str(&format!(
            "&client_id={}&client_secret={}",
            form_encode(request.client_id.trim()),
            form_encode(&request.client_secret)
        ));
    }
    let response = builder
        .body(body)
        .send()
        .await
        .map_err(|e| transport_error(&e, field, wording))?;
    let status = response.status();
    if status.is_redirection() {
        return Err(token_redirect(&response, policy, url, wording));
    }
    if let Some(err) = status_error(status, field, wording) {
        return Err(err);
    }
    let (content_type, body) =
        read_body(response, MAX_TOKEN_RESPONSE_BYTES, field, wording).await?;
    let not_token_endpoint = || {
        error(
            Code::NotTokenEndpoint,
            Some(field),
            wording.pick(
                "This address does not answer like a Token Endpoint. Copy the Token URL from Infinite Campus; it ends in /oauth2/token?appName=…",
                "This address does not answer like a token endpoint. Copy the Token URL your OneRoster provider gave you again.",
            ),
        )
    };
    if looks_like_html(&content_type, &body) {
        return Err(not_token_endpoint());
    }
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    if status.is_success() {
        let json = json.ok_or_else(not_token_endpoint)?;
        return token_from_answer(&json)
            .map(TokenAnswer::Token)
            .ok_or_else(not_token_endpoint);
    }
    let oauth_error = json
        .as_ref()
        .and_then(|j| j["error"].as_str())
        .unwrap_or("");
    match (status, oauth_error) {
        (_, "invalid_client") | (StatusCode::UNAUTHORIZED, _) => Err(error(
            Code::InvalidClient,
            Some(CredentialField::ClientSecret),
            wording.pick(
                "Infinite Campus did not accept this Client ID and Client Secret. Copy both again from the connection you generated (the secret is case-sensitive).",
                "Your OneRoster provider did not accept this Client ID and Client Secret. Copy both again from what your provider gave you (the secret is case-sensitive).",
            ),
        )),
        (_, "invalid_request") if basic => Ok(TokenAnswer::BasicNotAccepted),
        (_, "invalid_scope") => Err(error(
            Code::InsufficientScope,
            None,
            wording.pick(
                "The connection does not grant the roster scopes. In Infinite Campus, enable roster sync for this connection.",
                "The connection does not grant the roster scopes. Ask your SIS or rostering vendor to grant the roster scopes (roster-core.readonly, roster.readonly).",
            ),
        )),
        (StatusCode::FORBIDDEN, _) => Err(inactive(wording)),
        _ => Err(not_token_endpoint()),
    }
}

/// A connection switched off (a 403 without a scope challenge), from the token endpoint or
/// the API alike.
fn inactive(wording: Wording) -> ValidationError {
    error(
        Code::InactiveConnection,
        None,
        wording.pick(
            "This connection is not active. In Infinite Campus, turn the connection on, then validate again.",
            "This connection is not active. Ask your OneRoster provider to turn it on, then validate again.",
        ),
    )
}

/// Reads a successful token answer the way servers really write it: `token_type` in any
/// case (RFC 6749 §5.1 makes it case-insensitive), `expires_in` a number or a numeric string
/// (the proxy does not need it), members of the server's own ignored. None unless it holds
/// a non-empty `access_token` of a bearer (or unnamed) type.
fn token_from_answer(json: &Value) -> Option<Token> {
    let access_token = json["access_token"].as_str().filter(|t| !t.is_empty())?;
    let is_bearer = json["token_type"]
        .as_str()
        .is_none_or(|t| t.trim().eq_ignore_ascii_case("bearer"));
    is_bearer.then(|| Token {
        access_token: access_token.to_owned(),
        scope: json["scope"].as_str().map(str::to_owned),
    })
}

/// The Token URL answered a redirect: never followed, since the credentials would go to an
/// address the administrator did not type; said where it points so they can fix the URL.
fn token_redirect(
    response: &reqwest::Response,
    policy: &NetPolicy,
    url: &Url,
    wording: Wording,
) -> ValidationError {
    let field = Some(CredentialField::TokenUrl);
    let target = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| join_location(url, v));
    if let Some(Err(refusal @ Refusal::NonAsciiHost)) = target {
        return error(
            Code::ForbiddenDestination,
            field,
            format!("The Token URL redirects to an address that cannot be used: {refusal}."),
        );
    }
    let Some(Ok(target)) = target else {
        return error(
            Code::NotTokenEndpoint,
            field,
            wording.pick(
                "The Token URL redirects elsewhere, and the token request is never sent on. Copy the Token URL from Infinite Campus again; it ends in /oauth2/token?appName=…",
                "The Token URL redirects elsewhere, and the token request is never sent on. Copy the Token URL your OneRoster provider gave you again.",
            ),
        );
    };
    if let Err(refusal) = policy.check_url(&target) {
        return error(
            Code::ForbiddenDestination,
            field,
            format!(
                "The Token URL redirects to {}, which cannot be used: {refusal}.",
                upstream_text(target.as_str())
            ),
        );
    }
    error(
        Code::NotTokenEndpoint,
        field,
        format!(
            "The Token URL redirects to {}. The token request is never sent on to another address: if that is the right {}, enter it as the Token URL.",
            upstream_text(target.as_str()),
            wording.pick("Token Endpoint", "token endpoint")
        ),
    )
}

struct Probe {
    count: Count,
    first: Option<Record>,
}

/// How many large answers (from a server that ignores `limit`) one validation decodes at
/// once; the others wait with their bytes still in the socket, not in the heap.
const LARGE_ANSWERS_AT_ONCE: usize = 1;

/// What every probe of one validation shares.
struct Probing<'a> {
    client: &'a DistrictHttp,
    policy: &'a NetPolicy,
    base: &'a Url,
    token_url: &'a Url,
    request: &'a ValidateRequest,
    /// Whose words the probes' failures speak in.
    wording: Wording,
    granted: &'a Granted,
    /// Turns for decoding a large answer.
    large_answers: tokio::sync::Semaphore,
}

impl Probing<'_> {
    async fn probe(
        &self,
        mut access: String,
        path: &str,
        key: &'static str,
    ) -> Result<Probe, ValidationError> {
        let Self {
            client,
            policy,
            base,
            token_url,
            request,
            wording,
            granted,
            ..
        } = *self;
        let field = CredentialField::BaseUrl;
        let url = Url::parse(&format!("{}/{path}", base.as_str().trim_end_matches('/'))).map_err(
            |_| {
                error(
                    Code::MalformedUrl,
                    Some(field),
                    "This is not a web address.",
                )
            },
        )?;
        let mut renewed = false;
        loop {
            let response = client
                .get_following(url.clone(), &access)
                .await
                .map_err(|e| fetch_error(e, field, wording))?;
            let status = response.status();
            let is_scope_refusal =
                matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
                    && is_scope_challenge(&response);
            if is_scope_refusal {
                return Err(granted.insufficient_scope(wording));
            }
            if status == StatusCode::UNAUTHORIZED && !renewed {
                // The token may have expired between two calls: get a fresh one, once.
                renewed = true;
                access = fetch_token(TokenCall {
                    client: client.client(),
                    policy,
                    url: token_url,
                    request,
                    wording,
                })
                .await?
                .access_token;
                continue;
            }
            if let Some(err) = status_error(status, field, wording) {
                return Err(err);
            }
            match status {
                StatusCode::UNAUTHORIZED => {
                    return Err(error(
                        Code::InvalidClient,
                        Some(CredentialField::ClientSecret),
                        wording.pick(
                            "Infinite Campus issued a token but does not accept it. Generate the connection again.",
                            "Your OneRoster provider issued a token but does not accept it. Ask your provider for new credentials.",
                        ),
                    ));
                }
                // Without a challenge a 403 is a switched-off connection, unless the grant is
                // readable and plainly holds no roster scope.
                StatusCode::FORBIDDEN if granted.lacks_roster() => {
                    return Err(granted.insufficient_scope(wording));
                }
                StatusCode::FORBIDDEN => {
                    return Err(inactive(wording));
                }
                StatusCode::NOT_FOUND => {
                    return Err(error(
                        Code::OneRoster11,
                        None,
                        wording.pick(
                            "The server accepted the credentials but answers no OneRoster 1.2 requests: the connection was probably generated as OneRoster 1.1. Generate a new connection and choose OneRoster 1.2.",
                            "The server accepted the credentials but answers no OneRoster 1.2 requests: the connection is probably a OneRoster 1.1 one. Ask your OneRoster provider for a OneRoster 1.2 connection.",
                        ),
                    ));
                }
                s if !s.is_success() => {
                    return Err(error(
                        Code::NotOneRosterRoot,
                        Some(field),
                        format!(
                            "The OneRoster API URL answered HTTP {}. Check the address.",
                            s.as_u16()
                        ),
                    ));
                }
                _ => {}
            }
            let total = response
                .headers()
                .get("x-total-count")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let _turn = if is_streamed(&response) {
                // A closed semaphore never happens: it lives as long as the validation.
                self.large_answers.acquire().await.ok()
            } else {
                None
            };
            let answer = read_page(response, policy.max_response_bytes, key)
                .await
                .map_err(|e| read_error(e, field, wording))?;
            // Only the first record and the length: never a JSON tree of the whole body.
            let page = match answer {
            Answer::Html => {
                return Err(error(
                    Code::NotOneRosterRoot,
                    Some(field),
                    wording.pick(
                        "The OneRoster API URL answers with a web page, not OneRoster data. Copy the Base URL from Infinite Campus (it ends in /ims/oneroster/rostering/v1p2).",
                        "The OneRoster API URL answers with a web page, not OneRoster data. Copy the Base URL your OneRoster provider gave you (it ends in /ims/oneroster/rostering/v1p2).",
                    ),
                ));
            }
            Answer::Page(page) => page.ok_or_else(|| {
                error(
                    Code::MalformedResponse,
                    Some(field),
                    wording.pick(
                        "The server's answer is not valid OneRoster data. Try again later, or ask your Infinite Campus host.",
                        "The server's answer is not valid OneRoster data. Try again later, or ask your OneRoster provider.",
                    ),
                )
            })?,
        };
            let count = match total {
                Some(value) => Count { value, exact: true },
                None => Count {
                    value: page.len,
                    exact: false,
                },
            };
            return Ok(Probe {
                count,
                first: page.first,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_text_loses_control_and_bidi_characters() {
        assert_eq!(
            upstream_text("  Lakeshore\u{202E}tcirtsiD\u{202C} \u{7}School\nDistrict\u{2066}\t"),
            "LakeshoretcirtsiD School District"
        );
        assert_eq!(upstream_text("\u{200F}\u{0}"), "");
    }

    #[test]
    fn upstream_text_is_bounded_by_characters_not_bytes() {
        let long = "é".repeat(MAX_UPSTREAM_TEXT_CHARS + 50);
        let bounded = upstream_text(&long);
        assert_eq!(bounded.chars().count(), MAX_UPSTREAM_TEXT_CHARS);
        assert_eq!(upstream_text("Lakeshore District"), "Lakeshore District");
    }

    /// The failures built without a server, some of which no sandbox behaviour reaches (too
    /// many redirects, a grant that names the server's own scopes): Infinite Campus's words
    /// for Infinite Campus, none of them for another provider, the code and field alike.
    /// The failure of a result that must have failed.
    fn failure<T>(result: Result<T, ValidationError>) -> ValidationError {
        result.err().unwrap_or_else(|| panic!("no failure"))
    }

    #[test]
    fn another_providers_messages_never_name_infinite_campus() {
        let policy = NetPolicy::default();
        let url = |raw: &str| Url::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
        let field = CredentialField::BaseUrl;
        let build = |wording: Wording| -> Vec<(&str, ValidationError)> {
            vec![
                (
                    "not a URL",
                    failure(parse_url("not a url", field, &policy, wording)),
                ),
                (
                    "a 1.1 base URL",
                    failure(check_base_shape(
                        &url("https://d.example/campus/api/ims/oneroster/v1p1"),
                        wording,
                    )),
                ),
                (
                    "another base URL",
                    failure(check_base_shape(&url("https://d.example/campus"), wording)),
                ),
                (
                    "a grant of other scopes",
                    Granted::from_answer(Some(
                        "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook-core.readonly",
                    ))
                    .insufficient_scope(wording),
                ),
                (
                    "no grant named",
                    Granted::from_answer(None).insufficient_scope(wording),
                ),
                (
                    "too many redirects",
                    fetch_error(FetchError::TooManyRedirects, field, wording),
                ),
                (
                    "429",
                    status_error(StatusCode::TOO_MANY_REQUESTS, field, wording)
                        .unwrap_or_else(|| panic!("429 is a failure")),
                ),
                (
                    "503",
                    status_error(StatusCode::SERVICE_UNAVAILABLE, field, wording)
                        .unwrap_or_else(|| panic!("503 is a failure")),
                ),
                ("switched off", inactive(wording)),
            ]
        };
        let campus = build(Wording::InfiniteCampus);
        let provider = build(Wording::OneRoster);
        for ((case, campus), (_, provider)) in campus.iter().zip(&provider) {
            assert!(
                campus.message.contains("Infinite Campus"),
                "{case}: {}",
                campus.message
            );
            for words in [
                "Infinite Campus",
                "appName",
                "roster sync",
                "Token Endpoint",
            ] {
                assert!(
                    !provider.message.contains(words),
                    "{case} names {words:?}: {}",
                    provider.message
                );
            }
            assert_eq!(
                (campus.code, campus.field),
                (provider.code, provider.field),
                "{case}: only the words differ"
            );
        }
        // The grant named is still shown, in the provider's words.
        assert!(provider[3].1.message.contains("gradebook-core.readonly"));
        assert!(
            provider[3]
                .1
                .message
                .contains("roster-core.readonly, roster.readonly")
        );
    }

    #[test]
    fn checked_url_is_the_parsed_serialisation() {
        assert_eq!(
            checked_url(" HTTPS://Lakeshore.Example/campus/./api/ims/oneroster/rostering/v1p2 ")
                .as_deref(),
            Some("https://lakeshore.example/campus/api/ims/oneroster/rostering/v1p2")
        );
        assert_eq!(checked_url("not a url"), None);
    }
}
