//! A sandbox district and a proxy on loopback, with a session open: what the validation,
//! completion and logging tests share.
#![allow(clippy::unwrap_used, missing_docs, dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sis_onboard_proxy::api_keys::ApiKey;
use sis_onboard_proxy::crypto::EncryptionKey;
use sis_onboard_proxy::net_guard::AllowedHost;
use sis_onboard_proxy::{AppState, Config, Store, app};
use sis_onboard_sandbox::{
    Behaviour, DEMO_SECRET, District, DistrictSize, SandboxConfig, TokenRequests,
};

use super::{TestStore, test_stores};

pub const API_KEY: &str = "sk_test_vendor_4Jq8Zr2Lw6Nb1Xc9Vm3";

pub struct Harness {
    pub proxy: String,
    pub sandbox: SocketAddr,
    /// How each token request reached the sandbox.
    pub token_requests: TokenRequests,
    pub session: String,
    pub store: Store,
    pub key: EncryptionKey,
    pub test_store: TestStore,
}

pub async fn listen() -> (tokio::net::TcpListener, SocketAddr) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

impl Harness {
    /// On SQLite only: for tests about SQLite's files or about what no store touches; the
    /// rest use [`Harness::start_each`].
    pub async fn start(policy_tweak: impl FnOnce(&mut Config)) -> Self {
        let sqlite = test_stores().await.into_iter().next().unwrap();
        Self::start_on(sqlite, policy_tweak).await
    }

    /// One harness per store of [`test_stores`] (SQLite, and PostgreSQL when configured),
    /// for the tests whose outcome could depend on the store.
    pub async fn start_each(policy_tweak: impl Fn(&mut Config)) -> Vec<Self> {
        let mut harnesses = Vec::new();
        for test_store in test_stores().await {
            harnesses.push(Self::start_on(test_store, &policy_tweak).await);
        }
        harnesses
    }

    pub async fn start_on(test_store: TestStore, policy_tweak: impl FnOnce(&mut Config)) -> Self {
        Self::start_with(test_store, policy_tweak, |state| state).await
    }

    /// Like [`Harness::start_on`], with a last word on the application state (region stores).
    pub async fn start_with(
        test_store: TestStore,
        policy_tweak: impl FnOnce(&mut Config),
        state_tweak: impl FnOnce(AppState) -> AppState,
    ) -> Self {
        let (sandbox_listener, sandbox) = listen().await;
        let sandbox_config = SandboxConfig {
            slow_delay: Duration::from_millis(50),
            ..SandboxConfig::with_district(District::generate(9, DistrictSize::TINY))
        };
        let token_requests = sandbox_config.token_requests.clone();
        let sandbox_app = sis_onboard_sandbox::router(sandbox_config);
        tokio::spawn(async move { axum::serve(sandbox_listener, sandbox_app).await });

        // Says in a failing test's output which store it ran on.
        eprintln!("harness on {}", test_store.backend);
        let store = Store::open(&test_store.url)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", test_store.backend));
        let mut config = Config::new(vec![ApiKey::new("test", API_KEY).unwrap()]);
        config.encryption_key = Some(EncryptionKey::generate());
        config.net_policy.allowed_hosts.push(AllowedHost {
            host: "127.0.0.1".into(),
            port: Some(sandbox.port()),
        });
        policy_tweak(&mut config);
        let (proxy_listener, proxy) = listen().await;
        let key = config.encryption_key.clone().unwrap();
        let router = app(state_tweak(AppState::new(config, store.clone()).unwrap()));
        // The binary's own server loop, so every test goes through its limits and its
        // ConnectInfo (the per-address limits read it).
        tokio::spawn(sis_onboard_proxy::server::serve(
            proxy_listener,
            router,
            sis_onboard_proxy::server::ServerLimits::default(),
            std::future::pending(),
        ));
        let proxy = format!("http://{proxy}");
        let session = open_session(&proxy).await;
        Self {
            proxy,
            sandbox,
            token_requests,
            session,
            store,
            key,
            test_store,
        }
    }

