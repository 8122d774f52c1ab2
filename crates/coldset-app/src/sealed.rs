//! Secrets sealed at rest: the TOTP secrets of accounts are stored encrypted with a key kept
//! outside the database (the binary keeps it in the key directory, beside the ledger
//! signing key), so a copy of the database alone does not give anyone the second factor.
//!
//! ChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`), a fresh random nonce per sealing,
//! and the account name as associated data, so a sealed secret cannot be moved to another
//! account. Stored form: `sealed1:` + base64(nonce || ciphertext). A value without that
//! prefix is an older, plain secret: it is still read, and sealed when next written.

use crate::error::AppError;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

const PREFIX: &str = "sealed1:";

/// The key that seals secrets at rest.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl SecretKey {
    pub fn generate() -> Result<Self, AppError> {
        Ok(SecretKey(crate::access::random_bytes::<32>()?))
    }

    /// The key as hex, for its file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn from_hex(text: &str) -> Result<Self, AppError> {
        let bytes = hex::decode(text.trim()).map_err(|_| AppError::Internal("the secrets key is not hex".into()))?;
        let key: [u8; 32] =
            bytes.try_into().map_err(|_| AppError::Internal("the secrets key is not 32 bytes".into()))?;
        Ok(SecretKey(key))
    }

    /// Seals `secret` for `account`.
    pub fn seal(&self, account: &str, secret: &str) -> Result<String, AppError> {
        let nonce = crate::access::random_bytes::<12>()?;
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.0));
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: secret.as_bytes(), aad: account.as_bytes() })
            .map_err(|_| AppError::Internal("sealing a secret failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(format!("{PREFIX}{}", base64::engine::general_purpose::STANDARD.encode(out)))
    }

    /// Opens a stored value of `account`: sealed ones with this key, older plain ones as they are.
    pub fn open(&self, account: &str, stored: &str) -> Result<String, AppError> {
        let Some(body) = stored.strip_prefix(PREFIX) else { return Ok(stored.to_owned()) };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|_| AppError::Internal(format!("the sealed secret of {account} is damaged")))?;
        if bytes.len() < 12 {
            return Err(AppError::Internal(format!("the sealed secret of {account} is damaged")));
        }
        let (nonce, sealed) = bytes.split_at(12);
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.0));
        let plain = cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad: account.as_bytes() })
            .map_err(|_| {
                AppError::Internal(format!(
                    "the sealed secret of {account} does not open with this installation's secrets key (wrong key \
                     directory?)"
                ))
            })?;
        String::from_utf8(plain).map_err(|_| AppError::Internal(format!("the sealed secret of {account} is damaged")))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_its_account() {
        let key = SecretKey::generate().unwrap();
        let sealed = key.seal("maria", "JBSWY3DPEHPK3PXP").unwrap();
        assert!(sealed.starts_with(PREFIX) && !sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_ne!(sealed, key.seal("maria", "JBSWY3DPEHPK3PXP").unwrap(), "a fresh nonce each time");
        assert_eq!(key.open("maria", &sealed).unwrap(), "JBSWY3DPEHPK3PXP");
        assert!(key.open("dana", &sealed).is_err(), "moved to another account");
        assert!(SecretKey::generate().unwrap().open("maria", &sealed).is_err(), "another key");
        assert_eq!(key.open("maria", "PLAINOLDSECRET").unwrap(), "PLAINOLDSECRET");
        let again = SecretKey::from_hex(&key.to_hex()).unwrap();
        assert_eq!(again.open("maria", &sealed).unwrap(), "JBSWY3DPEHPK3PXP");
    }
}
