//! Evidence files, content-addressed by SHA-256 on the local disk.
//!
//! A blob is written to a temporary file in the same directory tree, fsynced, renamed to its
//! digest and the directory fsynced: once `put` returns, the bytes survive a crash, and a reader
//! never sees half a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use weiquan_domain::{EvidenceKind, Sha256};

use crate::error::{Result, StoreError};

/// The default cap on one upload: 20 MiB.
pub const DEFAULT_MAX_BLOB: u64 = 20 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
    max_size: u64,
}

impl BlobStore {
    pub fn open(root: impl Into<PathBuf>, max_size: u64) -> Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(BlobStore { root, max_size })
    }

    pub fn max_size(&self) -> u64 {
        self.max_size
    }

    fn path_of(&self, sha: &Sha256) -> PathBuf {
        let h = sha.as_str();
        self.root.join(&h[..2]).join(&h[2..4]).join(h)
    }

    /// Stores bytes durably and returns their digest. Blocking: call from a blocking thread.
    pub fn put(&self, bytes: &[u8]) -> Result<Sha256> {
        if bytes.len() as u64 > self.max_size {
            return Err(StoreError::TooLarge {
                size: bytes.len() as u64,
                limit: self.max_size,
            });
        }
        let sha = Sha256::of(bytes);
        let dest = self.path_of(&sha);
        if dest.exists() {
            return Ok(sha);
        }
        let dir = dest.parent().expect("blob paths have a parent");
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(self.root.join("tmp"))?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist(&dest).map_err(|e| StoreError::Io(e.error))?;
        sync_dir(dir)?;
        Ok(sha)
    }

    /// Reads a blob back. Blocking.
    pub fn get(&self, sha: &Sha256) -> Result<Vec<u8>> {
        Ok(std::fs::read(self.path_of(sha))?)
    }

    /// Re-reads a blob and checks its digest. Blocking.
    pub fn verify(&self, sha: &Sha256) -> std::result::Result<(), String> {
        match std::fs::read(self.path_of(sha)) {
            Ok(bytes) if Sha256::of(&bytes) == *sha => Ok(()),
            Ok(_) => Err(format!("blob {sha}: content does not match its SHA-256")),
            Err(e) => Err(format!("blob {sha}: cannot be read ({e})")),
        }
    }
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Decides an upload's content type from its bytes, never from its name, and checks that it fits
/// the evidence kind claimed. Accepted: images, videos, PDF and plain UTF-8 text.
pub fn sniff(bytes: &[u8], kind: EvidenceKind) -> Result<&'static str> {
    let refuse = |zh: String, en: String| Err(StoreError::UnsupportedMedia { zh, en });
    if bytes.is_empty() {
        return refuse("文件是空的".into(), "the file is empty".into());
    }
    let detected = infer::get(bytes).map(|t| (t.mime_type(), t.matcher_type()));
    let mime = match detected {
        Some((mime, infer::MatcherType::Image | infer::MatcherType::Video)) => mime,
        Some(("application/pdf", _)) => "application/pdf",
        Some((mime, _)) => {
            return refuse(
                format!("不支持的文件类型（{mime}）：请上传图片、视频、PDF或纯文本"),
                format!(
                    "unsupported file type ({mime}): upload an image, a video, a PDF or plain text"
                ),
            );
        }
        None if looks_like_text(bytes) => "text/plain; charset=utf-8",
        None => {
            return refuse(
                "无法识别的文件类型：请上传图片、视频、PDF或纯文本".into(),
                "unrecognised file type: upload an image, a video, a PDF or plain text".into(),
            );
        }
    };
    let fits = match kind {
        EvidenceKind::Photo => mime.starts_with("image/"),
        EvidenceKind::Video => mime.starts_with("video/"),
        EvidenceKind::ChatLog | EvidenceKind::TransactionRecord | EvidenceKind::Other => true,
    };
    if !fits {
        return refuse(
            format!("文件内容是 {mime}，与所选类型“{}”不符", kind.label_zh()),
            format!("the file is {mime}, which is not a {kind}"),
        );
    }
    Ok(mime)
}

fn looks_like_text(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(s) => !s
            .chars()
            .any(|c| c == '\0' || (c.is_control() && !c.is_whitespace())),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R',
    ];

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(PNG, EvidenceKind::Photo).unwrap(), "image/png");
        assert!(sniff(b"%PDF-1.7\n...", EvidenceKind::Photo).is_err());
        assert_eq!(
            sniff(b"%PDF-1.7\n...", EvidenceKind::TransactionRecord).unwrap(),
            "application/pdf"
        );
        assert!(
            sniff("聊天记录：商家说不退".as_bytes(), EvidenceKind::ChatLog)
                .unwrap()
                .starts_with("text/plain")
        );
        // An executable named photo.jpg is still an executable.
        assert!(
            sniff(
                b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0",
                EvidenceKind::Photo
            )
            .is_err()
        );
        assert!(sniff(b"PK\x03\x04zipzipzip", EvidenceKind::Other).is_err());
        assert!(sniff(&[0xff, 0xfe, 0x00, 0x01], EvidenceKind::Other).is_err());
        assert!(sniff(b"", EvidenceKind::Other).is_err());
    }

    #[test]
    fn put_get_verify() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path(), 1024).unwrap();
        let sha = store.put(b"hello").unwrap();
        assert_eq!(sha, Sha256::of(b"hello"));
        assert_eq!(store.get(&sha).unwrap(), b"hello");
        assert!(store.verify(&sha).is_ok());
        assert_eq!(store.put(b"hello").unwrap(), sha, "idempotent");
        std::fs::write(store.path_of(&sha), b"tampered").unwrap();
        assert!(store.verify(&sha).unwrap_err().contains(sha.as_str()));
        assert!(matches!(
            store.put(&[0u8; 2048]),
            Err(StoreError::TooLarge { .. })
        ));
    }
}
