use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::*;

async fn login_me_register(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.login("buyer01").await;
    let me: Value = app.get(&token, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["username"], "buyer01");
    assert_eq!(me["role"], "consumer");
    assert!(me.get("password_hash").is_none());

    let r = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "buyer01", "password": "wrong-password"}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    // An unknown user answers exactly like a wrong password.
    let r = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "nobody", "password": "wrong-password"}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNAUTHORIZED, "invalid_credentials").await;

    let r = app.http.post(app.url("/api/v1/auth/register")).json(&json!({"username": "newbuyer", "password": "a-good-password", "display_name": "新买家"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["user"]["role"], "consumer",
        "registration only makes consumers"
    );
    let r = app
        .http
        .post(app.url("/api/v1/auth/register"))
        .json(&json!({"username": "newbuyer", "password": "a-good-password"}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::CONFLICT, "username_taken").await;
    let r = app
        .http
        .post(app.url("/api/v1/auth/register"))
        .json(&json!({"username": "X", "password": "short"}))
        .send()
        .await
        .unwrap();
    let v = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(v["error"]["fields"]["username"].is_string());
    assert!(v["error"]["fields"]["password"].is_string());
}

async fn tokens_are_checked(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_error(
        app.http.get(app.url("/api/v1/me")).send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    assert_error(
        app.get("not-a-token", "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "session_expired",
    )
    .await;
    assert_error(
        app.get("", "/api/v1/complaints").await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;

    // Signing out ends that session only.
    let first = app.login("buyer01").await;
    let second = app.login("buyer01").await;
    let r = app
        .http
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.get(&first, "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "session_expired",
    )
    .await;
    assert_eq!(
        app.get(&second, "/api/v1/me").await.status(),
        StatusCode::OK
    );

    // A session lasts 30 days of the server's clock.
    app.advance(chrono::Duration::days(30) - chrono::Duration::seconds(1));
    assert_eq!(
        app.get(&second, "/api/v1/me").await.status(),
        StatusCode::OK
    );
    app.advance(chrono::Duration::seconds(1));
    assert_error(
        app.get(&second, "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "session_expired",
    )
    .await;
}

async fn repeated_failed_logins_are_throttled(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut last = StatusCode::OK;
    for _ in 0..11 {
        last = app
            .http
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": "buyer02", "password": "guess-guess"}))
            .send()
            .await
            .unwrap()
            .status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // Even the right password waits out the window.
    let r = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "buyer02", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

both_backends!(
    login_me_register,
    tokens_are_checked,
    repeated_failed_logins_are_throttled
);
