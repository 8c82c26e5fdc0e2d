//! The archive's format on the way out: POSIX ustar headers (the `tar` crate's), each file's
//! bytes padded to 512, two zero blocks at the end — written to an async sink as the bytes come,
//! so nothing is held but the current chunk.

use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::error::{Result, StoreError};

const BLOCK: u64 = 512;

pub(crate) struct TarOut<'o> {
    out: &'o mut (dyn AsyncWrite + Send + Unpin),
    mtime: u64,
    written: u64,
}

impl<'o> TarOut<'o> {
    /// Every file dated `mtime` (seconds since the epoch: the export's time).
    pub(crate) fn new(out: &'o mut (dyn AsyncWrite + Send + Unpin), mtime: u64) -> Self {
        TarOut {
            out,
            mtime,
            written: 0,
        }
    }

    /// Starts a file of `size` bytes; its bytes follow through [`TarOut::data`].
    pub(crate) async fn header(&mut self, path: &str, size: u64) -> Result<()> {
        let mut h = tar::Header::new_ustar();
        h.set_path(path)
            .map_err(|e| StoreError::Corrupt(format!("bundle path {path}: {e}")))?;
        h.set_size(size);
        h.set_mode(0o644);
        h.set_mtime(self.mtime);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        self.data(h.as_bytes()).await
    }

    pub(crate) async fn data(&mut self, bytes: &[u8]) -> Result<()> {
        self.out.write_all(bytes).await?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Pads a file of `size` bytes to the next block.
    pub(crate) async fn pad(&mut self, size: u64) -> Result<()> {
        let rest = (BLOCK - size % BLOCK) % BLOCK;
        self.data(&[0u8; BLOCK as usize][..rest as usize]).await
    }

    /// A whole file at once.
    pub(crate) async fn file(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        self.header(path, bytes.len() as u64).await?;
        self.data(bytes).await?;
        self.pad(bytes.len() as u64).await
    }

    /// The end-of-archive marker, flushed; the archive's size.
    pub(crate) async fn finish(mut self) -> Result<u64> {
        self.data(&[0u8; 2 * BLOCK as usize]).await?;
        self.out.flush().await?;
        Ok(self.written)
    }
}
