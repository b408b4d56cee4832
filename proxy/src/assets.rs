//! Serves the wizard's built assets (the output of `cargo xtask build`) under
//! [`ASSETS_PATH`]: content-hashed files may be cached forever, the stable loader and the
//! other files are revalidated on every load; each file goes out as its brotli or gzip copy
//! when the browser accepts one.

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Where the wizard's files are served: the script tag points at `/sis-onboard/sis-onboard.js`.
pub const ASSETS_PATH: &str = "/sis-onboard";

/// True for a file name with a content hash (from `cargo xtask build`), 8 to 16 hex digits
/// (`sis-onboard-wizard-<hash>.js`, `…-<hash>_bg.wasm`, `sis-onboard-<hash>.css`, the strings
/// `sis-onboard-en-<hash>.txt`): its content never changes.
pub fn is_content_hashed(name: &str) -> bool {
    let stem = name
        .strip_suffix("_bg.wasm")
        .or_else(|| name.strip_suffix(".js"))
        .or_else(|| name.strip_suffix(".css"))
        .or_else(|| name.strip_suffix(".txt"));
    stem.and_then(|s| s.rsplit_once('-'))
        .is_some_and(|(_, hash)| {
            (8..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
        })
}

async fn cache_control(request: Request, next: Next) -> Response {
    let name = request.uri().path().rsplit('/').next().unwrap_or_default();
    let policy = if is_content_hashed(name) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = next.run(request).await;
    if response.status().is_success() {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// A router serving the files of `dir` under [`ASSETS_PATH`].
pub fn router<S: Clone + Send + Sync + 'static>(dir: &Path) -> Router<S> {
    Router::new()
        .nest_service(
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
                // A file and its encoding differ by request, so shared caches must key on it.
                .layer(SetResponseHeaderLayer::overriding(
                    header::VARY,
                    HeaderValue::from_static("accept-encoding"),
                ))
                // `cargo xtask build` writes a brotli and a gzip copy of each file a page loads
                // (`<file>.br`, `<file>.gz`, packed tighter than on-the-fly compression could
                // afford). A browser gets brotli when it accepts it, else gzip, else the file.
                .service(ServeDir::new(dir).precompressed_br().precompressed_gzip()),
        )
        .layer(axum::middleware::from_fn(cache_control))
}

#[cfg(test)]
mod tests {
    use super::{ASSETS_PATH, is_content_hashed, router};
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode, header};
    use tower::ServiceExt;

    /// What the assets router answers for `name`, asked with `accept_encoding`.
    async fn get(
        dir: &std::path::Path,
        name: &str,
        accept_encoding: &str,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let request = Request::get(format!("{ASSETS_PATH}/{name}"))
            .header(header::ACCEPT_ENCODING, accept_encoding)
            .body(Body::empty())
            .expect("request");
        let response = router::<()>(dir).oneshot(request).await.expect("response");
        let (parts, body) = response.into_parts();
        let body = to_bytes(body, usize::MAX).await.expect("body").to_vec();
        (parts.status, parts.headers, body)
    }

    /// A directory with a wasm, its brotli and gzip copies, and a file without copies.
    fn assets() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        let write = |name: &str, bytes: &[u8]| {
            std::fs::write(dir.path().join(name), bytes).expect("write");
        };
        write(WASM, b"the wasm");
        write(&format!("{WASM}.br"), b"its brotli copy");
        write(&format!("{WASM}.gz"), b"its gzip copy");
        write("sis-onboard.d.ts", b"types");
        dir
    }

    const WASM: &str = "sis-onboard-wizard-8b37e05f6638ecbc_bg.wasm";

    #[tokio::test]
    async fn a_browser_that_accepts_brotli_gets_the_brotli_copy() {
        let dir = assets();
        for accepted in ["gzip, deflate, br, zstd", "br", "br;q=1.0, gzip;q=0.8"] {
            let (status, headers, body) = get(dir.path(), WASM, accepted).await;
            assert_eq!(status, StatusCode::OK, "{accepted}");
            assert_eq!(body, b"its brotli copy", "{accepted}");
            assert_eq!(headers[header::CONTENT_ENCODING], "br");
            // The type is the file's, not brotli's, and caches keep the encodings apart.
            assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
            assert_eq!(headers[header::VARY], "accept-encoding");
            assert_eq!(
                headers[header::CACHE_CONTROL],
                "public, max-age=31536000, immutable"
            );
        }
    }

    #[tokio::test]
    async fn a_browser_that_accepts_only_gzip_gets_the_gzip_copy() {
        let dir = assets();
        for accepted in ["gzip", "gzip, deflate", "br;q=0, gzip"] {
            let (status, headers, body) = get(dir.path(), WASM, accepted).await;
            assert_eq!(status, StatusCode::OK, "{accepted}");
            assert_eq!(body, b"its gzip copy", "{accepted}");
            assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
            assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
            assert_eq!(headers[header::VARY], "accept-encoding");
        }
    }

    #[tokio::test]
    async fn a_browser_that_accepts_neither_gets_the_file_itself() {
        let dir = assets();
        for accepted in ["identity", "deflate", ""] {
            let (status, headers, body) = get(dir.path(), WASM, accepted).await;
            assert_eq!(status, StatusCode::OK, "{accepted}");
            assert_eq!(body, b"the wasm", "{accepted}");
            assert!(headers.get(header::CONTENT_ENCODING).is_none());
            assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
            assert_eq!(headers[header::VARY], "accept-encoding");
        }
        // A file without copies is sent as it is, whatever the browser accepts.
        let (status, headers, body) = get(dir.path(), "sis-onboard.d.ts", "br, gzip").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, b"types");
        assert!(headers.get(header::CONTENT_ENCODING).is_none());
        assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    }

    #[test]
    fn only_content_hashed_names_are_immutable() {
        assert!(is_content_hashed("sis-onboard-wizard-8b37e05f6638ecbc.js"));
        assert!(is_content_hashed(
            "sis-onboard-wizard-8b37e05f6638ecbc_bg.wasm"
        ));
        assert!(is_content_hashed("sis-onboard-cfdf040f3a5e0b8e.css"));
        assert!(is_content_hashed("sis-onboard-es-4c1f0e2a9b7d3e51.txt"));
        assert!(
            is_content_hashed("sis-onboard-3d3b1657ff42e.css"),
            "no leading zeros"
        );
        assert!(!is_content_hashed("sis-onboard.js"));
        assert!(!is_content_hashed("sis-onboard.d.ts"));
        assert!(!is_content_hashed("sis-onboard.sri.txt"));
        assert!(!is_content_hashed("sis-onboard-wizard-8b37e0.js"));
        assert!(!is_content_hashed("sis-onboard-wizard-zzzzzzzzzzzzzzzz.js"));
    }
}
