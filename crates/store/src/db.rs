//! What a database must do for the store, and no more: run a statement of [`crate::sql`]'s
//! dialect, take an advisory lock, nest savepoints — and, for the [`Driver`], hand out a
//! connection for a read or a write transaction with a durability. Every statement, every
//! transaction's body and every permission check is written once above this line, in the
//! modules that follow it; a backend (`sqlite/`, `postgres/`) implements only these two traits.

use std::collections::HashMap;
use std::future::Future;

use futures::future::BoxFuture;

use weiquan_domain::notice::Parties;

use crate::error::Result;
pub(crate) use crate::sql::Held;
use crate::sql::Val;

/// A row as the dialect reads it.
pub(crate) type Row = Vec<Val>;

/// One database connection, inside a store call's read or write transaction.
pub(crate) trait Conn: Send {
    /// Runs a statement; the number of rows it changed.
    fn exec(&mut self, sql: &str, params: &[Val]) -> impl Future<Output = Result<u64>> + Send;
    /// Runs a query.
    fn query(&mut self, sql: &str, params: &[Val])
    -> impl Future<Output = Result<Vec<Row>>> + Send;
    /// Serialises, until the transaction ends, every transaction that takes the same key (an
    /// advisory lock on PostgreSQL; SQLite's single writer serialises everything already).
    fn lock_key(&mut self, key: &str) -> impl Future<Output = Result<()>> + Send;
    /// Opens a nested savepoint.
    fn savepoint(&mut self) -> impl Future<Output = Result<()>> + Send;
    /// Releases the newest savepoint, or rolls back to it.
    fn end_savepoint(&mut self, keep: bool) -> impl Future<Output = Result<()>> + Send;
    /// Whether [`Tx::defer`]red writes are held and sent together ([`Conn::exec_held`]); an
    /// in-process database runs each at once.
    const HOLDS: bool;
    /// Runs held writes in order, in as few statements as keep it.
    fn exec_held(&mut self, held: &[Held]) -> impl Future<Output = Result<()>> + Send;
}

/// How a write is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Durability {
    /// Once on disk (every write that anyone relies on).
    Durable,
    /// Once committed, before the disk has it (an ordinary chat turn, docs/decisions.md).
    Relaxed,
}

/// What a read needs of its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Read {
    /// A few indexed statements: on SQLite run in place, they take microseconds.
    Point,
    /// A scan: off the async threads.
    Scan,
    /// A scan that must see one snapshot from its first statement to its last (the audit).
    Snapshot,
}

/// The body of a store call, given its connection.
pub(crate) type Body<'t, T> = BoxFuture<'t, Result<T>>;

/// A store call's body: what it does with its connection.
pub(crate) trait Job<C, T>:
    for<'t> FnOnce(&'t mut Tx<'t, C>) -> Body<'t, T> + Send + 'static
{
}
impl<C, T, F> Job<C, T> for F where
    F: for<'t> FnOnce(&'t mut Tx<'t, C>) -> Body<'t, T> + Send + 'static
{
}

/// A backend: connections for reads and write transactions.
pub(crate) trait Driver: Send + Sync + 'static {
    type Conn: Conn;

    /// Runs `f` on a connection for reading.
    fn read<T: Send + 'static>(
        &self,
        kind: Read,
        f: impl Job<Self::Conn, T>,
    ) -> impl Future<Output = Result<T>> + Send;

    /// Runs `f` in one transaction: committed if it returns `Ok`, rolled back otherwise.
    fn write<T: Send + 'static>(
        &self,
        durability: Durability,
        f: impl Job<Self::Conn, T>,
    ) -> impl Future<Output = Result<T>> + Send;

    /// Commits and the writes they carried since start.
    fn write_stats(&self) -> crate::WriteStats;

    /// How many batches of filings may be in flight at once (`service::intake`): enough to keep
    /// the database busy while the next batch gathers.
    fn intake_lanes(&self) -> usize;
}

/// A stream's last seq and hash.
pub(crate) type Head = (i64, String);

