//! A tier-3 collective case's effects on its member complaints.

use super::Transition;
use super::builder::*;
use crate::complaint::*;
use crate::error::DomainError;
use crate::event::EventKind;
use crate::policy::Policy;
use crate::types::*;

/// A tier-3 collective case's sanction applied to one member: an open complaint is resolved
/// with the case's remedy, as a ruling (executed and appealable like one).
pub fn case_ruling(
    c: &Complaint,
    case_id: i64,
    remedy: &Remedy,
    rule_refs: &[String],
    reason: &str,
    now: Timestamp,
    policy: &Policy,
) -> Result<Transition, DomainError> {
    if !c.state.is_open() {
        return Err(refused_in_state(
            c,
            "集体投诉案件的裁决",
            "the collective case's ruling",
        ));
    }
    let res = Resolution {
        by: ResolvedBy::Ruling,
        remedy: Some(remedy.clone()),
        decision: Some(Decision::Uphold),
        rule_refs: rule_refs.to_vec(),
        reason: Some(reason.to_owned()),
        ruled_by: None,
        appeal_until: None,
        at: now,
    };
    let b =
        resolve(Builder::new(c, EventKind::CaseRuled), now, policy, res).data("case_id", case_id);
    Ok(b.done(now))
}

/// A complaint joins a tier-3 collective case: linked to it and major from now on.
pub fn join_collective(c: &Complaint, case_id: i64, now: Timestamp) -> Transition {
    let mut b = Builder::new(c, EventKind::JoinedCollectiveCase).data("case_id", case_id);
    b.c.collective_case_id = Some(crate::types::CaseId(case_id));
    b.c.major = true;
    b.done(now)
}
