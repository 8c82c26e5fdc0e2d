//! Property: no sequence of actions and deadlines takes a complaint along an edge the design's
//! table does not have, and every deadline the machine leaves pending still applies when it fires.

use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;
use weiquan_domain::machine::{self, Cancel, OrderFacts, allowed_edge};
use weiquan_domain::*;

const CONSUMER: i64 = 1;
const MERCHANT: i64 = 2;

fn actors() -> Vec<Actor> {
    vec![
        Actor::new(UserId(CONSUMER), Role::Consumer),
        Actor::new(UserId(MERCHANT), Role::Merchant),
        Actor::new(UserId(3), Role::CsAgent),
        Actor::new(UserId(4), Role::Protection),
        Actor::new(UserId(5), Role::Protection),
        Actor::new(UserId(6), Role::Regulator),
        Actor::new(UserId(7), Role::Consumer),
        Actor::new(UserId(8), Role::Merchant),
    ]
}

fn remedy(v: u8) -> Claim {
    match v % 3 {
        0 => Claim {
            kind: ClaimKind::Refund,
            amount_cents: Some(Cents::new(1000 + v as i64).unwrap()),
        },
        1 => Claim {
            kind: ClaimKind::Exchange,
            amount_cents: None,
        },
        _ => Claim {
            kind: ClaimKind::Compensation,
            amount_cents: Some(Cents::new(600_000).unwrap()),
        },
    }
}

fn action(i: u8, v: u8) -> Action {
    match i % 13 {
        0 => Action::Accept,
        1 => Action::Propose {
            remedy: remedy(v),
            message: "方案".into(),
        },
        2 => Action::Reject {
            message: "不同意".into(),
        },
        3 => Action::Escalate { reason: None },
        4 => Action::TakeOver,
        5 => Action::RequestEvidence {
            from: if v.is_multiple_of(2) {
                Party::Consumer
            } else {
                Party::Merchant
            },
            message: "请补充".into(),
        },
        6 => Action::Rule {
            decision: [Decision::Uphold, Decision::Partial, Decision::Reject][(v % 3) as usize],
            remedy: if v % 3 == 2 { None } else { Some(remedy(v)) },
            rule_refs: vec!["规则".into()],
            reason: None,
            violation: None,
            fraud: v.is_multiple_of(5),
        },
        7 => Action::Fulfil { note: None },
        8 => Action::Confirm,
        9 => Action::Appeal {
            reason: "不服".into(),
        },
        10 => Action::Withdraw { reason: None },
        11 => Action::SubmitEvidence,
        _ => Action::Forward {
            reason: "线索".into(),
        },
    }
}

#[derive(Debug, Clone)]
enum Step {
    Act {
        actor: usize,
        action: u8,
        variant: u8,
        minutes: u16,
    },
    /// Fire the earliest pending deadline.
    Timer,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..8usize, any::<u8>(), any::<u8>(), 0..600u16).prop_map(|(actor, action, variant, minutes)| Step::Act { actor, action, variant, minutes }),
        1 => Just(Step::Timer),
    ]
}

