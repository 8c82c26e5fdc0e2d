//! The [`Service`] itself (a backend's driver, the blobs, the policy, this node's collective
//! windows) and the two shapes of its work, `read!` and `write!`.

use std::sync::Arc;

use weiquan_domain::*;

use crate::blob::BlobStore;
use crate::collective::Windows;
use crate::error::Result;
use crate::model::*;

/// weiquan's store on one backend: the driver's connections, the evidence files, the policy and
/// this node's collective windows.
pub struct Service<D> {
    pub(super) driver: D,
    pub(super) blobs: BlobStore,
    pub(crate) policy: Arc<Policy>,
    pub(crate) windows: Arc<Windows>,
    /// Bumped after each commit on this node that wrote notifications (or marked them read).
    pub(crate) inbox: Arc<tokio::sync::watch::Sender<u64>>,
}

impl<D> Service<D> {
    pub(crate) fn new(driver: D, blobs: BlobStore, policy: Policy) -> Self {
        Service {
            driver,
            blobs,
            policy: Arc::new(policy),
            windows: Arc::default(),
            inbox: Arc::new(tokio::sync::watch::Sender::new(0)),
        }
    }

    /// A committed write's result; if it wrote notifications, wakes whoever watches this
    /// node's unread counts.
    pub(crate) fn committed<T>(&self, (out, notified): (T, bool)) -> T {
        if notified {
            self.inbox.send_modify(|n| *n = n.wrapping_add(1));
        }
        out
    }

    pub(crate) fn driver(&self) -> &D {
        &self.driver
    }

    /// Keeps evidence in another blob store (an S3-compatible bucket that several nodes share).
    pub fn with_blobs(mut self, blobs: BlobStore) -> Self {
        self.blobs = blobs;
        self
    }

    /// A file and its bytes: those the database keeps, else the blob store's.
    pub(super) async fn with_bytes(
        &self,
        (ev, inline): (Evidence, Option<Vec<u8>>),
    ) -> Result<(Evidence, Vec<u8>)> {
        let bytes = match inline {
            Some(b) => b,
            None => self.blobs.get(&ev.sha256).await?,
        };
        Ok((ev, bytes))
    }
}

/// One read: `read!(self, Point, |tx| body)`, `body` an expression of the captured values.
macro_rules! read {
    ($self:ident, $kind:ident, |$tx:ident| $body:expr) => {
        $self
            .driver
            .read(Read::$kind, move |$tx| Box::pin(async move { $body.await }))
            .await
    };
}

/// One write transaction: `write!(self, |tx| body)`; once it commits, a transaction that wrote
/// notifications wakes this node's unread counts.
macro_rules! write {
    ($self:ident, |$tx:ident| $body:expr) => {
        write!($self, Durable, |$tx| $body)
    };
    ($self:ident, $durability:ident, |$tx:ident| $body:expr) => {
        $self
            .driver
            .write(Durability::$durability, move |$tx| {
                Box::pin(async move { Ok(($body.await?, $tx.notified())) })
            })
            .await
            .map(|done| $self.committed(done))
    };
}
