//! A public jury's effects on its complaint (`docs/jury.md`): sent to a panel (the complaint
//! stays in protection review while it sits), ruled by the panel's majority — tier 2's ruling,
//! cited as a jury ruling, executed and appealable like any — or sent back to a specialist.

use super::builder::*;
use super::{Cancel, Transition};
use crate::access::Actor;
use crate::complaint::*;
use crate::error::DomainError;
use crate::event::EventKind;
use crate::jury::{self, SendToJury, Tally};
use crate::policy::Policy;
use crate::types::*;

/// Tier 2 sends the complaint to panel `jury` (drawn by the store in the same transaction).
pub fn send_to_jury(
    c: &Complaint,
    actor: &Actor,
    jury_id: JuryId,
    send: &SendToJury,
    vote_until: Timestamp,
    now: Timestamp,
    policy: &Policy,
) -> Result<Transition, DomainError> {
    if actor.role != Role::Protection {
        return Err(DomainError::forbidden(
            "只有消费者保障专员可以将投诉交由大众评审",
            "only a consumer-protection specialist may send a complaint to a jury",
        ));
    }
    jury::may_send_to_jury(c, send, policy)?;
    let mut b = Builder::new(c, EventKind::JurySummoned)
        .data("jury_id", jury_id)
        .data("both_sides_agree", send.both_sides_agree)
        .data("partial_remedy", &send.partial_remedy)
        .data("vote_until", vote_until);
    b.c.progress.jury = Some(jury_id);
    b.c.progress.jury_tried = true;
    b.c.assignee_id = Some(actor.id);
    Ok(b.done(now))
}

/// The panel's majority becomes tier 2's ruling: uphold gives the claim, partial the remedy the
/// specialist offered, reject nothing. `reasons` are the jurors' reasons (never who gave them).
#[allow(clippy::too_many_arguments)]
pub fn jury_ruling(
    c: &Complaint,
    jury_id: JuryId,
    decision: Decision,
    partial_remedy: Option<&Remedy>,
    tally: &Tally,
    reasons: &[String],
    now: Timestamp,
    policy: &Policy,
) -> Result<Transition, DomainError> {
    if c.state != crate::state::State::ProtectionReview || c.progress.jury != Some(jury_id) {
        return Err(refused_in_state(c, "大众评审裁决", "the jury's ruling"));
    }
    let remedy = match decision {
        Decision::Uphold => Some(c.claim.clone()),
        Decision::Partial => partial_remedy.cloned(),
        Decision::Reject => None,
    };
    let res = Resolution {
        by: ResolvedBy::Ruling,
        remedy,
        decision: Some(decision),
        rule_refs: vec![jury::rule_ref(jury_id, tally, decision)],
        reason: Some(format!(
            "大众评审团多数意见：{} / the public jury's majority: {}",
            decision.label(crate::Lang::Zh),
            decision.label(crate::Lang::En)
        )),
        // A jury, not a specialist: any specialist may hear the appeal.
        ruled_by: None,
        appeal_until: None,
        at: now,
    };
    let mut b = Builder::new(c, EventKind::Ruled);
    b.c.progress.jury = None;
    let b = resolve(b, now, policy, res)
        .data("jury_id", jury_id)
        .data("tally", tally)
        .data("reasons", reasons);
    Ok(b.done(now))
}

/// The panel reached no verdict (too few votes, or no majority): back to the specialist, who
/// rules as without a jury.
pub fn jury_returned(
    c: &Complaint,
    jury_id: JuryId,
    why: &str,
    tally: &Tally,
    now: Timestamp,
) -> Result<Transition, DomainError> {
    if c.progress.jury != Some(jury_id) {
        return Err(refused_in_state(
            c,
            "退回专员",
            "returning it to a specialist",
        ));
    }
    let mut b = Builder::new(c, EventKind::JuryReturned)
        .data("jury_id", jury_id)
        .data("why", why)
        .data("tally", tally);
    b.c.progress.jury = None;
    b.cancel = Cancel::Kinds(vec![]);
    Ok(b.done(now))
}

/// The refusal of a specialist's step while a jury sits.
pub(super) fn jury_sitting(c: &Complaint) -> Result<(), DomainError> {
    match c.progress.jury {
        Some(id) => Err(DomainError::conflict(
            "jury_sitting",
            format!("大众评审团 #{id} 正在评审这条投诉，请等待其裁决或退回"),
            format!(
                "public jury #{id} is deciding this complaint; wait for its verdict or its return"
            ),
        )),
        None => Ok(()),
    }
}
