//! Opening connections, the migrations, and the pool of readers.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::clock::{Clock as _, SystemClock};
use crate::error::Result;

/// The schema, in order. Forward-only: a change is a new file, never an edit.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "tier3",
        include_str!("../../migrations/sqlite/0002_tier3.sql"),
    ),
    (
        3,
        "chat",
        include_str!("../../migrations/sqlite/0003_chat.sql"),
    ),
    (
        4,
        "collective_windows",
        include_str!("../../migrations/sqlite/0004_collective_windows.sql"),
    ),
    (
        5,
        "report_evidence",
        include_str!("../../migrations/sqlite/0005_report_evidence.sql"),
    ),
    (
        6,
        "collective_items",
        include_str!("../../migrations/sqlite/0006_collective_items.sql"),
    ),
    (
        7,
        "notifications",
        include_str!("../../migrations/sqlite/0007_notifications.sql"),
    ),
    (
        8,
        "outbox",
        include_str!("../../migrations/sqlite/0008_outbox.sql"),
    ),
    (
        9,
        "api_keys",
        include_str!("../../migrations/sqlite/0009_api_keys.sql"),
    ),
    (
        10,
        "collective_queue",
        include_str!("../../migrations/sqlite/0010_collective_queue.sql"),
    ),
    (
        11,
        "abuse_limits",
        include_str!("../../migrations/sqlite/0011_abuse_limits.sql"),
    ),
    (
        12,
        "account_admin",
        include_str!("../../migrations/sqlite/0012_account_admin.sql"),
    ),
    (
        13,
        "jury",
        include_str!("../../migrations/sqlite/0013_jury.sql"),
    ),
    (
        14,
        "scorecard",
        include_str!("../../migrations/sqlite/0014_scorecard.sql"),
    ),
];

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    // An acknowledged write survives power loss, not just a crash of the process.
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// The one write connection, with the schema brought up to date.
pub(crate) fn open_writer(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    configure(&conn)?;
    migrate(&conn)?;
    Ok(conn)
}

fn migrate(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    )?;
    for (version, name, sql) in MIGRATIONS {
        let done: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?1)",
            [version],
            |r| r.get(0),
        )?;
        if done {
            continue;
        }
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            // When the schema changed, in wall time (PostgreSQL's sqlx notes its own).
            rusqlite::params![version, name, SystemClock.now().timestamp_millis()],
        )?;
        tx.commit()?;
        tracing::info!(version, name, "migration applied");
    }
    Ok(())
}

/// Read-only connections, reused. Point reads take microseconds, so callers run them inline;
/// scans go through `spawn_blocking`.
pub(crate) struct ReadPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl ReadPool {
    pub(crate) fn new(path: &Path) -> Self {
        ReadPool {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let conn = self.idle.lock().expect("pool lock").pop();
        let mut conn = match conn {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                configure_reader(&c)?;
                c
            }
        };
        let r = f(&mut conn);
        let mut idle = self.idle.lock().expect("pool lock");
        if idle.len() < 16 {
            idle.push(conn);
        }
        r
    }
}

fn configure_reader(conn: &Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}
