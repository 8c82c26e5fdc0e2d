//! The penalty ladder: points climb it, penalties end or are appealed.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::*;
use crate::both_backends;
use crate::helpers::*;

async fn points_climb_the_ladder_and_penalties_end_or_are_appealed(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let regulator = app.login("regulator01").await;
    let seller = app.login("seller01").await;
    let other_seller = app.login("seller02").await;
    let guard = app.login("guard01").await;

    let s = standing(&app, "shop-a").await;
    assert_eq!(
        (s["points"].as_i64(), s["search_weight"].as_f64()),
        (Some(0), Some(1.0))
    );

    // 11 points: below the first step.
    let case = sanction(&app, &buyer, &regulator, 11).await;
    assert_eq!(case["state"], "sanctioned");
    assert_eq!(case["outcome"]["points"], 11);
    let s = standing(&app, "shop-a").await;
    assert_eq!(s["points"], 11);
    assert_eq!(s["active_penalties"], json!([]));
    // 12: traffic limited for 7 days.
    sanction(&app, &buyer, &regulator, 1).await;
    let s = standing(&app, "shop-a").await;
    assert_eq!(s["points"], 12);
    assert_eq!(s["search_weight"], 0.5);
    assert_eq!(s["status"], "restricted");
    assert_eq!(s["active_penalties"][0]["penalty"], "traffic_limit");
    // 24, 36, 48: listing ban, hidden, closed.
    sanction(&app, &buyer, &regulator, 12).await;
    let s = standing(&app, "shop-a").await;
    assert_eq!(s["search_weight"], 0.3);
    assert_eq!(s["active_penalties"].as_array().unwrap().len(), 2);
    sanction(&app, &buyer, &regulator, 12).await;
    assert_eq!(standing(&app, "shop-a").await["search_weight"], 0.0);
    sanction(&app, &buyer, &regulator, 12).await;
    let s = standing(&app, "shop-a").await;
    assert_eq!(s["points"], 48);
    assert_eq!(s["status"], "closed");
    let kinds: Vec<&str> = s["active_penalties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["penalty"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["traffic_limit", "listing_ban", "hide_shop", "close_shop"]
    );
    // The other shop is untouched.
    assert_eq!(standing(&app, "shop-b").await["points"], 0);

    // Appeal the closure: the merchant once, decided by protection.
    let close_id = s["active_penalties"][3]["id"].as_i64().unwrap();
    let appeal = format!("/api/v1/shops/shop-a/penalties/{close_id}/appeal");
    assert_error(
        app.post(
            &other_seller,
            &appeal,
            json!({"reason": "不是我的店铺的问题"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    json_of(
        app.post(
            &seller,
            &appeal,
            json!({"reason": "被恶意举报，附上物流记录证明交易真实"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_error(
        app.post(&seller, &appeal, json!({"reason": "再申诉一次试试"}))
            .await,
        StatusCode::CONFLICT,
        "appeal_used",
    )
    .await;
    let decision = format!("{appeal}/decision");
    assert_error(
        app.post(
            &seller,
            &decision,
            json!({"decision": "overturned", "reason": "商家想自己裁决撤销"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    json_of(
        app.post(
            &guard,
            &decision,
            json!({"decision": "overturned", "reason": "物流记录证明交易真实，撤销关店"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let s = standing(&app, "shop-a").await;
    assert_eq!(s["status"], "restricted");
    assert_eq!(s["active_penalties"].as_array().unwrap().len(), 3);
    // Anyone may read that the closure was appealed and overturned, and when; not the
    // merchant's reason, the decision's, nor who decided.
    let all = json_of(
        app.get_public("/api/v1/shops/shop-a/penalties").await,
        StatusCode::OK,
    )
    .await;
    let closure = all
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"].as_i64() == Some(close_id))
        .unwrap();
    let published: Vec<&String> = closure["appeal"].as_object().unwrap().keys().collect();
    assert_eq!(published, ["at", "decided_at", "state"]);
    assert_eq!(closure["appeal"]["state"], "overturned");

    // Time passes: the timers lift each penalty at its end (7, 14 and 30 days), once.
    let start = app.now();
    for (days, left) in [(6, 3), (8, 2), (15, 1), (31, 0), (60, 0)] {
        app.clock.set(start + Duration::days(days));
        app.fire().await;
        app.fire().await;
        let s = standing(&app, "shop-a").await;
        assert_eq!(
            s["active_penalties"].as_array().unwrap().len(),
            left,
            "after {days} days: {s}"
        );
        // The overturned closure was lifted by its appeal; each other one by its own timer.
        assert_eq!(
            shop_event_count(&app, "penalty_lifted").await,
            4 - left,
            "after {days} days"
        );
    }
    let s = standing(&app, "shop-a").await;
    assert_eq!(
        (s["status"].as_str(), s["search_weight"].as_f64()),
        (Some("open"), Some(1.0))
    );
    assert_eq!(shop_event_count(&app, "violation_recorded").await, 5);
    assert_eq!(shop_event_count(&app, "penalty_applied").await, 4);
    assert_eq!(shop_event_count(&app, "penalty_appealed").await, 1);
}

/// How many of shop-a's published events are of a kind.
async fn shop_event_count(app: &TestApp, kind: &str) -> usize {
    let events: Value = json_of(
        app.http
            .get(app.url("/api/v1/shops/shop-a/events"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .count()
}

both_backends!(points_climb_the_ladder_and_penalties_end_or_are_appealed,);
