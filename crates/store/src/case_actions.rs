//! What staff and merchants do to a case (investigate, ask for and give evidence, sanction,
//! dismiss; a sanction's remedy applied to every member), and the deadlines of things other
//! than complaints as they fall due (penalties ending, IP restores, case evidence requests).

use chrono::Duration;
use serde_json::{Value, json};
use weiquan_domain::machine;
use weiquan_domain::tier3::{self as rules, *};
use weiquan_domain::*;

use crate::cases::{MEMBERS, ids};
use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::events;
use crate::ledger::{self, ViolationInsert, record_violation};
use crate::records::{self, Lock};
use crate::reports::{self, set_report_state};
use crate::rows::bad;
use crate::sql::vals;
use crate::time::to_ms;
use crate::timers::{self, *};
use crate::transitions;

pub(crate) async fn case_act<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: i64,
    action: CaseAction,
    now: Timestamp,
    policy: &Policy,
) -> Result<()> {
    let rows = o
        .query(
            "SELECT c.kind, c.state, c.shop_id, s.merchant_id, c.details FROM cases c JOIN shops s ON s.id = c.shop_id WHERE c.id = $1 FOR UPDATE",
            vals![id],
        )
        .await?;
    let row = rows.first().ok_or_else(rules::not_found_case)?;
    let merchant = UserId(row[3].int()?);
    if !rules::can_view_case(actor, merchant) {
        return Err(rules::not_found_case().into());
    }
    let shop = ShopId::parse(row[2].as_str()?).map_err(bad("case shop"))?;
    let details: Value = serde_json::from_str(row[4].as_str()?).unwrap_or(Value::Null);
    let subject = Stream::Case(CaseId(id));
    let evidence_requested = timers::subject_pending(o, &subject, CASE_EVIDENCE).await?;
    let facts = CaseFacts {
        kind: CaseKind::parse(row[0].as_str()?).map_err(bad("case kind"))?,
        state: CaseState::parse(row[1].as_str()?).map_err(bad("case state"))?,
        merchant_id: merchant,
        evidence_requested,
    };
    let t = rules::decide_case(&facts, actor, &action, now, policy)?;
    let who = actor.event_name();
    o.exec(
        "UPDATE cases SET state = $2, outcome = COALESCE($3, outcome), updated_at = $4 WHERE id = $1",
        vals![id, t.state.as_str(), t.outcome.as_ref().map(|v| v.to_string()), to_ms(now)],
    )
    .await?;
    if t.cancel_evidence {
        timers::cancel_subject(o, &subject, CASE_EVIDENCE).await?;
    }
    if let Some(due) = t.evidence_due {
        timers::insert_subject(o, &subject, CASE_EVIDENCE, due, None).await?;
    }
    let mut data = t.data.clone();
    data["action"] = json!(action.name());
    data["state"] = json!(t.state);
    events::append(o, &subject, &who, t.event_kind, &data, now).await?;

    if let Some(plan) = &t.sanction {
        // A brushing block names every shop in it; each gets the points.
        let mut sanctioned = vec![shop.clone()];
        for s in details["shops"].as_array().into_iter().flatten() {
            if let Some(s) = s.as_str().and_then(|s| ShopId::parse(s).ok())
                && !sanctioned.contains(&s)
            {
                sanctioned.push(s);
            }
        }
        for s in &sanctioned {
            record_violation(
                o,
                ViolationInsert {
                    shop: s,
                    complaint: None,
                    case: Some(id),
                    order_no: None,
                    kind: plan.violation_kind,
                    points: plan.points,
                    compensation: None,
                    reason: &plan.reason,
                },
                &who,
                now,
                policy,
            )
            .await?;
        }
        if let Some(remedy) = &plan.remedy {
            // One ruling, every member: each open complaint is resolved with the remedy.
            let (refs, reason) = match &action {
                CaseAction::Sanction {
                    rule_refs, reasons, ..
                } => (rule_refs.clone(), reasons.clone()),
                _ => (vec![], String::new()),
            };
            let members = ids(o.query(MEMBERS, vals![id]).await?)?;
            for m in members {
                let Some(c) = records::complaint(o, ComplaintId(m), Some(Lock::Wait)).await? else {
                    continue;
                };
                if !c.state.is_open() {
                    continue;
                }
                let tr = machine::case_ruling(&c, id, remedy, &refs, &reason, now, policy)?;
                transitions::apply_blind(o, &c, tr, &who, Some(actor.id), now, policy).await?;
            }
        }
    }
    if t.outcome.is_some() {
        // The case is decided: its reports are too. An IP notice found groundless restores the
        // listing; one upheld keeps it down.
        let dismissed = t.state == CaseState::Dismissed;
        let reports = o
            .query(
                "SELECT id, state, listing FROM reports WHERE case_id = $1 AND state IN ('received', 'taken_down', 'counter_noticed') FOR UPDATE",
                vals![id],
            )
            .await?;
        for r in reports {
            let rid = ReportId(r[0].int()?);
            let was = ReportState::parse(r[1].as_str()?).unwrap_or(ReportState::Received);
            let ip = was != ReportState::Received;
            let restore = dismissed && ip;
            let to = match (ip, dismissed) {
                (true, true) => ReportState::Restored,
                (true, false) => ReportState::KeptDown,
                (false, _) => ReportState::Closed,
            };
            set_report_state(o, rid, to, now).await?;
            timers::cancel_subject(o, &Stream::Report(rid), IP_RESTORE).await?;
            let kind = if restore {
                EventKind::ListingRestored
            } else {
                EventKind::CaseDecided
            };
            let data = json!({"case_id": id, "decision": t.state, "state": to});
            events::append(o, &Stream::Report(rid), &who, kind, &data, now).await?;
            if restore {
                reports::listing_restored(o, &shop, rid, r[2].opt_text()?, &who, now).await?;
            }
        }
    }
    Ok(())
}

