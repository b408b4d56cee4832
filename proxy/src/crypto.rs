//! Secrets at rest: XChaCha20-Poly1305 sealing and keyed fingerprints, each under its own
//! subkey that HKDF-SHA256 derives from the configured master key, in a versioned format
//! that names the key, so the key can be rotated (README, "Keys and rotation").
//!
//! A sealed value is `0x01 ‖ key id (8 bytes) ‖ nonce (24) ‖ ciphertext ‖ tag (16)`. The
//! associated data binds the format, the key id, the connection id, the tenant, the base
//! URL, the token URL and the client id: a database writer who changes any of them makes the
//! secret undecryptable instead of sending it elsewhere. Values sealed before this format
//! (`nonce ‖ ciphertext ‖ tag`, the raw master key, bound to the connection id only) are
//! still read, and `sis-onboard-proxy rotate-key` rewrites them in this format.

use std::path::Path;
use std::sync::Arc;

use chacha20poly1305::aead::{Aead, AeadInPlace, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::Sha256;
use sis_onboard_protocol::ConnectionSummary;
use zeroize::{Zeroize, Zeroizing};

/// The first byte of a value sealed in the versioned format.
const FORMAT_V1: u8 = 1;
/// Length of a key id.
const KEY_ID_LEN: usize = 8;
/// Length of an XChaCha20 nonce.
const NONCE_LEN: usize = 24;
/// Format byte, key id and nonce.
const V1_HEADER_LEN: usize = 1 + KEY_ID_LEN + NONCE_LEN;

/// HKDF `info` of each derived value: one purpose, one subkey.
const INFO_SEAL: &[u8] = b"sis-onboard-proxy/v1/seal";
const INFO_FINGERPRINT: &[u8] = b"sis-onboard-proxy/v1/fingerprint";
const INFO_KEY_ID: &[u8] = b"sis-onboard-proxy/v1/key-id";

type Key = SecretBox<[u8; 32]>;

/// A short public name of a master key, derived from it (it reveals nothing of the key):
/// stored in every sealed value, printed by `rotate-key`, never a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId([u8; KEY_ID_LEN]);

impl std::fmt::Display for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// The configured master key (256 bits) and the subkeys derived from it. Cheap to clone;
/// every copy of the key material is wiped when the last clone is dropped. No `Debug` that
/// could print it.
#[derive(Clone)]
pub struct EncryptionKey(Arc<Keys>);

struct Keys {
    /// The master key itself: only to read values sealed before subkeys existed.
    master: Key,
    /// Seals connection secrets.
    seal: Key,
    /// Keys the HMAC fingerprints of validated values.
    fingerprint: Key,
    id: KeyId,
}

impl std::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EncryptionKey({})", self.0.id)
    }
}

/// Why a key file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file could not be read or written.
    #[error("key file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The file does not hold 64 hexadecimal digits.
    #[error("key file {0} must hold 64 hexadecimal digits (32 bytes)")]
    Malformed(String),
}

/// Encryption or decryption failed (a wrong or missing key, or a tampered row).
#[derive(Debug, thiserror::Error)]
#[error("the secret could not be decrypted")]
pub struct CryptoError;

/// What a sealed secret is bound to: the connection's identity and where its secret may be
/// sent. Changing any of these in the database makes the secret undecryptable.
#[derive(Debug, Clone, Copy)]
pub struct SealBinding<'a> {
    /// The connection id.
    pub connection_id: &'a str,
    /// The vendor's customer.
    pub tenant_id: &'a str,
    /// The OneRoster base URL.
    pub base_url: &'a str,
    /// The token URL, where the secret is sent.
    pub token_url: &'a str,
    /// The client id.
    pub client_id: &'a str,
}

impl<'a> SealBinding<'a> {
    /// The binding of a stored connection.
    pub fn of(connection: &'a ConnectionSummary) -> Self {
        Self {
            connection_id: &connection.id,
            tenant_id: &connection.tenant_id,
            base_url: &connection.base_url,
            token_url: &connection.token_url,
            client_id: &connection.client_id,
        }
    }

