//! The payment system's word on a remedy: executed is the merchant's `fulfil`; failed is an
//! event staff see, and the remedy stays due.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::*;

async fn remedy(
    app: &TestApp,
    key: &str,
    idem: &str,
    id: i64,
    outcome: &str,
    body: Value,
    lang: &str,
) -> reqwest::Response {
    let path = format!("/api/v1/marketplace/remedies/{id}/{outcome}");
    send(app, Method::POST, &path, Some(key), Some(idem), &body, lang).await
}

/// A complaint of buyer01 on `order_tag`, resolved by the merchant granting a ¥89 refund.
async fn refund_due(app: &TestApp, order_tag: &str) -> i64 {
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let id = app
        .file_ok(
            &buyer,
            order_tag,
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    let c = app.act_ok(&seller, id, json!({"action": "accept"})).await;
    assert_eq!(c["state"], "resolved");
    id
}

/// A complaint and its events with what differs by construction (ids, order, the test's
/// incident time, the note, the actor) left out.
async fn shape(app: &TestApp, token: &str, id: i64) -> (Value, Vec<(Value, Value)>) {
    let mut c = json_of(
        app.get(token, &format!("/api/v1/complaints/{id}")).await,
        StatusCode::OK,
    )
    .await;
    // The test files with its own wall-clock incident time; the rest is the store's.
    for k in ["id", "order_no", "incident_at"] {
        c.as_object_mut().unwrap().remove(k);
    }
    let events = json_of(
        app.get(token, &format!("/api/v1/complaints/{id}/events"))
            .await,
        StatusCode::OK,
    )
    .await;
    let events = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let mut data = e["data"].clone();
            if let Some(d) = data.as_object_mut() {
                for k in ["order_snapshot_sha256", "order_no", "incident_at", "note"] {
                    d.remove(k);
                }
            }
            (e["kind"].clone(), data)
        })
        .collect();
    (c, events)
}

async fn remedy_executed_is_fulfil(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = service_key(&app, "pay-system", &["remedies:write"]).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let by_merchant = refund_due(&app, "A1").await;
    let by_payment = refund_due(&app, "A2").await;

    app.act_ok(
        &seller,
        by_merchant,
        json!({"action": "fulfil", "note": "支付宝退款 2026120100001"}),
    )
    .await;
    let r = remedy(
        &app,
        &key,
        "pay-1",
        by_payment,
        "executed",
        json!({"note": "支付宝退款 2026120100002"}),
        "zh-CN",
    )
    .await;
    let first = json_of(r, StatusCode::OK).await;
    assert_eq!(first["state"], "resolved");
    assert_eq!(first["progress"]["fulfilled_by"], "merchant");

    // The same state and the same events as the merchant's fulfil.
    let (a, ea) = shape(&app, &buyer, by_merchant).await;
    let (b, eb) = shape(&app, &buyer, by_payment).await;
    assert_eq!(a, b);
    assert_eq!(ea, eb);
    assert_eq!(ea.last().unwrap().0, "fulfilled");

    // A replay answers the first answer; a new request finds nothing due: 409.
    let r = remedy(
        &app,
        &key,
        "pay-1",
        by_payment,
        "executed",
        json!({"note": "支付宝退款 2026120100002"}),
        "zh-CN",
    )
    .await;
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    assert_eq!(json_of(r, StatusCode::OK).await, first);
    let r = remedy(&app, &key, "pay-2", by_payment, "executed", json!({}), "en").await;
    let v = assert_error(r, StatusCode::CONFLICT, "invalid_state").await;
    assert_eq!(
        v["error"]["message"],
        "there is no remedy left to carry out"
    );
    let r = remedy(
        &app,
        &key,
        "pay-3",
        by_payment,
        "failed",
        json!({"reason": "余额不足"}),
        "zh-CN",
    )
    .await;
    assert_error(r, StatusCode::CONFLICT, "invalid_state").await;
    // Not resolved yet, or no such complaint.
    let open = app
        .file_ok(
            &buyer,
            "A3",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    let r = remedy(&app, &key, "pay-4", open, "executed", json!({}), "zh-CN").await;
    assert_error(r, StatusCode::CONFLICT, "invalid_state").await;
    let r = remedy(&app, &key, "pay-5", 999_999, "executed", json!({}), "zh-CN").await;
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
    // A key without remedies:write, or none.
    let orders_key = service_key(&app, "shop-system", &["orders:write"]).await;
    let r = remedy(
        &app,
        &orders_key,
        "pay-6",
        open,
        "executed",
        json!({}),
        "en",
    )
    .await;
    let v = assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("remedies:write")
    );
    let path = format!("/api/v1/marketplace/remedies/{open}/executed");
    let r = send(
        &app,
        Method::POST,
        &path,
        None,
        Some("pay-7"),
        &json!({}),
        "en",
    )
    .await;
    assert_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let r = send(
        &app,
        Method::POST,
        &path,
        Some(&key),
        None,
        &json!({}),
        "en",
    )
    .await;
    assert_error(r, StatusCode::BAD_REQUEST, "idempotency_key_required").await;

    // And then the same life: the consumer confirms both, and the deadline pays nothing.
    for id in [by_merchant, by_payment] {
        let c = app.act_ok(&buyer, id, json!({"action": "confirm"})).await;
        assert_eq!(c["state"], "closed");
    }
    let (a, ea) = shape(&app, &buyer, by_merchant).await;
    let (b, eb) = shape(&app, &buyer, by_payment).await;
    assert_eq!((a, ea), (b, eb));
    app.advance(chrono::Duration::days(30));
    app.fire().await;
    let shop = app
        .store
        .shop_events(
            Some(&STAFF),
            &weiquan_domain::ShopId::parse("shop-a").unwrap(),
        )
        .await
        .unwrap();
    assert!(!shop.iter().any(|e| e.kind == "platform_payout"));
}

