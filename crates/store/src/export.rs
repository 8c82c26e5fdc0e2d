//! `weiquan export --to postgres://…`: copies a SQLite data dir's database into an empty
//! PostgreSQL database, then checks the copy (row counts, every chain's head, a full audit).

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::types::ValueRef;
use sqlx::{Postgres, QueryBuilder};

use crate::error::{Result, StoreError};
use crate::postgres::PgStore;

/// Parents before children, so that foreign keys hold at every step.
const TABLES: &[&str] = &[
    "users",
    "sessions",
    "shops",
    "orders",
    "complaints",
    "messages",
    "evidence",
    "events",
    "timers",
    "cases",
    "case_members",
    "violations",
    "penalties",
    "reports",
    "report_evidence",
    "subject_timers",
    "complaint_signatures",
    "chat_sessions",
    "chat_turns",
    "service_accounts",
    "api_keys",
    "idempotency_keys",
    "webhook_endpoints",
    "outbox",
    "webhook_attempts",
    "notifications",
    "juries",
    "jury_seats",
];
/// Rows per INSERT statement.
const CHUNK: usize = 500;

#[derive(Debug, Default)]
pub struct ExportReport {
    /// Rows per table, as copied (and found equal on both sides).
    pub rows: BTreeMap<&'static str, u64>,
    pub streams: u64,
}

fn bad(msg: String) -> StoreError {
    StoreError::Unavailable(msg)
}

/// Copies everything; `progress(done, total)` is called as rows land.
pub async fn sqlite_to_postgres(
    data_dir: &Path,
    url: &str,
    progress: impl Fn(u64, u64),
) -> Result<ExportReport> {
    let db = data_dir.join("weiquan.db");
    if !db.exists() {
        return Err(bad(format!("no SQLite database at {}", db.display())));
    }
    let src =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let target = PgStore::open(
        url,
        &data_dir.join("blobs"),
        weiquan_domain::Policy::default(),
    )
    .await?;
    let pool = target.pool();
    let existing: i64 =
        sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM events)")
            .fetch_one(pool)
            .await?;
    if existing > 0 {
        return Err(bad(
            "the target database is not empty; export into a fresh one".into(),
        ));
    }
    let total: u64 = TABLES
        .iter()
        .map(|t| {
            src.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
        })
        .sum::<rusqlite::Result<u64>>()?;
    let snapshot = src.unchecked_transaction()?; // one consistent view of the source
    let mut done = 0u64;
    let mut report = ExportReport::default();
    let mut tx = pool.begin().await?;
    for table in TABLES {
        let types: Vec<(String, String)> = sqlx::query_as(
            "SELECT column_name::TEXT, data_type::TEXT FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
        )
        .bind(table)
        .fetch_all(&mut *tx)
        .await?;
        let columns: Vec<&str> = types.iter().map(|(c, _)| c.as_str()).collect();
        let mut stmt = snapshot.prepare(&format!("SELECT {} FROM {table}", columns.join(", ")))?;
        let mut rows = stmt.query([])?;
        let mut chunk: Vec<Vec<Cell>> = Vec::with_capacity(CHUNK);
        let mut copied = 0u64;
        loop {
            let row = rows.next()?;
            let end = row.is_none();
            if let Some(row) = row {
                let mut cells = Vec::with_capacity(types.len());
                for (i, (col, ty)) in types.iter().enumerate() {
                    cells.push(
                        Cell::read(row.get_ref(i)?, ty)
                            .map_err(|e| bad(format!("{table}.{col}: {e}")))?,
                    );
                }
                chunk.push(cells);
            }
            if chunk.len() == CHUNK || (end && !chunk.is_empty()) {
                insert(&mut tx, table, &columns, &chunk).await?;
                copied += chunk.len() as u64;
                done += chunk.len() as u64;
                progress(done, total);
                chunk.clear();
            }
            if end {
                break;
            }
        }
        // Tables whose `id` is not a sequence: text ids.
        if columns.first() == Some(&"id") && !matches!(*table, "shops" | "chat_sessions") {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}"
            )))
            .execute(&mut *tx)
            .await?;
        }
        report.rows.insert(table, copied);
    }
    tx.commit().await?;
    drop(snapshot);
    verify(&src, &target, &mut report).await?;
    Ok(report)
}

/// One value, typed as the target column is.
enum Cell {
    Int(Option<i64>),
    Float(Option<f64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Bytes(Option<Vec<u8>>),
}

impl Cell {
    fn read(v: ValueRef<'_>, ty: &str) -> std::result::Result<Cell, String> {
        let null = matches!(v, ValueRef::Null);
        Ok(match ty {
            "bigint" | "integer" => Cell::Int(if null {
                None
            } else {
                Some(v.as_i64().map_err(|e| e.to_string())?)
            }),
            "double precision" | "real" => Cell::Float(if null {
                None
            } else {
                Some(v.as_f64().map_err(|e| e.to_string())?)
            }),
            "boolean" => Cell::Bool(if null {
                None
            } else {
                Some(v.as_i64().map_err(|e| e.to_string())? != 0)
            }),
            "bytea" => Cell::Bytes(if null {
                None
            } else {
                Some(v.as_bytes().map_err(|e| e.to_string())?.to_vec())
            }),
            "text" => Cell::Text(if null {
                None
            } else {
                Some(v.as_str().map_err(|e| e.to_string())?.to_owned())
            }),
            other => return Err(format!("unexpected column type {other}")),
        })
    }
}

async fn insert(
    tx: &mut sqlx::PgConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Cell>],
) -> Result<()> {
    let mut q: QueryBuilder<Postgres> =
        QueryBuilder::new(format!("INSERT INTO {table} ({}) ", columns.join(", ")));
    q.push_values(rows, |mut b, row| {
        for cell in row {
            match cell {
                Cell::Int(v) => b.push_bind(*v),
                Cell::Float(v) => b.push_bind(*v),
                Cell::Text(v) => b.push_bind(v.clone()),
                Cell::Bool(v) => b.push_bind(*v),
                Cell::Bytes(v) => b.push_bind(v.clone()),
            };
        }
    });
    q.build().execute(tx).await?;
    Ok(())
}

/// Counts per table, every chain's head, and a full audit of the copy.
async fn verify(
    src: &rusqlite::Connection,
    target: &PgStore,
    report: &mut ExportReport,
) -> Result<()> {
    for table in TABLES {
        let a: i64 = src.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?;
        let b: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(target.pool())
                .await?;
        if a != b {
            return Err(bad(format!(
                "verification failed: {table} has {a} rows in SQLite but {b} in PostgreSQL"
            )));
        }
    }
    let heads_sql = "SELECT stream, seq, hash FROM events e WHERE seq = (SELECT MAX(seq) FROM events WHERE stream = e.stream) ORDER BY stream";
    let mut stmt = src.prepare(heads_sql)?;
    let a: Vec<(String, i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let b: Vec<(String, i64, String)> = sqlx::query_as(heads_sql).fetch_all(target.pool()).await?;
    if a != b {
        let first = a
            .iter()
            .zip(&b)
            .find(|(x, y)| x != y)
            .map(|(x, _)| x.0.clone())
            .unwrap_or_default();
        return Err(bad(format!(
            "verification failed: chain heads differ (first: {first})"
        )));
    }
    report.streams = a.len() as u64;
    match crate::Store::verify(target).await? {
        Ok(_) => Ok(()),
        Err(broken) => Err(bad(format!(
            "verification failed: the copy's audit found {broken}"
        ))),
    }
}
