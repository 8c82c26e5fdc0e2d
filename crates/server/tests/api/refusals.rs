//! Every refusal: wrong role, someone else's order, complaint or shop, skipping a tier, bad fields.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::*;

async fn only_own_orders_and_complaints(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let other = app.login("buyer02").await;
    // buyer02 cannot complain about buyer01's order: it looks like no order at all.
    let r = app
        .file(
            &other,
            complaint_body(&order("A1"), json!({"kind": "exchange"})),
        )
        .await;
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let r = app
        .file(
            &buyer,
            complaint_body("999999999999999999", json!({"kind": "exchange"})),
        )
        .await;
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;

    let id = app.file_ok(&buyer, "A1", json!({"kind": "exchange"})).await;
    assert_error(
        app.get(&other, &format!("/api/v1/complaints/{id}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        app.get(&other, &format!("/api/v1/complaints/{id}/events"))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        app.act(&other, id, json!({"action": "withdraw"})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let r = app
        .post(
            &other,
            &format!("/api/v1/complaints/{id}/messages"),
            json!({"body": "hi"}),
        )
        .await;
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let list: Value = app
        .get(&other, "/api/v1/complaints")
        .await
        .json()
        .await
        .unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
    // Orders: only one's own.
    let orders: Value = app
        .get(&other, "/api/v1/orders")
        .await
        .json()
        .await
        .unwrap();
    let nos: Vec<&str> = orders["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["order_no"].as_str().unwrap())
        .collect();
    assert_eq!(nos, [order("A6")]);
    // A second complaint on the same order while the first is open.
    let r = app
        .file(
            &buyer,
            complaint_body(&order("A1"), json!({"kind": "exchange"})),
        )
        .await;
    assert_error(r, StatusCode::CONFLICT, "duplicate_complaint").await;
}

async fn other_merchants_shop_is_invisible(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller2 = app.login("seller02").await;
    let id = app.file_ok(&buyer, "A1", json!({"kind": "exchange"})).await;
    assert_error(
        app.act(
            &seller2,
            id,
            json!({"action": "reject", "message": "不是我们的"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let orders: Value = app
        .get(&seller2, "/api/v1/orders")
        .await
        .json()
        .await
        .unwrap();
    let nos: Vec<&str> = orders["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["order_no"].as_str().unwrap())
        .collect();
    assert_eq!(
        nos,
        [order("B1")],
        "a merchant sees its own shops' orders only"
    );
}

async fn wrong_roles_are_forbidden(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let agent = app.login("agent01").await;
    let regulator = app.login("regulator01").await;
    let id = app.file_ok(&buyer, "A1", json!({"kind": "exchange"})).await;
    for (token, body) in [
        (&seller, json!({"action": "escalate"})),
        (&buyer, json!({"action": "reject", "message": "no way"})),
        (
            &buyer,
            json!({"action": "rule", "decision": "reject", "rule_refs": ["x"]}),
        ),
        (&agent, json!({"action": "accept"})),
        (
            &regulator,
            json!({"action": "propose", "remedy": {"kind": "exchange"}}),
        ),
        (&buyer, json!({"action": "forward", "reason": "刷单嫌疑"})),
        (&seller, json!({"action": "take_over"})),
        (&agent, json!({"action": "withdraw"})),
    ] {
        let r = app.act(token, id, body.clone()).await;
        assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    }
    // Merchants and regulators do not file personal complaints.
    assert_error(
        app.file(
            &seller,
            complaint_body(&order("A2"), json!({"kind": "exchange"})),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // A consumer cannot file "on behalf of" someone.
    let mut body = complaint_body(&order("A2"), json!({"kind": "exchange"}));
    body["on_behalf_of"] = json!("buyer02");
    assert_error(
        app.file(&buyer, body).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

async fn actions_out_of_turn_conflict(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let guard = app.login("guard01").await;
    let id = app.file_ok(&buyer, "A1", json!({"kind": "exchange"})).await;
    assert_error(
        app.act(&buyer, id, json!({"action": "accept"})).await,
        StatusCode::CONFLICT,
        "invalid_state",
    )
    .await;
    assert_error(
        app.act(&buyer, id, json!({"action": "confirm"})).await,
        StatusCode::CONFLICT,
        "invalid_state",
    )
    .await;
    assert_error(
        app.act(
            &guard,
            id,
            json!({"action": "rule", "decision": "reject", "rule_refs": ["x"]}),
        )
        .await,
        StatusCode::CONFLICT,
        "invalid_state",
    )
    .await;
    assert_error(
        app.act(&seller, id, json!({"action": "fulfil"})).await,
        StatusCode::CONFLICT,
        "invalid_state",
    )
    .await;
    app.act_ok(
        &seller,
        id,
        json!({"action": "reject", "message": "不同意"}),
    )
    .await;
    assert_error(
        app.act(
            &seller,
            id,
            json!({"action": "reject", "message": "再拒绝"}),
        )
        .await,
        StatusCode::CONFLICT,
        "invalid_state",
    )
    .await;
    assert_error(
        app.act(&buyer, id, json!({"action": "appeal", "reason": "不服"}))
            .await,
        StatusCode::CONFLICT,
        "invalid_state",
    )
    .await;
}

async fn bad_fields_are_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let r = app
        .file(
            &buyer,
            json!({
                "order_no": "12345", "product": "", "category": "bad", "incident_at": "yesterday",
                "description": "太差", "claim": {"kind": "money"},
            }),
        )
        .await;
    let v = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    for f in [
        "order_no",
        "product",
        "category",
        "incident_at",
        "description",
        "claim.kind",
    ] {
        assert!(v["error"]["fields"][f].is_string(), "{f} not named: {v}");
    }
    let r = app.file(&buyer, json!({})).await;
    let v = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(v["error"]["fields"]["claim"].is_string());

    let mut body = complaint_body(
        &order("A1"),
        json!({"kind": "refund", "amount_cents": 999_999}),
    );
    let v = assert_error(
        app.file(&buyer, body.clone()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(
        v["error"]["fields"]["claim.amount_cents"].is_string(),
        "refund above the amount paid: {v}"
    );
    body["claim"] = json!({"kind": "refund"});
    assert_error(
        app.file(&buyer, body.clone()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    body["claim"] = json!({"kind": "exchange"});
    body["incident_at"] = json!((chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339());
    assert_error(
        app.file(&buyer, body.clone()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    // Brushing reports go to tier 3 as reports, not as personal complaints.
    let mut body = complaint_body(&order("A1"), json!({"kind": "other"}));
    body["category"] = json!("fake_transactions");
    let v = assert_error(
        app.file(&buyer, body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(
        v["error"]["fields"]["category"]
            .as_str()
            .unwrap()
            .contains("举报")
    );

    let id = app.file_ok(&buyer, "A1", json!({"kind": "exchange"})).await;
    let v = assert_error(
        app.act(&buyer, id, json!({"action": "dance"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(v["error"]["fields"]["action"].is_string());
    let seller = app.login("seller01").await;
    let v = assert_error(
        app.act(
            &seller,
            id,
            json!({"action": "propose", "remedy": {"kind": "refund"}}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(v["error"]["fields"]["remedy.amount_cents"].is_string());
    let v = assert_error(
        app.act(&seller, id, json!({"action": "reject"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(v["error"]["fields"]["message"].is_string());
    // Nothing was lost by the refusals.
    let c: Value = app
        .get(&buyer, &format!("/api/v1/complaints/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(c["state"], "awaiting_merchant");
}

both_backends!(
    only_own_orders_and_complaints,
    other_merchants_shop_is_invisible,
    wrong_roles_are_forbidden,
    actions_out_of_turn_conflict,
    bad_fields_are_named
);
