//! The admin's webhook pages: an endpoint registered with its secret shown once, field errors
//! named in words, the notice of an endpoint disabled by a 410, the dead letters and replay.

use reqwest::StatusCode;
use serde_json::json;

use super::Browser;
use crate::both_backends;
use crate::helpers::*;
use crate::webhooks::receiver::Receiver;

async fn dispatch(app: &TestApp) -> usize {
    weiquan_server::outbox::dispatch(&app.state).await.unwrap()
}

async fn admin_webhook_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let rx = Receiver::start().await;
    let mut b = Browser::new(&app);
    b.sign_in("admin").await;
    let token = b.token("/admin/webhooks").await;

    // A wrong form: named in words, values kept, no field keys shown.
    let (status, page, _) = b
        .post(
            "/admin/webhooks",
            &[
                ("csrf", &token),
                ("url", "收件地址"),
                ("description", "订单系统"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("接收地址") && page.contains("推送的事件"),
        "{page}"
    );
    assert!(!page.contains("event_types</b>") && page.contains("value=\"订单系统\""));

    let (status, page, _) = b
        .post(
            "/admin/webhooks",
            &[
                ("csrf", &token),
                ("url", &rx.url),
                ("description", "订单系统"),
                ("event_types", "complaint.filed"),
                ("event_types", "remedy.due"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("签名密钥（仅显示这一次）"));
    let at = page.find("whsec_").expect("the secret, once");
    let secret: String = page[at..]
        .chars()
        .take_while(|c| !"<\"".contains(*c))
        .collect();
    rx.know_secret(&secret);
    let id = app
        .store
        .webhook_endpoints(&admin_actor(&app).await)
        .await
        .unwrap()[0]
        .id;
    let (status, page, _) = b.get(&format!("/admin/webhooks/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("whsec_"), "never shown again");
    assert!(page.contains("新投诉") && page.contains("待执行的退款或赔付"));

    // Failing deliveries, given up on after the retry horizon: listed with the last answer.
    rx.answer_by_default(500);
    app.file_ok(
        &buyer,
        "A1",
        json!({"kind": "refund", "amount_cents": 8900}),
    )
    .await;
    for _ in 0..100 {
        dispatch(&app).await;
        app.advance(chrono::Duration::hours(2));
    }
    let (_, page, _) = b.get("/admin/webhooks").await;
    assert!(page.contains("id=\"dead\""), "{page}");
    assert!(page.contains("HTTP 500 接收方出错"));
    let dead = app
        .store
        .dead_letters(&admin_actor(&app).await, None, 10)
        .await
        .unwrap();
    let m = dead[0].id;
    let (status, page, _) = b
        .get(&format!("/admin/webhooks/messages/{m}?lang=en"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("The payload sent") && page.contains("complaint.filed"),
        "{page}"
    );
    assert!(page.contains("dead (retries given up)"));

    rx.answer_by_default(200);
    let (status, _, loc) = b
        .post(
            &format!("/admin/webhooks/messages/{m}/replay"),
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(&loc.unwrap()).await;
    assert!(page.contains("已重新排队发送"));
    assert_eq!(dispatch(&app).await, 1);
    let (_, page, _) = b.get(&format!("/admin/webhooks/{id}")).await;
    assert!(
        page.contains("已送达") && page.contains("id=\"no-dead\""),
        "{page}"
    );

    // A receiver's 410 disables the endpoint, with a notice on the admin's page.
    rx.plan(&[410]);
    app.file_ok(
        &buyer,
        "A2",
        json!({"kind": "refund", "amount_cents": 8900}),
    )
    .await;
    dispatch(&app).await;
    let (_, page, _) = b.get("/admin/webhooks?lang=en").await;
    assert!(page.contains("The receiver answered 410"), "{page}");

    // Others do not see any of it.
    let mut seller = Browser::new(&app);
    seller.sign_in("seller01").await;
    let (status, page, _) = seller.get("/admin/webhooks").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!page.contains(&rx.url));
}

async fn admin_actor(app: &TestApp) -> weiquan_domain::Actor {
    app.store
        .user_by_username("admin")
        .await
        .unwrap()
        .unwrap()
        .actor()
}

both_backends!(admin_webhook_pages);
