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

/// The demo vendor page at `/` and the sandbox under [`SANDBOX_PATH`].
pub fn router(state: AppState, sandbox: SandboxConfig) -> Router {
    Router::new()
        .route("/", get(vendor_page))
        .with_state(state)
        .nest(SANDBOX_PATH, sis_onboard_sandbox::router(sandbox))
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
    let page = include_str!("demo_page.html")
        .replace("{{ASSETS}}", ASSETS_PATH)
        .replace("{{VENDOR}}", &escape_html(DEMO_VENDOR))
        .replace("{{SESSION}}", &escape_html(&token));
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
    use super::*;

    #[test]
    fn html_escaping_neutralises_markup() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
