use serde_json::json;

use super::*;
use crate::types::{CaseId, ComplaintId, ReportId, ShopId};

const CONSUMER: UserId = UserId(1);
const MERCHANT: UserId = UserId(2);
const REPORTER: UserId = UserId(3);

fn parties() -> Parties {
    Parties {
        consumer: Some(CONSUMER),
        merchant: Some(MERCHANT),
        reporter: Some(REPORTER),
        label: Some("蓝牙耳机".into()),
    }
}

/// A row of the table: the stream, the event, its actor, its data, and who is told what.
type Row<'a> = (Stream, EventKind, &'a str, Value, Vec<(UserId, NoticeKind)>);

/// Every event kind, on the stream it is appended to, by whom, and who is told what. A new
/// `EventKind` fails `every_kind_is_decided` until it has a row here.
#[test]
fn who_is_told_of_each_event() {
    use EventKind as E;
    use NoticeKind as N;
    let c = Stream::Complaint(ComplaintId(7));
    let r = Stream::Report(ReportId(3));
    let k = Stream::Case(CaseId(5));
    let s = Stream::Shop(ShopId::parse("shop-a").unwrap());
    let a = Stream::Account(UserId(4));
    let consumer = "user:1";
    let merchant = "user:2";
    let reporter = "user:3";
    let agent = "user:9";
    let sys = SYSTEM_ACTOR;
    #[rustfmt::skip]
    let table: Vec<Row> = vec![
        (c.clone(), E::Filed, consumer, json!({}), vec![(MERCHANT, N::ComplaintFiled)]),
        // Filed by an agent on a caller's behalf: still only the merchant.
        (c.clone(), E::Filed, agent, json!({}), vec![(MERCHANT, N::ComplaintFiled)]),
        (c.clone(), E::MessagePosted, merchant, json!({}), vec![(CONSUMER, N::Message)]),
        (c.clone(), E::MessagePosted, consumer, json!({}), vec![(MERCHANT, N::Message)]),
        (c.clone(), E::MessagePosted, agent, json!({}), vec![(CONSUMER, N::Message), (MERCHANT, N::Message)]),
        (c.clone(), E::Proposed, merchant, json!({}), vec![(CONSUMER, N::Proposal)]),
        (c.clone(), E::Accepted, consumer, json!({}), vec![(MERCHANT, N::Accepted)]),
        (c.clone(), E::Rejected, merchant, json!({}), vec![(CONSUMER, N::Rejected)]),
        (c.clone(), E::Escalated, consumer, json!({}), vec![(MERCHANT, N::Escalated)]),
        (c.clone(), E::TakenOver, agent, json!({}), vec![(CONSUMER, N::TakenOver), (MERCHANT, N::TakenOver)]),
        (c.clone(), E::EvidenceRequested, agent, json!({"from": "merchant"}), vec![(MERCHANT, N::EvidenceRequested)]),
        (c.clone(), E::EvidenceRequested, agent, json!({"from": "consumer"}), vec![(CONSUMER, N::EvidenceRequested)]),
        (c.clone(), E::Ruled, agent, json!({}), vec![(CONSUMER, N::Ruled), (MERCHANT, N::Ruled)]),
        (c.clone(), E::CaseRuled, agent, json!({}), vec![(CONSUMER, N::Ruled), (MERCHANT, N::Ruled)]),
        (c.clone(), E::Fulfilled, merchant, json!({}), vec![(CONSUMER, N::Fulfilled)]),
        // Paid by the marketplace's payment system (a service account): both hear.
        (c.clone(), E::Fulfilled, "service:11", json!({}), vec![(CONSUMER, N::Fulfilled), (MERCHANT, N::Fulfilled)]),
        (c.clone(), E::RemedyPaymentFailed, "service:11", json!({}), vec![(CONSUMER, N::PaymentFailed), (MERCHANT, N::PaymentFailed)]),
        (c.clone(), E::Confirmed, consumer, json!({}), vec![(MERCHANT, N::Confirmed)]),
        (c.clone(), E::Appealed, merchant, json!({}), vec![(CONSUMER, N::Appealed)]),
        (c.clone(), E::Withdrawn, consumer, json!({}), vec![(MERCHANT, N::Withdrawn)]),
        (c.clone(), E::Forwarded, agent, json!({}), vec![(CONSUMER, N::Forwarded), (MERCHANT, N::Forwarded)]),
        (c.clone(), E::JoinedCollectiveCase, sys, json!({}), vec![(CONSUMER, N::CollectiveCase)]),
        (c.clone(), E::EvidenceAdded, consumer, json!({}), vec![]),
        (c.clone(), E::EvidenceSubmitted, merchant, json!({}), vec![]),
        (c.clone(), E::MerchantReplyLapsed, sys, json!({}), vec![(CONSUMER, N::DeadlineLapsed), (MERCHANT, N::DeadlineLapsed)]),
        (c.clone(), E::ConsumerReplyLapsed, sys, json!({}), vec![(CONSUMER, N::DeadlineLapsed), (MERCHANT, N::DeadlineLapsed)]),
        (c.clone(), E::MediationLapsed, sys, json!({}), vec![(CONSUMER, N::DeadlineLapsed), (MERCHANT, N::DeadlineLapsed)]),
        (c.clone(), E::EvidenceTurnLapsed, sys, json!({}), vec![(CONSUMER, N::DeadlineLapsed), (MERCHANT, N::DeadlineLapsed)]),
        (c.clone(), E::ExecuteRulingLapsed, sys, json!({}), vec![(CONSUMER, N::DeadlineLapsed), (MERCHANT, N::DeadlineLapsed)]),
        (c.clone(), E::AppealWindowLapsed, sys, json!({}), vec![]),
        // A jury: the parties hear it was sent and that it came back; its verdict is a ruling.
        (c.clone(), E::JurySummoned, agent, json!({}), vec![(CONSUMER, N::JurySent), (MERCHANT, N::JurySent)]),
        (c.clone(), E::JuryReturned, "system:jury", json!({}), vec![(CONSUMER, N::JuryReturned), (MERCHANT, N::JuryReturned)]),
        (Stream::Jury(crate::types::JuryId(3)), E::JuryDrawn, agent, json!({}), vec![]),
        (Stream::Jury(crate::types::JuryId(3)), E::JurorVoted, consumer, json!({}), vec![]),
        (Stream::Jury(crate::types::JuryId(3)), E::JurorLeft, consumer, json!({}), vec![]),
        (Stream::Jury(crate::types::JuryId(3)), E::JuryDecided, sys, json!({}), vec![]),
        (Stream::Jury(crate::types::JuryId(3)), E::JuryReturned, sys, json!({}), vec![]),
        (Stream::Jury(crate::types::JuryId(3)), E::JuryDissolved, sys, json!({}), vec![]),
        (Stream::Jury(crate::types::JuryId(3)), E::JurorsScored, sys, json!({}), vec![]),
        // Reports: the reporter hears the merchant's answer and the outcome, never the other way.
        (r.clone(), E::Reported, reporter, json!({}), vec![]),
        (r.clone(), E::CounterNoticed, merchant, json!({}), vec![(REPORTER, N::CounterNoticed)]),
        (r.clone(), E::LegalActionNotified, reporter, json!({}), vec![(MERCHANT, N::LegalActionNotified)]),
        (r.clone(), E::ListingRestored, sys, json!({}), vec![(REPORTER, N::ListingRestored)]),
        (r.clone(), E::CaseDecided, agent, json!({}), vec![(REPORTER, N::CaseDecided)]),
        // Cases: the shop's merchant.
        (k.clone(), E::Opened, sys, json!({}), vec![(MERCHANT, N::CaseOpened)]),
        (k.clone(), E::EvidenceRequested, agent, json!({}), vec![(MERCHANT, N::EvidenceRequested)]),
        (k.clone(), E::Sanctioned, agent, json!({}), vec![(MERCHANT, N::CaseDecided)]),
        (k.clone(), E::Dismissed, agent, json!({}), vec![(MERCHANT, N::CaseDecided)]),
        (k.clone(), E::EvidenceLapsed, sys, json!({}), vec![(MERCHANT, N::DeadlineLapsed)]),
        (k.clone(), E::MemberAdded, sys, json!({}), vec![]),
        (k.clone(), E::ReportAdded, reporter, json!({}), vec![]),
        (k.clone(), E::RegulatorsNotified, agent, json!({}), vec![]),
        (k.clone(), E::BlockFound, sys, json!({}), vec![]),
        (k.clone(), E::InvestigationStarted, agent, json!({}), vec![]),
        (k.clone(), E::MerchantResponded, merchant, json!({}), vec![]),
        // Shops: the merchant.
        (s.clone(), E::PenaltyApplied, sys, json!({}), vec![(MERCHANT, N::PenaltyApplied)]),
        (s.clone(), E::PenaltyLifted, sys, json!({}), vec![(MERCHANT, N::PenaltyEnded)]),
        (s.clone(), E::PenaltyAppealDecided, agent, json!({}), vec![(MERCHANT, N::PenaltyAppealDecided)]),
        (s.clone(), E::ListingTakenDown, reporter, json!({}), vec![(MERCHANT, N::ListingTakenDown)]),
        (s.clone(), E::ListingRestored, sys, json!({}), vec![(MERCHANT, N::ListingRestored)]),
        (s.clone(), E::ViolationRecorded, sys, json!({}), vec![]),
        (s.clone(), E::PlatformPayout, sys, json!({}), vec![]),
        (s.clone(), E::ShopCreated, sys, json!({}), vec![]),
        (s.clone(), E::ShopUpdated, sys, json!({}), vec![]),
        (s.clone(), E::PenaltyAppealed, merchant, json!({}), vec![]),
        (a.clone(), E::RoleChanged, agent, json!({}), vec![]),
        (a.clone(), E::ServiceAccountCreated, agent, json!({}), vec![]),
        (a.clone(), E::ApiKeyIssued, agent, json!({}), vec![]),
        (a.clone(), E::ApiKeyRevoked, agent, json!({}), vec![]),
        (a.clone(), E::AccountDisabled, agent, json!({}), vec![]),
        (a.clone(), E::AccountEnabled, agent, json!({}), vec![]),
        (a.clone(), E::PasswordReset, agent, json!({}), vec![]),
        (a.clone(), E::BundleExported, agent, json!({"scope": "complaint:1"}), vec![]),
        (Stream::Order(crate::types::OrderNo::parse("202605011111111111").unwrap()), E::OrderImported, sys, json!({}), vec![]),
        (Stream::Order(crate::types::OrderNo::parse("202605011111111111").unwrap()), E::OrderUpdated, sys, json!({}), vec![]),
    ];
    let mut seen = std::collections::HashSet::new();
    for (stream, kind, actor, data, want) in &table {
        seen.insert(*kind);
        let got: Vec<(UserId, NoticeKind)> = recipients(stream, *kind, actor, data, &parties())
            .into_iter()
            .map(|(u, n, _)| (u, n))
            .collect();
        assert_eq!(&got, want, "{kind} on {stream} by {actor}");
    }
    let missing: Vec<_> = EventKind::ALL
        .iter()
        .filter(|k| !seen.contains(k))
        .collect();
    assert!(missing.is_empty(), "no row for {missing:?}");
    // A kind on a stream it never belongs to tells no one.
    assert!(recipients(&s, E::Filed, consumer, &json!({}), &parties()).is_empty());
}

