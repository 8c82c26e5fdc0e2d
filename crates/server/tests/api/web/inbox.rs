//! The inbox on the web: the header's unread badge on every page, the notifications page with
//! links, marking one or all read with the CSRF token, the settings page, and the language
//! switch storing a signed-in user's language.

use reqwest::StatusCode;
use serde_json::json;

use super::{Browser, csrf};
use crate::both_backends;
use crate::helpers::*;

/// The count in the header's badge.
fn badge(page: &str) -> i64 {
    let at = page.find("id=\"unread-count\"").expect("the unread badge");
    let rest = &page[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest.find("</span>").unwrap();
    rest[start..end].trim().parse().unwrap()
}

async fn inbox_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let mut m = Browser::new(&app);
    m.sign_in("seller01").await;
    let (status, page, _) = m.get("/complaints").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(badge(&page), 0);
    assert!(page.contains("href=\"/notifications\"") && page.contains("href=\"/settings\""));
    let (_, page, _) = m.get("/notifications").await;
    assert!(page.contains("id=\"inbox-empty\""), "{page}");

    let first = app.file_ok(&buyer, "A1", json!({"kind": "exchange"})).await;
    let second = app.file_ok(&buyer, "A2", json!({"kind": "exchange"})).await;
    // Every page's header counts them.
    for path in ["/complaints", "/shops", "/settings"] {
        let (_, page, _) = m.get(path).await;
        assert_eq!(badge(&page), 2, "{path}");
    }
    let (_, page, _) = m.get("/notifications").await;
    assert!(page.contains(&format!("href=\"/complaints/{first}\"")));
    assert!(page.contains(&format!("href=\"/complaints/{second}\"")));
    // Newest first, in the viewer's language, no codes or keys.
    assert!(
        page.find(&format!("/complaints/{second}")).unwrap()
            < page.find(&format!("/complaints/{first}")).unwrap()
    );
    assert!(page.contains("收到新投诉"));
    for code in ["complaint_filed", "\"kind\"", "user:"] {
        assert!(!page.contains(code), "{code} on the page");
    }
    // Mark one read; the form needs its token.
    let id = {
        let at = page.find("name=\"id\" value=\"").unwrap() + 17;
        page[at..].split('"').next().unwrap().to_owned()
    };
    let (status, _, _) = m
        .post("/notifications/read", &[("csrf", "bad"), ("id", &id)])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let token = csrf(&page);
    let (status, _, loc) = m
        .post("/notifications/read", &[("csrf", &token), ("id", &id)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some("/notifications"));
    let (_, page, _) = m.get("/notifications?unread=1").await;
    assert_eq!(badge(&page), 1);
    assert!(!page.contains(&format!("id=\"notice-{id}\"")));
    // In English.
    let (_, page, _) = m.get("/notifications?lang=en").await;
    assert!(page.contains("new complaint about your shop"), "{page}");
    // Mark all read.
    let (status, _, _) = m
        .post("/notifications/read", &[("csrf", &token), ("all", "1")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = m.get("/notifications").await;
    assert_eq!(badge(&page), 0);
    // The consumer's inbox holds none of the merchant's.
    let mut b = Browser::new(&app);
    b.sign_in("buyer01").await;
    let (_, page, _) = b.get("/notifications").await;
    assert!(page.contains("id=\"inbox-empty\""));
}

async fn settings_page_and_language_switch(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.login("seller01").await;
    let mut m = Browser::new(&app);
    m.sign_in("seller01").await;
    let (status, page, _) = m.get("/settings").await;
    assert_eq!(status, StatusCode::OK);
    let t = csrf(&page);
    // A bad address: the form again, the field named, what was typed kept.
    let (status, page, _) = m
        .post(
            "/settings",
            &[("csrf", &t), ("lang", "zh"), ("email", "shop@@example")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("电子邮箱") && page.contains("value=\"shop@@example\""),
        "{page}"
    );
    let (status, _, loc) = m
        .post(
            "/settings",
            &[("csrf", &t), ("lang", "zh"), ("email", "shop@example.com")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some("/settings?saved=1"));
    let s = json_of(app.get(&token, "/api/v1/me/settings").await, StatusCode::OK).await;
    assert_eq!(
        s,
        json!({"lang": "zh", "email": "shop@example.com", "juror": false})
    );
    // The header's language switch stores the signed-in user's language.
    let (status, _, _) = m.get("/lang/en?next=/settings").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let s = json_of(app.get(&token, "/api/v1/me/settings").await, StatusCode::OK).await;
    assert_eq!(
        s,
        json!({"lang": "en", "email": "shop@example.com", "juror": false})
    );
}

both_backends!(inbox_pages, settings_page_and_language_switch);
