//! The scheduled brushing scan: a ring hidden in honest purchases becomes one tier-3 case with
//! its accounts, shops and orders; confirming it gives every shop in it points, once.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use weiquan_domain::records::{Commitments, OrderItem, OrderRecord, ShopRecord};
use weiquan_domain::*;

use crate::both_backends;
use crate::helpers::*;

fn order(n: u64, buyer: &str, shop: &str, days_ago: i64) -> OrderRecord {
    OrderRecord {
        order_no: OrderNo::parse(&format!("{:018}", 300_000_000_000_000_000u64 + n)).unwrap(),
        buyer: Username::parse(buyer).unwrap(),
        shop_id: ShopId::parse(shop).unwrap(),
        items: vec![OrderItem {
            title: "测试商品".into(),
            price_cents: Cents::new(990).unwrap(),
            qty: 1,
            return_exempt: None,
        }],
        amount_cents: Cents::new(990).unwrap(),
        paid_at: Utc::now() - Duration::days(days_ago),
        shipped_at: None,
        delivered_at: None,
    }
}

/// 12 shops, 60 honest buyers each buying from a few shops (a simple LCG, no two runs differ),
/// and a ring of 8 accounts that each buy from all of shop-r1..r3.
async fn marketplace_with_a_ring(app: &TestApp) {
    let mut shops: Vec<ShopRecord> = (1..=9)
        .map(|i| format!("shop-h{i}"))
        .chain((1..=3).map(|i| format!("shop-r{i}")))
        .map(|id| ShopRecord {
            id: ShopId::parse(&id).unwrap(),
            name: format!("{id} 店"),
            merchant: Username::parse(&format!("m-{id}")).unwrap(),
            commitments: Commitments::default(),
        })
        .collect();
    shops.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    assert!(
        app.store
            .import_shops(shops, app.now())
            .await
            .unwrap()
            .iter()
            .all(|r| r.is_ok())
    );
    let mut orders = vec![];
    let mut n = 0;
    let mut x: u64 = 42;
    let mut next = |m: u64| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) % m
    };
    for b in 1..=60 {
        for _ in 0..4 {
            let shop = if next(10) < 2 {
                format!("shop-r{}", next(3) + 1)
            } else {
                format!("shop-h{}", next(9) + 1)
            };
            n += 1;
            orders.push(order(
                n,
                &format!("honest{b:02}"),
                &shop,
                next(25) as i64 + 1,
            ));
        }
    }
    for a in 1..=8 {
        for s in 1..=3 {
            for _ in 0..2 {
                n += 1;
                orders.push(order(
                    n,
                    &format!("ring{a:02}"),
                    &format!("shop-r{s}"),
                    next(3) as i64 + 1,
                ));
            }
        }
    }
    assert!(
        app.store
            .import_orders(orders, app.now())
            .await
            .unwrap()
            .iter()
            .all(|r| r.is_ok())
    );
}

