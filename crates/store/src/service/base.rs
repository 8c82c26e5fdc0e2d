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
    pub(super) driver: Arc<D>,
    pub(super) blobs: BlobStore,
    pub(crate) policy: Arc<Policy>,
    pub(crate) windows: Arc<Windows>,
    /// Bumped after each commit on this node that wrote notifications (or marked them read).
    pub(crate) inbox: Arc<tokio::sync::watch::Sender<u64>>,
    /// Woken after each commit on this node that queued outbox messages: the dispatcher need
    /// not wait for its next round to send them.
    pub(crate) queued: Arc<tokio::sync::Notify>,
    /// Told when a complaint filed here has committed: its collective assignment is due.
    pub(super) filed: Arc<tokio::sync::Notify>,
    /// Which webhook types are subscribed to, as this node last read them.
    pub(crate) hooks: Arc<crate::db::Subscriptions>,
    /// Filings waiting to be made together (`intake`).
    pub(super) intake: Arc<super::intake::Intake>,
    /// Sessions as this node last read them.
    pub(super) sessions: super::sessions::Sessions,
}

impl<D> Service<D> {
    pub(crate) fn new(driver: D, blobs: BlobStore, policy: Policy) -> Self {
        Service {
            driver: Arc::new(driver),
            blobs,
            policy: Arc::new(policy),
            windows: Arc::default(),
            inbox: Arc::new(tokio::sync::watch::Sender::new(0)),
            queued: Arc::new(tokio::sync::Notify::new()),
            filed: Arc::default(),
            hooks: Arc::default(),
            intake: Arc::default(),
            sessions: Default::default(),
        }
    }

    /// What an intake lane needs, owned (`intake`).
    pub(super) fn lane(&self) -> super::intake::Lane<D> {
        super::intake::Lane {
            driver: self.driver.clone(),
            policy: self.policy.clone(),
            mail: self.mails(),
            hooks: self.hooks.clone(),
            intake: self.intake.clone(),
        }
    }

    /// Whether this store's writes e-mail their notifications too.
    pub(crate) fn mails(&self) -> bool {
        self.policy.smtp.is_some()
    }

    /// A committed write's result; wakes whoever waits for what it wrote on this node: the
    /// unread counts for notifications, the dispatcher for outbox messages, the collective
    /// drain for filings; and forgets the webhook subscriptions an endpoint's change made stale.
    pub(crate) fn committed<T>(&self, (out, wrote): (T, crate::db::Wrote)) -> T {
        if wrote.notified {
            self.inbox.send_modify(|n| *n = n.wrapping_add(1));
        }
        if wrote.queued {
            self.queued.notify_one();
        }
        if wrote.filed {
            self.filed.notify_one();
        }
        if wrote.hooks_changed {
            self.hooks.clear();
        }
        if wrote.sessions_changed {
            self.sessions.clear();
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

/// One write transaction: `write!(self, |tx| body)` — every write of the store goes through it
/// (or through [`write_on!`], which it is).
macro_rules! write {
    ($self:ident, |$tx:ident| $body:expr) => {
        write!($self, Durable, |$tx| $body)
    };
    ($self:ident, $durability:ident, |$tx:ident| $body:expr) => {{
        crate::service::write_on!(
            $self.driver(),
            $self.mails(),
            $self.hooks.clone(),
            $durability,
            |$tx| $body
        )
        .map(|done| $self.committed(done))
    }};
}

/// One write transaction on `driver`: the transaction learns whether notifications are e-mailed
/// and which webhook types are subscribed to; the body's held writes go before the commit. The
/// result comes with what it wrote, for [`Service::committed`] to wake this node's watchers.
macro_rules! write_on {
    ($driver:expr, $mail:expr, $hooks:expr, $durability:ident, |$tx:ident| $body:expr) => {{
        let mail = $mail;
        let hooks = $hooks;
        $driver
            .write(crate::db::Durability::$durability, move |$tx| {
                Box::pin(async move {
                    $tx.set_mail(mail);
                    $tx.set_hooks(hooks);
                    let out = $body.await?;
                    // What the body held back goes before the commit.
                    $tx.flush().await?;
                    Ok((out, $tx.wrote()))
                })
            })
            .await
    }};
}
pub(crate) use write;
pub(crate) use write_on;
