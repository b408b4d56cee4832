//! Checks and repairs of the two URLs the administrator pastes, before anything is sent.
//!
//! Pure string logic (no `url` crate: it would cost the bundle ~69 KB gzip), tested natively.
//! The proxy checks everything again; this only catches, early and in plain words, the
//! mistakes people make when copying from Infinite Campus.

/// The OneRoster 1.2 rostering root every base URL ends in.
pub const ROSTERING_ROOT: &str = "/ims/oneroster/rostering/v1p2";
/// The path Infinite Campus's token endpoint ends in.
const TOKEN_PATH: &str = "/campus/oauth2/token";

/// Something the wizard fixed in a pasted value, and says it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repair {
    /// Spaces, line breaks or invisible characters around the value were removed.
    Trimmed,
    /// A trailing `/` was removed.
    TrailingSlash,
    /// Everything after `…/rostering/v1p2` (a deeper link) was removed.
    CutAfterRoot,
}

/// Why a pasted URL cannot be used as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Nothing was entered.
    Empty,
    /// Not a web address at all.
    NotUrl,
    /// `http://` (or another scheme) instead of `https://`.
    NotHttps,
    /// A OneRoster 1.1 address: the connection must be generated as OneRoster 1.2.
    OneRoster11,
    /// The token URL was pasted into the base-URL field.
    TokenUrlInBaseField,
    /// The base URL was pasted into the token-URL field.
    BaseUrlInTokenField,
    /// The base URL does not end in `/ims/oneroster/rostering/v1p2`.
    NotRosteringRoot,
    /// The token URL is not `…/oauth2/token…`.
    NotTokenUrl,
    /// The token URL lacks `?appName=…`, which Infinite Campus always includes.
    MissingAppName,
}

/// A URL that passed the checks, with what was repaired on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The value to send.
    pub value: String,
    /// What was changed, in order.
    pub repairs: Vec<Repair>,
}

/// The parts of `scheme://authority/path?query` that the checks need.
struct Parts<'a> {
    scheme: &'a str,
    host: &'a str,
    path: &'a str,
    query: &'a str,
}

fn split(url: &str) -> Option<Parts<'_>> {
    let at = url.find("://")?;
    let (scheme, rest) = (&url[..at], &url[at + 3..]);
    let (before_fragment, _) = rest.split_once('#').unwrap_or((rest, ""));
    let (authority_path, query) = before_fragment
        .split_once('?')
        .unwrap_or((before_fragment, ""));
    let (authority, path) = match authority_path.find('/') {
        Some(at) => authority_path.split_at(at),
        None => (authority_path, ""),
    };
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.strip_prefix('[') {
        // An IPv6 literal: the host is what is between the brackets.
        Some(v6) => v6.split_once(']').map_or(v6, |(h, _)| h),
        None => host.split_once(':').map_or(host, |(h, _)| h),
    };
    let scheme_ok = !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (scheme_ok && !host.is_empty() && !host.contains(char::is_whitespace)).then_some(Parts {
        scheme,
        host,
        path,
        query,
    })
}

/// Loopback hosts, where plain http is tolerated: the demo's sandbox and local testing.
/// (The proxy decides what it may really reach.)
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host == "::1" || host.starts_with("127.")
}

/// True for characters copy and paste drags along: spaces, line breaks, zero-width ones.
fn is_junk(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}'
        )
}

/// Trims what copy and paste adds and checks the scheme: the steps both fields share.
fn common(raw: &str) -> Result<(String, Vec<Repair>), Problem> {
    let mut repairs = Vec::new();
    let trimmed = raw.trim_matches(is_junk);
    if trimmed.is_empty() {
        return Err(Problem::Empty);
    }
    if trimmed.len() != raw.len() {
        repairs.push(Repair::Trimmed);
    }
    let parts = split(trimmed).ok_or(Problem::NotUrl)?;
    if trimmed.contains(is_junk) {
        return Err(Problem::NotUrl);
    }
    let https = parts.scheme.eq_ignore_ascii_case("https");
    let local_http = parts.scheme.eq_ignore_ascii_case("http") && is_loopback(parts.host);
    if !https && !local_http {
        return Err(Problem::NotHttps);
    }
    Ok((trimmed.to_owned(), repairs))
}

