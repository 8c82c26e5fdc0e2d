//! The arms of [`decide`](super::decide) for a lapsed deadline, one per [`TimerKind`].

use super::builder::*;
use super::{Effect, Transition};
use crate::complaint::*;
use crate::error::DomainError;
use crate::event::EventKind;
use crate::policy::Policy;
use crate::state::{State, TimerKind};
use crate::types::*;

pub(super) fn lapse(
    c: &Complaint,
    kind: TimerKind,
    now: Timestamp,
    policy: &Policy,
) -> Result<Transition, DomainError> {
    use State::*;
    let stale = || {
        DomainError::conflict(
            "stale_timer",
            "期限已不适用",
            "the deadline no longer applies",
        )
    };
    let event = match kind {
        TimerKind::MerchantReply => EventKind::MerchantReplyLapsed,
        TimerKind::ConsumerReply => EventKind::ConsumerReplyLapsed,
        TimerKind::Mediation => EventKind::MediationLapsed,
        TimerKind::EvidenceTurn => EventKind::EvidenceTurnLapsed,
        TimerKind::ExecuteRuling => EventKind::ExecuteRulingLapsed,
        TimerKind::AppealWindow => EventKind::AppealWindowLapsed,
    };
    let b = Builder::new(c, event).data("timer", kind);
    let b = match (kind, c.state) {
        (TimerKind::MerchantReply, AwaitingMerchant) => {
            let b = b.effect(Effect::Violation {
                kind: "merchant_no_reply".into(),
                points: policy.points.merchant_no_reply,
                reason: format!("complaint {} unanswered within merchant_reply", c.id),
            });
            if c.claim.lapses_in_consumers_favour() {
                // Taobao's rule: a merchant's silence on a refund or return is agreement.
                resolve(
                    b,
                    now,
                    policy,
                    resolution(ResolvedBy::MerchantSilent, Some(c.claim.clone()), now),
                )
            } else {
                enter(b, Mediation, now, policy)
            }
        }
        (TimerKind::ConsumerReply, AwaitingConsumer) => close(b, "lapsed"),
        (TimerKind::Mediation, Mediation) => b.to(ProtectionReview),
        (TimerKind::EvidenceTurn, ProtectionReview)
            if c.progress.evidence_requested_from.is_some() =>
        {
            let mut b = b.data("party", c.progress.evidence_requested_from);
            b.c.progress.evidence_requested_from = None;
            b
        }
        (TimerKind::ExecuteRuling, Resolved) => {
            let res = c.progress.resolution.as_ref().ok_or_else(stale)?;
            let mut b = b;
            if let (Some(remedy), None) = (&res.remedy, c.progress.fulfilled_by) {
                b = b
                    .effect(Effect::PlatformPayout {
                        remedy: remedy.clone(),
                    })
                    .effect(Effect::Violation {
                        kind: "ruling_not_executed".into(),
                        points: policy.points.ruling_not_executed,
                        reason: format!("complaint {}: remedy not carried out in time", c.id),
                    })
                    .data("paid_by_platform", remedy);
                b.c.progress.fulfilled_by = Some(FulfilledBy::Platform);
            }
            if res.appeal_until.is_some_and(|u| now < u) {
                b
            } else {
                close(b, "executed")
            }
        }
        (TimerKind::AppealWindow, Resolved) => {
            let res = c.progress.resolution.as_ref().ok_or_else(stale)?;
            let settled = res.remedy.is_none() || c.progress.fulfilled_by.is_some();
            if settled { close(b, "executed") } else { b }
        }
        _ => return Err(stale()),
    };
    Ok(b.done(now))
}
