use chrono::{Duration, TimeZone, Utc};

use super::*;
use crate::complaint::{Progress, Resolution};
use crate::state::{State, Tier};

fn now() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap()
}

fn h(n: i64) -> Duration {
    Duration::hours(n)
}

/// A complaint filed `ago` before now, answered after `answer` (if any), its order key `key`,
/// paid a day before filing; the default reply deadline is 48 hours after filing.
fn filed(ago: Duration, key: i64) -> ComplaintFacts {
    let at = now() - ago;
    ComplaintFacts {
        filed_at: at,
        reply_due_at: Some(at + h(48)),
        first_answer_at: None,
        reply_ended_at: None,
        resolved_at: None,
        reached_staff: false,
        ruling: None,
        order_paid_at: at - h(24),
        order_key: key,
    }
}

fn answered(mut c: ComplaintFacts, after: Duration) -> ComplaintFacts {
    c.first_answer_at = Some(c.filed_at + after);
    c.reply_ended_at = Some(c.filed_at + after);
    c
}

fn facts(orders: [i64; 2], complaints: Vec<ComplaintFacts>) -> Facts {
    Facts {
        now: now(),
        orders,
        complaints,
        penalties: vec![],
    }
}

fn fig(s: &Scorecard, days: i64, m: Measure) -> Figure {
    *s.windows
        .iter()
        .find(|w| w.days == days)
        .unwrap()
        .figures
        .iter()
        .find(|f| f.measure == m)
        .unwrap()
}

fn shop() -> ShopId {
    ShopId::parse("shop-a").unwrap()
}

#[test]
fn measures_and_units_have_distinct_labels_and_a_sentence_each() {
    crate::types::assert_labels(Measure::ALL, Measure::label);
    crate::types::assert_labels(Unit::ALL, Unit::label);
    for m in Measure::ALL {
        for lang in [Lang::Zh, Lang::En] {
            let s = m.explanation(lang);
            assert!(s.len() > 20, "{m}: {s}");
            assert!(s.ends_with('。') || s.ends_with('.'), "one sentence: {s}");
        }
        assert_ne!(m.explanation(Lang::Zh), m.explanation(Lang::En));
    }
}

#[test]
fn a_shop_with_no_orders_and_no_complaints_is_not_rated_and_says_why() {
    let s = compute(shop(), &facts([0, 0], vec![]));
    assert_eq!(s.windows.len(), 2);
    for w in &s.windows {
        assert_eq!((w.orders, w.complaints), (0, 0));
        for f in &w.figures {
            if f.measure == Measure::RulingsAgainst {
                assert_eq!((f.value, f.count, f.sample), (Some(0.0), Some(0), 0));
            } else {
                assert_eq!(f.value, None, "{:?}", f.measure);
                assert_eq!(f.sample, 0);
            }
        }
    }
    let v = s.view(Lang::Zh);
    let rate = &v.windows[0].measures[0];
    assert_eq!(rate.measure, Measure::ComplaintRate);
    assert!(!rate.rated);
    assert_eq!(rate.display, "订单太少，暂不评级（0 单，至少需要 100 单）");
    assert_eq!(v.active_penalties.display, "无");
    let en = s.view(Lang::En);
    assert_eq!(
        en.windows[1].measures[2].display,
        "too few complaints to rate (0 complaints; at least 5 needed)"
    );
    assert_eq!(en.windows[1].title, "last 90 days");
    assert_eq!(en.windows[0].measures[5].display, "no rulings");
    assert_eq!(v.windows[0].measures[5].display, "无裁决");
    assert_eq!(en.active_penalties.display, "none");
}

#[test]
fn complaints_per_thousand_orders_need_a_hundred_orders() {
    let cs: Vec<_> = (0..3).map(|i| filed(h(24 * i + 1), i)).collect();
    let s = compute(shop(), &facts([99, 150], cs));
    let thin = fig(&s, 30, Measure::ComplaintRate);
    assert_eq!((thin.value, thin.count, thin.sample), (None, Some(3), 99));
    let enough = fig(&s, 90, Measure::ComplaintRate);
    assert_eq!(enough.value, Some(20.0));
    assert_eq!(
        enough.view(Lang::Zh).display,
        "每千单 20.0 起",
        "3 complaints over 150 orders"
    );
    assert_eq!(enough.view(Lang::En).display, "20.0 per 1,000 orders");
    assert_eq!(
        thin.view(Lang::En).display,
        "too few orders to rate (99 orders; at least 100 needed)"
    );
}

