//! The admin's API keys page: a service account made, its key shown once and working; a
//! failed payment in front of staff.

use reqwest::StatusCode;
use serde_json::json;

use super::Browser;
use crate::both_backends;
use crate::helpers::*;
use crate::market::{order_body, put_order, service_key};

/// The key shown on a page, if any.
fn shown_key(page: &str) -> Option<String> {
    let at = page.find("id=\"new-key-value\">")? + "id=\"new-key-value\">".len();
    Some(page[at..].split('<').next().unwrap().to_owned())
}

async fn admin_issues_a_key_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut b = Browser::new(&app);
    b.sign_in("admin").await;
    let (status, page, _) = b.get("/").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let token = b.token("/admin/keys").await;
    let (_, page, _) = b.get("/admin/keys").await;
    assert!(page.contains("id=\"nav-keys\""));
    assert!(
        page.contains("推送订单") && page.contains("确认赔付结果"),
        "scopes by label"
    );

    // No scope chosen: refused, by field label, nothing made.
    let form = [
        ("csrf", token.as_str()),
        ("username", "shop-system"),
        ("display_name", "订单系统"),
    ];
    let (status, page, _) = b.post("/admin/keys", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("<b>权限</b>"), "{page}");
    assert!(shown_key(&page).is_none());

    let mut form = form.to_vec();
    form.push(("scopes", "orders:write"));
    let (status, page, _) = b.post("/admin/keys", &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("已创建服务账号 shop-system"));
    let key = shown_key(&page).expect("the key, shown once");
    assert!(key.starts_with("wqk_") && key.len() > 40, "{key}");

    // The key works.
    let r = put_order(
        &app,
        &key,
        "web-1",
        "202612010000000021",
        &order_body(&app, chrono::Duration::hours(2)),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);

    // Shown once: the list names it by its prefix and its last use, never in full.
    let (_, page, _) = b.get("/admin/keys").await;
    assert!(!page.contains(&key));
    assert!(shown_key(&page).is_none());
    assert!(page.contains(&key[..12]));
    assert!(page.contains("订单系统") && page.contains("推送订单"));
    assert!(!page.contains("从未使用"), "its use is shown");

    // In English too.
    b.get("/lang/en?next=/admin/keys").await;
    let (_, page, _) = b.get("/admin/keys").await;
    assert!(page.contains("Service accounts and API keys") && page.contains("push orders"));

    // A second key, then the first revoked: it no longer works, the second does.
    let account = app
        .store
        .user_by_username("shop-system")
        .await
        .unwrap()
        .unwrap();
    let (status, page, _) = b
        .post(
            &format!("/admin/keys/{}/keys", account.id),
            &[("csrf", token.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let second = shown_key(&page).expect("the new key, shown once");
    let accounts = app
        .store
        .service_accounts(&admin_actor(&app).await)
        .await
        .unwrap();
    let first_id = accounts[0]
        .keys
        .iter()
        .find(|k| key.starts_with(&k.prefix))
        .unwrap()
        .id;
    let (status, _, to) = b
        .post(
            &format!("/admin/keys/{}/keys/{first_id}/revoke", account.id),
            &[("csrf", token.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(&to.unwrap()).await;
    assert!(page.contains("key revoked"), "{page}");
    let body = order_body(&app, chrono::Duration::hours(2));
    let r = put_order(&app, &key, "web-2", "202612010000000022", &body).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = put_order(&app, &second, "web-2", "202612010000000022", &body).await;
    assert_eq!(r.status(), StatusCode::CREATED);

    // Not an admin: no such page for them.
    let mut agent = Browser::new(&app);
    agent.sign_in("agent01").await;
    let (status, page, _) = agent.get("/admin/keys").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!page.contains("wqk_"));
}

async fn admin_actor(app: &TestApp) -> weiquan_domain::Actor {
    app.store
        .user_by_username("admin")
        .await
        .unwrap()
        .unwrap()
        .actor()
}

async fn staff_see_a_failed_payment(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = service_key(&app, "pay-system", &["remedies:write"]).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let id = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    app.act_ok(&seller, id, json!({"action": "accept"})).await;
    let path = format!("/api/v1/marketplace/remedies/{id}/failed");
    let r = crate::market::send(
        &app,
        reqwest::Method::POST,
        &path,
        Some(&key),
        Some("fail-1"),
        &json!({"reason": "收款账户已注销"}),
        "zh-CN",
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);

    let mut b = Browser::new(&app);
    b.sign_in("agent01").await;
    let (status, page, _) = b.get(&format!("/complaints/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"payment-failed\""), "{page}");
    assert!(page.contains("收款账户已注销"));
    assert!(page.contains("支付系统赔付失败"), "the event by its label");
    assert!(page.contains("交易平台支付系统"), "the actor in words");
    assert!(!page.contains("remedy_payment_failed") && !page.contains("service:"));
    let (_, queue, _) = b.get("/complaints?tier=all").await;
    assert!(queue.contains("payment-failed"), "{queue}");
    assert!(queue.contains("赔付失败"));
}

both_backends!(admin_issues_a_key_once, staff_see_a_failed_payment);
