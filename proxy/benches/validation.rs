//! Validation throughput (`cargo xtask bench` runs this and records the figures): sustained
//! validations per second with their p99, sandbox in-process on loopback. Validation time
//! over a network, and the district-size ratio, are `benches/network.rs`'s: measured here,
//! in one process, they measured the sandbox more than the proxy.

use std::net::SocketAddr;
use std::time::Instant;

use sis_onboard_protocol::ValidateRequest;
use sis_onboard_proxy::net_guard::{AllowedHost, NetPolicy};
use sis_onboard_proxy::oneroster::validate_connection;
use sis_onboard_sandbox::{DEMO_SECRET, District, DistrictSize, SandboxConfig, router};

async fn sandbox(config: SandboxConfig) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router(config)).await });
    addr
}

fn request(addr: SocketAddr) -> ValidateRequest {
    ValidateRequest {
        base_url: format!("http://{addr}/campus/api/ims/oneroster/rostering/v1p2"),
        token_url: format!("http://{addr}/campus/oauth2/token?appName=sandbox"),
        client_id: "sandbox-client-id".into(),
        client_secret: DEMO_SECRET.into(),
        source: None,
    }
}

fn policy(addrs: &[SocketAddr]) -> NetPolicy {
    NetPolicy {
        allowed_hosts: addrs
            .iter()
            .map(|a| AllowedHost {
                host: a.ip().to_string(),
                port: Some(a.port()),
            })
            .collect(),
        ..NetPolicy::default()
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let small = sandbox(SandboxConfig::with_district(District::generate(
        1,
        DistrictSize::TINY,
    )))
    .await;
    let policy = policy(&[small]);
    let client = policy.district_http().expect("client");

    let total = 3_000;
    let concurrency = 32;
    let started = Instant::now();
    let mut latencies = Vec::with_capacity(total);
    let mut pending = tokio::task::JoinSet::new();
    let mut launched = 0;
    while latencies.len() < total {
        while launched < total && pending.len() < concurrency {
            let (client, policy, request) = (client.clone(), policy.clone(), request(small));
            pending.spawn(async move {
                let t = Instant::now();
                let report = validate_connection(&client, &policy, &request).await;
                assert!(report.passed, "{:?}", report.error);
                t.elapsed()
            });
            launched += 1;
        }
        if let Some(done) = pending.join_next().await {
            latencies.push(done.expect("validation task"));
        }
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let p99 = latencies[latencies.len() * 99 / 100];
    let per_second = total as f64 / elapsed.as_secs_f64();

    println!("| measure | result | goal |");
    println!("|---|---:|---|");
    println!(
        "| sustained validations, {concurrency} at a time, sandbox in-process | {per_second:.0}/s, p99 {:.1} ms | >= 1,000/s, p99 < 100 ms |",
        p99.as_secs_f64() * 1000.0
    );
}
