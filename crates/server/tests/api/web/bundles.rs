//! The bundle's button on the complaint page: shown to regulators and admins, whose form answers
//! with the archive; anyone else who posts it gets a refusal page, in words.

use reqwest::StatusCode;
use serde_json::json;

use super::{Browser, csrf};
use crate::both_backends;
use crate::helpers::*;

async fn only_regulators_and_admins_export_from_the_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let id = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    let page = format!("/complaints/{id}");
    let action = format!("/complaints/{id}/bundle");

    for user in ["buyer01", "seller01", "agent01"] {
        let mut b = Browser::new(&app);
        b.sign_in(user).await;
        let (status, html, _) = b.get(&page).await;
        assert_eq!(status, StatusCode::OK, "{user}");
        assert!(!html.contains(&action), "{user} sees no export button");
        let token = csrf(&html);
        let (status, html, _) = b.post(&action, &[("csrf", &token)]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
        assert!(
            html.contains("只有平台监管人员和管理员可以导出监管证据包"),
            "{user}"
        );
        assert!(!html.contains("manifest.json"));
    }

    let mut b = Browser::new(&app);
    b.sign_in("regulator01").await;
    let (_, html, _) = b.get(&page).await;
    assert!(html.contains(&action) && html.contains("导出监管证据包"));
    let token = csrf(&html);
    // Without the form's token nothing is exported.
    let (status, _, _) = b.post(&action, &[("csrf", "0")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body, _) = b.post(&action, &[("csrf", &token)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("manifest.json") && body.contains(&format!("chains/complaint/{id}.jsonl"))
    );
}

both_backends!(only_regulators_and_admins_export_from_the_page);
