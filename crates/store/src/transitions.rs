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
use crate::outbox;
use crate::records::{self};
use crate::sql::vals;
use crate::timers::{self};
use weiquan_domain::delivery::WebhookEvent;
use weiquan_domain::machine::Effect;

/// Persists a transition: the complaint, its timers, its event and its effects, and the
/// webhooks they cause (`complaint.state_changed`, `remedy.due`). `before` is the complaint the
/// transition was decided on.
pub(crate) async fn apply<C: Conn>(
    o: &mut Tx<'_, C>,
    before: &Complaint,
    t: machine::Transition,
    actor: &str,
    actor_id: Option<UserId>,
    now: Timestamp,
    policy: &Policy,
) -> Result<Complaint> {
    let deadline = persist(o, before, &t, actor, actor_id, now, policy, true).await?;
    let mut out = t.complaint;
    out.deadline_at = deadline;
    Ok(out)
}

/// [`apply`] for a caller that does not answer with the complaint (a drain, a deadline, a
/// case's ruling over its members): the row's update is held with the event.
pub(crate) async fn apply_blind<C: Conn>(
    o: &mut Tx<'_, C>,
    before: &Complaint,
    t: machine::Transition,
    actor: &str,
    actor_id: Option<UserId>,
    now: Timestamp,
    policy: &Policy,
) -> Result<()> {
    persist(o, before, &t, actor, actor_id, now, policy, false)
        .await
        .map(drop)
}

/// The transition's writes; the new deadline when `answer` asks for it.
#[allow(clippy::too_many_arguments)]
async fn persist<C: Conn>(
    o: &mut Tx<'_, C>,
    before: &Complaint,
    t: &machine::Transition,
    actor: &str,
    actor_id: Option<UserId>,
    now: Timestamp,
    policy: &Policy,
    answer: bool,
) -> Result<Option<Timestamp>> {
    let c = &t.complaint;
    timers::cancel(o, c.id, &t.cancel).await?;
    for (kind, due) in &t.set_timers {
        timers::insert(o, c.id, *kind, *due, policy, now).await?;
    }
    notices::remember_complaint(o, c.id, c);
    let answered = weiquan_domain::scorecard::is_merchant_answer(before, t.event_kind, actor_id);
    let deadline = match answer {
        true => records::update_complaint(o, c, answered, now).await?,
        false => {
            records::hold_complaint_update(o, c, answered, now).await?;
            None
        }
    };
    events::append(
        o,
        &Stream::Complaint(c.id),
        actor,
        t.event_kind,
        &t.event_data,
        now,
    )
    .await?;
    notify(o, before, c, t.event_kind, now).await?;
    if c.progress.jury_tried {
        score_jurors(o, before, c, t.event_kind, actor, now).await?;
    }
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
                let shop = Stream::Shop(c.shop_id.clone());
                events::append(o, &shop, actor, EventKind::PlatformPayout, &data, now).await?;
                // 先行赔付: the platform pays in the merchant's stead.
                let data = remedy_due(c, remedy, "platform", "execute_ruling_lapsed");
                outbox::webhook(o, &shop, WebhookEvent::RemedyDue, data, now).await?;
            }
        }
    }
    Ok(deadline)
}

/// Records, once a complaint that had a jury reaches its final outcome, whether each juror's
/// vote matched it: an appeal decided (the new ruling), or a ruling not appealed that closes
/// (carried out, its appeal window over). The jury's tables are only written here and in
/// `jury`, which comes later in the layers: this is the one statement a complaint's own change
/// makes on them.
async fn score_jurors<C: Conn>(
    o: &mut Tx<'_, C>,
    before: &Complaint,
    c: &Complaint,
    kind: EventKind,
    actor: &str,
    now: Timestamp,
) -> Result<()> {
    let r = c.progress.resolution.as_ref();
    let appeal_decided = kind == EventKind::Ruled && c.progress.appealed;
    let closed_unappealed = c.state == State::Closed
        && before.state != State::Closed
        && !c.progress.appealed
        && r.is_some_and(|r| r.by == weiquan_domain::complaint::ResolvedBy::Ruling);
    let Some(decision) = r.and_then(|r| r.decision) else {
        return Ok(());
    };
    if !(appeal_decided || closed_unappealed) {
        return Ok(());
    }
    let panels = o
        .query(
            "SELECT id FROM juries WHERE complaint_id = $1 AND scored_at IS NULL AND state IN ('decided', 'returned') FOR UPDATE",
            vals![c.id.0],
        )
        .await?;
    for p in panels {
        let id = p[0].int()?;
        o.exec(
            "UPDATE jury_seats SET agreed = CASE WHEN outcome = $2 THEN 1 ELSE 0 END WHERE jury_id = $1 AND outcome IS NOT NULL",
            vals![id, decision.as_str()],
        )
        .await?;
        o.exec(
            "UPDATE juries SET final_decision = $2, scored_at = $3 WHERE id = $1",
            vals![id, decision.as_str(), crate::time::to_ms(now)],
        )
        .await?;
        let data = json!({"complaint_id": c.id, "final_decision": decision, "appealed": c.progress.appealed});
        events::append(
            o,
            &Stream::Jury(JuryId(id)),
            actor,
            EventKind::JurorsScored,
            &data,
            now,
        )
        .await?;
    }
    Ok(())
}

/// The webhooks of a transition: the new state when state, tier or major moved (or it joined a
/// collective case), and the remedy the
/// merchant now owes when this step resolved the complaint with one (a proposal accepted, a
/// ruling, the merchant's silence on a refund).
async fn notify<C: Conn>(
    o: &mut Tx<'_, C>,
    before: &Complaint,
    c: &Complaint,
    kind: EventKind,
    now: Timestamp,
) -> Result<()> {
    let stream = Stream::Complaint(c.id);
    let moved = |c: &Complaint| (c.state, c.tier, c.major, c.collective_case_id);
    if moved(before) != moved(c) {
        let data = json!({
            "complaint_id": c.id, "order_no": c.order_no, "shop_id": c.shop_id,
            "state": c.state, "tier": c.tier, "previous_state": before.state,
            "previous_tier": before.tier, "event": kind, "major": c.major,
            "collective_case_id": c.collective_case_id,
        });
        outbox::webhook(o, &stream, WebhookEvent::ComplaintStateChanged, data, now).await?;
    }
    if let Some(r) = &c.progress.resolution
        && before.progress.resolution.as_ref() != Some(r)
        && let Some(remedy) = &r.remedy
    {
        let by = serde_json::to_value(r.by).unwrap_or_default();
        let data = remedy_due(c, remedy, "merchant", by.as_str().unwrap_or("ruling"));
        outbox::webhook(o, &stream, WebhookEvent::RemedyDue, data, now).await?;
    }
    Ok(())
}

/// `remedy.due`'s body: who pays, what to pay or take back and how much, named by the complaint.
fn remedy_due(c: &Complaint, remedy: &Remedy, payer: &str, because: &str) -> serde_json::Value {
    json!({
        "complaint_id": c.id, "order_no": c.order_no, "shop_id": c.shop_id, "payer": payer,
        "remedy": {
            "kind": remedy.kind, "amount_cents": remedy.amount_cents,
            // A return takes the goods back before the refund; an exchange sends new ones.
            "take_back_goods": matches!(remedy.kind, ClaimKind::Return | ClaimKind::Exchange),
        },
        "because": because,
    })
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
