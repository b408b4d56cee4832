//! The OpenAPI 3.1 document of the whole HTTP API, generated from the handlers and the wire
//! types, served at [`OPENAPI_PATH`] and checked in as `proxy/openapi.json` (a test keeps
//! the two equal; `cargo xtask openapi` rewrites the file).

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use sis_onboard_protocol::WebhookEventType;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::AppState;
use crate::routes::{
    complete, connections, extracts, health, sessions, sources, validate, webhooks,
};

/// Where the proxy serves its OpenAPI document.
pub const OPENAPI_PATH: &str = "/v1/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "sis-onboard proxy",
        description = "Onboarding sessions for the vendor's backend, credential validation and \
            completion for the wizard, and the stored connections for the vendor's sync worker. \
            Vendor endpoints take an API key, wizard endpoints a session token, both as \
            `Authorization: Bearer`. Every error is an `ApiError` with a stable `code`.",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(
        health::health,
        sessions::create_session,
        sessions::read_session,
        sources::catalog,
        validate::validate,
        extracts::catalog,
        complete::complete,
        connections::list,
        connections::read,
        connections::credentials,
        connections::revoke,
        webhooks::list,
        webhooks::read,
        webhooks::retry,
        webhooks::test,
    ),
    components(schemas(sis_onboard_protocol::WebhookPayload)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "vendor", description = "Called by the vendor's backend with an API key"),
        (name = "wizard", description = "Called by the wizard in the browser with a session token; \
            CORS-checked against the session's allowed origins"),
        (name = "health", description = "For load balancers"),
        (name = "webhooks", description = "What the proxy POSTs to the vendor's webhook endpoints (the `webhooks` section)"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let bearer = |description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(description))
                    .build(),
            )
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            bearer(
                "One of the proxy's vendor API keys (`SIS_ONBOARD_API_KEYS`, \
                 `SIS_ONBOARD_API_KEYS_FILE`). Each operation lists the scope its key needs \
                 (`sessions:write`, `connections:read`, `credentials:read`, \
                 `connections:write`); a key bound to tenants acts only for them \
                 (docs/security.md, \"API keys\").",
            ),
        );
        components.add_security_scheme(
            "session_token",
            bearer("The `session_token` of `POST /v1/sessions`, as the wizard was given it."),
        );
    }
}

/// What the vendor's endpoint receives for each event type (OpenAPI 3.1 `webhooks`, which
/// utoipa 5 does not generate): a signed POST of a `WebhookPayload`.
fn webhooks_section() -> serde_json::Value {
    use serde_json::json;
    let header = |name: &str, description: &str| {
        json!({ "name": name, "in": "header", "required": true,
                "schema": { "type": "string" }, "description": description })
    };
    let parameters = json!([
        header(
            "webhook-id",
            "The event's id (`msg_…`), the same on every attempt: drop one you have already processed."
        ),
        header(
            "webhook-timestamp",
            "When this attempt was sent, in seconds since the Unix epoch; refuse one far from your clock."
        ),
        header(
            "webhook-signature",
            "`v1,<base64 HMAC-SHA256 of \"{webhook-id}.{webhook-timestamp}.{body}\">` under each signing secret, space-separated (two during a rotation). Verify with a Standard Webhooks library (docs/webhooks.md)."
        ),
    ]);
    let events: serde_json::Map<String, serde_json::Value> = WebhookEventType::ALL
        .into_iter()
        .map(|event| {
            let operation = json!({
                "post": {
                    "tags": ["webhooks"],
                    "summary": event.description(),
                    "description": "Signed by the Standard Webhooks specification. Answer 2xx within the timeout; anything else is retried with backoff for up to 3 days, with the same `webhook-id`.",
                    "parameters": parameters,
                    "requestBody": { "required": true, "content": { "application/json": {
                        "schema": { "$ref": "#/components/schemas/WebhookPayload" } } } },
                    "responses": { "2XX": { "description": "Received." } }
                }
            });
            (event.as_str().to_owned(), operation)
        })
        .collect();
    serde_json::Value::Object(events)
}

/// The document as pretty-printed JSON, ending in a newline, exactly as checked in.
pub fn document_json() -> String {
    let mut document = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    if let Some(fields) = document.as_object_mut() {
        fields.insert("webhooks".into(), webhooks_section());
    }
    let mut json = serde_json::to_string_pretty(&document)
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    json.push('\n');
    json
}

