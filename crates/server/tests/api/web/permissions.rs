//! Every page goes through the same permission checks as the API: what a user may not see is
//! "not found".

use reqwest::StatusCode;
use serde_json::json;

use super::Browser;
use crate::both_backends;
use crate::helpers::*;

async fn pages_go_through_permissions(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let id = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    let evidence: serde_json::Value = app
        .get(&buyer, &format!("/api/v1/complaints/{id}/evidence"))
        .await
        .json()
        .await
        .unwrap();
    let sha = evidence[0]["sha256"].as_str().unwrap().to_owned();

    for (user, visible) in [
        ("buyer01", true),
        ("buyer02", false),
        ("seller01", true),
        ("seller02", false),
        ("agent01", true),
        ("guard01", true),
    ] {
        let mut b = Browser::new(&app);
        b.sign_in(user).await;
        let (status, page, _) = b.get(&format!("/complaints/{id}")).await;
        let (ev_status, _, _) = b.get(&format!("/complaints/{id}/evidence/{sha}")).await;
        if visible {
            assert_eq!(status, StatusCode::OK, "{user}");
            assert!(page.contains("收到的保温杯杯身有一道裂缝"));
            assert_eq!(ev_status, StatusCode::OK, "{user}");
        } else {
            assert_eq!(status, StatusCode::NOT_FOUND, "{user}");
            assert!(page.contains("找不到这条投诉"));
            assert!(!page.contains("裂缝"));
            assert_eq!(ev_status, StatusCode::NOT_FOUND, "{user}");
        }
        let (_, queue, _) = b.get("/complaints?tier=all").await;
        assert_eq!(
            queue.contains(&format!("/complaints/{id}\"")),
            visible,
            "{user}'s queue"
        );
    }

    // Staff-only pages.
    let mut b = Browser::new(&app);
    b.sign_in("buyer01").await;
    assert_eq!(b.get("/cases").await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.get("/admin/users").await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.get("/dashboard").await.0, StatusCode::FORBIDDEN);
    // Someone else's order cannot be complained about.
    assert_eq!(
        b.get(&format!("/orders/{}/complain", order("A6"))).await.0,
        StatusCode::NOT_FOUND
    );

    // The merchant acts from the page; a bad action keeps what was typed and names the field.
    let mut m = Browser::new(&app);
    m.sign_in("seller01").await;
    let token = m.token(&format!("/complaints/{id}")).await;
    let (status, page, _) = m
        .post(
            &format!("/complaints/{id}/act"),
            &[("csrf", &token), ("action", "reject"), ("message", "x")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("至少需要2个字"), "{page}");
    assert!(page.contains(">x</textarea>"), "the text is kept");
    let (status, _, _) = m
        .post(
            &format!("/complaints/{id}/act"),
            &[
                ("csrf", &token),
                ("action", "reject"),
                ("message", "不同意退款"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let c: serde_json::Value = app
        .get(&buyer, &format!("/api/v1/complaints/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(c["state"], "awaiting_consumer");
    // The consumer may not act for the merchant: the machine refuses, the page says so.
    let token = b.token(&format!("/complaints/{id}")).await;
    let (status, _, _) = b
        .post(
            &format!("/complaints/{id}/act"),
            &[
                ("csrf", &token),
                ("action", "reject"),
                ("message", "我拒绝"),
            ],
        )
        .await;
    // Seen but not allowed: 403 (docs/decisions.md), not the 404 of what one may not see.
    assert_eq!(status, StatusCode::FORBIDDEN);
}

both_backends!(pages_go_through_permissions,);
