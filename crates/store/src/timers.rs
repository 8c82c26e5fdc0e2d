//! Deadlines: a complaint's (`timers`, fired through the state machine) and those of other
//! things (`subject_timers`: penalty ends, IP restores, case evidence requests, scheduled jobs).
//! Each is claimed `pending` → `fired` in the transaction that applies it, so it fires once.

use weiquan_domain::machine::Cancel;
use weiquan_domain::*;

use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::model::DueTimer;
use crate::sql::vals;
use crate::time::{from_ms, to_ms};

/// A deadline of something other than a complaint.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectTimer {
    pub id: i64,
    /// `penalty:ID`, `report:ID` or `case:ID`.
    pub subject: String,
    pub kind: String,
    pub due_at: Timestamp,
}

pub(crate) const PENALTY_END: &str = "penalty_end";
pub(crate) const IP_RESTORE: &str = "ip_restore";
pub(crate) const CASE_EVIDENCE: &str = "case_evidence";
/// The scheduled brushing scan: one pending run at a time, whichever node claims it runs it.
pub const BRUSHING_SCAN: &str = "brushing_scan";
pub const BRUSHING_JOB: &str = "job:brushing";

// --- a complaint's deadlines

pub(crate) async fn insert<C: Conn>(
    tx: &mut Tx<'_, C>,
    id: ComplaintId,
    kind: TimerKind,
    due: Timestamp,
) -> Result<()> {
    tx.exec(
        "INSERT INTO timers (complaint_id, kind, due_at) VALUES ($1, $2, $3)",
        vals![id.0, kind.as_str(), to_ms(due)],
    )
    .await?;
    Ok(())
}

pub(crate) async fn cancel<C: Conn>(
    tx: &mut Tx<'_, C>,
    id: ComplaintId,
    cancel: &Cancel,
) -> Result<()> {
    match cancel {
        Cancel::All => {
            tx.exec(
                "UPDATE timers SET status = 'cancelled' WHERE complaint_id = $1 AND status = 'pending'",
                vals![id.0],
            )
            .await?;
        }
        Cancel::Kinds(kinds) => {
            for k in kinds {
                tx.exec(
                    "UPDATE timers SET status = 'cancelled' WHERE complaint_id = $1 AND status = 'pending' AND kind = $2",
                    vals![id.0, k.as_str()],
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// Marks a pending timer fired; `false` if it was not pending.
pub(crate) async fn claim<C: Conn>(
    tx: &mut Tx<'_, C>,
    timer_id: i64,
    now: Timestamp,
) -> Result<bool> {
    let n = tx
        .exec(
            "UPDATE timers SET status = 'fired', fired_at = $2 WHERE id = $1 AND status = 'pending'",
            vals![timer_id, to_ms(now)],
        )
        .await?;
    Ok(n == 1)
}

pub(crate) async fn due<C: Conn>(
    tx: &mut Tx<'_, C>,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<DueTimer>> {
    let rows = tx
        .query(
            "SELECT id, complaint_id, kind, due_at FROM timers WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at, id LIMIT $2",
            vals![to_ms(now), limit],
        )
        .await?;
    rows.iter()
        .map(|r| DueTimer::try_from((r[0].int()?, r[1].int()?, r[2].text()?, r[3].int()?)))
        .collect()
}

/// When the next pending timer falls due.
pub(crate) async fn next_due<C: Conn>(tx: &mut Tx<'_, C>) -> Result<Option<Timestamp>> {
    let r = tx
        .query_one(
            "SELECT MIN(due_at) FROM timers WHERE status = 'pending'",
            &[],
        )
        .await?;
    r[0].opt_int()?.map(from_ms).transpose()
}

// --- deadlines of other things

pub(crate) async fn insert_subject<C: Conn>(
    tx: &mut Tx<'_, C>,
    subject: &Stream,
    kind: &str,
    due: Timestamp,
) -> Result<()> {
    tx.exec(
        "INSERT INTO subject_timers (subject, kind, due_at) VALUES ($1, $2, $3)",
        vals![subject.to_string(), kind, to_ms(due)],
    )
    .await?;
    Ok(())
}

pub(crate) async fn cancel_subject<C: Conn>(
    tx: &mut Tx<'_, C>,
    subject: &Stream,
    kind: &str,
) -> Result<()> {
    tx.exec(
        "UPDATE subject_timers SET status = 'cancelled' WHERE subject = $1 AND kind = $2 AND status = 'pending'",
        vals![subject.to_string(), kind],
    )
    .await?;
    Ok(())
}

/// Whether the subject has a pending deadline of this kind.
pub(crate) async fn subject_pending<C: Conn>(
    tx: &mut Tx<'_, C>,
    subject: &Stream,
    kind: &str,
) -> Result<bool> {
    Ok(tx
        .query_opt(
            "SELECT id FROM subject_timers WHERE subject = $1 AND kind = $2 AND status = 'pending'",
            vals![subject.to_string(), kind],
        )
        .await?
        .is_some())
}

/// Marks a pending subject deadline fired (the row locked until the transaction ends); `false`
/// if it was not pending.
pub(crate) async fn claim_subject<C: Conn>(
    tx: &mut Tx<'_, C>,
    id: i64,
    now: Timestamp,
) -> Result<bool> {
    let n = tx
        .exec(
            "UPDATE subject_timers SET status = 'fired', fired_at = $2 WHERE id = $1 AND status = 'pending'",
            vals![id, to_ms(now)],
        )
        .await?;
    Ok(n == 1)
}

pub(crate) async fn due_subject<C: Conn>(
    tx: &mut Tx<'_, C>,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<SubjectTimer>> {
    let rows = tx
        .query(
            "SELECT id, subject, kind, due_at FROM subject_timers WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at LIMIT $2",
            vals![to_ms(now), limit],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(SubjectTimer {
                id: r[0].int()?,
                subject: r[1].text()?,
                kind: r[2].text()?,
                due_at: from_ms(r[3].int()?)?,
            })
        })
        .collect::<Result<_, StoreError>>()
}

/// Seeds a scheduled job's next run unless one is pending (every node does this at start).
pub(crate) async fn insert_job<C: Conn>(
    tx: &mut Tx<'_, C>,
    subject: &str,
    kind: &str,
    due: Timestamp,
) -> Result<()> {
    tx.exec(
        "INSERT INTO subject_timers (subject, kind, due_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        vals![subject, kind, to_ms(due)],
    )
    .await?;
    Ok(())
}