/// A connection inside one store call, with what the call has learnt on the way.
pub(crate) struct Tx<'c, C> {
    conn: &'c mut C,
    /// The head of every stream this transaction has written to, or learnt while holding its
    /// row (`events::learn_heads`). Nobody else can append to such a stream before this
    /// transaction ends — it holds the stream's lock or its row, or the row is its own and
    /// invisible to others — so its next append needs neither the lock nor the read:
    /// two round trips fewer on PostgreSQL, which matters while a shop's collective lock is held.
    heads: HashMap<String, Head>,
    /// For each open savepoint, the heads its changes replaced (`None`: the stream had none
    /// known), to put back on a rollback. An undo log, not a copy of `heads`: an import makes a
    /// savepoint per record, and copying every head it wrote so far for each would be quadratic.
    undo: Vec<Vec<(String, Option<Head>)>>,
    /// The parties of streams whose rows this transaction holds (a complaint just filed or
    /// decided), so that telling them of an event needs no lookup.
    parties: HashMap<String, Parties>,
    /// What this transaction wrote that someone waits for once it commits.
    wrote: Wrote,
    /// Whether a notification is also e-mailed to a recipient with an address (the store's
    /// policy has `[smtp]`; set by the service before the body runs).
    mail: bool,
    /// Writes held back until the next statement is sent ([`Tx::defer`]).
    held: Vec<Held>,
    /// Which webhook types some enabled endpoint subscribes to, as this node last read them
    /// (set by the service before the body runs).
    hooks: Option<std::sync::Arc<Subscriptions>>,
}

/// The webhook types some enabled endpoint subscribes to, as this node last read them, so that
/// an event nobody subscribes to costs no statement (`outbox::webhook`). A reading is trusted
/// for [`Subscriptions::FRESH`]; an endpoint written on this node clears it at once, one written
/// on another node is seen here within that time (docs/marketplace.md).
#[derive(Default)]
pub(crate) struct Subscriptions {
    read: std::sync::Mutex<Reading>,
}

/// The last reading, when it was taken, and how many times a change on this node cleared it.
#[derive(Default)]
struct Reading {
    types: Option<(std::time::Instant, std::sync::Arc<Vec<String>>)>,
    cleared: u64,
}

impl Subscriptions {
    pub(crate) const FRESH: std::time::Duration = std::time::Duration::from_secs(1);

    fn reading(&self) -> std::sync::MutexGuard<'_, Reading> {
        // A cache: a panic elsewhere cannot leave it wrong for longer than it is trusted.
        self.read.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The last reading if it is fresh; else `Err` with a ticket for [`Subscriptions::store`].
    pub(crate) fn fresh(&self) -> std::result::Result<std::sync::Arc<Vec<String>>, u64> {
        let r = self.reading();
        match &r.types {
            Some((at, types)) if at.elapsed() < Self::FRESH => Ok(types.clone()),
            _ => Err(r.cleared),
        }
    }

    /// Keeps a reading taken after [`Subscriptions::fresh`] gave `ticket` — unless a change
    /// cleared the cache meanwhile: the reading may predate that change's commit.
    pub(crate) fn store(&self, ticket: u64, types: std::sync::Arc<Vec<String>>) {
        let mut r = self.reading();
        if r.cleared == ticket {
            r.types = Some((std::time::Instant::now(), types));
        }
    }

    pub(crate) fn clear(&self) {
        let mut r = self.reading();
        r.types = None;
        r.cleared += 1;
    }
}

/// What a committed transaction wrote that this node's watchers wait for.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Wrote {
    /// A notification (or one marked read): the unread counts.
    pub notified: bool,
    /// An outbox message: the dispatcher.
    pub queued: bool,
    /// A complaint awaiting its wave: the collective drain.
    pub filed: bool,
    /// A webhook endpoint: this node's cache of subscriptions.
    pub hooks_changed: bool,
    /// A session ended, or an account's role or standing changed: this node's cache of
    /// sessions.
    pub sessions_changed: bool,
}

impl<'c, C: Conn> Tx<'c, C> {
    pub(crate) fn new(conn: &'c mut C) -> Self {
        Tx {
            conn,
            heads: HashMap::new(),
            undo: Vec::new(),
            parties: HashMap::new(),
            wrote: Wrote::default(),
            mail: false,
            held: Vec::new(),
            hooks: None,
        }
    }

    pub(crate) async fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64> {
        self.flush().await?;
        self.conn.exec(sql, params).await
    }

    pub(crate) async fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>> {
        self.flush().await?;
        self.conn.query(sql, params).await
    }

    /// A blind write — an insert, or an update that reads nothing another held write changes —
    /// whose outcome this transaction does not need: on PostgreSQL it is held and sent with
    /// the others held, together, just before the next statement (or the commit). One round
    /// trip for a filing's event, notification, timers, evidence record and queue row. An error
    /// in it fails that later statement, and so the transaction.
    pub(crate) async fn defer(&mut self, sql: &str, params: &[Val]) -> Result<()> {
        if C::HOLDS {
            self.held.push((sql.to_owned(), params.to_vec()));
            Ok(())
        } else {
            self.conn.exec(sql, params).await.map(drop)
        }
    }

    /// Whether a write to `table` is held (not sent yet): a held write that reads the table
    /// would not see it (one snapshot), so it must be sent at once instead.
    pub(crate) fn holds(&self, table: &str) -> bool {
        self.held
            .iter()
            .any(|(sql, _)| crate::sql::held_table(sql) == table)
    }

