//! The demo (feature `demo`): a pretend vendor's page that embeds the wizard with a script
//! tag, exactly as a vendor would, and the sandbox district nested under [`SANDBOX_PATH`].

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use sis_onboard_protocol::CreateSessionRequest;
use sis_onboard_sandbox::SandboxConfig;

use crate::AppState;
use crate::assets::ASSETS_PATH;
use crate::error::ProxyError;
use crate::routes::sessions::{hash_token, open_session, unix_now};

/// The cookie the demo vendor keeps its session token in, so a reload resumes the same
/// onboarding (a vendor's backend would keep it with its customer's record).
const SESSION_COOKIE: &str = "sis_demo_session";

/// Where the sandbox district is nested.
pub const SANDBOX_PATH: &str = "/sandbox";
/// The demo vendor's customer: the only tenant whose session the demo page resumes.
const DEMO_TENANT: &str = "demo-district";
/// The pretend vendor's name, shown by the wizard.
pub const DEMO_VENDOR: &str = "Acme Learning";

/// The Content-Security-Policy the demo page is served with: the strictest a vendor may use.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
                       style-src 'self'; connect-src 'self'; img-src 'self' data:; \
                       base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The page, with `{{ASSETS}}`, `{{VENDOR}}`, `{{SESSION}}` and `{{SESSION_SHORT}}` to fill.
const PAGE: &str = include_str!("demo_page.html");
/// The page's controls and event log, served at `/demo.js`.
const PAGE_SCRIPT: &str = include_str!("demo.js");
/// The page's look, served at `/demo.css`.
const PAGE_STYLES: &str = include_str!("demo.css");
/// How many characters of the session token the integration code shows.
const SHORT_TOKEN_CHARS: usize = 8;

/// The demo vendor page at `/`, its script and stylesheet, and the sandbox under
/// [`SANDBOX_PATH`].
pub fn router(state: AppState, sandbox: SandboxConfig) -> Router {
    Router::new()
        .route("/", get(vendor_page))
        .merge(page_files())
        .with_state(state)
        .nest(SANDBOX_PATH, sis_onboard_sandbox::router(sandbox))
}

/// The page's script and stylesheet, files of their own: the CSP allows nothing inline.
fn page_files<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/demo.js",
            get(|| async { page_file("text/javascript; charset=utf-8", PAGE_SCRIPT) }),
        )
        .route(
            "/demo.css",
            get(|| async { page_file("text/css; charset=utf-8", PAGE_STYLES) }),
        )
}

/// One of the page's files, with its type.
fn page_file(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            // Revalidated, so an edited demo shows on the next reload.
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// The demo page with its session token (and the token's short form, for the code shown).
fn render_page(token: &str) -> String {
    PAGE.replace("{{ASSETS}}", ASSETS_PATH)
        .replace("{{VENDOR}}", &escape_html(DEMO_VENDOR))
        .replace("{{SESSION_SHORT}}", &escape_html(&shortened(token)))
        .replace("{{SESSION}}", &escape_html(token))
}

/// Enough of a session token to recognise it in the integration code, as demo.js shortens it.
fn shortened(token: &str) -> String {
    if token.chars().count() > SHORT_TOKEN_CHARS {
        let head: String = token.chars().take(SHORT_TOKEN_CHARS).collect();
        format!("{head}…")
    } else {
        token.to_owned()
    }
}

/// Escapes text for an HTML attribute or element body.
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// `/?new` starts over with a new session.
#[derive(serde::Deserialize)]
struct PageQuery {
    new: Option<String>,
}

/// The session token in the demo's cookie, if it names a session that is still live.
async fn live_cookie_session(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(&format!("{SESSION_COOKIE}=")))?
        .to_owned();
    let session = state
        .store
        .session_by_token_hash(&hash_token(&token))
        .await
        .ok()??;
    // Resume only the demo's own customer, with a few minutes left to finish.
    (session.tenant_id == DEMO_TENANT && session.expires_at > unix_now() + 300).then_some(token)
}

