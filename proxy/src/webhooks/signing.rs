//! Standard Webhooks signatures: `whsec_` secrets, and the `v1,<base64 HMAC-SHA256>` of
//! `{id}.{timestamp}.{body}` that the `webhook-signature` header carries, and the check a
//! receiver makes of them (the demo page's receiver and the webhook benchmark use it).

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
        let Some(mac) = self.mac(id, &timestamp.to_string(), body) else {
            return String::new();
        };
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }

    /// True when one of the space-separated `v1,<base64>` signatures of `header` is this
    /// secret's signature of `{id}.{timestamp}.{body}`, with `timestamp` exactly as the
    /// `webhook-timestamp` header sent it. Compared in constant time; other versions and
    /// malformed entries are skipped, as the specification says.
    pub fn verifies(&self, header: &str, id: &str, timestamp: &str, body: &[u8]) -> bool {
        header.split(' ').any(|entry| {
            let Some(encoded) = entry.strip_prefix("v1,") else {
                return false;
            };
            let (Ok(signature), Some(mac)) =
                (STANDARD.decode(encoded), self.mac(id, timestamp, body))
            else {
                return false;
            };
            mac.verify_slice(&signature).is_ok()
        })
    }

    /// The HMAC of `{id}.{timestamp}.{body}` under this key, not yet finalised.
    fn mac(&self, id: &str, timestamp: &str, body: &[u8]) -> Option<Hmac<Sha256>> {
        // HMAC takes keys of any length: None cannot happen.
        let mut mac = Hmac::<Sha256>::new_from_slice(self.0.expose_secret()).ok()?;
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        Some(mac)
    }
}

/// How far a delivery's `webhook-timestamp` may be from the receiver's clock: the
/// specification's (and its reference libraries') five minutes, against replays.
pub const TIMESTAMP_TOLERANCE_SECS: i64 = 5 * 60;

/// Why a receiver refused a delivery (what [`verify_delivery`] checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// A `webhook-*` header is missing or empty.
    #[error("the {0} header is missing")]
    MissingHeader(&'static str),
    /// `webhook-timestamp` is not a whole number of seconds.
    #[error("the webhook-timestamp header is not a number of seconds")]
    BadTimestamp,
    /// `webhook-timestamp` is further from now than [`TIMESTAMP_TOLERANCE_SECS`].
    #[error("the webhook-timestamp is too far from now (a replay, or a clock off by minutes)")]
    StaleTimestamp,
    /// No signature of the header is one of the secrets'.
    #[error("no signature matches a signing secret of this endpoint")]
    NoMatchingSignature,
}

