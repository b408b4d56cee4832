//! Checks and repairs of the two URLs the administrator pastes, before anything is sent.
//!
//! Built on the `url` crate, which parses as the browser and the proxy do (WHATWG URL), so
//! what passes here is what the proxy will read. The proxy checks everything again; this
//! only catches, early and in plain words, the mistakes people make when copying from
//! Infinite Campus, and says what it repaired. Every repair is idempotent: a repaired value
//! passes again unchanged and without notes.

use std::net::IpAddr;

use sis_onboard_protocol::{host_span, is_non_ascii_host, scheme_end};
use url::{Host, Url};

use crate::sis::Sis;

/// The OneRoster 1.2 rostering root every base URL ends in.
pub const ROSTERING_ROOT: &str = "/ims/oneroster/rostering/v1p2";
/// The path Infinite Campus's token endpoint ends in.
const TOKEN_PATH: &str = "/campus/oauth2/token";
/// Where an app-scoped Infinite Campus base URL names its app.
const APP_SCOPED: &str = "/campus/api/oneroster/v1p2/";

/// Something the wizard fixed in a pasted value, and says it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repair {
    /// Spaces, line breaks or invisible characters around the value were removed.
    Trimmed,
    /// A trailing `/` was removed.
    TrailingSlash,
    /// Everything after `…/rostering/v1p2` (a deeper link, a `?query`, a `#fragment`) was
    /// removed.
    CutAfterRoot,
    /// `https://` was missing and was added.
    AddedScheme,
    /// The scheme, the server name or the OneRoster root had capital letters.
    LowerCased,
    /// The address was rewritten in its standard form (`:443` dropped, characters escaped).
    StandardForm,
}

/// Why a pasted URL cannot be used as it is. The `Display` text is for developers' logs; the
/// administrator reads the field's note, chosen by [`crate::messages::problem`] and translated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// Nothing was entered. The administrator reads "Enter this value."
    #[error("nothing was entered")]
    Empty,
    /// Not a web address at all. The administrator reads "This is not a web address. Copy it
    /// again from Infinite Campus."
    #[error("not a web address")]
    NotUrl,
    /// `http://` (or another scheme) instead of `https://`. The administrator reads "The
    /// address must start with https://."
    #[error("the address is not https")]
    NotHttps,
    /// A OneRoster 1.1 address: the connection must be generated as OneRoster 1.2. The
    /// administrator reads "This is a OneRoster 1.1 address. Generate a new connection and
    /// select OneRoster 1.2."
    #[error("a OneRoster 1.1 address")]
    OneRoster11,
    /// The token URL was pasted into the base-URL field. The administrator reads "This is the
    /// Token URL. Paste it into Token Endpoint, and the Base URL here."
    #[error("the token URL is in the base URL field")]
    TokenUrlInBaseField,
    /// The base URL was pasted into the token-URL field. The administrator reads "This is the
    /// Base URL. Paste it into OneRoster API URL, and the Token URL here."
    #[error("the base URL is in the token URL field")]
    BaseUrlInTokenField,
    /// The base URL does not end in `/ims/oneroster/rostering/v1p2`. The administrator reads
    /// "The Base URL ends in /ims/oneroster/rostering/v1p2. Copy it again from Infinite
    /// Campus."
    #[error("the base URL does not end in the OneRoster 1.2 rostering root")]
    NotRosteringRoot,
    /// The token URL is not `…/oauth2/token…`. The administrator reads "The Token URL ends in
    /// /oauth2/token. Copy it again from Infinite Campus."
    #[error("the token URL does not end in /oauth2/token")]
    NotTokenUrl,
    /// The token URL lacks `?appName=…`, which Infinite Campus always includes. The
    /// administrator reads "The Token URL ends in ?appName= and your app name. Copy all of it
    /// from Infinite Campus."
    #[error("the token URL has no appName")]
    MissingAppName,
    /// The server name has letters outside a–z: it must be pasted in its `xn--` form. The
    /// administrator reads "The server name has letters other than a to z, which this form
    /// does not accept. Enter the server name in its xn-- form …"
    #[error("the host name has letters outside ASCII; its xn-- form is needed")]
    NonAsciiHost,
}

/// A URL that passed the checks, with what was repaired on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The value to send.
    pub value: String,
    /// What was changed, in order.
    pub repairs: Vec<Repair>,
}

/// True for characters copy and paste drags along: spaces, line breaks, zero-width ones.
fn is_junk(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}'
        )
}

/// True for a first segment that can only be a server name (`district.org`, `localhost:80`,
/// `[::1]`), so that `https://` may be put in front of it.
fn looks_like_host(text: &str) -> bool {
    let host = &text[host_span(text)];
    host.contains('.') || host.starts_with('[') || host.eq_ignore_ascii_case("localhost")
}

