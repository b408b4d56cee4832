//! Runs the sandbox district on its own: `sis-onboard-sandbox --port 8081 --latency-ms 50`.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use sis_onboard_sandbox::{Connection, SandboxConfig, router};

/// A simulated Infinite Campus district (OAuth 2.0 + OneRoster 1.2) on loopback.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Port to listen on (127.0.0.1); 0 picks a free one.
    #[arg(long, default_value_t = 8081)]
    port: u16,
    /// Delay added to every response, to feel a real network.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let args = Args::parse();
    let config = SandboxConfig {
        latency: Duration::from_millis(args.latency_ms),
        ..SandboxConfig::demo()
    };
    let app = router(config);
    let listener =
        tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], args.port))).await?;
    let addr = listener.local_addr()?;
    let demo = Connection::demo();
    println!("sandbox district listening on http://{addr}");
    println!(
        "  token URL: http://{addr}/campus/oauth2/token?appName={}",
        demo.app_name
    );
    println!("  base URL:  http://{addr}/campus/api/ims/oneroster/rostering/v1p2");
    println!(
        "  client id: {}  client secret: {}",
        demo.client_id, demo.client_secret
    );
    axum::serve(listener, app).await
}
