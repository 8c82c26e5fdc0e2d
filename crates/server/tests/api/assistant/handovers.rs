//! The hand-over to an agent: 转人工 lands in an agents' queue, taken and answered there.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{reply, say};
use crate::both_backends;
use crate::helpers::*;

async fn escalation_lands_in_an_agents_queue(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let v = say(&app, &buyer, None, "我买的杯子漏水").await;
    let sid = v["session_id"].as_str().unwrap().to_owned();
    let v = say(&app, &buyer, Some(&sid), "转人工").await;
    assert_eq!(v["intent"], "escalate");
    assert_eq!(v["handover"]["status"], "handed_over", "{v}");
    assert_eq!(v["handover"]["queue"], "cs_agent");
    // A nudge while waiting is only passed on; the problem told meanwhile is drafted, and the
    // chat stays in the queue.
    let v = say(&app, &buyer, Some(&sid), "还在吗").await;
    assert!(reply(&v).contains("转接人工"), "{v}");
    let v = say(
        &app,
        &buyer,
        Some(&sid),
        "昨天收到的，倒热水就从杯子底部一直往外漏水",
    )
    .await;
    assert_eq!(v["handover"]["status"], "handed_over", "{v}");
    assert!(reply(&v).contains("客服接入"), "{v}");
    assert!(!v["awaiting"].is_null(), "{v}");

    let agent = app.login("agent01").await;
    let q: Value = app
        .get(&agent, "/api/v1/assistant/handovers")
        .await
        .json()
        .await
        .unwrap();
    let items = q["items"].as_array().unwrap();
    let s = items
        .iter()
        .find(|s| s["id"] == sid.as_str())
        .unwrap_or_else(|| panic!("{q}"));
    assert_eq!(s["status"], "handed_over");
    let said: Vec<&str> = s["turns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["body"].as_str().unwrap())
        .collect();
    assert!(
        said.contains(&"我买的杯子漏水") && said.contains(&"转人工"),
        "with its history: {said:?}"
    );

    // Only tier-1 agents see the queue; a session that was not handed over is nobody's business.
    let seller = app.login("seller01").await;
    assert_error(
        app.get(&seller, "/api/v1/assistant/handovers").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let other = say(&app, &buyer, None, "怎么投诉").await;
    let r = app
        .post(
            &agent,
            &format!(
                "/api/v1/assistant/handovers/{}/take",
                other["session_id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;

    // Replying needs taking first; then the agent's words reach the consumer's session.
    let path = format!("/api/v1/assistant/handovers/{sid}/messages");
    assert_error(
        app.post(&agent, &path, json!({"body": "您好"})).await,
        StatusCode::CONFLICT,
        "chat_not_taken",
    )
    .await;
    let r = app
        .post(
            &agent,
            &format!("/api/v1/assistant/handovers/{sid}/take"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "taken");
    // The consumer is told a person has the chat, with a link back to it; taking it again
    // tells no one twice.
    app.post(
        &agent,
        &format!("/api/v1/assistant/handovers/{sid}/take"),
        json!({}),
    )
    .await;
    let inbox = json_of(
        app.get(&buyer, "/api/v1/notifications").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(inbox["items"].as_array().unwrap().len(), 1, "{inbox}");
    assert_eq!(inbox["items"][0]["kind"], "chat_taken");
    assert_eq!(inbox["items"][0]["link"], format!("/chat?session={sid}"));
    let r = app
        .post(
            &agent,
            &path,
            json!({"body": "您好，我是客服小王，请把漏水的照片发给我"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_error(
        app.post(&agent, &path, json!({"body": ""})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;

    // With a person on the chat, 小蜜 keeps quiet: nothing said, nothing stored for her.
    let v = say(&app, &buyer, Some(&sid), "好的，照片稍后发").await;
    assert_eq!(v["handover"]["status"], "taken", "{v}");
    assert_eq!(v["reply"], "", "{v}");
    assert!(v["awaiting"].is_null(), "{v}");
    let turns_of = |s: &Value| s["turns"].as_array().unwrap().clone();
    let s: Value = app
        .get(&buyer, &format!("/api/v1/assistant/sessions/{sid}"))
        .await
        .json()
        .await
        .unwrap();
    let turns = turns_of(&s);
    assert!(
        turns
            .iter()
            .any(|t| t["role"] == "agent" && t["body"].as_str().unwrap().contains("客服小王")),
        "{s}"
    );
    assert_eq!(turns.last().unwrap()["role"], "consumer", "{s}");
    assert_eq!(turns.last().unwrap()["body"], "好的，照片稍后发");
    // (Before the agent took it, the nudge 「还在吗」 was answered that it was passed on.)
    let agent_at = turns
        .iter()
        .position(|t| t["role"] == "agent")
        .expect("the agent's reply");
    assert!(
        !turns[agent_at..].iter().any(|t| t["role"] == "assistant"),
        "no bot reply once the agent has it: {s}"
    );

    // Asked a rules question, or called by name, she answers.
    let v = say(&app, &buyer, Some(&sid), "小蜜，七天无理由退货是什么规则？").await;
    assert!(reply(&v).contains("七天无理由"), "{v}");
    let s: Value = app
        .get(&buyer, &format!("/api/v1/assistant/sessions/{sid}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(turns_of(&s).last().unwrap()["role"], "assistant", "{s}");
}

both_backends!(escalation_lands_in_an_agents_queue,);
