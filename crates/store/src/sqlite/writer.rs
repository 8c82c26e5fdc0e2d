//! Group commit: one task owns SQLite's write connection and commits many requests at once.
//!
//! With `synchronous=FULL` every commit waits for the disk, so one commit per request caps
//! intake at the disk's fsync rate. The writer takes whatever requests are queued, runs each in
//! its own savepoint (a failing one rolls back alone), commits once, and only then answers them:
//! an answer still means "on disk".

use futures::future::BoxFuture;
use sqlx::{Connection, SqliteConnection};
use tokio::sync::{mpsc, oneshot};

use crate::error::{Result, StoreError};

/// Called once the batch's fate is known: `None` if it committed, else the commit's error.
type Done = Box<dyn FnOnce(Option<&StoreError>) + Send>;
type Job = Box<dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, (bool, Done)> + Send>;

/// Most requests committed together; bounds the latency one batch adds.
const MAX_BATCH: usize = 512;

#[derive(Clone)]
pub(crate) struct Writer {
    tx: mpsc::Sender<Job>,
}

impl Writer {
    pub(crate) fn spawn(conn: SqliteConnection) -> Writer {
        let (tx, rx) = mpsc::channel::<Job>(4096);
        tokio::spawn(run(conn, rx));
        Writer { tx }
    }

    /// Runs `f` inside the next batch's transaction and returns its result once committed.
    pub(crate) async fn run<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T>>();
        let job: Job = Box::new(move |conn| {
            Box::pin(async move {
                let r = f(conn).await;
                let ok = r.is_ok();
                let done: Done = Box::new(move |commit: Option<&StoreError>| {
                    let out = match (r, commit) {
                        (Ok(_), Some(e)) => {
                            Err(StoreError::Unavailable(format!("commit failed: {e}")))
                        }
                        (r, _) => r,
                    };
                    let _ = reply.send(out);
                });
                (ok, done)
            })
        });
        self.tx
            .send(job)
            .await
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the writer dropped the request".into()))?
    }
}

async fn run(mut conn: SqliteConnection, mut rx: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let mut done: Vec<Done> = Vec::with_capacity(batch.len());
        let result = commit_batch(&mut conn, &mut batch, &mut done).await;
        if let Err(e) = &result {
            tracing::error!(error = %e, jobs = done.len(), "group commit failed");
        }
        for d in done {
            d(result.as_ref().err());
        }
        batch.clear();
    }
    let _ = conn.close().await;
}

async fn commit_batch(
    conn: &mut SqliteConnection,
    batch: &mut Vec<Job>,
    done: &mut Vec<Done>,
) -> Result<()> {
    let mut tx = conn.begin().await?;
    for job in batch.drain(..) {
        let mut sp = match tx.begin().await {
            Ok(sp) => sp,
            Err(e) => {
                // The transaction is unusable; the jobs not yet run fail with the batch.
                let (_, d) = job_failed(e.into());
                done.push(d);
                continue;
            }
        };
        let (ok, d) = job(&mut sp).await;
        done.push(d);
        let end = if ok {
            sp.commit().await
        } else {
            sp.rollback().await
        };
        if let Err(e) = end {
            return Err(e.into());
        }
    }
    tx.commit().await?;
    Ok(())
}

fn job_failed(e: StoreError) -> (bool, Done) {
    (
        false,
        Box::new(move |_| tracing::error!(error = %e, "write skipped")),
    )
}