    /// The associated data of the versioned format: a label, the header and each field
    /// length-prefixed, so no two different bindings give the same bytes.
    fn associated_data(&self, key_id: KeyId) -> Vec<u8> {
        let mut aad = b"sis-onboard-proxy sealed secret".to_vec();
        aad.push(FORMAT_V1);
        aad.extend_from_slice(&key_id.0);
        for field in [
            self.connection_id,
            self.tenant_id,
            self.base_url,
            self.token_url,
            self.client_id,
        ] {
            aad.extend_from_slice(&(field.len() as u64).to_be_bytes());
            aad.extend_from_slice(field.as_bytes());
        }
        aad
    }
}

impl EncryptionKey {
    /// A key from its 32 bytes (the argument is wiped).
    pub fn from_bytes(mut bytes: [u8; 32]) -> Self {
        let master = Key::init_with_mut(|key| key.copy_from_slice(&bytes));
        bytes.zeroize();
        Self::derive(master)
    }

    /// Derives the subkeys and the key id from the master key.
    fn derive(master: Key) -> Self {
        let hkdf = Hkdf::<Sha256>::new(None, master.expose_secret());
        let subkey = |info: &[u8]| {
            Key::init_with_mut(|key| {
                hkdf.expand(info, key)
                    .unwrap_or_else(|_| unreachable!("32 bytes is a valid HKDF-SHA256 length"))
            })
        };
        let (seal, fingerprint) = (subkey(INFO_SEAL), subkey(INFO_FINGERPRINT));
        let mut id = [0u8; KEY_ID_LEN];
        hkdf.expand(INFO_KEY_ID, &mut id)
            .unwrap_or_else(|_| unreachable!("8 bytes is a valid HKDF-SHA256 length"));
        Self(Arc::new(Keys {
            master,
            seal,
            fingerprint,
            id: KeyId(id),
        }))
    }

    /// A fresh random key.
    pub fn generate() -> Self {
        Self::derive(Key::init_with_mut(|key| rand::fill(key)))
    }

    /// This key's public id.
    pub fn id(&self) -> KeyId {
        self.0.id
    }

    /// Reads a key file of 64 hex digits.
    pub fn read(path: &Path) -> Result<Self, KeyError> {
        let text =
            Zeroizing::new(
                std::fs::read_to_string(path).map_err(|source| KeyError::Io {
                    path: path.display().to_string(),
                    source,
                })?,
            );
        let hex = text.trim();
        let mut valid = hex.len() == 64;
        let master = Key::init_with_mut(|key| {
            for (i, byte) in key.iter_mut().enumerate() {
                match hex
                    .get(2 * i..2 * i + 2)
                    .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                {
                    Some(value) if valid => *byte = value,
                    _ => valid = false,
                }
            }
        });
        if !valid {
            return Err(KeyError::Malformed(path.display().to_string()));
        }
        Ok(Self::derive(master))
    }

    /// Reads the key file, creating it with a fresh key, readable only by its owner, when
    /// it does not exist (the demo's way; production supplies its own key).
    pub fn read_or_create(path: &Path) -> Result<Self, KeyError> {
        if path.exists() {
            return Self::read(path);
        }
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let key = Self::generate();
        let hex: Zeroizing<String> = Zeroizing::new(
            key.0
                .master
                .expose_secret()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        );
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        use std::io::Write;
        options
            .open(path)
            .and_then(|mut file| file.write_all(hex.as_bytes()))
            .map_err(io)?;
        Ok(key)
    }

