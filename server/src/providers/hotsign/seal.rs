//! Hotsign's tokens at rest. The seed: "If you store them in your
//! database, be sure to encrypt them" (tokens) and "make sure to encrypt
//! it" (refresh tokens). Each value is sealed with XChaCha20-Poly1305
//! (RustCrypto's `chacha20poly1305`) under the installation's key, with a
//! fresh random nonce, and bound to what it is (the associated data), so
//! an access token cannot be passed off as a refresh token. The key is
//! `HOTSIGN_TOKEN_KEY` (32 bytes, base64) or a key file made on first use
//! (mode 0600); without it the database alone reveals nothing.

use std::path::Path;

use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
/// Marks the format, so another one can follow.
const PREFIX: &str = "v1:";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error(
        "the Hotsign token key must be 32 bytes in base64 (e.g. from `openssl rand -base64 32`)"
    )]
    BadKey,
    #[error("the Hotsign token key file {0}: {1}")]
    KeyFile(String, String),
    /// Another key, another purpose, or a changed value.
    #[error("a stored Hotsign token cannot be opened with this key")]
    Unreadable,
}

#[derive(Clone)]
pub struct TokenKey(Key);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(***)")
    }
}

impl TokenKey {
    pub fn from_base64(text: &str) -> Result<TokenKey, SealError> {
        let bytes = B64.decode(text.trim()).map_err(|_| SealError::BadKey)?;
        if bytes.len() != 32 {
            return Err(SealError::BadKey);
        }
        Ok(TokenKey(*Key::from_slice(&bytes)))
    }

    pub fn generate() -> TokenKey {
        TokenKey(XChaCha20Poly1305::generate_key(&mut OsRng))
    }

    /// The key in `path`, made there (readable by this user only) when the file is missing.
    pub fn load_or_create(path: &Path) -> Result<TokenKey, SealError> {
        let shown = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => TokenKey::from_base64(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = TokenKey::generate();
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| SealError::KeyFile(shown.clone(), e.to_string()))?;
                }
                let held = crate::private_file::write_once(
                    path,
                    format!("{}\n", B64.encode(key.0)).as_bytes(),
                )
                .map_err(|e| SealError::KeyFile(shown.clone(), e.to_string()))?;
                TokenKey::from_base64(&String::from_utf8_lossy(&held))
            }
            Err(e) => Err(SealError::KeyFile(shown, e.to_string())),
        }
    }

    /// `plaintext` sealed for `purpose` ("access", "refresh").
    pub fn seal(&self, purpose: &str, plaintext: &str) -> String {
        let cipher = XChaCha20Poly1305::new(&self.0);
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: purpose.as_bytes(),
                },
            )
            .expect("encrypting in memory does not fail");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        format!("{PREFIX}{}", B64.encode(out))
    }

    pub fn open(&self, purpose: &str, sealed: &str) -> Result<String, SealError> {
        let raw = sealed
            .strip_prefix(PREFIX)
            .and_then(|b| B64.decode(b).ok())
            .filter(|b| b.len() > 24)
            .ok_or(SealError::Unreadable)?;
        let (nonce, ciphertext) = raw.split_at(24);
        let plain = XChaCha20Poly1305::new(&self.0)
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| SealError::Unreadable)?;
        String::from_utf8(plain).map_err(|_| SealError::Unreadable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_token_opens_only_with_its_key_and_purpose() {
        let key = TokenKey::generate();
        let sealed = key.seal("access", "at_secret_5f2c");
        assert!(sealed.starts_with("v1:"));
        assert!(
            !sealed.contains("at_secret"),
            "the token is not readable in the database"
        );
        assert_eq!(key.open("access", &sealed).unwrap(), "at_secret_5f2c");
        // A fresh nonce each time: the same token never looks the same twice.
        assert_ne!(key.seal("access", "at_secret_5f2c"), sealed);
        assert_eq!(key.open("refresh", &sealed), Err(SealError::Unreadable));
        assert_eq!(
            TokenKey::generate().open("access", &sealed),
            Err(SealError::Unreadable)
        );
        let mut tampered = sealed.clone();
        tampered.replace_range(10..11, if &sealed[10..11] == "A" { "B" } else { "A" });
        assert_eq!(key.open("access", &tampered), Err(SealError::Unreadable));
        assert_eq!(key.open("access", "plain"), Err(SealError::Unreadable));
    }

    #[test]
    fn the_key_comes_from_base64_or_a_private_file_made_once() {
        assert_eq!(
            TokenKey::from_base64("c2hvcnQ=").unwrap_err(),
            SealError::BadKey
        );
        assert_eq!(
            TokenKey::from_base64("not base64!").unwrap_err(),
            SealError::BadKey
        );
        let dir = std::env::temp_dir().join(format!("hotsign-key-{}", uuid::Uuid::new_v4()));
        let path = dir.join("hotsign-token.key");
        let first = TokenKey::load_or_create(&path).unwrap();
        let again = TokenKey::load_or_create(&path).unwrap();
        let sealed = first.seal("refresh", "rt_1");
        assert_eq!(again.open("refresh", &sealed).unwrap(), "rt_1");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(TokenKey::from_base64(&text).is_ok());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
