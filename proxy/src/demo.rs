//! The demo (feature `demo`): a pretend vendor's page that embeds the wizard with a script
//! tag, exactly as a vendor would (with the preload hints a vendor may add), the sandbox
//! district nested under [`SANDBOX_PATH`], the benchmark's floor page at [`FLOOR_PATH`], and
//! the vendor's webhook receiver whose deliveries the page shows ([`webhooks`]).

pub mod webhooks;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use sis_onboard_protocol::CreateSessionRequest;
use sis_onboard_sandbox::SandboxConfig;

use crate::AppState;
use crate::assets::ASSETS_PATH;
use crate::clock::unix_now;
use crate::error::ProxyError;
use crate::sessions::{hash_token, open_session};

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

/// Where the browser benchmark's floor page is served (`tests/bench/first-step.mjs`).
pub const FLOOR_PATH: &str = "/bench/floor";
/// The loader's name in the assets folder.
const LOADER: &str = "sis-onboard.js";
/// The build's list of the files a page loads (`cargo xtask build` always writes it).
const MANIFEST: &str = "sis-onboard.manifest.json";
/// The language the loader falls back to when the browser speaks none of the wizard's.
const FALLBACK_LANGUAGE: &str = "en";

/// The page, with `{{PRELOAD}}`, `{{ASSETS}}`, `{{VENDOR}}`, `{{SESSION}}` and
/// `{{SESSION_SHORT}}` to fill.
const PAGE: &str = include_str!("demo_page.html");
/// The page's controls and event log, served at `/demo.js`.
const PAGE_SCRIPT: &str = include_str!("demo.js");
/// The page's look, served at `/demo.css`.
const PAGE_STYLES: &str = include_str!("demo.css");
/// How many characters of the session token the integration code shows.
const SHORT_TOKEN_CHARS: usize = 8;

/// What the demo's pages need: the proxy's state, and the wizard's built files (if served).
#[derive(Clone)]
struct DemoState {
    app: AppState,
    assets_dir: Option<PathBuf>,
}

/// The demo vendor page at `/`, its script and stylesheet, the floor page at
/// [`FLOOR_PATH`], the sandbox under [`SANDBOX_PATH`], and the webhook receiver `hooks`
/// ([`webhooks::RECEIVER_PATH`]). `assets_dir` is the folder served under [`ASSETS_PATH`]:
/// the page's preload hints and the floor page name the files its manifest lists, so a
/// folder without a readable manifest is refused here, at startup.
pub fn router(
    state: AppState,
    sandbox: SandboxConfig,
    assets_dir: Option<&Path>,
    hooks: webhooks::DemoWebhooks,
) -> Result<Router, String> {
    if let Some(dir) = assets_dir {
        WizardFiles::find(dir)?;
    }
    let state = DemoState {
        app: state,
        assets_dir: assets_dir.map(Path::to_path_buf),
    };
    Ok(Router::new()
        .route("/", get(vendor_page))
        .route(FLOOR_PATH, get(floor_page))
        .merge(page_files())
        .merge(hooks.router())
        .with_state(state)
        .nest(SANDBOX_PATH, sis_onboard_sandbox::router(sandbox)))
}

/// The files a page loads to show the wizard besides the loader, by their names in the
/// assets folder.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct WizardFiles {
    /// The wasm-bindgen glue (a module the loader imports).
    pub glue: String,
    /// The wasm (fetched by the loader).
    pub wasm: String,
    /// The stylesheet (linked in each wizard's shadow root).
    pub css: String,
    /// Each language's strings file (the loader fetches the one it shows).
    pub strings: BTreeMap<String, String>,
}

impl WizardFiles {
    /// The files the build's manifest in `dir` lists; what is wrong when it cannot be read.
    pub fn find(dir: &Path) -> Result<Self, String> {
        let path = dir.join(MANIFEST);
        let bytes = std::fs::read(&path).map_err(|e| {
            format!(
                "cannot read {}: {e} (build the wizard first: cargo xtask build)",
                path.display()
            )
        })?;
        let files: Self = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{} is not a build's manifest: {e}", path.display()))?;
        if !files.strings.contains_key(FALLBACK_LANGUAGE) {
            return Err(format!(
                "{} lists no strings for {FALLBACK_LANGUAGE}, the loader's fallback",
                path.display()
            ));
        }
        Ok(files)
    }

