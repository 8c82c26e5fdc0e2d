//! DESIGN §3's table, row by row: each row of the design is one entry here, starting from a
//! complaint brought to its `from` state by the machine itself, and checking the `to` state, the
//! event, the deadlines set and the row's note. Refusals the design names (escalating too early,
//! appealing twice or late, the same specialist ruling again) are rows too.

mod fixtures;
mod jury;
mod rows;

use chrono::Duration;
use weiquan_domain::machine::{self, Cancel, Effect, Trigger};
use weiquan_domain::*;

use fixtures::*;
use rows::*;

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

/// The payment system (a service account with `remedies:write`) carries out a remedy exactly as
/// the merchant's `fulfil`; a failed payment is an event that keeps the remedy due.
#[test]
fn the_payment_system_pays_or_reports_a_failure() {
    let policy = Policy::default();
    let c = ruled();
    let at = c.updated_at;
    let pay = Actor::service(UserId(50), vec![Scope::RemediesWrite]);
    let orders_only = Actor::service(UserId(51), vec![Scope::OrdersWrite]);
    let fulfil = Action::Fulfil { note: None };

    let refused = machine::decide(&c, Trigger::Act(&orders_only, &fulfil), at, &policy);
    assert_eq!(refused.unwrap_err().kind(), ErrorKind::Forbidden);
    let refused = machine::remedy_failed(&c, &orders_only, "余额不足", at);
    assert_eq!(refused.unwrap_err().kind(), ErrorKind::Forbidden);

    let failed = machine::remedy_failed(&c, &pay, "余额不足", at).unwrap();
    assert_eq!(failed.event_kind, EventKind::RemedyPaymentFailed);
    assert_eq!(failed.complaint.state, State::Resolved);
    assert!(failed.complaint.remedy_due());
    assert_eq!(failed.cancel, Cancel::Kinds(vec![]), "its deadline runs on");
    assert!(failed.set_timers.is_empty() && failed.effects.is_empty());
    assert_eq!(
        failed
            .complaint
            .progress
            .payment_failed
            .as_ref()
            .unwrap()
            .reason,
        "余额不足"
    );

    let by_pay = machine::decide(&failed.complaint, Trigger::Act(&pay, &fulfil), at, &policy);
    let by_merchant = machine::decide(&c, Trigger::Act(&MERCHANT, &fulfil), at, &policy);
    let (by_pay, by_merchant) = (by_pay.unwrap(), by_merchant.unwrap());
    assert_eq!(by_pay.complaint, by_merchant.complaint);
    assert_eq!(by_pay.event_kind, by_merchant.event_kind);
    assert_eq!(by_pay.event_data, by_merchant.event_data);
    assert_eq!(by_pay.cancel, by_merchant.cancel);

    let done = by_pay.complaint;
    let again = machine::remedy_failed(&done, &pay, "余额不足", at);
    assert_eq!(again.unwrap_err().code(), "invalid_state");
    let again = machine::decide(&done, Trigger::Act(&pay, &fulfil), at, &policy);
    assert_eq!(again.unwrap_err().code(), "invalid_state");
}

/// What a weighty action is called on its button follows the transition: accepting a refusal
/// closes with nothing, accepting an offer closes with it, a proposal is not weighty.
#[test]
fn consequences_name_what_an_action_ends() {
    let policy = Policy::default();
    let said = |c: &Complaint, actor: &Actor, a: Action| {
        let t = machine::decide(
            c,
            Trigger::Act(actor, &a),
            t0() + Duration::hours(1),
            &policy,
        )
        .unwrap();
        machine::consequence(c, &a, &t).map(|w| w.get(Lang::Zh).to_owned())
    };
    let refused = awaiting_consumer_refused();
    assert_eq!(
        said(&refused, &CONSUMER, Action::Accept).as_deref(),
        Some("接受拒绝并结案（不退款）")
    );
    let offered = awaiting_consumer();
    let accept = said(&offered, &CONSUMER, Action::Accept).unwrap();
    assert!(accept.starts_with("接受方案并结案（"), "{accept}");
    assert!(accept.contains('¥'), "{accept}");
    assert!(
        said(&offered, &CONSUMER, escalate())
            .unwrap()
            .contains("放弃当前方案")
    );
    assert!(
        !said(&refused, &CONSUMER, escalate())
            .unwrap()
            .contains("放弃当前方案")
    );
    assert!(
        said(&refused, &CONSUMER, Action::Withdraw { reason: None })
            .unwrap()
            .starts_with("撤销投诉")
    );
    let fresh = awaiting_merchant();
    assert!(
        said(&fresh, &MERCHANT, Action::Accept)
            .unwrap()
            .starts_with("同意买家诉求并结案")
    );
    assert_eq!(said(&fresh, &MERCHANT, propose(100)), None);
    assert_eq!(said(&fresh, &MERCHANT, reject()), None);
}
