//! The PostgreSQL backend: any number of `weiquan serve` nodes against one database. It
//! implements [`Conn`] and [`Driver`] and nothing else: every statement and transaction is the
//! store's own, written once.
//!
//! Each write is one transaction on a pooled connection. A complaint's row is locked for the
//! length of an action (`FOR UPDATE`), appends to a stream take an advisory lock on it, and
//! deadlines are fired with `FOR UPDATE SKIP LOCKED` on their complaint and claimed
//! `pending` → `fired` in the same transaction, so each fires once however many nodes run, and
//! one whose node dies mid-firing is left pending for another.

mod scratch;

pub use scratch::ScratchDatabase;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{PgConnection, Postgres, Transaction};
use weiquan_domain::Policy;

use crate::blob::{BlobStore, DEFAULT_MAX_BLOB};
use crate::db::{Conn, Driver, Durability, Held, Job, Read, Row, Tx};
use crate::error::{Result, StoreError};
use crate::service::Service;
use crate::sql::{self, Val};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// weiquan on a PostgreSQL database that any number of nodes share.
pub type PgStore = Service<PgDriver>;

/// A pool of connections to one database.
pub struct PgDriver {
    pool: PgPool,
    commits: AtomicU64,
}

fn parse_url(url: &str) -> Result<PgConnectOptions> {
    url.parse::<PgConnectOptions>()
        .map_err(|e| StoreError::Unavailable(format!("invalid database URL: {e}")))
}

/// Connections one node holds unless told otherwise (`serve --database-connections`).
pub const DEFAULT_CONNECTIONS: u32 = 32;

impl Service<PgDriver> {
    /// Connects, applies migrations, and keeps blobs under `blob_dir`.
    pub async fn open(url: &str, blob_dir: &std::path::Path, policy: Policy) -> Result<PgStore> {
        Self::open_with(url, blob_dir, policy, DEFAULT_MAX_BLOB).await
    }

    pub async fn open_with(
        url: &str,
        blob_dir: &std::path::Path,
        policy: Policy,
        max_blob: u64,
    ) -> Result<PgStore> {
        Self::open_pooled(url, blob_dir, policy, max_blob, DEFAULT_CONNECTIONS).await
    }

    /// As `open_with`, holding at most `connections` connections. Every node's pool counts
    /// against the server's `max_connections` (100 by default), so N nodes need N × this below it.
    pub async fn open_pooled(
        url: &str,
        blob_dir: &std::path::Path,
        policy: Policy,
        max_blob: u64,
        connections: u32,
    ) -> Result<PgStore> {
        if connections == 0 {
            return Err(StoreError::Unavailable(
                "a PostgreSQL store needs at least one connection".into(),
            ));
        }
        let pool = PgPoolOptions::new()
            .max_connections(connections)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(parse_url(url)?)
            .await?;
        MIGRATOR.run(&pool).await?;
        let driver = PgDriver {
            pool,
            commits: AtomicU64::new(0),
        };
        Ok(Service::new(
            driver,
            BlobStore::open(blob_dir, max_blob)?,
            policy,
        ))
    }

    /// A store over a pool made elsewhere, its schema assumed in place (no migration runs): for
    /// a pool with other time-outs, or one pointing at a server that went away.
    pub fn from_pool(
        pool: PgPool,
        blob_dir: &std::path::Path,
        policy: Policy,
        max_blob: u64,
    ) -> Result<PgStore> {
        let driver = PgDriver {
            pool,
            commits: AtomicU64::new(0),
        };
        Ok(Service::new(
            driver,
            BlobStore::open(blob_dir, max_blob)?,
            policy,
        ))
    }

    /// Applies pending migrations and returns.
    pub async fn migrate(url: &str) -> Result<()> {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(parse_url(url)?)
            .await?;
        MIGRATOR.run(&pool).await?;
        pool.close().await;
        Ok(())
    }

    pub fn pool(&self) -> &PgPool {
        &self.driver().pool
    }
}

/// Deadlocks and serialization failures mean another node got there first.
fn race(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e
        && matches!(d.code().as_deref(), Some("40001" | "40P01" | "23505"))
    {
        return StoreError::conflict(
            "concurrent_update",
            "这条记录刚被别人修改，请刷新后重试",
            "someone changed this at the same moment; reload and try again",
        );
    }
    StoreError::Postgres(e)
}

impl Conn for PgConnection {
    async fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64> {
        Ok(sql::postgres::query(sql, params)
            .execute(&mut *self)
            .await?
            .rows_affected())
    }

