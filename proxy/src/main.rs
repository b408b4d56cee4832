//! The proxy binary: flags and environment variables in, one HTTP server out.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};
use sis_onboard_proxy::api_keys::{self, ApiKey};
use sis_onboard_proxy::config::Region;
use sis_onboard_proxy::crypto::EncryptionKey;
use sis_onboard_proxy::net_guard::AllowedHost;
use sis_onboard_proxy::{AppState, Config, Store, Surface, app_for, assets};

/// The sis-onboard proxy: onboarding sessions, credential validation, connection storage.
/// Without a subcommand it serves.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Something other than serving.
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on; port 0 picks a free one (the chosen address is printed).
    #[arg(long, env = "SIS_ONBOARD_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The store: a SQLite URL such as `sqlite://data/sis-onboard.sqlite`.
    #[arg(
        long,
        env = "SIS_ONBOARD_DATABASE_URL",
        default_value = "sqlite://data/sis-onboard.sqlite",
        hide_env_values = true,
        global = true
    )]
    database_url: String,
    /// Vendor API keys as a JSON list, each with an id, scopes and optionally tenants:
    /// `[{"id": "web", "key": "…", "scopes": ["sessions:write"], "tenants": ["d-42"]}]`
    /// (docs/security.md, "API keys"). The vendor's backend sends a key as a Bearer token.
    #[arg(long, env = "SIS_ONBOARD_API_KEYS", hide_env_values = true)]
    api_keys: Option<String>,
    /// A file holding a list of vendor API keys in the format of `--api-keys`; both may be
    /// given.
    #[arg(long, env = "SIS_ONBOARD_API_KEYS_FILE")]
    api_keys_file: Option<PathBuf>,
    /// A second address for the vendor's admin API (`/v1/connections…`, credentials
    /// included), so it can stay off the public interface; `--listen` then serves it no more.
    /// Off by default: everything on `--listen`.
    #[arg(long, env = "SIS_ONBOARD_ADMIN_LISTEN")]
    admin_listen: Option<SocketAddr>,
    /// Load balancers in front of the proxy, as CIDR ranges or addresses, comma-separated.
    /// A request whose TCP peer is one of them is counted (rate limits) under the rightmost
    /// `X-Forwarded-For` (or, without one, `Forwarded`) hop that is not. None by default.
    #[arg(long, env = "SIS_ONBOARD_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<String>,
    /// How long an onboarding session lives, in seconds.
    #[arg(long, env = "SIS_ONBOARD_SESSION_LIFETIME_SECS", default_value_t = 30 * 60)]
    session_lifetime_secs: u64,
    /// A folder of built wizard assets (`dist/`) to serve under `/sis-onboard/`.
    #[arg(long, env = "SIS_ONBOARD_ASSETS_DIR")]
    assets_dir: Option<PathBuf>,
    /// Hosts (`host` or `host:port`) the proxy may fetch despite the SSRF rules, e.g. a
    /// district test server; plain http is allowed to them. Off by default.
    #[arg(long, env = "SIS_ONBOARD_ALLOW_HOSTS", value_delimiter = ',')]
    allow_hosts: Vec<String>,
    /// Base URL hosts whose Token URL is on another host, `base-host=token-host`,
    /// comma-separated. Otherwise a Token URL on another host than the base URL is refused
    /// (`token_host_mismatch`) before anything is sent. Off by default.
    #[arg(long, env = "SIS_ONBOARD_TOKEN_HOSTS", value_delimiter = ',')]
    token_hosts: Vec<String>,
    /// PEM files of extra CA certificates to trust, for self-hosted districts.
    #[arg(long, env = "SIS_ONBOARD_EXTRA_CA_FILES", value_delimiter = ',')]
    extra_ca_files: Vec<PathBuf>,
    /// File holding the 256-bit key (64 hex digits) that seals stored secrets. The demo
    /// creates `data/demo.key` (mode 0600) when none is given.
    #[arg(long, env = "SIS_ONBOARD_ENCRYPTION_KEY_FILE", global = true)]
    encryption_key_file: Option<PathBuf>,
    /// Files of keys accepted for reading only, comma-separated: the keys a running
    /// `rotate-key` moves stored secrets away from. Empty outside a rotation.
    #[arg(
        long,
        env = "SIS_ONBOARD_OLD_ENCRYPTION_KEY_FILES",
        value_delimiter = ',',
        global = true
    )]
    old_encryption_key_files: Vec<PathBuf>,
    /// How often expired sessions and validations are deleted, in seconds.
    #[arg(long, env = "SIS_ONBOARD_SWEEP_INTERVAL_SECS", default_value_t = 300)]
    sweep_interval_secs: u64,
    /// The data storage regions offered, `id=Label`, separated by `;` (or the flag repeated),
    /// in order: e.g. `us=United States;eu=European Union`; labels in other languages follow
    /// the default one: `ca=Canada|fr:Canada|es:Canadá`. Default: us, ca and eu, labelled in
    /// English, French and Spanish.
    #[arg(
        long,
        env = "SIS_ONBOARD_REGIONS",
        value_delimiter = ';',
        global = true
    )]
    regions: Vec<String>,
    /// A file of regions, one per line in the syntax of `--regions` (blank lines and lines
    /// starting with `#` ignored), offered after those of `--regions`.
    #[arg(long, env = "SIS_ONBOARD_REGIONS_FILE", global = true)]
    regions_file: Option<PathBuf>,
    /// A database of a region's own, `id=URL`, separated by `;` (or the flag repeated): e.g.
    /// `eu=postgres://db.eu.internal/sis`. Regions without one keep their connections in
    /// `--database-url`, with the region recorded.
    #[arg(
        long,
        env = "SIS_ONBOARD_REGION_DATABASES",
        value_delimiter = ';',
        hide_env_values = true,
        global = true
    )]
    region_databases: Vec<String>,
    /// Seconds a client may take to send a request's line and headers; also how long a
    /// connection may sit idle waiting for its next request.
    #[arg(
        long,
        env = "SIS_ONBOARD_HEADER_READ_TIMEOUT_SECS",
        default_value_t = 10
    )]
    header_read_timeout_secs: u64,
    /// Seconds a client may take to send a request's body.
    #[arg(
        long,
        env = "SIS_ONBOARD_REQUEST_BODY_TIMEOUT_SECS",
        default_value_t = 10
    )]
    request_body_timeout_secs: u64,
    /// Seconds from a request's headers to its answer; past it the answer is 408.
    #[arg(long, env = "SIS_ONBOARD_REQUEST_TIMEOUT_SECS", default_value_t = 60)]
    request_timeout_secs: u64,
    /// Connections served at once; more wait in the listen backlog.
    #[arg(long, env = "SIS_ONBOARD_MAX_CONNECTIONS", default_value_t = 1024)]
    max_connections: usize,
    /// Seconds a shutdown (SIGTERM, Ctrl-C) waits for in-flight requests.
    #[arg(long, env = "SIS_ONBOARD_SHUTDOWN_GRACE_SECS", default_value_t = 30)]
    shutdown_grace_secs: u64,
    /// Webhook endpoints as JSON: `[{"id": "crm", "url": "https://…", "tenants": […]?,
    /// "events": […]?, "secrets": [{"secret": "whsec_…", "expires_at": "<RFC 3339>"?}]}]`.
    /// URLs obey the SSRF rules (and `--allow-hosts`). None by default.
    #[arg(
        long,
        env = "SIS_ONBOARD_WEBHOOKS",
        hide_env_values = true,
        conflicts_with = "webhooks_file"
    )]
    webhooks: Option<String>,
    /// A file holding the `--webhooks` JSON (keep it readable by the proxy alone: it holds
    /// the signing secrets).
    #[arg(long, env = "SIS_ONBOARD_WEBHOOKS_FILE")]
    webhooks_file: Option<PathBuf>,
    /// Seconds one webhook POST may take, answer included.
    #[arg(long, env = "SIS_ONBOARD_WEBHOOK_TIMEOUT_SECS", default_value_t = 10)]
    webhook_timeout_secs: u64,
    /// How long a webhook event is kept once all its deliveries are over (delivered or
    /// failed), with its attempts, for the deliveries API: a whole number with s, m, h or d.
    /// An event still owed to an endpoint is never deleted.
    #[arg(long, env = "SIS_ONBOARD_WEBHOOK_RETENTION", default_value = "30d", value_parser = interval_flag)]
    webhook_retention: Duration,
    /// How often every active connection is re-validated (health checks): a whole number
    /// with s, m, h or d. Each replica checks; a lease gives each connection to one of them.
    #[arg(long, env = "SIS_ONBOARD_HEALTH_INTERVAL", default_value = "24h", value_parser = interval_flag)]
    health_interval: Duration,
    /// Health checks one replica runs at once (and never two at once against one host).
    #[arg(long, env = "SIS_ONBOARD_HEALTH_CONCURRENCY", default_value_t = 4)]
    health_concurrency: usize,
    /// Print the OpenAPI document of the proxy's API and exit.
    #[arg(long)]
    openapi: bool,
    /// Serve the demo vendor page at `/` and the sandbox district under `/sandbox`.
    #[cfg(feature = "demo")]
    #[arg(long)]
    demo: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Re-seals every stored secret, in `--database-url` and every `--region-databases`
    /// database, under a new key. Opens them with the new key, `--encryption-key-file` and
    /// `--old-encryption-key-files`. Safe while servers run (configured with the new key and
    /// the old one, README "Keys and rotation"); resumable: run it again after an
    /// interruption. Exits non-zero while any secret is left under an old key.
    RotateKey {
        /// The key to re-seal under (64 hex digits).
        #[arg(long)]
        new_key_file: PathBuf,
        /// Stop after re-sealing this many secrets per database (rotate in slices).
        #[arg(long)]
        max_rows: Option<usize>,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // Display, not Debug: the message is for a person, quotes unescaped.
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    if args.openapi {
        print!("{}", sis_onboard_proxy::openapi::document_json());
        return Ok(());
    }
    if let Some(Command::RotateKey {
        new_key_file,
        max_rows,
    }) = &args.command
    {
        return rotate_key(&args, new_key_file, *max_rows).await;
    }
    #[cfg(feature = "demo")]
    let demo = args.demo;
    #[cfg(not(feature = "demo"))]
    let demo = false;

    let api_keys = configured_api_keys(&args)?;
    if api_keys.is_empty() && !demo {
        return Err(
            "no vendor API key: set SIS_ONBOARD_API_KEYS (or SIS_ONBOARD_API_KEYS_FILE) to a \
                    list such as [{\"id\": \"web\", \"key\": \"<openssl rand -base64 32>\", \
                    \"scopes\": [\"sessions:write\"]}] (docs/security.md, \"API keys\")"
                .into(),
        );
    }
    ensure_sqlite_folder(&args.database_url)?;
    let store = Store::open(&args.database_url).await.map_err(|e| {
        format!(
            "cannot open the store at {}: {e}",
            without_password(&args.database_url)
        )
    })?;
    let mut config = Config::new(api_keys);
    config.session_lifetime = Duration::from_secs(args.session_lifetime_secs);
    if let Some(regions) = configured_regions(&args)? {
        config.regions = regions;
    }
    let region_stores = open_region_stores(&args, &config).await?;
    for host in args.allow_hosts.iter().filter(|h| !h.trim().is_empty()) {
        config
            .net_policy
            .allowed_hosts
            .push(host.parse().map_err(|e| format!("--allow-hosts: {e}"))?);
    }
    for range in args.trusted_proxies.iter().filter(|r| !r.trim().is_empty()) {
        config.trusted_proxies.0.push(
            range
                .parse()
                .map_err(|e| format!("--trusted-proxies: {e}"))?,
        );
    }
    config.old_encryption_keys = old_keys(&args)?;
    config.sweep_interval = Duration::from_secs(args.sweep_interval_secs.max(1));
    for pair in args.token_hosts.iter().filter(|p| !p.trim().is_empty()) {
        config
            .net_policy
            .token_hosts
            .push(pair.parse().map_err(|e| format!("--token-hosts: {e}"))?);
    }
    config.encryption_key = Some(match (&args.encryption_key_file, demo) {
        (Some(path), _) => EncryptionKey::read(path)?,
        (None, true) => EncryptionKey::read_or_create(std::path::Path::new("data/demo.key"))?,
        (None, false) => {
            return Err(
                "no encryption key: set SIS_ONBOARD_ENCRYPTION_KEY_FILE (or \
                        --encryption-key-file) to a file of 64 hex digits, e.g. made with \
                        `openssl rand -hex 32`"
                    .into(),
            );
        }
    });
    for file in &args.extra_ca_files {
        config
            .net_policy
            .extra_roots_pem
            .push(std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?);
    }

    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let addr = listener.local_addr()?;
    if demo {
        // The demo's wizard validates against the sandbox this very process serves.
        config.net_policy.allowed_hosts.push(AllowedHost {
            host: addr.ip().to_string(),
            port: Some(addr.port()),
        });
    }
    // Webhooks (issue 18): endpoints checked against the finished SSRF policy, and one
    // delivery worker per database that holds connections (and so their events).
    #[allow(unused_mut)] // changed by the demo only
    let mut endpoints = webhook_endpoints(&args, &config)?;
    #[cfg(feature = "demo")]
    let demo_webhooks = if demo {
        // Unless the operator configured webhooks, the demo delivers to its own receiver,
        // whose deliveries the page shows, signed with a secret made now.
        if !webhooks_configured(&args) {
            let receiver = sis_onboard_proxy::demo::webhooks::reachable(addr);
            if receiver.ip() != addr.ip() {
                config.net_policy.allowed_hosts.push(AllowedHost {
                    host: receiver.ip().to_string(),
                    port: Some(receiver.port()),
                });
            }
            endpoints = sis_onboard_proxy::demo::webhooks::own_endpoint(addr, &config.net_policy)
                .map_err(|e| format!("the demo's webhook endpoint: {e}"))?;
        }
        Some(sis_onboard_proxy::demo::webhooks::DemoWebhooks::for_endpoints(&endpoints, addr))
    } else {
        None
    };
    // Set before the worker starts: it sends to the endpoints it was started with.
    config.webhooks.endpoints = std::sync::Arc::new(endpoints);
    config.webhooks.request_timeout = Duration::from_secs(args.webhook_timeout_secs.max(1));
    config.webhooks.retention = args.webhook_retention;
    let webhook_worker = sis_onboard_proxy::webhooks::spawn_delivery_worker(
        std::iter::once(store.clone()).chain(region_stores.iter().map(|(_, s, _)| s.clone())),
        &config,
    )
    .map_err(|e| format!("extra CA certificates: {e}"))?;

    let (sweep_interval, webhook_retention) = (config.sweep_interval, config.webhooks.retention);
    let mut state =
        AppState::new(config, store).map_err(|e| format!("extra CA certificates: {e}"))?;
    for (region, store, _) in region_stores {
        state = state.with_region_store(&region, store);
    }
    let mut health = sis_onboard_proxy::health_checks::HealthSettings::every(args.health_interval);
    health.concurrency = args.health_concurrency.max(1);
    // Every database: a region's own SQLite file needs its WAL truncation retried too.
    for store in state.connection_stores() {
        sis_onboard_proxy::spawn_sweeper(store.clone(), sweep_interval, webhook_retention);
    }
    sis_onboard_proxy::health_checks::spawn_health_checker(state.clone(), health);
    let surface = if args.admin_listen.is_some() {
        Surface::Public
    } else {
        Surface::All
    };
    let mut router = app_for(state.clone(), surface);
    let admin_state = state.clone();
    let admin_listener = match args.admin_listen {
        Some(address) => Some(
            tokio::net::TcpListener::bind(address)
                .await
                .map_err(|e| format!("cannot listen on --admin-listen {address}: {e}"))?,
        ),
        None => None,
    };
    if let Some(dir) = &args.assets_dir {
        if !dir.join("sis-onboard.js").is_file() {
            return Err(format!(
                "{} has no sis-onboard.js: build the wizard first (cargo xtask build)",
                dir.display()
            )
            .into());
        }
        router = router.merge(assets::router(dir));
    }
    #[cfg(feature = "demo")]
    if let Some(hooks) = demo_webhooks {
        router = router.merge(sis_onboard_proxy::demo::router(
            state,
            sis_onboard_sandbox::SandboxConfig::demo(),
            args.assets_dir.as_deref(),
            hooks,
        )?);
    }

    // The first line on stdout is the address; tests and scripts read it.
    println!("sis-onboard proxy listening on http://{addr}");
    if let Some(admin_listener) = &admin_listener {
        println!(
            "sis-onboard admin API listening on http://{}",
            admin_listener.local_addr()?
        );
    }
    if demo {
        print_demo_banner(addr);
    }
    let public = sis_onboard_proxy::server::serve(
        listener,
        router,
        server_limits(&args),
        sis_onboard_proxy::server::shutdown_signal(),
    );
    match admin_listener {
        Some(admin_listener) => {
            let admin = sis_onboard_proxy::server::serve(
                admin_listener,
                app_for(admin_state, Surface::Admin),
                server_limits(&args),
                sis_onboard_proxy::server::shutdown_signal(),
            );
            tokio::join!(public, admin);
        }
        None => public.await,
    }
    webhook_worker.shutdown().await;
    Ok(())
}

