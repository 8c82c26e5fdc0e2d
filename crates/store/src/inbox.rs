//! The inbox's side of the store: a user's notifications and settings, the reminders the
//! deadline loop sends, and this node's wake-up for unread counts. A supertrait of [`Store`]
//! (`crate::Store`), implemented once over every backend's driver like it.

use async_trait::async_trait;
use tokio::sync::watch;
use weiquan_domain::access;
use weiquan_domain::*;

use crate::accounts::{self, Settings};
use crate::db::{Driver, Read};
use crate::error::Result;
use crate::model::Page;
use crate::notices::{self, Notification};
use crate::service::{Service, write};
use crate::timers::{self, DueReminder};

#[async_trait]
pub trait Inbox: Send + Sync {
    /// The caller's notifications, newest first, before the id `before`.
    async fn notifications(
        &self,
        actor: &Actor,
        unread_only: bool,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Page<Notification>>;
    async fn unread_count(&self, actor: &Actor) -> Result<i64>;
    /// Marks the caller's own notifications read (`None`: all); how many changed. Ids of
    /// others' notifications change nothing.
    async fn mark_read(&self, actor: &Actor, ids: Option<Vec<i64>>, now: Timestamp) -> Result<u64>;
    /// Changes after every commit on this node that wrote notifications or marked them read.
    /// Other nodes' are not seen here: a watcher also looks again every few seconds.
    fn inbox_changes(&self) -> watch::Receiver<u64>;
    async fn settings(&self, actor: &Actor) -> Result<Settings>;
    /// Changes the caller's settings; only a consumer may volunteer for the public jury.
    async fn set_settings(
        &self,
        actor: &Actor,
        settings: Settings,
        now: Timestamp,
    ) -> Result<Settings>;
    /// Reminders before deadlines that have fallen due.
    async fn due_reminders(&self, now: Timestamp, limit: u32) -> Result<Vec<DueReminder>>;
    /// Sends one reminder unless another node did, or its deadline is met or due.
    async fn send_reminder(&self, reminder: &DueReminder, now: Timestamp) -> Result<bool>;
}

#[async_trait]
impl<D: Driver> Inbox for Service<D> {
    async fn notifications(
        &self,
        actor: &Actor,
        unread_only: bool,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Page<Notification>> {
        let user = access::own_inbox(actor);
        let items = self
            .driver()
            .read(Read::Point, move |tx| {
                Box::pin(async move { notices::list(tx, user, unread_only, before, limit).await })
            })
            .await?;
        let next_cursor = (items.len() == limit as usize)
            .then(|| items.last().map(|n| n.id.to_string()))
            .flatten();
        Ok(Page { items, next_cursor })
    }

    async fn unread_count(&self, actor: &Actor) -> Result<i64> {
        let user = access::own_inbox(actor);
        self.driver()
            .read(Read::Point, move |tx| {
                Box::pin(async move { notices::unread(tx, user).await })
            })
            .await
    }

    async fn mark_read(&self, actor: &Actor, ids: Option<Vec<i64>>, now: Timestamp) -> Result<u64> {
        let user = access::own_inbox(actor);
        write!(self, |tx| notices::mark_read(tx, user, ids, now))
    }

    fn inbox_changes(&self) -> watch::Receiver<u64> {
        self.inbox.subscribe()
    }

    async fn settings(&self, actor: &Actor) -> Result<Settings> {
        let user = access::own_inbox(actor);
        self.driver()
            .read(Read::Point, move |tx| {
                Box::pin(async move { accounts::settings(tx, user).await })
            })
            .await
    }

    async fn set_settings(
        &self,
        actor: &Actor,
        settings: Settings,
        now: Timestamp,
    ) -> Result<Settings> {
        let user = access::own_inbox(actor);
        if settings.juror {
            weiquan_domain::jury::check_volunteer(actor)?;
        }
        write!(self, |tx| accounts::set_settings(tx, user, settings, now))
    }

    async fn due_reminders(&self, now: Timestamp, limit: u32) -> Result<Vec<DueReminder>> {
        self.driver()
            .read(Read::Point, move |tx| {
                Box::pin(async move { timers::due_reminders(tx, now, limit).await })
            })
            .await
    }

    async fn send_reminder(&self, reminder: &DueReminder, now: Timestamp) -> Result<bool> {
        let reminder = reminder.clone();
        let policy = self.policy.clone();
        write!(self, |tx| timers::send_reminder(
            tx, &reminder, &policy, now
        ))
    }
}