    async fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>> {
        let rows = sql::postgres::query(sql, params)
            .fetch_all(&mut *self)
            .await?;
        Ok(rows
            .iter()
            .map(sql::postgres::row)
            .collect::<std::result::Result<_, _>>()?)
    }

    async fn lock_key(&mut self, key: &str) -> Result<()> {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(key)
            .execute(&mut *self)
            .await?;
        Ok(())
    }

    const HOLDS: bool = true;

    async fn exec_held(&mut self, held: &[Held]) -> Result<()> {
        match held {
            [] => Ok(()),
            [(sql, params)] => self.exec(sql, params).await.map(drop),
            _ => {
                for (sql, params) in sql::postgres::together(held) {
                    self.exec(&sql, &params).await?;
                }
                Ok(())
            }
        }
    }

    async fn savepoint(&mut self) -> Result<()> {
        sqlx::query("SAVEPOINT record").execute(&mut *self).await?;
        Ok(())
    }

    async fn end_savepoint(&mut self, keep: bool) -> Result<()> {
        if !keep {
            sqlx::query("ROLLBACK TO SAVEPOINT record")
                .execute(&mut *self)
                .await?;
        }
        sqlx::query("RELEASE SAVEPOINT record")
            .execute(&mut *self)
            .await?;
        Ok(())
    }
}

impl PgDriver {
    /// Commits on success; a lost race (deadlock, serialization) becomes a 409 to retry.
    async fn finish<T>(&self, tx: Transaction<'static, Postgres>, r: Result<T>) -> Result<T> {
        match r {
            Ok(v) => {
                tx.commit().await.map_err(race)?;
                self.commits.fetch_add(1, Ordering::Relaxed);
                Ok(v)
            }
            Err(e) => {
                let _ = tx.rollback().await;
                Err(match e {
                    StoreError::Postgres(e) => race(e),
                    other => other,
                })
            }
        }
    }
}

impl Driver for PgDriver {
    type Conn = PgConnection;

    async fn read<T: Send + 'static>(&self, kind: Read, f: impl Job<PgConnection, T>) -> Result<T> {
        if kind == Read::Snapshot {
            let mut tx = self.pool.begin().await?;
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
            let r = {
                let mut db = Tx::new(&mut *tx);
                f(&mut db).await
            };
            tx.rollback().await?;
            return r;
        }
        let mut conn = self.pool.acquire().await?;
        let mut db = Tx::new(&mut *conn);
        f(&mut db).await
    }

    async fn write<T: Send + 'static>(
        &self,
        durability: Durability,
        f: impl Job<PgConnection, T>,
    ) -> Result<T> {
        let mut tx = self.pool.begin().await?;
        if durability == Durability::Relaxed {
            // Answered once committed, before the WAL is flushed (docs/decisions.md).
            if let Err(e) = sqlx::query("SET LOCAL synchronous_commit = off")
                .execute(&mut *tx)
                .await
            {
                return self.finish(tx, Err(e.into())).await;
            }
        }
        let r = {
            let mut db = Tx::new(&mut *tx);
            f(&mut db).await
        };
        self.finish(tx, r).await
    }

    /// Two: one batch committing while the next gathers. More lanes make smaller batches (more
    /// commits for the same filings); BENCHMARKS.md has 2, 4 and 8 side by side.
    fn intake_lanes(&self) -> usize {
        2
    }

    fn write_stats(&self) -> crate::WriteStats {
        let n = self.commits.load(Ordering::Relaxed);
        crate::WriteStats {
            commits: n,
            writes: n,
        }
    }
}

#[cfg(test)]
mod tests {
    use sqlx::Connection;

    use crate::db::Conn;
    use crate::sql::Val;

    #[tokio::test]
    async fn a_numeric_column_is_an_error_not_a_null() {
        let url = std::env::var("WEIQUAN_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let mut conn = sqlx::PgConnection::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL is needed for this test ({url}): {e}"));
        let sum = "SELECT SUM(x) AS total FROM (VALUES (1::BIGINT), (2::BIGINT)) AS t(x)";
        let e = conn.query(sum, &[]).await.unwrap_err();
        assert!(e.to_string().contains("total is NUMERIC"), "{e}");
        let cast = "SELECT SUM(x)::BIGINT AS total FROM (VALUES (1::BIGINT), (2::BIGINT)) AS t(x)";
        let rows = conn.query(cast, &[]).await.unwrap();
        assert!(matches!(rows[0][0], Val::Int(3)));
    }
}
