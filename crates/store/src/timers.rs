//! Deadlines: a complaint's (`timers`, fired through the state machine) and those of other
//! things (`subject_timers`: penalty ends, IP restores, case evidence requests, scheduled jobs).
//! Each is claimed `pending` → `fired` in the transaction that applies it, so it fires once.

use weiquan_domain::machine::Cancel;
use weiquan_domain::notice::{self, Deadline};
use weiquan_domain::*;

use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::model::DueTimer;
use crate::notices;
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
/// A public jury's vote (subject `jury:ID`; fired by `jury::fire`).
pub(crate) const JURY_VOTE: &str = "jury_vote";
/// The scheduled brushing scan: one pending run at a time, whichever node claims it runs it.
pub const BRUSHING_SCAN: &str = "brushing_scan";
pub const BRUSHING_JOB: &str = "job:brushing";

// --- a complaint's deadlines

/// Sets a complaint's deadline, with its first reminder still to come (if a party must meet it).
pub(crate) async fn insert<C: Conn>(
    tx: &mut Tx<'_, C>,
    id: ComplaintId,
    kind: TimerKind,
    due: Timestamp,
    policy: &Policy,
    now: Timestamp,
) -> Result<()> {
    let remind = Deadline::of_timer(kind).and_then(|_| policy.next_reminder(kind, due, now));
    tx.defer(
        "INSERT INTO timers (complaint_id, kind, due_at, remind_at) VALUES ($1, $2, $3, $4)",
        vals![id.0, kind.as_str(), to_ms(due), remind.map(to_ms)],
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

/// Sets a deadline of something other than a complaint; `remind_at` its first reminder, for
/// one a party must meet (an IP counter-notice period).
pub(crate) async fn insert_subject<C: Conn>(
    tx: &mut Tx<'_, C>,
    subject: &Stream,
    kind: &str,
    due: Timestamp,
    remind_at: Option<Timestamp>,
) -> Result<()> {
    tx.exec(
        "INSERT INTO subject_timers (subject, kind, due_at, remind_at) VALUES ($1, $2, $3, $4)",
        vals![subject.to_string(), kind, to_ms(due), remind_at.map(to_ms)],
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

// --- reminders before deadlines

/// A reminder that has fallen due, of a pending deadline a party must meet.
#[derive(Debug, Clone, PartialEq)]
pub struct DueReminder {
    pub timer_id: i64,
    /// Of a `subject_timers` row (else of a complaint's `timers` row).
    pub of_subject: bool,
    pub subject: Stream,
    pub deadline: Deadline,
    pub due_at: Timestamp,
    pub remind_at: Timestamp,
    /// Whom an evidence turn asks.
    pub evidence_from: Option<Party>,
}

/// Reminders due by `now` of deadlines still pending: complaints' first, then other subjects'.
pub(crate) async fn due_reminders<C: Conn>(
    tx: &mut Tx<'_, C>,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<DueReminder>> {
    let mut out = vec![];
    let rows = tx
        .query(
            "SELECT t.id, t.complaint_id, t.kind, t.due_at, t.remind_at, c.progress FROM timers t JOIN complaints c ON c.id = t.complaint_id \
             WHERE t.status = 'pending' AND t.remind_at IS NOT NULL AND t.remind_at <= $1 ORDER BY t.remind_at LIMIT $2",
            vals![to_ms(now), limit],
        )
        .await?;
    for r in &rows {
        let Some(deadline) = TimerKind::parse(&r[2].text()?).and_then(Deadline::of_timer) else {
            continue;
        };
        let progress: serde_json::Value = serde_json::from_str(&r[5].text()?).unwrap_or_default();
        out.push(DueReminder {
            timer_id: r[0].int()?,
            of_subject: false,
            subject: Stream::Complaint(ComplaintId(r[1].int()?)),
            deadline,
            due_at: from_ms(r[3].int()?)?,
            remind_at: from_ms(r[4].int()?)?,
            evidence_from: progress["evidence_requested_from"]
                .as_str()
                .and_then(|p| Party::parse(p).ok()),
        });
    }
    let rows = tx
        .query(
            "SELECT id, subject, kind, due_at, remind_at FROM subject_timers \
             WHERE status = 'pending' AND remind_at IS NOT NULL AND remind_at <= $1 ORDER BY remind_at LIMIT $2",
            vals![to_ms(now), limit],
        )
        .await?;
    for r in &rows {
        let deadline = match (Stream::parse(&r[1].text()?), r[2].text()?.as_str()) {
            (Ok(s @ Stream::Report(_)), IP_RESTORE) => (s, Deadline::IpCounterNotice),
            (Ok(s @ Stream::Jury(_)), JURY_VOTE) => (s, Deadline::JuryVote),
            _ => continue,
        };
        let (subject, deadline) = deadline;
        out.push(DueReminder {
            timer_id: r[0].int()?,
            of_subject: true,
            subject,
            deadline,
            due_at: from_ms(r[3].int()?)?,
            remind_at: from_ms(r[4].int()?)?,
            evidence_from: None,
        });
    }
    Ok(out)
}

/// Sends a due reminder once: claimed by moving the deadline's `remind_at` on to the next
/// reminder (compare-and-set, so whichever node gets there first sends it), then written to
/// whoever must act. `false` if another node sent it, the deadline is no longer pending, or it
/// has fallen due itself.
pub(crate) async fn send_reminder<C: Conn>(
    tx: &mut Tx<'_, C>,
    r: &DueReminder,
    policy: &Policy,
    now: Timestamp,
) -> Result<bool> {
    let next = policy
        .next_reminder(r.deadline.kind(), r.due_at, now)
        .map(to_ms);
    let claim = vals![r.timer_id, to_ms(r.remind_at), next];
    let n = if r.of_subject {
        tx.exec(
            "UPDATE subject_timers SET remind_at = $3 WHERE id = $1 AND status = 'pending' AND remind_at = $2",
            claim,
        )
        .await?
    } else {
        tx.exec(
            "UPDATE timers SET remind_at = $3 WHERE id = $1 AND status = 'pending' AND remind_at = $2",
            claim,
        )
        .await?
    };
    if n != 1 || now >= r.due_at {
        return Ok(false);
    }
    let told = match r.subject {
        // A panel's jurors who have not voted (nor left), not a stream's parties.
        Stream::Jury(id) => {
            let rows = tx
                .query(
                    "SELECT user_id FROM jury_seats WHERE jury_id = $1 AND voted_at IS NULL AND left_at IS NULL ORDER BY user_id",
                    vals![id.0],
                )
                .await?;
            let params = notice::NoticeParams {
                deadline: Some(r.deadline),
                due_ms: Some(to_ms(r.due_at)),
                ..Default::default()
            };
            rows.iter()
                .map(|row| {
                    Ok((
                        UserId(row[0].int()?),
                        notice::NoticeKind::Reminder,
                        params.clone(),
                    ))
                })
                .collect::<Result<Vec<_>>>()?
        }
        _ => {
            let parties = notices::parties(tx, &r.subject).await?;
            notice::reminder_recipients(r.deadline, r.evidence_from, &parties, r.due_at)
        }
    };
    notices::send(tx, &r.subject, told, now).await?;
    Ok(true)
}
