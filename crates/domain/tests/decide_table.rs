//! DESIGN §3's table, row by row: each row of the design is one entry here, starting from a
//! complaint brought to its `from` state by the machine itself, and checking the `to` state, the
//! event, the deadlines set and the row's note. Refusals the design names (escalating too early,
//! appealing twice or late, the same specialist ruling again) are rows too.

use chrono::{Duration, TimeZone, Utc};
use weiquan_domain::complaint::{FulfilledBy, ResolvedBy};
use weiquan_domain::machine::{
    self, Cancel, Effect, OrderFacts, Transition, Trigger, ViolationSpec,
};
use weiquan_domain::*;

const CONSUMER: Actor = Actor {
    id: UserId(1),
    role: Role::Consumer,
};
const MERCHANT: Actor = Actor {
    id: UserId(2),
    role: Role::Merchant,
};
const AGENT: Actor = Actor {
    id: UserId(3),
    role: Role::CsAgent,
};
const GUARD: Actor = Actor {
    id: UserId(4),
    role: Role::Protection,
};
const GUARD2: Actor = Actor {
    id: UserId(5),
    role: Role::Protection,
};
const OTHER_MERCHANT: Actor = Actor {
    id: UserId(8),
    role: Role::Merchant,
};
const OTHER_CONSUMER: Actor = Actor {
    id: UserId(7),
    role: Role::Consumer,
};

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 5, 4, 10, 0, 0).unwrap()
}

fn claim(kind: ClaimKind, fen: Option<i64>) -> Claim {
    Claim {
        kind,
        amount_cents: fen.map(|f| Cents::new(f).unwrap()),
    }
}

fn refund() -> Claim {
    claim(ClaimKind::Refund, Some(8900))
}

fn new_complaint(claim: Claim, category: Category) -> NewComplaint {
    NewComplaint {
        order_no: OrderNo::parse("202605041234567890").unwrap(),
        product: "保温杯".into(),
        category,
        incident_at: t0() - Duration::days(1),
        description: "杯子漏水，已拍照".into(),
        claim,
        on_behalf_of: None,
    }
}

fn order() -> OrderFacts {
    OrderFacts {
        buyer_id: CONSUMER.id,
        shop_id: ShopId::parse("shop-1").unwrap(),
        merchant_id: MERCHANT.id,
        amount_cents: Cents::new(1_000_000).unwrap(),
        paid_at: t0() - Duration::days(5),
    }
}

fn filed(claim: Claim, category: Category) -> Complaint {
    machine::file(
        &new_complaint(claim, category),
        &order(),
        CONSUMER.id,
        &CONSUMER,
        Channel::Web,
        t0(),
        &Policy::default(),
    )
    .unwrap()
    .complaint
}

fn step(c: &Complaint, actor: &Actor, action: Action) -> Complaint {
    machine::decide(c, Trigger::Act(actor, &action), t0(), &Policy::default())
        .unwrap_or_else(|e| panic!("setting up: {} in {:?}: {e:?}", action.name(), c.state))
        .complaint
}

fn lapse(c: &Complaint, kind: TimerKind, at: Timestamp) -> Complaint {
    machine::decide(c, Trigger::Timer(kind), at, &Policy::default())
        .unwrap()
        .complaint
}

fn propose(fen: i64) -> Action {
    Action::Propose {
        remedy: claim(ClaimKind::Refund, Some(fen)),
        message: "退一半".into(),
    }
}

fn reject() -> Action {
    Action::Reject {
        message: "不同意".into(),
    }
}

fn escalate() -> Action {
    Action::Escalate { reason: None }
}

fn rule(decision: Decision, remedy: Option<Claim>, violation: Option<ViolationSpec>) -> Action {
    Action::Rule {
        decision,
        remedy,
        rule_refs: vec!["淘宝规则第56条".into()],
        reason: Some("质检报告属实".into()),
        violation,
        fraud: false,
    }
}

fn appeal() -> Action {
    Action::Appeal {
        reason: "不服".into(),
    }
}

