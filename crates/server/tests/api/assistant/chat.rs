//! `POST /api/v1/assistant/chat`: from a consumer's words to a filed complaint, the calmer rewrite,
//! reports, status and rules answers.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{reply, say};
use crate::both_backends;
use crate::helpers::*;

async fn files_a_leaking_cup(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;

    let v = say(&app, &buyer, None, "我买的杯子漏水").await;
    let sid = v["session_id"].as_str().unwrap().to_owned();
    assert_eq!(v["intent"], "quality_defect", "{v}");
    assert_eq!(v["tone"], "calm");
    assert_eq!(v["slots"]["product"], "304不锈钢保温杯 500ml", "{v}");
    // Several of buyer01's orders hold the cup: which one?
    assert!(
        reply(&v).contains("哪一笔订单") && reply(&v).contains(&order("A2")),
        "{v}"
    );
    assert!(v.get("draft").is_none_or(Value::is_null));

    let v = say(
        &app,
        &buyer,
        Some(&sid),
        &format!("订单号是{}", order("A2")),
    )
    .await;
    assert_eq!(v["slots"]["order_no"], order("A2"));
    // The short story with a clear category is complete: the date is asked next.
    assert!(reply(&v).contains("什么时候"), "{v}");
    let v = say(
        &app,
        &buyer,
        Some(&sid),
        "倒满热水以后杯底一直往外渗水，桌子都湿了",
    )
    .await;
    assert_eq!(v["awaiting"], "when", "{v}");
    let v = say(&app, &buyer, Some(&sid), "昨天").await;
    assert!(v["slots"]["incident_at"].is_string(), "{v}");
    assert!(reply(&v).contains("退款"), "asks the claim: {v}");
    // A refund with no sum is the amount paid, shown in the draft to change.
    let v = say(&app, &buyer, Some(&sid), "退款").await;
    assert!(reply(&v).contains("89.00"), "{v}");
    let draft = &v["draft"];
    assert_eq!(draft["type"], "complaint", "{v}");
    assert_eq!(draft["order_no"], order("A2"));
    assert_eq!(draft["category"], "quality_defect");
    assert_eq!(
        draft["claim"],
        json!({"kind": "refund", "amount_cents": 8900})
    );
    assert!(reply(&v).contains("确认提交吗"));
    assert!(
        v["complaint_id"].is_null(),
        "nothing filed before the consumer confirms"
    );

    let v = say(&app, &buyer, Some(&sid), "确认").await;
    let id = v["complaint_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("filed: {v}"));
    assert!(reply(&v).contains(&format!("#{id}")), "{v}");

    // The complaint is a real one, filed through the same path as the API.
    let c: Value = app
        .get(&buyer, &format!("/api/v1/complaints/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(c["channel"], "chat");
    assert_eq!(c["order_no"], order("A2"));
    assert_eq!(c["product"], "304不锈钢保温杯 500ml");
    assert_eq!(c["category"], "quality_defect");
    assert_eq!(c["claim"], json!({"kind": "refund", "amount_cents": 8900}));
    assert_eq!(c["state"], "awaiting_merchant");
    assert!(
        c["description"]
            .as_str()
            .unwrap()
            .contains("杯底一直往外渗水"),
        "{c}"
    );
    let at = chrono::DateTime::parse_from_rfc3339(c["incident_at"].as_str().unwrap()).unwrap();
    let ago = Utc::now() - at.with_timezone(&Utc);
    assert!(
        ago > Duration::hours(1) && ago < Duration::hours(49),
        "yesterday: {at}"
    );

    // The transcript is frozen as chat_log evidence, hashed like an upload.
    let ev: Value = app
        .get(&buyer, &format!("/api/v1/complaints/{id}/evidence"))
        .await
        .json()
        .await
        .unwrap();
    let ev = ev
        .as_array()
        .unwrap_or_else(|| ev["items"].as_array().unwrap());
    let log = ev
        .iter()
        .find(|e| e["kind"] == "chat_log")
        .unwrap_or_else(|| panic!("{ev:?}"));
    let sha = log["sha256"].as_str().unwrap();
    let r = app
        .get(&buyer, &format!("/api/v1/complaints/{id}/evidence/{sha}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    for said in [
        "我买的杯子漏水",
        "杯底一直往外渗水",
        "¥89.00",
        "确认",
        "哪一笔订单",
    ] {
        assert!(text.contains(said), "{said} in {text}");
    }
    assert_eq!(weiquan_domain::Sha256::of(text.as_bytes()).as_str(), sha);
    // The merchant sees the complaint and its transcript like any other.
    let seller = app.login("seller01").await;
    let r = app
        .get(&seller, &format!("/api/v1/complaints/{id}/evidence/{sha}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // The session carries both sides of every turn.
    let s: Value = app
        .get(&buyer, &format!("/api/v1/assistant/sessions/{sid}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["complaint_id"], id);
    assert_eq!(
        s["turns"].as_array().unwrap().len(),
        12,
        "six turns, both sides: {s}"
    );

    // And it is in the audit chain like every complaint.
    let events: Value = app
        .get(&buyer, &format!("/api/v1/complaints/{id}/events"))
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap_or_else(|| events["items"].as_array().unwrap())
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["filed", "evidence_added"]);
}

async fn heated_words_get_a_calmer_rewrite(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let v = say(
        &app,
        &buyer,
        None,
        "垃圾商家！！！保温杯用了两天就漏水，骗子，不给退就曝光你们！！！",
    )
    .await;
    let sid = v["session_id"].as_str().unwrap().to_owned();
    assert_eq!(v["tone"], "emotional", "{v}");
    let r = reply(&v);
    assert!(r.contains("平和"), "{r}");
    let calm = r
        .split('「')
        .nth(1)
        .and_then(|s| s.split('」').next())
        .unwrap_or_else(|| panic!("a rewrite: {r}"));
    assert!(
        !calm.contains("垃圾") && !calm.contains("骗子") && !calm.contains("！！！"),
        "{calm}"
    );
    assert!(
        calm.contains("漏水") && calm.contains("两天"),
        "the facts stay: {calm}"
    );

    // Used at once, the next question in the same reply: filing does not wait on it.
    assert_eq!(v["slots"]["description"], calm, "{v}");
    assert!(v["awaiting"].is_string(), "{v}");
    let v = say(&app, &buyer, Some(&sid), "保留原话").await;
    assert!(
        v["slots"]["description"]
            .as_str()
            .is_some_and(|d| d.contains("骗子")),
        "{v}"
    );

    // English is answered in English, with the same care.
    let v = say(
        &app,
        &buyer,
        None,
        "THIS IS A SCAM!!! the cup leaks and you idiots won't refund me!!!",
    )
    .await;
    assert_eq!(v["tone"], "emotional", "{v}");
    assert!(reply(&v).contains("calmer version"), "{v}");
}

async fn violations_become_reports(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let v = say(
        &app,
        &buyer,
        None,
        "我要举报shop-b 旗舰店刷单，他们让我刷好评返现，还寄空包裹冲销量",
    )
    .await;
    let sid = v["session_id"].as_str().unwrap().to_owned();
    assert_eq!(v["draft"]["type"], "report", "{v}");
    assert_eq!(v["draft"]["shop_id"], "shop-b");
    assert_eq!(v["draft"]["kind"], "fake_transactions");
    let v = say(&app, &buyer, Some(&sid), "确认").await;
    let id = v["report_id"].as_i64().unwrap_or_else(|| panic!("{v}"));
    assert!(v["complaint_id"].is_null());
    let r: Value = app
        .get(&buyer, &format!("/api/v1/reports/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["channel"], "chat", "{r}");
    assert_eq!(r["shop_id"], "shop-b");
    let complaints: Value = app
        .get(&buyer, "/api/v1/complaints")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        complaints["items"].as_array().unwrap().len(),
        0,
        "not a personal complaint"
    );
}

async fn status_and_rules_are_answered(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let id = app
        .file_ok(&buyer, "A1", json!({"kind": "refund", "amount_cents": 100}))
        .await;
    let v = say(&app, &buyer, None, "我的投诉现在处理到哪一步了？").await;
    assert_eq!(v["intent"], "check_status");
    assert!(
        reply(&v).contains(&format!("#{id}")) && reply(&v).contains("待商家处理"),
        "{v}"
    );
    let v = say(&app, &buyer, None, "七天无理由退货是什么规则？").await;
    assert!(
        reply(&v).contains("shop-a 旗舰店") && reply(&v).contains("48小时内发货"),
        "{v}"
    );
    let v = say(&app, &buyer, None, "运费险怎么理赔").await;
    assert!(reply(&v).contains("运费险"), "the FAQ: {v}");
}

both_backends!(
    files_a_leaking_cup,
    heated_words_get_a_calmer_rewrite,
    violations_become_reports,
    status_and_rules_are_answered,
);
