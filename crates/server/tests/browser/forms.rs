//! The complaint form with evidence, the confirmation a weighty action asks for, and a stale
//! tab shown what changed, clicked in Chromium and photographed in both languages.

use serde_json::json;

use crate::helpers::order;
use crate::page::{Run, Walk};
use crate::photo::photo;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_confirmations_and_stale_tabs() {
    let mut r = Run::start("forms").await;
    walk(&mut r.w, r.profile.path()).await;
    r.close().await;
}

/// The page as it is now, in its language only (a form's answer cannot be reloaded).
async fn snap(w: &mut Walk, name: &str) {
    w.n += 1;
    let png = w.b.screenshot().await.unwrap();
    std::fs::write(w.shots.join(format!("{:02}-{name}.png", w.n)), png).unwrap();
}

async fn walk(w: &mut Walk, tmp: &std::path::Path) {
    let a1 = order("A1");
    w.sign_in("buyer01").await;
    w.go(&format!("/orders/{a1}/complain")).await;
    w.shoot("file-form").await;
    w.shoot_phone("file-form").await;

    // Filed with a photo: the complaint and its evidence at once.
    w.fill_complaint(
        "昨天收到的保温杯杯身有一道裂缝，倒入热水后从杯底漏水，已拍照留证，希望全额退款。",
    )
    .await;
    w.select("#file-evidence-kind", "photo").await;
    let png = photo(tmp);
    w.el("#file-evidence")
        .await
        .send_keys(png.to_str().unwrap())
        .await
        .unwrap();
    w.click("#submit").await;
    assert_eq!(w.state().await, "awaiting_merchant");
    assert!(w.exists(".side.consumer .evidence img").await);
    let url = w.b.current_url().await.unwrap();
    let path = url.path().to_owned();
    let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();

    // The order links its complaint instead of offering a second form.
    w.go("/orders").await;
    assert!(w.exists(&format!("a[data-open='{a1}']")).await);
    assert!(!w.exists(&format!("a[data-order='{a1}']")).await);
    w.shoot("orders-open-complaint").await;
    w.shoot_phone("orders-open-complaint").await;
    w.go(&format!("/orders/{a1}/complain")).await;
    w.click("#open-complaint").await;
    assert_eq!(w.b.current_url().await.unwrap().path(), path);
    w.sign_out().await;

    // The merchant's tab goes stale: the consumer writes after it was loaded.
    w.sign_in("seller01").await;
    w.go(&path).await;
    let buyer = w.app.login("buyer01").await;
    let said = |body: &str| json!({ "body": body });
    let r = w
        .app
        .post(
            &buyer,
            &format!("/api/v1/complaints/{id}/messages"),
            said("补充：杯底也有裂缝。"),
        )
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    w.fill("#reject-message", "出库检测无裂缝，请联系快递理赔。")
        .await;
    w.click("#form-reject #action-reject").await;
    assert_eq!(w.state().await, "awaiting_merchant", "nothing done");
    assert!(w.text("#changed").await.contains("杯底也有裂缝"));
    snap(w, "stale-tab-zh").await;
    // The page shown is current: the same click now goes through, the text kept.
    w.click("#form-reject #action-reject").await;
    assert_eq!(w.state().await, "awaiting_consumer");
    w.sign_out().await;

    // The consumer's tab in English goes stale too, and says so in English.
    w.sign_in("buyer01").await;
    w.go(&path).await;
    w.click("#lang-en").await;
    let seller = w.app.login("seller01").await;
    w.app
        .post(
            &seller,
            &format!("/api/v1/complaints/{id}/messages"),
            said("We can offer a partial refund."),
        )
        .await;
    w.tick("#confirm-withdraw").await;
    w.click("#form-withdraw #action-withdraw").await;
    assert!(w.text("#changed").await.contains("partial refund"));
    assert_eq!(w.state().await, "awaiting_consumer");
    snap(w, "stale-tab-en").await;
    w.go(&format!("/lang/zh?next={path}")).await;

    // Accepting the refusal says what it does, and is confirmed, even without the browser's
    // own check (the server asks for the box).
    assert!(
        w.text("#action-accept")
            .await
            .contains("接受拒绝并结案（不退款）")
    );
    w.shoot("accept-refusal").await;
    w.shoot_phone("accept-refusal").await;
    w.b.execute(
        "document.getElementById('confirm-accept').removeAttribute('required')",
        vec![],
    )
    .await
    .unwrap();
    w.click("#form-accept #action-accept").await;
    assert!(w.text("#error").await.contains("请先勾选确认"));
    assert_eq!(w.state().await, "awaiting_consumer");
    snap(w, "accept-unconfirmed-zh").await;
    w.tick("#confirm-accept").await;
    w.click("#form-accept #action-accept").await;
    assert_eq!(w.state().await, "resolved");
    assert!(w.text("#resolution").await.len() > 1);
}
