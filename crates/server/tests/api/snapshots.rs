//! The main routes' bodies and error envelopes, as snapshots (`snapshots/`): what an API client
//! sees, field by field. Both backends compare against the same snapshot, so a body that differs
//! between SQLite and PostgreSQL fails too. Times, tokens and hashes (which cover times) are
//! redacted; everything else is the record.
//!
//! A deliberate change of a body: run with `INSTA_UPDATE=always`, review the diff of the `.snap`
//! files, commit them.

use insta::assert_json_snapshot;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::*;

/// Error envelopes hold no times: compared whole.
macro_rules! snap_whole {
    ($name:expr, $value:expr) => {{
        let value: &Value = $value;
        let name: String = $name.into();
        insta::with_settings!({ sort_maps => true, prepend_module_to_snapshot => false }, {
            assert_json_snapshot!(name, value);
        });
    }};
}

/// Every field that holds a time or a secret, wherever it is.
macro_rules! snap {
    ($name:expr, $value:expr) => {{
        let value: &Value = $value;
        let name: String = $name.into();
        insta::with_settings!({ sort_maps => true, prepend_module_to_snapshot => false }, {
            assert_json_snapshot!(name, value, {
                ".**.at" => "[time]",
                ".**.created_at" => "[time]",
                ".**.updated_at" => "[time]",
                ".**.incident_at" => "[time]",
                ".**.deadline_at" => "[time]",
                ".**.appeal_until" => "[time]",
                ".**.paid_at" => "[time]",
                ".**.shipped_at" => "[time]",
                ".**.delivered_at" => "[time]",
                ".**.starts_at" => "[time]",
                ".**.ends_at" => "[time]",
                ".**.expires_at" => "[time]",
                ".**.hash" => "[hash]",
                // A hash over the order's frozen snapshot, which holds its times.
                ".**.order_snapshot_sha256" => "[hash]",
                ".**.prev_hash" => "[hash]",
                ".token" => "[token]",
                ".next_cursor" => "[cursor]",
            });
        });
    }};
}

async fn body(r: reqwest::Response, status: StatusCode) -> Value {
    json_of(r, status).await
}

