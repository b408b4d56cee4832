//! Serves the wizard's built assets (the output of `trunk build`) under [`ASSETS_PATH`].

use std::path::Path;

use axum::Router;
use axum::http::{HeaderValue, header};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Where the wizard's files are served: the script tag points at `/sis-onboard/sis-onboard.js`.
pub const ASSETS_PATH: &str = "/sis-onboard";

/// A router serving the files of `dir` under [`ASSETS_PATH`].
pub fn router<S: Clone + Send + Sync + 'static>(dir: &Path) -> Router<S> {
    Router::new().nest_service(
        ASSETS_PATH,
        tower::ServiceBuilder::new()
            // The wizard may be embedded from another origin (the vendor's app).
            .layer(SetResponseHeaderLayer::overriding(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .service(ServeDir::new(dir)),
    )
}
