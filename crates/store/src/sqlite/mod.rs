//! The SQLite backend: WAL, `synchronous=FULL`, one group-committing writer thread, a pool of
//! read-only connections. It implements [`Conn`] and [`Driver`] and nothing else: every
//! statement and transaction is the store's own, written once.
//!
//! It uses rusqlite rather than sqlx: the group commit runs every statement of a batch on one
//! thread, and sqlx-sqlite hands each statement to a worker thread and back, which measured
//! ~80 µs a statement here and capped intake below 2,000 complaints/s (BENCHMARKS.md).

mod conn;
#[cfg(test)]
mod tests;
mod writer;

use std::path::Path;
use std::sync::Arc;

use futures::executor::block_on;
use rusqlite::Connection;
use weiquan_domain::Policy;

use self::conn::ReadPool;
use self::writer::Writer;
use crate::blob::{BlobStore, DEFAULT_MAX_BLOB};
use crate::db::{Body, Conn, Driver, Durability, Held, Job, Read, Row, Tx};
use crate::error::{Result, StoreError};
use crate::service::Service;
use crate::sql::{self, Val};

/// weiquan on one machine: `DATA_DIR/weiquan.db` and `DATA_DIR/blobs/`.
pub type SqliteStore = Service<SqliteDriver>;

/// SQLite's connections: the writer thread's and the readers'.
pub struct SqliteDriver {
    pub(crate) read: Arc<ReadPool>,
    pub(crate) writer: Writer,
}

impl Service<SqliteDriver> {
    /// Opens (creating if needed) the store in a data directory and applies migrations.
    pub async fn open(data_dir: &Path, policy: Policy) -> Result<SqliteStore> {
        Self::open_with(data_dir, policy, DEFAULT_MAX_BLOB).await
    }

    pub async fn open_with(data_dir: &Path, policy: Policy, max_blob: u64) -> Result<SqliteStore> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join("weiquan.db");
        let writer = {
            let path = path.clone();
            tokio::task::spawn_blocking(move || conn::open_writer(&path))
                .await
                .map_err(join_error)??
        };
        let driver = SqliteDriver {
            read: Arc::new(ReadPool::new(&path)),
            writer: Writer::spawn(writer),
        };
        let blobs = BlobStore::open(data_dir.join("blobs"), max_blob)?;
        Ok(Service::new(driver, blobs, policy))
    }

    /// Applies pending migrations without opening the rest of the store.
    pub async fn migrate(data_dir: &Path) -> Result<()> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join("weiquan.db");
        tokio::task::spawn_blocking(move || conn::open_writer(&path).map(drop))
            .await
            .map_err(join_error)?
    }
}

fn join_error(e: tokio::task::JoinError) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

/// Statements run synchronously; the futures never wait on anything, and whoever holds the
/// connection drives them with `block_on`.
impl Conn for Connection {
    async fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64> {
        Ok(sql::sqlite::exec(self, sql, params)?)
    }

    async fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>> {
        Ok(sql::sqlite::rows(self, sql, params)?)
    }

    async fn lock_key(&mut self, _key: &str) -> Result<()> {
        // One writer: nothing else writes meanwhile.
        Ok(())
    }

    async fn savepoint(&mut self) -> Result<()> {
        writer::run_cached(self, "SAVEPOINT record")?;
        Ok(())
    }

    // In-process: an insert costs no round trip, so none is held.
    const HOLDS: bool = false;

    async fn exec_held(&mut self, held: &[Held]) -> Result<()> {
        for (sql, params) in held {
            sql::sqlite::exec(self, sql, params)?;
        }
        Ok(())
    }

    async fn end_savepoint(&mut self, keep: bool) -> Result<()> {
        if !keep {
            writer::run_cached(self, "ROLLBACK TO record")?;
        }
        writer::run_cached(self, "RELEASE record")?;
        Ok(())
    }
}

/// Runs a store call's body on a connection, to its end.
fn drive<T, F>(conn: &mut Connection, f: F) -> Result<T>
where
    F: for<'t> FnOnce(&'t mut Tx<'t, Connection>) -> Body<'t, T>,
{
    let mut tx = Tx::new(conn);
    block_on(f(&mut tx))
}

impl Driver for SqliteDriver {
    type Conn = Connection;

    async fn read<T: Send + 'static>(&self, kind: Read, f: impl Job<Connection, T>) -> Result<T> {
        match kind {
            // Point reads take microseconds: run in place.
            Read::Point => self.read.with(|c| drive(c, f)),
            Read::Scan | Read::Snapshot => {
                let read = self.read.clone();
                tokio::task::spawn_blocking(move || {
                    read.with(|c| {
                        if kind == Read::Snapshot {
                            // In WAL mode a read transaction sees one snapshot throughout.
                            c.execute_batch("BEGIN")?;
                            let r = drive(c, f);
                            c.execute_batch("COMMIT")?;
                            r
                        } else {
                            drive(c, f)
                        }
                    })
                })
                .await
                .map_err(join_error)?
            }
        }
    }

    async fn write<T: Send + 'static>(
        &self,
        durability: Durability,
        f: impl Job<Connection, T>,
    ) -> Result<T> {
        let job = move |c: &mut Connection| drive(c, f);
        match durability {
            Durability::Durable => self.writer.run(job).await,
            Durability::Relaxed => self.writer.run_relaxed(job).await,
        }
    }

    fn write_stats(&self) -> crate::WriteStats {
        self.writer.stats()
    }

    /// As many as filings arrive together: the writer's group commit already makes them one
    /// transaction, and two lanes (PostgreSQL's) left it smaller batches (BENCHMARKS.md).
    fn intake_lanes(&self) -> usize {
        64
    }
}
