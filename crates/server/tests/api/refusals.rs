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

/// Filings that arrive together are filed together (one transaction on either backend), and
/// each is still answered on its own: a refused one refuses no other, two for one order make
/// one complaint and name it to the other, and every answer is the complaint of its own order.
async fn filings_together_are_answered_each_alone(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let other = app.login("buyer02").await;
    let claim = || json!({"kind": "exchange"});
    let asks = [
        (&buyer, order("A1")),
        (&buyer, order("A1")),
        (&buyer, order("A2")),
        (&buyer, "999999999999999999".to_owned()),
        (&other, order("A3")),
        (&other, order("A6")),
        (&buyer, order("A4")),
        (&buyer, order("B1")),
    ];
    let answers = futures::future::join_all(
        asks.iter()
            .map(|(token, no)| app.file(token, complaint_body(no, claim()))),
    )
    .await;
    let mut created = vec![];
    let mut refused = vec![];
    for ((token, no), r) in asks.iter().zip(answers) {
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        if status == StatusCode::CREATED {
            assert_eq!(v["order_no"], no.as_str(), "{v}");
            created.push((no.clone(), v["id"].as_i64().unwrap(), *token));
        } else {
            refused.push((no.clone(), status, v["error"].clone()));
        }
    }
    let mut filed: Vec<&str> = created.iter().map(|(no, _, _)| no.as_str()).collect();
    filed.sort_unstable();
    let mut want = vec![
        order("A1"),
        order("A2"),
        order("A6"),
        order("A4"),
        order("B1"),
    ];
    want.sort_unstable();
    assert_eq!(filed, want);
    assert_eq!(refused.len(), 3, "{refused:?}");
    let a1 = created
        .iter()
        .find(|(no, _, _)| *no == order("A1"))
        .unwrap()
        .1;
    for (no, status, error) in &refused {
        if *no == order("A1") {
            assert_eq!(*status, StatusCode::CONFLICT);
            assert_eq!(error["code"], "duplicate_complaint");
            assert!(
                error["message"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("#{a1}")),
                "{error}"
            );
        } else {
            // Someone else's order looks like no order at all, as a missing one does.
            assert_eq!(*status, StatusCode::NOT_FOUND, "{no}: {error}");
        }
    }
    // Each complaint starts its own chain with its filing.
    for (_, id, token) in &created {
        let events: Vec<Value> = app
            .get(token, &format!("/api/v1/complaints/{id}/events"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(events[0]["kind"], "filed", "{events:?}");
    }
}

both_backends!(
    filings_together_are_answered_each_alone,
    only_own_orders_and_complaints,
    other_merchants_shop_is_invisible,
    wrong_roles_are_forbidden,
    actions_out_of_turn_conflict,
    bad_fields_are_named
);
