//! Commitment monitors: the broken promises they find.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use weiquan_domain::*;

use super::*;
use crate::both_backends;
use crate::helpers::*;

async fn monitors_find_broken_promises(backend: Backend) {
    let app = spawn_app(backend).await;
    let store = &app.store;
    // shop-a promises shipping within 48 h, 7-day returns and authentic goods.
    let orders = vec![
        order_record(
            1,
            "buyer01",
            Duration::days(5),
            Some(Duration::hours(72)),
            None,
        ), // shipped late
        order_record(2, "buyer01", Duration::days(5), None, None), // never shipped
        order_record(
            3,
            "buyer01",
            Duration::days(5),
            Some(Duration::hours(20)),
            None,
        ), // on time
        order_record(4, "buyer01", Duration::days(1), None, None), // not yet due
        order_record(
            5,
            "buyer01",
            Duration::days(4),
            Some(Duration::hours(10)),
            Some(Duration::days(1)),
        ),
        order_record(
            6,
            "buyer01",
            Duration::days(4),
            Some(Duration::hours(10)),
            Some(Duration::days(1)),
        ),
    ];
    assert!(
        store
            .import_orders(orders, app.now())
            .await
            .unwrap()
            .iter()
            .all(|r| r.is_ok())
    );
    // A round of the deadline loop runs the monitor; each order past its promise is checked once.
    let shop_a = ShopId::parse("shop-a").unwrap();
    app.fire().await;
    app.fire().await;
    let late = store
        .shop_events(Some(&STAFF), &shop_a)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "violation_recorded")
        .map(|e| e.data)
        .collect::<Vec<Value>>();
    assert_eq!(late.len(), 2, "{late:?}");
    for v in &late {
        assert_eq!(v["kind"], "late_shipment");
        assert_eq!(v["compensation_cents"], 445); // 5 % of ¥89
    }
    let orders: Vec<&str> = late
        .iter()
        .map(|v| v["order_no"].as_str().unwrap())
        .collect();
    assert!(orders.contains(&"202611020000000001") && orders.contains(&"202611020000000002"));
    assert_eq!(
        store.sweep_monitors(app.now(), 1000).await.unwrap(),
        0,
        "each order once"
    );

    // A refused return within seven days of delivery breaks the 7-day promise.
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let guard = app.login("guard01").await;
    let mut body = complaint_body("202611020000000005", json!({"kind": "return"}));
    body["category"] = json!("return_refused");
    body["description"] = json!("商品未拆封，申请七天无理由退货，商家拒绝且不给理由。");
    let id = json_of(app.file(&buyer, body).await, StatusCode::CREATED).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(
        &seller,
        id,
        json!({"action": "reject", "message": "不支持退货"}),
    )
    .await;
    // A complaint that is not about a return breaks no promise by being rejected.
    let other = app.file_ok(&buyer, "A1", json!({"kind": "exchange"})).await;
    app.act_ok(
        &seller,
        other,
        json!({"action": "reject", "message": "不予换货"}),
    )
    .await;

    // A counterfeit ruling on an authentic-guarantee shop, fraud found: at least ¥500.
    let mut body = complaint_body(
        "202611020000000006",
        json!({"kind": "refund", "amount_cents": 8900}),
    );
    body["category"] = json!("counterfeit");
    body["description"] = json!("收到的保温杯防伪码查询无效，做工与正品明显不同，是假货。");
    let fake = json_of(app.file(&buyer, body).await, StatusCode::CREATED).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(
        &seller,
        fake,
        json!({"action": "reject", "message": "我们卖的是正品"}),
    )
    .await;
    let c = app
        .act_ok(&buyer, fake, json!({"action": "escalate"}))
        .await;
    assert_eq!(c["state"], "protection_review", "counterfeit is major");
    app.act_ok(
        &guard,
        fake,
        json!({"action": "rule", "decision": "uphold", "remedy": {"kind": "refund", "amount_cents": 8900},
               "rule_refs": ["淘宝平台争议处理规则 第二十条"], "reason": "品牌方鉴定为假货", "fraud": true}),
    )
    .await;

    let events = store
        .shop_events(Some(&STAFF), &ShopId::parse("shop-a").unwrap())
        .await
        .unwrap();
    let kinds: Vec<(String, Value)> = events
        .iter()
        .filter(|e| e.kind == "violation_recorded")
        .map(|e| {
            (
                e.data["kind"].as_str().unwrap().to_owned(),
                e.data["compensation_cents"].clone(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("late_shipment".to_owned(), json!(445)),
            ("late_shipment".to_owned(), json!(445)),
            ("return_refused".to_owned(), Value::Null),
            ("counterfeit".to_owned(), json!(50000)),
        ]
    );
    // 1 + 1 + 4 + 12 = 18 points: over the first step.
    let s = standing(&app, "shop-a").await;
    assert_eq!(s["points"], 18);
    assert_eq!(s["active_penalties"][0]["penalty"], "traffic_limit");
}

both_backends!(monitors_find_broken_promises,);
