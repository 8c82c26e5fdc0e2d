//! Tier 3 and the merchant's shops in Chromium: a regulator's case and dashboard, a merchant's
//! shops with the violations behind their points and an appeal, the IP notices page, and the
//! merchant saying their evidence is in. No page shows raw JSON, a machine timestamp or a
//! Chinese label on an English page. Photographed in zh, en and at a phone's width.

use serde_json::json;

use crate::helpers::{TestApp, json_of};
use crate::page::{Run, Walk};

const RULE: &str = "《淘宝平台规则总则》第三十条（虚假交易）";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tier3_pages_in_chromium() {
    let mut r = Run::start("tier3").await;
    let (case, complaint) = seed(&r.w.app).await;
    walk(&mut r.w, case, complaint).await;
    r.close().await;
}

/// A brushing report about shop-a sanctioned with 12 points (a penalty), and a complaint in
/// tier 2 whose evidence is asked of the merchant: (case, complaint).
async fn seed(app: &TestApp) -> (i64, i64) {
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let agent = app.login("agent01").await;
    let guard = app.login("guard01").await;
    let regulator = app.login("regulator01").await;
    let r = json_of(
        app.post(
            &buyer,
            "/api/v1/reports",
            json!({"shop_id": "shop-a", "kind": "fake_transactions",
                   "description": "这家店大量五星好评都来自同一批新注册账号，评价内容雷同，疑似刷单。"}),
        )
        .await,
        reqwest::StatusCode::CREATED,
    )
    .await;
    let case = r["case_id"].as_i64().unwrap();
    json_of(
        app.post(
            &regulator,
            &format!("/api/v1/cases/{case}/actions"),
            json!({"action": "sanction", "reasons": "经核查存在虚假交易", "rule_refs": [RULE], "points": 12}),
        )
        .await,
        reqwest::StatusCode::OK,
    )
    .await;
    let id = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    for (who, body) in [
        (
            &seller,
            json!({"action": "reject", "message": "使用不当造成"}),
        ),
        (
            &buyer,
            json!({"action": "escalate", "reason": "商家拒绝处理"}),
        ),
        (
            &agent,
            json!({"action": "propose", "remedy": {"kind": "refund", "amount_cents": 4000}, "message": "建议退款40元"}),
        ),
        (
            &buyer,
            json!({"action": "escalate", "reason": "只退一半不合理"}),
        ),
        (
            &guard,
            json!({"action": "request_evidence", "from": "merchant", "message": "请提供进货凭证"}),
        ),
    ] {
        app.act_ok(who, id, body).await;
    }
    (case, id)
}

/// The page as a person reads it has nothing meant for machines.
async fn readable(w: &Walk, en: bool) {
    let text =
        w.b.execute("return document.body.innerText", vec![])
            .await
            .unwrap();
    let text = text.as_str().unwrap();
    let url = w.b.current_url().await.unwrap();
    assert!(!text.contains("{\""), "raw JSON on {url}: {text}");
    let fraction = text
        .as_bytes()
        .windows(4)
        .any(|x| x[0] == b':' && x[1].is_ascii_digit() && x[2].is_ascii_digit() && x[3] == b'.');
    assert!(!fraction, "a machine timestamp on {url}: {text}");
    if en {
        // Words people typed stay as typed; what the platform says is in English.
        for zh in ["违规线索", "累计扣", "达到处罚线", "并入"] {
            assert!(!text.contains(zh), "{zh} on the English {url}: {text}");
        }
    }
}

async fn walk(w: &mut Walk, case: i64, complaint: i64) {
    // The regulator: the case in words, in either language, and the dashboard.
    w.sign_in("regulator01").await;
    w.go(&format!("/cases/{case}")).await;
    assert!(w.text("h1").await.contains("违规线索"));
    assert!(w.text("#outcome").await.contains(RULE));
    readable(w, false).await;
    w.go(&format!("/cases/{case}?lang=en")).await;
    assert!(w.text("h1").await.contains("Leads of violations"));
    assert!(
        w.text("#outcome")
            .await
            .contains("Platform General Rules art. 30: fake transactions")
    );
    let timeline = w.text("#case-timeline").await;
    assert!(timeline.contains("sanctioned"), "{timeline}");
    readable(w, true).await;
    w.go(&format!("/cases/{case}")).await;
    w.shoot("tier3-case").await;
    w.shoot_phone("tier3-case").await;
    w.go("/dashboard").await;
    assert!(w.text("#penalised-shops").await.contains("shop-a"));
    w.shoot("tier3-dashboard").await;
    w.shoot_phone("tier3-dashboard").await;
    w.go("/shops/shop-a").await;
    assert!(w.exists(".violations").await, "staff see the breakdown");
    // The public record: both windows, the penalty the sanction applied, readable.
    let card = w.text("#scorecard").await;
    assert!(
        card.contains("近30天") && card.contains("近90天") && card.contains("限制流量"),
        "{card}"
    );
    readable(w, false).await;
    w.shoot("tier3-shop-for-staff").await;
    w.sign_out().await;

    // The merchant: their shops, the breakdown, an appeal.
    w.sign_in("seller01").await;
    w.click("#nav-shops").await;
    assert!(w.exists("#shop-shop-a").await && !w.exists("#shop-shop-b").await);
    let rows = w.text(".violations").await;
    assert!(
        rows.contains("虚假交易") && rows.contains(&format!("#{case}")),
        "{rows}"
    );
    readable(w, false).await;
    w.go("/shops?lang=en").await;
    assert!(w.text(".violations").await.contains("fake transactions"));
    readable(w, true).await;
    w.go("/shops").await;
    w.shoot("tier3-my-shops").await;
    w.shoot_phone("tier3-my-shops").await;
    w.tick(".appeal summary").await;
    w.fill(".appeal textarea", "订单均为真实交易，已提交物流凭证。")
        .await;
    w.click(".appeal button").await;
    assert!(w.text(".penalties").await.contains("申诉待裁决"));
    assert!(!w.exists(".appeal").await, "one appeal per penalty");
    w.shoot("tier3-appealed").await;

    // The IP notices page says what it is, with nothing to list.
    w.click("#nav-reports").await;
    assert_eq!(w.text("h1").await, "针对我的店铺的侵权通知");
    assert!(w.exists("#no-reports").await && !w.exists("#reports").await);
    w.shoot("tier3-ip-notices").await;

    // The merchant's evidence turn: saying it is in ends it.
    w.go(&format!("/complaints/{complaint}")).await;
    w.shoot("tier3-evidence-turn").await;
    w.click("#action-submit_evidence").await;
    assert_eq!(w.state().await, "protection_review");
    assert!(
        !w.exists("#action-submit_evidence").await,
        "the turn passed"
    );
    assert!(w.text("body").await.contains("举证完毕"));
    w.sign_out().await;
}