async fn a_complaint_from_filing_to_proposal(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "buyer01", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let login = body(r, StatusCode::OK).await;
    snap!("login", &login);
    let buyer = login["token"].as_str().unwrap().to_owned();
    snap!(
        "me",
        &body(app.get(&buyer, "/api/v1/me").await, StatusCode::OK).await
    );
    snap!(
        "orders",
        &body(
            app.get(&buyer, "/api/v1/orders?limit=2").await,
            StatusCode::OK
        )
        .await
    );

    let filed = body(
        app.file(
            &buyer,
            complaint_body(
                &order("A1"),
                json!({"kind": "refund", "amount_cents": 8900}),
            ),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    snap!("complaint_filed", &filed);
    let id = filed["id"].as_i64().unwrap();

    let seller = app.login("seller01").await;
    let proposed = body(
        app.act(
            &seller,
            id,
            json!({"action": "propose", "remedy": {"kind": "refund", "amount_cents": 4000},
                   "message": "可以退一半"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    snap!("complaint_proposed", &proposed);
    snap!(
        "complaint_as_merchant",
        &body(
            app.get(&seller, &format!("/api/v1/complaints/{id}")).await,
            StatusCode::OK
        )
        .await
    );
    snap!(
        "complaints_list",
        &body(app.get(&buyer, "/api/v1/complaints").await, StatusCode::OK).await
    );
    snap!(
        "complaint_events",
        &body(
            app.get(&buyer, &format!("/api/v1/complaints/{id}/events"))
                .await,
            StatusCode::OK
        )
        .await
    );
    let r = app
        .post(
            &buyer,
            &format!("/api/v1/complaints/{id}/messages"),
            json!({"body": "一半不够，杯子完全不能用"}),
        )
        .await;
    snap!("message_posted", &body(r, StatusCode::CREATED).await);
    let shop = app
        .http
        .get(app.url("/api/v1/shops/shop-a"))
        .send()
        .await
        .unwrap();
    snap!("shop_public", &body(shop, StatusCode::OK).await);
}

async fn error_envelopes_in_both_languages(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let id = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    for lang in ["zh-CN", "en"] {
        let req = |m: reqwest::Method, path: &str| {
            app.http
                .request(m, app.url(path))
                .header("accept-language", lang)
        };
        let mut errors = serde_json::Map::new();
        let mut keep = |name: &str, status: u16, v: Value| {
            errors.insert(name.into(), json!({"status": status, "body": v}));
        };
        let r = req(reqwest::Method::GET, "/api/v1/complaints")
            .send()
            .await
            .unwrap();
        keep("401_no_token", r.status().as_u16(), r.json().await.unwrap());
        let r = req(reqwest::Method::GET, "/api/v1/complaints/999999")
            .bearer_auth(&buyer)
            .send()
            .await
            .unwrap();
        keep(
            "404_not_yours",
            r.status().as_u16(),
            r.json().await.unwrap(),
        );
        let r = req(reqwest::Method::POST, "/api/v1/complaints")
            .bearer_auth(&buyer)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        keep("400_bad_json", r.status().as_u16(), r.json().await.unwrap());
        let r = req(reqwest::Method::POST, "/api/v1/complaints")
            .bearer_auth(&buyer)
            .header("content-type", "text/plain")
            .body("{}")
            .send()
            .await
            .unwrap();
        keep(
            "415_media_type",
            r.status().as_u16(),
            r.json().await.unwrap(),
        );
        let r = req(reqwest::Method::POST, "/api/v1/complaints")
            .bearer_auth(&buyer)
            .json(&json!({"order_no": "12", "category": "broken", "claim": {"kind": "refund", "amount_cents": -1}}))
            .send()
            .await
            .unwrap();
        keep("422_fields", r.status().as_u16(), r.json().await.unwrap());
        let r = req(
            reqwest::Method::POST,
            &format!("/api/v1/complaints/{id}/actions"),
        )
        .bearer_auth(&buyer)
        .json(&json!({"action": "escalate"}))
        .send()
        .await
        .unwrap();
        keep(
            "409_tier_order",
            r.status().as_u16(),
            r.json().await.unwrap(),
        );
        let r = req(
            reqwest::Method::POST,
            &format!("/api/v1/complaints/{id}/actions"),
        )
        .bearer_auth(&buyer)
        .json(&json!({"action": "rule", "decision": "reject", "rule_refs": ["淘宝规则第56条"]}))
        .send()
        .await
        .unwrap();
        keep("403_role", r.status().as_u16(), r.json().await.unwrap());
        let r = req(reqwest::Method::DELETE, "/api/v1/complaints")
            .bearer_auth(&buyer)
            .send()
            .await
            .unwrap();
        keep("405_method", r.status().as_u16(), r.json().await.unwrap());
        snap_whole!(format!("errors_{lang}"), &Value::Object(errors));
    }
}

async fn a_report_and_its_case(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer02").await;
    let regulator = app.login("regulator01").await;
    let report = body(
        app.post(
            &buyer,
            "/api/v1/reports",
            json!({"shop_id": "shop-a", "kind": "fake_transactions",
                   "description": "这家店大量五星好评都来自同一批新注册账号，评价内容雷同，疑似刷单。"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    snap!("report_filed", &report);
    let id = report["id"].as_i64().unwrap();
    snap!(
        "report_events_as_regulator",
        &body(
            app.get(&regulator, &format!("/api/v1/reports/{id}/events"))
                .await,
            StatusCode::OK
        )
        .await
    );
    let cases = body(app.get(&regulator, "/api/v1/cases").await, StatusCode::OK).await;
    snap!("cases_as_regulator", &cases);
    let case = cases["items"][0]["id"].as_i64().unwrap();
    snap!(
        "case_events",
        &body(
            app.get(&regulator, &format!("/api/v1/cases/{case}/events"))
                .await,
            StatusCode::OK
        )
        .await
    );
}

both_backends!(
    a_complaint_from_filing_to_proposal,
    a_report_and_its_case,
    error_envelopes_in_both_languages
);