/// The keys of `--api-keys` and `--api-keys-file` together; ids and keys must be unique
/// across both.
fn configured_api_keys(args: &Args) -> Result<Vec<ApiKey>, Box<dyn std::error::Error>> {
    let mut keys = Vec::new();
    if let Some(text) = args.api_keys.as_deref().filter(|t| !t.trim().is_empty()) {
        keys.extend(
            api_keys::parse(text, "SIS_ONBOARD_API_KEYS (--api-keys)")
                .map_err(|e| e.to_string())?,
        );
    }
    if let Some(path) = &args.api_keys_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the API key file {}: {e}", path.display()))?;
        let origin = format!("the API key file {}", path.display());
        let from_file = api_keys::parse(&text, &origin).map_err(|e| e.to_string())?;
        if let Some(twin) = from_file.iter().find(|k| {
            keys.iter()
                .any(|known: &ApiKey| known.id() == k.id() || known.same_key(k))
        }) {
            return Err(format!(
                "{origin}: key '{}' repeats an id or a key of SIS_ONBOARD_API_KEYS; give each key its own",
                twin.id()
            )
            .into());
        }
        keys.extend(from_file);
    }
    Ok(keys)
}

/// The `--webhooks` or `--webhooks-file` endpoints, their URLs checked against the SSRF
/// policy of `config`.
fn webhook_endpoints(
    args: &Args,
    config: &Config,
) -> Result<sis_onboard_proxy::webhooks::Endpoints, String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let policy = &config.net_policy;
    let endpoints = match (&args.webhooks, &args.webhooks_file) {
        (Some(json), _) if !json.trim().is_empty() => {
            sis_onboard_proxy::webhooks::Endpoints::parse_json(json, policy, now)
        }
        (_, Some(path)) if !path.as_os_str().is_empty() => {
            sis_onboard_proxy::webhooks::Endpoints::read_file(path, policy, now)
        }
        _ => Ok(sis_onboard_proxy::webhooks::Endpoints::none()),
    };
    endpoints.map_err(|e| format!("--webhooks: {e}"))
}