#[test]
fn whoever_acted_is_never_told_and_nobody_twice() {
    let c = Stream::Complaint(ComplaintId(7));
    // A merchant who is also listed as the consumer (their own shop's order): told once, or
    // not at all when they acted.
    let p = Parties {
        consumer: Some(MERCHANT),
        merchant: Some(MERCHANT),
        ..parties()
    };
    let r = recipients(&c, EventKind::Ruled, "user:9", &json!({}), &p);
    assert_eq!(r.len(), 1);
    assert!(recipients(&c, EventKind::MessagePosted, "user:2", &json!({}), &p).is_empty());
}

#[test]
fn a_merchant_never_reads_who_reported() {
    let s = Stream::Shop(ShopId::parse("shop-a").unwrap());
    let p = Parties {
        label: Some("小店".into()),
        ..parties()
    };
    let told = recipients(&s, EventKind::ListingTakenDown, "user:3", &json!({}), &p);
    assert_eq!(told.len(), 1);
    let (_, kind, params) = &told[0];
    for lang in [Lang::Zh, Lang::En] {
        let text = format!("{} {}", kind.label(lang), sentence(*kind, &s, params, lang));
        assert!(!text.contains("user:3") && !text.contains('3'), "{text}");
    }
    // The params carry no user at all.
    let json = serde_json::to_string(params).unwrap();
    assert!(!json.contains("user"), "{json}");
}

