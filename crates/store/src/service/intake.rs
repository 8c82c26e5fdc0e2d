//! Filings made together. Each `file_complaint` call waits in one queue; the driver's *lanes*
//! (`Driver::intake_lanes`) take what is queued (up to [`MAX_BATCH`]) and file it in one
//! transaction (`complaints::file_complaints`): one statement reads the batch's orders and one
//! inserts its rows, the rest are held writes, and one commit (one WAL flush) answers them all.
//! On PostgreSQL this is what lifts one node's intake above a transaction's round trips per
//! filing. SQLite gives each filing a lane of its own: its writer's group commit already makes
//! concurrent filings one transaction.
//!
//! A refused filing is answered alone inside its batch; a batch whose transaction fails is filed
//! again one filing at a time, so one bad filing fails no other. A lane runs as its own task:
//! a caller that goes away does not cancel the others' transaction.

use std::sync::{Arc, Mutex};

use futures::FutureExt;
use tokio::sync::oneshot;
use weiquan_domain::Policy;

use crate::complaints::{self, Filing};
use crate::db::{Driver, Subscriptions, Wrote};
use crate::error::{Result, StoreError};
use weiquan_domain::Complaint;

/// Most filings in one transaction: bounds the latency a batch adds and its statements' size.
pub(crate) const MAX_BATCH: usize = 64;

type Answer = oneshot::Sender<Result<(Complaint, Wrote)>>;

/// The filings waiting for a lane, and how many lanes run.
#[derive(Default)]
pub(crate) struct Intake {
    state: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    waiting: Vec<(Filing, Answer)>,
    lanes: usize,
}

/// What a lane needs of the service, owned so that the lane outlives any one caller.
pub(crate) struct Lane<D> {
    pub driver: Arc<D>,
    pub policy: Arc<Policy>,
    pub mail: bool,
    pub hooks: Arc<Subscriptions>,
    pub intake: Arc<Intake>,
}

impl Intake {
    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        // Nothing panics while holding it; a poisoned lock would only mean a lost wake-up.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Files `filing` in the next batch and answers once that batch has committed.
pub(crate) async fn file<D: Driver>(lane: Lane<D>, filing: Filing) -> Result<(Complaint, Wrote)> {
    let (tx, rx) = oneshot::channel();
    let start = {
        let mut q = lane.intake.queue();
        q.waiting.push((filing, tx));
        let start = q.lanes < lane.driver.intake_lanes();
        if start {
            q.lanes += 1;
        }
        start
    };
    if start {
        tokio::spawn(run(lane));
    }
    rx.await
        .map_err(|_| StoreError::Unavailable("the filing was dropped before its commit".into()))?
}

/// A lane: batches until the queue is empty.
async fn run<D: Driver>(lane: Lane<D>) {
    loop {
        let batch: Vec<(Filing, Answer)> = {
            let mut q = lane.intake.queue();
            if q.waiting.is_empty() {
                // Under the lock, so that a filing queued now starts a lane of its own.
                q.lanes -= 1;
                return;
            }
            let n = q.waiting.len().min(MAX_BATCH);
            q.waiting.drain(..n).collect()
        };
        // A bug in one batch must not stop the lane (and every later filing) with it: its
        // callers, whose answers are dropped, get an error.
        let done = std::panic::AssertUnwindSafe(file_batch(&lane, batch))
            .catch_unwind()
            .await;
        if done.is_err() {
            tracing::error!("a batch of filings panicked; rolled back");
        }
    }
}

async fn file_batch<D: Driver>(lane: &Lane<D>, batch: Vec<(Filing, Answer)>) {
    let (filings, answers): (Vec<Filing>, Vec<Answer>) = batch.into_iter().unzip();
    let alone = filings.len() == 1;
    match write_batch(lane, filings.clone()).await {
        Ok((out, wrote)) => {
            for (answer, r) in answers.into_iter().zip(out) {
                let _ = answer.send(r.map(|c| (c, wrote)));
            }
        }
        Err(e) if alone => {
            if let Some(answer) = answers.into_iter().next() {
                let _ = answer.send(Err(e));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, filings = filings.len(), "a batch of filings failed; filing each alone");
            for (filing, answer) in filings.into_iter().zip(answers) {
                let r = match write_batch(lane, vec![filing]).await {
                    Ok((mut out, wrote)) => out.pop().expect("one answer").map(|c| (c, wrote)),
                    Err(e) => Err(e),
                };
                let _ = answer.send(r);
            }
        }
    }
}

async fn write_batch<D: Driver>(
    lane: &Lane<D>,
    filings: Vec<Filing>,
) -> Result<(Vec<Result<Complaint>>, Wrote)> {
    let policy = lane.policy.clone();
    crate::service::write_on!(lane.driver, lane.mail, lane.hooks.clone(), Durable, |tx| {
        complaints::file_complaints(tx, filings, &policy)
    })
}