    /// Seals `plaintext` under this key, bound to `binding`, in the versioned format.
    pub fn seal(
        &self,
        plaintext: &[u8],
        binding: &SealBinding<'_>,
    ) -> Result<Vec<u8>, CryptoError> {
        let cipher = XChaCha20Poly1305::new(self.0.seal.expose_secret().into());
        let nonce_bytes: [u8; NONCE_LEN] = rand::random();
        let sealed = cipher
            .encrypt(
                &XNonce::from(nonce_bytes),
                Payload {
                    msg: plaintext,
                    aad: &binding.associated_data(self.0.id),
                },
            )
            .map_err(|_| CryptoError)?;
        let mut out = Vec::with_capacity(V1_HEADER_LEN + sealed.len());
        out.push(FORMAT_V1);
        out.extend_from_slice(&self.0.id.0);
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// True when `sealed` is in the versioned format under this key (rotation skips it).
    pub fn has_sealed(&self, sealed: &[u8]) -> bool {
        sealed_key_id(sealed) == Some(self.0.id)
    }

    /// Opens a value this key sealed in the versioned format.
    fn open_v1(
        &self,
        sealed: &[u8],
        binding: &SealBinding<'_>,
    ) -> Result<SecretString, CryptoError> {
        let (header, ciphertext) = sealed.split_at_checked(V1_HEADER_LEN).ok_or(CryptoError)?;
        let nonce = XNonce::from_slice(&header[1 + KEY_ID_LEN..]);
        let aad = binding.associated_data(self.0.id);
        open_with(&self.0.seal, nonce, ciphertext, &aad)
    }

    /// Opens a value sealed before the versioned format: `nonce ‖ ciphertext ‖ tag` under
    /// the master key itself, bound to the connection id only.
    fn open_legacy(&self, sealed: &[u8], connection_id: &str) -> Result<SecretString, CryptoError> {
        let (nonce, ciphertext) = sealed.split_at_checked(NONCE_LEN).ok_or(CryptoError)?;
        open_with(
            &self.0.master,
            XNonce::from_slice(nonce),
            ciphertext,
            connection_id.as_bytes(),
        )
    }

    /// A keyed fingerprint of some fields: equal exactly when the fields are, and useless
    /// to anyone without the key (a secret cannot be guessed from it offline).
    pub fn fingerprint(&self, fields: &[&str]) -> Vec<u8> {
        self.fingerprint_mac(fields)
            .finalize()
            .into_bytes()
            .to_vec()
    }

    fn fingerprint_mac(&self, fields: &[&str]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.fingerprint.expose_secret())
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        for field in fields {
            // Length-prefixed, so ("ab","c") and ("a","bc") differ.
            mac.update(&(field.len() as u64).to_be_bytes());
            mac.update(field.as_bytes());
        }
        mac
    }
}

/// Decrypts into a buffer that is wiped when dropped; the secret ends in a [`SecretString`].
fn open_with(
    key: &Key,
    nonce: &XNonce,
    ciphertext: &[u8],
    aad: &[u8],
) -> Result<SecretString, CryptoError> {
    let cipher = XChaCha20Poly1305::new(key.expose_secret().into());
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    cipher
        .decrypt_in_place(nonce, aad, &mut *buffer)
        .map_err(|_| CryptoError)?;
    let text = std::str::from_utf8(&buffer).map_err(|_| CryptoError)?;
    Ok(SecretString::from(text))
}

/// The key id a sealed value names, when it is in the versioned format.
pub fn sealed_key_id(sealed: &[u8]) -> Option<KeyId> {
    match sealed {
        [FORMAT_V1, rest @ ..] if rest.len() > KEY_ID_LEN + NONCE_LEN => {
            let mut id = [0u8; KEY_ID_LEN];
            id.copy_from_slice(&rest[..KEY_ID_LEN]);
            Some(KeyId(id))
        }
        _ => None,
    }
}

/// The keys a proxy reads with: the current one, which seals, and the old ones accepted for
/// reading while a rotation runs.
#[derive(Debug, Clone, Copy)]
pub struct Keyring<'a> {
    current: &'a EncryptionKey,
    old: &'a [EncryptionKey],
}

impl<'a> Keyring<'a> {
    /// The current key and the old keys still accepted for reading.
    pub fn new(current: &'a EncryptionKey, old: &'a [EncryptionKey]) -> Self {
        Self { current, old }
    }

