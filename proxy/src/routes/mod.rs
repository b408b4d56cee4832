//! The proxy's HTTP resources, one module each.

pub mod complete;
pub mod connections;
pub mod extracts;
pub mod health;
pub mod sessions;
pub mod sources;
pub mod validate;
pub mod webhooks;

/// Every route [`crate::app`] serves, as (method, path template), the CORS preflights
/// (`OPTIONS`) and `HEAD` (axum answers it for every `GET`) aside.
///
/// axum cannot list a router's routes, so this table is where they are written down once:
/// the OpenAPI test (`openapi::tests`) probes the real router with every entry and every
/// other method on each path, and compares the table with the document's paths and methods.
/// A route added to a module's `router()` fails that test until it is in this table and in
/// the document, and so does a new method on a listed path. The limit of probing: a route on
/// a path the table does not name at all cannot be found, so a new path goes here first.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("post", "/v1/sessions"),
    ("get", "/v1/session"),
    ("get", "/v1/sources"),
    ("post", "/v1/validate"),
    ("get", "/v1/extracts"),
    ("post", "/v1/complete"),
    ("get", "/v1/connections"),
    ("get", "/v1/connections/{id}"),
    ("delete", "/v1/connections/{id}"),
    ("get", "/v1/connections/{id}/credentials"),
    ("get", "/v1/webhooks/deliveries"),
    ("get", "/v1/webhooks/deliveries/{id}"),
    ("post", "/v1/webhooks/deliveries/{id}/retry"),
    ("post", "/v1/webhooks/endpoints/{id}/test"),
    ("get", crate::openapi::OPENAPI_PATH),
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    /// The rule of STYLE.md's layout: a route module parses, calls the domain and maps the
    /// result; what two routes share lives in a domain module, never in another route.
    #[test]
    fn no_route_module_imports_another() {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/src/routes");
        let mut checked = 0;
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name == "mod.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines() {
                assert!(
                    !line.contains("routes::") && !line.contains("super::"),
                    "routes/{name} reaches into another route module: {line}"
                );
            }
            checked += 1;
        }
        assert!(checked >= 6, "only {checked} route modules found");
    }
}
