//! The agents' side of 客服小蜜 in Chromium: a consumer asks the assistant for a person, an
//! agent finds the chat in the hand-over queue, takes it and answers, the consumer's next words
//! arrive on the agent's open page, and the consumer reads the answer. Then a ruled complaint
//! with its reasons, rules and appeal deadline.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::{Value, json};

use crate::helpers::json_of;
use crate::page::{Run, Walk};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_answer_chats_and_rulings_are_read() {
    let mut r = Run::start("agent").await;
    walk(&mut r.w).await;
    r.close().await;
}

/// Waits for a line of a chat that says `text`.
async fn line(w: &Walk, list: &str, text: &str) {
    let xpath = format!("//ol[@id='{list}']/li[contains(., '{text}')]");
    w.b.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("no line {text:?} in #{list}: {e}"));
}

async fn walk(w: &mut Walk) {
    // The consumer asks 客服小蜜 for a person.
    w.sign_in("buyer01").await;
    w.click("#nav-chat").await;
    w.el("#chat-form[data-live]").await;
    for text in ["我买的杯子漏水", "转人工"] {
        w.fill("#chat-text", text).await;
        w.el("#chat-send").await.click().await.unwrap();
        line(w, "chat-turns", text).await;
    }
    w.b.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//p[@id='chat-status'][contains(., '已转人工')]",
        ))
        .await
        .unwrap();
    let url = w.b.current_url().await.unwrap();
    let sid = url
        .query_pairs()
        .find(|(k, _)| k == "session")
        .map(|(_, v)| v.into_owned())
        .expect("the address names the conversation");
    w.sign_out().await;

    // The agent finds it in the queue, takes it and answers.
    w.sign_in("agent01").await;
    w.click("#nav-handovers").await;
    w.shoot("handovers").await;
    w.shoot_phone("handovers").await;
    w.click(&format!("a.handover-link[data-id='{sid}']")).await;
    assert!(w.text("#handover-turns").await.contains("我买的杯子漏水"));
    w.shoot("handover-waiting").await;
    w.click("#take").await;
    w.fill("#reply-text", "您好，我是客服，请把漏水的照片发给我")
        .await;
    w.click("#reply-send").await;
    line(w, "handover-turns", "请把漏水的照片发给我").await;
    assert_eq!(
        w.el("#handover-status")
            .await
            .attr("data-status")
            .await
            .unwrap()
            .as_deref(),
        Some("taken")
    );
    // The consumer's next words arrive on the open page by themselves.
    let buyer = w.app.login("buyer01").await;
    json_of(
        w.app
            .post(
                &buyer,
                "/api/v1/assistant/chat",
                json!({"session_id": sid, "text": "好的，照片稍后发"}),
            )
            .await,
        reqwest::StatusCode::OK,
    )
    .await;
    line(w, "handover-turns", "好的，照片稍后发").await;
    w.settle().await;
    w.shoot("handover-taken").await;
    w.shoot_phone("handover-taken").await;
    w.sign_out().await;

    // The consumer reads the agent's answer in their conversation.
    w.sign_in("buyer01").await;
    w.go(&format!("/chat?session={sid}")).await;
    line(w, "chat-turns", "请把漏水的照片发给我").await;
    w.shoot("consumer-chat-answered").await;

    // A ruled complaint: the reasons, the rules cited and the appeal deadline, for the consumer.
    let app = &w.app;
    let (seller, agent, guard) = (
        app.login("seller01").await,
        app.login("agent01").await,
        app.login("guard01").await,
    );
    let id = app
        .file_ok(
            &buyer,
            "A3",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    let steps: [(&str, Value); 5] = [
        (
            seller.as_str(),
            json!({"action": "propose", "remedy": {"kind": "refund", "amount_cents": 3000}, "message": "可退30元"}),
        ),
        (buyer.as_str(), json!({"action": "escalate"})),
        (
            agent.as_str(),
            json!({"action": "propose", "remedy": {"kind": "refund", "amount_cents": 6000}, "message": "建议退款60元"}),
        ),
        (buyer.as_str(), json!({"action": "escalate"})),
        (
            guard.as_str(),
            json!({"action": "rule", "decision": "partial", "remedy": {"kind": "refund", "amount_cents": 6000},
                   "rule_refs": ["《淘宝平台争议处理规则》第十七条（商品质量问题）"],
                   "reason": "杯身裂缝属质量问题，但买家已使用一月，酌情部分支持"}),
        ),
    ];
    for (who, body) in steps {
        app.act_ok(who, id, body).await;
    }
    w.go(&format!("/complaints/{id}")).await;
    assert!(w.text("#ruling-reason").await.contains("酌情部分支持"));
    assert!(w.text("#ruling-by").await.contains("消费者保障专员"));
    assert!(w.exists("#appeal-deadline .countdown").await);
    assert!(!w.text("#timeline").await.contains('#'));
    w.shoot("complaint-ruled").await;
    w.shoot_phone("complaint-ruled").await;
}
