//! HTTPS for the sandbox, as a real district's server speaks it: a certificate authority
//! made at run time, a server certificate it signs for the names the sandbox answers to,
//! TLS 1.3 (1.2 still accepted), and HTTP/2 offered by ALPN, with HTTP/1.1 only as a switch.
//!
//! The proxy trusts the CA only when told to (its `--extra-ca-files`), exactly as it would a
//! self-hosted district's own CA; without it the handshake fails, as with any unknown issuer.

use std::sync::{Arc, Mutex};

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, KeyUsagePurpose};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// Which HTTP versions the server offers by ALPN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HttpVersions {
    /// `h2` first, then `http/1.1`: what current servers offer.
    #[default]
    Http2AndHttp1,
    /// Only `http/1.1`: an older server, where parallel requests need parallel connections.
    Http1Only,
}

/// Why the sandbox could not be set up for HTTPS.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    /// The certificates could not be made (a name that is not a DNS name or an address).
    #[error("could not make the sandbox's certificates: {0}")]
    Certificate(#[from] rcgen::Error),
    /// rustls refused the certificate or the settings.
    #[error("could not set up TLS: {0}")]
    Tls(#[from] rustls::Error),
}

/// A certificate authority made for one run, and a server certificate it signed.
pub struct TestCa {
    ca_pem: String,
    server_chain: Vec<CertificateDer<'static>>,
    server_key_der: Vec<u8>,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa").finish_non_exhaustive()
    }
}

impl TestCa {
    /// A new CA and a server certificate for `names` (DNS names or IP addresses).
    pub fn generate(names: &[String]) -> Result<Self, TlsSetupError> {
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "sis-onboard sandbox test CA");
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;

        let server_key = KeyPair::generate()?;
        let mut server_params = CertificateParams::new(names.to_vec())?;
        server_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "sis-onboard sandbox district");
        let server = server_params.signed_by(&server_key, &ca)?;
        Ok(Self {
            ca_pem: ca.pem(),
            server_chain: vec![server.der().clone(), ca.der().clone()],
            server_key_der: server_key.serialize_der(),
        })
    }

    /// The CA certificate in PEM: what a client must trust to talk to the sandbox.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The rustls settings for a server presenting this CA's certificate.
    pub fn server_config(
        &self,
        versions: HttpVersions,
    ) -> Result<Arc<ServerConfig>, TlsSetupError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.server_key_der.clone()));
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(self.server_chain.clone(), key)?;
        config.alpn_protocols = match versions {
            HttpVersions::Http2AndHttp1 => vec![b"h2".to_vec(), b"http/1.1".to_vec()],
            HttpVersions::Http1Only => vec![b"http/1.1".to_vec()],
        };
        Ok(Arc::new(config))
    }
}

/// One TLS connection the sandbox accepted: when, for which name, in which protocol.
#[derive(Debug, Clone)]
pub struct AcceptedConnection {
    /// When the handshake finished.
    pub at: std::time::Instant,
    /// The name the client asked for (SNI); None for an IP address.
    pub server_name: Option<String>,
    /// The protocol ALPN chose (`h2`, `http/1.1`), if any.
    pub protocol: Option<String>,
}

/// The TLS connections a sandbox accepted, in order (shared by clones).
#[derive(Debug, Clone, Default)]
pub struct AcceptedConnections(Arc<Mutex<Vec<AcceptedConnection>>>);

impl AcceptedConnections {
    /// Every connection so far, oldest first.
    pub fn all(&self) -> Vec<AcceptedConnection> {
        self.0.lock().map(|seen| seen.clone()).unwrap_or_default()
    }

    fn record(&self, connection: AcceptedConnection) {
        if let Ok(mut seen) = self.0.lock() {
            seen.push(connection);
        }
    }
}

/// Serves `router` over TLS on `listener` until the task is dropped, noting each accepted
/// connection in `accepted`. A connection whose handshake fails (an untrusting client) is
/// closed; the server goes on.
pub async fn serve_tls(
    listener: TcpListener,
    router: Router,
    config: Arc<ServerConfig>,
    versions: HttpVersions,
    accepted: AcceptedConnections,
) -> std::io::Result<()> {
    let acceptor = TlsAcceptor::from(config);
    let mut http = auto::Builder::new(TokioExecutor::new());
    if versions == HttpVersions::Http1Only {
        http = http.http1_only();
    }
    let http = Arc::new(http);
    loop {
        let (tcp, _) = listener.accept().await?;
        // Each answer should leave at once, as from a real server.
        tcp.set_nodelay(true)?;
        let (acceptor, http, router) = (acceptor.clone(), http.clone(), router.clone());
        let accepted = accepted.clone();
        tokio::spawn(async move {
            let Ok(stream) = acceptor.accept(tcp).await else {
                return;
            };
            let session = stream.get_ref().1;
            accepted.record(AcceptedConnection {
                at: std::time::Instant::now(),
                server_name: session.server_name().map(str::to_owned),
                protocol: session
                    .alpn_protocol()
                    .map(|p| String::from_utf8_lossy(p).into_owned()),
            });
            let service = TowerToHyperService::new(router);
            // A client that goes away mid-answer is not the sandbox's error.
            let _ = http.serve_connection(TokioIo::new(stream), service).await;
        });
    }
}
