//! The platform's signing key: Ed25519, its 32-byte seed kept as base64 in a file outside the
//! database (`DATA_DIR/platform.key`, owner read-only, made on first use; or a file named by
//! `--platform-key` / `WEIQUAN_PLATFORM_KEY_FILE` that every node sharing PostgreSQL reads). Its
//! public half, as 64 hex digits, is what `weiquan audit key` prints and bundles carry.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use rand::RngCore;
use weiquan_domain::bundle::{ALGORITHM, SignatureFile};

/// The file in the data dir that holds the key unless another is named.
pub const KEY_FILE: &str = "platform.key";
/// The environment variable that may name the key's file (as `--platform-key` does).
pub const KEY_FILE_ENV: &str = "WEIQUAN_PLATFORM_KEY_FILE";

/// The key bundles are signed with.
#[derive(Clone)]
pub struct PlatformKey {
    signing: SigningKey,
}

impl std::fmt::Debug for PlatformKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PlatformKey({})", self.public_hex())
    }
}

fn invalid(why: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, why)
}

impl PlatformKey {
    /// A key for this process only (tests; a server started without a data dir's key).
    pub fn ephemeral() -> Self {
        let mut seed = [0u8; 32];
        rand::rng().fill_bytes(&mut seed);
        PlatformKey {
            signing: SigningKey::from_bytes(&seed),
        }
    }

    /// The node's key: from `file` when one is named (it must exist: nodes that share a
    /// database must not each make their own), else `DATA_DIR/platform.key`, made on first use.
    pub fn for_node(data_dir: &Path, file: Option<&Path>) -> std::io::Result<Self> {
        match file {
            Some(f) => Self::read(f).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!(
                        "platform key {}: {e} (make one with `weiquan audit key --new FILE`)",
                        f.display()
                    ),
                )
            }),
            None => Self::read_or_create(&data_dir.join(KEY_FILE)),
        }
    }

    /// The path the node's key is read from.
    pub fn path_for_node(data_dir: &Path, file: Option<&Path>) -> PathBuf {
        file.map_or_else(|| data_dir.join(KEY_FILE), Path::to_path_buf)
    }

    /// Reads a key file.
    pub fn read(path: &Path) -> std::io::Result<Self> {
        let text = std::fs::read_to_string(path)?;
        let seed: [u8; 32] = B64
            .decode(text.trim())
            .map_err(|_| invalid(format!("{} is not base64", path.display())))?
            .try_into()
            .map_err(|_| invalid(format!("{} must hold 32 bytes", path.display())))?;
        Ok(PlatformKey {
            signing: SigningKey::from_bytes(&seed),
        })
    }

    /// Makes a new key in a file that must not exist yet (owner read-only).
    pub fn create(path: &Path) -> std::io::Result<Self> {
        let key = Self::ephemeral();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        write_private(
            path,
            format!("{}\n", B64.encode(key.signing.to_bytes())).as_bytes(),
        )?;
        Ok(key)
    }

    /// Reads the key, making it first if the file does not exist (another process making it at
    /// the same moment wins, and its key is read).
    pub fn read_or_create(path: &Path) -> std::io::Result<Self> {
        match Self::read(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match Self::create(path) {
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Self::read(path),
                made => made,
            },
            read => read,
        }
    }

    /// The public key, 64 hex digits.
    pub fn public_hex(&self) -> String {
        hex::encode(self.signing.verifying_key().to_bytes())
    }

    /// `manifest.sig` for a manifest's bytes.
    pub fn sign(&self, manifest: &[u8]) -> SignatureFile {
        SignatureFile {
            algorithm: ALGORITHM.to_owned(),
            public_key: self.public_hex(),
            signature: hex::encode(self.signing.sign(manifest).to_bytes()),
        }
    }
}

/// A public key from its 64 hex digits (what `weiquan audit key` prints).
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, String> {
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| "a public key is 64 hex digits".to_owned())?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| "not an Ed25519 public key".to_owned())
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let made = PlatformKey::for_node(dir.path(), None).unwrap();
        let again = PlatformKey::for_node(dir.path(), None).unwrap();
        assert_eq!(made.public_hex(), again.public_hex());
        assert_eq!(made.public_hex().len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A named file is never made on the fly.
        let named = dir.path().join("shared.key");
        assert!(PlatformKey::for_node(dir.path(), Some(&named)).is_err());
        let shared = PlatformKey::create(&named).unwrap();
        assert!(PlatformKey::create(&named).is_err(), "never overwritten");
        assert_eq!(
            PlatformKey::for_node(dir.path(), Some(&named))
                .unwrap()
                .public_hex(),
            shared.public_hex()
        );
        assert_ne!(shared.public_hex(), made.public_hex());
    }

    #[test]
    fn a_signature_verifies_with_the_printed_key_only() {
        use ed25519_dalek::{Signature, Verifier};
        let key = PlatformKey::ephemeral();
        let sig = key.sign(b"manifest");
        let public = parse_public_key(&sig.public_key).unwrap();
        let bytes: [u8; 64] = hex::decode(&sig.signature).unwrap().try_into().unwrap();
        let signature = Signature::from_bytes(&bytes);
        assert!(public.verify(b"manifest", &signature).is_ok());
        assert!(public.verify(b"manifesT", &signature).is_err());
        assert!(parse_public_key("abc").is_err());
    }
}
