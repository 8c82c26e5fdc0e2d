//! A shop's scorecard from complaints that really went through the machine (answered, refused,
//! escalated and ruled on, lapsed, withdrawn, still waiting), on SQLite and PostgreSQL alike:
//! the columns the write path keeps and the one range read give the same figures on both.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use weiquan_domain::records::{Commitments, OrderItem, OrderRecord, ShopRecord};
use weiquan_domain::scorecard::{Measure, ScorecardView};
use weiquan_domain::*;
use weiquan_store::postgres::{PgStore, ScratchDatabase};
use weiquan_store::sqlite::SqliteStore;
use weiquan_store::{NewUser, Store};

/// The scorecard's `now`.
fn end() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap()
}

fn days(n: i64) -> Duration {
    Duration::days(n)
}

fn order_no(n: u64) -> OrderNo {
    OrderNo::parse(&format!("2026110100{n:08}")).unwrap()
}

async fn seed(s: &dyn Store) {
    let t = end() - days(200);
    let users = [
        ("buyer01", Role::Consumer),
        ("seller01", Role::Merchant),
        ("seller02", Role::Merchant),
        ("agent01", Role::CsAgent),
        ("guard01", Role::Protection),
    ];
    s.ensure_users(
        users
            .iter()
            .map(|(u, r)| NewUser {
                username: Username::parse(u).unwrap(),
                role: *r,
                display_name: u.to_string(),
                password_hash: None,
            })
            .collect(),
        t,
    )
    .await
    .unwrap();
    let shop = |id: &str, m: &str| ShopRecord {
        id: ShopId::parse(id).unwrap(),
        name: format!("{id} 店"),
        merchant: Username::parse(m).unwrap(),
        commitments: Commitments {
            seven_day_return: true,
            authentic_guarantee: false,
            ship_within_hours: None,
        },
    };
    let out = s
        .import_shops(
            vec![shop("shop-a", "seller01"), shop("shop-b", "seller02")],
            t,
        )
        .await
        .unwrap();
    assert!(out.iter().all(|r| r.is_ok()));
    // shop-a: 100 orders paid 25 days before the end, 30 paid 70 days before, one 120 days
    // before; shop-b: one.
    let order = |n: u64, shop: &str, paid: Timestamp| OrderRecord {
        order_no: order_no(n),
        buyer: Username::parse("buyer01").unwrap(),
        shop_id: ShopId::parse(shop).unwrap(),
        items: vec![OrderItem {
            title: "保温杯".into(),
            price_cents: Cents::new(8900).unwrap(),
            qty: 1,
            return_exempt: None,
        }],
        amount_cents: Cents::new(8900).unwrap(),
        paid_at: paid,
        shipped_at: Some(paid + Duration::hours(12)),
        delivered_at: Some(paid + days(2)),
    };
    let mut orders: Vec<OrderRecord> = (1..=100)
        .map(|n| order(n, "shop-a", end() - days(25)))
        .collect();
    orders.extend((101..=130).map(|n| order(n, "shop-a", end() - days(70))));
    orders.push(order(131, "shop-a", end() - days(120)));
    orders.push(order(200, "shop-b", end() - days(25)));
    let out = s.import_orders(orders, t).await.unwrap();
    assert!(out.iter().all(|r| r.is_ok()), "{out:?}");
}

async fn actor(s: &dyn Store, name: &str) -> Actor {
    s.user_by_username(name).await.unwrap().unwrap().actor()
}

async fn file(s: &dyn Store, buyer: &Actor, n: u64, at: Timestamp) -> ComplaintId {
    let new = NewComplaint {
        order_no: order_no(n),
        product: "保温杯".into(),
        category: Category::QualityDefect,
        incident_at: at - Duration::hours(2),
        description: "保温杯漏水，杯盖拧紧后仍然漏。".into(),
        claim: Claim {
            kind: ClaimKind::Refund,
            amount_cents: Some(Cents::new(8900).unwrap()),
        },
        on_behalf_of: None,
    };
    s.file_complaint(buyer, new, Channel::Web, at)
        .await
        .unwrap()
        .id
}

fn refund() -> Remedy {
    Claim {
        kind: ClaimKind::Refund,
        amount_cents: Some(Cents::new(8900).unwrap()),
    }
}