    /// Another proxy replica on the same database (with its own in-process limiters), on its
    /// own loopback listener, configured as the harness's proxy and then by `policy_tweak`;
    /// answers its base URL.
    pub async fn replica(&self, policy_tweak: impl FnOnce(&mut Config)) -> String {
        let store = Store::open(&self.test_store.url).await.unwrap();
        let mut config = Config::new(vec![ApiKey::new("test", API_KEY).unwrap()]);
        config.encryption_key = Some(self.key.clone());
        config.net_policy.allowed_hosts.push(AllowedHost {
            host: "127.0.0.1".into(),
            port: Some(self.sandbox.port()),
        });
        policy_tweak(&mut config);
        let (listener, address) = listen().await;
        let router = app(AppState::new(config, store).unwrap());
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
        });
        format!("http://{address}")
    }

    pub fn base_url(&self) -> String {
        format!(
            "http://{}/campus/api/ims/oneroster/rostering/v1p2",
            self.sandbox
        )
    }

    pub fn token_url(&self) -> String {
        format!(
            "http://{}/campus/oauth2/token?appName=sandbox",
            self.sandbox
        )
    }

    /// The sandbox's rostering root as a generic OneRoster 1.2 server roots it.
    pub fn generic_base_url(&self) -> String {
        format!(
            "http://{}{}",
            self.sandbox,
            sis_onboard_sandbox::GENERIC_BASE_PATH
        )
    }

    /// The sandbox's token endpoint as a generic OneRoster 1.2 server serves it (no appName).
    pub fn generic_token_url(&self) -> String {
        format!(
            "http://{}{}",
            self.sandbox,
            sis_onboard_sandbox::GENERIC_TOKEN_PATH
        )
    }

    /// Validates `behaviour`'s connection at the generic shape's URLs, as the wizard's
    /// "Other OneRoster 1.2 provider" sends it.
    pub async fn validate_generic_as(&self, behaviour: Behaviour, secret: &str) -> Value {
        self.validate(json!({
            "base_url": self.generic_base_url(),
            "token_url": self.generic_token_url(),
            "client_id": behaviour.client_id(),
            "client_secret": secret,
            "source": "oneroster_generic",
        }))
        .await
    }

    pub async fn validate(&self, body: Value) -> Value {
        let response = reqwest::Client::new()
            .post(format!("{}/v1/validate", self.proxy))
            .bearer_auth(&self.session)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let text = response.text().await.unwrap();
        assert!(
            !text.contains(DEMO_SECRET),
            "the secret is never echoed: {text}"
        );
        serde_json::from_str(&text).unwrap()
    }

    pub async fn validate_as(&self, behaviour: Behaviour) -> Value {
        self.validate(json!({
            "base_url": self.base_url(),
            "token_url": self.token_url(),
            "client_id": behaviour.client_id(),
            "client_secret": DEMO_SECRET,
        }))
        .await
    }
}

impl Harness {
    pub fn credentials(&self, secret: &str) -> Value {
        json!({
            "base_url": self.base_url(),
            "token_url": self.token_url(),
            "client_id": "sandbox-client-id",
            "client_secret": secret,
        })
    }

    pub async fn complete(&self, credentials: Value) -> reqwest::Response {
        self.complete_as(credentials, "us", "infinite_campus", "oneroster_api")
            .await
    }

    /// Completes with the given region, source and strategy.
    pub async fn complete_as(
        &self,
        credentials: Value,
        region: &str,
        source: &str,
        strategy: &str,
    ) -> reqwest::Response {
        self.complete_with(json!({
            "credentials": credentials,
            "region": region,
            "source": source,
            "strategy": strategy,
        }))
        .await
    }

    /// Completes with the given request body.
    pub async fn complete_with(&self, body: Value) -> reqwest::Response {
        reqwest::Client::new()
            .post(format!("{}/v1/complete", self.proxy))
            .bearer_auth(&self.session)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// `GET` of a wizard endpoint with the session's token.
    pub async fn wizard_get(&self, path: &str) -> reqwest::Response {
        self.wizard_get_as(&self.session, path).await
    }

    /// `GET` of a wizard endpoint with another session's token.
    pub async fn wizard_get_as(&self, token: &str, path: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(format!("{}{path}", self.proxy))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// The connection id a completion answered; the completion must have succeeded.
    pub async fn connection_id(completion: reqwest::Response) -> String {
        assert_eq!(completion.status(), StatusCode::OK);
        completion.json::<Value>().await.unwrap()["connection_id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The JSON of a `GET` of the vendor's admin API.
    pub async fn admin_json(&self, path: &str) -> Value {
        self.admin(reqwest::Method::GET, path)
            .await
            .json()
            .await
            .unwrap()
    }

    /// A call to the vendor's admin API.
    pub async fn admin(&self, method: reqwest::Method, path: &str) -> reqwest::Response {
        reqwest::Client::new()
            .request(method, format!("{}{path}", self.proxy))
            .bearer_auth(API_KEY)
            .send()
            .await
            .unwrap()
    }
}

/// Opens a session for tenant `d1` the way a vendor's backend does; answers its token.
pub async fn open_session(proxy: &str) -> String {
    open_session_with(proxy, json!({ "tenant_id": "d1", "display_name": "Acme" })).await
}

/// Opens a session with the given request body; answers its token.
pub async fn open_session_with(proxy: &str, body: Value) -> String {
    let session: Value = reqwest::Client::new()
        .post(format!("{proxy}/v1/sessions"))
        .bearer_auth(API_KEY)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    session["session_token"].as_str().unwrap().to_owned()
}

/// A request of `method` to `path` on `proxy` with the Bearer `token` and an optional JSON
/// body; answers the status and the JSON answer (null when it is not JSON).
pub async fn call(
    proxy: &str,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{proxy}{path}"))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}
