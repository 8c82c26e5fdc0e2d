//! `POST /complaints/{id}/bundle` (and the case's, the shop's, a period's): regulators and admins
//! download a bundle that verifies alone; everyone else is refused, on the API and the pages.

use std::io::Cursor;

use reqwest::StatusCode;
use serde_json::json;
use weiquan_store::bundle::{parse_public_key, verify};

use crate::both_backends;
use crate::helpers::*;

async fn regulators_download_a_bundle_others_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let id = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    let other = app
        .file_ok(&buyer, "B1", json!({"kind": "refund", "amount_cents": 100}))
        .await;
    let path = format!("/api/v1/complaints/{id}/bundle");

    for who in ["buyer01", "seller01", "agent01", "guard01"] {
        let token = app.login(who).await;
        let r = app.post(&token, &path, json!({})).await;
        assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    }

    let regulator = app.login("regulator01").await;
    let r = app.post(&regulator, &path, json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/x-tar");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains(&format!("weiquan-bundle-complaint-{id}-")),
        "{disposition}"
    );
    let bytes = r.bytes().await.unwrap();
    let key = parse_public_key(&app.state.platform_key.public_hex()).unwrap();
    let v = verify(Cursor::new(&bytes[..]), Some(&key)).expect("an intact bundle");
    assert_eq!(v.scope, format!("complaint:{id}"));
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains(&format!("chains/complaint/{id}.jsonl")));
    assert!(!text.contains(&format!("chains/complaint/{other}.jsonl")));

    // The shop's and a period's, as an admin; an unknown complaint is not found.
    let admin = app.login("admin").await;
    let r = app
        .post(&admin, "/api/v1/shops/shop-a/bundle", json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    verify(Cursor::new(&bytes[..]), Some(&key)).expect("an intact shop bundle");
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        !text.contains(&format!("chains/complaint/{other}.jsonl")),
        "shop-b's"
    );
    let day = app.now().format("%Y-%m-%d").to_string();
    let r = app
        .post(
            &admin,
            "/api/v1/bundles",
            json!({"from": "2020-01-01", "to": day}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .post(
            &admin,
            "/api/v1/bundles",
            json!({"from": day, "to": "2020-01-01"}),
        )
        .await;
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    let r = app
        .post(
            &buyer,
            "/api/v1/bundles",
            json!({"from": day, "to": "2020-01-01"}),
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .post(&admin, "/api/v1/complaints/99999/bundle", json!({}))
        .await;
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;

    // Each export was recorded, and every chain still verifies.
    assert!(app.store.verify().await.unwrap().is_ok());
}

both_backends!(regulators_download_a_bundle_others_are_refused);
