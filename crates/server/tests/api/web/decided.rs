//! What was decided on a complaint, on its page: the ruling with its reasons, the rules cited
//! and the appeal deadline; proposals with their amounts; who acted, by role and name; and
//! what a tier-2 review waits on.

use reqwest::StatusCode;
use serde_json::json;

use super::Browser;
use crate::both_backends;
use crate::helpers::*;

const RULE: &str = "《淘宝平台争议处理规则》第十七条（商品质量问题）";

async fn a_ruling_and_who_decided_are_shown(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let agent = app.login("agent01").await;
    let guard = app.login("guard01").await;
    let id = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    app.act_ok(
        &seller,
        id,
        json!({"action": "propose", "remedy": {"kind": "refund", "amount_cents": 4500}, "message": "退一半"}),
    )
    .await;
    app.act_ok(&buyer, id, json!({"action": "escalate"})).await;
    app.act_ok(
        &agent,
        id,
        json!({"action": "propose", "remedy": {"kind": "refund", "amount_cents": 6000}, "message": "建议退款60元"}),
    )
    .await;
    app.act_ok(
        &buyer,
        id,
        json!({"action": "escalate", "reason": "不同意"}),
    )
    .await;

    let mut b = Browser::new(&app);
    b.sign_in("buyer01").await;
    let path = format!("/complaints/{id}");
    // Tier 2 reviews without a deadline of its own: the page says so instead of a blank.
    let (_, page, _) = b.get(&path).await;
    assert!(page.contains("id=\"no-deadline\""), "{page}");
    let mut g = Browser::new(&app);
    g.sign_in("guard01").await;
    let (_, page, _) = g.get("/complaints").await;
    assert!(page.contains("审理中，无固定期限"), "{page}");
    // Asking for evidence sets one: both the consumer and the workbench see it.
    app.act_ok(
        &guard,
        id,
        json!({"action": "request_evidence", "from": "consumer", "message": "请提供裂缝照片"}),
    )
    .await;
    let (_, page, _) = b.get(&path).await;
    assert!(
        page.contains("id=\"deadline\"") && !page.contains("id=\"no-deadline\""),
        "{page}"
    );
    let (_, page, _) = g.get("/complaints").await;
    assert!(page.contains("class=\"countdown"), "{page}");

    app.act_ok(
        &guard,
        id,
        json!({"action": "rule", "decision": "uphold", "remedy": {"kind": "refund", "amount_cents": 8900},
               "rule_refs": [RULE], "reason": "杯身裂缝属质量问题"}),
    )
    .await;
    let (status, page, _) = b.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"ruling\""), "{page}");
    for want in [
        "支持买家",
        "退款 ¥89.00",
        "杯身裂缝属质量问题",
        RULE,
        "消费者保障专员 guard01",
        "id=\"appeal-deadline\"",
    ] {
        assert!(page.contains(want), "{want}: {page}");
    }
    // Proposals with their amounts; staff by role and name, never by number.
    for want in ["退款 ¥45.00", "退款 ¥60.00", "客服专员 agent01"] {
        assert!(page.contains(want), "{want}: {page}");
    }
    assert!(!page.contains("平台工作人员 #"), "{page}");

    // The same in English, the rule by its English title.
    let (_, page, _) = b.get(&format!("{path}?lang=en")).await;
    for want in [
        "uphold the consumer",
        "Dispute Rules art. 17: quality defects",
        "Consumer protection specialist guard01",
        "Customer service agent agent01",
        "refund ¥60.00",
        // The platform's column names who said it, too.
        "Customer service agent agent01 · remedy proposed",
    ] {
        assert!(page.contains(want), "{want}: {page}");
    }
    // The merchant reads the same ruling.
    let mut s = Browser::new(&app);
    s.sign_in("seller01").await;
    let (_, page, _) = s.get(&path).await;
    assert!(page.contains("杯身裂缝属质量问题") && page.contains("id=\"appeal-deadline\""));

    // After the window, the page says it has closed.
    app.advance(chrono::Duration::days(8));
    let (_, page, _) = b.get(&path).await;
    assert!(page.contains("申诉期已于"), "{page}");
}

both_backends!(a_ruling_and_who_decided_are_shown,);
