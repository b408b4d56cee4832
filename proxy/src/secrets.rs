//! Secrets in memory: a request that carries a client secret is wiped when dropped, and a
//! decrypted secret stays in a `SecretString` until it is written into its answer.
//!
//! The wire types live in `protocol`, which builds for wasm and stays serde-only, so the
//! wrapping happens here, at the proxy's boundary. What remains outside our reach: the
//! request and response body buffers (hyper's) and the Basic header reqwest builds.

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use sis_onboard_protocol::{CompleteRequest, ValidateRequest};
use zeroize::Zeroize;

/// A wire request that holds a client secret in a plain `String`.
pub trait CarriesSecret {
    /// The secret, to be wiped.
    fn secret_mut(&mut self) -> &mut String;
}

impl CarriesSecret for ValidateRequest {
    fn secret_mut(&mut self) -> &mut String {
        &mut self.client_secret
    }
}

impl CarriesSecret for CompleteRequest {
    fn secret_mut(&mut self) -> &mut String {
        &mut self.credentials.client_secret
    }
}

/// A request whose client secret is overwritten with zeros when it is dropped.
pub struct Wiped<T: CarriesSecret>(T);

impl<T: CarriesSecret> Wiped<T> {
    /// Takes the request as it was parsed.
    pub fn new(request: T) -> Self {
        Self(request)
    }
}

impl<T: CarriesSecret> std::ops::Deref for Wiped<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: CarriesSecret> Drop for Wiped<T> {
    fn drop(&mut self) {
        self.0.secret_mut().zeroize();
    }
}

/// The `/credentials` answer: the JSON of `ConnectionCredentials`, with the secret read from
/// its `SecretString` only while the body is written.
#[derive(Serialize)]
pub struct CredentialsAnswer {
    /// The OneRoster base URL.
    pub base_url: String,
    /// The token URL.
    pub token_url: String,
    /// The client id.
    pub client_id: String,
    /// The client secret, decrypted.
    #[serde(serialize_with = "expose")]
    pub client_secret: SecretString,
}

fn expose<S: serde::Serializer>(secret: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose_secret())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sis_onboard_protocol::ConnectionCredentials;

    #[test]
    fn the_credentials_answer_is_connection_credentials_on_the_wire() {
        let answer = CredentialsAnswer {
            base_url: "https://a/ims/oneroster/rostering/v1p2".into(),
            token_url: "https://a/token".into(),
            client_id: "id".into(),
            client_secret: SecretString::from("s3cret"),
        };
        let json = serde_json::to_string(&answer).unwrap_or_default();
        let read: Option<ConnectionCredentials> = serde_json::from_str(&json).ok();
        assert_eq!(read.map(|c| c.client_secret).as_deref(), Some("s3cret"));
    }

    /// A request that tells where its secret went once wiped.
    struct Probe(std::rc::Rc<std::cell::RefCell<String>>, String);

    impl CarriesSecret for Probe {
        fn secret_mut(&mut self) -> &mut String {
            &mut self.1
        }
    }

    impl Drop for Probe {
        fn drop(&mut self) {
            *self.0.borrow_mut() = std::mem::take(&mut self.1);
        }
    }

    #[test]
    fn a_wrapped_request_wipes_its_secret_when_dropped() {
        let seen = std::rc::Rc::new(std::cell::RefCell::new(String::from("unset")));
        let wrapped = Wiped::new(Probe(seen.clone(), "s3cret".into()));
        assert_eq!(wrapped.1, "s3cret");
        drop(wrapped);
        assert_eq!(
            seen.borrow().as_str(),
            "",
            "wiped before the request was dropped"
        );
        let mut request = ValidateRequest {
            base_url: String::new(),
            token_url: String::new(),
            client_id: String::new(),
            client_secret: "s3cret".into(),
            source: None,
        };
        request.secret_mut().zeroize();
        assert!(request.client_secret.is_empty());
    }
}