/// The states of the table, each reached through the machine from a filing.
fn awaiting_merchant() -> Complaint {
    filed(refund(), Category::QualityDefect)
}
fn awaiting_consumer() -> Complaint {
    step(&awaiting_merchant(), &MERCHANT, propose(4000))
}
fn awaiting_consumer_refused() -> Complaint {
    step(&awaiting_merchant(), &MERCHANT, reject())
}
fn mediation() -> Complaint {
    step(&awaiting_consumer_refused(), &CONSUMER, escalate())
}
fn mediation_proposed() -> Complaint {
    step(&mediation(), &AGENT, propose(6000))
}
fn protection_review() -> Complaint {
    step(&mediation_proposed(), &CONSUMER, escalate())
}
fn evidence_asked() -> Complaint {
    step(
        &protection_review(),
        &GUARD,
        Action::RequestEvidence {
            from: Party::Merchant,
            message: "请提供质检报告".into(),
        },
    )
}
fn ruled() -> Complaint {
    step(
        &protection_review(),
        &GUARD,
        rule(Decision::Uphold, Some(refund()), None),
    )
}
fn ruled_fulfilled() -> Complaint {
    step(&ruled(), &MERCHANT, Action::Fulfil { note: None })
}
fn accepted() -> Complaint {
    step(&awaiting_merchant(), &MERCHANT, Action::Accept)
}
fn appealed() -> Complaint {
    step(&ruled(), &CONSUMER, appeal())
}
fn closed() -> Complaint {
    lapse(
        &awaiting_consumer(),
        TimerKind::ConsumerReply,
        t0() + Duration::days(8),
    )
}
fn withdrawn() -> Complaint {
    step(
        &awaiting_merchant(),
        &CONSUMER,
        Action::Withdraw { reason: None },
    )
}

