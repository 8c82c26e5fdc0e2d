//! The jury's rows: tier 2 sends a complaint in protection review to a panel (it stays there,
//! the specialist's steps wait), the panel's majority resolves it as a ruling that cites the
//! jury and may be appealed to any specialist, and no verdict hands it back.

use weiquan_domain::complaint::ResolvedBy;
use weiquan_domain::jury::{SendToJury, Tally};
use weiquan_domain::machine::{self, Trigger};
use weiquan_domain::*;

use super::fixtures::*;

fn send() -> SendToJury {
    SendToJury {
        both_sides_agree: false,
        partial_remedy: None,
    }
}

fn sitting() -> Complaint {
    let c = protection_review();
    let t = machine::send_to_jury(
        &c,
        &GUARD,
        JuryId(3),
        &send(),
        t0() + chrono::Duration::days(3),
        t0(),
        &Policy::default(),
    )
    .unwrap();
    assert_eq!(t.event_kind, EventKind::JurySummoned);
    assert!(t.set_timers.is_empty());
    t.complaint
}

#[test]
fn a_jury_sits_during_protection_review() {
    let c = sitting();
    assert_eq!(c.state, State::ProtectionReview);
    assert_eq!(c.progress.jury, Some(JuryId(3)));
    assert_eq!(c.next_actor(), Some("jury"));
    // Only tier 2 sends, only from protection review, and once.
    let p = Policy::default();
    let t =
        |c: &Complaint, a: &Actor| machine::send_to_jury(c, a, JuryId(4), &send(), t0(), t0(), &p);
    assert!(matches!(
        t(&protection_review(), &AGENT),
        Err(DomainError::Forbidden(_))
    ));
    assert!(t(&mediation(), &GUARD).is_err());
    assert_eq!(t(&c, &GUARD).unwrap_err().code(), "jury_used");
    // The specialist neither rules nor asks for evidence meanwhile; the consumer may withdraw,
    // which clears the sitting jury.
    for a in [
        rule(Decision::Reject, None, None),
        Action::RequestEvidence {
            from: Party::Merchant,
            message: "请提供质检报告".into(),
        },
    ] {
        let e = machine::decide(&c, Trigger::Act(&GUARD, &a), t0(), &p).unwrap_err();
        assert_eq!(e.code(), "jury_sitting");
    }
    let w = Action::Withdraw { reason: None };
    let t = machine::decide(&c, Trigger::Act(&CONSUMER, &w), t0(), &p).unwrap();
    assert_eq!(t.complaint.progress.jury, None);
}

#[test]
fn the_majority_is_a_ruling_that_cites_the_jury() {
    let c = sitting();
    let p = Policy::default();
    let tally = Tally {
        uphold: 4,
        partial: 0,
        reject: 1,
    };
    let reasons = vec!["照片显示裂缝".to_owned()];
    let t = machine::jury_ruling(
        &c,
        JuryId(3),
        Decision::Uphold,
        None,
        &tally,
        &reasons,
        t0(),
        &p,
    )
    .unwrap();
    assert_eq!(t.event_kind, EventKind::Ruled);
    let k = &t.complaint;
    assert_eq!(k.state, State::Resolved);
    assert_eq!(k.progress.jury, None);
    let r = k.progress.resolution.as_ref().unwrap();
    assert_eq!(r.by, ResolvedBy::Ruling);
    assert_eq!(r.remedy, Some(refund()));
    assert!(r.rule_refs[0].starts_with("大众评审裁决（评审团 #3，4:1）"));
    assert_eq!(r.ruled_by, None);
    assert!(r.appeal_until.is_some());
    let timers: Vec<TimerKind> = t.set_timers.iter().map(|(k, _)| *k).collect();
    assert_eq!(timers, [TimerKind::ExecuteRuling, TimerKind::AppealWindow]);
    assert_eq!(t.event_data["tally"]["uphold"], 4);
    // Appealed, it goes to a specialist — any, since a jury ruled.
    let appealed = step(k, &MERCHANT, appeal());
    assert_eq!(appealed.state, State::ProtectionReview);
    let again = step(&appealed, &GUARD, rule(Decision::Reject, None, None));
    assert_eq!(again.state, State::Resolved);
    // A rejecting jury owes nothing; a panel that is not the sitting one decides nothing.
    let t =
        machine::jury_ruling(&c, JuryId(3), Decision::Reject, None, &tally, &[], t0(), &p).unwrap();
    assert_eq!(t.complaint.progress.resolution.unwrap().remedy, None);
    assert!(
        machine::jury_ruling(&c, JuryId(9), Decision::Uphold, None, &tally, &[], t0(), &p).is_err()
    );
}

#[test]
fn no_verdict_hands_it_back_to_the_specialist() {
    let c = sitting();
    let t = machine::jury_returned(&c, JuryId(3), "no_quorum", &Tally::default(), t0()).unwrap();
    assert_eq!(t.event_kind, EventKind::JuryReturned);
    assert_eq!(t.complaint.state, State::ProtectionReview);
    assert_eq!(t.complaint.progress.jury, None);
    assert!(t.complaint.progress.jury_tried);
    assert_eq!(t.complaint.next_actor(), Some("protection"));
    let ruled = step(
        &t.complaint,
        &GUARD,
        rule(Decision::Uphold, Some(refund()), None),
    );
    assert_eq!(ruled.state, State::Resolved);
}