async fn vendor_page(
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, ProxyError> {
    let resumed = match query.new {
        Some(_) => None,
        None => live_cookie_session(&state, &headers).await,
    };
    let token = match resumed {
        Some(token) => token,
        None => open_demo_session(&state, &headers).await?,
    };
    let mut response = Html(render_page(&token)).into_response();
    let response_headers = response.headers_mut();
    response_headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(cookie) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
    )) {
        response_headers.insert(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// The vendor's backend opens a session for the customer before rendering the page.
async fn open_demo_session(state: &AppState, headers: &HeaderMap) -> Result<String, ProxyError> {
    let origin = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|host| format!("http://{host}"));
    let session = open_session(
        state,
        CreateSessionRequest {
            tenant_id: DEMO_TENANT.into(),
            display_name: DEMO_VENDOR.into(),
            allowed_origins: origin.into_iter().collect(),
            support_contact: Some("support@acme-learning.example".into()),
            // Everything the deployment has: all regions, the whole catalog, both strategies.
            regions: vec![],
            sources: vec![],
            strategies: vec![],
            extract_name_prefix: None,
        },
    )
    .await?;
    Ok(session.session_token)
}

#[cfg(test)]
mod tests {
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    use super::*;

    /// A tag of the page: its lower-case name and its attributes (lower-case names).
    struct Tag {
        name: String,
        attributes: Vec<(String, String)>,
        /// Where the text after the tag's `>` starts.
        end: usize,
    }

    /// The start tags of `html`, comments, end tags and the doctype skipped. Enough HTML
    /// for the demo page's own markup, which quotes every attribute value.
    fn start_tags(html: &str) -> Vec<Tag> {
        let mut tags = Vec::new();
        let mut rest = 0;
        while let Some(found) = html[rest..].find('<') {
            let start = rest + found + 1;
            if html[start..].starts_with("!--") {
                let close = html[start..].find("-->").expect("an unclosed comment");
                rest = start + close + 3;
                continue;
            }
            let close = start + html[start..].find('>').expect("an unclosed tag");
            rest = close + 1;
            let inside = &html[start..close];
            if inside.starts_with('/') || inside.starts_with('!') {
                continue;
            }
            let name_end = inside
                .find(|c: char| c.is_whitespace() || c == '/')
                .unwrap_or(inside.len());
            tags.push(Tag {
                name: inside[..name_end].to_ascii_lowercase(),
                attributes: attributes(&inside[name_end..]),
                end: rest,
            });
        }
        tags
    }

    /// The attributes in the part of a start tag after its name.
    fn attributes(mut text: &str) -> Vec<(String, String)> {
        let mut found = Vec::new();
        loop {
            text = text.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
            if text.is_empty() {
                return found;
            }
            let name_end = text
                .find(|c: char| c.is_whitespace() || c == '=' || c == '/')
                .unwrap_or(text.len());
            let name = text[..name_end].to_ascii_lowercase();
            text = &text[name_end..];
            let mut value = String::new();
            if let Some(after) = text.trim_start().strip_prefix('=') {
                let after = after.trim_start();
                let quote = after.chars().next().expect("a value after =");
                assert!(quote == '"' || quote == '\'', "unquoted value of {name}");
                let close = after[1..].find(quote).expect("an unclosed value");
                value = after[1..=close].to_owned();
                text = &after[close + 2..];
            }
            found.push((name, value));
        }
    }

    fn attribute<'a>(tag: &'a Tag, name: &str) -> Option<&'a str> {
        tag.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A URL of the page's own origin: a path, not `//host` nor `scheme:`.
    fn is_same_origin(url: &str) -> bool {
        url.starts_with('/') && !url.starts_with("//")
    }

    #[test]
    fn the_page_loads_only_its_own_scripts_and_styles_and_has_nothing_inline() {
        let page = render_page("sos_0123456789abcdef");
        let tags = start_tags(&page);
        let scripts: Vec<&Tag> = tags.iter().filter(|t| t.name == "script").collect();
        assert_eq!(scripts.len(), 2, "the demo's script and the wizard's");
        for script in &scripts {
            let src = attribute(script, "src").expect("a script without src is inline");
            assert!(is_same_origin(src), "script from elsewhere: {src}");
            assert!(
                page[script.end..].starts_with("</script>"),
                "a script with a body: {src}"
            );
        }
        assert!(
            scripts
                .iter()
                .any(|s| attribute(s, "src") == Some("/demo.js"))
        );
        assert!(
            scripts
                .iter()
                .any(|s| attribute(s, "src") == Some("/sis-onboard/sis-onboard.js"))
        );

        let stylesheets: Vec<&Tag> = tags
            .iter()
            .filter(|t| t.name == "link" && attribute(t, "rel") == Some("stylesheet"))
            .collect();
        assert_eq!(stylesheets.len(), 1);
        assert_eq!(attribute(stylesheets[0], "href"), Some("/demo.css"));

        assert!(!tags.iter().any(|t| t.name == "style"), "a <style> element");
        for tag in &tags {
            for (name, value) in &tag.attributes {
                assert_ne!(name, "style", "a style attribute on <{}>", tag.name);
                assert!(
                    !name.starts_with("on"),
                    "an event handler attribute {name} on <{}>",
                    tag.name
                );
                assert!(
                    !value
                        .trim_start()
                        .to_ascii_lowercase()
                        .starts_with("javascript:"),
                    "a javascript: URL on <{}>",
                    tag.name
                );
            }
        }
    }

    #[test]
    fn the_page_embeds_the_wizard_with_the_session_and_shows_the_code_as_text() {
        let page = render_page("sos_0123456789abcdef");
        let tags = start_tags(&page);
        let wizards: Vec<&Tag> = tags.iter().filter(|t| t.name == "sis-onboard").collect();
        assert_eq!(wizards.len(), 1, "one live wizard; the code shown is text");
        assert_eq!(attribute(wizards[0], "id"), Some("onboarding"));
        assert_eq!(
            attribute(wizards[0], "session"),
            Some("sos_0123456789abcdef")
        );
        assert_eq!(attribute(wizards[0], "api"), Some("/"));
        assert!(page.contains(
            "&lt;sis-onboard session=&quot;sos_0123…&quot; api=&quot;/&quot;&gt;&lt;/sis-onboard&gt;"
        ));
        assert!(page.contains(r#"href="/?new""#));
        for test_id in [
            "integration-code",
            "theme-switch",
            "lang-switch",
            "event-log",
        ] {
            assert!(
                tags.iter()
                    .any(|t| attribute(t, "data-testid") == Some(test_id)),
                "no data-testid={test_id}"
            );
        }
        let log = tags
            .iter()
            .find(|t| attribute(t, "data-testid") == Some("event-log"))
            .expect("the event log");
        assert_eq!(attribute(log, "aria-live"), Some("polite"));
        assert!(!page.contains("{{"), "a placeholder left unfilled");
    }

    #[test]
    fn the_switches_offer_the_documented_values() {
        let page = render_page("sos_x");
        let values = |test_id: &str| -> Vec<String> {
            let tags = start_tags(&page);
            let select = tags
                .iter()
                .position(|t| attribute(t, "data-testid") == Some(test_id))
                .expect("the switch");
            let close = select
                + tags[select..]
                    .iter()
                    .position(|t| t.name != "select" && t.name != "option")
                    .expect("something after the switch");
            tags[select..close]
                .iter()
                .filter_map(|t| attribute(t, "value").map(str::to_owned))
                .collect()
        };
        assert_eq!(values("theme-switch"), ["auto", "light", "dark"]);
        assert_eq!(values("lang-switch"), ["en", "es"]);
    }

    #[test]
    fn short_tokens_are_shown_whole_and_long_ones_shortened() {
        assert_eq!(shortened("sos_0123456789"), "sos_0123…");
        assert_eq!(shortened("sos_0123"), "sos_0123");
    }

    #[tokio::test]
    async fn the_page_script_and_stylesheet_are_served_with_their_types() {
        for (path, content_type, body) in [
            ("/demo.js", "text/javascript; charset=utf-8", PAGE_SCRIPT),
            ("/demo.css", "text/css; charset=utf-8", PAGE_STYLES),
        ] {
            let response = page_files::<()>()
                .oneshot(Request::get(path).body(Body::empty()).expect("a request"))
                .await
                .expect("an answer");
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(response.headers()[header::CONTENT_TYPE], content_type);
            let bytes = to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("a body");
            assert_eq!(bytes, body.as_bytes());
        }
    }

    #[test]
    fn html_escaping_neutralises_markup() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
