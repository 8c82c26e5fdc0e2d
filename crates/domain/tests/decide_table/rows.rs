//! The rows of DESIGN §3's table: from which state, by whom, what follows.

use chrono::Duration;
use weiquan_domain::complaint::{FulfilledBy, ResolvedBy};
use weiquan_domain::machine::{Cancel, Effect, Transition, ViolationSpec};
use weiquan_domain::*;

use super::fixtures::*;

/// What a row expects.
pub(crate) enum Then {
    To {
        state: State,
        event: &'static str,
        timers: &'static [TimerKind],
        note: fn(&Complaint, &Transition),
    },
    Refused(&'static str),
}

pub(crate) struct Row {
    pub(crate) design: &'static str,
    pub(crate) from: fn() -> Complaint,
    pub(crate) by: Result<Actor, TimerKind>,
    pub(crate) action: fn() -> Action,
    /// When the trigger happens, after the `from` complaint's last step.
    pub(crate) after: Duration,
    pub(crate) then: Then,
}

pub(crate) fn no_note(_: &Complaint, _: &Transition) {}

pub(crate) fn violation(t: &Transition, kind: &str) -> bool {
    t.effects
        .iter()
        .any(|e| matches!(e, Effect::Violation { kind: k, .. } if k == kind))
}

pub(crate) fn act(by: Actor, action: fn() -> Action) -> (Result<Actor, TimerKind>, fn() -> Action) {
    (Ok(by), action)
}

pub(crate) fn rows() -> Vec<Row> {
    use State::*;
    use TimerKind as K;
    let row = |design, from, (by, action): (Result<Actor, TimerKind>, fn() -> Action), then| Row {
        design,
        from,
        by,
        action,
        after: Duration::minutes(30),
        then,
    };
    let timer = |design, from, kind, after, then| Row {
        design,
        from,
        by: Err(kind),
        action: || Action::Confirm,
        after,
        then,
    };
    vec![
        row(
            "awaiting_merchant | accept (merchant) | resolved | remedy = the consumer's claim",
            awaiting_merchant,
            act(MERCHANT, || Action::Accept),
            Then::To {
                state: Resolved,
                event: "accepted",
                timers: &[K::ExecuteRuling],
                note: |c, t| {
                    let r = t.complaint.progress.resolution.as_ref().unwrap();
                    assert_eq!(r.by, ResolvedBy::MerchantAccepted);
                    assert_eq!(r.remedy.as_ref(), Some(&c.claim));
                    assert_eq!(r.appeal_until, None, "only a ruling is appealable");
                },
            },
        ),
        row(
            "awaiting_merchant | propose (merchant) | awaiting_consumer | timer consumer_reply",
            awaiting_merchant,
            act(MERCHANT, || propose(4000)),
            Then::To {
                state: AwaitingConsumer,
                event: "proposed",
                timers: &[K::ConsumerReply],
                note: |_, t| {
                    let p = t.complaint.progress.proposal.as_ref().unwrap();
                    assert_eq!(p.remedy.amount_cents.unwrap().get(), 4000);
                },
            },
        ),
        row(
            "awaiting_merchant | reject (merchant) | awaiting_consumer | timer consumer_reply",
            awaiting_merchant,
            act(MERCHANT, reject),
            Then::To {
                state: AwaitingConsumer,
                event: "rejected",
                timers: &[K::ConsumerReply],
                note: |_, t| assert!(t.complaint.progress.proposal.is_none()),
            },
        ),
        timer(
            "awaiting_merchant | merchant_reply lapses, refund | resolved | silence means agreement; fault mark",
            awaiting_merchant,
            K::MerchantReply,
            Duration::hours(48),
            Then::To {
                state: Resolved,
                event: "merchant_reply_lapsed",
                timers: &[K::ExecuteRuling],
                note: |c, t| {
                    let r = t.complaint.progress.resolution.as_ref().unwrap();
                    assert_eq!(r.by, ResolvedBy::MerchantSilent);
                    assert_eq!(r.remedy.as_ref(), Some(&c.claim));
                    assert!(violation(t, "merchant_no_reply"));
                },
            },
        ),
        timer(
            "awaiting_merchant | merchant_reply lapses, return | resolved | silence means agreement",
            || {
                filed(
                    claim(ClaimKind::Return, Some(8900)),
                    Category::NotAsDescribed,
                )
            },
            K::MerchantReply,
            Duration::hours(48),
            Then::To {
                state: Resolved,
                event: "merchant_reply_lapsed",
                timers: &[K::ExecuteRuling],
                note: |_, t| assert!(violation(t, "merchant_no_reply")),
            },
        ),
        timer(
            "awaiting_merchant | merchant_reply lapses, other claims | mediation | fault mark",
            || filed(claim(ClaimKind::Exchange, None), Category::QualityDefect),
            K::MerchantReply,
            Duration::hours(48),
            Then::To {
                state: Mediation,
                event: "merchant_reply_lapsed",
                timers: &[K::Mediation],
                note: |_, t| {
                    assert_eq!(t.complaint.tier, Tier::CustomerService);
                    assert!(violation(t, "merchant_no_reply"));
                },
            },
        ),
        row(
            "awaiting_consumer | accept (consumer) | resolved | the proposal becomes the remedy",
            awaiting_consumer,
            act(CONSUMER, || Action::Accept),
            Then::To {
                state: Resolved,
                event: "accepted",
                timers: &[K::ExecuteRuling],
                note: |_, t| {
                    let r = t.complaint.progress.resolution.as_ref().unwrap();
                    assert_eq!(r.by, ResolvedBy::ConsumerAccepted);
                    assert_eq!(r.remedy.as_ref().unwrap().amount_cents.unwrap().get(), 4000);
                },
            },
        ),
        row(
            "awaiting_consumer | escalate (consumer) | mediation",
            awaiting_consumer_refused,
            act(CONSUMER, escalate),
            Then::To {
                state: Mediation,
                event: "escalated",
                timers: &[K::Mediation],
                note: |_, t| assert_eq!(t.complaint.tier, Tier::CustomerService),
            },
        ),
        row(
            "awaiting_consumer | escalate (consumer), major | protection_review",
            || {
                let c = filed(
                    claim(ClaimKind::Refund, Some(600_000)),
                    Category::QualityDefect,
                );
                assert!(c.major, "a claim over major.amount_cents is major");
                step(&c, &MERCHANT, reject())
            },
            act(CONSUMER, escalate),
            Then::To {
                state: ProtectionReview,
                event: "escalated",
                timers: &[],
                note: |_, t| assert_eq!(t.complaint.tier, Tier::ConsumerProtection),
            },
        ),
        timer(
            "awaiting_consumer | consumer_reply lapses | closed | outcome lapsed",
            awaiting_consumer,
            K::ConsumerReply,
            Duration::days(7),
            Then::To {
                state: Closed,
                event: "consumer_reply_lapsed",
                timers: &[],
                note: |_, t| assert_eq!(t.complaint.progress.outcome.as_deref(), Some("lapsed")),
            },
        ),
        row(
            "mediation | propose (cs_agent) | mediation | the agent's proposal is on the table",
            mediation,
            act(AGENT, || propose(6000)),
            Then::To {
                state: Mediation,
                event: "proposed",
                timers: &[],
                note: |_, t| {
                    assert!(t.complaint.progress.agent_proposed);
                    assert_eq!(t.complaint.assignee_id, Some(AGENT.id));
                },
            },
        ),
        row(
            "mediation | then accept (consumer) | resolved",
            mediation_proposed,
            act(CONSUMER, || Action::Accept),
            Then::To {
                state: Resolved,
                event: "accepted",
                timers: &[K::ExecuteRuling],
                note: |_, t| {
                    let r = t.complaint.progress.resolution.as_ref().unwrap();
                    assert_eq!(r.remedy.as_ref().unwrap().amount_cents.unwrap().get(), 6000);
                },
            },
        ),
        row(
            "mediation | escalate (consumer, after an agent proposal) | protection_review",
            mediation_proposed,
            act(CONSUMER, escalate),
            Then::To {
                state: ProtectionReview,
                event: "escalated",
                timers: &[],
                note: |_, t| assert_eq!(t.complaint.tier, Tier::ConsumerProtection),
            },
        ),
        timer(
            "mediation | mediation lapses | protection_review",
            mediation,
            K::Mediation,
            Duration::hours(72),
            Then::To {
                state: ProtectionReview,
                event: "mediation_lapsed",
                timers: &[],
                note: no_note,
            },
        ),
        row(
            "protection_review | request_evidence (protection) | same | timer evidence_turn",
            protection_review,
            act(GUARD, || Action::RequestEvidence {
                from: Party::Consumer,
                message: "请补充照片".into(),
            }),
            Then::To {
                state: ProtectionReview,
                event: "evidence_requested",
                timers: &[K::EvidenceTurn],
                note: |_, t| {
                    assert_eq!(
                        t.complaint.progress.evidence_requested_from,
                        Some(Party::Consumer)
                    );
                    assert_eq!(t.cancel, Cancel::Kinds(vec![TimerKind::EvidenceTurn]));
                },
            },
        ),
        timer(
            "protection_review | evidence_turn lapses | same | silence: rule on what is held",
            evidence_asked,
            K::EvidenceTurn,
            Duration::hours(48),
            Then::To {
                state: ProtectionReview,
                event: "evidence_turn_lapsed",
                timers: &[],
                note: |_, t| assert_eq!(t.complaint.progress.evidence_requested_from, None),
            },
        ),
        row(
            "protection_review (evidence asked of the merchant) | submit_evidence (merchant) | same | the turn ends",
            evidence_asked,
            act(MERCHANT, || Action::SubmitEvidence),
            Then::To {
                state: ProtectionReview,
                event: "evidence_submitted",
                timers: &[],
                note: |_, t| {
                    assert_eq!(t.complaint.progress.evidence_requested_from, None);
                    assert_eq!(t.cancel, Cancel::Kinds(vec![TimerKind::EvidenceTurn]));
                    assert_eq!(t.event_data["party"], "merchant");
                },
            },
        ),
        row(
            "protection_review (evidence asked of the merchant) | submit_evidence (consumer) | refused: not their turn",
            evidence_asked,
            act(CONSUMER, || Action::SubmitEvidence),
            Then::Refused("invalid_state"),
        ),
        row(
            "protection_review (no evidence asked) | submit_evidence (merchant) | refused",
            protection_review,
            act(MERCHANT, || Action::SubmitEvidence),
            Then::Refused("invalid_state"),
        ),
        row(
            "protection_review (evidence asked of the merchant) | submit_evidence (another merchant) | refused",
            evidence_asked,
            act(OTHER_MERCHANT, || Action::SubmitEvidence),
            Then::Refused("forbidden"),
        ),
        row(
            "protection_review | rule (protection), uphold | resolved | remedy, rule_refs, appealable",
            protection_review,
            act(GUARD, || rule(Decision::Uphold, Some(refund()), None)),
            Then::To {
                state: Resolved,
                event: "ruled",
                timers: &[K::ExecuteRuling, K::AppealWindow],
                note: |_, t| {
                    let r = t.complaint.progress.resolution.as_ref().unwrap();
                    assert_eq!(r.by, ResolvedBy::Ruling);
                    assert_eq!(r.decision, Some(Decision::Uphold));
                    assert_eq!(r.rule_refs, vec!["淘宝规则第56条".to_owned()]);
                    assert_eq!(r.ruled_by, Some(GUARD.id));
                    assert!(r.appeal_until.is_some());
                    assert!(
                        t.effects.is_empty(),
                        "no violation unless the ruling names one"
                    );
                },
            },
        ),
        row(
            "protection_review | rule (protection), partial, with a violation | resolved | optional violation",
            protection_review,
            act(GUARD, || {
                rule(
                    Decision::Partial,
                    Some(claim(ClaimKind::Refund, Some(3000))),
                    Some(ViolationSpec {
                        kind: "false_advertising".into(),
                        points: 6,
                    }),
                )
            }),
            Then::To {
                state: Resolved,
                event: "ruled",
                timers: &[K::ExecuteRuling, K::AppealWindow],
                note: |_, t| {
                    assert!(t.effects.iter().any(|e| matches!(
                        e,
                        Effect::Violation { kind, points: 6, .. } if kind == "false_advertising"
                    )));
                },
            },
        ),
        row(
            "protection_review | rule (protection), reject | resolved | nothing to carry out",
            protection_review,
            act(GUARD, || rule(Decision::Reject, None, None)),
            Then::To {
                state: Resolved,
                event: "ruled",
                timers: &[K::ExecuteRuling, K::AppealWindow],
                note: |_, t| {
                    let r = t.complaint.progress.resolution.as_ref().unwrap();
                    assert_eq!(r.decision, Some(Decision::Reject));
                    assert_eq!(r.remedy, None);
                },
            },
        ),
        row(
            "resolved | fulfil (merchant) | resolved | the remedy carried out",
            ruled,
            act(MERCHANT, || Action::Fulfil { note: None }),
            Then::To {
                state: Resolved,
                event: "fulfilled",
                timers: &[],
                note: |_, t| {
                    assert_eq!(
                        t.complaint.progress.fulfilled_by,
                        Some(FulfilledBy::Merchant)
                    )
                },
            },
        ),
        row(
            "resolved | + confirm (consumer) | closed",
            ruled_fulfilled,
            act(CONSUMER, || Action::Confirm),
            Then::To {
                state: Closed,
                event: "confirmed",
                timers: &[],
                note: |_, t| assert_eq!(t.complaint.progress.outcome.as_deref(), Some("confirmed")),
            },
        ),
        timer(
            "resolved | execute_ruling lapses, not carried out | closed | 先行赔付 and a violation",
            accepted,
            K::ExecuteRuling,
            Duration::hours(24),
            Then::To {
                state: Closed,
                event: "execute_ruling_lapsed",
                timers: &[],
                note: |c, t| {
                    assert!(t.effects.iter().any(|e| matches!(
                        e,
                        Effect::PlatformPayout { remedy } if *remedy == c.claim
                    )));
                    assert!(violation(t, "ruling_not_executed"));
                    assert_eq!(
                        t.complaint.progress.fulfilled_by,
                        Some(FulfilledBy::Platform)
                    );
                    assert_eq!(t.complaint.progress.outcome.as_deref(), Some("executed"));
                },
            },
        ),
        timer(
            "resolved (ruled) | execute_ruling lapses within the appeal window | resolved | paid, still appealable",
            ruled,
            K::ExecuteRuling,
            Duration::hours(24),
            Then::To {
                state: Resolved,
                event: "execute_ruling_lapsed",
                timers: &[],
                note: |_, t| {
                    assert!(violation(t, "ruling_not_executed"));
                    assert_eq!(
                        t.complaint.progress.fulfilled_by,
                        Some(FulfilledBy::Platform)
                    );
                },
            },
        ),
        timer(
            "resolved (ruled) | appeal_window lapses, carried out | closed",
            ruled_fulfilled,
            K::AppealWindow,
            Duration::days(7),
            Then::To {
                state: Closed,
                event: "appeal_window_lapsed",
                timers: &[],
                note: |_, t| assert_eq!(t.complaint.progress.outcome.as_deref(), Some("executed")),
            },
        ),
        row(
            "resolved (ruled) | appeal (consumer, within appeal_window) | protection_review | another specialist",
            ruled,
            act(CONSUMER, appeal),
            Then::To {
                state: ProtectionReview,
                event: "appealed",
                timers: &[],
                note: |_, t| {
                    assert!(t.complaint.progress.appealed);
                    assert_eq!(t.complaint.progress.excluded_specialist, Some(GUARD.id));
                    assert_eq!(t.complaint.progress.resolution, None);
                },
            },
        ),
        row(
            "resolved (ruled) | appeal (merchant, within appeal_window) | protection_review",
            ruled,
            act(MERCHANT, appeal),
            Then::To {
                state: ProtectionReview,
                event: "appealed",
                timers: &[],
                note: no_note,
            },
        ),
        Row {
            design: "resolved (ruled) | appeal after appeal_window | refused",
            from: ruled,
            by: Ok(CONSUMER),
            action: appeal,
            after: Duration::days(8),
            then: Then::Refused("appeal_window_closed"),
        },
        row(
            "protection_review (appealed) | rule by the same specialist | refused: another specialist",
            appealed,
            act(GUARD, || rule(Decision::Uphold, Some(refund()), None)),
            Then::Refused("forbidden"),
        ),
        row(
            "protection_review (appealed) | rule by another specialist | resolved, not appealable again",
            appealed,
            act(GUARD2, || rule(Decision::Uphold, Some(refund()), None)),
            Then::To {
                state: Resolved,
                event: "ruled",
                timers: &[K::ExecuteRuling],
                note: |_, t| {
                    let r = t.complaint.progress.resolution.as_ref().unwrap();
                    assert_eq!(r.appeal_until, None, "once");
                },
            },
        ),
        row(
            "resolved (ruled, appealed once) | appeal | refused: once",
            || step(&appealed(), &GUARD2, rule(Decision::Reject, None, None)),
            act(CONSUMER, appeal),
            Then::Refused("appeal_used"),
        ),
        row(
            "awaiting_merchant | escalate (consumer) | refused: 409 tier_order",
            awaiting_merchant,
            act(CONSUMER, escalate),
            Then::Refused("tier_order"),
        ),
        row(
            "mediation, no agent proposal | escalate (consumer) | refused: 409 tier_order",
            mediation,
            act(CONSUMER, escalate),
            Then::Refused("tier_order"),
        ),
        row(
            "awaiting_merchant, major | take_over (protection) | protection_review",
            || filed(refund(), Category::Counterfeit),
            act(GUARD, || Action::TakeOver),
            Then::To {
                state: ProtectionReview,
                event: "taken_over",
                timers: &[],
                note: |_, t| assert_eq!(t.complaint.assignee_id, Some(GUARD.id)),
            },
        ),
        row(
            "mediation, major | take_over (protection) | protection_review",
            || {
                let c = filed(claim(ClaimKind::Exchange, None), Category::Counterfeit);
                lapse(&c, TimerKind::MerchantReply, t0() + Duration::hours(48))
            },
            act(GUARD, || Action::TakeOver),
            Then::To {
                state: ProtectionReview,
                event: "taken_over",
                timers: &[],
                note: no_note,
            },
        ),
        row(
            "awaiting_merchant, not major | take_over (protection) | refused",
            awaiting_merchant,
            act(GUARD, || Action::TakeOver),
            Then::Refused("not_major"),
        ),
        row(
            "awaiting_merchant | accept by another shop's merchant | refused",
            awaiting_merchant,
            act(OTHER_MERCHANT, || Action::Accept),
            Then::Refused("forbidden"),
        ),
        row(
            "awaiting_consumer | accept by another consumer | refused",
            awaiting_consumer,
            act(OTHER_CONSUMER, || Action::Accept),
            Then::Refused("forbidden"),
        ),
        row(
            "protection_review | rule by an agent | refused",
            protection_review,
            act(AGENT, || rule(Decision::Uphold, Some(refund()), None)),
            Then::Refused("forbidden"),
        ),
    ]
}
