//! Deadlines fire by themselves, once.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use weiquan_domain::Policy;

use crate::both_backends;
use crate::helpers::*;

async fn wait_for_state(app: &TestApp, token: &str, id: i64, state: &str) -> Value {
    for _ in 0..200 {
        let c: Value = app
            .get(token, &format!("/api/v1/complaints/{id}"))
            .await
            .json()
            .await
            .unwrap();
        if c["state"] == state {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("complaint {id} never reached {state}");
}

async fn merchant_silence_resolves_refunds_and_escalates_the_rest(backend: Backend) {
    let policy = Policy::from_toml("[deadlines]\nmerchant_reply = \"1s\"\n").unwrap();
    let app = spawn_with(backend, policy, 1 << 20).await;
    let buyer = app.login("buyer01").await;
    let refund = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    let exchange = app.file_ok(&buyer, "A2", json!({"kind": "exchange"})).await;

    let c = wait_for_state(&app, &buyer, refund, "resolved").await;
    assert_eq!(c["progress"]["resolution"]["by"], "merchant_silent");
    assert_eq!(c["progress"]["resolution"]["remedy"]["amount_cents"], 8900);
    let c = wait_for_state(&app, &buyer, exchange, "mediation").await;
    assert_eq!(c["tier"], "customer_service");

    // Each fired exactly once, by the system, and the merchant got a fault mark.
    tokio::time::sleep(Duration::from_millis(300)).await;
    for id in [refund, exchange] {
        let events: Vec<Value> = app
            .get(&buyer, &format!("/api/v1/complaints/{id}/events"))
            .await
            .json()
            .await
            .unwrap();
        let lapses: Vec<&Value> = events
            .iter()
            .filter(|e| e["kind"] == "merchant_reply_lapsed")
            .collect();
        assert_eq!(lapses.len(), 1);
        assert_eq!(lapses[0]["actor"], "system:timer");
    }
    let shop: Value = app
        .http
        .get(app.url("/api/v1/shops/shop-a"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shop["points"], 2, "one no-reply mark per lapsed complaint");

    // A merchant answering in time cancels the deadline.
    let seller = app.login("seller01").await;
    let answered = app
        .file_ok(&buyer, "A3", json!({"kind": "refund", "amount_cents": 100}))
        .await;
    let c = app
        .act_ok(&seller, answered, json!({"action": "accept"}))
        .await;
    assert_eq!(c["state"], "resolved");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let events: Vec<Value> = app
        .get(&buyer, &format!("/api/v1/complaints/{answered}/events"))
        .await
        .json()
        .await
        .unwrap();
    assert!(events.iter().all(|e| e["kind"] != "merchant_reply_lapsed"));
    assert_eq!(app.get(&buyer, "/healthz").await.status(), StatusCode::OK);
}

async fn unexecuted_ruling_is_paid_by_the_platform(backend: Backend) {
    let policy =
        Policy::from_toml("[deadlines]\nexecute_ruling = \"1s\"\nappeal_window = \"1s\"\n")
            .unwrap();
    let app = spawn_with(backend, policy, 1 << 20).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let id = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    app.act_ok(&seller, id, json!({"action": "accept"})).await;
    let c = wait_for_state(&app, &buyer, id, "closed").await;
    assert_eq!(c["progress"]["fulfilled_by"], "platform");
    let shop: Value = app
        .http
        .get(app.url("/api/v1/shops/shop-a"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        shop["points"], 6,
        "ruling_not_executed counts as a violation"
    );
}

both_backends!(
    merchant_silence_resolves_refunds_and_escalates_the_rest,
    unexecuted_ruling_is_paid_by_the_platform
);
