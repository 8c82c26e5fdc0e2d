//! The marketplace talks back: service accounts' API keys, orders pushed, remedies confirmed,
//! every write under an Idempotency-Key (`docs/marketplace.md`).

mod orders;
mod remedies;

use chrono::Duration;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::*;

/// Creates a service account through the admin API; its first key.
pub(crate) async fn service_key(app: &TestApp, username: &str, scopes: &[&str]) -> String {
    let admin = app.login("admin").await;
    let r = app
        .post(
            &admin,
            "/api/v1/service-accounts",
            json!({"username": username, "display_name": "交易平台系统", "scopes": scopes}),
        )
        .await;
    let v = json_of(r, StatusCode::CREATED).await;
    let key = v["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("wqk_"), "{key}");
    assert_eq!(
        v["account"]["keys"][0]["prefix"].as_str().unwrap(),
        &key[..12],
        "only a prefix names the key afterwards"
    );
    key
}

/// A marketplace write: `key` as the bearer, `idem` as the Idempotency-Key (each if given).
pub(crate) async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    key: Option<&str>,
    idem: Option<&str>,
    body: &Value,
    lang: &str,
) -> Response {
    let mut req = app
        .http
        .request(method, app.url(path))
        .header("accept-language", lang)
        .json(body);
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    if let Some(i) = idem {
        req = req.header("Idempotency-Key", i);
    }
    req.send().await.unwrap()
}

pub(crate) async fn put_order(
    app: &TestApp,
    key: &str,
    idem: &str,
    order_no: &str,
    body: &Value,
) -> Response {
    let path = format!("/api/v1/marketplace/orders/{order_no}");
    send(
        app,
        reqwest::Method::PUT,
        &path,
        Some(key),
        Some(idem),
        body,
        "zh-CN",
    )
    .await
}

/// An order of buyer01 at shop-a (which promises shipping within 48 hours), paid `ago`.
pub(crate) fn order_body(app: &TestApp, ago: Duration) -> Value {
    let paid = app.now() - ago;
    json!({
        "buyer": "buyer01",
        "shop_id": "shop-a",
        "items": [{"title": "陶瓷马克杯 350ml", "price_cents": 3900, "qty": 2}],
        "amount_cents": 7800,
        "paid_at": paid.to_rfc3339(),
    })
}