    /// Sends what [`Tx::defer`] held; every write transaction calls it before its commit
    /// (`service::write!`).
    pub(crate) async fn flush(&mut self) -> Result<()> {
        if self.held.is_empty() {
            return Ok(());
        }
        let held = std::mem::take(&mut self.held);
        self.conn.exec_held(&held).await
    }

    /// The first row, if any.
    pub(crate) async fn query_opt(&mut self, sql: &str, params: &[Val]) -> Result<Option<Row>> {
        Ok(self.query(sql, params).await?.into_iter().next())
    }

    /// The only row of a statement that always returns one (`RETURNING`, an aggregate).
    pub(crate) async fn query_one(&mut self, sql: &str, params: &[Val]) -> Result<Row> {
        self.query_opt(sql, params).await?.ok_or_else(|| {
            crate::StoreError::Corrupt(format!("no row from a statement that returns one: {sql}"))
        })
    }

    pub(crate) async fn lock_key(&mut self, key: &str) -> Result<()> {
        self.flush().await?;
        self.conn.lock_key(key).await
    }

    /// A head this transaction wrote, if any.
    pub(crate) fn known_head(&self, stream: &str) -> Option<&Head> {
        self.heads.get(stream)
    }

    pub(crate) fn remember_head(&mut self, stream: &str, head: Head) {
        let before = self.heads.insert(stream.to_owned(), head);
        if let Some(undo) = self.undo.last_mut() {
            undo.push((stream.to_owned(), before));
        }
    }

    /// The parties of a stream this transaction already knows.
    pub(crate) fn known_parties(&self, stream: &str) -> Option<&Parties> {
        self.parties.get(stream)
    }

    pub(crate) fn remember_parties(&mut self, stream: String, parties: Parties) {
        self.parties.insert(stream, parties);
    }

    pub(crate) fn mark_notified(&mut self) {
        self.wrote.notified = true;
    }

    pub(crate) fn mark_queued(&mut self) {
        self.wrote.queued = true;
    }

    pub(crate) fn mark_filed(&mut self) {
        self.wrote.filed = true;
    }

    pub(crate) fn mark_hooks_changed(&mut self) {
        self.wrote.hooks_changed = true;
    }

    pub(crate) fn mark_sessions_changed(&mut self) {
        self.wrote.sessions_changed = true;
    }

    /// What was written for watchers (perhaps rolled back with a savepoint: then a wake finds
    /// nothing new).
    pub(crate) fn wrote(&self) -> Wrote {
        self.wrote
    }

    pub(crate) fn set_mail(&mut self, mail: bool) {
        self.mail = mail;
    }

    /// Whether notifications are e-mailed too.
    pub(crate) fn mail(&self) -> bool {
        self.mail
    }

    pub(crate) fn set_hooks(&mut self, hooks: std::sync::Arc<Subscriptions>) {
        self.hooks = Some(hooks);
    }

    /// This node's cache of webhook subscriptions, when the service gave one.
    pub(crate) fn hooks(&self) -> Option<std::sync::Arc<Subscriptions>> {
        self.hooks.clone()
    }

    /// Nested savepoints: one per imported record, so that a bad one rolls back alone.
    pub(crate) async fn savepoint(&mut self) -> Result<()> {
        self.flush().await?;
        self.conn.savepoint().await?;
        self.undo.push(Vec::new());
        Ok(())
    }

    pub(crate) async fn end_savepoint(&mut self, keep: bool) -> Result<()> {
        // Held inserts were made under this savepoint (opening it sent the earlier ones): sent
        // if it is kept, dropped with the rest if not.
        if keep {
            self.flush().await?;
        } else {
            self.held.clear();
        }
        self.conn.end_savepoint(keep).await?;
        let undo = self.undo.pop().unwrap_or_default();
        if keep {
            // Kept here, but still undone if an enclosing savepoint rolls back.
            if let Some(outer) = self.undo.last_mut() {
                outer.extend(undo);
            }
        } else {
            // Rows made under the savepoint are gone, and their ids may come back.
            self.parties.clear();
            for (stream, before) in undo.into_iter().rev() {
                match before {
                    Some(head) => self.heads.insert(stream, head),
                    None => self.heads.remove(&stream),
                };
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::Subscriptions;

    #[test]
    fn a_reading_older_than_a_change_is_not_kept() {
        let s = Subscriptions::default();
        let ticket = s.fresh().unwrap_err();
        // An endpoint's change commits and clears while the reading is under way.
        s.clear();
        s.store(ticket, Arc::new(vec![]));
        let ticket = s.fresh().expect_err("the stale reading was kept");
        let types = Arc::new(vec!["complaint.filed".to_owned()]);
        s.store(ticket, types.clone());
        assert_eq!(s.fresh(), Ok(types));
    }
}
