//! Peak heap per validation (issue 16 item 6): one validation at a time against the
//! sandbox on loopback, the peak heap above the heap just before it, for a district whose
//! every list answer is ~2 MiB of tiny records (`sandbox-big-pages`) and for the normal
//! one, over plain HTTP/1.1 and over HTTPS with HTTP/2. Prints a markdown table and writes
//! it to `bench/memory.md`.
//!
//! The counting allocator lives in this binary only, which is the proxy's side: the sandbox
//! runs as its own process (`SIS_ONBOARD_SANDBOX_BIN`; `cargo xtask bench` builds it), as a
//! district's server would.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use peak_alloc::PeakAlloc;
use sis_onboard_protocol::ValidateRequest;
use sis_onboard_proxy::net_guard::{AllowedHost, DistrictHttp, NetPolicy};
use sis_onboard_proxy::oneroster::page::{Page, decode_wrapped};
use sis_onboard_proxy::oneroster::validate_connection;
use sis_onboard_sandbox::{BIG_PAGE_BYTES, Behaviour, DEMO_SECRET};

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// Validations measured per district, interleaved.
const RUNS: usize = 5;
/// The goal: peak heap above idle for one validation.
const GOAL_BYTES: usize = 4 * 1024 * 1024;

fn request(origin: &str, behaviour: Behaviour) -> ValidateRequest {
    ValidateRequest {
        base_url: format!("{origin}/campus/api/ims/oneroster/rostering/v1p2"),
        token_url: format!("{origin}/campus/oauth2/token?appName=sandbox"),
        client_id: behaviour.client_id().into(),
        client_secret: DEMO_SECRET.into(),
        source: None,
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

/// A sandbox process on a free loopback port; killed when dropped.
struct Sandbox {
    child: Child,
    origin: String,
    ca_pem: Option<Vec<u8>>,
    _dir: tempfile::TempDir,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the sandbox binary (over HTTPS with HTTP/2 when `tls`) and reads its origin.
fn start_sandbox(tls: bool) -> Sandbox {
    let binary = std::env::var_os("SIS_ONBOARD_SANDBOX_BIN")
        .expect("set SIS_ONBOARD_SANDBOX_BIN to the sandbox binary (cargo xtask bench does)");
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut command = Command::new(binary);
    command
        .args(["--tiny", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if tls {
        command.arg("--tls-dir").arg(dir.path());
    }
    let mut child = command.spawn().expect("start the sandbox");
    let stdout = child.stdout.take().expect("stdout");
    let origin = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("sandbox district listening on ")
                .map(str::to_owned)
        })
        .expect("the sandbox's origin");
    let ca_pem = tls.then(|| std::fs::read(dir.path().join("ca.pem")).expect("the CA"));
    Sandbox {
        child,
        origin,
        ca_pem,
        _dir: dir,
    }
}

/// Median and max peak of a normal and a big-pages validation, interleaved, after warm-up.
async fn measure(sandbox: &Sandbox) -> ((usize, usize), (usize, usize)) {
    let url = reqwest::Url::parse(&sandbox.origin).expect("origin");
    let policy = NetPolicy {
        allowed_hosts: vec![AllowedHost {
            host: url.host_str().expect("host").to_owned(),
            port: url.port(),
        }],
        extra_roots_pem: sandbox.ca_pem.iter().cloned().collect(),
        ..NetPolicy::default()
    };
    let client = policy.district_http().expect("client");
    let (normal, big) = (
        request(&sandbox.origin, Behaviour::Working),
        request(&sandbox.origin, Behaviour::BigPages),
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
    (summary(normal_peaks), summary(big_peaks))
}

// One thread: nothing but the validation under test allocates meanwhile (its decoders'
// blocking threads included).
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let plain = start_sandbox(false);
    let ((normal_median, normal_max), (big_median, big_max)) = measure(&plain).await;
    drop(plain);
    let tls = start_sandbox(true);
    let ((normal2_median, normal2_max), (big2_median, big2_max)) = measure(&tls).await;
    drop(tls);

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
         | validation, `sandbox-big-pages` (every probe answers {} of {records} tiny records), HTTP/1.1 | {} | {} | < 4 MiB: {} |\n\
         | validation, `sandbox-big-pages`, HTTPS with HTTP/2 | {} | {} | < 4 MiB: {} |\n\
         | validation, normal sandbox district (`sandbox-client-id`), HTTP/1.1 | {} | {} | baseline |\n\
         | validation, normal sandbox district, HTTPS with HTTP/2 | {} | {} | baseline |\n\
         | one {}-byte page decoded as the probe does (first record + count) | {} | | |\n\
         | the same page decoded into a `serde_json::Value` tree (before) | {} | | |\n",
        mib(BIG_PAGE_BYTES),
        mib(big_median),
        mib(big_max),
        verdict(big_max),
        mib(big2_median),
        mib(big2_max),
        verdict(big2_max),
        mib(normal_median),
        mib(normal_max),
        mib(normal2_median),
        mib(normal2_max),
        body.len(),
        mib(page_peak),
        mib(tree_peak),
    );
    print!("{table}");
    let out = concat!(env!("CARGO_MANIFEST_DIR"), "/../bench/memory.md");
    let doc = format!(
        "# Peak memory per validation\n\n`cargo bench -p sis-onboard-proxy --bench memory`: one validation at a time over loopback, \
         peak heap (a counting global allocator in the bench binary) above the heap just before it. \
         The sandbox is a process of its own, as a district's server is, so the figures are the \
         proxy's alone; its TLS rows trust the sandbox's CA made at start.\n\n{table}"
    );
    std::fs::write(out, doc).expect("write bench/memory.md");
}
