//! Peak heap per validation (issue 16 item 6): one validation at a time against the
//! sandbox on loopback, the peak heap above the heap just before it, for a district whose
//! every list answer is ~2 MiB of tiny records (`sandbox-big-pages`) and for the normal
//! one. Prints a markdown table and writes it to `bench/memory.md`.
//!
//! The counting allocator lives in this binary only. The sandbox runs in the same process
//! (streaming its big answers from one shared chunk), so its own per-request allocations
//! are counted too: the figures are an upper bound on the proxy's.

use std::net::SocketAddr;

use peak_alloc::PeakAlloc;
use sis_onboard_protocol::ValidateRequest;
use sis_onboard_proxy::net_guard::{AllowedHost, DistrictHttp, NetPolicy};
use sis_onboard_proxy::oneroster::page::{Page, decode_wrapped};
use sis_onboard_proxy::oneroster::validate_connection;
use sis_onboard_sandbox::{
    BIG_PAGE_BYTES, Behaviour, DEMO_SECRET, District, DistrictSize, SandboxConfig, router,
};

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// Validations measured per district, interleaved.
const RUNS: usize = 5;
/// The goal: peak heap above idle for one validation.
const GOAL_BYTES: usize = 4 * 1024 * 1024;

fn request(addr: SocketAddr, behaviour: Behaviour) -> ValidateRequest {
    ValidateRequest {
        base_url: format!("http://{addr}/campus/api/ims/oneroster/rostering/v1p2"),
        token_url: format!("http://{addr}/campus/oauth2/token?appName=sandbox"),
        client_id: behaviour.client_id().into(),
        client_secret: DEMO_SECRET.into(),
    }
}

/// Peak heap above the heap just before `work`, in bytes.
fn peak_above_idle<T>(work: impl FnOnce() -> T) -> (usize, T) {
    let idle = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let out = work();
    (HEAP.peak_usage().saturating_sub(idle), out)
}

async fn validation_peak(
    client: &DistrictHttp,
    policy: &NetPolicy,
    request: &ValidateRequest,
) -> usize {
    let idle = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let report = validate_connection(client, policy, request).await;
    let peak = HEAP.peak_usage().saturating_sub(idle);
    assert!(report.passed, "{:?}", report.error);
    drop(report);
    peak
}

fn mib(bytes: usize) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// Median and max of the samples.
fn summary(mut samples: Vec<usize>) -> (usize, usize) {
    samples.sort_unstable();
    (samples[samples.len() / 2], samples[samples.len() - 1])
}

// One thread: the sandbox and the proxy take turns, so nothing else allocates meanwhile.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let config = SandboxConfig::with_district(District::generate(1, DistrictSize::TINY));
    tokio::spawn(async move { axum::serve(listener, router(config)).await });
    let policy = NetPolicy {
        allowed_hosts: vec![AllowedHost {
            host: addr.ip().to_string(),
            port: Some(addr.port()),
        }],
        ..NetPolicy::default()
    };
    let client = policy.district_http().expect("client");
    let (normal, big) = (
        request(addr, Behaviour::Working),
        request(addr, Behaviour::BigPages),
    );

    // Warm up: pooled connections, lazily built district listings, the runtime's buffers.
    for _ in 0..2 {
        validation_peak(&client, &policy, &normal).await;
        validation_peak(&client, &policy, &big).await;
    }
    let (mut normal_peaks, mut big_peaks) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        normal_peaks.push(validation_peak(&client, &policy, &normal).await);
        big_peaks.push(validation_peak(&client, &policy, &big).await);
    }
    let (normal_median, normal_max) = summary(normal_peaks);
    let (big_median, big_max) = summary(big_peaks);

    // One big page decoded on its own, as the probe does and as a JSON tree would be.
    let record = r#",{"sourcedId":"p"}"#;
    let mut body = String::from(r#"{"users":[{"sourcedId":"p"}"#);
    body.push_str(&record.repeat((BIG_PAGE_BYTES - body.len() - 2) / record.len()));
    body.push_str("]}");
    let (page_peak, page) = peak_above_idle(|| decode_wrapped::<Page>(body.as_bytes(), "users"));
    let records = page.ok().flatten().map_or(0, |p| p.len);
    let (tree_peak, tree) =
        peak_above_idle(|| serde_json::from_slice::<serde_json::Value>(body.as_bytes()));
    drop(tree);

    let verdict = |bytes: usize| if bytes < GOAL_BYTES { "met" } else { "not met" };
    let table = format!(
        "| measure (peak heap above idle) | median of {RUNS} | max | goal |\n\
         |---|---:|---:|---|\n\
         | validation, `sandbox-big-pages` (every probe answers {} of {records} tiny records) | {} | {} | < 4 MiB: {} |\n\
         | validation, normal sandbox district (`sandbox-client-id`) | {} | {} | baseline |\n\
         | one {}-byte page decoded as the probe does (first record + count) | {} | | |\n\
         | the same page decoded into a `serde_json::Value` tree (before) | {} | | |\n",
        mib(BIG_PAGE_BYTES),
        mib(big_median),
        mib(big_max),
        verdict(big_max),
        mib(normal_median),
        mib(normal_max),
        body.len(),
        mib(page_peak),
        mib(tree_peak),
    );
    print!("{table}");
    let out = concat!(env!("CARGO_MANIFEST_DIR"), "/../bench/memory.md");
    let doc = format!(
        "# Peak memory per validation\n\n`cargo bench -p sis-onboard-proxy --bench memory`: one validation at a time over loopback, \
         peak heap (a counting global allocator in the bench binary) above the heap just before it. \
         The sandbox runs in the same process, so its per-request allocations are included.\n\n{table}"
    );
    std::fs::write(out, doc).expect("write bench/memory.md");
}
