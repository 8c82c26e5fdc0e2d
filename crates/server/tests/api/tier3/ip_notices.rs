//! IP notices: the counter-notice timer and the listing's restoration.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::*;
use crate::both_backends;
use crate::helpers::*;

async fn ip_notice_counter_notice_and_restore(backend: Backend) {
    let app = spawn_app(backend).await;
    let holder = app.login("buyer02").await;
    let seller = app.login("seller01").await;
    let other = app.login("buyer01").await;
    let ip = |listing: &str| {
        json!({"shop_id": "shop-a", "kind": "ip_infringement", "listing": listing,
               "description": "该商品使用了我方注册商标“青山”图案，未经授权销售，附商标注册证。"})
    };
    // An IP notice must name the listing.
    let v = assert_error(
        app.post(&holder, "/api/v1/reports", json!({"shop_id": "shop-a", "kind": "ip_infringement", "description": "商标侵权，请处理这家店铺。"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(v["error"]["fields"]["listing"].is_string(), "{v}");

    let r = report(&app, &holder, ip("青山牌保温杯 500ml")).await;
    assert_eq!(r["state"], "taken_down");
    assert_eq!(
        standing(&app, "shop-a").await["listings_down"],
        json!(["青山牌保温杯 500ml"])
    );
    let id = r["id"].as_i64().unwrap();
    // Forwarded to the merchant; invisible to other consumers.
    let mine: Value = json_of(app.get(&seller, "/api/v1/reports").await, StatusCode::OK).await;
    assert_eq!(mine["items"][0]["id"], id);
    assert_eq!(
        app.get(&other, &format!("/api/v1/reports/{id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    let act = format!("/api/v1/reports/{id}/actions");
    assert_error(
        app.post(
            &holder,
            &act,
            json!({"action": "counter_notice", "message": "我不是商家，但也想声明一下不侵权"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let r = json_of(
        app.post(&seller, &act, json!({"action": "counter_notice", "message": "该图案为本店原创设计，已取得外观专利，不构成侵权。"})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["state"], "counter_noticed");
    assert!(r["restore_at"].is_string());

    // Fifteen days pass and the rights holder does nothing: the listing comes back, once.
    let start = app.now();
    app.clock.set(start + Duration::days(14));
    app.fire().await;
    assert_eq!(report_state(&app, &holder, id).await, "counter_noticed");
    app.clock.set(start + Duration::days(16));
    app.fire().await;
    assert_eq!(report_state(&app, &holder, id).await, "restored");
    assert_eq!(standing(&app, "shop-a").await["listings_down"], json!([]));
    app.clock.set(start + Duration::days(17));
    app.fire().await;
    assert_eq!(
        report_kinds(&app, &holder, id).await,
        ["reported", "counter_noticed", "listing_restored"]
    );

    // A second notice where the rights holder goes to court: it stays down, no timer left.
    let r = report(&app, &holder, ip("青山牌保温壶 1L")).await;
    let id2 = r["id"].as_i64().unwrap();
    let act2 = format!("/api/v1/reports/{id2}/actions");
    json_of(
        app.post(
            &seller,
            &act2,
            json!({"action": "counter_notice", "message": "本店商品为自有品牌，并无侵权行为。"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let r = json_of(
        app.post(
            &holder,
            &act2,
            json!({"action": "legal_action", "message": "已向人民法院提起诉讼，案号附后"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["state"], "kept_down");
    assert_eq!(
        standing(&app, "shop-a").await["listings_down"],
        json!(["青山牌保温壶 1L"])
    );
    assert_eq!(r["restore_at"], Value::Null);
    app.advance(Duration::days(40));
    app.fire().await;
    // Forty days on, the sessions of then have expired.
    let (holder, seller) = (app.login("buyer02").await, app.login("seller01").await);
    assert_eq!(report_state(&app, &holder, id2).await, "kept_down");
    assert_eq!(
        standing(&app, "shop-a").await["listings_down"],
        json!(["青山牌保温壶 1L"])
    );
    assert_error(
        app.post(
            &seller,
            &act2,
            json!({"action": "counter_notice", "message": "再次声明没有侵权行为"}),
        )
        .await,
        StatusCode::CONFLICT,
        "invalid_state",
    )
    .await;
    assert_eq!(
        report_kinds(&app, &holder, id2).await,
        ["reported", "counter_noticed", "legal_action_notified"]
    );
}

async fn report_state(app: &TestApp, token: &str, id: i64) -> Value {
    json_of(
        app.get(token, &format!("/api/v1/reports/{id}")).await,
        StatusCode::OK,
    )
    .await["state"]
        .clone()
}

async fn report_kinds(app: &TestApp, token: &str, id: i64) -> Vec<String> {
    let events: Value = json_of(
        app.get(token, &format!("/api/v1/reports/{id}/events"))
            .await,
        StatusCode::OK,
    )
    .await;
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

both_backends!(ip_notice_counter_notice_and_restore,);
