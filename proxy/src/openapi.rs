//! The OpenAPI 3.1 document of the whole HTTP API, generated from the handlers and the wire
//! types, served at [`OPENAPI_PATH`] and checked in as `proxy/openapi.json` (a test keeps
//! the two equal; `cargo xtask openapi` rewrites the file).

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::AppState;
use crate::routes::{complete, connections, extracts, health, sessions, validate};

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
        validate::validate,
        extracts::catalog,
        complete::complete,
        connections::list,
        connections::read,
        connections::credentials,
        connections::revoke,
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "vendor", description = "Called by the vendor's backend with an API key"),
        (name = "wizard", description = "Called by the wizard in the browser with a session token; \
            CORS-checked against the session's allowed origins"),
        (name = "health", description = "For load balancers"),
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
            bearer("One of the proxy's configured vendor API keys (`SIS_ONBOARD_API_KEYS`)."),
        );
        components.add_security_scheme(
            "session_token",
            bearer("The `session_token` of `POST /v1/sessions`, as the wizard was given it."),
        );
    }
}

/// The document as pretty-printed JSON, ending in a newline, exactly as checked in.
pub fn document_json() -> String {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
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
    use sis_onboard_protocol as protocol;

    #[test]
    fn the_checked_in_document_is_the_served_one() {
        let checked_in = include_str!("../openapi.json");
        assert!(
            checked_in == document_json(),
            "proxy/openapi.json is out of date: run `cargo xtask openapi` and commit it"
        );
    }

    #[test]
    fn the_document_names_every_route_the_router_serves() {
        let document: serde_json::Value =
            serde_json::from_str(&document_json()).unwrap_or_default();
        let paths = document["paths"].as_object().cloned().unwrap_or_default();
        let id = format!("{}/{{id}}", protocol::CONNECTIONS_PATH);
        let credentials = format!("{id}/credentials");
        for path in [
            protocol::HEALTH_PATH,
            protocol::SESSIONS_PATH,
            protocol::SESSION_PATH,
            protocol::VALIDATE_PATH,
            protocol::EXTRACTS_PATH,
            protocol::COMPLETE_PATH,
            protocol::CONNECTIONS_PATH,
            &id,
            &credentials,
        ] {
            assert!(paths.contains_key(path), "{path} is not documented");
        }
        assert_eq!(
            paths.len(),
            9,
            "a documented path the router does not serve"
        );
        let codes = &document["components"]["schemas"]["ValidationErrorCode"];
        assert!(
            codes.to_string().contains("forbidden_destination"),
            "{codes}"
        );
    }
}
