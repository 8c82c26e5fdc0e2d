//! Deadlines fire when the clock passes them, once, and not when an answer came in time. The
//! clock is the test's: it moves past a deadline and one round of the deadline loop fires it.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use weiquan_domain::TimerKind;

use crate::both_backends;
use crate::helpers::*;

async fn complaint(app: &TestApp, token: &str, id: i64) -> Value {
    json_of(
        app.get(token, &format!("/api/v1/complaints/{id}")).await,
        StatusCode::OK,
    )
    .await
}

/// The complaint's events of one kind.
async fn events_of(app: &TestApp, token: &str, id: i64, kind: &str) -> Vec<Value> {
    let events: Vec<Value> = json_of(
        app.get(token, &format!("/api/v1/complaints/{id}/events"))
            .await,
        StatusCode::OK,
    )
    .await
    .as_array()
    .unwrap()
    .clone();
    events.into_iter().filter(|e| e["kind"] == kind).collect()
}

async fn shop_points(app: &TestApp, shop: &str) -> i64 {
    let shop: Value = json_of(
        app.http
            .get(app.url(&format!("/api/v1/shops/{shop}")))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    shop["points"].as_i64().unwrap()
}

/// The policy's deadline of a kind.
fn deadline(app: &TestApp, kind: TimerKind) -> Duration {
    let policy = app.store.policy();
    assert!(
        matches!(
            kind,
            TimerKind::MerchantReply | TimerKind::EvidenceTurn | TimerKind::ExecuteRuling
        ),
        "no test uses {kind:?}"
    );
    // The tests' policy counts elapsed time, so the span is the same from any instant.
    let t0 = chrono::DateTime::UNIX_EPOCH;
    policy.due(kind, t0) - t0
}

async fn merchant_silence_resolves_refunds_and_escalates_the_rest(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let refund = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    let exchange = app.file_ok(&buyer, "A2", json!({"kind": "exchange"})).await;
    // A merchant answering in time cancels the deadline.
    let answered = app
        .file_ok(&buyer, "A3", json!({"kind": "refund", "amount_cents": 100}))
        .await;
    let c = app
        .act_ok(
            &seller,
            answered,
            json!({"action": "reject", "message": "已发货，请查看物流"}),
        )
        .await;
    assert_eq!(c["state"], "awaiting_consumer");

    // A second before the deadline nothing fires.
    let reply = deadline(&app, TimerKind::MerchantReply);
    app.advance(reply - Duration::seconds(1));
    app.fire().await;
    for id in [refund, exchange] {
        assert_eq!(
            complaint(&app, &buyer, id).await["state"],
            "awaiting_merchant"
        );
    }

    // Past it, both lapse in one round.
    app.advance(Duration::seconds(2));
    assert_eq!(app.fire().await, 2, "the two unanswered deadlines were due");
    let c = complaint(&app, &buyer, refund).await;
    assert_eq!(c["state"], "resolved");
    assert_eq!(c["progress"]["resolution"]["by"], "merchant_silent");
    assert_eq!(c["progress"]["resolution"]["remedy"]["amount_cents"], 8900);
    let c = complaint(&app, &buyer, exchange).await;
    assert_eq!(c["state"], "mediation");
    assert_eq!(c["tier"], "customer_service");
    assert_eq!(
        shop_points(&app, "shop-a").await,
        2,
        "one no-reply mark each"
    );

    // Later rounds find nothing more: each fired exactly once, by the system.
    app.advance(Duration::minutes(1));
    assert_eq!(app.fire().await, 0);
    for id in [refund, exchange] {
        let lapses = events_of(&app, &buyer, id, "merchant_reply_lapsed").await;
        assert_eq!(lapses.len(), 1, "{lapses:?}");
        assert_eq!(lapses[0]["actor"], "system:timer");
    }
    assert_eq!(shop_points(&app, "shop-a").await, 2);
    assert!(
        events_of(&app, &buyer, answered, "merchant_reply_lapsed")
            .await
            .is_empty()
    );
}

/// Brings a complaint on `order_tag` to protection review and asks the consumer for evidence.
async fn evidence_requested(app: &TestApp, order_tag: &str) -> i64 {
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let agent = app.login("agent01").await;
    let guard = app.login("guard01").await;
    let id = app
        .file_ok(
            &buyer,
            order_tag,
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    app.act_ok(
        &seller,
        id,
        json!({"action": "reject", "message": "使用不当造成"}),
    )
    .await;
    app.act_ok(
        &buyer,
        id,
        json!({"action": "escalate", "reason": "商家拒绝处理"}),
    )
    .await;
    app.act_ok(&agent, id, json!({"action": "propose", "remedy": {"kind": "refund", "amount_cents": 4000}, "message": "建议退款40元"}))
        .await;
    let c = app
        .act_ok(
            &buyer,
            id,
            json!({"action": "escalate", "reason": "只退一半不合理"}),
        )
        .await;
    assert_eq!(c["state"], "protection_review");
    let c = app
        .act_ok(
            &guard,
            id,
            json!({"action": "request_evidence", "from": "consumer", "message": "请提供裂缝的照片"}),
        )
        .await;
    assert_eq!(c["progress"]["evidence_requested_from"], "consumer", "{c}");
    id
}

async fn an_unanswered_evidence_request_lapses_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let guard = app.login("guard01").await;
    let silent = evidence_requested(&app, "A1").await;
    // Ruled before the turn ends: the turn's deadline goes with the state it belonged to.
    let ruled = evidence_requested(&app, "A2").await;
    app.act_ok(
        &guard,
        ruled,
        json!({
            "action": "rule", "decision": "reject", "rule_refs": ["淘宝平台争议处理规则 第十七条"],
            "reason": "未见质量问题的证据",
        }),
    )
    .await;

    let turn = deadline(&app, TimerKind::EvidenceTurn);
    app.advance(turn - Duration::seconds(1));
    app.fire().await;
    assert!(
        events_of(&app, &buyer, silent, "evidence_turn_lapsed")
            .await
            .is_empty()
    );
    app.advance(Duration::seconds(2));
    app.fire().await;
    let c = complaint(&app, &buyer, silent).await;
    assert_eq!(
        c["state"], "protection_review",
        "the specialist still rules"
    );
    assert!(c["progress"]["evidence_requested_from"].is_null(), "{c}");
    app.advance(Duration::minutes(1));
    app.fire().await;
    let lapses = events_of(&app, &buyer, silent, "evidence_turn_lapsed").await;
    assert_eq!(lapses.len(), 1, "{lapses:?}");
    assert_eq!(lapses[0]["data"]["party"], "consumer");
    assert_eq!(lapses[0]["actor"], "system:timer");
    assert!(
        events_of(&app, &buyer, ruled, "evidence_turn_lapsed")
            .await
            .is_empty()
    );
}

/// The party asked says its evidence is in: the turn ends there, and its deadline with it.
async fn submitted_evidence_ends_the_turn(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let id = evidence_requested(&app, "A1").await;
    // Only the party asked, and only while asked.
    assert_error(
        app.act(&seller, id, json!({"action": "submit_evidence"}))
            .await,
        StatusCode::CONFLICT,
        "invalid_state",
    )
    .await;
    let c = app
        .act_ok(&buyer, id, json!({"action": "submit_evidence"}))
        .await;
    assert_eq!(c["state"], "protection_review");
    assert!(c["progress"]["evidence_requested_from"].is_null(), "{c}");
    let done = events_of(&app, &buyer, id, "evidence_submitted").await;
    assert_eq!(done.len(), 1);
    assert_eq!(done[0]["data"]["party"], "consumer");
    assert_error(
        app.act(&buyer, id, json!({"action": "submit_evidence"}))
            .await,
        StatusCode::CONFLICT,
        "invalid_state",
    )
    .await;
    app.advance(deadline(&app, TimerKind::EvidenceTurn) + Duration::minutes(1));
    app.fire().await;
    assert!(
        events_of(&app, &buyer, id, "evidence_turn_lapsed")
            .await
            .is_empty(),
        "the turn's deadline went with it"
    );
}

async fn unexecuted_ruling_is_paid_by_the_platform(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let unpaid = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    app.act_ok(&seller, unpaid, json!({"action": "accept"}))
        .await;
    // Carried out in time: the deadline closes it without the platform.
    let paid = app
        .file_ok(&buyer, "A2", json!({"kind": "refund", "amount_cents": 100}))
        .await;
    app.act_ok(&seller, paid, json!({"action": "accept"})).await;
    app.act_ok(
        &seller,
        paid,
        json!({"action": "fulfil", "note": "已退款 1 元"}),
    )
    .await;

    let execute = deadline(&app, TimerKind::ExecuteRuling);
    app.advance(execute - Duration::seconds(1));
    app.fire().await;
    assert_eq!(complaint(&app, &buyer, unpaid).await["state"], "resolved");
    app.advance(Duration::seconds(2));
    app.fire().await;
    let c = complaint(&app, &buyer, unpaid).await;
    assert_eq!(c["state"], "closed");
    assert_eq!(c["progress"]["fulfilled_by"], "platform");
    let c = complaint(&app, &buyer, paid).await;
    assert_eq!(c["state"], "closed");
    assert_eq!(c["progress"]["fulfilled_by"], "merchant");
    assert_eq!(
        shop_points(&app, "shop-a").await,
        6,
        "ruling_not_executed counts as a violation, once"
    );
    app.advance(Duration::minutes(1));
    assert_eq!(app.fire().await, 0);
    for id in [unpaid, paid] {
        assert_eq!(
            events_of(&app, &buyer, id, "execute_ruling_lapsed")
                .await
                .len(),
            1
        );
    }
    assert_eq!(shop_points(&app, "shop-a").await, 6);
}

both_backends!(
    merchant_silence_resolves_refunds_and_escalates_the_rest,
    an_unanswered_evidence_request_lapses_once,
    submitted_evidence_ends_the_turn,
    unexecuted_ruling_is_paid_by_the_platform
);
