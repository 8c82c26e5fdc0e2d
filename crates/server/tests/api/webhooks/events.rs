//! Each change the marketplace hears of, from the one place it is persisted: a filing and a
//! ruling; an IP notice, its listing restored, a case and a penalty — never naming a reporter.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use super::{ALL_TYPES, dispatch, register};
use crate::both_backends;
use crate::helpers::*;
use crate::webhooks::receiver::Receiver;

async fn a_filing_and_a_ruling_tell_the_marketplace(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login("admin").await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let agent = app.login("agent01").await;
    let guard = app.login("guard01").await;
    let rx = Receiver::start().await;
    register(&app, &admin, &rx, ALL_TYPES).await;

    let id = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    app.act_ok(
        &seller,
        id,
        json!({"action": "reject", "message": "出厂检验合格"}),
    )
    .await;
    app.act_ok(
        &buyer,
        id,
        json!({"action": "escalate", "reason": "商家拒绝处理"}),
    )
    .await;
    app.act_ok(
        &agent,
        id,
        json!({"action": "propose", "remedy": {"kind": "refund", "amount_cents": 4000}}),
    )
    .await;
    app.act_ok(
        &buyer,
        id,
        json!({"action": "escalate", "reason": "只退一半不合理"}),
    )
    .await;
    let c = app.act_ok(&guard, id, json!({
        "action": "rule", "decision": "uphold", "remedy": {"kind": "return", "amount_cents": 8900},
        "rule_refs": ["淘宝平台争议处理规则 第十七条"], "reason": "照片显示杯身裂缝",
    })).await;
    assert_eq!(c["state"], "resolved");
    while dispatch(&app).await > 0 {}

    let filed = rx.of_type("complaint.filed");
    assert_eq!(filed.len(), 1);
    assert_eq!(filed[0].body["data"]["claim"]["amount_cents"], 8900);
    let changes = rx.of_type("complaint.state_changed");
    let states: Vec<&str> = changes
        .iter()
        .map(|g| g.body["data"]["state"].as_str().unwrap())
        .collect();
    for s in [
        "awaiting_consumer",
        "mediation",
        "protection_review",
        "resolved",
    ] {
        assert!(states.contains(&s), "{states:?}");
    }
    let resolved = changes
        .iter()
        .find(|g| g.body["data"]["state"] == "resolved")
        .unwrap();
    assert_eq!(resolved.body["data"]["tier"], "consumer_protection");
    assert_eq!(resolved.body["data"]["complaint_id"], id);
    let due = rx.of_type("remedy.due");
    assert_eq!(due.len(), 1, "one remedy, named by its complaint");
    let d = &due[0].body["data"];
    assert_eq!(d["complaint_id"], id);
    assert_eq!(d["payer"], "merchant");
    assert_eq!(d["remedy"]["kind"], "return");
    assert_eq!(d["remedy"]["amount_cents"], 8900);
    assert_eq!(d["remedy"]["take_back_goods"], true);
    // Every message different, every one signed.
    let mut ids: Vec<String> = rx.got().iter().map(|g| g.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), rx.got().len());
    assert!(rx.got().iter().all(|g| g.verified_with.len() == 1));
}

async fn regulation_tells_the_marketplace_without_naming_the_reporter(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login("admin").await;
    let holder = app.login("buyer02").await;
    let seller = app.login("seller01").await;
    let regulator = app.login("regulator01").await;
    let rx = Receiver::start().await;
    register(&app, &admin, &rx, ALL_TYPES).await;
    let holder_id =
        json_of(app.get(&holder, "/api/v1/me").await, StatusCode::OK).await["id"].clone();

    // An IP notice: the listing goes down, a case opens.
    let r = json_of(
        app.post(&holder, "/api/v1/reports", json!({"shop_id": "shop-a", "kind": "ip_infringement",
            "listing": "青山牌保温杯 500ml", "description": "该商品使用了我方注册商标图案，未经授权销售。"})).await,
        StatusCode::CREATED,
    )
    .await;
    let report = r["id"].as_i64().unwrap();
    let case = r["case_id"].as_i64().unwrap();
    json_of(
        app.post(
            &seller,
            &format!("/api/v1/reports/{report}/actions"),
            json!({"action": "counter_notice", "message": "该图案为本店原创设计，不构成侵权。"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    app.advance(Duration::days(16));
    app.fire().await;
    // The case sanctioned with enough points to limit the shop's traffic.
    json_of(
        app.post(&regulator, &format!("/api/v1/cases/{case}/actions"),
            json!({"action": "sanction", "reasons": "经核查侵权属实，证据充分", "rule_refs": ["淘宝规则 知识产权"], "points": 12})).await,
        StatusCode::OK,
    )
    .await;
    while dispatch(&app).await > 0 {}

    let down = rx.of_type("listing.taken_down");
    assert_eq!(down.len(), 1);
    assert_eq!(down[0].body["data"]["listing"], "青山牌保温杯 500ml");
    assert_eq!(down[0].body["data"]["shop_id"], "shop-a");
    let restored = rx.of_type("listing.restored");
    assert_eq!(restored.len(), 1);
    assert_eq!(restored[0].body["data"]["report_id"], report);
    let opened = rx.of_type("case.opened");
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].body["data"]["case_id"], case);
    assert_eq!(opened[0].body["data"]["kind"], "ip");
    let standing = rx.of_type("shop.standing_changed");
    assert_eq!(standing.len(), 1, "one change of standing");
    assert_eq!(standing[0].body["data"]["search_weight"], 0.5);
    assert_eq!(standing[0].body["data"]["status"], "restricted");
    // Nothing names the rights holder.
    for g in rx.got() {
        let text = g.body.to_string();
        assert!(
            !text.contains("buyer02") && !text.contains("reporter"),
            "{text}"
        );
        assert!(g.body["data"].get("reporter_id").is_none());
        assert_ne!(g.body["data"].get("consumer_id"), Some(&holder_id));
    }
}

both_backends!(
    a_filing_and_a_ruling_tell_the_marketplace,
    regulation_tells_the_marketplace_without_naming_the_reporter,
);
