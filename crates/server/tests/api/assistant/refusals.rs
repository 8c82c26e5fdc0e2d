//! What the assistant's routes refuse, and how clearly.

use reqwest::StatusCode;
use serde_json::json;

use super::say;
use crate::both_backends;
use crate::helpers::*;

async fn refusals_are_clear(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let path = "/api/v1/assistant/chat";
    assert_error(
        app.post(&seller, path, json!({"text": "你好"})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let e = assert_error(
        app.post(&buyer, path, json!({"text": "  "})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(e["error"]["fields"]["text"].is_string(), "{e}");
    assert_error(
        app.post(&buyer, path, json!({"text": "长".repeat(1001)}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_error(
        app.post(&buyer, path, json!({"session_id": "nope", "text": "你好"}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let r = app
        .http
        .post(app.url(path))
        .bearer_auth(&buyer)
        .body("{")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = app
        .http
        .post(app.url(path))
        .json(&json!({"text": "你好"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Someone else's conversation does not exist for you.
    let v = say(&app, &buyer, None, "我买的杯子漏水").await;
    let sid = v["session_id"].as_str().unwrap();
    let other = app.login("buyer02").await;
    assert_error(
        app.post(&other, path, json!({"session_id": sid, "text": "你好"}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        app.get(&other, &format!("/api/v1/assistant/sessions/{sid}"))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

both_backends!(refusals_are_clear,);
