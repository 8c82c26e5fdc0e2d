//! The archive as it is written: the snapshot's pieces as they come, then each blob streamed in
//! chunks (hashed on the way, so a damaged blob stops the export instead of entering a signed
//! bundle), then the manifest and its signature.

use std::collections::{BTreeMap, HashMap};

use futures::StreamExt;
use sha2::{Digest, Sha256 as Hasher};
use tokio::io::AsyncWrite;
use tokio::sync::mpsc::Receiver;
use weiquan_domain::bundle::{ChainHead, Entry, FORMAT, MANIFEST, Manifest, Part, SIGNATURE};
use weiquan_domain::*;

use super::collect::Piece;
use super::tar::TarOut;
use super::{BundleSummary, ExportTicket, PlatformKey};
use crate::blob::BlobStore;
use crate::error::{Result, StoreError};

pub(crate) struct Writer<'o> {
    tar: TarOut<'o>,
    entries: Vec<Entry>,
    /// Where each path is in `entries`: a file held by several subjects is written once.
    index: HashMap<String, usize>,
    chains: Vec<ChainHead>,
    /// Blob evidence to stream after the snapshot, with whose it is (in digest order).
    blobs: BTreeMap<Sha256, Vec<String>>,
    summary: BundleSummary,
}

fn digest_hex(bytes: &[u8]) -> String {
    hex::encode(Hasher::digest(bytes))
}

impl<'o> Writer<'o> {
    pub(crate) fn new(out: &'o mut (dyn AsyncWrite + Send + Unpin), ticket: &ExportTicket) -> Self {
        let mtime = u64::try_from(ticket.at.timestamp()).unwrap_or(0);
        Writer {
            tar: TarOut::new(out, mtime),
            entries: Vec::new(),
            index: HashMap::new(),
            chains: Vec::new(),
            blobs: BTreeMap::new(),
            summary: BundleSummary::default(),
        }
    }

    /// Writes the snapshot's pieces until the reader is done.
    pub(crate) async fn take(&mut self, mut pieces: Receiver<Piece>) -> Result<()> {
        while let Some(p) = pieces.recv().await {
            self.piece(p).await?;
        }
        Ok(())
    }

    /// Another subject holding a file already listed.
    fn held_already(&mut self, path: &str, of: &str) -> bool {
        match self.index.get(path) {
            Some(&i) => {
                self.entries[i].of.push(of.to_owned());
                true
            }
            None => false,
        }
    }

    fn list(&mut self, path: String, sha256: String, size: u64, of: Vec<String>) {
        self.index.insert(path.clone(), self.entries.len());
        self.entries.push(Entry {
            path,
            sha256,
            size,
            of,
        });
    }

    async fn piece(&mut self, piece: Piece) -> Result<()> {
        match piece {
            Piece::File { part, bytes, chain } => {
                let path = part.path();
                self.tar.file(&path, &bytes).await?;
                match chain {
                    Some(head) => {
                        self.summary.events += head.events as u64;
                        self.chains.push(head);
                    }
                    None => self.summary.records += 1,
                }
                self.list(path, digest_hex(&bytes), bytes.len() as u64, vec![]);
            }
            Piece::Inline { sha, bytes, of } => {
                let path = Part::Evidence(sha.clone()).path();
                if self.held_already(&path, &of) {
                    return Ok(());
                }
                if Sha256::of(&bytes) != sha {
                    return Err(damaged(&sha, &of));
                }
                self.tar.file(&path, &bytes).await?;
                self.summary.evidence += 1;
                self.summary.evidence_bytes += bytes.len() as u64;
                self.list(path, sha.to_string(), bytes.len() as u64, vec![of]);
            }
            Piece::Blob { sha, of } => {
                let path = Part::Evidence(sha.clone()).path();
                if !self.held_already(&path, &of) {
                    self.blobs.entry(sha).or_default().push(of);
                }
            }
        }
        Ok(())
    }

    /// Streams every blob named, each in chunks.
    pub(crate) async fn blobs(&mut self, store: &BlobStore) -> Result<()> {
        for (sha, of) in std::mem::take(&mut self.blobs) {
            let path = Part::Evidence(sha.clone()).path();
            if let Some(&i) = self.index.get(&path) {
                self.entries[i].of.extend(of);
                continue;
            }
            let (size, mut chunks) = store.read_chunks(&sha).await?;
            self.tar.header(&path, size).await?;
            let mut hasher = Hasher::new();
            let mut read = 0u64;
            while let Some(chunk) = chunks.next().await {
                let chunk = chunk?;
                read += chunk.len() as u64;
                if read > size {
                    return Err(damaged(&sha, &of[0]));
                }
                hasher.update(&chunk);
                self.tar.data(&chunk).await?;
            }
            if read != size || Sha256::from_digest(hasher.finalize().into()) != sha {
                return Err(damaged(&sha, &of[0]));
            }
            self.tar.pad(size).await?;
            self.summary.evidence += 1;
            self.summary.evidence_bytes += size;
            self.list(path, sha.to_string(), size, of);
        }
        Ok(())
    }

    /// The manifest, signed, and the archive's end.
    pub(crate) async fn finish(
        mut self,
        ticket: &ExportTicket,
        key: &PlatformKey,
    ) -> Result<BundleSummary> {
        let manifest = Manifest {
            format: FORMAT.to_owned(),
            scope: ticket.scope.name(),
            exported_at: ticket.at,
            exported_by: ticket.by.event_name(),
            export_event: ticket.event.clone(),
            chains: std::mem::take(&mut self.chains),
            entries: std::mem::take(&mut self.entries),
        };
        let bytes = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| StoreError::Corrupt(format!("manifest: {e}")))?;
        let signature = key.sign(&bytes);
        let sig = serde_json::to_vec_pretty(&signature)
            .map_err(|e| StoreError::Corrupt(format!("signature: {e}")))?;
        self.tar.file(MANIFEST, &bytes).await?;
        self.tar.file(SIGNATURE, &sig).await?;
        let mut summary = self.summary;
        summary.chains = manifest.chains.len();
        summary.manifest_sha256 = digest_hex(&bytes);
        summary.public_key = signature.public_key;
        summary.bytes = self.tar.finish().await?;
        Ok(summary)
    }
}

/// A file the store holds whose bytes no longer match their digest: nothing that `audit verify`
/// would call intact goes into a signed bundle.
fn damaged(sha: &Sha256, of: &str) -> StoreError {
    StoreError::Corrupt(format!(
        "evidence {sha} of {of} does not match its SHA-256 in the store; run `weiquan audit verify`"
    ))
}