/// Fires one deadline if it is still pending; `false` if another node (or an action) got there
/// first.
pub(crate) async fn fire_subject_timer<C: Conn>(
    o: &mut Tx<'_, C>,
    t: &SubjectTimer,
    now: Timestamp,
    policy: &Policy,
) -> Result<bool> {
    if t.kind == crate::timers::JURY_VOTE {
        // The panel is locked before its timer, in the order a vote takes them.
        return crate::jury::fire(o, t, now, policy).await;
    }
    if !timers::claim_subject(o, t.id, now).await? {
        return Ok(false);
    }
    if t.kind == BRUSHING_SCAN {
        // The next run is scheduled as this one is claimed: a node that dies mid-scan costs
        // one scan, never a stopped schedule. The caller runs the scan itself.
        let next = now + Duration::from_std(policy.brushing.every).expect("bounded");
        timers::insert_job(o, &t.subject, BRUSHING_SCAN, next).await?;
        return Ok(true);
    }
    let subject = Stream::parse(&t.subject)
        .map_err(|_| StoreError::Corrupt(format!("timer subject {}", t.subject)))?;
    let actor = weiquan_domain::access::SYSTEM_ACTOR;
    match (t.kind.as_str(), &subject) {
        (PENALTY_END, &Stream::Penalty(id)) => {
            let rows = o
                .query(
                    "SELECT shop_id, lifted_at FROM penalties WHERE id = $1 FOR UPDATE",
                    vals![id],
                )
                .await?;
            if let Some(r) = rows.first()
                && r[1].opt_int()?.is_none()
            {
                let shop = ShopId::parse(r[0].as_str()?).map_err(bad("penalty shop"))?;
                o.exec(
                    "UPDATE penalties SET lifted_at = $2 WHERE id = $1",
                    vals![id, to_ms(now)],
                )
                .await?;
                let data = json!({"penalty_id": id, "why": "ended", "timer_id": t.id});
                events::append(
                    o,
                    &Stream::Shop(shop.clone()),
                    actor,
                    EventKind::PenaltyLifted,
                    &data,
                    now,
                )
                .await?;
                ledger::refresh_standing(o, &shop, now).await?;
            }
        }
        (IP_RESTORE, &Stream::Report(id)) => {
            let rows = o
                .query(
                    "SELECT state, shop_id, listing FROM reports WHERE id = $1 FOR UPDATE",
                    vals![id],
                )
                .await?;
            if let Some(r) = rows.first()
                && let Some(tr) = ReportState::parse(r[0].as_str()?).and_then(rules::restore_lapsed)
            {
                set_report_state(o, id, tr.state, now).await?;
                let data = json!({"state": tr.state, "timer_id": t.id});
                events::append(o, &subject, actor, tr.event_kind, &data, now).await?;
                let shop = ShopId::parse(r[1].as_str()?).map_err(bad("report shop"))?;
                reports::listing_restored(o, &shop, id, r[2].opt_text()?, actor, now).await?;
            }
        }
        (CASE_EVIDENCE, Stream::Case(_)) => {
            // Silence: the case is decided on what is held.
            let data = json!({"timer_id": t.id});
            events::append(o, &subject, actor, EventKind::EvidenceLapsed, &data, now).await?;
        }
        (other, _) => {
            tracing::warn!(timer = t.id, kind = other, subject = %subject, "unknown subject timer consumed");
        }
    }
    Ok(true)
}