fn filed(
    claim: Claim,
    category: Category,
    policy: &Policy,
    now: chrono::DateTime<Utc>,
) -> (Complaint, Vec<(TimerKind, chrono::DateTime<Utc>)>) {
    let new = NewComplaint {
        order_no: OrderNo::parse("202605041234567890").unwrap(),
        product: "保温杯".into(),
        category,
        incident_at: now - Duration::days(1),
        description: "杯子漏水，已拍照".into(),
        claim,
        on_behalf_of: None,
    };
    let order = OrderFacts {
        buyer_id: UserId(CONSUMER),
        shop_id: ShopId::parse("shop-1").unwrap(),
        merchant_id: UserId(MERCHANT),
        amount_cents: Cents::new(1_000_000).unwrap(),
        paid_at: now - Duration::days(5),
    };
    let f = machine::file(
        &new,
        &order,
        UserId(CONSUMER),
        &actors()[0],
        Channel::Web,
        now,
        policy,
    )
    .unwrap();
    (f.complaint, f.set_timers)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn only_table_edges_and_no_stale_deadlines(
        claim_v in any::<u8>(),
        counterfeit in any::<bool>(),
        steps in proptest::collection::vec(step(), 1..40),
    ) {
        let policy = Policy::default();
        let mut now = Utc.with_ymd_and_hms(2026, 5, 4, 10, 0, 0).unwrap();
        let category = if counterfeit { Category::Counterfeit } else { Category::QualityDefect };
        let (mut c, mut pending) = filed(remedy(claim_v), category, &policy, now);
        prop_assert_eq!(c.major, counterfeit || claim_v % 3 == 2);
        let actors = actors();
        for s in steps {
            let (trigger_actor, result) = match s {
                Step::Act { actor, action: a, variant, minutes } => {
                    now += Duration::minutes(minutes as i64);
                    let act = action(a, variant);
                    let r = machine::decide(&c, Trigger::Act(&actors[actor], &act), now, &policy);
                    if let Err(e) = &r {
                        // Only escalating can break the tier order.
                        if e.code() == "tier_order" {
                            prop_assert_eq!(act.name(), "escalate");
                        }
                    } else {
                        // Deciding roles: nobody outside these does these things.
                        let role = actors[actor].role;
                        match act.name() {
                            "rule" | "request_evidence" | "take_over" => prop_assert_eq!(role, Role::Protection),
                            "reject" | "fulfil" => prop_assert_eq!(actors[actor].id, UserId(MERCHANT)),
                            "escalate" | "confirm" | "withdraw" => prop_assert_eq!(actors[actor].id, UserId(CONSUMER)),
                            "forward" => prop_assert!(matches!(role, Role::CsAgent | Role::Protection)),
                            _ => {}
                        }
                    }
                    (true, r)
                }
                Step::Timer => {
                    pending.sort_by_key(|(_, due)| *due);
                    if pending.is_empty() {
                        continue;
                    }
                    let (kind, due) = pending.remove(0);
                    now = now.max(due);
                    let r = machine::decide(&c, Trigger::Timer(kind), now, &policy);
                    prop_assert!(r.is_ok(), "pending {:?} no longer applies in {:?}: {:?}", kind, c.state, r.err());
                    (false, r)
                }
            };
            let Ok(t) = result else { continue };
            let from = c.state;
            let to = t.complaint.state;
            prop_assert!(allowed_edge(from, to), "{:?} -> {:?} via {}", from, to, t.event_kind);
            if from.is_terminal() {
                prop_assert_eq!(to, from, "terminal states stay terminal");
                prop_assert!(trigger_actor && t.event_kind == EventKind::Forwarded);
            }
            if let Some(tier) = to.tier() {
                prop_assert_eq!(t.complaint.tier, tier);
            }
            if to == State::Resolved {
                prop_assert!(t.complaint.progress.resolution.is_some());
            }
            if to == State::AwaitingMerchant {
                prop_assert_eq!(from, State::AwaitingMerchant);
            }
            for (_, due) in &t.set_timers {
                prop_assert!(*due > now);
            }
            if from != to {
                prop_assert_eq!(&t.cancel, &Cancel::All, "a new state cancels every pending deadline");
            }
            match &t.cancel {
                Cancel::All => pending.clear(),
                Cancel::Kinds(k) => pending.retain(|(kind, _)| !k.contains(kind)),
            }
            pending.extend(t.set_timers.iter().cloned());
            c = t.complaint;
        }
    }
}

#[test]
fn every_row_of_the_table_is_reachable() {
    // A coverage check for the property above: a scripted run through the rare rows.
    let policy = Policy::default();
    let now = Utc.with_ymd_and_hms(2026, 5, 4, 10, 0, 0).unwrap();
    let a = actors();
    let (c, _) = filed(remedy(0), Category::QualityDefect, &policy, now);
    let lapse =
        machine::decide(&c, Trigger::Timer(TimerKind::MerchantReply), now, &policy).unwrap();
    assert_eq!(
        lapse.complaint.state,
        State::Resolved,
        "refund: silence is agreement"
    );
    let (c, _) = filed(remedy(1), Category::QualityDefect, &policy, now);
    let lapse =
        machine::decide(&c, Trigger::Timer(TimerKind::MerchantReply), now, &policy).unwrap();
    assert_eq!(
        lapse.complaint.state,
        State::Mediation,
        "exchange: mediation"
    );
    let rejected = machine::decide(&c, Trigger::Act(&a[1], &action(2, 0)), now, &policy)
        .unwrap()
        .complaint;
    let closed = machine::decide(
        &rejected,
        Trigger::Timer(TimerKind::ConsumerReply),
        now,
        &policy,
    )
    .unwrap()
    .complaint;
    assert_eq!(closed.state, State::Closed);
    assert_eq!(closed.progress.outcome.as_deref(), Some("lapsed"));
    let med = machine::decide(&rejected, Trigger::Act(&a[0], &action(3, 0)), now, &policy)
        .unwrap()
        .complaint;
    let review = machine::decide(&med, Trigger::Timer(TimerKind::Mediation), now, &policy)
        .unwrap()
        .complaint;
    assert_eq!(review.state, State::ProtectionReview);
    let withdrawn = machine::decide(&review, Trigger::Act(&a[0], &action(10, 0)), now, &policy)
        .unwrap()
        .complaint;
    assert_eq!(withdrawn.state, State::Withdrawn);
}
