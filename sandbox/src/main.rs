//! Runs the sandbox district on its own: `sis-onboard-sandbox --port 8081 --latency-ms 50`,
//! or over HTTPS with a CA made at start (`--tls-dir DIR` writes `DIR/ca.pem`), HTTP/1.1
//! only as a switch, and a slow link's delay in front (`--one-way-delay-ms 25`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use sis_onboard_sandbox::tls::{AcceptedConnections, HttpVersions, TestCa, serve_tls};
use sis_onboard_sandbox::{
    Connection, District, DistrictSize, GENERIC_BASE_PATH, GENERIC_TOKEN_PATH, SandboxConfig,
    relay, router,
};
use tokio::net::TcpListener;

/// A simulated Infinite Campus district (OAuth 2.0 + OneRoster 1.2), also served as a
/// generic OneRoster 1.2 server.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 8081)]
    port: u16,
    /// Delay added to every response, to feel a real network (the server side only).
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Serve HTTPS: make a CA and a server certificate now and write the CA to `DIR/ca.pem`
    /// for clients to trust (the proxy's `--extra-ca-files`).
    #[arg(long, value_name = "DIR")]
    tls_dir: Option<PathBuf>,
    /// Names the server certificate is for (repeat the flag); the listening address always.
    #[arg(long = "tls-name", value_name = "NAME")]
    tls_names: Vec<String>,
    /// With `--tls-dir`: offer only HTTP/1.1, not HTTP/2.
    #[arg(long)]
    http1_only: bool,
    /// Put a relay in front that delays every byte this long each way, and a new
    /// connection's first byte by a handshake's round trip more: a slow link.
    #[arg(long, default_value_t = 0)]
    one_way_delay_ms: u64,
    /// Serve a generated district of about this many users instead of the demo district.
    #[arg(long, conflicts_with = "tiny")]
    users: Option<u64>,
    /// Serve the tests' tiny district (2 schools, 43 users) instead of the demo district.
    #[arg(long)]
    tiny: bool,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let args = Args::parse();
    let district = match (args.users, args.tiny) {
        (Some(users), _) => District::generate(1, DistrictSize::with_users(users)),
        (None, true) => District::generate(1, DistrictSize::TINY),
        (None, false) => District::demo(),
    };
    let config = SandboxConfig {
        latency: Duration::from_millis(args.latency_ms),
        ..SandboxConfig::with_district(district)
    };
    let app = router(config);
    let public = TcpListener::bind(SocketAddr::new(args.host, args.port)).await?;
    let addr = public.local_addr()?;
    // With a delay, the server listens on loopback behind the relay on the public address.
    let (listener, relayed) = if args.one_way_delay_ms > 0 {
        let inner = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let delay = Duration::from_millis(args.one_way_delay_ms);
        tokio::spawn(relay::relay(public, inner.local_addr()?, delay));
        (inner, true)
    } else {
        (public, false)
    };
    let scheme = if args.tls_dir.is_some() {
        "https"
    } else {
        "http"
    };
    let shown_host = args
        .tls_names
        .first()
        .cloned()
        .unwrap_or_else(|| addr.ip().to_string());
    let origin = format!("{scheme}://{shown_host}:{}", addr.port());
    let demo = Connection::demo();
    println!(
        "  token URL: {origin}/campus/oauth2/token?appName={}",
        demo.app_name
    );
    println!("  base URL:  {origin}/campus/api/ims/oneroster/rostering/v1p2");
    println!(
        "  client id: {}  client secret: {}",
        demo.client_id, demo.client_secret
    );
    println!("  as a generic OneRoster 1.2 server (same client id and secret, no appName):");
    println!("    token URL: {origin}{GENERIC_TOKEN_PATH}");
    println!("    base URL:  {origin}{GENERIC_BASE_PATH}");
    if relayed {
        println!("  every byte delayed {} ms each way", args.one_way_delay_ms);
    }
    match args.tls_dir {
        Some(dir) => {
            let mut names = args.tls_names.clone();
            names.push(addr.ip().to_string());
            let ca = TestCa::generate(&names)?;
            std::fs::create_dir_all(&dir)?;
            let ca_file = dir.join("ca.pem");
            std::fs::write(&ca_file, ca.ca_pem())?;
            let versions = if args.http1_only {
                HttpVersions::Http1Only
            } else {
                HttpVersions::Http2AndHttp1
            };
            println!("  CA to trust: {}", ca_file.display());
            // The last line: whoever started the sandbox may connect from now on.
            println!("sandbox district listening on {origin}");
            let accepted = AcceptedConnections::default();
            serve_tls(
                listener,
                app,
                ca.server_config(versions)?,
                versions,
                accepted,
            )
            .await?;
        }
        None => {
            println!("sandbox district listening on {origin}");
            axum::serve(listener, app).await?;
        }
    }
    Ok(())
}
