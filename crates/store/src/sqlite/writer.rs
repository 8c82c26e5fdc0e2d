//! Group commit: one thread owns SQLite's write connection and commits many requests at once.
//!
//! With `synchronous=FULL` every commit waits for the disk, so one commit per request caps
//! intake at the disk's fsync rate. The writer takes whatever requests are queued, runs each in
//! its own savepoint (a failing one rolls back alone), commits once, and only then answers them:
//! an answer still means "on disk". The jobs run synchronously on the writer's own thread, so a
//! statement costs what SQLite costs, with no hand-off between threads.
//!
//! A request may be *relaxed* (an ordinary chat turn, docs/decisions.md): it is answered once
//! committed to the WAL, before the disk has it. The writer commits a batch's relaxed requests
//! first, in a transaction of their own with `synchronous=NORMAL` (no fsync), then the rest with
//! `FULL`, whose fsync makes everything before it durable too. A crash of the process loses
//! nothing; a power cut can lose the relaxed commits since the last fsync.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use crate::error::{Result, StoreError};

/// Called once the batch's fate is known: `None` if it committed, else the commit's error.
type Done = Box<dyn FnOnce(Option<&StoreError>) + Send>;
type Job = Box<dyn FnOnce(&mut Connection) -> (bool, Done) + Send>;

struct Queued {
    durable: bool,
    job: Job,
}

/// Most requests committed together; bounds the latency one batch adds.
const MAX_BATCH: usize = 512;

#[derive(Clone)]
pub(crate) struct Writer {
    tx: mpsc::Sender<Queued>,
    stats: Arc<Counters>,
}

/// How well the group commit is grouping: requests per commit is what lifts intake above the
/// disk's fsync rate.
#[derive(Default)]
struct Counters {
    commits: AtomicU64,
    writes: AtomicU64,
}

impl Writer {
    pub(crate) fn spawn(conn: Connection) -> Writer {
        let (tx, rx) = mpsc::channel::<Queued>(4096);
        let stats = Arc::new(Counters::default());
        let counters = stats.clone();
        std::thread::Builder::new()
            .name("weiquan-writer".into())
            .spawn(move || run(conn, rx, &counters))
            .expect("spawning the writer thread");
        Writer { tx, stats }
    }

    pub(crate) fn stats(&self) -> crate::WriteStats {
        crate::WriteStats {
            commits: self.stats.commits.load(Ordering::Relaxed),
            writes: self.stats.writes.load(Ordering::Relaxed),
        }
    }

    /// Runs `f` inside the next batch's transaction and returns its result once on disk.
    pub(crate) async fn run<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        self.submit(true, f).await
    }

    /// Like [`run`](Self::run), answered once committed, without waiting for the disk.
    pub(crate) async fn run_relaxed<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        self.submit(false, f).await
    }

    async fn submit<T, F>(&self, durable: bool, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T>>();
        let job: Job = Box::new(move |conn| {
            let r = f(conn);
            let ok = r.is_ok();
            let done: Done = Box::new(move |commit: Option<&StoreError>| {
                let out = match (r, commit) {
                    (Ok(_), Some(e)) => Err(StoreError::Unavailable(format!("commit failed: {e}"))),
                    (r, _) => r,
                };
                let _ = reply.send(out);
            });
            (ok, done)
        });
        self.tx
            .send(Queued { durable, job })
            .await
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the writer dropped the request".into()))?
    }
}

fn run(mut conn: Connection, mut rx: mpsc::Receiver<Queued>, stats: &Counters) {
    let mut queued: Vec<Queued> = Vec::with_capacity(MAX_BATCH);
    let (mut relaxed, mut durable): (Vec<Job>, Vec<Job>) = (vec![], vec![]);
    while rx.blocking_recv_many(&mut queued, MAX_BATCH) > 0 {
        // Requests queued together were concurrent: any order of them is a valid one.
        for q in queued.drain(..) {
            if q.durable {
                durable.push(q.job);
            } else {
                relaxed.push(q.job);
            }
        }
        for (jobs, sync) in [
            (&mut relaxed, "PRAGMA synchronous = NORMAL"),
            (&mut durable, "PRAGMA synchronous = FULL"),
        ] {
            if jobs.is_empty() {
                continue;
            }
            let mut done: Vec<Done> = Vec::with_capacity(jobs.len());
            let result = run_cached(&conn, sync)
                .map_err(StoreError::from)
                .and_then(|()| commit_batch(&mut conn, jobs, &mut done));
            if let Err(e) = &result {
                tracing::error!(error = %e, jobs = done.len(), "group commit failed");
                let _ = conn.execute_batch("ROLLBACK");
            } else {
                stats.commits.fetch_add(1, Ordering::Relaxed);
                stats.writes.fetch_add(done.len() as u64, Ordering::Relaxed);
            }
            for d in done {
                d(result.as_ref().err());
            }
            jobs.clear();
        }
    }
}

fn commit_batch(conn: &mut Connection, batch: &mut Vec<Job>, done: &mut Vec<Done>) -> Result<()> {
    run_cached(conn, "BEGIN IMMEDIATE")?;
    for job in batch.drain(..) {
        run_cached(conn, "SAVEPOINT job")?;
        // A bug in one request must not take the writer (and every later write) down with it:
        // its savepoint is rolled back and its caller, whose reply is dropped, gets an error.
        let ok = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(conn))) {
            Ok((ok, d)) => {
                done.push(d);
                ok
            }
            Err(_) => {
                tracing::error!("a write request panicked; rolled back");
                false
            }
        };
        if !ok {
            run_cached(conn, "ROLLBACK TO job")?;
        }
        run_cached(conn, "RELEASE job")?;
    }
    run_cached(conn, "COMMIT")?;
    Ok(())
}

/// Runs one statement from the connection's cache: the few a group commit runs per job are
/// compiled once, not once a job.
pub(super) fn run_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}