    /// The strings file the loader picks on a page without `lang`: the browser's first
    /// language (its `Accept-Language`, in the order sent) the manifest has, else English.
    fn strings_for(&self, accept_language: &str) -> Option<&String> {
        accept_language
            .split(',')
            .filter_map(|tag| {
                let primary = tag.split(';').next()?.trim().split(['-', '_']).next()?;
                self.strings
                    .iter()
                    .find(|(lang, _)| lang.eq_ignore_ascii_case(primary))
                    .map(|(_, file)| file)
            })
            .next()
            .or_else(|| self.strings.get(FALLBACK_LANGUAGE))
    }
}

/// The browser's `Accept-Language`, empty without one.
fn accept_language(headers: &HeaderMap) -> &str {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The files of the wizard served from `dir`, for a page's hints; a manifest that went
/// missing since startup (a rebuild under way) is logged and the page goes without.
fn served_files(dir: Option<&Path>) -> Option<WizardFiles> {
    match WizardFiles::find(dir?) {
        Ok(files) => Some(files),
        Err(error) => {
            tracing::warn!(%error, "the wizard's manifest");
            None
        }
    }
}

/// The hints that let the browser fetch the wizard's files while it parses the page: the
/// loader and the glue as module preloads, the wasm and the strings as `fetch` preloads in
/// CORS mode (as the loader's `fetch()` asks for them, or the browser would fetch them
/// twice), the stylesheet as a style preload.
fn preload_hints(files: &WizardFiles, accept_language: &str) -> String {
    let href = |name: &str| escape_html(&format!("{ASSETS_PATH}/{name}"));
    let mut hints = vec![
        format!(r#"<link rel="modulepreload" href="{}">"#, href(LOADER)),
        format!(r#"<link rel="modulepreload" href="{}">"#, href(&files.glue)),
        format!(
            r#"<link rel="preload" href="{}" as="fetch" crossorigin>"#,
            href(&files.wasm)
        ),
    ];
    if let Some(strings) = files.strings_for(accept_language) {
        hints.push(format!(
            r#"<link rel="preload" href="{}" as="fetch" crossorigin>"#,
            href(strings)
        ));
    }
    hints.push(format!(
        r#"<link rel="preload" href="{}" as="style">"#,
        href(&files.css)
    ));
    hints.join("\n  ")
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

/// The demo page with its session token (and the token's short form, for the code shown)
/// and the preload hints for `files`, for a browser sending `accept_language`.
fn render_page(token: &str, files: Option<&WizardFiles>, accept_language: &str) -> String {
    let hints = files
        .map(|f| preload_hints(f, accept_language))
        .unwrap_or_default();
    PAGE.replace("{{PRELOAD}}", &hints)
        .replace("{{ASSETS}}", ASSETS_PATH)
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
    State(demo): State<DemoState>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, ProxyError> {
    let state = &demo.app;
    let resumed = match query.new {
        Some(_) => None,
        None => live_cookie_session(state, &headers).await,
    };
    let token = match resumed {
        Some(token) => token,
        None => open_demo_session(state, &headers).await?,
    };
    // Read on every request, so a rebuilt dist/ gets the right hints without a restart.
    let files = served_files(demo.assets_dir.as_deref());
    let page = render_page(&token, files.as_ref(), accept_language(&headers));
    let mut response = Html(page).into_response();
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

/// The inline script of the floor page: fetches `urls` in parallel, reads every body to its
/// end, then shows the heading (or what failed).
fn floor_script(urls: &[String]) -> String {
    let list = serde_json::to_string(urls).unwrap_or_else(|_| "[]".into());
    format!(
        "Promise.all({list}.map((url) => fetch(url).then((r) => {{\n\
         if (!r.ok) throw new Error(`${{r.status}} ${{url}}`);\n\
         return r.arrayBuffer();\n\
         }}))).then(() => {{\n\
         const h = document.createElement(\"h2\");\n\
         h.dataset.testid = \"floor-title\";\n\
         h.textContent = \"Every file is here\";\n\
         document.body.append(h);\n\
         }}, (error) => {{ document.body.dataset.failed = String(error); }});"
    )
}

/// The benchmark's floor page: the least any page showing the wizard must wait for. Its
/// first bytes start fetching the very files the demo page needs (the loader, the glue, the
/// wasm, the stylesheet and the browser language's strings) in parallel, from this server
/// with its encodings, then it shows a heading. 404 when no wizard is served.
async fn floor_page(State(demo): State<DemoState>, headers: HeaderMap) -> Response {
    floor_response(demo.assets_dir.as_deref(), accept_language(&headers))
}

/// The floor page for the wizard built in `dir`, with the strings the browser would get.
fn floor_response(dir: Option<&Path>, accept_language: &str) -> Response {
    let Some(dir) = dir else {
        return (axum::http::StatusCode::NOT_FOUND, "no wizard assets served").into_response();
    };
    let Some(files) = served_files(Some(dir)) else {
        return (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "the wizard's build manifest cannot be read (see the proxy's log)",
        )
            .into_response();
    };
    let mut names = vec![LOADER, &files.glue, &files.wasm, &files.css];
    if let Some(strings) = files.strings_for(accept_language) {
        names.push(strings);
    }
    let urls: Vec<String> = names.iter().map(|n| format!("{ASSETS_PATH}/{n}")).collect();
    let script = floor_script(&urls);
    // The page's one script is inline, allowed by its hash: nothing else may run.
    let csp = format!(
        "default-src 'none'; script-src 'sha256-{}'; connect-src 'self'; img-src data:; \
         base-uri 'none'",
        STANDARD.encode(Sha256::digest(script.as_bytes()))
    );
    let page = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <script>{script}</script>\n<title>Floor</title>\n<link rel=\"icon\" href=\"data:,\">\n\
         </head>\n<body></body>\n</html>\n"
    );
    let mut response = Html(page).into_response();
    if let Ok(value) = HeaderValue::from_str(&csp) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
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
            connection_id: None,
        },
        crate::api_keys::Visible::ALL,
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
        let page = render_page("sos_0123456789abcdef", Some(&files()), "en");
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
        let page = render_page("sos_0123456789abcdef", Some(&files()), "en");
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
            "webhooks",
            "webhook-status",
            "webhook-log",
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
        let hook_status = tags
            .iter()
            .find(|t| attribute(t, "data-testid") == Some("webhook-status"))
            .expect("the webhooks' status line");
        assert_eq!(attribute(hook_status, "role"), Some("status"));
        assert!(!page.contains("{{"), "a placeholder left unfilled");
    }

    #[test]
    fn the_switches_offer_the_documented_values() {
        let page = render_page("sos_x", None, "en");
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
        assert_eq!(values("lang-switch"), ["en", "es", "fr"]);
    }

    /// A build's files, as `cargo xtask build` names them.
    fn files() -> WizardFiles {
        WizardFiles {
            glue: "sis-onboard-wizard-0123456789abcdef.js".into(),
            wasm: "sis-onboard-wizard-0123456789abcdef_bg.wasm".into(),
            css: "sis-onboard-89abcdef01.css".into(),
            strings: [
                (
                    "en".to_owned(),
                    "sis-onboard-en-1111222233334444.txt".to_owned(),
                ),
                (
                    "es".to_owned(),
                    "sis-onboard-es-5555666677778888.txt".to_owned(),
                ),
                (
                    "fr".to_owned(),
                    "sis-onboard-fr-9999aaaabbbbcccc.txt".to_owned(),
                ),
            ]
            .into(),
        }
    }

    /// `files` as the build's manifest in `dir`.
    fn write_manifest(dir: &Path, files: &WizardFiles) {
        let manifest = serde_json::json!({
            "glue": files.glue,
            "wasm": files.wasm,
            "css": files.css,
            "strings": files.strings,
        });
        std::fs::write(dir.join(MANIFEST), manifest.to_string()).expect("write");
    }

    /// The real loader, before the build points it at the hashed files.
    const LOADER_SOURCE: &str = include_str!("../../js/sis-onboard.js");

    #[test]
    fn the_hints_ask_for_each_file_the_way_the_real_loader_loads_it() {
        // A module preload for the glue, which the loader imports.
        assert!(LOADER_SOURCE.contains(r#"import("./sis-onboard-wizard.js")"#));
        // `fetch` preloads in CORS mode for the wasm and the strings, which it `fetch`es
        // with no options (so in that mode, without credentials, for another origin).
        assert!(LOADER_SOURCE.contains(r#"const wasm = new URL("./sis-onboard-wizard_bg.wasm""#));
        assert!(LOADER_SOURCE.contains("fetch(wasm)"));
        assert!(LOADER_SOURCE.contains("fetch(STRINGS[lang])"));
        // A style preload for the stylesheet, which it links.
        assert!(LOADER_SOURCE.contains(r#"const stylesheet = new URL("./sis-onboard.css""#));
        assert!(LOADER_SOURCE.contains(r#"link.rel = "stylesheet""#));
        // One strings file per language of the manifest, and English the fallback of all.
        for lang in files().strings.keys() {
            assert!(
                LOADER_SOURCE.contains(&format!(r#"{lang}: new URL("./sis-onboard-{lang}.txt""#)),
                "{lang}"
            );
        }
        assert!(LOADER_SOURCE.contains(&format!(r#"return "{FALLBACK_LANGUAGE}";"#)));
    }

    #[test]
    fn the_page_hints_every_file_of_the_wizard_before_its_scripts() {
        let page = render_page("sos_0123456789abcdef", Some(&files()), "es");
        let tags = start_tags(&page);
        let links: Vec<(&str, &str, Option<&str>, Option<&str>)> = tags
            .iter()
            .filter(|t| t.name == "link")
            .map(|t| {
                (
                    attribute(t, "rel").unwrap_or_default(),
                    attribute(t, "href").unwrap_or_default(),
                    attribute(t, "as"),
                    attribute(t, "crossorigin"),
                )
            })
            .filter(|(rel, ..)| rel.ends_with("preload"))
            .collect();
        assert_eq!(
            links,
            [
                ("modulepreload", "/sis-onboard/sis-onboard.js", None, None),
                (
                    "modulepreload",
                    "/sis-onboard/sis-onboard-wizard-0123456789abcdef.js",
                    None,
                    None
                ),
                // CORS mode, as the loader's fetch() asks: else the browser fetches twice.
                (
                    "preload",
                    "/sis-onboard/sis-onboard-wizard-0123456789abcdef_bg.wasm",
                    Some("fetch"),
                    Some("")
                ),
                (
                    "preload",
                    "/sis-onboard/sis-onboard-es-5555666677778888.txt",
                    Some("fetch"),
                    Some("")
                ),
                (
                    "preload",
                    "/sis-onboard/sis-onboard-89abcdef01.css",
                    Some("style"),
                    None
                ),
            ]
        );
        let first_hint = page.find("rel=\"modulepreload\"").expect("a hint");
        let first_script = page.find("<script").expect("a script");
        assert!(
            first_hint < first_script,
            "the hints come before the scripts"
        );

        // Without a built wizard to name, the page simply has no hints.
        let bare = render_page("sos_0123456789abcdef", None, "en");
        assert!(!bare.contains("preload"));
    }

    #[test]
    fn the_files_are_the_manifests_and_without_one_the_error_says_what_to_do() {
        let dir = tempfile::tempdir().expect("a folder");
        let missing = WizardFiles::find(dir.path()).expect_err("no manifest");
        assert!(missing.contains(MANIFEST), "{missing}");
        assert!(missing.contains("cargo xtask build"), "{missing}");

        write_manifest(dir.path(), &files());
        assert_eq!(WizardFiles::find(dir.path()), Ok(files()));

        std::fs::write(dir.path().join(MANIFEST), "<!doctype html>").expect("write");
        let garbled = WizardFiles::find(dir.path()).expect_err("not JSON");
        assert!(garbled.contains("is not a build's manifest"), "{garbled}");
        std::fs::write(
            dir.path().join(MANIFEST),
            r#"{"glue": "g.js", "wasm": "w.wasm", "css": "c.css", "strings": {"es": "s.txt"}}"#,
        )
        .expect("write");
        let no_english = WizardFiles::find(dir.path()).expect_err("no fallback");
        assert!(no_english.contains("no strings for en"), "{no_english}");
    }

    #[test]
    fn the_hinted_strings_are_the_browsers_first_language_the_manifest_has() {
        let files = files();
        let hinted = |accept_language: &str| {
            files
                .strings_for(accept_language)
                .map(|f| f[..14].to_owned())
        };
        assert_eq!(
            hinted("es-MX,es;q=0.9,en;q=0.8").as_deref(),
            Some("sis-onboard-es")
        );
        assert_eq!(
            hinted("de-DE,de;q=0.9,ES;q=0.5").as_deref(),
            Some("sis-onboard-es")
        );
        for french in [
            "fr",
            "fr-CA",
            "fr-FR,fr;q=0.9",
            "fr_CA",
            "de-CH,fr-CH;q=0.8,en;q=0.5",
        ] {
            assert_eq!(
                hinted(french).as_deref(),
                Some("sis-onboard-fr"),
                "{french}"
            );
        }
        assert_eq!(hinted("de").as_deref(), Some("sis-onboard-en"));
        assert_eq!(hinted("").as_deref(), Some("sis-onboard-en"));
        // A language the manifest gains is hinted without a change here.
        let mut more = files.clone();
        more.strings
            .insert("pt".into(), "sis-onboard-pt-0.txt".into());
        assert_eq!(
            more.strings_for("pt-BR").map(String::as_str),
            Some("sis-onboard-pt-0.txt")
        );
    }

    #[test]
    fn the_floor_page_fetches_the_same_files_and_its_one_script_is_allowed_by_hash() {
        let urls: Vec<String> = ["sis-onboard.js", "g.js"]
            .iter()
            .map(|n| format!("/sis-onboard/{n}"))
            .collect();
        let script = floor_script(&urls);
        assert!(
            script
                .starts_with(r#"Promise.all(["/sis-onboard/sis-onboard.js","/sis-onboard/g.js"]"#)
        );
        assert!(script.contains("floor-title"));
    }

    #[tokio::test]
    async fn the_floor_page_is_served_for_the_built_files_under_its_csp() {
        let files = files();
        let dir = tempfile::tempdir().expect("a folder");
        write_manifest(dir.path(), &files);
        let response = floor_response(Some(dir.path()), "en");
        assert_eq!(response.status(), StatusCode::OK);
        let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("text")
            .to_owned();
        let body = to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
        let page = String::from_utf8(body.to_vec()).expect("utf-8");
        let script = &page[page.find("<script>").expect("a script") + 8
            ..page.find("</script>").expect("its end")];
        let hash = STANDARD.encode(Sha256::digest(script.as_bytes()));
        assert!(
            csp.contains(&format!("script-src 'sha256-{hash}'")),
            "{csp}"
        );
        for name in [
            LOADER,
            &files.glue,
            &files.wasm,
            &files.css,
            &files.strings["en"],
        ] {
            assert!(
                script.contains(&format!("\"/sis-onboard/{name}\"")),
                "{name}"
            );
        }
        for other in ["es", "fr"] {
            assert!(
                !script.contains(&files.strings[other]),
                "one language's strings"
            );
        }
        assert_eq!(floor_response(None, "en").status(), StatusCode::NOT_FOUND);
        std::fs::remove_file(dir.path().join(MANIFEST)).expect("remove");
        assert_eq!(
            floor_response(Some(dir.path()), "en").status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
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