#[test]
fn sentences_exist_in_both_languages() {
    let c = Stream::Complaint(ComplaintId(12));
    let p = NoticeParams {
        label: Some("蓝牙耳机".into()),
        ..NoticeParams::default()
    };
    for kind in NoticeKind::ALL
        .iter()
        .filter(|k| **k != NoticeKind::ChatTaken)
    {
        let zh = sentence(*kind, &c, &p, Lang::Zh);
        let en = sentence(*kind, &c, &p, Lang::En);
        assert!(zh.starts_with("投诉 #12（蓝牙耳机）"), "{zh}");
        assert!(en.starts_with("complaint #12 (蓝牙耳机)"), "{en}");
        assert_ne!(zh, en);
    }
    crate::types::assert_labels(NoticeKind::ALL, NoticeKind::label);
    crate::types::assert_labels(Deadline::ALL, Deadline::label);
}

#[test]
fn a_reminder_names_the_deadline_and_its_time() {
    let due = chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap();
    let c = Stream::Complaint(ComplaintId(12));
    let told = reminder_recipients(Deadline::MerchantReply, None, &parties(), due);
    assert_eq!(told.iter().map(|t| t.0).collect::<Vec<_>>(), vec![MERCHANT]);
    let zh = sentence(NoticeKind::Reminder, &c, &told[0].2, Lang::Zh);
    assert!(
        zh.contains("商家回复期限") && zh.contains("北京时间"),
        "{zh}"
    );
    let en = sentence(NoticeKind::Reminder, &c, &told[0].2, Lang::En);
    assert!(en.contains("the merchant's time to answer"), "{en}");
    let ev = reminder_recipients(
        Deadline::EvidenceTurn,
        Some(Party::Consumer),
        &parties(),
        due,
    );
    assert_eq!(ev[0].0, CONSUMER);
    let ip = reminder_recipients(Deadline::IpCounterNotice, None, &parties(), due);
    assert_eq!(ip[0].0, REPORTER);
}

#[test]
fn e_mail_addresses_and_languages_parse() {
    assert_eq!(parse_email(" a.b@example.com ").unwrap(), "a.b@example.com");
    for bad in [
        "",
        "a",
        "a@b",
        "@b.com",
        "a@@b.com",
        "a b@c.com",
        "a@.com",
        "a@b.com.",
        "a@b..com",
    ] {
        let e = parse_email(bad).unwrap_err();
        assert_eq!(e.fields()[0].field, "email", "{bad}");
    }
    assert_eq!(parse_lang("en").unwrap(), Lang::En);
    assert!(parse_lang("fr").is_err());
}
