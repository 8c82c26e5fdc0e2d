//! The foundation's walk through every tier, and the hash chain it leaves.

use reqwest::StatusCode;
use serde_json::{Value, json};
use weiquan_domain::chain::{EventBody, GENESIS, event_hash};

use crate::both_backends;
use crate::helpers::*;

async fn complaint_walks_through_every_tier(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let other_seller = app.login("seller02").await;
    let agent = app.login("agent01").await;
    let guard = app.login("guard01").await;

    let r = app
        .file(
            &buyer,
            complaint_body(
                &order("A1"),
                json!({"kind": "refund", "amount_cents": 8900}),
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let c: Value = r.json().await.unwrap();
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["state"], "awaiting_merchant");
    assert_eq!(c["tier"], "negotiation");
    assert_eq!(c["next_actor"], "merchant");
    assert_eq!(c["channel"], "api");
    assert!(c["deadline_at"].is_string());

    // Skipping the merchant's turn is refused, in the caller's language.
    let r = app.act(&buyer, id, json!({"action": "escalate"})).await;
    let v = assert_error(r, StatusCode::CONFLICT, "tier_order").await;
    assert!(
        v["error"]["message"].as_str().unwrap().contains("商家"),
        "{v}"
    );
    let r = app
        .http
        .post(app.url(&format!("/api/v1/complaints/{id}/actions")))
        .bearer_auth(&buyer)
        .header("Accept-Language", "en-US,en;q=0.9")
        .json(&json!({"action": "escalate"}))
        .send()
        .await
        .unwrap();
    let v = assert_error(r, StatusCode::CONFLICT, "tier_order").await;
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("merchant must answer first"),
        "{v}"
    );

    // The shop's merchant sees it; another merchant does not.
    assert_eq!(
        app.get(&seller, &format!("/api/v1/complaints/{id}"))
            .await
            .status(),
        StatusCode::OK
    );
    let list: Value = app
        .get(&seller, "/api/v1/complaints")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id)
    );
    assert_eq!(
        app.get(&other_seller, &format!("/api/v1/complaints/{id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let list: Value = app
        .get(&other_seller, "/api/v1/complaints")
        .await
        .json()
        .await
        .unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());

    let c = app
        .act_ok(
            &seller,
            id,
            json!({"action": "reject", "message": "商品出厂检验合格，可能是使用不当造成"}),
        )
        .await;
    assert_eq!(c["state"], "awaiting_consumer");

    let c = app
        .act_ok(
            &buyer,
            id,
            json!({"action": "escalate", "reason": "商家拒绝处理"}),
        )
        .await;
    assert_eq!(c["state"], "mediation");
    assert_eq!(c["tier"], "customer_service");

    // Before an agent has proposed, protection review is not yet possible.
    assert_error(
        app.act(&buyer, id, json!({"action": "escalate"})).await,
        StatusCode::CONFLICT,
        "tier_order",
    )
    .await;

    let c = app.act_ok(&agent, id, json!({"action": "propose", "remedy": {"kind": "refund", "amount_cents": 4000}, "message": "建议商家退款40元"})).await;
    assert_eq!(c["state"], "mediation");
    assert_eq!(c["next_actor"], "consumer");

    let c = app
        .act_ok(
            &buyer,
            id,
            json!({"action": "escalate", "reason": "只退一半不合理"}),
        )
        .await;
    assert_eq!(c["state"], "protection_review");
    assert_eq!(c["tier"], "consumer_protection");

    let c = app.act_ok(&guard, id, json!({
        "action": "rule", "decision": "uphold", "remedy": {"kind": "refund", "amount_cents": 8900},
        "rule_refs": ["淘宝平台争议处理规则 第十七条"], "reason": "照片显示杯身裂缝，属质量问题",
    })).await;
    assert_eq!(c["state"], "resolved");
    assert_eq!(c["progress"]["resolution"]["decision"], "uphold");
    assert_eq!(c["next_actor"], "merchant");

    // The merchant carries it out, the consumer confirms: closed.
    app.act_ok(
        &seller,
        id,
        json!({"action": "fulfil", "note": "已退款 89 元"}),
    )
    .await;
    let c = app.act_ok(&buyer, id, json!({"action": "confirm"})).await;
    assert_eq!(c["state"], "closed");
    assert!(c["next_actor"].is_null());

    // The timeline is one unbroken hash chain.
    let events: Vec<Value> = app
        .get(&buyer, &format!("/api/v1/complaints/{id}/events"))
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "filed",
            "rejected",
            "escalated",
            "proposed",
            "escalated",
            "ruled",
            "fulfilled",
            "confirmed"
        ]
    );
    let mut prev = GENESIS.to_owned();
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["seq"], i as i64 + 1);
        assert_eq!(e["prev_hash"], prev.as_str());
        let at = chrono::DateTime::parse_from_rfc3339(e["at"].as_str().unwrap())
            .unwrap()
            .timestamp_millis();
        let h = event_hash(&EventBody {
            stream: e["stream"].as_str().unwrap(),
            seq: e["seq"].as_i64().unwrap(),
            at_ms: at,
            actor: e["actor"].as_str().unwrap(),
            kind: e["kind"].as_str().unwrap(),
            data: &e["data"],
            prev_hash: &prev,
        });
        assert_eq!(e["hash"], h.as_str());
        prev = h.to_string();
    }
    assert!(app.store.verify().await.unwrap().is_ok());
}

