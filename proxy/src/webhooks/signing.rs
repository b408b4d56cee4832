//! Standard Webhooks signatures: `whsec_` secrets, and the `v1,<base64 HMAC-SHA256>` of
//! `{id}.{timestamp}.{body}` that the `webhook-signature` header carries.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;

/// What a serialized signing secret starts with.
pub const SECRET_PREFIX: &str = "whsec_";

/// The fewest key bytes a signing secret may have (the specification's minimum, 192 bits).
pub const MIN_SECRET_BYTES: usize = 24;

/// The header carrying the event's id, the same on every attempt.
pub const HEADER_ID: &str = "webhook-id";
/// The header carrying the attempt's time, in seconds since the Unix epoch.
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// The header carrying the signatures, space-separated.
pub const HEADER_SIGNATURE: &str = "webhook-signature";

/// Why a configured signing secret was refused. The text never holds the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The text does not start with `whsec_`.
    #[error("a signing secret must start with `whsec_` (followed by base64 of the key bytes)")]
    NoPrefix,
    /// What follows `whsec_` is not standard base64.
    #[error("what follows `whsec_` is not base64")]
    NotBase64,
    /// The key is too short to be safe.
    #[error(
        "the key is {0} bytes; at least {MIN_SECRET_BYTES} are needed (e.g. `whsec_` followed by `openssl rand -base64 32`)"
    )]
    TooShort(usize),
}

/// An endpoint's signing key: the decoded bytes of a `whsec_…` secret. No `Debug`, no
/// `Serialize`; wiped when dropped.
#[derive(Clone)]
pub struct SigningSecret(SecretSlice<u8>);

impl SigningSecret {
    /// Parses `whsec_` followed by the key bytes in standard base64 (surrounding spaces
    /// ignored).
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let encoded = text
            .trim()
            .strip_prefix(SECRET_PREFIX)
            .ok_or(SecretError::NoPrefix)?;
        let key = STANDARD
            .decode(encoded)
            .map_err(|_| SecretError::NotBase64)?;
        if key.len() < MIN_SECRET_BYTES {
            return Err(SecretError::TooShort(key.len()));
        }
        Ok(Self(SecretSlice::from(key)))
    }

    /// The `v1,<base64>` signature of `{id}.{timestamp}.{body}`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.0.expose_secret()) else {
            // HMAC takes keys of any length; this cannot happen.
            return String::new();
        };
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(<redacted>)")
    }
}

/// The `webhook-signature` header: one `v1,…` signature per secret, space-separated, so a
/// receiver that knows any one of them verifies the message (zero-downtime rotation).
pub fn signature_header<'a>(
    secrets: impl IntoIterator<Item = &'a SigningSecret>,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    secrets
        .into_iter()
        .map(|secret| secret.sign(id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference libraries' test vector (standard-webhooks, `libraries/*` tests).
    const VECTOR_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const VECTOR_ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    const VECTOR_TIMESTAMP: i64 = 1649367553;
    const VECTOR_BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;
    const VECTOR_SIGNATURE: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

    fn secret(text: &str) -> SigningSecret {
        SigningSecret::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn signs_the_reference_vector() {
        assert_eq!(
            secret(VECTOR_SECRET).sign(VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY),
            VECTOR_SIGNATURE
        );
    }

    #[test]
    fn several_secrets_give_several_signatures_in_order() {
        let other = secret(&format!("{SECRET_PREFIX}{}", STANDARD.encode([7u8; 32])));
        let header = signature_header(
            [&secret(VECTOR_SECRET), &other],
            VECTOR_ID,
            VECTOR_TIMESTAMP,
            VECTOR_BODY,
        );
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], VECTOR_SIGNATURE);
        assert!(parts[1].starts_with("v1,") && parts[1] != VECTOR_SIGNATURE);
    }

    #[test]
    fn refuses_secrets_without_prefix_not_base64_or_short() {
        assert_eq!(
            SigningSecret::parse("C2FVsBQIhrscChlQIMV+b5sSYspob7oD").err(),
            Some(SecretError::NoPrefix)
        );
        assert_eq!(
            SigningSecret::parse("whsec_not base64!").err(),
            Some(SecretError::NotBase64)
        );
        let short = format!("{SECRET_PREFIX}{}", STANDARD.encode([1u8; 23]));
        assert_eq!(
            SigningSecret::parse(&short).err(),
            Some(SecretError::TooShort(23))
        );
        assert!(SigningSecret::parse(&format!(" {VECTOR_SECRET}\n")).is_ok());
    }

    #[test]
    fn never_prints_the_key() {
        let printed = format!("{:?}", secret(VECTOR_SECRET));
        assert!(!printed.contains("C2FV"), "{printed}");
        for error in [
            SecretError::NoPrefix,
            SecretError::NotBase64,
            SecretError::TooShort(3),
        ] {
            assert!(!error.to_string().contains("C2FV"));
        }
    }
}