fn lower_path(url: &str) -> String {
    split(url)
        .map(|p| p.path.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Checks (and repairs) the "OneRoster API URL", the connection's Base URL.
pub fn check_base_url(raw: &str) -> Result<Checked, Problem> {
    let (mut value, mut repairs) = common(raw)?;
    let path = lower_path(&value);
    if path.contains("/oauth2/token") {
        return Err(Problem::TokenUrlInBaseField);
    }
    if path.contains("/v1p1") {
        return Err(Problem::OneRoster11);
    }
    if value.contains(['?', '#']) {
        // A base URL has no query; one here means something else was pasted.
        return Err(Problem::NotRosteringRoot);
    }
    if value.ends_with('/') {
        value = value.trim_end_matches('/').to_owned();
        repairs.push(Repair::TrailingSlash);
    }
    let path = lower_path(&value);
    // The root must be whole path segments: `…/v1p2` or `…/v1p2/…`, never `…/v1p20`.
    let (mut root_at, mut from) = (None, 0);
    while let Some(found) = path[from..].find(ROSTERING_ROOT) {
        let at = from + found;
        if matches!(
            path.as_bytes().get(at + ROSTERING_ROOT.len()),
            None | Some(b'/')
        ) {
            root_at = Some(at);
            break;
        }
        // Past the root's leading `/`, a character boundary.
        from = at + 1;
    }
    match root_at {
        Some(at) if at + ROSTERING_ROOT.len() == path.len() => {}
        Some(at) => {
            // A link to a collection (…/v1p2/orgs): keep the root.
            let cut = value.len() - (path.len() - at - ROSTERING_ROOT.len());
            value.truncate(cut);
            repairs.push(Repair::CutAfterRoot);
        }
        None => return Err(Problem::NotRosteringRoot),
    }
    Ok(Checked { value, repairs })
}

/// Checks (and repairs) the "Token Endpoint", the connection's Token URL.
pub fn check_token_url(raw: &str) -> Result<Checked, Problem> {
    let (mut value, mut repairs) = common(raw)?;
    let path = lower_path(&value);
    if path.contains("/ims/oneroster") {
        return Err(if path.contains("/v1p1") {
            Problem::OneRoster11
        } else {
            Problem::BaseUrlInTokenField
        });
    }
    if value.ends_with('/') {
        value = value.trim_end_matches('/').to_owned();
        repairs.push(Repair::TrailingSlash);
    }
    let parts = split(&value).ok_or(Problem::NotUrl)?;
    if !parts
        .path
        .trim_end_matches('/')
        .to_ascii_lowercase()
        .ends_with("/oauth2/token")
    {
        return Err(Problem::NotTokenUrl);
    }
    let has_app = parts
        .query
        .split('&')
        .any(|pair| pair.strip_prefix("appName=").is_some_and(|v| !v.is_empty()));
    let token_path = parts.path.trim_end_matches('/').to_ascii_lowercase();
    if token_path.ends_with(TOKEN_PATH) && !has_app {
        return Err(Problem::MissingAppName);
    }
    if let Some(at) = value.find("/?") {
        value.remove(at);
        repairs.push(Repair::TrailingSlash);
    }
    Ok(Checked { value, repairs })
}

/// The token URL that belongs to a base URL, when the base URL names its app:
/// `https://H/campus/api/oneroster/v1p2/APP/ims/oneroster/rostering/v1p2` →
/// `https://H/campus/oauth2/token?appName=APP`. Offered to the administrator, never forced.
pub fn derive_token_url(base: &str) -> Option<String> {
    let checked = check_base_url(base).ok()?;
    let parts = split(&checked.value)?;
    const APP_SCOPED: &str = "/campus/api/oneroster/v1p2/";
    // Anything before `/campus` (a reverse proxy's prefix) is kept.
    let at = parts.path.find(APP_SCOPED)?;
    let app = parts.path[at + APP_SCOPED.len()..].strip_suffix(ROSTERING_ROOT)?;
    if app.is_empty() || app.contains('/') {
        return None;
    }
    let origin_end = checked.value.len() - parts.path.len();
    Some(
        [
            &checked.value[..origin_end],
            &parts.path[..at],
            "/campus/oauth2/token?appName=",
            app,
        ]
        .concat(),
    )
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
            check_token_url(&format!("\t{token} ")),
            ok(&token, &[Repair::Trimmed])
        );
        assert_eq!(
            check_token_url(&format!("{HOST}/campus/oauth2/token/?appName=springfield")),
            ok(&token, &[Repair::TrailingSlash])
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
            check_token_url("ftp://x.org/campus/oauth2/token?appName=a"),
            Err(Problem::NotHttps)
        );
        let local = "http://127.0.0.1:8080/sandbox/campus/api/ims/oneroster/rostering/v1p2";
        assert_eq!(check_base_url(local), ok(local, &[]));
    }

    #[test]
    fn swapped_fields_are_spotted() {
        let token = format!("{HOST}/campus/oauth2/token?appName=springfield");
        let base = format!("{HOST}/campus/api/ims/oneroster/rostering/v1p2");
        assert_eq!(check_base_url(&token), Err(Problem::TokenUrlInBaseField));
        assert_eq!(check_token_url(&base), Err(Problem::BaseUrlInTokenField));
    }

    #[test]
    fn oneroster_11_is_told_apart() {
        assert_eq!(
            check_base_url(&format!("{HOST}/campus/api/ims/oneroster/v1p1")),
            Err(Problem::OneRoster11)
        );
        assert_eq!(
            check_token_url(&format!("{HOST}/campus/api/ims/oneroster/v1p1")),
            Err(Problem::OneRoster11)
        );
    }

    #[test]
    fn other_mistakes_have_their_own_problem() {
        assert_eq!(check_base_url("   "), Err(Problem::Empty));
        assert_eq!(
            check_base_url("springfield.infinitecampus.org"),
            Err(Problem::NotUrl)
        );
        assert_eq!(check_base_url("https://a b.org/x"), Err(Problem::NotUrl));
        assert_eq!(check_base_url(HOST), Err(Problem::NotRosteringRoot));
        assert_eq!(
            check_token_url(&format!("{HOST}/campus/oauth2/token")),
            Err(Problem::MissingAppName)
        );
        assert_eq!(
            check_token_url(&format!("{HOST}/login")),
            Err(Problem::NotTokenUrl)
        );
    }

    #[test]
    fn unicode_hosts_are_kept_as_typed() {
        let base = "https://distrïct.example/ims/oneroster/rostering/v1p2";
        assert_eq!(check_base_url(base), ok(base, &[]));
        let token = "https://distrïct.example/oauth2/token";
        assert_eq!(check_token_url(token), ok(token, &[]));
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
        assert_eq!(derive_token_url("not a url"), None);
        assert_eq!(
            derive_token_url(
                "http://127.0.0.1:9/sandbox/campus/api/oneroster/v1p2/sandbox/ims/oneroster/rostering/v1p2"
            ),
            Some("http://127.0.0.1:9/sandbox/campus/oauth2/token?appName=sandbox".into())
        );
    }
}
