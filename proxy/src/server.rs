//! The HTTP server loop: timeouts against slow clients, a connection cap, graceful shutdown.
//!
//! `axum::serve` offers none of these knobs, so the proxy serves its router with hyper-util's
//! connection builder, as axum's own low-level examples do: hyper's header-read timer, a
//! semaphore permit per accepted connection, and tower-http layers for the request body and
//! the whole request.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, StatusCode, header};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// How long clients may take and how many may be connected at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerLimits {
    /// Time to send a request's line and headers. hyper starts this timer whenever a
    /// connection waits for a request head, so it also closes a connection that sends nothing
    /// (a new one, or a kept-alive one between requests): it is the idle timeout too.
    pub header_read_timeout: Duration,
    /// Time to send a request's body, once its headers are in.
    pub request_body_timeout: Duration,
    /// Time from a request's headers to its answer; past it the answer is `408`.
    pub request_timeout: Duration,
    /// Connections served at once; further ones wait in the listen backlog.
    pub max_connections: usize,
    /// How long a shutdown waits for in-flight requests before it drops them.
    pub shutdown_grace: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            request_body_timeout: Duration::from_secs(10),
            // Validation fetches a token and probes the district, each capped well below this.
            request_timeout: Duration::from_secs(60),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// The request-body and whole-request timeouts around `router`, and the security headers
/// around those: the `408` a timeout answers is made here, outside the router, so it gets
/// them (and `no-store`) here too.
pub fn with_request_timeouts(router: Router, limits: &ServerLimits) -> Router {
    let timed = router
        .layer(RequestBodyTimeoutLayer::new(limits.request_body_timeout))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    crate::with_security_headers(timed)
}

/// Serves `router` on `listener` under `limits` until `shutdown` resolves; then stops
/// accepting, lets in-flight requests finish (for at most `shutdown_grace`) and returns.
/// Handlers can read the peer as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()>,
) {
    let router = with_request_timeouts(router, &limits);
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    // HTTP/1 only: hyper's header-read timer exists for HTTP/1; the proxy sits behind a TLS
    // terminator that speaks HTTP/1 to it (h2c from the open network would skip the timer).
    let mut builder = auto::Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break, // never closed; stop serving rather than spin
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: back off as axum::serve does.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let router = router.clone();
            async move {
                router
                    .oneshot(request)
                    .await
                    .map_err(|never: Infallible| never)
            }
        });
        let connection = builder
            .serve_connection(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("every in-flight request finished"),
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!("shutdown grace period over: dropping unfinished requests");
        }
    }
}

/// Resolves on SIGTERM (what container platforms send) or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C: finishing in-flight requests"),
        () = terminate => tracing::info!("SIGTERM: finishing in-flight requests"),
    }
}
