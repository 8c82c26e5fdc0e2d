//! Evidence files, content-addressed by SHA-256, through the `object_store` crate: a local
//! directory by default (written to a staging file, fsynced, renamed, the directory fsynced, so
//! that once `put` returns the bytes survive a crash and no reader sees half a file), or an
//! S3-compatible bucket that several nodes share.

use std::sync::Arc;

use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};
use weiquan_domain::{EvidenceKind, Lang, Sha256};

use crate::error::{Result, StoreError};

/// The default cap on one upload: 20 MiB.
pub const DEFAULT_MAX_BLOB: u64 = 20 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct BlobStore {
    store: Arc<dyn ObjectStore>,
    max_size: u64,
}

fn object_error(e: object_store::Error) -> StoreError {
    // A full disk under local blobs is told apart (507) from a store out of reach (503).
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(s) = source {
        if s.downcast_ref::<std::io::Error>()
            .is_some_and(crate::error::io_is_full)
        {
            return StoreError::Full(format!("blob store: {e}"));
        }
        source = s.source();
    }
    StoreError::Unavailable(format!("blob store: {e}"))
}

impl BlobStore {
    /// Blobs in a local directory.
    pub fn open(root: impl AsRef<std::path::Path>, max_size: u64) -> Result<Self> {
        std::fs::create_dir_all(root.as_ref())?;
        let local = LocalFileSystem::new_with_prefix(root.as_ref())
            .map_err(object_error)?
            .with_fsync(true);
        Ok(BlobStore {
            store: Arc::new(local),
            max_size,
        })
    }

    /// Blobs in an S3-compatible bucket, `s3://BUCKET[/PREFIX]`; credentials, region and endpoint
    /// come from the usual `AWS_*` environment variables (`AWS_ENDPOINT` for non-AWS services).
    pub fn open_s3(url: &str, max_size: u64) -> Result<Self> {
        let (bucket_url, prefix) = match url
            .strip_prefix("s3://")
            .and_then(|rest| rest.split_once('/'))
        {
            Some((bucket, prefix)) => (
                format!("s3://{bucket}"),
                prefix.trim_matches('/').to_owned(),
            ),
            None => (url.to_owned(), String::new()),
        };
        let s3 = object_store::aws::AmazonS3Builder::from_env()
            .with_url(bucket_url)
            .build()
            .map_err(object_error)?;
        let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(object_store::prefix::PrefixStore::new(s3, prefix))
        };
        Ok(BlobStore { store, max_size })
    }

    pub fn max_size(&self) -> u64 {
        self.max_size
    }

    fn path_of(sha: &Sha256) -> ObjectPath {
        let h = sha.as_str();
        ObjectPath::from(format!("{}/{}/{}", &h[..2], &h[2..4], h))
    }

    /// Stores bytes durably and returns their digest.
    pub async fn put(&self, bytes: Vec<u8>) -> Result<Sha256> {
        if bytes.len() as u64 > self.max_size {
            return Err(StoreError::TooLarge {
                size: bytes.len() as u64,
                limit: self.max_size,
            });
        }
        let sha = Sha256::of(&bytes);
        let path = Self::path_of(&sha);
        match self.store.head(&path).await {
            Ok(_) => return Ok(sha), // the same content is already there
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(object_error(e)),
        }
        self.store
            .put(&path, bytes.into())
            .await
            .map_err(object_error)?;
        Ok(sha)
    }

    /// Writes and deletes a small object: the blob store takes writes (its disk not full,
    /// its bucket reachable).
    pub async fn probe(&self) -> Result<()> {
        let path = ObjectPath::from(format!("health/{}", rand_suffix()));
        self.store
            .put(&path, b"ok".to_vec().into())
            .await
            .map_err(object_error)?;
        self.store.delete(&path).await.map_err(object_error)
    }

    /// Reads a blob back.
    pub async fn get(&self, sha: &Sha256) -> Result<Vec<u8>> {
        let got = self
            .store
            .get(&Self::path_of(sha))
            .await
            .map_err(object_error)?;
        Ok(got.bytes().await.map_err(object_error)?.to_vec())
    }

    /// A blob's size and its bytes as a stream of chunks: a large file copied in bounded memory.
    pub async fn read_chunks(
        &self,
        sha: &Sha256,
    ) -> Result<(
        u64,
        futures::stream::BoxStream<'static, Result<bytes::Bytes>>,
    )> {
        use futures::{StreamExt, TryStreamExt};
        let got = self
            .store
            .get(&Self::path_of(sha))
            .await
            .map_err(object_error)?;
        let size = got.meta.size;
        Ok((size, got.into_stream().map_err(object_error).boxed()))
    }

    /// Re-reads a blob and checks its digest.
    pub async fn verify(&self, sha: &Sha256) -> std::result::Result<(), String> {
        match self.get(sha).await {
            Ok(bytes) if Sha256::of(&bytes) == *sha => Ok(()),
            Ok(_) => Err(format!("blob {sha}: content does not match its SHA-256")),
            Err(e) => Err(format!("blob {sha}: cannot be read ({e})")),
        }
    }
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
            format!(
                "文件内容是 {mime}，与所选类型“{}”不符",
                kind.label(Lang::Zh)
            ),
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

/// A name no other node's probe uses at the same moment (randomly seeded, no clock read).
fn rand_suffix() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(N.fetch_add(1, Ordering::Relaxed));
    format!("{}-{:016x}", std::process::id(), h.finish())
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

    #[tokio::test]
    async fn put_get_verify() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path(), 1024).unwrap();
        let sha = store.put(b"hello".to_vec()).await.unwrap();
        assert_eq!(sha, Sha256::of(b"hello"));
        assert_eq!(store.get(&sha).await.unwrap(), b"hello");
        assert!(store.verify(&sha).await.is_ok());
        assert_eq!(
            store.put(b"hello".to_vec()).await.unwrap(),
            sha,
            "idempotent"
        );
        let h = sha.as_str();
        let file = dir.path().join(&h[..2]).join(&h[2..4]).join(h);
        assert!(file.exists(), "the layout operators see on disk");
        std::fs::write(&file, b"tampered").unwrap();
        assert!(store.verify(&sha).await.unwrap_err().contains(sha.as_str()));
        assert!(matches!(
            store.put(vec![0u8; 2048]).await,
            Err(StoreError::TooLarge { .. })
        ));
    }
}