/// What a row expects.
enum Then {
    To {
        state: State,
        event: &'static str,
        timers: &'static [TimerKind],
        note: fn(&Complaint, &Transition),
    },
    Refused(&'static str),
}

struct Row {
    design: &'static str,
    from: fn() -> Complaint,
    by: Result<Actor, TimerKind>,
    action: fn() -> Action,
    /// When the trigger happens, after the `from` complaint's last step.
    after: Duration,
    then: Then,
}

fn no_note(_: &Complaint, _: &Transition) {}

fn violation(t: &Transition, kind: &str) -> bool {
    t.effects
        .iter()
        .any(|e| matches!(e, Effect::Violation { kind: k, .. } if k == kind))
}

fn act(by: Actor, action: fn() -> Action) -> (Result<Actor, TimerKind>, fn() -> Action) {
    (Ok(by), action)
}

fn rows() -> Vec<Row> {
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

fn run(row: &Row) {
    let c = (row.from)();
    let at = c.updated_at + row.after;
    let policy = Policy::default();
    let action = (row.action)();
    let result = match &row.by {
        Ok(actor) => machine::decide(&c, Trigger::Act(actor, &action), at, &policy),
        Err(kind) => machine::decide(&c, Trigger::Timer(*kind), at, &policy),
    };
    match (&row.then, result) {
        (
            Then::To {
                state,
                event,
                timers,
                note,
            },
            Ok(t),
        ) => {
            assert_eq!(t.complaint.state, *state, "{}", row.design);
            assert_eq!(t.event_kind.to_string(), *event, "{}", row.design);
            let set: Vec<TimerKind> = t.set_timers.iter().map(|(k, _)| *k).collect();
            assert_eq!(set, timers.to_vec(), "{}", row.design);
            for (kind, due) in &t.set_timers {
                assert_eq!(*due, policy.due(*kind, at), "{}: {kind:?}", row.design);
            }
            if c.state != t.complaint.state {
                assert_eq!(t.cancel, Cancel::All, "{}", row.design);
            }
            if let Some(tier) = state.tier() {
                assert_eq!(t.complaint.tier, tier, "{}", row.design);
            }
            note(&c, &t);
        }
        (Then::Refused(code), Err(e)) => assert_eq!(e.code(), *code, "{}", row.design),
        (Then::To { .. }, Err(e)) => panic!("{}: refused with {e:?}", row.design),
        (Then::Refused(code), Ok(t)) => panic!(
            "{}: expected {code}, went to {:?}",
            row.design, t.complaint.state
        ),
    }
}

#[test]
fn every_row_of_design_section_3() {
    let rows = rows();
    for row in &rows {
        run(row);
    }
    // Each transition of the design's table (from → to) has at least one row here.
    let mut covered = std::collections::BTreeSet::new();
    for row in &rows {
        if let Then::To { state, .. } = row.then {
            covered.insert(((row.from)().state.as_str(), state.as_str()));
        }
    }
    for edge in [
        ("awaiting_merchant", "resolved"),
        ("awaiting_merchant", "awaiting_consumer"),
        ("awaiting_merchant", "mediation"),
        ("awaiting_consumer", "resolved"),
        ("awaiting_consumer", "mediation"),
        ("awaiting_consumer", "protection_review"),
        ("awaiting_consumer", "closed"),
        ("mediation", "resolved"),
        ("mediation", "protection_review"),
        ("protection_review", "protection_review"),
        ("protection_review", "resolved"),
        ("resolved", "closed"),
        ("resolved", "protection_review"),
    ] {
        assert!(covered.contains(&edge), "no row for {edge:?}");
    }
}

#[test]
fn file_is_the_first_row() {
    // — | file (consumer) | awaiting_merchant | order must be the consumer's; timer merchant_reply
    let policy = Policy::default();
    let new = new_complaint(refund(), Category::QualityDefect);
    let f = machine::file(
        &new,
        &order(),
        CONSUMER.id,
        &CONSUMER,
        Channel::Web,
        t0(),
        &policy,
    )
    .unwrap();
    assert_eq!(f.complaint.state, State::AwaitingMerchant);
    assert_eq!(
        f.set_timers,
        vec![(
            TimerKind::MerchantReply,
            policy.due(TimerKind::MerchantReply, t0())
        )]
    );
    // Another consumer's order looks like none at all.
    let e = machine::file(
        &new,
        &order(),
        OTHER_CONSUMER.id,
        &OTHER_CONSUMER,
        Channel::Web,
        t0(),
        &policy,
    )
    .unwrap_err();
    assert_eq!(e.code(), "not_found");
    // An agent files a phone complaint for a named consumer, and only then.
    let phone = NewComplaint {
        on_behalf_of: Some(Username::parse("buyer01").unwrap()),
        ..new.clone()
    };
    let f = machine::file(
        &phone,
        &order(),
        CONSUMER.id,
        &AGENT,
        Channel::Phone,
        t0(),
        &policy,
    )
    .unwrap();
    assert_eq!(f.complaint.consumer_id, CONSUMER.id);
    let e = machine::file(
        &new,
        &order(),
        CONSUMER.id,
        &AGENT,
        Channel::Phone,
        t0(),
        &policy,
    )
    .unwrap_err();
    assert_eq!(e.code(), "validation");
    // A merchant or staff other than an agent files nothing.
    let e = machine::file(
        &new,
        &order(),
        CONSUMER.id,
        &GUARD,
        Channel::Web,
        t0(),
        &policy,
    )
    .unwrap_err();
    assert_eq!(e.code(), "forbidden");
}

#[test]
fn withdraw_from_every_open_state_and_forward_from_every_state() {
    // any open state | withdraw (consumer) | withdrawn;  any state | forward | same
    let states: [fn() -> Complaint; 9] = [
        awaiting_merchant,
        awaiting_consumer,
        mediation,
        protection_review,
        ruled,
        accepted,
        closed,
        withdrawn,
        appealed,
    ];
    let policy = Policy::default();
    for from in states {
        let c = from();
        let at = c.updated_at + Duration::minutes(1);
        let w = machine::decide(
            &c,
            Trigger::Act(&CONSUMER, &Action::Withdraw { reason: None }),
            at,
            &policy,
        );
        if c.state.is_open() {
            let t = w.unwrap();
            assert_eq!(t.complaint.state, State::Withdrawn);
            assert_eq!(t.event_kind.to_string(), "withdrawn");
            assert_eq!(t.cancel, Cancel::All);
        } else {
            assert_eq!(w.unwrap_err().code(), "invalid_state", "{:?}", c.state);
        }
        for by in [AGENT, GUARD] {
            let t = machine::decide(
                &c,
                Trigger::Act(
                    &by,
                    &Action::Forward {
                        reason: "疑似售假".into(),
                    },
                ),
                at,
                &policy,
            )
            .unwrap();
            assert_eq!(t.complaint.state, c.state);
            assert_eq!(t.event_kind.to_string(), "forwarded");
            assert!(matches!(&t.effects[..], [Effect::Forward { .. }]));
        }
        let e = machine::decide(
            &c,
            Trigger::Act(&CONSUMER, &Action::Forward { reason: "x".into() }),
            at,
            &policy,
        )
        .unwrap_err();
        assert_eq!(e.code(), "forbidden");
    }
}
