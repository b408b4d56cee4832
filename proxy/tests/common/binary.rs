//! The proxy binary itself, started on a free port with a fresh SQLite file: for what only
//! the real process shows (its flags, its environment).
#![allow(clippy::unwrap_used, missing_docs, dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use super::harness::{API_KEY, open_session};

/// A running proxy binary; killed when dropped.
pub struct ProxyProcess {
    child: Child,
    pub url: String,
    /// The admin API's address, when the binary was given `--admin-listen`.
    pub admin_url: Option<String>,
    _dir: tempfile::TempDir,
}

impl ProxyProcess {
    /// The process id, for sending it signals.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The SQLite file the binary stores into.
    pub fn database_path(&self) -> std::path::PathBuf {
        self._dir.path().join("proxy.sqlite")
    }

    /// Waits (polling, up to `deadline`) for the process to exit; answers its status.
    pub fn wait_for_exit(&mut self, deadline: std::time::Duration) -> std::process::ExitStatus {
        let start = std::time::Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(start.elapsed() < deadline, "the proxy did not exit");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

impl Drop for ProxyProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `key` as a key list of the binary (`--api-keys`): one key, id `test`, with every scope.
pub fn full_access_keys(key: &str) -> String {
    serde_json::json!([{
        "id": "test",
        "key": key,
        "scopes": ["sessions:write", "connections:read", "credentials:read", "connections:write"],
    }])
    .to_string()
}

/// The binary's command with what every test gives it: a free port, the test API key, a
/// SQLite file and a key file, both made in `dir`.
pub fn proxy_command(dir: &std::path::Path) -> Command {
    let mut command = proxy_command_without_keys(dir);
    command.arg("--api-keys").arg(full_access_keys(API_KEY));
    command
}

/// [`proxy_command`] without any API key, for tests of how keys are configured.
pub fn proxy_command_without_keys(dir: &std::path::Path) -> Command {
    let key_file = dir.join("key.hex");
    std::fs::write(&key_file, "ab".repeat(32)).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_sis-onboard-proxy"));
    command
        .args(["--listen", "127.0.0.1:0"])
        .arg("--database-url")
        .arg(format!("sqlite://{}", dir.join("proxy.sqlite").display()))
        .arg("--encryption-key-file")
        .arg(&key_file);
    command
}

/// Runs `command`, which must refuse to start; answers what it wrote to stderr. A binary that
/// started instead would serve forever, so it gets a deadline.
pub fn refused_start(mut command: Command) -> String {
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the binary started although it should have refused");
        }
        std::thread::yield_now();
    }
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success());
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Starts the binary with `extra_args`, in the test's own environment.
pub fn proxy_binary(extra_args: &[String]) -> ProxyProcess {
    proxy_binary_with_env(extra_args, |_| {})
}

/// Starts the binary with `extra_args` and the environment `env` makes of the test's own;
/// answers once its first line says where it listens.
pub fn proxy_binary_with_env(
    extra_args: &[String],
    env: impl FnOnce(&mut Command),
) -> ProxyProcess {
    let dir = tempfile::tempdir().unwrap();
    let mut command = proxy_command(dir.path());
    command
        .args(extra_args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    env(&mut command);
    let mut child = command.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first_line = String::new();
    stdout.read_line(&mut first_line).unwrap();
    let url = first_line
        .trim()
        .strip_prefix("sis-onboard proxy listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first_line:?}"))
        .to_owned();
    // The admin address is the second line, printed only with --admin-listen.
    let admin_url = extra_args.iter().any(|a| a == "--admin-listen").then(|| {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        line.trim()
            .strip_prefix("sis-onboard admin API listening on ")
            .unwrap_or_else(|| panic!("unexpected second line: {line:?}"))
            .to_owned()
    });
    // Whatever else it prints (the demo's banner) is read and dropped: with the pipe
    // closed, its next line would end the process.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    ProxyProcess {
        child,
        url,
        admin_url,
        _dir: dir,
    }
}

/// Opens a session on the binary and validates `body` there; answers the report.
pub async fn validate_through(proxy: &ProxyProcess, body: Value) -> Value {
    let session = open_session(&proxy.url).await;
    reqwest::Client::new()
        .post(format!("{}/v1/validate", proxy.url))
        .bearer_auth(session)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
