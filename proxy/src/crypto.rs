//! Secrets at rest: XChaCha20-Poly1305 with a key from the configuration, and keyed
//! fingerprints that tell "the very same credentials" without storing them.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The 256-bit key secrets are encrypted with. No `Debug` that could print it.
#[derive(Clone)]
pub struct EncryptionKey([u8; 32]);

impl std::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EncryptionKey(<redacted>)")
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

/// Encryption or decryption failed (a wrong key, or a tampered row).
#[derive(Debug, thiserror::Error)]
#[error("the secret could not be decrypted")]
pub struct CryptoError;

impl EncryptionKey {
    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A fresh random key.
    pub fn generate() -> Self {
        Self(rand::random())
    }

    /// Reads a key file of 64 hex digits.
    pub fn read(path: &Path) -> Result<Self, KeyError> {
        let text = std::fs::read_to_string(path).map_err(|source| KeyError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let malformed = || KeyError::Malformed(path.display().to_string());
        let hex = text.trim();
        if hex.len() != 64 {
            return Err(malformed());
        }
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| malformed())?;
        }
        Ok(Self(key))
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
        let hex: String = key.0.iter().map(|b| format!("{b:02x}")).collect();
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

    /// Encrypts `plaintext`, bound to `context` (the row it belongs to): nonce ‖ ciphertext.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let nonce_bytes: [u8; 24] = rand::random();
        let nonce = XNonce::from(nonce_bytes);
        let sealed = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            .map_err(|_| CryptoError)?;
        Ok([nonce_bytes.as_slice(), &sealed].concat())
    }

    /// Decrypts what [`seal`](Self::seal) produced for the same `context`.
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if sealed.len() < 24 {
            return Err(CryptoError);
        }
        let (nonce, ciphertext) = sealed.split_at(24);
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .map_err(|_| CryptoError)
    }

    /// A keyed fingerprint of some fields: equal exactly when the fields are, and useless
    /// to anyone without the key (a secret cannot be guessed from it offline).
    pub fn fingerprint(&self, fields: &[&str]) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        for field in fields {
            // Length-prefixed, so ("ab","c") and ("a","bc") differ.
            mac.update(&(field.len() as u64).to_be_bytes());
            mac.update(field.as_bytes());
        }
        mac.finalize().into_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_row() {
        let key = EncryptionKey::generate();
        let sealed = key.seal(b"s3cret", b"conn_1").unwrap_or_default();
        assert!(!sealed.windows(6).any(|w| w == b"s3cret"));
        assert_eq!(key.open(&sealed, b"conn_1").ok(), Some(b"s3cret".to_vec()));
        assert!(key.open(&sealed, b"conn_2").is_err(), "bound to its row");
        assert!(
            EncryptionKey::generate().open(&sealed, b"conn_1").is_err(),
            "bound to its key"
        );
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
        let created = EncryptionKey::read_or_create(&path).map(|k| k.fingerprint(&["x"]));
        let read = EncryptionKey::read(&path).map(|k| k.fingerprint(&["x"]));
        assert_eq!(created.ok(), read.ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777);
            assert_eq!(mode.ok(), Some(0o600));
        }
        std::fs::write(&path, "not hex").unwrap_or_default();
        assert!(matches!(
            EncryptionKey::read(&path),
            Err(KeyError::Malformed(_))
        ));
    }
}