#[test]
fn the_window_reaches_back_exactly_its_days_and_ends_now() {
    let edge = filed(Duration::days(30), 1);
    let just_before = filed(Duration::days(30) + Duration::milliseconds(1), 2);
    let at_now = filed(Duration::zero(), 3);
    let future = filed(-Duration::milliseconds(1), 4);
    let old = filed(Duration::days(91), 5);
    let s = compute(
        shop(),
        &facts([1000, 1000], vec![edge, just_before, at_now, future, old]),
    );
    assert_eq!(s.windows[0].complaints, 2, "the edge and now are inside");
    assert_eq!(s.windows[1].complaints, 3);
    assert_eq!(s.windows[0].from, now() - Duration::days(30));
    assert_eq!(s.windows[0].to, now());
}

#[test]
fn answered_in_time_counts_the_first_answer_against_the_deadline() {
    let due = now() - h(10);
    let base = ComplaintFacts {
        reply_due_at: Some(due),
        ..filed(h(58), 1)
    };
    let at = |answer: Option<Timestamp>, ended: Option<Timestamp>| ComplaintFacts {
        first_answer_at: answer,
        reply_ended_at: ended,
        ..base.clone()
    };
    // By the deadline, to the millisecond: in time.
    assert_eq!(at(Some(due), Some(due)).answered_in_time(now()), Some(true));
    // A millisecond late.
    let late = due + Duration::milliseconds(1);
    assert_eq!(
        at(Some(late), Some(late)).answered_in_time(now()),
        Some(false)
    );
    // Still waiting past the deadline (the deadline loop has not fired yet): late.
    assert_eq!(at(None, None).answered_in_time(now()), Some(false));
    // The deadline lapsed (left awaiting_merchant when it fired).
    assert_eq!(at(None, Some(due)).answered_in_time(now()), Some(false));
    // Withdrawn (or taken over) before the deadline: not the shop's to answer any more.
    assert_eq!(at(None, Some(due - h(1))).answered_in_time(now()), None);
    // Still waiting, deadline ahead (or exactly now): not counted yet.
    let ahead = ComplaintFacts {
        reply_due_at: Some(now()),
        ..at(None, None)
    };
    assert_eq!(ahead.answered_in_time(now()), None);
    // Filed before deadlines were recorded: not counted.
    let unknown = ComplaintFacts {
        reply_due_at: None,
        ..at(None, None)
    };
    assert_eq!(unknown.answered_in_time(now()), None);
}

#[test]
fn answered_in_time_and_median_over_a_window() {
    let cs = vec![
        answered(filed(h(100), 1), h(1)),
        answered(filed(h(100), 2), h(2)),
        answered(filed(h(100), 3), h(3)),
        answered(filed(h(100), 4), h(50)), // late
        filed(h(100), 5),                  // waiting past the deadline
        filed(h(10), 6),                   // deadline ahead: not counted
    ];
    let s = compute(shop(), &facts([1000, 1000], cs));
    let f = fig(&s, 30, Measure::AnsweredInTime);
    assert_eq!((f.count, f.sample), (Some(3), 5));
    assert_eq!(f.value, Some(0.6));
    assert_eq!(f.view(Lang::Zh).display, "60.0%");
    // Four answers: below the minimum of five.
    let m = fig(&s, 30, Measure::MedianFirstAnswer);
    assert_eq!((m.value, m.sample), (None, 4));
    assert_eq!(
        m.view(Lang::En).display,
        "too few answers to rate (4 answers; at least 5 needed)"
    );
    // A fifth answer: the median is the third of 1, 2, 3, 4, 50 hours.
    let more = vec![
        answered(filed(h(100), 1), h(1)),
        answered(filed(h(100), 2), h(2)),
        answered(filed(h(100), 3), h(3)),
        answered(filed(h(100), 4), h(50)),
        answered(filed(h(100), 5), h(4)),
    ];
    let s = compute(shop(), &facts([1000, 1000], more));
    let m = fig(&s, 30, Measure::MedianFirstAnswer);
    assert_eq!(m.value, Some(3.0));
    assert_eq!(m.view(Lang::Zh).display, "3.0 小时");
    assert_eq!(m.view(Lang::En).display, "3.0 h");
}

