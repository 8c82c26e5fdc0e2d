//! The web UI clicked in headless Chromium: the whole walk of a complaint through every tier,
//! then the regulator's dashboard. Every page is photographed in Chinese and English under
//! `target/screenshots/`, and any script error, failed load or CSP violation fails the test, as
//! does any raw JSON, debug value, code or epoch number on a page (`tour.rs`), which also visits
//! every page each role can reach.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them); never skipped.

mod admin;
mod agent;
mod driver;
mod forms;
#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;
mod jury;
mod page;
mod photo;
mod tier3;
mod tour;

use std::time::Duration;

use serde_json::json;

use helpers::order;
use page::{Run, Walk};
use photo::photo;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_walk_in_chromium() {
    let mut r = Run::start("").await;
    walk(&mut r.w, r.profile.path()).await;
    r.close().await;
}

async fn walk(w: &mut Walk, tmp: &std::path::Path) {
    // Signing in: a wrong password is a clear message, in the page's language.
    w.go("/orders").await;
    assert!(
        w.exists("#sign-in").await,
        "signed-out visitors are sent to sign in"
    );
    w.fill("#username", "buyer01").await;
    w.fill("#password", "not-the-password").await;
    w.click("#sign-in").await;
    assert!(w.text("#error").await.contains("用户名或密码错误"));
    w.shoot("sign-in-error").await;

    // The consumer files from an order, is warned about a vague and heated text first.
    w.sign_in("buyer01").await;
    w.shoot("consumer-orders").await;
    w.shoot_phone("consumer-orders").await;

    // 客服小蜜's chat page speaks over the WebSocket once it is open: no page load per message.
    w.click("#nav-chat").await;
    w.el("#chat-form[data-live]").await;
    w.fill("#chat-text", "我买的杯子漏水").await;
    w.b.execute("window.wqOldPage = true", vec![])
        .await
        .unwrap();
    w.el("#chat-send").await.click().await.unwrap();
    w.el("#chat-turns .turn.consumer").await;
    let answer = w.text("#chat-turns .turn.assistant .body").await;
    assert!(answer.contains("订单"), "{answer}");
    assert_eq!(
        w.b.execute("return window.wqOldPage === true", vec![])
            .await
            .unwrap(),
        json!(true),
        "the message went over the socket, not as a form post"
    );
    // The address now names the conversation, so the language switch comes back to it.
    assert!(
        w.b.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("/chat?session=")
    );
    w.settle().await;
    w.shoot("consumer-chat").await;
    w.shoot_phone("consumer-chat").await;
    w.go("/orders").await;
    let a1 = order("A1");
    w.click(&format!("a[data-order='{a1}']")).await;
    w.fill_complaint("垃圾东西！！！骗子商家，气死我了！！！")
        .await;
    w.click("#submit").await;
    assert!(
        w.exists("#warning").await,
        "a heated, vague description is warned about"
    );
    assert!(w.exists("#calm").await, "with a calmer version to use");
    w.shoot("consumer-file-warning").await;
    // (The language switch reloaded the empty form.)
    w.fill_complaint(
        "昨天收到的保温杯杯身有一道裂缝，倒入热水后从杯底漏水，已拍照留证，希望全额退款。",
    )
    .await;
    w.click("#submit").await;
    // A calm description that names the product, the time and the claim files at once.
    assert!(
        !w.exists("#warning").await,
        "no warning for a precise, calm description"
    );
    assert_eq!(w.state().await, "awaiting_merchant");
    let id: i64 =
        w.b.current_url()
            .await
            .unwrap()
            .path()
            .rsplit('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
    // Escalating before the merchant has answered is explained, not offered.
    assert!(w.exists("#why-escalate").await);
    assert!(w.text("#why-escalate").await.contains("商家"));

    // A photo, previewed before upload and shown after.
    let png = photo(tmp);
    w.el("#evidence-file")
        .await
        .send_keys(png.to_str().unwrap())
        .await
        .unwrap();
    w.el("#evidence-preview img").await; // the preview, before the upload
    w.click("#upload").await;
    // The preview is the stored file, fetched through the page's permission check.
    let mut loaded = json!(false);
    for _ in 0..50 {
        loaded =
            w.b.execute(
                "var i = document.querySelector('.side.consumer .evidence img'); \
                 return !!i && i.complete && i.naturalWidth === 24",
                vec![],
            )
            .await
            .unwrap();
        if loaded == json!(true) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(loaded, json!(true), "the uploaded photo is shown");
    w.shoot("consumer-complaint-filed").await;
    w.shoot_phone("consumer-complaint").await;
    w.go("/complaints").await;
    w.shoot("consumer-complaints").await;

    // A violation is reported to tier 3, not complained about: an IP notice with its proof.
    w.click("#nav-reports").await;
    w.click("#new-report").await;
    w.fill("#report-shop", "shop-a").await;
    w.select("#report-kind", "ip_infringement").await;
    w.fill("#report-listing", "青山牌保温杯 500ml").await;
    w.fill(
        "#report-description",
        "该商品使用了我方注册商标“青山”图案，未经授权销售，附商标注册证。",
    )
    .await;
    w.click("#report-submit").await;
    assert!(w.text("#report-state").await.contains("下架"));
    w.el("#evidence-file")
        .await
        .send_keys(png.to_str().unwrap())
        .await
        .unwrap();
    w.click("#upload").await;
    assert!(
        w.exists("#evidence .evidence img").await,
        "the proof is shown"
    );
    w.shoot("consumer-report").await;
    w.shoot_phone("consumer-report").await;
    w.sign_out().await;

    // The merchant rejects from the queue, seeing the consumer's photo.
    w.sign_in("seller01").await;
    w.shoot("merchant-queue").await;
    w.click(&format!("a.complaint-link[data-id='{id}']")).await;
    assert!(w.exists(".side.consumer .evidence img").await);
    w.fill(
        "#reject-message",
        "杯子出库前检测无裂缝，怀疑运输途中损坏，请联系快递理赔。",
    )
    .await;
    w.click("#form-reject #action-reject").await;
    assert_eq!(w.state().await, "awaiting_consumer");
    w.shoot("merchant-rejected").await;
    w.go("/shops").await;
    w.shoot("merchant-standing").await;
    // The IP notice about the shop: the listing is down; the merchant counter-notifies.
    w.click("#nav-reports").await;
    w.click("#reports tbody a").await;
    assert!(
        w.exists("#evidence .evidence img").await,
        "the rights holder's proof"
    );
    w.fill(
        "#counter-statement",
        "本店保温杯为青山品牌授权销售，授权书见附件。",
    )
    .await;
    w.click("#counter-submit").await;
    assert!(w.exists("#restore-at").await, "the restore clock runs");
    w.shoot("merchant-counter-notice").await;
    w.sign_out().await;

    // The consumer escalates to customer service.
    w.sign_in("buyer01").await;
    w.go(&format!("/complaints/{id}")).await;
    w.fill("#escalate-reason", "商家拒绝处理，申请客服介入。")
        .await;
    w.tick("#confirm-escalate").await;
    w.click("#form-escalate #action-escalate").await;
    assert_eq!(w.state().await, "mediation");
    w.sign_out().await;

    // Tier 1 proposes.
    w.sign_in("agent01").await;
    w.shoot("agent-workbench").await;
    w.click(&format!("a.complaint-link[data-id='{id}']")).await;
    w.select("#propose-remedy-kind", "refund").await;
    w.fill("#propose-remedy-amount", "44.50").await;
    w.fill(
        "#propose-message",
        "建议商家退款一半，双方各承担一部分损失。",
    )
    .await;
    w.click("#form-propose #action-propose").await;
    assert_eq!(w.state().await, "mediation");
    assert!(w.text("#proposal").await.contains("44.50"));
    w.shoot("agent-proposed").await;
    w.sign_out().await;

    // The consumer escalates again: tier 2.
    w.sign_in("buyer01").await;
    w.go(&format!("/complaints/{id}")).await;
    w.tick("#confirm-escalate").await;
    w.click("#form-escalate #action-escalate").await;
    assert_eq!(w.state().await, "protection_review");
    w.sign_out().await;

    // Protection rules, citing rules from the list; a ruling without one is refused in place.
    w.sign_in("guard01").await;
    w.shoot("protection-workbench").await;
    w.click(&format!("a.complaint-link[data-id='{id}']")).await;
    w.select("#decision", "uphold").await;
    w.select("#rule-remedy-kind", "refund").await;
    w.fill("#rule-remedy-amount", "89").await;
    w.click("#form-rule #action-rule").await;
    assert!(
        w.text("#error").await.contains("规则"),
        "a ruling cites a rule"
    );
    assert_eq!(w.state().await, "protection_review");
    w.tick("#form-rule input[name=rule_refs]").await;
    w.click("#form-rule #action-rule").await;
    assert_eq!(w.state().await, "resolved");
    assert!(w.text("#resolution").await.contains("淘宝平台争议处理规则"));
    w.shoot("protection-ruled").await;
    w.sign_out().await;

    // Tier 3: the dashboard's charts (of the period up to now, an hour later), and the cases.
    w.app.advance(chrono::Duration::hours(1));
    w.sign_in("regulator01").await;
    let charts = w
        .b
        .execute(
            "return ['chart-per-day','chart-shops','chart-sla'].map(function (id) { var s = document.querySelector('#' + id + ' svg'); return !!s && s.getBBox().width > 100; })",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(charts, json!([true, true, true]), "three charts drawn");
    assert_eq!(w.text("#total").await, "1");
    w.shoot("regulator-dashboard").await;
    w.go("/cases").await;
    w.shoot("regulator-cases").await;
    w.sign_out().await;

    // The merchant's header counts unread notifications, and the count rises without a
    // reload when a complaint is filed about the shop (pushed over the event stream).
    w.sign_in("seller01").await;
    let before: i64 = w.text("#unread-count").await.trim().parse().unwrap();
    assert!(
        before >= 2,
        "the filing and the takedown at least: {before}"
    );
    w.b.execute("window.wqOldPage = true", vec![])
        .await
        .unwrap();
    let buyer = w.app.login("buyer01").await;
    w.app
        .file_ok(&buyer, "A2", json!({"kind": "exchange"}))
        .await;
    let mut now = before;
    for _ in 0..100 {
        now = w.text("#unread-count").await.trim().parse().unwrap();
        if now > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(now, before + 1, "the badge rose by the new complaint");
    assert_eq!(
        w.b.execute("return window.wqOldPage === true", vec![])
            .await
            .unwrap(),
        json!(true),
        "without a reload"
    );
    w.click("#nav-inbox").await;
    assert!(w.exists("#inbox .item.unread").await);
    w.shoot("merchant-notifications").await;
    w.shoot_phone("merchant-notifications").await;
    w.click("#inbox-read-all").await;
    assert_eq!(w.text("#unread-count").await.trim(), "0");
    w.go("/settings").await;
    w.shoot("merchant-settings").await;
    w.sign_out().await;

    // An address that does not exist is a page, not JSON, for a browser.
    w.go("/no-such-page").await;
    assert!(w.text("#error").await.contains("找不到"));

    // The admin: accounts, imports, the policy.
    w.sign_in("admin").await;
    w.shoot("admin-accounts").await;
    w.go("/admin/import").await;
    w.shoot("admin-import").await;
    w.go("/admin/policy").await;
    w.shoot("admin-policy").await;
    w.go("/admin/webhooks").await;
    assert!(w.text("#no-endpoints").await.contains("还没有登记推送地址"));
    w.shoot("admin-webhooks").await;
    w.sign_out().await;

    // Then every page each role can reach from its home page, with what the walk left behind.
    tour::tour(
        w,
        &[
            "buyer01",
            "seller01",
            "agent01",
            "guard01",
            "regulator01",
            "admin",
        ],
    )
    .await;
}