/// The scenario's scorecard of shop-a, in English.
async fn scenario(store: Arc<dyn Store>) -> ScorecardView {
    let s = store.as_ref();
    seed(s).await;
    let (buyer, seller, agent, guard) = (
        actor(s, "buyer01").await,
        actor(s, "seller01").await,
        actor(s, "agent01").await,
        actor(s, "guard01").await,
    );
    let act = async |id, who: &Actor, action: Action, at| {
        s.act(who, id, action, at).await.unwrap();
    };
    let h = Duration::hours;

    // 1. Accepted an hour after filing, 20 days before the end.
    let t1 = end() - days(20);
    let c1 = file(s, &buyer, 1, t1).await;
    act(c1, &seller, Action::Accept, t1 + h(1)).await;
    // 2. Refused after two hours; escalated to customer service, then consumer protection, which
    //    upholds the consumer.
    let c2 = file(s, &buyer, 2, t1).await;
    let refuse = Action::Reject {
        message: "产品无质量问题".into(),
    };
    act(c2, &seller, refuse, t1 + h(2)).await;
    act(c2, &buyer, Action::Escalate { reason: None }, t1 + h(3)).await;
    let offer = Action::Propose {
        remedy: refund(),
        message: "建议退款".into(),
    };
    act(c2, &agent, offer, t1 + h(4)).await;
    act(c2, &buyer, Action::Escalate { reason: None }, t1 + h(5)).await;
    let rule = Action::Rule {
        decision: Decision::Uphold,
        remedy: Some(refund()),
        rule_refs: vec!["《淘宝争议处理规范》第十条".into()],
        reason: Some("商品存在质量问题".into()),
        violation: None,
        fraud: false,
    };
    act(c2, &guard, rule, t1 + h(6)).await;
    // 3. Never answered: the merchant's reply deadline lapses (a refund claim: resolved).
    let c3 = file(s, &buyer, 3, t1).await;
    let late = t1 + days(5);
    let due = s.due_timers(late, 100).await.unwrap();
    let lapse = due
        .iter()
        .find(|t| t.complaint_id == c3 && t.kind == TimerKind::MerchantReply)
        .expect("c3's reply deadline is due");
    assert!(s.fire_timer(lapse, late).await.unwrap());
    // 4. Filed an hour before the end: its deadline is ahead.
    file(s, &buyer, 4, end() - h(1)).await;
    // 5. Withdrawn an hour after filing, before the merchant's deadline.
    let c5 = file(s, &buyer, 5, end() - days(5)).await;
    act(
        c5,
        &buyer,
        Action::Withdraw { reason: None },
        end() - days(5) + h(1),
    )
    .await;
    // 6, 7. Accepted within half an hour, 15 days before the end.
    let t6 = end() - days(15);
    for n in [6, 7] {
        let c = file(s, &buyer, n, t6).await;
        act(c, &seller, Action::Accept, t6 + Duration::minutes(30)).await;
    }
    // 8. Sixty days before the end (the 90-day window only): a proposal after three hours,
    //    accepted by the consumer.
    let t8 = end() - days(60);
    let c8 = file(s, &buyer, 101, t8).await;
    let offer = Action::Propose {
        remedy: refund(),
        message: "退款".into(),
    };
    act(c8, &seller, offer, t8 + h(3)).await;
    act(c8, &buyer, Action::Accept, t8 + h(4)).await;
    // 9. Filed 100 days before the end (in no window), ruled for the consumer in part 80 days
    //    before: a ruling of the 90-day window.
    let t9 = end() - days(100);
    let c9 = file(s, &buyer, 131, t9).await;
    let refuse = Action::Reject {
        message: "不同意".into(),
    };
    act(c9, &seller, refuse, t9 + h(1)).await;
    act(c9, &buyer, Action::Escalate { reason: None }, t9 + h(2)).await;
    let offer = Action::Propose {
        remedy: refund(),
        message: "建议部分退款".into(),
    };
    act(c9, &agent, offer, t9 + h(3)).await;
    act(c9, &buyer, Action::Escalate { reason: None }, t9 + h(4)).await;
    let rule = Action::Rule {
        decision: Decision::Partial,
        remedy: Some(refund()),
        rule_refs: vec!["《淘宝争议处理规范》第十条".into()],
        reason: None,
        violation: None,
        fraud: false,
    };
    act(c9, &guard, rule, end() - days(80)).await;
    // Another shop's complaint counts nowhere here.
    let c10 = file(s, &buyer, 200, t6).await;
    act(c10, &actor(s, "seller02").await, Action::Accept, t6 + h(1)).await;

    let card = s
        .scorecard(None, &ShopId::parse("shop-a").unwrap(), end())
        .await
        .unwrap();
    // Unknown shops are not found, for anyone.
    let missing = s
        .scorecard(None, &ShopId::parse("shop-x").unwrap(), end())
        .await;
    assert!(missing.is_err());
    card.view(Lang::En)
}