async fn keys_and_scopes(backend: Backend) {
    let app = spawn_app(backend).await;
    let orders_key = service_key(&app, "shop-system", &["orders:write"]).await;
    let pay_key = service_key(&app, "pay-system", &["remedies:write"]).await;
    let no = "202612010000000001";
    let body = order_body(&app, Duration::hours(1));
    let path = format!("/api/v1/marketplace/orders/{no}");
    let put = reqwest::Method::PUT;

    // No key: 401 in the caller's language; a wrong key, or a person's session token: 401.
    let r = send(&app, put.clone(), &path, None, Some("k1"), &body, "en").await;
    let v = assert_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    assert!(v["error"]["message"].as_str().unwrap().contains("API key"));
    let r = send(
        &app,
        put.clone(),
        &path,
        Some("wqk_nope"),
        Some("k1"),
        &body,
        "zh-CN",
    )
    .await;
    let v = assert_error(r, StatusCode::UNAUTHORIZED, "invalid_api_key").await;
    assert!(v["error"]["message"].as_str().unwrap().contains("接口密钥"));
    let person = app.login("admin").await;
    let r = send(
        &app,
        put.clone(),
        &path,
        Some(&person),
        Some("k1"),
        &body,
        "zh-CN",
    )
    .await;
    assert_error(r, StatusCode::UNAUTHORIZED, "invalid_api_key").await;
    // A key without orders:write: 403, naming the scope.
    let r = send(
        &app,
        put.clone(),
        &path,
        Some(&pay_key),
        Some("k1"),
        &body,
        "en",
    )
    .await;
    let v = assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("orders:write"),
        "{v}"
    );
    // No Idempotency-Key: 400 naming the header.
    let r = send(
        &app,
        put.clone(),
        &path,
        Some(&orders_key),
        None,
        &body,
        "en",
    )
    .await;
    let v = assert_error(r, StatusCode::BAD_REQUEST, "idempotency_key_required").await;
    assert!(v["error"]["fields"]["Idempotency-Key"].is_string(), "{v}");
    // Nothing of that landed.
    let buyer = app.login("buyer01").await;
    let mine = json_of(app.get(&buyer, "/api/v1/orders").await, StatusCode::OK).await;
    assert!(!mine.to_string().contains(no));

    // The right key works, and its use is noted for the admin.
    let r = put_order(&app, &orders_key, "k1", no, &body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let accounts = json_of(
        app.get(&person, "/api/v1/service-accounts").await,
        StatusCode::OK,
    )
    .await;
    let shop_system = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "shop-system")
        .unwrap();
    assert_eq!(shop_system["scopes"], json!(["orders:write"]));
    assert!(shop_system["keys"][0]["last_used_at"].is_string());
    assert!(!accounts.to_string().contains(&orders_key), "never the key");

    // Accounts are an admin's: others are refused.
    let agent = app.login("agent01").await;
    let r = app.get(&agent, "/api/v1/service-accounts").await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .post(
            &agent,
            "/api/v1/service-accounts",
            json!({"username": "sneaky", "display_name": "x", "scopes": ["orders:write"]}),
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    // A service account without a scope, or with an unknown one, is refused by field.
    let r = app
        .post(
            &person,
            "/api/v1/service-accounts",
            json!({"username": "empty-system", "display_name": "x", "scopes": ["orders:delete"]}),
        )
        .await;
    let v = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(v["error"]["fields"]["scopes"].is_string(), "{v}");
    // A service account cannot sign in with a password.
    let r = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "shop-system", "password": "any-password-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Rotation: a second key works beside the first; a revoked key is 401 from then on.
    let id = shop_system["id"].as_i64().unwrap();
    let old_key_id = shop_system["keys"][0]["id"].as_i64().unwrap();
    let r = app
        .post(
            &person,
            &format!("/api/v1/service-accounts/{id}/keys"),
            json!({}),
        )
        .await;
    let issued = json_of(r, StatusCode::CREATED).await;
    let new_key = issued["key"].as_str().unwrap().to_owned();
    let r = app
        .http
        .delete(app.url(&format!("/api/v1/service-accounts/{id}/keys/{old_key_id}")))
        .bearer_auth(&person)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = put_order(&app, &orders_key, "k2", no, &body).await;
    assert_error(r, StatusCode::UNAUTHORIZED, "invalid_api_key").await;
    let r = put_order(&app, &new_key, "k2", no, &body).await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the same order again: unchanged"
    );
    // Each step is on the account's chain, which the audit walks.
    app.store.verify().await.unwrap().expect("an intact audit");
}

async fn marketplace_routes_are_documented(backend: Backend) {
    let app = spawn_app(backend).await;
    let spec: Value = app
        .http
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        spec["components"]["securitySchemes"]["api_key"]["scheme"],
        "bearer"
    );
    for (path, method) in [
        ("/api/v1/marketplace/orders/{order_no}", "put"),
        ("/api/v1/marketplace/remedies/{id}/executed", "post"),
        ("/api/v1/marketplace/remedies/{id}/failed", "post"),
    ] {
        let op = &spec["paths"][path][method];
        assert!(op.is_object(), "{method} {path} missing");
        assert!(op["security"][0]["api_key"].is_array(), "{path}");
        let header = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header");
        assert!(header, "{path} documents its Idempotency-Key");
        for status in ["400", "401", "403", "422"] {
            assert!(op["responses"][status].is_object(), "{path} {status}");
        }
    }
    for path in [
        "/api/v1/service-accounts",
        "/api/v1/service-accounts/{id}/keys",
        "/api/v1/service-accounts/{id}/keys/{key_id}",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} missing");
    }
}

both_backends!(keys_and_scopes, marketplace_routes_are_documented);
