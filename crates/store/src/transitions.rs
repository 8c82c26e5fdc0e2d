//! A decided transition persisted: the complaint's row, its timers, its event and its effects
//! (a forward to a case, a violation recorded, a platform payout), in the caller's transaction.

use serde_json::json;
use weiquan_domain::machine;
use weiquan_domain::*;

use crate::cases;
use crate::db::{Conn, Tx};
use crate::error::Result;
use crate::events;
use crate::ledger::{ViolationInsert, record_violation};
use crate::notices;
use crate::records::{self};
use crate::timers::{self};
use weiquan_domain::machine::Effect;

/// Persists a transition: the complaint, its timers, its event and its effects.
pub(crate) async fn apply<C: Conn>(
    o: &mut Tx<'_, C>,
    t: machine::Transition,
    actor: &str,
    actor_id: Option<UserId>,
    now: Timestamp,
    policy: &Policy,
) -> Result<Complaint> {
    let c = &t.complaint;
    timers::cancel(o, c.id, &t.cancel).await?;
    for (kind, due) in &t.set_timers {
        timers::insert(o, c.id, *kind, *due, &policy.reminders, now).await?;
    }
    notices::remember_complaint(o, c.id, c);
    let deadline = records::update_complaint(o, c, now).await?;
    events::append(
        o,
        &Stream::Complaint(c.id),
        actor,
        t.event_kind,
        &t.event_data,
        now,
    )
    .await?;
    for effect in &t.effects {
        match effect {
            Effect::Forward { reason } => {
                forward_to_case(o, c, reason, actor, actor_id, now).await?
            }
            Effect::Violation {
                kind,
                points,
                reason,
            } => {
                record_violation(
                    o,
                    ViolationInsert {
                        shop: &c.shop_id,
                        complaint: Some(c.id),
                        case: None,
                        order_no: None,
                        kind,
                        points: *points,
                        compensation: None,
                        reason,
                    },
                    actor,
                    now,
                    policy,
                )
                .await?;
            }
            Effect::PlatformPayout { remedy } => {
                let data = json!({"complaint_id": c.id, "remedy": remedy});
                events::append(
                    o,
                    &Stream::Shop(c.shop_id.clone()),
                    actor,
                    EventKind::PlatformPayout,
                    &data,
                    now,
                )
                .await?;
            }
        }
    }
    let mut out = t.complaint;
    out.deadline_at = deadline;
    Ok(out)
}

/// Opens a violation case about the shop, or joins the open one, and links the complaint.
async fn forward_to_case<C: Conn>(
    o: &mut Tx<'_, C>,
    c: &Complaint,
    reason: &str,
    actor: &str,
    actor_id: Option<UserId>,
    now: Timestamp,
) -> Result<()> {
    let case_id = cases::open_or_join_case(
        o,
        &c.shop_id,
        CaseKind::Violation,
        &format!("店铺 {} 违规线索", c.shop_id),
        &json!({}),
        actor,
        now,
    )
    .await?;
    cases::add_member(o, case_id, c.id, reason, actor_id, actor, now).await?;
    Ok(())
}