/// Loopback hosts, where plain http is tolerated: the demo's sandbox and local testing.
/// (The proxy decides what it may really reach.)
fn is_loopback(host: Option<Host<&str>>) -> bool {
    match host {
        Some(Host::Domain(name)) => name == "localhost",
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// A pasted value, parsed.
struct Pasted {
    /// What the parser made of it.
    url: Url,
    /// What was repaired so far.
    repairs: Vec<Repair>,
    /// The text as typed with only the repairs said so far (trimmed, scheme added, case
    /// lowered): whatever else differs in the part of [`Pasted::url`] that is kept is the
    /// parser's standard form, said too, so that nothing changes unannounced.
    typed: String,
}

/// The steps both fields share: trims what copy and paste adds, adds a missing `https://`,
/// refuses other schemes and non-ASCII hosts, and parses.
fn parse_pasted(raw: &str) -> Result<Pasted, Problem> {
    let mut repairs = Vec::new();
    let trimmed = raw.trim_matches(is_junk);
    if trimmed.is_empty() {
        return Err(Problem::Empty);
    }
    if trimmed.len() != raw.len() {
        repairs.push(Repair::Trimmed);
    }
    if trimmed.contains(is_junk) {
        return Err(Problem::NotUrl);
    }
    let text = match scheme_end(trimmed) {
        Some(_) => trimmed.to_owned(),
        None if looks_like_host(trimmed.trim_start_matches('/')) => {
            repairs.push(Repair::AddedScheme);
            format!("https://{}", trimmed.trim_start_matches('/'))
        }
        None => return Err(Problem::NotUrl),
    };
    let colon = scheme_end(&text).ok_or(Problem::NotUrl)?;
    let scheme = text[..colon].to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(Problem::NotHttps);
    }
    // Checked on the text, before parsing, so the answer is the proxy's (`non_ascii_host`).
    if is_non_ascii_host(&text) {
        return Err(Problem::NonAsciiHost);
    }
    let host = host_span(&text);
    let url = Url::parse(&text).map_err(|_| Problem::NotUrl)?;
    if url.scheme() == "http" && !is_loopback(url.host()) {
        return Err(Problem::NotHttps);
    }
    let typed = format!(
        "{scheme}{}{}{}",
        &text[colon..host.start],
        text[host.clone()].to_ascii_lowercase(),
        &text[host.end..]
    );
    if typed != text {
        repairs.push(Repair::LowerCased);
    }
    Ok(Pasted {
        url,
        repairs,
        typed,
    })
}

/// Where the rostering root ends in a URL as typed, as whole segments (as
/// [`root_position`]), or None when it is not there as typed.
fn typed_root_end(typed: &str) -> Option<usize> {
    let lower = typed.to_ascii_lowercase();
    let from = host_span(typed).end;
    lower[from..]
        .match_indices(ROSTERING_ROOT)
        .map(|(at, _)| from + at + ROSTERING_ROOT.len())
        .find(|end| {
            matches!(
                lower.as_bytes().get(*end),
                None | Some(b'/' | b'\\' | b'?' | b'#')
            )
        })
}

/// Where the rostering root starts in a lower-cased path, as whole segments: `…/v1p2` or
/// `…/v1p2/…`, never `…/v1p20`.
fn root_position(path: &str) -> Option<usize> {
    path.match_indices(ROSTERING_ROOT)
        .map(|(at, _)| at)
        .find(|at| {
            matches!(
                path.as_bytes().get(at + ROSTERING_ROOT.len()),
                None | Some(b'/')
            )
        })
}

/// Checks (and repairs) the "OneRoster API URL", the connection's Base URL.
pub fn check_base_url(raw: &str) -> Result<Checked, Problem> {
    let Pasted {
        mut url,
        mut repairs,
        typed,
    } = parse_pasted(raw)?;
    let path = url.path().to_ascii_lowercase();
    if path.contains("/oauth2/token") || path.contains("/oauth/token") {
        return Err(Problem::TokenUrlInBaseField);
    }
    if path.contains("/v1p1") {
        return Err(Problem::OneRoster11);
    }
    let at = root_position(&path).ok_or(Problem::NotRosteringRoot)?;
    let end = at + ROSTERING_ROOT.len();
    // Lower-casing keeps every byte where it was, so `at` indexes the path as typed too.
    let (prefix, typed_root, tail) = (&url.path()[..at], &url.path()[at..end], &url.path()[end..]);
    // Only what is kept counts: the parser's rewriting of a query that is cut away (`'`
    // escaped, say) is no change to the value sent.
    let kept = url[..url::Position::BeforePath].len() + end;
    let typed_kept = typed_root_end(&typed).map_or(typed.as_str(), |end| &typed[..end]);
    if url.as_str()[..kept] != *typed_kept {
        repairs.push(Repair::StandardForm);
    }
    if !tail.trim_matches('/').is_empty() || url.query().is_some() || url.fragment().is_some() {
        // A link to a collection (…/v1p2/users?limit=5): keep the root.
        repairs.push(Repair::CutAfterRoot);
    } else if !tail.is_empty() {
        repairs.push(Repair::TrailingSlash);
    }
    // The proxy and the servers read the root in lower case only.
    if typed_root != ROSTERING_ROOT && !repairs.contains(&Repair::LowerCased) {
        repairs.push(Repair::LowerCased);
    }
    let path = format!("{prefix}{ROSTERING_ROOT}");
    url.set_path(&path);
    url.set_query(None);
    url.set_fragment(None);
    Ok(Checked {
        value: url.into(),
        repairs,
    })
}

/// Checks (and repairs) the "Token Endpoint", the connection's Token URL. Infinite Campus's
/// ends in `/oauth2/token?appName=…`; another OneRoster 1.2 provider's may be any address
/// (`/oauth/token`, `/token`, another path), so it is only told apart from the API's and
/// kept as it is, a trailing slash included.
pub fn check_token_url(raw: &str, sis: Sis) -> Result<Checked, Problem> {
    let Pasted {
        mut url,
        mut repairs,
        typed,
    } = parse_pasted(raw)?;
    // The whole token URL is kept, its query included.
    if url.as_str() != typed {
        repairs.push(Repair::StandardForm);
    }
    let path = url.path().to_ascii_lowercase();
    if path.contains("/ims/oneroster") {
        return Err(if path.contains("/v1p1") {
            Problem::OneRoster11
        } else {
            Problem::BaseUrlInTokenField
        });
    }
    if sis == Sis::OneRoster {
        return Ok(Checked {
            value: url.into(),
            repairs,
        });
    }
    let trimmed = path.trim_end_matches('/');
    if !trimmed.ends_with("/oauth2/token") {
        return Err(Problem::NotTokenUrl);
    }
    let has_app = url
        .query_pairs()
        .any(|(name, value)| name == "appName" && !value.is_empty());
    if trimmed.ends_with(TOKEN_PATH) && !has_app {
        return Err(Problem::MissingAppName);
    }
    if trimmed.len() != path.len() {
        let kept = url.path()[..trimmed.len()].to_owned();
        url.set_path(&kept);
        repairs.push(Repair::TrailingSlash);
    }
    Ok(Checked {
        value: url.into(),
        repairs,
    })
}

/// The token URL that belongs to a base URL, when the base URL names its app:
/// `https://H/campus/api/oneroster/v1p2/APP/ims/oneroster/rostering/v1p2` →
/// `https://H/campus/oauth2/token?appName=APP`. Offered to the administrator, never forced.
pub fn derive_token_url(base: &str) -> Option<String> {
    let checked = check_base_url(base).ok()?;
    let mut url = Url::parse(&checked.value).ok()?;
    let path = url.path().to_owned();
    // Anything before `/campus` (a reverse proxy's prefix) is kept.
    let at = path.find(APP_SCOPED)?;
    let app = path[at + APP_SCOPED.len()..].strip_suffix(ROSTERING_ROOT)?;
    // App names are plain identifiers; anything else would need escaping in a query, and a
    // guess that needs escaping is not worth offering.
    let is_plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~');
    if app.is_empty() || !app.chars().all(is_plain) {
        return None;
    }
    url.set_path(&format!("{}{TOKEN_PATH}", &path[..at]));
    url.set_query(Some(&format!("appName={app}")));
    Some(url.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "https://springfield.infinitecampus.org";

    fn ok(value: &str, repairs: &[Repair]) -> Result<Checked, Problem> {
        Ok(Checked {
            value: value.to_owned(),
            repairs: repairs.to_vec(),
        })
    }

    #[test]
    fn both_infinite_campus_base_url_shapes_pass_unchanged() {
        for base in [
            format!("{HOST}/campus/api/ims/oneroster/rostering/v1p2"),
            format!("{HOST}/campus/api/oneroster/v1p2/springfield/ims/oneroster/rostering/v1p2"),
            "https://oneroster.state.gov/ims/oneroster/rostering/v1p2".to_owned(),
        ] {
            assert_eq!(check_base_url(&base), ok(&base, &[]), "{base}");
        }
    }

    #[test]
    fn pasted_junk_and_trailing_slashes_are_repaired_and_reported() {
        let base = format!("{HOST}/campus/api/ims/oneroster/rostering/v1p2");
        assert_eq!(
            check_base_url(&format!("  \u{200b}{base}/ \n")),
            ok(&base, &[Repair::Trimmed, Repair::TrailingSlash])
        );
        assert_eq!(
            check_base_url(&format!("{base}/orgs/district-1")),
            ok(&base, &[Repair::CutAfterRoot])
        );
        let token = format!("{HOST}/campus/oauth2/token?appName=springfield");
        assert_eq!(
            check_token_url(&format!("\t{token} "), Sis::InfiniteCampus),
            ok(&token, &[Repair::Trimmed])
        );
        assert_eq!(
            check_token_url(
                &format!("{HOST}/campus/oauth2/token/?appName=springfield"),
                Sis::InfiniteCampus
            ),
            ok(&token, &[Repair::TrailingSlash])
        );
    }

    #[test]
    fn a_deep_link_with_a_query_or_fragment_is_cut_to_the_root() {
        let base = format!("{HOST}/campus/api/ims/oneroster/rostering/v1p2");
        for deep in [
            format!("{base}/users?limit=5"),
            format!("{base}#x"),
            format!("{base}?"),
            format!("{base}/?filter=status%3D%27active%27&limit=1#top"),
            format!("{base}/classes/c-1/students?limit=100&offset=200"),
        ] {
            assert_eq!(
                check_base_url(&deep),
                ok(&base, &[Repair::CutAfterRoot]),
                "{deep}"
            );
        }
        // The token URL is still offered for an app-scoped deep link.
        let scoped = format!(
            "{HOST}/campus/api/oneroster/v1p2/springfield/ims/oneroster/rostering/v1p2/users?limit=5#x"
        );
        assert_eq!(
            derive_token_url(&scoped),
            Some(format!("{HOST}/campus/oauth2/token?appName=springfield"))
        );
    }

    #[test]
    fn a_missing_scheme_is_added_and_said() {
        let base = format!("{HOST}/campus/api/ims/oneroster/rostering/v1p2");
        let bare = base.trim_start_matches("https://");
        assert_eq!(check_base_url(bare), ok(&base, &[Repair::AddedScheme]));
        assert_eq!(
            check_base_url(&format!("//{bare}")),
            ok(&base, &[Repair::AddedScheme])
        );
        assert_eq!(
            check_token_url(
                "springfield.infinitecampus.org/campus/oauth2/token?appName=springfield",
                Sis::InfiniteCampus
            ),
            ok(
                &format!("{HOST}/campus/oauth2/token?appName=springfield"),
                &[Repair::AddedScheme]
            )
        );
        // A host and port is not a scheme.
        assert_eq!(
            check_base_url("localhost:8080/sandbox/campus/api/ims/oneroster/rostering/v1p2"),
            ok(
                "https://localhost:8080/sandbox/campus/api/ims/oneroster/rostering/v1p2",
                &[Repair::AddedScheme]
            )
        );
        // A word or a bare path is not a server name to guess a scheme for.
        assert_eq!(check_base_url("springfield"), Err(Problem::NotUrl));
        assert_eq!(
            check_base_url("/campus/api/ims/oneroster/rostering/v1p2"),
            Err(Problem::NotUrl)
        );
    }

    #[test]
    fn capitals_in_the_scheme_host_and_root_are_lowered_and_said() {
        let base = format!("{HOST}/campus/api/ims/oneroster/rostering/v1p2");
        assert_eq!(
            check_base_url(
                "HTTPS://Springfield.InfiniteCampus.org/campus/api/ims/oneroster/rostering/v1p2"
            ),
            ok(&base, &[Repair::LowerCased])
        );
        assert_eq!(
            check_base_url(&format!("{HOST}/campus/api/IMS/OneRoster/rostering/v1p2")),
            ok(&base, &[Repair::LowerCased])
        );
        // The rest of the path is the server's business: kept as typed.
        let app =
            format!("{HOST}/campus/api/oneroster/v1p2/Springfield/ims/oneroster/rostering/v1p2");
        assert_eq!(check_base_url(&app), ok(&app, &[]));
        assert_eq!(
            check_token_url(
                "Https://SPRINGFIELD.infinitecampus.org/campus/oauth2/token?appName=Springfield",
                Sis::InfiniteCampus
            ),
            ok(
                &format!("{HOST}/campus/oauth2/token?appName=Springfield"),
                &[Repair::LowerCased]
            )
        );
    }

    #[test]
    fn what_the_parser_rewrites_is_said_as_the_standard_form() {
        let base = format!("{HOST}/campus/api/ims/oneroster/rostering/v1p2");
        assert_eq!(
            check_base_url(&base.replace(".org/", ".org:443/")),
            ok(&base, &[Repair::StandardForm])
        );
        assert_eq!(
            check_base_url(&base.replace("/campus/api/", "/campus/./api/")),
            ok(&base, &[Repair::StandardForm])
        );
    }

    #[test]
    fn a_query_the_parser_would_escape_is_cut_without_a_standard_form_said() {
        // url escapes `'` in a query; that query is cut away, so only the cut is said.
        let base = format!("{HOST}/campus/api/ims/oneroster/rostering/v1p2");
        assert_eq!(
            check_base_url(&format!("{base}/users?filter=status='active'")),
            ok(&base, &[Repair::CutAfterRoot])
        );
        // What is kept still counts.
        assert_eq!(
            check_base_url(&format!(
                "{}/users?filter=status='active'",
                base.replace(".org/", ".org:443/")
            )),
            ok(&base, &[Repair::StandardForm, Repair::CutAfterRoot])
        );
    }

    #[test]
    fn plain_http_is_refused_except_on_this_machine() {
        assert_eq!(
            check_base_url(
                "http://springfield.infinitecampus.org/campus/api/ims/oneroster/rostering/v1p2"
            ),
            Err(Problem::NotHttps)
        );
        assert_eq!(
            check_token_url(
                "ftp://x.org/campus/oauth2/token?appName=a",
                Sis::InfiniteCampus
            ),
            Err(Problem::NotHttps)
        );
        assert_eq!(
            check_base_url("javascript:alert(1)"),
            Err(Problem::NotHttps)
        );
        for local in [
            "http://127.0.0.1:8080/sandbox/campus/api/ims/oneroster/rostering/v1p2",
            "http://localhost:8080/ims/oneroster/rostering/v1p2",
            "http://[::1]:8080/ims/oneroster/rostering/v1p2",
        ] {
            assert_eq!(check_base_url(local), ok(local, &[]));
        }
        // A loopback look-alike is not this machine.
        assert_eq!(
            check_base_url("http://localhost.example.org/ims/oneroster/rostering/v1p2"),
            Err(Problem::NotHttps)
        );
    }

    #[test]
    fn swapped_fields_are_spotted() {
        let token = format!("{HOST}/campus/oauth2/token?appName=springfield");
        let base = format!("{HOST}/campus/api/ims/oneroster/rostering/v1p2");
        assert_eq!(check_base_url(&token), Err(Problem::TokenUrlInBaseField));
        assert_eq!(
            check_token_url(&base, Sis::InfiniteCampus),
            Err(Problem::BaseUrlInTokenField)
        );
        assert_eq!(
            check_token_url(&format!("{base}/users?limit=5"), Sis::InfiniteCampus),
            Err(Problem::BaseUrlInTokenField)
        );
    }

    #[test]
    fn oneroster_11_is_told_apart() {
        assert_eq!(
            check_base_url(&format!("{HOST}/campus/api/ims/oneroster/v1p1")),
            Err(Problem::OneRoster11)
        );
        assert_eq!(
            check_token_url(
                &format!("{HOST}/campus/api/ims/oneroster/v1p1"),
                Sis::InfiniteCampus
            ),
            Err(Problem::OneRoster11)
        );
    }

    #[test]
    fn other_mistakes_have_their_own_problem() {
        assert_eq!(check_base_url("   "), Err(Problem::Empty));
        assert_eq!(check_base_url("\u{200b}\n"), Err(Problem::Empty));
        assert_eq!(
            check_base_url("springfield.infinitecampus.org"),
            Err(Problem::NotRosteringRoot)
        );
        assert_eq!(check_base_url("not a url"), Err(Problem::NotUrl));
        assert_eq!(check_base_url("https://a b.org/x"), Err(Problem::NotUrl));
        assert_eq!(check_base_url("https://"), Err(Problem::NotUrl));
        assert_eq!(check_base_url(HOST), Err(Problem::NotRosteringRoot));
        assert_eq!(
            check_base_url(&format!("{HOST}/ims/oneroster/rostering/v1p20")),
            Err(Problem::NotRosteringRoot)
        );
        assert_eq!(
            check_token_url(&format!("{HOST}/campus/oauth2/token"), Sis::InfiniteCampus),
            Err(Problem::MissingAppName)
        );
        assert_eq!(
            check_token_url(
                &format!("{HOST}/campus/oauth2/token?appName="),
                Sis::InfiniteCampus
            ),
            Err(Problem::MissingAppName)
        );
        assert_eq!(
            check_token_url(&format!("{HOST}/login"), Sis::InfiniteCampus),
            Err(Problem::NotTokenUrl)
        );
        // Other servers' token endpoints need no app name.
        let other = "https://sis.example.org/oauth2/token";
        assert_eq!(check_token_url(other, Sis::InfiniteCampus), ok(other, &[]));
    }

    #[test]
    fn another_providers_token_url_may_be_any_address_but_the_apis() {
        let or = Sis::OneRoster;
        for token in [
            "https://auth.example.org/oauth/token",
            "https://sis.example.org/token",
            "https://sis.example.org/api/oauth2/v2/token/",
            "https://sis.example.org/connect/token?tenant=42",
        ] {
            assert_eq!(check_token_url(token, or), ok(token, &[]), "{token}");
        }
        // Pasting junk, a missing scheme and capitals are still repaired and said.
        assert_eq!(
            check_token_url(" SIS.example.org/oauth/token\n", or),
            ok(
                "https://sis.example.org/oauth/token",
                &[Repair::Trimmed, Repair::AddedScheme, Repair::LowerCased]
            )
        );
        // No Infinite Campus problem is ever said to another provider.
        assert_eq!(
            check_token_url("https://sis.example.org/login", or),
            ok("https://sis.example.org/login", &[])
        );
        let base = "https://sis.example.org/ims/oneroster/rostering/v1p2";
        assert_eq!(check_token_url(base, or), Err(Problem::BaseUrlInTokenField));
        assert_eq!(
            check_token_url("https://sis.example.org/ims/oneroster/v1p1", or),
            Err(Problem::OneRoster11)
        );
        assert_eq!(
            check_token_url("http://sis.example.org/oauth/token", or),
            Err(Problem::NotHttps)
        );
        // Its base URL is checked as any: a token URL pasted there is spotted.
        assert_eq!(
            check_base_url("https://auth.example.org/oauth/token"),
            Err(Problem::TokenUrlInBaseField)
        );
        assert_eq!(check_base_url(base), ok(base, &[]));
    }

    #[test]
    fn non_ascii_host_names_ask_for_the_xn_form() {
        for pasted in [
            "https://distrîct.example/ims/oneroster/rostering/v1p2",
            "distrîct.example/ims/oneroster/rostering/v1p2",
            "https://DISTRÎCT.example/ims/oneroster/rostering/v1p2",
            "https://distr%C3%AEct.example/ims/oneroster/rostering/v1p2",
            "https://user@distrîct.example:443/ims/oneroster/rostering/v1p2",
        ] {
            assert_eq!(
                check_base_url(pasted),
                Err(Problem::NonAsciiHost),
                "{pasted}"
            );
        }
        assert_eq!(
            check_token_url("https://distrîct.example/oauth2/token", Sis::InfiniteCampus),
            Err(Problem::NonAsciiHost)
        );
        // Letters outside ASCII in the path are the server's business, escaped as sent.
        assert_eq!(
            check_base_url("https://d.example/é/ims/oneroster/rostering/v1p2"),
            ok(
                "https://d.example/%C3%A9/ims/oneroster/rostering/v1p2",
                &[Repair::StandardForm]
            )
        );
        // The xn-- form passes under either IDNA back end.
        let punycode = "https://xn--distrct-kza.example/ims/oneroster/rostering/v1p2";
        assert_eq!(check_base_url(punycode), ok(punycode, &[]));
    }

    #[test]
    fn the_token_url_is_derived_only_where_the_base_url_names_the_app() {
        assert_eq!(
            derive_token_url(&format!(
                "{HOST}/campus/api/oneroster/v1p2/springfield/ims/oneroster/rostering/v1p2/"
            )),
            Some(format!("{HOST}/campus/oauth2/token?appName=springfield"))
        );
        assert_eq!(
            derive_token_url(&format!("{HOST}/campus/api/ims/oneroster/rostering/v1p2")),
            None
        );
        assert_eq!(
            derive_token_url(&format!(
                "{HOST}/campus/api/oneroster/v1p2/a&b/ims/oneroster/rostering/v1p2"
            )),
            None
        );
        assert_eq!(derive_token_url("not a url"), None);
        assert_eq!(
            derive_token_url(
                "http://127.0.0.1:9/sandbox/campus/api/oneroster/v1p2/sandbox/ims/oneroster/rostering/v1p2"
            ),
            Some("http://127.0.0.1:9/sandbox/campus/oauth2/token?appName=sandbox".into())
        );
    }

    /// A small deterministic generator (a linear congruential one): the same inputs on
    /// every run, so a failure reproduces, without a property-testing crate.
    struct Pick(u64);

    impl Pick {
        fn one<'a>(&mut self, choices: &[&'a str]) -> &'a str {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let index = (self.0 >> 33) as usize % choices.len();
            choices[index]
        }
    }

    const AROUND: &[&str] = &["", " ", "\t", "\n", "\u{200b}", "\u{feff} ", "\r\n"];
    const SCHEMES: &[&str] = &["https://", "HTTPS://", "Https://", "", "//", "http://"];
    const HOSTS: &[&str] = &[
        "springfield.infinitecampus.org",
        "Springfield.InfiniteCampus.ORG",
        "stcloud2.infinitecampus.com",
        "oneroster.state.gov",
        "d.example:443",
        "xn--distrct-kza.example",
        "127.0.0.1:8080",
        "LOCALHOST:3000",
        "[::1]:9",
    ];
    const PREFIXES: &[&str] = &[
        "/campus/api",
        "/campus/api/oneroster/v1p2/springfield",
        "",
        "/sandbox/campus/api/oneroster/v1p2/sandbox",
        "/campus/./api",
    ];
    const ROOTS: &[&str] = &[ROSTERING_ROOT, "/IMS/OneRoster/Rostering/V1P2"];
    const TAILS: &[&str] = &[
        "",
        "/",
        "//",
        "/users",
        "/users/",
        "/orgs/district-1",
        "/classes/c1/students",
    ];
    const QUERIES: &[&str] = &[
        "",
        "?limit=5",
        "?",
        "?filter=status%3D%27active%27&limit=1",
        "?filter=status='active'",
        "?filter=givenName='O''Brien'&limit=1",
    ];
    const FRAGMENTS: &[&str] = &["", "#x", "#"];

    fn is_local(host: &str) -> bool {
        ["127.", "localhost", "[::1]"]
            .iter()
            .any(|local| host.to_ascii_lowercase().starts_with(local))
    }

    #[test]
    fn repairing_a_generated_base_url_twice_changes_nothing_and_keeps_the_root() {
        let mut pick = Pick(15);
        let mut offered = 0;
        let mut said = Vec::new();
        for _ in 0..20_000 {
            let (scheme, host, prefix) = (pick.one(SCHEMES), pick.one(HOSTS), pick.one(PREFIXES));
            let raw = [
                pick.one(AROUND),
                scheme,
                host,
                prefix,
                pick.one(ROOTS),
                pick.one(TAILS),
                pick.one(QUERIES),
                pick.one(FRAGMENTS),
                pick.one(AROUND),
            ]
            .concat();
            let checked = match check_base_url(&raw) {
                Ok(checked) => checked,
                Err(problem) => {
                    // Only plain http to another machine is refused among these.
                    assert_eq!(problem, Problem::NotHttps, "{raw:?}");
                    assert!(
                        scheme.eq_ignore_ascii_case("http://") && !is_local(host),
                        "{raw:?}"
                    );
                    continue;
                }
            };
            assert!(
                checked.value.ends_with(ROSTERING_ROOT),
                "{raw:?} → {checked:?}"
            );
            assert_eq!(
                check_base_url(&checked.value),
                ok(&checked.value, &[]),
                "repairing {raw:?} again"
            );
            said.extend(checked.repairs.iter().copied());
            // Nothing changes unsaid.
            assert_eq!(
                checked.value == raw,
                checked.repairs.is_empty(),
                "{raw:?} → {checked:?}"
            );
            if let Some(token) = derive_token_url(&raw) {
                offered += 1;
                assert!(prefix.ends_with("springfield") || prefix.ends_with("sandbox"));
                let again = check_token_url(&token, Sis::InfiniteCampus);
                assert_eq!(again, ok(&token, &[]), "the token URL offered for {raw:?}");
            }
        }
        assert!(offered > 1_000, "the offer was made {offered} times");
        for repair in [
            Repair::Trimmed,
            Repair::TrailingSlash,
            Repair::CutAfterRoot,
            Repair::AddedScheme,
            Repair::LowerCased,
            Repair::StandardForm,
        ] {
            assert!(said.contains(&repair), "no input needed {repair:?}");
        }
    }

    #[test]
    fn repairing_a_generated_token_url_twice_changes_nothing() {
        let mut pick = Pick(7);
        for _ in 0..10_000 {
            let (scheme, host) = (pick.one(SCHEMES), pick.one(HOSTS));
            let raw = [
                pick.one(AROUND),
                scheme,
                host,
                pick.one(&["/campus", "", "/sandbox/campus", "/Campus"]),
                pick.one(&["/oauth2/token", "/OAuth2/Token"]),
                pick.one(&["", "/", "//"]),
                pick.one(&[
                    "?appName=springfield",
                    "?appName=a&scope=x",
                    "?appName=Sandbox",
                ]),
                pick.one(AROUND),
            ]
            .concat();
            let checked = match check_token_url(&raw, Sis::InfiniteCampus) {
                Ok(checked) => checked,
                Err(problem) => {
                    assert_eq!(problem, Problem::NotHttps, "{raw:?}");
                    continue;
                }
            };
            assert_eq!(
                check_token_url(&checked.value, Sis::InfiniteCampus),
                ok(&checked.value, &[]),
                "{raw:?}"
            );
            assert_eq!(
                checked.value == raw,
                checked.repairs.is_empty(),
                "{raw:?} → {checked:?}"
            );
        }
    }

    /// The same properties under proptest (natively only: its random source has no wasm
    /// back end), from any text and from pasted-looking parts with arbitrary hosts, paths
    /// and junk around them: nothing panics, and a repaired URL is already what a second
    /// repair gives. `PROPTEST_CASES` cases (256 by default; the README's "Fuzzing"
    /// section has the longer runs).
    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};

        fn config() -> Config {
            let cases = std::env::var("PROPTEST_CASES")
                .ok()
                .and_then(|cases| cases.parse().ok())
                .unwrap_or(256);
            Config::with_cases(cases)
        }

        fn pick(choices: &'static [&'static str]) -> impl Strategy<Value = String> {
            proptest::sample::select(choices).prop_map(str::to_owned)
        }

        /// Text an administrator might paste: known parts, arbitrary hosts and paths, junk.
        fn pasted() -> impl Strategy<Value = String> {
            let host = prop_oneof![
                4 => pick(HOSTS),
                2 => "[a-zA-Z0-9-]{1,12}(\\.[a-zA-Z0-9-]{1,12}){0,3}(:[0-9]{1,5})?",
                1 => "\\[[0-9a-fA-F:.]{2,20}\\](:[0-9]{1,5})?",
                1 => "[^/?#]{0,12}",
            ];
            let path = prop_oneof![3 => pick(PREFIXES), 1 => "(/[a-zA-Z0-9._%~-]{0,8}){0,4}"];
            let root = prop_oneof![
                6 => pick(ROOTS),
                1 => Just("/oauth2/token".to_owned()),
                1 => Just("/ims/oneroster/v1p1".to_owned()),
                1 => Just(String::new()),
            ];
            let tail = prop_oneof![3 => pick(TAILS), 1 => "[/?#&=a-zA-Z0-9%'. -]{0,16}"];
            let query = prop_oneof![
                3 => pick(QUERIES),
                1 => Just("?appName=springfield".to_owned()),
                1 => "\\?[ -~]{0,16}",
            ];
            let around = prop_oneof![
                6 => pick(AROUND),
                1 => "\\PC{0,3}",
                1 => "[\\s\\u{200b}\\u{feff}]{0,3}",
            ];
            (
                around.clone(),
                prop_oneof![4 => pick(SCHEMES), 1 => "[a-zA-Z]{0,6}:/{0,3}"],
                host,
                path,
                root,
                tail,
                query,
                pick(FRAGMENTS),
                around,
            )
                .prop_map(|parts| {
                    let (a, scheme, host, path, root, tail, query, fragment, z) = parts;
                    [a, scheme, host, path, root, tail, query, fragment, z].concat()
                })
        }

        fn text() -> impl Strategy<Value = String> {
            prop_oneof![3 => pasted(), 1 => any::<String>()]
        }

        #[test]
        fn a_repaired_base_url_needs_no_second_repair() {
            use std::sync::atomic::{AtomicU32, Ordering};
            let accepted = AtomicU32::new(0);
            TestRunner::new(config())
                .run(&text(), |raw| {
                    if let Ok(checked) = check_base_url(&raw) {
                        accepted.fetch_add(1, Ordering::Relaxed);
                        prop_assert!(checked.value.ends_with(ROSTERING_ROOT), "{:?}", raw);
                        prop_assert_eq!(
                            check_base_url(&checked.value),
                            ok(&checked.value, &[]),
                            "repairing {:?} again",
                            raw
                        );
                        prop_assert_eq!(checked.value == raw, checked.repairs.is_empty());
                    }
                    if let Some(token) = derive_token_url(&raw) {
                        prop_assert_eq!(
                            check_token_url(&token, Sis::InfiniteCampus),
                            ok(&token, &[]),
                            "{:?}",
                            raw
                        );
                    }
                    Ok(())
                })
                .unwrap_or_else(|e| panic!("{e}"));
            // Not vacuous: a good share of the generated text is a base URL once repaired.
            let accepted = accepted.into_inner();
            assert!(accepted * 10 >= config().cases, "{accepted} accepted");
        }

        #[test]
        fn a_repaired_token_url_needs_no_second_repair() {
            TestRunner::new(config())
                .run(&text(), |raw| {
                    if let Ok(checked) = check_token_url(&raw, Sis::InfiniteCampus) {
                        prop_assert_eq!(
                            check_token_url(&checked.value, Sis::InfiniteCampus),
                            ok(&checked.value, &[]),
                            "repairing {:?} again",
                            raw
                        );
                        prop_assert_eq!(checked.value == raw, checked.repairs.is_empty());
                    }
                    Ok(())
                })
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
}