async fn remedy_failed_stays_due_for_staff(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = service_key(&app, "pay-system", &["remedies:write"]).await;
    let id = refund_due(&app, "A1").await;

    // The reason is required, named in the caller's language.
    for (lang, words) in [
        ("zh-CN", "至少需要1个字"),
        ("en", "needs at least 1 characters"),
    ] {
        let r = remedy(
            &app,
            &key,
            "fail-0",
            id,
            "failed",
            json!({"reason": " "}),
            lang,
        )
        .await;
        let v = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert_eq!(v["error"]["fields"]["reason"], words, "{v}");
    }
    let r = remedy(&app, &key, "fail-0", id, "failed", json!({}), "en").await;
    let v = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(v["error"]["fields"]["reason"].is_string(), "{v}");

    let reason = "收款账户已注销（银行返回 ACCOUNT_CLOSED）";
    let r = remedy(
        &app,
        &key,
        "fail-1",
        id,
        "failed",
        json!({"reason": reason}),
        "zh-CN",
    )
    .await;
    let c = json_of(r, StatusCode::OK).await;
    assert_eq!(c["state"], "resolved", "the remedy stays due");
    assert!(c["progress"]["fulfilled_by"].is_null());
    assert_eq!(c["progress"]["payment_failed"]["reason"], reason);

    // Staff see it on the chain; so do the parties (the consumer is the payee who may need to
    // fix the cause; docs/decisions.md).
    for who in ["agent01", "guard01", "buyer01", "seller01"] {
        let token = app.login(who).await;
        let events = json_of(
            app.get(&token, &format!("/api/v1/complaints/{id}/events"))
                .await,
            StatusCode::OK,
        )
        .await;
        let last = events.as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["kind"], "remedy_payment_failed", "{who}");
        assert_eq!(last["data"]["reason"], reason);
        assert!(last["actor"].as_str().unwrap().starts_with("service:"));
    }
    // Still the merchant's to carry out; the payment system may try again and succeed.
    let seller = app.login("seller01").await;
    let r = remedy(
        &app,
        &key,
        "fail-2",
        id,
        "executed",
        json!({"note": "重新打款成功"}),
        "zh-CN",
    )
    .await;
    let c = json_of(r, StatusCode::OK).await;
    assert_eq!(c["progress"]["fulfilled_by"], "merchant");
    assert!(c["progress"]["payment_failed"].is_null());
    let r = app.act(&seller, id, json!({"action": "fulfil"})).await;
    assert_error(r, StatusCode::CONFLICT, "invalid_state").await;
    app.store.verify().await.unwrap().expect("an intact audit");
}

both_backends!(remedy_executed_is_fulfil, remedy_failed_stays_due_for_staff);
