//! The deadline loop: fires every due timer exactly once, including those that fell due while
//! the server was down.
//!
//! Each timer is claimed and applied in one transaction (`pending` → `fired` with its event), so
//! a crash either leaves it pending (fired again after restart) or fired with its effects;
//! never both, never twice. Due timers are fired concurrently so that they share commits.

use std::time::Duration;

use futures::future::join_all;

use crate::AppState;

/// Most timers taken per round.
const ROUND: u32 = 256;

pub async fn run(state: AppState, interval: Duration) {
    loop {
        match fire_due(&state).await {
            Ok(n) if n as u32 == ROUND => continue, // more are waiting
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "timer round failed"),
        }
        tokio::time::sleep(interval).await;
    }
}

/// Fires the timers due now; returns how many were due.
pub async fn fire_due(state: &AppState) -> Result<usize, weiquan_store::StoreError> {
    let now = state.clock.now();
    let due = state.store.due_timers(now, ROUND).await?;
    let n = due.len();
    let results = join_all(due.iter().map(|t| state.store.fire_timer(t, now))).await;
    for (t, r) in due.iter().zip(results) {
        match r {
            Ok(true) => {
                state.metrics.timers_fired.inc();
                tracing::info!(complaint = %t.complaint_id, timer = t.kind.as_str(), "deadline fired");
            }
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, timer = t.id, "firing a deadline failed"),
        }
    }
    // Deadlines of penalties (lifted on time), IP counter-notices and case evidence requests.
    let due = state.store.due_subject_timers(now, ROUND).await?;
    for t in &due {
        match state.store.fire_subject_timer(t, now).await {
            Ok(true) if t.kind == weiquan_store::BRUSHING_SCAN => {
                // Claimed here: this node runs the scan, off the deadline loop.
                let state = state.clone();
                tokio::spawn(async move {
                    match crate::brushing::scan(&state, state.clock.now()).await {
                        Ok(r) => tracing::info!(
                            purchases = r.purchases,
                            blocks = r.blocks,
                            cases = r.cases.len(),
                            "brushing scan done"
                        ),
                        Err(e) => tracing::error!(error = %e, "brushing scan failed"),
                    }
                });
            }
            Ok(true) => {
                state.metrics.timers_fired.inc();
                tracing::info!(subject = %t.subject, timer = %t.kind, "deadline fired");
            }
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, timer = t.id, "firing a deadline failed"),
        }
    }
    // Reminders before deadlines still pending (after the deadlines themselves: one that has
    // just fired is no longer pending and is not reminded of).
    let reminders = state.store.due_reminders(now, ROUND).await?;
    for r in &reminders {
        match state.store.send_reminder(r, now).await {
            Ok(true) => {
                tracing::info!(subject = %r.subject, deadline = r.deadline.as_str(), "reminder sent")
            }
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, timer = r.timer_id, "sending a reminder failed"),
        }
    }
    // The commitment monitors over order data (shipping promises), a batch a round.
    let checked = state.store.sweep_monitors(now, ROUND).await?;
    if checked > 0 {
        tracing::info!(orders = checked, "shipping promises checked");
    }
    // Idempotency keys of the marketplace API past their 24 hours.
    state.store.expire_idempotency_keys(now).await?;
    // Complaints filed on any node still awaiting their wave (normally none: each node drains
    // its own filings as they commit, see [`assign_collective`]).
    let assigned = state.store.assign_collective(now).await?;
    state.metrics.collective_assigned.add(assigned as u64);
    Ok(n.max(due.len())
        .max(checked)
        .max(reminders.len())
        .max(assigned))
}

/// Assigns this node's filings to their waves as they commit: woken by each committed filing,
/// it drains until nothing is queued (`Store::assign_collective`, on the clock's time).
pub async fn assign_collective(state: AppState) {
    loop {
        state.store.filing_committed().await;
        loop {
            match state.store.assign_collective(state.clock.now()).await {
                Ok(0) => break,
                Ok(n) => {
                    state.metrics.collective_assigned.add(n as u64);
                    tracing::debug!(complaints = n, "collective assignment")
                }
                Err(e) => {
                    tracing::error!(error = %e, "collective assignment failed");
                    break;
                }
            }
        }
    }
}
