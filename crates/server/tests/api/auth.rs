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

/// A server that takes the client's address from `X-Forwarded-For`, so one test can sign in
/// from many addresses.
async fn behind_proxy(backend: Backend) -> TestApp {
    let mut policy = weiquan_domain::Policy::default();
    policy.connections.trust_forwarded_for = true;
    spawn_with(backend, policy, weiquan_store::blob::DEFAULT_MAX_BLOB).await
}

async fn sign_in_from(
    app: &TestApp,
    from: &str,
    username: &str,
    password: &str,
) -> reqwest::Response {
    app.http
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", from)
        .header("accept-language", "en")
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

fn retry_after(r: &reqwest::Response) -> i64 {
    r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn failed_sign_ins_delay_the_account_growing_and_capped(backend: Backend) {
    let app = behind_proxy(backend).await;
    let wrong = "guess-guess";
    for _ in 0..6 {
        let r = sign_in_from(&app, "10.0.0.1", "buyer02", wrong).await;
        assert_error(r, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
    // Five failures are free; the sixth holds the account for a second, from anywhere, even
    // for the right password: 429, Retry-After, in the caller's language.
    let r = sign_in_from(&app, "10.0.0.2", "buyer02", PASSWORD).await;
    assert_eq!(retry_after(&r), 1);
    let v = assert_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("try again in 1 s"),
        "{v}"
    );
    app.advance(chrono::Duration::seconds(1));
    let r = sign_in_from(&app, "10.0.0.2", "buyer02", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);

    // Someone keeps trying `admin` from ever new addresses: each failure doubles the wait,
    // never past five minutes.
    let mut longest = 0;
    for i in 0..40 {
        let from = format!("10.1.0.{i}");
        let r = sign_in_from(&app, &from, "admin", wrong).await;
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            let secs = retry_after(&r);
            assert!(secs <= 300, "{secs}");
            longest = longest.max(secs);
            app.advance(chrono::Duration::seconds(secs));
        } else {
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        }
    }
    assert_eq!(longest, 300, "the delay grows to its cap");
    // The real admin, from an address without failures, gets in once the delay has passed.
    let r = sign_in_from(&app, "10.2.0.1", "admin", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    app.advance(chrono::Duration::seconds(retry_after(&r)));
    let r = sign_in_from(&app, "10.2.0.1", "admin", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);
}

async fn one_address_spraying_many_accounts_is_slowed(backend: Backend) {
    let app = behind_proxy(backend).await;
    // One password over 21 accounts (each failing once): the address is held.
    for i in 0..21 {
        let r = sign_in_from(&app, "10.0.0.9", &format!("user{i}"), "123456789").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = sign_in_from(&app, "10.0.0.9", "user99", "123456789").await;
    assert_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    let r = sign_in_from(&app, "10.0.0.9", "buyer01", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another address is not.
    let r = sign_in_from(&app, "10.0.0.10", "buyer01", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);
}

async fn register_from(app: &TestApp, from: &str, body: Value) -> reqwest::Response {
    app.http
        .post(app.url("/api/v1/auth/register"))
        .header("x-forwarded-for", from)
        .header("accept-language", "en")
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn registration_refuses_weak_passwords_staff_names_and_floods(backend: Backend) {
    let app = behind_proxy(backend).await;
    for (username, password, display, field) in [
        ("newbuyer", "12345678", "新买家", "password"),
        ("newbuyer", "        ", "新买家", "password"),
        ("newbuyer", "zzzzzzzzzz", "新买家", "password"),
        ("kefu01", "a-good-password", "新买家", "username"),
        ("weiquan", "a-good-password", "新买家", "username"),
        ("newbuyer", "a-good-password", "官方客服", "display_name"),
    ] {
        let r = register_from(
            &app,
            "10.0.0.1",
            json!({"username": username, "password": password, "display_name": display}),
        )
        .await;
        let v = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        let says = v["error"]["fields"][field].as_str().unwrap_or_default();
        assert!(
            !says.is_empty() && says.is_ascii(),
            "{username} {password:?}: {v}"
        );
    }
    // Five accounts an hour from one address; refused ones did not count.
    for i in 0..5 {
        let r = register_from(
            &app,
            "10.0.0.1",
            json!({"username": format!("newbuyer{i}"), "password": "a-good-password"}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let body = json!({"username": "newbuyer5", "password": "a-good-password"});
    let r = register_from(&app, "10.0.0.1", body.clone()).await;
    assert_eq!(retry_after(&r), 3600);
    assert_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    let r = register_from(&app, "10.0.0.2", body.clone()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    app.advance(chrono::Duration::hours(1));
    let body = json!({"username": "newbuyer6", "password": "a-good-password"});
    let r = register_from(&app, "10.0.0.1", body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

both_backends!(
    login_me_register,
    tokens_are_checked,
    failed_sign_ins_delay_the_account_growing_and_capped,
    one_address_spraying_many_accounts_is_slowed,
    registration_refuses_weak_passwords_staff_names_and_floods
);
