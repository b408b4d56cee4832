//! Validation benchmarks (`cargo xtask bench` runs this and records the figures):
//! wall time against the sandbox with 50 ms latency per request, as a ratio to the
//! two-round-trip limit; the 1,000,000-user district against the tiny one; and sustained
//! validations per second with their p99, sandbox in-process on loopback.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sis_onboard_protocol::ValidateRequest;
use sis_onboard_proxy::net_guard::{AllowedHost, DistrictHttp, NetPolicy};
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

/// Median wall time of `runs` validations, one after another.
async fn median(
    client: &DistrictHttp,
    policy: &NetPolicy,
    request: &ValidateRequest,
    runs: usize,
) -> Duration {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let report = validate_connection(client, policy, request).await;
        assert!(report.passed, "{:?}", report.error);
        times.push(started.elapsed());
    }
    times.sort();
    times[runs / 2]
}

/// Tiny and huge validations measured, alternately.
const PAIRS: usize = 101;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let tiny = || District::generate(1, DistrictSize::TINY);
    let latency = Duration::from_millis(50);
    let slow = sandbox(SandboxConfig {
        latency,
        ..SandboxConfig::with_district(tiny())
    })
    .await;
    let small = sandbox(SandboxConfig::with_district(tiny())).await;
    let huge = sandbox(SandboxConfig::with_district(District::generate(
        1,
        DistrictSize::with_users(1_000_000),
    )))
    .await;
    // The same big district behind the same 50 ms per request, as over a real network.
    let huge_slow = sandbox(SandboxConfig {
        latency,
        ..SandboxConfig::with_district(District::generate(1, DistrictSize::with_users(1_000_000)))
    })
    .await;
    let policy = policy(&[slow, small, huge, huge_slow]);
    let client = policy.district_http().expect("client");

    let with_latency = median(&client, &policy, &request(slow), 9).await;
    let limit = latency * 2;
    let ratio = with_latency.as_secs_f64() / limit.as_secs_f64();

    // Interleaved, after warming both connections up, so that drift (the machine's other
    // work, a cold connection) falls on both sides alike.
    median(&client, &policy, &request(small), 5).await;
    median(&client, &policy, &request(huge), 5).await;
    let (mut tiny_times, mut huge_times) = (Vec::new(), Vec::new());
    for _ in 0..PAIRS {
        tiny_times.push(median(&client, &policy, &request(small), 1).await);
        huge_times.push(median(&client, &policy, &request(huge), 1).await);
    }
    tiny_times.sort();
    huge_times.sort();
    let (tiny_time, huge_time) = (tiny_times[PAIRS / 2], huge_times[PAIRS / 2]);
    let size_ratio = huge_time.as_secs_f64() / tiny_time.as_secs_f64();
    let huge_with_latency = median(&client, &policy, &request(huge_slow), 9).await;
    let size_ratio_with_latency = huge_with_latency.as_secs_f64() / with_latency.as_secs_f64();

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
        "| validation with 50 ms latency per request (median of 9) | {:.0} ms = {ratio:.2} x the two-round-trip limit of {} ms | <= 1.1 |",
        with_latency.as_secs_f64() * 1000.0,
        limit.as_millis()
    );
    println!(
        "| 1,000,000-user district vs tiny, in process, no latency (median of 101, interleaved) | {:.2} ms vs {:.2} ms = {size_ratio:.2} | <= 1.1 |",
        huge_time.as_secs_f64() * 1000.0,
        tiny_time.as_secs_f64() * 1000.0
    );
    println!(
        "| 1,000,000-user district vs tiny, both with 50 ms latency per request (median of 9) | {:.0} ms vs {:.0} ms = {size_ratio_with_latency:.2} | <= 1.1 |",
        huge_with_latency.as_secs_f64() * 1000.0,
        with_latency.as_secs_f64() * 1000.0
    );
    println!(
        "| sustained validations, {concurrency} at a time, sandbox in-process | {per_second:.0}/s, p99 {:.1} ms | >= 1,000/s, p99 < 100 ms |",
        p99.as_secs_f64() * 1000.0
    );
}
