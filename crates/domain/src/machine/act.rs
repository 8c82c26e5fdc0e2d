//! The arms of [`decide`](super::decide) for a person's action, one per [`Action`].

use super::builder::*;
use super::{Effect, Transition};
use crate::access::{self, Actor};
use crate::action::Action;
use crate::complaint::*;
use crate::error::DomainError;
use crate::event::EventKind;
use crate::policy::Policy;
use crate::state::{State, TimerKind};
use crate::types::*;

pub(super) fn act(
    c: &Complaint,
    actor: &Actor,
    action: &Action,
    now: Timestamp,
    policy: &Policy,
) -> Result<Transition, DomainError> {
    use State::*;
    let name = action.name();
    let b = match action {
        Action::Accept => {
            require_role(actor, &[Role::Consumer, Role::Merchant], action)?;
            if actor.role == Role::Consumer {
                require_consumer(c, actor)?;
                match c.state {
                    // The proposal on the table: the merchant's (none after a refusal) or the agent's.
                    s if s == AwaitingConsumer || (s == Mediation && c.progress.agent_proposed) => {
                        let remedy = c.progress.proposal.as_ref().map(|p| p.remedy.clone());
                        resolve(
                            Builder::new(c, EventKind::Accepted),
                            now,
                            policy,
                            resolution(ResolvedBy::ConsumerAccepted, remedy, now),
                        )
                    }
                    Mediation | AwaitingMerchant => {
                        return Err(conflict(
                            "还没有可以接受的方案",
                            "there is no proposal to accept yet",
                        ));
                    }
                    _ => return Err(state_refusal(c, action)),
                }
            } else {
                require_merchant(c, actor)?;
                if !c.state.is_open() {
                    return Err(state_refusal(c, action));
                }
                // The merchant grants the claim in full, at whatever tier the complaint is.
                resolve(
                    Builder::new(c, EventKind::Accepted),
                    now,
                    policy,
                    resolution(ResolvedBy::MerchantAccepted, Some(c.claim.clone()), now),
                )
            }
        }
        Action::Propose { remedy, message } => {
            require_role(actor, &[Role::Merchant, Role::CsAgent], action)?;
            let proposal = Proposal {
                by: actor.id,
                by_role: actor.role,
                remedy: remedy.clone(),
                message: message.clone(),
                at: now,
            };
            if actor.role == Role::Merchant {
                require_merchant(c, actor)?;
                if !matches!(c.state, AwaitingMerchant | AwaitingConsumer) {
                    return Err(state_refusal(c, action));
                }
                let mut b = Builder::new(c, EventKind::Proposed)
                    .to(AwaitingConsumer)
                    .data("proposal", &proposal);
                b.c.progress.proposal = Some(proposal);
                b.timer(
                    TimerKind::ConsumerReply,
                    policy.due(TimerKind::ConsumerReply, now),
                )
            } else {
                if c.state != Mediation {
                    return Err(state_refusal(c, action));
                }
                let mut b = Builder::new(c, EventKind::Proposed).data("proposal", &proposal);
                b.c.progress.proposal = Some(proposal);
                b.c.progress.agent_proposed = true;
                b.c.assignee_id = Some(actor.id);
                b
            }
        }
        Action::Reject { message } => {
            require_role(actor, &[Role::Merchant], action)?;
            require_merchant(c, actor)?;
            if c.state != AwaitingMerchant {
                return Err(state_refusal(c, action));
            }
            let mut b = Builder::new(c, EventKind::Rejected)
                .to(AwaitingConsumer)
                .data("message", message);
            b.c.progress.proposal = None;
            b.timer(
                TimerKind::ConsumerReply,
                policy.due(TimerKind::ConsumerReply, now),
            )
        }
        Action::Escalate { reason } => {
            require_role(actor, &[Role::Consumer], action)?;
            require_consumer(c, actor)?;
            let b = Builder::new(c, EventKind::Escalated).data("reason", reason);
            match c.state {
                AwaitingMerchant => {
                    return Err(tier_order(
                        "请先等待商家处理：商家答复或处理期限届满后，才能申请客服介入",
                        "the merchant must answer first: you can ask customer service to step in once the merchant has answered or its deadline has passed",
                    ));
                }
                AwaitingConsumer => enter(b, escalate_target(c), now, policy),
                Mediation if c.progress.agent_proposed => b.to(ProtectionReview),
                Mediation => {
                    return Err(tier_order(
                        "客服尚未给出调解方案：客服提出方案或调解期限届满后，才能申请消费者保障介入",
                        "customer service must propose first: you can ask consumer protection to step in once an agent has proposed or mediation's deadline has passed",
                    ));
                }
                ProtectionReview => {
                    return Err(conflict(
                        "投诉已由消费者保障审理，这是个人投诉的最高一级",
                        "consumer protection already reviews this complaint, the last tier for a personal complaint",
                    ));
                }
                Resolved
                    if c.progress
                        .resolution
                        .as_ref()
                        .is_some_and(|r| r.by == ResolvedBy::Ruling) =>
                {
                    return Err(conflict(
                        "投诉已裁决；如不服，请在申诉期内提出申诉",
                        "the complaint has been ruled on; appeal within the appeal window if you disagree",
                    ));
                }
                _ => return Err(state_refusal(c, action)),
            }
        }
        Action::TakeOver => {
            require_role(actor, &[Role::Protection], action)?;
            if !matches!(c.state, AwaitingMerchant | AwaitingConsumer | Mediation) {
                return Err(state_refusal(c, action));
            }
            if !c.major {
                return Err(DomainError::conflict(
                    "not_major",
                    "只有重大投诉可以直接接管",
                    "only a major complaint may be taken over",
                ));
            }
            let mut b = Builder::new(c, EventKind::TakenOver).to(ProtectionReview);
            b.c.assignee_id = Some(actor.id);
            b
        }
        Action::RequestEvidence { from, message } => {
            require_role(actor, &[Role::Protection], action)?;
            if c.state != ProtectionReview {
                return Err(state_refusal(c, action));
            }
            super::jury::jury_sitting(c)?;
            let mut b = Builder::new(c, EventKind::EvidenceRequested)
                .data("from", from)
                .data("message", message);
            b.c.progress.evidence_requested_from = Some(*from);
            b.c.assignee_id = Some(actor.id);
            b.timer(
                TimerKind::EvidenceTurn,
                policy.due(TimerKind::EvidenceTurn, now),
            )
        }
        Action::SubmitEvidence => {
            require_role(actor, &[Role::Consumer, Role::Merchant], action)?;
            let party = if actor.role == Role::Consumer {
                require_consumer(c, actor)?;
                Party::Consumer
            } else {
                require_merchant(c, actor)?;
                Party::Merchant
            };
            if c.state != ProtectionReview || c.progress.evidence_requested_from != Some(party) {
                return Err(conflict(
                    "现在没有请您举证",
                    "you have not been asked for evidence",
                ));
            }
            // The turn ends early: its deadline goes, and the specialist rules on what is in.
            let mut b = Builder::new(c, EventKind::EvidenceSubmitted).data("party", party);
            b.c.progress.evidence_requested_from = None;
            b.cancel = super::Cancel::Kinds(vec![TimerKind::EvidenceTurn]);
            b
        }
        Action::Rule {
            decision,
            remedy,
            rule_refs,
            reason,
            violation,
            ..
        } => {
            require_role(actor, &[Role::Protection], action)?;
            if c.state != ProtectionReview {
                return Err(state_refusal(c, action));
            }
            super::jury::jury_sitting(c)?;
            if c.progress.excluded_specialist == Some(actor.id) {
                return Err(DomainError::forbidden(
                    "申诉须由另一位专员重新裁决",
                    "an appeal must be ruled on by another specialist",
                ));
            }
            let res = Resolution {
                by: ResolvedBy::Ruling,
                remedy: remedy.clone(),
                decision: Some(*decision),
                rule_refs: rule_refs.clone(),
                reason: reason.clone(),
                ruled_by: Some(actor.id),
                appeal_until: None,
                at: now,
            };
            let mut b = resolve(Builder::new(c, EventKind::Ruled), now, policy, res);
            b.c.assignee_id = Some(actor.id);
            if let Some(v) = violation {
                b = b.effect(Effect::Violation {
                    kind: v.kind.clone(),
                    points: v.points,
                    reason: reason.clone().unwrap_or_else(|| rule_refs.join("; ")),
                });
            }
            b
        }
        Action::Fulfil { note } => {
            // The merchant, or the payment system confirming it paid (the merchant's remedy,
            // carried out: the same step).
            if actor.role == Role::Service {
                access::check_scope(actor, Scope::RemediesWrite)?;
            } else {
                require_role(actor, &[Role::Merchant], action)?;
                require_merchant(c, actor)?;
            }
            if !c.remedy_due() {
                return Err(not_due());
            }
            let mut b = Builder::new(c, EventKind::Fulfilled).data("note", note);
            b.c.progress.fulfilled_by = Some(FulfilledBy::Merchant);
            b.c.progress.payment_failed = None;
            b
        }
        Action::Confirm => {
            require_role(actor, &[Role::Consumer], action)?;
            require_consumer(c, actor)?;
            if c.state != Resolved {
                return Err(state_refusal(c, action));
            }
            let owes = c
                .progress
                .resolution
                .as_ref()
                .is_some_and(|r| r.remedy.is_some());
            if owes && c.progress.fulfilled_by.is_none() {
                return Err(conflict(
                    "商家尚未履行，请在商家履行后再确认",
                    "the merchant has not carried out the remedy yet; confirm once it has",
                ));
            }
            close(Builder::new(c, EventKind::Confirmed), "confirmed")
        }
        Action::Appeal { reason } => {
            require_role(actor, &[Role::Consumer, Role::Merchant], action)?;
            if actor.role == Role::Consumer {
                require_consumer(c, actor)?;
            } else {
                require_merchant(c, actor)?;
            }
            let ruling = match (&c.state, &c.progress.resolution) {
                (Resolved, Some(r)) if r.by == ResolvedBy::Ruling => r,
                _ => {
                    return Err(conflict(
                        "只有裁决可以申诉",
                        "only a ruling can be appealed",
                    ));
                }
            };
            if c.progress.appealed {
                return Err(DomainError::conflict(
                    "appeal_used",
                    "每个裁决只能申诉一次",
                    "a ruling can be appealed only once",
                ));
            }
            if ruling.appeal_until.is_none_or(|u| now > u) {
                return Err(DomainError::conflict(
                    "appeal_window_closed",
                    "申诉期已过",
                    "the appeal window has closed",
                ));
            }
            if actor.role == Role::Merchant
                && c.progress.fulfilled_by == Some(FulfilledBy::Merchant)
            {
                return Err(conflict(
                    "已履行裁决，不能再申诉",
                    "the ruling was carried out; it can no longer be appealed",
                ));
            }
            let mut b = Builder::new(c, EventKind::Appealed)
                .to(ProtectionReview)
                .data("reason", reason);
            b.c.progress.appealed = true;
            b.c.progress.excluded_specialist = ruling.ruled_by;
            b.c.progress.resolution = None;
            b.c.progress.fulfilled_by = None;
            b.c.assignee_id = None;
            b
        }
        Action::Withdraw { reason } => {
            require_role(actor, &[Role::Consumer], action)?;
            require_consumer(c, actor)?;
            if !c.state.is_open() {
                return Err(state_refusal(c, action));
            }
            Builder::new(c, EventKind::Withdrawn)
                .to(Withdrawn)
                .data("reason", reason)
        }
        Action::Forward { reason } => {
            require_role(actor, &[Role::CsAgent, Role::Protection], action)?;
            Builder::new(c, EventKind::Forwarded)
                .data("reason", reason)
                .effect(Effect::Forward {
                    reason: reason.clone(),
                })
        }
    };
    Ok(b.data("action", name).done(now))
}