/// Serves the document.
pub fn router() -> Router<AppState> {
    Router::new().route(
        OPENAPI_PATH,
        get(|| async {
            (
                [(header::CONTENT_TYPE, "application/json")],
                document_json(),
            )
                .into_response()
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checked_in_document_is_the_served_one() {
        let checked_in = include_str!("../openapi.json");
        assert!(
            checked_in == document_json(),
            "proxy/openapi.json is out of date: run `cargo xtask openapi` and commit it"
        );
    }

    /// Whether `router` has a route for `method` on `path`: axum's own 404 (empty body) and
    /// 405 mean no; anything else (401, 400, a handler's JSON 404 …) means a handler ran.
    async fn is_served(router: &Router, method: &str, path: &str) -> bool {
        use axum::body::Body;
        use tower::ServiceExt;
        let request = axum::http::Request::builder()
            .method(method.to_uppercase().as_str())
            .uri(path.replace("{id}", "conn_probe"))
            .body(Body::empty())
            .unwrap_or_default();
        let Ok(response) = router.clone().oneshot(request).await;
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap_or_default();
        !(status == axum::http::StatusCode::METHOD_NOT_ALLOWED
            || (status == axum::http::StatusCode::NOT_FOUND && body.is_empty()))
    }

    #[tokio::test]
    async fn the_router_the_route_table_and_the_document_agree() {
        use crate::routes::ROUTES;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let url = format!("sqlite://{}", dir.path().join("routes.sqlite").display());
        let store = crate::Store::open(&url)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let state =
            AppState::new(crate::Config::new(Vec::new()), store).unwrap_or_else(|e| panic!("{e}"));
        let router: Router = crate::app(state);

        for (method, path) in ROUTES {
            assert!(
                is_served(&router, method, path).await,
                "{method} {path} is in routes::ROUTES but the router does not serve it"
            );
            for other in ["get", "post", "put", "patch", "delete"] {
                if !ROUTES.contains(&(other, *path)) {
                    assert!(
                        !is_served(&router, other, path).await,
                        "the router serves {other} {path}: add it to routes::ROUTES and document it"
                    );
                }
            }
        }

        let document: serde_json::Value =
            serde_json::from_str(&document_json()).unwrap_or_default();
        let mut documented: Vec<(String, String)> = document["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .flat_map(|(path, item)| {
                item.as_object()
                    .into_iter()
                    .flatten()
                    .map(move |(method, _)| (method.clone(), path.clone()))
            })
            .collect();
        documented.sort();
        // Every route but the document itself is documented.
        let mut routes: Vec<(String, String)> = ROUTES
            .iter()
            .filter(|(_, path)| *path != OPENAPI_PATH)
            .map(|(method, path)| ((*method).to_owned(), (*path).to_owned()))
            .collect();
        routes.sort();
        assert_eq!(
            documented, routes,
            "the OpenAPI document's (method, path) pairs differ from the routes the router serves"
        );
    }

    #[test]
    fn the_document_names_its_validation_codes() {
        let document: serde_json::Value =
            serde_json::from_str(&document_json()).unwrap_or_default();
        let codes = &document["components"]["schemas"]["ValidationErrorCode"];
        assert!(
            codes.to_string().contains("forbidden_destination"),
            "{codes}"
        );
    }

    /// A key of one scope, and a key of every other scope.
    fn key_pair(scope: crate::api_keys::Scope) -> (String, String) {
        let name = scope.as_str().replace(':', "-");
        (
            format!("only-{name}-4Jq8Zr2Lw6Nb1Xc9Vm3Pd"),
            format!("all-but-{name}-4Jq8Zr2Lw6Nb1Xc9Vm3Pd"),
        )
    }

    async fn status_of(router: &Router, method: &str, path: &str, key: &str) -> (u16, String) {
        use axum::body::Body;
        use tower::ServiceExt;
        let request = axum::http::Request::builder()
            .method(method.to_uppercase().as_str())
            .uri(path.replace("{id}", "conn_probe"))
            .header("authorization", format!("Bearer {key}"))
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .unwrap_or_default();
        let Ok(response) = router.clone().oneshot(request).await;
        let status = response.status().as_u16();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap_or_default();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// The scope each operation documents is the scope its handler requires: a key with only
    /// that scope gets past the key check, a key with every other scope is refused.
    #[tokio::test]
    async fn each_vendor_operation_documents_the_scope_it_requires() {
        use crate::api_keys::{ApiKey, Scope};
        let mut keys = Vec::new();
        for scope in Scope::ALL {
            let (only, all_but) = key_pair(scope);
            let others: Vec<Scope> = Scope::ALL.into_iter().filter(|s| *s != scope).collect();
            keys.push(
                ApiKey::new(&format!("only-{}", scope.as_str().replace(':', "-")), &only)
                    .unwrap_or_else(|e| panic!("{e}"))
                    .with_scopes(&[scope]),
            );
            keys.push(
                ApiKey::new(
                    &format!("but-{}", scope.as_str().replace(':', "-")),
                    &all_but,
                )
                .unwrap_or_else(|e| panic!("{e}"))
                .with_scopes(&others),
            );
        }
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let url = format!("sqlite://{}", dir.path().join("scopes.sqlite").display());
        let store = crate::Store::open(&url)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let router = crate::app(
            AppState::new(crate::Config::new(keys), store).unwrap_or_else(|e| panic!("{e}")),
        );
        let document: serde_json::Value =
            serde_json::from_str(&document_json()).unwrap_or_default();
        let mut checked = 0;
        for (path, item) in document["paths"].as_object().into_iter().flatten() {
            for (method, operation) in item.as_object().into_iter().flatten() {
                let Some(scopes) = operation["security"][0]["api_key"].as_array() else {
                    continue;
                };
                assert_eq!(scopes.len(), 1, "{method} {path} must name one scope");
                let scope = Scope::ALL
                    .into_iter()
                    .find(|s| scopes[0] == s.as_str())
                    .unwrap_or_else(|| panic!("{method} {path}: unknown scope {}", scopes[0]));
                let (only, all_but) = key_pair(scope);
                let (status, body) = status_of(&router, method, path, &only).await;
                assert!(
                    status != 401 && status != 403,
                    "{method} {path} with {scope:?}: {status} {body}"
                );
                let (status, body) = status_of(&router, method, path, &all_but).await;
                assert_eq!(status, 403, "{method} {path} without {scope:?}: {body}");
                assert!(
                    body.contains("key_scope_missing") && body.contains(scope.as_str()),
                    "{body}"
                );
                checked += 1;
            }
        }
        assert!(checked >= 5, "only {checked} vendor operations found");
    }

    #[tokio::test]
    async fn the_admin_surface_serves_only_the_admin_api() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let url = format!("sqlite://{}", dir.path().join("surfaces.sqlite").display());
        let store = crate::Store::open(&url)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let state =
            AppState::new(crate::Config::new(Vec::new()), store).unwrap_or_else(|e| panic!("{e}"));
        let public = crate::app_for(state.clone(), crate::Surface::Public);
        let admin = crate::app_for(state, crate::Surface::Admin);
        for (method, path) in crate::routes::ROUTES {
            let is_admin = path.starts_with(sis_onboard_protocol::CONNECTIONS_PATH)
                || path.starts_with("/v1/webhooks");
            let is_everywhere = *path == "/healthz" || *path == OPENAPI_PATH;
            assert_eq!(
                is_served(&public, method, path).await,
                !is_admin,
                "public {method} {path}"
            );
            assert_eq!(
                is_served(&admin, method, path).await,
                is_admin || is_everywhere,
                "admin {method} {path}"
            );
        }
    }

    #[test]
    fn the_document_describes_every_webhook_event() {
        let document: serde_json::Value =
            serde_json::from_str(&document_json()).unwrap_or_default();
        for event in WebhookEventType::ALL {
            let operation = &document["webhooks"][event.as_str()]["post"];
            assert_eq!(
                operation["requestBody"]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/WebhookPayload",
                "{}",
                event.as_str()
            );
        }
        assert!(document["components"]["schemas"]["WebhookPayload"].is_object());
        assert!(document["components"]["schemas"]["ConnectionEventData"].is_object());
    }

    #[test]
    fn path_parameters_are_in_the_path_and_the_rest_in_the_query() {
        let document: serde_json::Value =
            serde_json::from_str(&document_json()).unwrap_or_default();
        for (path, item) in document["paths"].as_object().into_iter().flatten() {
            for (method, operation) in item.as_object().into_iter().flatten() {
                for parameter in operation["parameters"].as_array().into_iter().flatten() {
                    let name = parameter["name"].as_str().unwrap_or_default();
                    let expected = if path.contains(&format!("{{{name}}}")) {
                        "path"
                    } else {
                        "query"
                    };
                    assert_eq!(parameter["in"], expected, "{method} {path} {name}");
                }
            }
        }
    }
}