async fn consumer_accepts_a_merchant_proposal(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let id = app.file_ok(&buyer, "A2", json!({"kind": "exchange"})).await;
    let c = app.act_ok(&seller, id, json!({"action": "propose", "remedy": {"kind": "exchange"}, "message": "给您换一个新的"})).await;
    assert_eq!(c["state"], "awaiting_consumer");
    let c = app.act_ok(&buyer, id, json!({"action": "accept"})).await;
    assert_eq!(c["state"], "resolved");
    assert_eq!(c["progress"]["resolution"]["remedy"]["kind"], "exchange");
    assert_eq!(c["progress"]["resolution"]["by"], "consumer_accepted");
}

async fn appeal_once_to_another_specialist(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let guard = app.login("guard01").await;
    let guard2 = app.login("guard02").await;
    // A major complaint (counterfeit) goes straight to protection on escalation.
    let mut body = complaint_body(
        &order("A3"),
        json!({"kind": "refund", "amount_cents": 8900}),
    );
    body["category"] = json!("counterfeit");
    let r = app.file(&buyer, body).await;
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["major"], true);
    let id = c["id"].as_i64().unwrap();
    app.act_ok(
        &seller,
        id,
        json!({"action": "reject", "message": "我们卖的都是正品"}),
    )
    .await;
    let c = app.act_ok(&buyer, id, json!({"action": "escalate"})).await;
    assert_eq!(c["state"], "protection_review", "major skips mediation");
    app.act_ok(
        &guard,
        id,
        json!({"action": "request_evidence", "from": "merchant", "message": "请提供进货凭证"}),
    )
    .await;
    let rule = json!({"action": "rule", "decision": "reject", "rule_refs": ["正品保障服务规范"], "reason": "证据不足"});
    let c = app.act_ok(&guard, id, rule.clone()).await;
    assert!(c["progress"]["resolution"]["appeal_until"].is_string());
    let c = app
        .act_ok(
            &buyer,
            id,
            json!({"action": "appeal", "reason": "我有鉴定报告"}),
        )
        .await;
    assert_eq!(c["state"], "protection_review");
    // The specialist who ruled may not rule on the appeal.
    assert_error(
        app.act(&guard, id, rule.clone()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let c = app.act_ok(&guard2, id, json!({"action": "rule", "decision": "uphold", "remedy": {"kind": "compensation", "amount_cents": 35600},
        "rule_refs": ["正品保障服务规范", "消费者权益保护法 第五十五条"], "violation": {"kind": "counterfeit", "points": 12}})).await;
    assert_eq!(c["state"], "resolved");
    assert!(
        c["progress"]["resolution"]["appeal_until"].is_null(),
        "no second appeal"
    );
    assert_error(
        app.act(&seller, id, json!({"action": "appeal", "reason": "不服"}))
            .await,
        StatusCode::CONFLICT,
        "appeal_used",
    )
    .await;
    // The violation reached the shop's public standing.
    let shop: Value = app
        .http
        .get(app.url("/api/v1/shops/shop-a"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shop["points"], 12);
    assert!(shop.get("merchant_id").is_none());
}

async fn protection_takes_over_major_complaints_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let guard = app.login("guard01").await;
    let small = app
        .file_ok(&buyer, "A1", json!({"kind": "refund", "amount_cents": 100}))
        .await;
    assert_error(
        app.act(&guard, small, json!({"action": "take_over"})).await,
        StatusCode::CONFLICT,
        "not_major",
    )
    .await;
    let mut body = complaint_body(
        &order("A2"),
        json!({"kind": "compensation", "amount_cents": 600_000}),
    );
    body["category"] = json!("false_advertising");
    let big: Value = app.file(&buyer, body).await.json().await.unwrap();
    assert_eq!(big["major"], true, "claim above major.amount_cents");
    let c = app
        .act_ok(
            &guard,
            big["id"].as_i64().unwrap(),
            json!({"action": "take_over"}),
        )
        .await;
    assert_eq!(c["state"], "protection_review");
}

async fn forward_opens_and_joins_a_case(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let agent = app.login("agent01").await;
    let regulator = app.login("regulator01").await;
    let a = app.file_ok(&buyer, "A1", json!({"kind": "exchange"})).await;
    let b = app.file_ok(&buyer, "A2", json!({"kind": "exchange"})).await;
    for id in [a, b] {
        let c = app
            .act_ok(
                &agent,
                id,
                json!({"action": "forward", "reason": "疑似批量售假"}),
            )
            .await;
        assert_eq!(c["state"], "awaiting_merchant", "forward leaves the state");
    }
    let cases: Value = app
        .get(&regulator, "/api/v1/cases")
        .await
        .json()
        .await
        .unwrap();
    let items = cases["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "both joined one case: {cases}");
    assert_eq!(items[0]["shop_id"], "shop-a");
    assert_eq!(items[0]["members"], json!([a, b]));
    let case_id = items[0]["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&regulator, &format!("/api/v1/cases/{case_id}"))
            .await
            .status(),
        StatusCode::OK
    );
    assert_error(
        app.get(&buyer, "/api/v1/cases").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

async fn withdraw_and_messages(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let id = app.file_ok(&buyer, "A4", json!({"kind": "exchange"})).await;
    let r = app
        .post(
            &seller,
            &format!("/api/v1/complaints/{id}/messages"),
            json!({"body": "您好，请提供照片"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let msgs: Value = app
        .get(&buyer, &format!("/api/v1/complaints/{id}/messages"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(msgs[0]["body"], "您好，请提供照片");
    assert_eq!(msgs[0]["author_role"], "merchant");
    let c = app
        .act_ok(
            &buyer,
            id,
            json!({"action": "withdraw", "reason": "已和商家私下解决"}),
        )
        .await;
    assert_eq!(c["state"], "withdrawn");
    let r = app
        .post(
            &buyer,
            &format!("/api/v1/complaints/{id}/messages"),
            json!({"body": "再补充一点"}),
        )
        .await;
    assert_error(r, StatusCode::CONFLICT, "invalid_state").await;
    // A withdrawn complaint frees the order for a new one.
    app.file_ok(&buyer, "A4", json!({"kind": "exchange"})).await;
}

async fn agent_files_a_phone_complaint_for_a_consumer(backend: Backend) {
    let app = spawn_app(backend).await;
    let agent = app.login("agent01").await;
    let buyer = app.login("buyer02").await;
    let mut body = complaint_body(&order("A6"), json!({"kind": "exchange"}));
    body["on_behalf_of"] = json!("buyer02");
    let r = app.file(&agent, body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["channel"], "phone");
    let mine: Value = app
        .get(&buyer, "/api/v1/complaints")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["items"][0]["id"], c["id"]);
}

both_backends!(
    complaint_walks_through_every_tier,
    consumer_accepts_a_merchant_proposal,
    appeal_once_to_another_specialist,
    protection_takes_over_major_complaints_only,
    forward_opens_and_joins_a_case,
    withdraw_and_messages,
    agent_files_a_phone_complaint_for_a_consumer
);