/// True when the operator gave `--webhooks` or `--webhooks-file` (not empty).
#[cfg(feature = "demo")]
fn webhooks_configured(args: &Args) -> bool {
    args.webhooks
        .as_deref()
        .is_some_and(|t| !t.trim().is_empty())
        || args
            .webhooks_file
            .as_deref()
            .is_some_and(|p| !p.as_os_str().is_empty())
}

/// `--health-interval` and `--webhook-retention`, as clap parses them.
fn interval_flag(text: &str) -> Result<Duration, String> {
    sis_onboard_proxy::health_checks::parse_interval(text)
}

/// The server's timeouts and connection cap from the flags; zero counts as one.
fn server_limits(args: &Args) -> sis_onboard_proxy::server::ServerLimits {
    let secs = |secs: u64| Duration::from_secs(secs.max(1));
    sis_onboard_proxy::server::ServerLimits {
        header_read_timeout: secs(args.header_read_timeout_secs),
        request_body_timeout: secs(args.request_body_timeout_secs),
        request_timeout: secs(args.request_timeout_secs),
        max_connections: args.max_connections.max(1),
        shutdown_grace: secs(args.shutdown_grace_secs),
    }
}

/// The `--regions` and `--regions-file` regions, when any is given; ids must be unique.
fn configured_regions(args: &Args) -> Result<Option<Vec<Region>>, String> {
    let mut regions: Vec<Region> = args
        .regions
        .iter()
        .filter(|r| !r.trim().is_empty())
        .map(|r| Region::parse(r).map_err(|e| format!("--regions: {e}")))
        .collect::<Result<_, _>>()?;
    if let Some(path) = &args.regions_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the regions file {}: {e}", path.display()))?;
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            regions.push(
                Region::parse(line)
                    .map_err(|e| format!("{} line {}: {e}", path.display(), number + 1))?,
            );
        }
    }
    if let Some((_, twin)) = regions
        .iter()
        .enumerate()
        .find(|(i, r)| regions[..*i].iter().any(|o| o.id == r.id))
    {
        return Err(format!("region '{}' is configured twice", twin.id));
    }
    Ok((!regions.is_empty()).then_some(regions))
}

