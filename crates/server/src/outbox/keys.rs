//! Webhook secrets: made (`whsec_` + base64 of 24 random bytes), sealed with the server's key
//! (ChaCha20-Poly1305) before the store sees them, opened only to sign, and the signature of
//! the Standard Webhooks convention over `{id}.{timestamp}.{body}`.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The environment variable that may hold the key (base64 of 32 bytes) on every node.
pub const KEY_ENV: &str = "WEIQUAN_WEBHOOK_KEY";
/// The file in the data dir that holds it otherwise (made on first start).
pub const KEY_FILE: &str = "webhook.key";

/// The key secrets are sealed with. A database read alone reveals no secret: it is not in the
/// database.
#[derive(Clone)]
pub struct Keyring {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring(…)")
    }
}

impl Keyring {
    pub fn from_bytes(key: &[u8; 32]) -> Self {
        Keyring {
            cipher: ChaCha20Poly1305::new(Key::from_slice(key)),
        }
    }

    /// A key for this process only (tests; a server without a data dir).
    pub fn ephemeral() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self::from_bytes(&key)
    }

    /// The key from `WEIQUAN_WEBHOOK_KEY`, else from `DATA_DIR/webhook.key`, made there (owner
    /// read-only) on first start. Nodes sharing a PostgreSQL database must share the key.
    pub fn load(data_dir: &Path) -> std::io::Result<Self> {
        let invalid =
            |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
        if let Ok(text) = std::env::var(KEY_ENV) {
            let bytes = B64
                .decode(text.trim())
                .map_err(|_| invalid("WEIQUAN_WEBHOOK_KEY is not base64"))?;
            let key: [u8; 32] = bytes
                .try_into()
                .map_err(|_| invalid("WEIQUAN_WEBHOOK_KEY must be 32 bytes"))?;
            return Ok(Self::from_bytes(&key));
        }
        let path = data_dir.join(KEY_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let bytes = B64
                    .decode(text.trim())
                    .map_err(|_| invalid("webhook.key is not base64"))?;
                let key: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| invalid("webhook.key must hold 32 bytes"))?;
                Ok(Self::from_bytes(&key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(data_dir)?;
                let mut key = [0u8; 32];
                rand::rng().fill_bytes(&mut key);
                write_private(&path, B64.encode(key).as_bytes())?;
                Ok(Self::from_bytes(&key))
            }
            Err(e) => Err(e),
        }
    }

    /// The nonce, then the ciphertext and its tag.
    pub fn seal(&self, secret: &str) -> Vec<u8> {
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let mut out = nonce.to_vec();
        out.extend(
            self.cipher
                .encrypt(&nonce, secret.as_bytes())
                .expect("sealing a short secret cannot fail"),
        );
        out
    }

    /// `None` when the bytes were not sealed with this key.
    pub fn open(&self, sealed: &[u8]) -> Option<String> {
        if sealed.len() < 12 {
            return None;
        }
        let (nonce, ct) = sealed.split_at(12);
        let plain = self.cipher.decrypt(Nonce::from_slice(nonce), ct).ok()?;
        String::from_utf8(plain).ok()
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)?.write_all(bytes)
}

/// A new endpoint secret, shown to the admin once.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    format!("whsec_{}", B64.encode(bytes))
}

/// `v1,<base64 HMAC-SHA256>` of `{id}.{timestamp}.{body}` with one secret; `None` for a secret
/// that is not `whsec_` + base64.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = B64.decode(secret.strip_prefix("whsec_")?).ok()?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Some(format!("v1,{}", B64.encode(mac.finalize().into_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key() {
        let k = Keyring::ephemeral();
        let s = new_secret();
        let sealed = k.seal(&s);
        assert!(!String::from_utf8_lossy(&sealed).contains(&s[6..]));
        assert_eq!(k.open(&sealed).as_deref(), Some(s.as_str()));
        assert_eq!(Keyring::ephemeral().open(&sealed), None);
    }

    /// The example of the Standard Webhooks specification.
    #[test]
    fn signs_as_the_specification_does() {
        let sig = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(
            sig.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }
}