/// A shop's public standing.
async fn standing(app: &TestApp, shop: &str) -> Value {
    app.http
        .get(app.url(&format!("/api/v1/shops/{shop}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn a_ring_becomes_one_case_and_confirming_it_sanctions_every_shop(backend: Backend) {
    let app = spawn_app(backend).await;
    marketplace_with_a_ring(&app).await;
    weiquan_server::brushing::scan(&app.state, app.now())
        .await
        .unwrap();
    // Found again by the next scan (and by the other detector): still one case.
    let again = weiquan_server::brushing::scan(&app.state, app.now())
        .await
        .unwrap();
    assert!(again.cases.is_empty(), "{again:?}");
    assert!(again.blocks > 0);

    let regulator = app.login("regulator01").await;
    let cases: Value = app
        .get(&regulator, "/api/v1/cases")
        .await
        .json()
        .await
        .unwrap();
    let items = cases["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let case = &items[0];
    let accounts: Vec<&str> = case["details"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        accounts,
        (1..=8).map(|a| format!("ring{a:02}")).collect::<Vec<_>>()
    );
    assert_eq!(
        case["details"]["shops"],
        json!(["shop-r1", "shop-r2", "shop-r3"])
    );
    assert_eq!(case["details"]["order_count"], 48);
    assert_eq!(case["details"]["orders"].as_array().unwrap().len(), 48);
    assert!(case["details"]["lift"].as_f64().unwrap() >= 3.0);

    // The regulator confirms: each shop of the ring gets the policy's points.
    let id = case["id"].as_i64().unwrap();
    let r = app
        .post(&regulator, &format!("/api/v1/cases/{id}/actions"),
            json!({"action": "confirm", "reasons": "8个账号在3天内集中互购，确认刷单", "rule_refs": ["淘宝规则 第六十八条 虚假交易"]}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    for shop in ["shop-r1", "shop-r2", "shop-r3"] {
        let s = standing(&app, shop).await;
        assert_eq!(s["points"], 12, "{shop}");
        assert_eq!(
            s["active_penalties"][0]["penalty"], "traffic_limit",
            "{shop}"
        );
    }
    let s = standing(&app, "shop-h1").await;
    assert_eq!(s["points"], 0);
}

/// When the pending brushing scan is due (there is never more than one).
async fn next_scan(app: &TestApp) -> Timestamp {
    let pending: Vec<Timestamp> = app
        .store
        .due_subject_timers(app.now() + Duration::days(365), 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.kind == "brushing_scan")
        .map(|t| t.due_at)
        .collect();
    assert_eq!(pending.len(), 1, "{pending:?}");
    pending[0]
}

async fn the_scan_is_scheduled_and_finds_nothing_in_honest_data(backend: Backend) {
    let app = spawn_app(backend).await;
    let every = Duration::from_std(app.store.policy().brushing.every).unwrap();
    // The server seeded the scan at start, due at once; each run schedules the next.
    let start = app.now();
    assert_eq!(next_scan(&app).await, start);
    app.fire().await;
    assert_eq!(next_scan(&app).await, start + every);
    // Not before its time, and each run once.
    app.advance(every - Duration::seconds(1));
    app.fire().await;
    assert_eq!(next_scan(&app).await, start + every);
    app.advance(Duration::seconds(1));
    app.fire().await;
    app.fire().await;
    assert_eq!(next_scan(&app).await, start + every * 2);
    // A second node starting does not add a second schedule.
    let other = app.another_server(|_| {}).await;
    other.fire().await;
    assert_eq!(next_scan(&app).await, start + every * 2);

    let report = weiquan_server::brushing::scan(&app.state, app.now())
        .await
        .unwrap();
    assert!(report.cases.is_empty(), "{report:?}");
}

/// A consumer reported a ring's shop before the scan found the ring: the report's case gathers the
/// block (one open case per shop), and confirming it sanctions every shop of the ring.
async fn a_report_about_a_ring_shop_gets_the_block(backend: Backend) {
    let app = spawn_app(backend).await;
    marketplace_with_a_ring(&app).await;
    let buyer = app.login("buyer01").await;
    let r = app
        .post(
            &buyer,
            "/api/v1/reports",
            json!({"shop_id": "shop-r2", "kind": "fake_transactions",
            "description": "这家店几天内冒出很多五星好评，都是同一批新账号，疑似刷单。"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let report: Value = r.json().await.unwrap();
    let state = &app.state;
    let found = weiquan_server::brushing::scan(state, app.now())
        .await
        .unwrap();
    assert!(found.blocks > 0);
    let regulator = app.login("regulator01").await;
    let cases: Value = app
        .get(&regulator, "/api/v1/cases")
        .await
        .json()
        .await
        .unwrap();
    let items = cases["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{cases}");
    let case = &items[0];
    assert_eq!(case["id"], report["case_id"]);
    assert_eq!(case["reports"], json!([report["id"]]));
    assert_eq!(case["details"]["source"], "brushing_scan");
    assert_eq!(
        case["details"]["shops"],
        json!(["shop-r1", "shop-r2", "shop-r3"])
    );
    let id = case["id"].as_i64().unwrap();
    let events: Value = app
        .get(&regulator, &format!("/api/v1/cases/{id}/events"))
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"block_found"), "{kinds:?}");
    // Found again: nothing new. A later report about the shop joins the same case.
    let again = weiquan_server::brushing::scan(state, app.now())
        .await
        .unwrap();
    assert!(again.cases.is_empty(), "{again:?}");
    let r = app
        .post(
            &buyer,
            "/api/v1/reports",
            json!({"shop_id": "shop-r2", "kind": "credit_hyping",
            "description": "评价里大量雷同的好评，怀疑是炒信，和上次举报是同一批账号。"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.json::<Value>().await.unwrap()["case_id"], json!(id));
    let r = app
        .post(&regulator, &format!("/api/v1/cases/{id}/actions"),
            json!({"action": "confirm", "reasons": "举报与扫描一致，确认刷单", "rule_refs": ["淘宝规则 第六十八条 虚假交易"]}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    for shop in ["shop-r1", "shop-r2", "shop-r3"] {
        let s = standing(&app, shop).await;
        assert_eq!(s["points"], 12, "{shop}");
    }
}

both_backends!(
    a_report_about_a_ring_shop_gets_the_block,
    a_ring_becomes_one_case_and_confirming_it_sanctions_every_shop,
    the_scan_is_scheduled_and_finds_nothing_in_honest_data,
);
