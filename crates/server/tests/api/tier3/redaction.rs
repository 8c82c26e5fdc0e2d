//! Who may learn what from tier-3 chains: the reported merchant never learns who reported (case
//! and report events, the report itself, the order list), and the public shop history shows
//! published outcomes only (`domain::access::event_view`).

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::*;
use crate::both_backends;
use crate::helpers::*;

async fn user_id(app: &TestApp, token: &str) -> i64 {
    json_of(app.get(token, "/api/v1/me").await, StatusCode::OK).await["id"]
        .as_i64()
        .unwrap()
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> Value {
    json_of(app.get(token, path).await, StatusCode::OK).await
}

async fn reporters_stay_hidden_from_the_merchant(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let holder = app.login("buyer02").await;
    let seller = app.login("seller01").await;
    let regulator = app.login("regulator01").await;
    let (buyer_id, holder_id) = (user_id(&app, &buyer).await, user_id(&app, &holder).await);
    let names = [format!("user:{buyer_id}"), format!("user:{holder_id}")];
    let a6 = order("A6");

    // A brushing report opens a case the merchant may read; an IP notice names the holder's order.
    let r = report(&app, &buyer, brushing("shop-a")).await;
    let brushing_case = r["case_id"].as_i64().unwrap();
    let ip = report(
        &app,
        &holder,
        json!({"shop_id": "shop-a", "kind": "ip_infringement", "listing": "青山牌保温杯 500ml",
               "order_no": a6,
               "description": "该商品使用了我方注册商标“青山”图案，未经授权销售，附商标注册证。"}),
    )
    .await;
    let (ip_id, ip_case) = (ip["id"].as_i64().unwrap(), ip["case_id"].as_i64().unwrap());

    for case in [brushing_case, ip_case] {
        let events = get_json(&app, &seller, &format!("/api/v1/cases/{case}/events")).await;
        let text = events.to_string();
        for n in &names {
            assert!(!text.contains(n.as_str()), "{n} in case {case}: {text}");
        }
        let opened = &events[0];
        assert_eq!(opened["kind"], "opened");
        assert_eq!(opened["actor"], "reporter", "{text}");
        assert!(
            events
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["kind"] == "report_added")
                .all(|e| e["actor"] == "reporter"),
            "{text}"
        );
        // Staff see who it was.
        let staff = get_json(&app, &regulator, &format!("/api/v1/cases/{case}/events")).await;
        assert!(
            staff[0]["actor"].as_str().unwrap().starts_with("user:"),
            "{staff}"
        );
    }

    // The IP notice's order: the holder's own, never the merchant's to see (report, list, chain).
    let own = get_json(&app, &holder, &format!("/api/v1/reports/{ip_id}")).await;
    assert_eq!(own["order_no"], json!(a6));
    let theirs = get_json(&app, &seller, &format!("/api/v1/reports/{ip_id}")).await;
    assert_eq!(theirs["order_no"], Value::Null, "{theirs}");
    let list = get_json(&app, &seller, "/api/v1/reports").await;
    assert!(!list.to_string().contains(&a6), "{list}");
    let chain = get_json(&app, &seller, &format!("/api/v1/reports/{ip_id}/events")).await;
    assert!(!chain.to_string().contains(&a6), "{chain}");
    assert!(!chain.to_string().contains("reporter_id"), "{chain}");

    // The merchant's orders name no buyer account; the buyer's own do.
    let orders = get_json(&app, &seller, "/api/v1/orders").await;
    assert!(!orders["items"].as_array().unwrap().is_empty());
    assert!(
        orders["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o.get("buyer_id").is_none()),
        "{orders}"
    );
    let mine = get_json(&app, &holder, "/api/v1/orders").await;
    assert_eq!(mine["items"][0]["buyer_id"], json!(holder_id));
}

/// The public shop history, unauthenticated: only published kinds, no account, order or
/// complaint, no one's free text.
async fn the_public_shop_history_shows_outcomes_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let holder = app.login("buyer02").await;
    let seller = app.login("seller01").await;
    let regulator = app.login("regulator01").await;
    report(
        &app,
        &holder,
        json!({"shop_id": "shop-a", "kind": "ip_infringement", "listing": "青山牌保温杯 500ml",
               "order_no": order("A6"),
               "description": "该商品使用了我方注册商标“青山”图案，未经授权销售，附商标注册证。"}),
    )
    .await;
    sanction(&app, &buyer, &regulator, 12).await;
    let s = standing(&app, "shop-a").await;
    let penalty = s["active_penalties"][0]["id"].as_i64().unwrap();
    let appeal = "本店已整改完毕，请求撤销处罚，联系人王先生 13800000000";
    json_of(
        app.post(
            &seller,
            &format!("/api/v1/shops/shop-a/penalties/{penalty}/appeal"),
            json!({"reason": appeal}),
        )
        .await,
        StatusCode::OK,
    )
    .await;

    let events: Value = json_of(
        app.http
            .get(app.url("/api/v1/shops/shop-a/events"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let text = events.to_string();
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for k in [
        "listing_taken_down",
        "violation_recorded",
        "penalty_applied",
        "penalty_appealed",
    ] {
        assert!(kinds.contains(&k), "{k} is published: {kinds:?}");
    }
    for k in &kinds {
        let kind = EventKind::parse(k).unwrap();
        assert!(access::published(kind).is_some(), "{k} is not published");
    }
    assert!(!text.contains("user:"), "{text}");
    for secret in [
        order("A6").as_str(),
        "reporter_id",
        "complaint_id",
        "order_no",
        appeal,
    ] {
        assert!(!text.contains(secret), "{secret}: {text}");
    }
    let taken = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "listing_taken_down")
        .unwrap();
    assert_eq!(taken["actor"], "reporter");
    assert_eq!(taken["data"], json!({"listing": "青山牌保温杯 500ml"}));
}

both_backends!(
    reporters_stay_hidden_from_the_merchant,
    the_public_shop_history_shows_outcomes_only,
);
