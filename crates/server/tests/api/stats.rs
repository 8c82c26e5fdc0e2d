//! `GET /stats`: the figures staff refine policy with, computed from what really happened.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::*;

async fn stats_count_escalations_and_resolution(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let regulator = app.login("regulator01").await;

    // Three complaints: one settled by the merchant, one escalated to tier 1, one left waiting.
    let settled = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    app.act_ok(&seller, settled, json!({"action": "accept"}))
        .await;
    let escalated = app.file_ok(&buyer, "A2", json!({"kind": "exchange"})).await;
    app.act_ok(
        &seller,
        escalated,
        json!({"action": "reject", "message": "产品无质量问题"}),
    )
    .await;
    app.act_ok(&buyer, escalated, json!({"action": "escalate"}))
        .await;
    app.file_ok(&buyer, "B1", json!({"kind": "refund", "amount_cents": 100}))
        .await;

    // A minute later (the period ends now, exclusive; the test's clock stands still otherwise).
    app.advance(chrono::Duration::minutes(1));
    let r = app.get(&regulator, "/api/v1/stats").await;
    assert_eq!(r.status(), StatusCode::OK);
    let s: Value = r.json().await.unwrap();
    assert_eq!(s["total"], 3, "{s}");
    assert_eq!(
        s["by_category"],
        json!([{"key": "quality_defect", "count": 3}])
    );
    assert_eq!(s["top_shops"][0], json!({"key": "shop-a", "count": 2}));
    let tiers: Vec<(String, i64)> = s["by_tier"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap().to_owned(),
                c["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(tiers.contains(&("customer_service".into(), 1)), "{tiers:?}");
    assert_eq!(s["resolution"]["resolved"], 1);
    assert!(s["resolution"]["median_hours"].as_f64().unwrap() >= 0.0);
    assert_eq!(s["escalation"]["reached_tier1"], 1);
    assert_eq!(s["escalation"]["escalated_to_tier2"], 0);
    assert_eq!(s["escalation"]["rate"], 0.0);
    // Two merchant replies came in time; the third is still pending and not counted.
    assert_eq!(
        s["deadlines_by_tier"],
        json!([{"key": "negotiation", "due": 2, "missed": 0, "missed_share": 0.0}])
    );
    let day_total: i64 = s["per_day"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["count"].as_i64().unwrap())
        .sum();
    assert_eq!(day_total, 3);

    // One shop, and a period before anything was filed.
    let s: Value = app
        .get(&regulator, "/api/v1/stats?shop_id=shop-b")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["total"], 1);
    let s: Value = app
        .get(&regulator, "/api/v1/stats?from=2020-01-01&to=2020-02-01")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["total"], 0);
    assert_eq!(s["resolution"]["median_hours"], Value::Null);
}

async fn stats_are_for_staff_and_check_their_period(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let agent = app.login("agent01").await;
    for token in [&buyer, &seller] {
        assert_error(
            app.get(token, "/api/v1/stats").await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    let v = assert_error(
        app.get(&agent, "/api/v1/stats?from=yesterday").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(v["error"]["fields"]["from"].is_string(), "{v}");
    assert_error(
        app.get(&agent, "/api/v1/stats?from=2026-05-02&to=2026-05-01")
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
}

both_backends!(
    stats_count_escalations_and_resolution,
    stats_are_for_staff_and_check_their_period
);
