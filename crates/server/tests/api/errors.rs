//! The error envelope everywhere, and the service endpoints.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::*;

async fn envelope_for_malformed_requests(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.login("buyer01").await;
    let url = app.url("/api/v1/complaints");

    let r = app
        .http
        .post(&url)
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::BAD_REQUEST, "bad_json").await;
    let r = app
        .http
        .post(&url)
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_error(
        r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let r = app
        .http
        .post(&url)
        .bearer_auth(&token)
        .json(&json!({"order_no": 5}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    let r = app
        .http
        .get(app.url("/api/v1/nowhere"))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let r = app
        .http
        .delete(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    let r = app.get(&token, "/api/v1/complaints/not-a-number").await;
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let r = app.get(&token, "/api/v1/complaints?limit=100000").await;
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    let r = app.get(&token, "/api/v1/complaints?state=nonsense").await;
    let v = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(v["error"]["fields"]["state"].is_string());
    let big = "x".repeat(2 * 1024 * 1024);
    let r = app
        .http
        .post(&url)
        .bearer_auth(&token)
        .json(&json!({"description": big}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;
}

async fn messages_follow_the_callers_language(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.login("buyer01").await;
    let body = json!({"order_no": "123"});
    let zh: Value = app
        .post(&token, "/api/v1/complaints", body.clone())
        .await
        .json()
        .await
        .unwrap();
    assert!(
        zh["error"]["fields"]["order_no"]
            .as_str()
            .unwrap()
            .contains("18位数字"),
        "{zh}"
    );
    let en: Value = app
        .http
        .post(app.url("/api/v1/complaints"))
        .bearer_auth(&token)
        .header("Accept-Language", "en")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        en["error"]["fields"]["order_no"]
            .as_str()
            .unwrap()
            .contains("18 digits"),
        "{en}"
    );
    let en: Value = app
        .http
        .post(app.url("/api/v1/complaints?lang=en"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        en["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Some fields"),
        "{en}"
    );
}

async fn service_endpoints(backend: Backend) {
    let app = spawn_app(backend).await;
    let h: Value = app
        .http
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["status"], "ok");
    let buyer = app.login("buyer01").await;
    app.file_ok(&buyer, "A1", json!({"kind": "exchange"})).await;
    let m = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(m.contains("weiquan_complaints_filed_total 1"), "{m}");
    assert!(m.contains("weiquan_http_request_duration_seconds_bucket"));
    let spec: Value = app
        .http
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/complaints",
        "/api/v1/complaints/{id}/actions",
        "/api/v1/complaints/{id}/evidence",
        "/api/v1/auth/login",
        "/api/v1/shops/{id}",
    ] {
        assert!(
            spec["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(spec["components"]["schemas"]["ActionRequest"].is_object());
    let r = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert!(r.headers().get("x-request-id").is_some());
}

both_backends!(
    envelope_for_malformed_requests,
    messages_follow_the_callers_language,
    service_endpoints
);