fn measure(v: &ScorecardView, days: i64, m: Measure) -> (Option<f64>, Option<i64>, i64) {
    let w = v.windows.iter().find(|w| w.days == days).unwrap();
    let x = w.measures.iter().find(|x| x.measure == m).unwrap();
    (x.value, x.count, x.sample)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scorecards_alike_on_both_backends() {
    let dir = tempfile::tempdir().unwrap();
    let policy = Policy::default();
    let max = weiquan_store::blob::DEFAULT_MAX_BLOB;
    let sqlite: Arc<dyn Store> = Arc::new(
        SqliteStore::open_with(dir.path(), policy.clone(), max)
            .await
            .unwrap(),
    );
    let admin = std::env::var("WEIQUAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let db = ScratchDatabase::create(&admin, "weiquan_scorecard")
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is needed for this test ({admin}): {e}"));
    let pg: Arc<dyn Store> = Arc::new(
        PgStore::open_with(&db.url, &dir.path().join("pg-blobs"), policy, max)
            .await
            .unwrap(),
    );
    let lite = scenario(sqlite).await;
    let post = scenario(pg).await;
    assert_eq!(lite, post, "the backends answer alike");
    let v = lite;

    assert_eq!((v.windows[0].orders, v.windows[0].complaints), (100, 7));
    assert_eq!((v.windows[1].orders, v.windows[1].complaints), (130, 8));
    // 7 complaints over 100 orders; 8 over 130.
    assert_eq!(
        measure(&v, 30, Measure::ComplaintRate),
        (Some(70.0), Some(7), 100)
    );
    let (rate, _, _) = measure(&v, 90, Measure::ComplaintRate);
    assert!((rate.unwrap() - 8000.0 / 130.0).abs() < 1e-9);
    // Answered in time: 1, 2, 6, 7 (and 8 in 90 days); 3 lapsed; 4 not yet due; 5 withdrawn.
    assert_eq!(
        measure(&v, 30, Measure::AnsweredInTime),
        (Some(0.8), Some(4), 5)
    );
    let (share, count, sample) = measure(&v, 90, Measure::AnsweredInTime);
    assert_eq!((count, sample), (Some(5), 6));
    assert!((share.unwrap() - 5.0 / 6.0).abs() < 1e-9);
    // Four answers in 30 days: too few; five in 90: ½, ½, 1, 2, 3 hours.
    assert_eq!(measure(&v, 30, Measure::MedianFirstAnswer), (None, None, 4));
    assert_eq!(
        measure(&v, 90, Measure::MedianFirstAnswer),
        (Some(1.0), None, 5)
    );
    // Resolved: 1, 2 (by a ruling), 3 (the merchant's silence), 6, 7; and 8.
    assert_eq!(
        measure(&v, 30, Measure::ResolvedWithoutStaff),
        (Some(0.8), Some(4), 5)
    );
    assert_eq!(measure(&v, 90, Measure::ResolvedWithoutStaff).1, Some(5));
    // One ruling in 30 days, for the consumer (read once, though both parts of the read find it);
    // in 90 days also one on a complaint filed before the window.
    assert_eq!(
        measure(&v, 30, Measure::RulingsAgainst),
        (Some(1.0), Some(1), 1)
    );
    assert_eq!(
        measure(&v, 90, Measure::RulingsAgainst),
        (Some(2.0), Some(2), 2)
    );
    // Defective orders: 2 (staff stepped in), 3 (never answered).
    assert_eq!(
        measure(&v, 30, Measure::OrderDefectRate),
        (Some(0.02), Some(2), 100)
    );
    assert_eq!(measure(&v, 90, Measure::OrderDefectRate).1, Some(2));
    assert_eq!(v.active_penalties.count, 0);
    // Nothing that names a complaint, an order or a person.
    let body = serde_json::to_string(&v).unwrap();
    for secret in ["2026110100", "buyer01", "seller01", "保温杯"] {
        assert!(!body.contains(secret), "{secret} in {body}");
    }
}