#[test]
fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
    assert_eq!(median(&mut []), None);
    assert_eq!(median(&mut [5]), Some(5.0));
    assert_eq!(median(&mut [4, 1, 3, 2]), Some(2.5));
    assert_eq!(median(&mut [9, 1, 5]), Some(5.0));
}

#[test]
fn durations_read_in_minutes_hours_or_days() {
    assert_eq!(duration_words(0.25, Lang::Zh), "15 分钟");
    assert_eq!(duration_words(0.25, Lang::En), "15 min");
    assert_eq!(duration_words(6.54, Lang::En), "6.5 h");
    assert_eq!(duration_words(72.0, Lang::Zh), "3.0 天");
    assert_eq!(grouped(1_234_567), "1,234,567");
    assert_eq!(grouped(999), "999");
    assert_eq!(grouped(0), "0");
    assert_eq!(
        count_words(1, "起投诉", "complaint", "complaints", Lang::En),
        "1 complaint"
    );
    assert_eq!(
        count_words(0, "起投诉", "complaint", "complaints", Lang::En),
        "0 complaints"
    );
    assert_eq!(
        count_words(1200, "单", "order", "orders", Lang::Zh),
        "1,200 单"
    );
}

#[test]
fn resolved_without_staff_is_among_the_resolved() {
    let resolved = |ago: i64, key: i64, staff: bool| ComplaintFacts {
        resolved_at: Some(now() - h(ago) + h(5)),
        reached_staff: staff,
        ..filed(h(ago), key)
    };
    let cs = vec![
        resolved(100, 1, false),
        resolved(100, 2, false),
        resolved(100, 3, false),
        resolved(100, 4, false),
        resolved(100, 5, true),
        filed(h(100), 6), // not resolved: not counted
    ];
    let s = compute(shop(), &facts([1000, 1000], cs));
    let f = fig(&s, 30, Measure::ResolvedWithoutStaff);
    assert_eq!((f.count, f.sample, f.value), (Some(4), 5, Some(0.8)));
    assert_eq!(f.view(Lang::En).display, "80.0%");
}

#[test]
fn rulings_against_count_upheld_and_partial_rulings_made_in_the_window() {
    let ruled = |filed_ago: i64, key: i64, d: Decision, ruled_ago: i64| ComplaintFacts {
        ruling: Some((d, now() - h(ruled_ago))),
        reached_staff: true,
        ..filed(h(filed_ago), key)
    };
    let cs = vec![
        ruled(200, 1, Decision::Uphold, 100),
        ruled(200, 2, Decision::Partial, 100),
        ruled(200, 3, Decision::Reject, 100),
        ruled(24 * 60, 4, Decision::Uphold, 24 * 40), // in 90 days only
        // Filed before the longest window, ruled within it (the store reads such rows too).
        ruled(24 * 100, 5, Decision::Uphold, 24 * 80),
    ];
    let s = compute(shop(), &facts([1000, 1000], cs));
    let f30 = fig(&s, 30, Measure::RulingsAgainst);
    assert_eq!((f30.value, f30.count, f30.sample), (Some(2.0), Some(2), 3));
    assert_eq!(f30.view(Lang::Zh).display, "2 次（共 3 次裁决）");
    assert_eq!(f30.view(Lang::En).display, "2 (of 3 rulings)");
    let f90 = fig(&s, 90, Measure::RulingsAgainst);
    assert_eq!((f90.count, f90.sample), (Some(4), 5));
    // The row filed before the window is no complaint of the window.
    assert_eq!(s.windows[1].complaints, 4);
}