/// What a receiver checks before trusting a delivery, as the Standard Webhooks
/// specification says: the `webhook-id`, `webhook-timestamp` and `webhook-signature`
/// headers (as `header` finds them by name), a timestamp within
/// [`TIMESTAMP_TOLERANCE_SECS`] of `now` (seconds since the Unix epoch), and a signature of
/// the id, timestamp and exact body by one of `secrets`.
pub fn verify_delivery<'a, 'h>(
    secrets: impl IntoIterator<Item = &'a SigningSecret>,
    header: impl Fn(&'static str) -> Option<&'h str>,
    body: &[u8],
    now: i64,
) -> Result<(), VerifyError> {
    let present = |name: &'static str| {
        header(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or(VerifyError::MissingHeader(name))
    };
    let (id, timestamp, signatures) = (
        present(HEADER_ID)?,
        present(HEADER_TIMESTAMP)?,
        present(HEADER_SIGNATURE)?,
    );
    let sent: i64 = timestamp.parse().map_err(|_| VerifyError::BadTimestamp)?;
    if now.abs_diff(sent) > TIMESTAMP_TOLERANCE_SECS.unsigned_abs() {
        return Err(VerifyError::StaleTimestamp);
    }
    if secrets
        .into_iter()
        .any(|secret| secret.verifies(signatures, id, timestamp, body))
    {
        Ok(())
    } else {
        Err(VerifyError::NoMatchingSignature)
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

    /// The headers of the reference vector, as a receiver would look them up.
    fn vector_headers<'a>(signature: &'a str) -> impl Fn(&'static str) -> Option<&'a str> + 'a {
        move |name| match name {
            HEADER_ID => Some(VECTOR_ID),
            HEADER_TIMESTAMP => Some("1649367553"),
            HEADER_SIGNATURE => Some(signature),
            _ => None,
        }
    }

    #[test]
    fn verifies_the_reference_vector_among_other_signatures() {
        let key = secret(VECTOR_SECRET);
        let ts = &VECTOR_TIMESTAMP.to_string();
        assert!(key.verifies(VECTOR_SIGNATURE, VECTOR_ID, ts, VECTOR_BODY));
        // Another version, a malformed entry and a stranger's signature beside it.
        let crowded = format!(
            "v2,abc v1,!!! v1,{} {VECTOR_SIGNATURE}",
            STANDARD.encode([0u8; 32])
        );
        assert!(key.verifies(&crowded, VECTOR_ID, ts, VECTOR_BODY));
        assert_eq!(
            verify_delivery(
                [&key],
                vector_headers(VECTOR_SIGNATURE),
                VECTOR_BODY,
                VECTOR_TIMESTAMP + 299
            ),
            Ok(())
        );
    }

    #[test]
    fn refuses_a_changed_body_id_timestamp_or_key() {
        let key = secret(VECTOR_SECRET);
        let ts = &VECTOR_TIMESTAMP.to_string();
        assert!(!key.verifies(VECTOR_SIGNATURE, VECTOR_ID, ts, b"{}"));
        assert!(!key.verifies(VECTOR_SIGNATURE, "msg_other", ts, VECTOR_BODY));
        assert!(!key.verifies(VECTOR_SIGNATURE, VECTOR_ID, "1649367554", VECTOR_BODY));
        // The signature without its version, or under another version, is not accepted.
        let bare = VECTOR_SIGNATURE.trim_start_matches("v1,");
        assert!(!key.verifies(bare, VECTOR_ID, ts, VECTOR_BODY));
        assert!(!key.verifies(&format!("v1a,{bare}"), VECTOR_ID, ts, VECTOR_BODY));
        let stranger = secret(&format!("{SECRET_PREFIX}{}", STANDARD.encode([7u8; 32])));
        assert_eq!(
            verify_delivery(
                [&stranger],
                vector_headers(VECTOR_SIGNATURE),
                VECTOR_BODY,
                VECTOR_TIMESTAMP
            ),
            Err(VerifyError::NoMatchingSignature)
        );
        // Any one of several secrets (a rotation) verifies.
        assert_eq!(
            verify_delivery(
                [&stranger, &key],
                vector_headers(VECTOR_SIGNATURE),
                VECTOR_BODY,
                VECTOR_TIMESTAMP
            ),
            Ok(())
        );
    }

    #[test]
    fn refuses_stale_timestamps_and_missing_headers() {
        let key = secret(VECTOR_SECRET);
        let headers = vector_headers(VECTOR_SIGNATURE);
        for now in [VECTOR_TIMESTAMP + 301, VECTOR_TIMESTAMP - 301] {
            assert_eq!(
                verify_delivery([&key], &headers, VECTOR_BODY, now),
                Err(VerifyError::StaleTimestamp)
            );
        }
        for missing in [HEADER_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE] {
            let without = |name| (name != missing).then(|| headers(name)).flatten();
            assert_eq!(
                verify_delivery([&key], without, VECTOR_BODY, VECTOR_TIMESTAMP),
                Err(VerifyError::MissingHeader(missing))
            );
        }
        let not_a_number = |name| match name {
            HEADER_TIMESTAMP => Some("soon"),
            other => headers(other),
        };
        assert_eq!(
            verify_delivery([&key], not_a_number, VECTOR_BODY, VECTOR_TIMESTAMP),
            Err(VerifyError::BadTimestamp)
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
