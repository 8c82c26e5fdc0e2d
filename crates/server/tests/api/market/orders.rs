//! `PUT /marketplace/orders/{order_no}`: the import's rules, idempotent, feeding the monitors.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use weiquan_domain::*;

use super::*;

async fn order_push_is_idempotent(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = service_key(&app, "shop-system", &["orders:write"]).await;
    let no = "202612010000000002";
    let body = order_body(&app, Duration::hours(3));

    let before = event_count(&app).await;
    let r = put_order(&app, &key, "push-1", no, &body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert!(r.headers().get("idempotent-replayed").is_none());
    let first: Value = r.json().await.unwrap();
    assert_eq!(first["result"], "created");
    assert_eq!(first["order"]["order_no"], no);
    assert_eq!(first["order"]["amount_cents"], 7800);

    // The same request again (a retry after a lost answer): the first answer, nothing written.
    let r = put_order(&app, &key, "push-1", no, &body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    let again: Value = r.json().await.unwrap();
    assert_eq!(again, first);
    // Key order and spacing do not make another request.
    let reordered: Value = serde_json::from_str(&body.to_string()).unwrap();
    let r = put_order(&app, &key, "push-1", no, &reordered).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let buyer = app.login("buyer01").await;
    let mine = json_of(app.get(&buyer, "/api/v1/orders").await, StatusCode::OK).await;
    let count = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["order_no"] == no)
        .count();
    assert_eq!(count, 1, "one order");
    let events = event_count(&app).await;
    assert_eq!(events, before + 1, "one event: the order's import");

    // Another body under the same key: 422 naming the header; nothing changes.
    let mut shipped = body.clone();
    shipped["shipped_at"] = json!((app.now() - Duration::hours(1)).to_rfc3339());
    let r = put_order(&app, &key, "push-1", no, &shipped).await;
    let v = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(v["error"]["fields"]["Idempotency-Key"].is_string(), "{v}");
    assert_eq!(event_count(&app).await, events);

    // Shipping reported under a new key: 200, updated, as an import would.
    let r = put_order(&app, &key, "push-2", no, &shipped).await;
    let v = json_of(r, StatusCode::OK).await;
    assert_eq!(v["result"], "updated");
    assert!(v["order"]["shipped_at"].is_string());
    // The body's order_no may be given, and must be the path's.
    let mut named = shipped.clone();
    named["order_no"] = json!(no);
    let v = json_of(
        put_order(&app, &key, "push-3", no, &named).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["result"], "unchanged");
    named["order_no"] = json!("202612010000000009");
    let r = put_order(&app, &key, "push-4", no, &named).await;
    let v = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(v["error"]["fields"]["order_no"].is_string(), "{v}");
    assert_eq!(event_count(&app).await, events + 1, "one update");

    // A key is the account's: another account may use the same key for its own request.
    let other = service_key(&app, "shop-system-2", &["orders:write"]).await;
    let r = put_order(&app, &other, "push-1", "202612010000000003", &body).await;
    assert_eq!(r.status(), StatusCode::CREATED);

    // Twins sent at once: one is carried out, the other answers as its replay.
    let twin = order_body(&app, Duration::hours(2));
    let twin_no = "202612010000000005";
    let (a, b) = tokio::join!(
        put_order(&app, &key, "twin", twin_no, &twin),
        put_order(&app, &key, "twin", twin_no, &twin)
    );
    let replays = [&a, &b]
        .iter()
        .filter(|r| r.headers().get("idempotent-replayed").is_some())
        .count();
    assert_eq!(replays, 1);
    let (a, b) = (
        json_of(a, StatusCode::CREATED).await,
        json_of(b, StatusCode::CREATED).await,
    );
    assert_eq!(a, b);

    // Keys are kept 24 hours: after that the deadline loop forgets them, and the same key is a
    // new request, decided afresh.
    assert_eq!(
        app.store.expire_idempotency_keys(app.now()).await.unwrap(),
        0
    );
    app.advance(Duration::hours(24) + Duration::seconds(1));
    app.fire().await;
    let left = app.store.expire_idempotency_keys(app.now()).await.unwrap();
    assert_eq!(left, 0, "the loop swept them all");
    let r = put_order(&app, &key, "push-1", no, &shipped).await;
    let v = json_of(r, StatusCode::OK).await;
    assert_eq!(v["result"], "unchanged");
}

/// Events on every chain, as the audit counts them.
async fn event_count(app: &TestApp) -> u64 {
    app.store
        .verify()
        .await
        .unwrap()
        .expect("an intact audit")
        .events
}

async fn malformed_orders_name_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = service_key(&app, "shop-system", &["orders:write"]).await;
    let no = "202612010000000004";
    let path = format!("/api/v1/marketplace/orders/{no}");
    let put = reqwest::Method::PUT;
    // Validation of the record (the import's own): a quantity of 0.
    let mut body = order_body(&app, Duration::hours(3));
    body["items"][0]["qty"] = json!(0);
    for (lang, words) in [("zh-CN", "数量至少为1"), ("en", "qty must be at least 1")] {
        let r = send(
            &app,
            put.clone(),
            &path,
            Some(&key),
            Some("bad-1"),
            &body,
            lang,
        )
        .await;
        let v = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert_eq!(v["error"]["fields"]["items[0].qty"], words, "{v}");
    }
    // A field of the wrong type, named by its path, in both languages.
    let mut body = order_body(&app, Duration::hours(3));
    body["items"][0]["price_cents"] = json!("三十九元");
    for (lang, words) in [("zh-CN", "格式或取值不对"), ("en", "wrong shape or value")] {
        let r = send(
            &app,
            put.clone(),
            &path,
            Some(&key),
            Some("bad-2"),
            &body,
            lang,
        )
        .await;
        let v = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        let m = v["error"]["fields"]["items[0].price_cents"]
            .as_str()
            .unwrap_or_default();
        assert!(m.contains(words), "{v}");
    }
    // A missing field, an unknown shop, a bad order number, shipping before payment.
    let mut body = order_body(&app, Duration::hours(3));
    body.as_object_mut().unwrap().remove("buyer");
    let r = send(
        &app,
        put.clone(),
        &path,
        Some(&key),
        Some("bad-3"),
        &body,
        "en",
    )
    .await;
    let v = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(v["error"]["fields"]["buyer"].is_string(), "{v}");
    let mut body = order_body(&app, Duration::hours(3));
    body["shop_id"] = json!("shop-zz");
    let r = send(
        &app,
        put.clone(),
        &path,
        Some(&key),
        Some("bad-4"),
        &body,
        "en",
    )
    .await;
    let v = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(v["error"]["fields"]["shop_id"].is_string(), "{v}");
    let r = send(
        &app,
        put.clone(),
        "/api/v1/marketplace/orders/12345",
        Some(&key),
        Some("bad-5"),
        &order_body(&app, Duration::hours(3)),
        "en",
    )
    .await;
    let v = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(v["error"]["fields"]["order_no"].is_string(), "{v}");
    let mut body = order_body(&app, Duration::hours(3));
    body["shipped_at"] = json!((app.now() - Duration::days(1)).to_rfc3339());
    let r = send(
        &app,
        put.clone(),
        &path,
        Some(&key),
        Some("bad-6"),
        &body,
        "zh-CN",
    )
    .await;
    let v = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert_eq!(v["error"]["fields"]["shipped_at"], "发货时间早于付款时间");
    // A refused push kept nothing, its key included: fixed, it lands under the same key.
    let body = order_body(&app, Duration::hours(3));
    let r = send(
        &app,
        put.clone(),
        &path,
        Some(&key),
        Some("bad-6"),
        &body,
        "zh-CN",
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

async fn pushed_shipping_feeds_the_shipping_monitor(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = service_key(&app, "shop-system", &["orders:write"]).await;
    // shop-a promises to ship within 48 hours. Paid five days ago: one never shipped, one
    // shipped after 72 hours, one after 20 — pushed as they happen, the way imports report them.
    let late = "202612010000000011";
    let never = "202612010000000012";
    let on_time = "202612010000000013";
    for (i, no) in [late, never, on_time].into_iter().enumerate() {
        let r = put_order(
            &app,
            &key,
            &format!("paid-{i}"),
            no,
            &order_body(&app, Duration::days(5)),
        )
        .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let paid = app.now() - Duration::days(5);
    for (no, after) in [(late, Duration::hours(72)), (on_time, Duration::hours(20))] {
        let mut body = order_body(&app, Duration::days(5));
        body["paid_at"] = json!(paid.to_rfc3339());
        body["shipped_at"] = json!((paid + after).to_rfc3339());
        let r = put_order(&app, &key, &format!("shipped-{no}"), no, &body).await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    app.fire().await;
    app.fire().await;
    let shop_a = ShopId::parse("shop-a").unwrap();
    let found: Vec<String> = app
        .store
        .shop_events(Some(&STAFF), &shop_a)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "violation_recorded" && e.data["kind"] == "late_shipment")
        .map(|e| e.data["order_no"].as_str().unwrap().to_owned())
        .collect();
    let mut found = found;
    found.sort();
    assert_eq!(
        found,
        [late, never],
        "the late and the unshipped, once each"
    );

    // Delivery pushed starts the 7-day return clock: a return refused within it breaks the
    // shop's promise, as for an imported order.
    let delivered = "202612010000000014";
    let mut body = order_body(&app, Duration::days(4));
    let paid = app.now() - Duration::days(4);
    body["paid_at"] = json!(paid.to_rfc3339());
    let r = put_order(&app, &key, "d-1", delivered, &body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    body["shipped_at"] = json!((paid + Duration::hours(10)).to_rfc3339());
    body["delivered_at"] = json!((paid + Duration::days(1)).to_rfc3339());
    let r = put_order(&app, &key, "d-2", delivered, &body).await;
    assert_eq!(r.status(), StatusCode::OK);
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let mut complaint = complaint_body(delivered, json!({"kind": "return"}));
    complaint["category"] = json!("return_refused");
    complaint["product"] = json!("陶瓷马克杯 350ml");
    complaint["description"] = json!("杯子未拆封，申请七天无理由退货，商家拒绝且不给理由。");
    let id = json_of(app.file(&buyer, complaint).await, StatusCode::CREATED).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(
        &seller,
        id,
        json!({"action": "reject", "message": "不支持退货"}),
    )
    .await;
    let broken = app
        .store
        .shop_events(Some(&STAFF), &shop_a)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "violation_recorded" && e.data["kind"] == "return_refused")
        .count();
    assert_eq!(broken, 1);
}

both_backends!(
    order_push_is_idempotent,
    malformed_orders_name_the_field,
    pushed_shipping_feeds_the_shipping_monitor
);