#[test]
fn the_order_defect_rate_counts_each_order_once() {
    let mut cs = vec![];
    // Order 1: two complaints, both went to staff; one defective order.
    for _ in 0..2 {
        cs.push(ComplaintFacts {
            reached_staff: true,
            ..answered(filed(h(100), 1), h(1))
        });
    }
    // Order 2: never answered, deadline passed.
    cs.push(filed(h(100), 2));
    // Order 3: answered in time, settled: no defect.
    cs.push(answered(filed(h(100), 3), h(1)));
    // Order 4: paid before the 30-day window, complained about in it: a defect of 90 days only.
    cs.push(ComplaintFacts {
        order_paid_at: now() - Duration::days(40),
        ..filed(h(100), 4)
    });
    let s = compute(shop(), &facts([200, 400], cs));
    let f = fig(&s, 30, Measure::OrderDefectRate);
    assert_eq!((f.count, f.sample, f.value), (Some(2), 200, Some(0.01)));
    assert_eq!(f.view(Lang::Zh).display, "1.00%");
    let f = fig(&s, 90, Measure::OrderDefectRate);
    assert_eq!((f.count, f.sample, f.value), (Some(3), 400, Some(0.0075)));
    assert_eq!(f.view(Lang::En).display, "0.75%");
}

#[test]
fn penalties_in_force_are_listed_by_their_labels() {
    let mut f = facts([0, 0], vec![]);
    f.penalties = vec![
        ActivePenalty {
            penalty: Penalty::TrafficLimit,
            starts_at: now() - h(1),
            ends_at: Some(now() + Duration::days(7)),
        },
        ActivePenalty {
            penalty: Penalty::ListingBan,
            starts_at: now(),
            ends_at: None,
        },
    ];
    let s = compute(shop(), &f);
    let zh = s.view(Lang::Zh).active_penalties;
    assert_eq!(zh.count, 2);
    assert_eq!(zh.display, "2 项：限制流量、禁止发布商品");
    let en = s.view(Lang::En).active_penalties;
    assert_eq!(en.penalties[0].penalty, "traffic_limit");
    assert_eq!(en.label, "penalties in force");
}

fn complaint(merchant: UserId, resolution: Option<Resolution>) -> Complaint {
    Complaint {
        id: ComplaintId(1),
        order_no: OrderNo::parse("202611010000000001").unwrap(),
        consumer_id: UserId(2),
        shop_id: shop(),
        merchant_id: merchant,
        product: "保温杯".into(),
        category: Category::QualityDefect,
        incident_at: now(),
        description: "漏水漏水漏水漏水漏水".into(),
        claim: Claim {
            kind: ClaimKind::Refund,
            amount_cents: None,
        },
        channel: Channel::Web,
        state: State::AwaitingMerchant,
        tier: Tier::Negotiation,
        major: false,
        assignee_id: None,
        collective_case_id: None,
        progress: Progress {
            resolution,
            ..Default::default()
        },
        deadline_at: None,
        created_at: now(),
        updated_at: now(),
    }
}

#[test]
fn only_the_shops_merchant_answers_for_it() {
    let c = complaint(UserId(3), None);
    let me = Some(UserId(3));
    assert!(is_merchant_answer(&c, EventKind::Rejected, me));
    assert!(is_merchant_answer(&c, EventKind::Proposed, me));
    assert!(is_merchant_answer(&c, EventKind::Accepted, me));
    assert!(!is_merchant_answer(&c, EventKind::MessagePosted, me));
    // The consumer accepting, an agent proposing, a deadline lapsing.
    assert!(!is_merchant_answer(
        &c,
        EventKind::Accepted,
        Some(UserId(2))
    ));
    assert!(!is_merchant_answer(
        &c,
        EventKind::Proposed,
        Some(UserId(9))
    ));
    assert!(!is_merchant_answer(
        &c,
        EventKind::MerchantReplyLapsed,
        None
    ));
}

#[test]
fn a_ruling_is_a_resolution_by_consumer_protection_with_a_decision() {
    let r = |by, decision| Resolution {
        by,
        remedy: None,
        decision,
        rule_refs: vec![],
        reason: None,
        ruled_by: None,
        appeal_until: None,
        at: now(),
    };
    let c = complaint(
        UserId(3),
        Some(r(ResolvedBy::Ruling, Some(Decision::Partial))),
    );
    assert_eq!(ruling(&c), Some((Decision::Partial, now())));
    let c = complaint(UserId(3), Some(r(ResolvedBy::MerchantAccepted, None)));
    assert_eq!(ruling(&c), None);
    assert_eq!(ruling(&complaint(UserId(3), None)), None);
}