/// Opens the database of every `--region-databases` entry: (region id, store, URL).
async fn open_region_stores(
    args: &Args,
    config: &Config,
) -> Result<Vec<(String, Store, String)>, Box<dyn std::error::Error>> {
    let mut region_stores = Vec::new();
    for entry in args
        .region_databases
        .iter()
        .filter(|r| !r.trim().is_empty())
    {
        let (region, url) = entry.split_once('=').ok_or_else(|| {
            "--region-databases: each entry is id=URL, e.g. eu=postgres://db.eu/sis".to_owned()
        })?;
        let region = region.trim();
        if region.contains("://") {
            return Err(
                "--region-databases: each entry is id=URL, e.g. eu=postgres://db.eu/sis".into(),
            );
        }
        if config.region(region).is_none() {
            return Err(format!("--region-databases: '{region}' is not one of --regions").into());
        }
        ensure_sqlite_folder(url.trim())?;
        let store = Store::open(url.trim()).await.map_err(|e| {
            format!(
                "cannot open the database of region {region} ({}): {e}",
                without_password(url.trim())
            )
        })?;
        region_stores.push((region.to_owned(), store, url.trim().to_owned()));
    }
    Ok(region_stores)
}

/// The `--old-encryption-key-files` keys.
fn old_keys(args: &Args) -> Result<Vec<EncryptionKey>, Box<dyn std::error::Error>> {
    Ok(args
        .old_encryption_key_files
        .iter()
        .filter(|path| !path.as_os_str().is_empty())
        .map(|path| EncryptionKey::read(path))
        .collect::<Result<_, _>>()?)
}

