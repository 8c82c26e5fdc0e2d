//! A complaint's version: an action decided on an older one is refused (409 `stale_version`)
//! and changes nothing; the version is the `seq` of its last event, in the body or `If-Match`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::*;

async fn version_of(app: &TestApp, token: &str, id: i64) -> i64 {
    let events = json_of(
        app.get(token, &format!("/api/v1/complaints/{id}/events"))
            .await,
        StatusCode::OK,
    )
    .await;
    let events = events
        .as_array()
        .or_else(|| events["items"].as_array())
        .expect("a list of events");
    events.last().unwrap()["seq"].as_i64().unwrap()
}

async fn stale_actions_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let id = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    let seen = version_of(&app, &seller, id).await;
    // The complaint's ETag is the same version.
    let r = app.get(&seller, &format!("/api/v1/complaints/{id}")).await;
    assert_eq!(r.headers()["etag"].to_str().unwrap(), format!("\"{seen}\""));
    // The consumer adds to the complaint after the merchant loaded it.
    let r = app
        .post(
            &buyer,
            &format!("/api/v1/complaints/{id}/messages"),
            json!({"body": "补充：杯底也有裂缝。"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let reject = |v: Value| json!({"action": "reject", "message": "出库检测无裂缝，请联系快递。", "version": v});
    let r = app.act(&seller, id, reject(json!(seen))).await;
    let e = assert_error(r, StatusCode::CONFLICT, "stale_version").await;
    assert!(
        e["error"]["message"].as_str().unwrap().contains("版本")
            || e["error"]["message"].as_str().unwrap().contains("version"),
        "{e}"
    );
    // Nothing was done.
    let k = json_of(
        app.get(&seller, &format!("/api/v1/complaints/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(k["state"], "awaiting_merchant");
    // The same through If-Match, which wins over the body.
    let now = version_of(&app, &seller, id).await;
    assert!(now > seen);
    let r = app
        .http
        .post(app.url(&format!("/api/v1/complaints/{id}/actions")))
        .bearer_auth(&seller)
        .header("If-Match", format!("\"{seen}\""))
        .json(&reject(json!(now)))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::CONFLICT, "stale_version").await;
    let r = app
        .http
        .post(app.url(&format!("/api/v1/complaints/{id}/actions")))
        .bearer_auth(&seller)
        .header("If-Match", "soon")
        .json(&reject(Value::Null))
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(e["error"]["fields"]["version"].is_string(), "{e}");
    // At the current version it goes through; without one, as before.
    let r = app
        .http
        .post(app.url(&format!("/api/v1/complaints/{id}/actions")))
        .bearer_auth(&seller)
        .header("If-Match", format!("\"{now}\""))
        .json(&reject(Value::Null))
        .send()
        .await
        .unwrap();
    let k = json_of(r, StatusCode::OK).await;
    assert_eq!(k["state"], "awaiting_consumer");
    app.act_ok(&buyer, id, json!({"action": "escalate"})).await;
}

async fn a_second_complaint_names_the_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let id = app.file_ok(&buyer, "A1", json!({"kind": "exchange"})).await;
    // The order lists its complaint in progress; the others have none.
    let orders = json_of(app.get(&buyer, "/api/v1/orders").await, StatusCode::OK).await;
    let items = orders["items"].as_array().unwrap();
    let a1 = items.iter().find(|o| o["order_no"] == order("A1")).unwrap();
    assert_eq!(a1["open_complaint"], id, "{a1}");
    assert!(
        items
            .iter()
            .filter(|o| o["order_no"] != order("A1"))
            .all(|o| o.get("open_complaint").is_none())
    );
    let r = app
        .file(
            &buyer,
            complaint_body(&order("A1"), json!({"kind": "exchange"})),
        )
        .await;
    let e = assert_error(r, StatusCode::CONFLICT, "duplicate_complaint").await;
    let m = e["error"]["message"].as_str().unwrap();
    assert!(m.contains(&format!("/complaints/{id}")), "{m}");
    // Once it is withdrawn the order may be complained about again.
    app.act_ok(&buyer, id, json!({"action": "withdraw"})).await;
    let orders = json_of(app.get(&buyer, "/api/v1/orders").await, StatusCode::OK).await;
    assert!(
        orders["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o.get("open_complaint").is_none())
    );
    app.file_ok(&buyer, "A1", json!({"kind": "exchange"})).await;
}

both_backends!(
    stale_actions_are_refused,
    a_second_complaint_names_the_first,
);