    /// The key that seals and fingerprints.
    pub fn current(&self) -> &'a EncryptionKey {
        self.current
    }

    fn keys(&self) -> impl Iterator<Item = &'a EncryptionKey> + use<'a> {
        std::iter::once(self.current).chain(self.old.iter())
    }

    /// Opens a sealed value: by the key its header names, or, for a value sealed before
    /// the versioned format, by trying each key the way such values were sealed.
    pub fn open(
        &self,
        sealed: &[u8],
        binding: &SealBinding<'_>,
    ) -> Result<SecretString, CryptoError> {
        if let Some(id) = sealed_key_id(sealed)
            && let Some(key) = self.keys().find(|k| k.id() == id)
            && let Ok(secret) = key.open_v1(sealed, binding)
        {
            return Ok(secret);
        }
        // A legacy nonce may begin like a versioned header by chance (2^-72); such a value
        // still opens here.
        self.keys()
            .find_map(|key| key.open_legacy(sealed, binding.connection_id).ok())
            .ok_or(CryptoError)
    }

    /// True when `fingerprint` is the fingerprint of `fields` under any of the keys (a
    /// validation recorded by a replica on the other side of a rotation still counts),
    /// compared in constant time.
    pub fn fingerprint_matches(&self, fingerprint: &[u8], fields: &[&str]) -> bool {
        self.keys().any(|key| {
            key.fingerprint_mac(fields)
                .verify_slice(fingerprint)
                .is_ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BINDING: SealBinding<'static> = SealBinding {
        connection_id: "conn_1",
        tenant_id: "district-9",
        base_url: "https://campus.example.org/campus/api/ims/oneroster/rostering/v1p2",
        token_url: "https://campus.example.org/campus/oauth2/token?appName=x",
        client_id: "client-1",
    };

    fn opened(ring: Keyring<'_>, sealed: &[u8], binding: &SealBinding<'_>) -> Option<String> {
        ring.open(sealed, binding)
            .ok()
            .map(|s| s.expose_secret().to_owned())
    }

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_binding() {
        let key = EncryptionKey::generate();
        let sealed = key.seal(b"s3cret", &BINDING).unwrap_or_default();
        assert!(!sealed.windows(6).any(|w| w == b"s3cret"));
        assert_eq!(sealed_key_id(&sealed), Some(key.id()));
        assert!(key.has_sealed(&sealed));
        let ring = Keyring::new(&key, &[]);
        assert_eq!(opened(ring, &sealed, &BINDING).as_deref(), Some("s3cret"));
        let other = EncryptionKey::generate();
        assert!(!other.has_sealed(&sealed));
        assert_eq!(
            opened(Keyring::new(&other, &[]), &sealed, &BINDING),
            None,
            "bound to its key"
        );
    }

    #[test]
    fn tampering_any_bound_field_fails_to_open() {
        let key = EncryptionKey::generate();
        let ring = Keyring::new(&key, &[]);
        let sealed = key.seal(b"s3cret", &BINDING).unwrap_or_default();
        let tampered = [
            SealBinding {
                connection_id: "conn_2",
                ..BINDING
            },
            SealBinding {
                tenant_id: "district-10",
                ..BINDING
            },
            SealBinding {
                base_url: "https://evil.example/ims/oneroster/rostering/v1p2",
                ..BINDING
            },
            SealBinding {
                token_url: "https://evil.example/token",
                ..BINDING
            },
            SealBinding {
                client_id: "client-2",
                ..BINDING
            },
            // Length prefixes: moving a character across a boundary is a change too.
            SealBinding {
                connection_id: "conn_1d",
                tenant_id: "istrict-9",
                ..BINDING
            },
        ];
        for binding in &tampered {
            assert_eq!(opened(ring, &sealed, binding), None, "{binding:?}");
        }
        // The header is bound too: naming another key, or flipping a ciphertext bit, fails.
        let mut renamed = sealed.clone();
        renamed[1] ^= 1;
        assert_eq!(opened(ring, &renamed, &BINDING), None);
        let mut flipped = sealed.clone();
        if let Some(last) = flipped.last_mut() {
            *last ^= 1;
        }
        assert_eq!(opened(ring, &flipped, &BINDING), None);
    }

    /// What the proxy wrote before subkeys: nonce ‖ ciphertext under the master key itself,
    /// bound to the connection id.
    fn legacy_seal(master: [u8; 32], plaintext: &[u8], connection_id: &str) -> Vec<u8> {
        let cipher = XChaCha20Poly1305::new((&master).into());
        let nonce: [u8; 24] = rand::random();
        let sealed = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: connection_id.as_bytes(),
                },
            )
            .unwrap_or_default();
        [nonce.as_slice(), &sealed].concat()
    }

    #[test]
    fn values_sealed_before_key_ids_still_open_with_their_master_key() {
        let master: [u8; 32] = rand::random();
        let key = EncryptionKey::from_bytes(master);
        let legacy = legacy_seal(master, b"old-secret", "conn_1");
        assert_eq!(sealed_key_id(&legacy).filter(|id| *id == key.id()), None);
        assert!(!key.has_sealed(&legacy), "rotation re-seals it");
        let ring = Keyring::new(&key, &[]);
        assert_eq!(
            opened(ring, &legacy, &BINDING).as_deref(),
            Some("old-secret")
        );
        // As an old key during a rotation, too.
        let new = EncryptionKey::generate();
        let keys = [key.clone()];
        assert_eq!(
            opened(Keyring::new(&new, &keys), &legacy, &BINDING).as_deref(),
            Some("old-secret")
        );
        let moved = SealBinding {
            connection_id: "conn_2",
            ..BINDING
        };
        assert_eq!(opened(ring, &legacy, &moved), None);
    }

    #[test]
    fn old_keys_open_and_match_during_a_rotation_but_never_seal() {
        let (old, new) = (EncryptionKey::generate(), EncryptionKey::generate());
        let sealed_old = old.seal(b"s", &BINDING).unwrap_or_default();
        let olds = [old.clone()];
        let ring = Keyring::new(&new, &olds);
        assert_eq!(opened(ring, &sealed_old, &BINDING).as_deref(), Some("s"));
        assert_eq!(ring.current().id(), new.id());
        assert!(ring.fingerprint_matches(&old.fingerprint(&["a"]), &["a"]));
        assert!(ring.fingerprint_matches(&new.fingerprint(&["a"]), &["a"]));
        assert!(!ring.fingerprint_matches(&new.fingerprint(&["a"]), &["b"]));
        assert!(!Keyring::new(&new, &[]).fingerprint_matches(&old.fingerprint(&["a"]), &["a"]));
    }

    #[test]
    fn sealing_and_fingerprints_use_different_subkeys_of_the_master_key() {
        let master = [7u8; 32];
        let key = EncryptionKey::from_bytes(master);
        assert_eq!(
            key.id(),
            EncryptionKey::from_bytes(master).id(),
            "ids are stable"
        );
        let raw = <Hmac<Sha256> as Mac>::new_from_slice(&master)
            .map(|m| m.finalize().into_bytes().to_vec())
            .unwrap_or_default();
        assert_ne!(
            key.fingerprint(&[]),
            raw,
            "the master key is not the HMAC key"
        );
        assert_ne!(
            key.0.seal.expose_secret(),
            key.0.fingerprint.expose_secret()
        );
        assert_ne!(key.0.seal.expose_secret(), &master);
        assert_eq!(key.id().to_string().len(), 16);
    }

    #[test]
    fn fingerprints_tell_fields_apart() {
        let key = EncryptionKey::generate();
        assert_eq!(key.fingerprint(&["a", "b"]), key.fingerprint(&["a", "b"]));
        assert_ne!(key.fingerprint(&["ab", "c"]), key.fingerprint(&["a", "bc"]));
        assert_ne!(
            key.fingerprint(&["a"]),
            EncryptionKey::generate().fingerprint(&["a"])
        );
    }

    #[test]
    fn key_files_are_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap_or_else(|_| unreachable!());
        let path = dir.path().join("keys/demo.key");
        let created = EncryptionKey::read_or_create(&path).map(|k| k.id());
        let read = EncryptionKey::read(&path).map(|k| k.id());
        assert_eq!(created.ok(), read.ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777);
            assert_eq!(mode.ok(), Some(0o600));
        }
        assert!(
            !format!("{:?}", EncryptionKey::read(&path))
                .contains(&std::fs::read_to_string(&path).unwrap_or_default()[..16])
        );
        for bad in [
            "not hex",
            &"g".repeat(64),
            &"a".repeat(62),
            "ü".repeat(32).as_str(),
        ] {
            std::fs::write(&path, bad).unwrap_or_default();
            assert!(
                matches!(EncryptionKey::read(&path), Err(KeyError::Malformed(_))),
                "{bad}"
            );
        }
    }
}