/// `rotate-key`: re-seals every connection secret of every database under the new key.
async fn rotate_key(
    args: &Args,
    new_key_file: &std::path::Path,
    max_rows: Option<usize>,
) -> Result<(), Box<dyn std::error::Error>> {
    let new = EncryptionKey::read(new_key_file)?;
    let mut old = old_keys(args)?;
    if let Some(path) = &args.encryption_key_file {
        old.push(EncryptionKey::read(path)?);
    }
    old.retain(|key| key.id() != new.id());
    let mut config = Config::new(Vec::new());
    if let Some(regions) = configured_regions(args)? {
        config.regions = regions;
    }
    let store = Store::open(&args.database_url).await.map_err(|e| {
        format!(
            "cannot open the store at {}: {e}",
            without_password(&args.database_url)
        )
    })?;
    let mut databases = vec![(store, args.database_url.clone())];
    for (_, store, url) in open_region_stores(args, &config).await? {
        if !databases
            .iter()
            .any(|(known, _)| known.same_database(&store))
        {
            databases.push((store, url));
        }
    }
    let old_ids: Vec<String> = old.iter().map(|k| k.id().to_string()).collect();
    println!(
        "re-sealing under key {} (opening with {})",
        new.id(),
        if old_ids.is_empty() {
            "it alone".to_owned()
        } else {
            format!("it and {}", old_ids.join(", "))
        }
    );
    let mut finished = true;
    for (store, url) in &databases {
        let report = sis_onboard_proxy::rotation::rotate_store(store, &new, &old, max_rows).await?;
        println!(
            "{}: {} re-sealed, {} already under the new key, {} revoked meanwhile, {} failed, {} left for the next run",
            without_password(url),
            report.resealed,
            report.already,
            report.gone,
            report.failed,
            report.remaining
        );
        finished &= report.is_finished();
    }
    if finished {
        println!(
            "rotation finished: every stored secret is under key {}",
            new.id()
        );
        Ok(())
    } else {
        Err("rotation not finished: run rotate-key again (with every old key that is still needed) before removing an old key".into())
    }
}

