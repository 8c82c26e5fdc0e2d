use chrono::{Duration, TimeZone, Utc};

use super::*;
use crate::access::Actor;
use crate::policy::{Penalty, Policy};
use crate::records::OrderItem;
use crate::types::*;

#[test]
fn report_states_and_shop_statuses_have_distinct_labels() {
    crate::types::assert_labels(ReportState::ALL, ReportState::label);
    crate::types::assert_labels(ShopStatus::ALL, ShopStatus::label);
    crate::types::assert_labels(ViolationKind::ALL, ViolationKind::label);
    crate::types::assert_labels(PenaltyAppealState::ALL, PenaltyAppealState::label);
}

fn t(s: &str) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn ladder_steps_crossed_between_two_totals() {
    let p = Policy::default();
    let th = |b, a| {
        crossings(&p, b, a)
            .into_iter()
            .map(|(t, _)| t)
            .collect::<Vec<_>>()
    };
    assert_eq!(th(0, 11), Vec::<u32>::new());
    assert_eq!(th(11, 12), vec![12]);
    assert_eq!(th(12, 23), Vec::<u32>::new());
    assert_eq!(th(10, 40), vec![12, 24, 36]);
    assert_eq!(th(47, 60), vec![48]);
}

#[test]
fn the_harshest_penalty_sets_the_standing() {
    assert_eq!(standing(&[]), (1.0, ShopStatus::Open));
    assert_eq!(
        standing(&[(Penalty::Warning, None)]),
        (1.0, ShopStatus::Open)
    );
    assert_eq!(
        standing(&[
            (Penalty::TrafficLimit, Some(0.5)),
            (Penalty::ListingBan, Some(0.3))
        ]),
        (0.3, ShopStatus::Restricted)
    );
    assert_eq!(
        standing(&[
            (Penalty::CloseShop, None),
            (Penalty::TrafficLimit, Some(0.5))
        ]),
        (0.0, ShopStatus::Closed)
    );
}

#[test]
fn late_shipment_compensation_is_capped() {
    let p = Policy::default();
    let by = t("2026-05-01T12:00:00+08:00");
    assert_eq!(
        late_shipment(by, Some(by), Cents::new(10_000).unwrap(), by, &p),
        None
    );
    let late = late_shipment(
        by,
        None,
        Cents::new(10_000).unwrap(),
        by + Duration::hours(30),
        &p,
    )
    .unwrap();
    assert_eq!(late.hours_late, 30);
    assert_eq!(late.compensation.get(), 500); // 5 % of ¥100
    let late = late_shipment(
        by,
        Some(by + Duration::hours(1)),
        Cents::new(1_000_000).unwrap(),
        by,
        &p,
    )
    .unwrap();
    assert_eq!(late.compensation.get(), 3000); // capped at ¥30
}

#[test]
fn the_return_window_starts_the_day_after_delivery() {
    let delivered = t("2026-05-01T23:30:00+08:00");
    assert!(in_return_window(delivered, t("2026-05-02T00:10:00+08:00")));
    assert!(in_return_window(delivered, t("2026-05-08T23:59:00+08:00")));
    assert!(!in_return_window(delivered, t("2026-05-09T00:01:00+08:00")));
    let item = |exempt| OrderItem {
        title: "定制刻字钢笔".into(),
        price_cents: Cents::new(9900).unwrap(),
        qty: 1,
        return_exempt: exempt,
    };
    let asked = t("2026-05-03T10:00:00+08:00");
    assert!(return_refusal_breaks_promise(
        true,
        Some(delivered),
        asked,
        Some(&item(None))
    ));
    assert!(!return_refusal_breaks_promise(
        true,
        Some(delivered),
        asked,
        Some(&item(Some(ReturnExempt::CustomMade)))
    ));
    assert!(!return_refusal_breaks_promise(
        false,
        Some(delivered),
        asked,
        None
    ));
    assert!(!return_refusal_breaks_promise(true, None, asked, None));
}

#[test]
fn counterfeit_compensation_has_a_statutory_floor_for_fraud() {
    let p = Policy::default();
    let price = Cents::new(8_000).unwrap();
    assert_eq!(counterfeit_compensation(price, false, &p).get(), 32_000);
    assert_eq!(counterfeit_compensation(price, true, &p).get(), 50_000);
    let dear = Cents::new(100_000).unwrap();
    assert_eq!(counterfeit_compensation(dear, true, &p).get(), 400_000);
    let mut p3 = Policy::default();
    p3.compensation.counterfeit_multiplier = 1;
    assert_eq!(counterfeit_compensation(dear, true, &p3).get(), 300_000);
}

#[test]
fn ip_reports_follow_notice_and_counter_notice() {
    let p = Policy::default();
    let now = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap();
    let merchant = Actor::new(UserId(7), Role::Merchant);
    let holder = Actor::new(UserId(3), Role::Consumer);
    let mut r = ReportFacts {
        state: ReportState::initial(ReportKind::IpInfringement),
        reporter_id: UserId(3),
        merchant_id: UserId(7),
    };
    let counter = ReportAction::CounterNotice {
        statement: "本店商品为自主设计，已有外观专利".into(),
    };
    assert!(decide_report(&r, &holder, &counter, now, &p).is_err());
    let t1 = decide_report(&r, &merchant, &counter, now, &p).unwrap();
    assert_eq!(t1.state, ReportState::CounterNoticed);
    assert_eq!(t1.restore_at, Some(now + Duration::days(15)));
    r.state = t1.state;
    let legal = ReportAction::LegalAction {
        note: "已向法院起诉".into(),
    };
    assert!(decide_report(&r, &merchant, &legal, now, &p).is_err());
    assert_eq!(
        decide_report(&r, &holder, &legal, now, &p).unwrap().state,
        ReportState::KeptDown
    );
    assert_eq!(
        restore_lapsed(r.state).unwrap().state,
        ReportState::Restored
    );
    assert_eq!(restore_lapsed(ReportState::KeptDown), None);
}

#[test]
fn only_regulators_decide_cases_and_closed_ones_stay_closed() {
    let p = Policy::default();
    let now = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap();
    let facts = CaseFacts {
        kind: CaseKind::Violation,
        state: CaseState::Open,
        merchant_id: UserId(7),
        evidence_requested: false,
    };
    let sanction = CaseAction::Sanction {
        reasons: "刷单证据确凿".into(),
        rule_refs: vec!["淘宝规则 第六十四条".into()],
        points: None,
        remedy: None,
    };
    let guard = Actor::new(UserId(2), Role::Protection);
    assert!(decide_case(&facts, &guard, &sanction, now, &p).is_err());
    let reg = Actor::new(UserId(1), Role::Regulator);
    let t = decide_case(&facts, &reg, &sanction, now, &p).unwrap();
    assert_eq!(t.state, CaseState::Sanctioned);
    assert_eq!(t.sanction.unwrap().points, p.points.fake_transactions);
    let closed = CaseFacts {
        state: CaseState::Sanctioned,
        ..facts
    };
    assert!(decide_case(&closed, &reg, &sanction, now, &p).is_err());
}
