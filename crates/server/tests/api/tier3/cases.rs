//! Cases: investigated and decided, with published reasons.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::*;
use crate::both_backends;
use crate::helpers::*;

async fn cases_are_investigated_and_decided_with_published_reasons(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let agent = app.login("agent01").await;
    let regulator = app.login("regulator01").await;
    let seller = app.login("seller01").await;
    let other_seller = app.login("seller02").await;

    // Who may report: consumers, and agents for a consumer who phoned.
    assert_error(
        app.post(&seller, "/api/v1/reports", brushing("shop-b"))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        app.post(&agent, "/api/v1/reports", brushing("shop-a"))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    let first = report(&app, &buyer, brushing("shop-a")).await;
    let mut phoned = brushing("shop-a");
    phoned["on_behalf_of"] = json!("buyer02");
    let second = report(&app, &agent, phoned).await;
    assert_eq!(second["channel"], "phone");
    // Both join the one open case about the shop; the merchant never learns who reported.
    assert_eq!(first["case_id"], second["case_id"]);
    let case_id = first["case_id"].as_i64().unwrap();
    let case_url = format!("/api/v1/cases/{case_id}");
    let c = json_of(app.get(&seller, &case_url).await, StatusCode::OK).await;
    assert_eq!(c["reports"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.get(&seller, &format!("/api/v1/reports/{}", first["id"]))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&other_seller, &case_url).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&buyer, &case_url).await.status(),
        StatusCode::NOT_FOUND
    );
    let listed = json_of(
        app.get(&other_seller, "/api/v1/cases").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["items"], json!([]));

    let act = format!("{case_url}/actions");
    assert_error(
        app.post(
            &seller,
            &act,
            json!({"action": "respond", "message": "我们没有刷单行为"}),
        )
        .await,
        StatusCode::CONFLICT,
        "invalid_state",
    )
    .await;
    assert_error(
        app.post(&agent, &act, json!({"action": "investigate"}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let c = json_of(
        app.post(
            &regulator,
            &act,
            json!({"action": "investigate", "message": "调取订单与物流数据"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["state"], "investigating");
    let c = json_of(
        app.post(
            &regulator,
            &act,
            json!({"action": "request_evidence", "message": "请提供近30天订单的物流签收记录"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(c["evidence_due_at"].is_string(), "{c}");
    let c = json_of(
        app.post(
            &seller,
            &act,
            json!({"action": "respond", "message": "已上传物流签收记录，均为真实交易"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["evidence_due_at"], Value::Null);
    // A sanction must cite rules; a dismissal must give reasons.
    let v = assert_error(
        app.post(
            &regulator,
            &act,
            json!({"action": "sanction", "reasons": "刷单属实"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(v["error"]["fields"]["rule_refs"].is_string(), "{v}");
    let c = json_of(
        app.post(
            &regulator,
            &act,
            json!({"action": "dismiss", "reasons": "物流记录证明交易真实，证据不足"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["state"], "dismissed");
    assert_eq!(c["outcome"]["reasons"], "物流记录证明交易真实，证据不足");
    assert_error(
        app.post(&regulator, &act, json!({"action": "investigate"}))
            .await,
        StatusCode::CONFLICT,
        "invalid_state",
    )
    .await;
    assert_eq!(standing(&app, "shop-a").await["points"], 0);
    let r = json_of(
        app.get(&buyer, &format!("/api/v1/reports/{}", first["id"]))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["state"], "closed");

    let events = json_of(
        app.get(&regulator, &format!("{case_url}/events")).await,
        StatusCode::OK,
    )
    .await;
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "opened",
            "report_added",
            "report_added",
            "investigation_started",
            "evidence_requested",
            "merchant_responded",
            "dismissed"
        ]
    );
    for (i, e) in events.as_array().unwrap().iter().enumerate().skip(1) {
        assert_eq!(e["prev_hash"], events[i - 1]["hash"]);
    }
    // A new report opens a new case.
    let third = report(&app, &buyer, brushing("shop-a")).await;
    assert_ne!(third["case_id"], first["case_id"]);
}

both_backends!(cases_are_investigated_and_decided_with_published_reasons,);