fn print_demo_banner(addr: SocketAddr) {
    #[cfg(feature = "demo")]
    {
        let demo = sis_onboard_sandbox::Connection::demo();
        let sandbox = format!("http://{addr}{}", sis_onboard_proxy::demo::SANDBOX_PATH);
        println!();
        println!("  Open the demo vendor page:  http://{addr}/");
        println!();
        println!("  Sandbox district credentials (type these into the wizard):");
        println!("    OneRoster API URL: {sandbox}/campus/api/ims/oneroster/rostering/v1p2");
        println!(
            "    Token Endpoint:    {sandbox}/campus/oauth2/token?appName={}",
            demo.app_name
        );
        println!("    Client ID:         {}", demo.client_id);
        println!("    Client Secret:     {}", demo.client_secret);
        println!("  As an \"Other OneRoster 1.2 provider\" (same Client ID and Secret):");
        println!(
            "    Base URL:          {sandbox}{}",
            sis_onboard_sandbox::GENERIC_BASE_PATH
        );
        println!(
            "    Token URL:         {sandbox}{}",
            sis_onboard_sandbox::GENERIC_TOKEN_PATH
        );
        println!(
            "  Other client ids make the sandbox fail on purpose (README, \"The sandbox district\")."
        );
        println!();
        println!(
            "  Webhooks go to {} (unless --webhooks says otherwise), signed with a",
            sis_onboard_proxy::demo::webhooks::receiver_url(addr)
        );
        println!("  secret made at start; the page lists those whose signature verified.");
        println!();
        println!("  Press Ctrl-C to stop.");
    }
    #[cfg(not(feature = "demo"))]
    let _ = addr;
}

/// A database URL fit for an error message: the password in `user:password@` (up to the
/// last `@` of the authority) and any `password=` parameter become `***`.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{user}:***@{host}")
        }
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// SQLite creates the file but not its folder; create the folder so a fresh clone just works.
fn ensure_sqlite_folder(url: &str) -> std::io::Result<()> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|p| p.split('?').next().unwrap_or(p));
    if let Some(parent) = path.and_then(|p| std::path::Path::new(p).parent())
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_lose_their_password_in_messages() {
        assert_eq!(
            without_password("postgres://sis:hunter2@db.eu/sis"),
            "postgres://sis:***@db.eu/sis"
        );
        assert_eq!(
            without_password("sqlite://data/x.sqlite"),
            "sqlite://data/x.sqlite"
        );
    }
}
