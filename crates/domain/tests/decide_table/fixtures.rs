//! The complaints of the table's states, each brought there by the machine from a filing, and
//! the people and actions the rows use.

use chrono::{Duration, TimeZone, Utc};
use weiquan_domain::machine::{self, OrderFacts, Trigger, ViolationSpec};
use weiquan_domain::*;

pub(crate) const CONSUMER: Actor = Actor::new(UserId(1), Role::Consumer);
pub(crate) const MERCHANT: Actor = Actor::new(UserId(2), Role::Merchant);
pub(crate) const AGENT: Actor = Actor::new(UserId(3), Role::CsAgent);
pub(crate) const GUARD: Actor = Actor::new(UserId(4), Role::Protection);
pub(crate) const GUARD2: Actor = Actor::new(UserId(5), Role::Protection);
pub(crate) const OTHER_MERCHANT: Actor = Actor::new(UserId(8), Role::Merchant);
pub(crate) const OTHER_CONSUMER: Actor = Actor::new(UserId(7), Role::Consumer);

pub(crate) fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 5, 4, 10, 0, 0).unwrap()
}

pub(crate) fn claim(kind: ClaimKind, fen: Option<i64>) -> Claim {
    Claim {
        kind,
        amount_cents: fen.map(|f| Cents::new(f).unwrap()),
    }
}

pub(crate) fn refund() -> Claim {
    claim(ClaimKind::Refund, Some(8900))
}

pub(crate) fn new_complaint(claim: Claim, category: Category) -> NewComplaint {
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

pub(crate) fn order() -> OrderFacts {
    OrderFacts {
        buyer_id: CONSUMER.id,
        shop_id: ShopId::parse("shop-1").unwrap(),
        merchant_id: MERCHANT.id,
        amount_cents: Cents::new(1_000_000).unwrap(),
        paid_at: t0() - Duration::days(5),
    }
}

pub(crate) fn filed(claim: Claim, category: Category) -> Complaint {
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

pub(crate) fn step(c: &Complaint, actor: &Actor, action: Action) -> Complaint {
    machine::decide(c, Trigger::Act(actor, &action), t0(), &Policy::default())
        .unwrap_or_else(|e| panic!("setting up: {} in {:?}: {e:?}", action.name(), c.state))
        .complaint
}

pub(crate) fn lapse(c: &Complaint, kind: TimerKind, at: Timestamp) -> Complaint {
    machine::decide(c, Trigger::Timer(kind), at, &Policy::default())
        .unwrap()
        .complaint
}

pub(crate) fn propose(fen: i64) -> Action {
    Action::Propose {
        remedy: claim(ClaimKind::Refund, Some(fen)),
        message: "退一半".into(),
    }
}

pub(crate) fn reject() -> Action {
    Action::Reject {
        message: "不同意".into(),
    }
}

pub(crate) fn escalate() -> Action {
    Action::Escalate { reason: None }
}

pub(crate) fn rule(
    decision: Decision,
    remedy: Option<Claim>,
    violation: Option<ViolationSpec>,
) -> Action {
    Action::Rule {
        decision,
        remedy,
        rule_refs: vec!["淘宝规则第56条".into()],
        reason: Some("质检报告属实".into()),
        violation,
        fraud: false,
    }
}

pub(crate) fn appeal() -> Action {
    Action::Appeal {
        reason: "不服".into(),
    }
}

/// The states of the table, each reached through the machine from a filing.
pub(crate) fn awaiting_merchant() -> Complaint {
    filed(refund(), Category::QualityDefect)
}
pub(crate) fn awaiting_consumer() -> Complaint {
    step(&awaiting_merchant(), &MERCHANT, propose(4000))
}
pub(crate) fn awaiting_consumer_refused() -> Complaint {
    step(&awaiting_merchant(), &MERCHANT, reject())
}
pub(crate) fn mediation() -> Complaint {
    step(&awaiting_consumer_refused(), &CONSUMER, escalate())
}
pub(crate) fn mediation_proposed() -> Complaint {
    step(&mediation(), &AGENT, propose(6000))
}
pub(crate) fn protection_review() -> Complaint {
    step(&mediation_proposed(), &CONSUMER, escalate())
}
pub(crate) fn evidence_asked() -> Complaint {
    step(
        &protection_review(),
        &GUARD,
        Action::RequestEvidence {
            from: Party::Merchant,
            message: "请提供质检报告".into(),
        },
    )
}
pub(crate) fn ruled() -> Complaint {
    step(
        &protection_review(),
        &GUARD,
        rule(Decision::Uphold, Some(refund()), None),
    )
}
pub(crate) fn ruled_fulfilled() -> Complaint {
    step(&ruled(), &MERCHANT, Action::Fulfil { note: None })
}
pub(crate) fn accepted() -> Complaint {
    step(&awaiting_merchant(), &MERCHANT, Action::Accept)
}
pub(crate) fn appealed() -> Complaint {
    step(&ruled(), &CONSUMER, appeal())
}
pub(crate) fn closed() -> Complaint {
    lapse(
        &awaiting_consumer(),
        TimerKind::ConsumerReply,
        t0() + Duration::days(8),
    )
}
pub(crate) fn withdrawn() -> Complaint {
    step(
        &awaiting_merchant(),
        &CONSUMER,
        Action::Withdraw { reason: None },
    )
}
