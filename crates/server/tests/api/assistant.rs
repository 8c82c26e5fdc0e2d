//! 客服小蜜 over HTTP and WebSocket: from a consumer's words to a filed complaint, the calmer
//! rewrite, the hand-over to an agent, reports, and the refusals.

use chrono::{Duration, Utc};
use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::both_backends;
use crate::helpers::*;

async fn say(app: &TestApp, token: &str, session: Option<&str>, text: &str) -> Value {
    let mut body = json!({ "text": text });
    if let Some(s) = session {
        body["session_id"] = json!(s);
    }
    let r = app.post(token, "/api/v1/assistant/chat", body).await;
    assert_eq!(r.status(), StatusCode::OK, "{text}");
    r.json().await.unwrap()
}

fn reply(v: &Value) -> &str {
    v["reply"].as_str().unwrap()
}

async fn files_a_leaking_cup(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;

    let v = say(&app, &buyer, None, "我买的杯子漏水").await;
    let sid = v["session_id"].as_str().unwrap().to_owned();
    assert_eq!(v["intent"], "quality_defect", "{v}");
    assert_eq!(v["tone"], "calm");
    assert_eq!(v["slots"]["product"], "304不锈钢保温杯 500ml", "{v}");
    // Several of buyer01's orders hold the cup: which one?
    assert!(
        reply(&v).contains("哪一笔订单") && reply(&v).contains(&order("A2")),
        "{v}"
    );
    assert!(v.get("draft").is_none_or(Value::is_null));

    let v = say(
        &app,
        &buyer,
        Some(&sid),
        &format!("订单号是{}", order("A2")),
    )
    .await;
    assert_eq!(v["slots"]["order_no"], order("A2"));
    assert!(reply(&v).contains("具体描述"), "{v}");
    let v = say(
        &app,
        &buyer,
        Some(&sid),
        "倒满热水以后杯底一直往外渗水，桌子都湿了",
    )
    .await;
    assert!(reply(&v).contains("什么时候"), "{v}");
    let v = say(&app, &buyer, Some(&sid), "昨天").await;
    assert!(v["slots"]["incident_at"].is_string(), "{v}");
    assert!(reply(&v).contains("退款"), "asks the claim: {v}");
    let v = say(&app, &buyer, Some(&sid), "退款").await;
    assert!(
        reply(&v).contains("金额") && reply(&v).contains("89.00"),
        "{v}"
    );
    let v = say(&app, &buyer, Some(&sid), "89元").await;
    let draft = &v["draft"];
    assert_eq!(draft["type"], "complaint", "{v}");
    assert_eq!(draft["order_no"], order("A2"));
    assert_eq!(draft["category"], "quality_defect");
    assert_eq!(
        draft["claim"],
        json!({"kind": "refund", "amount_cents": 8900})
    );
    assert!(reply(&v).contains("确认提交吗"));
    assert!(
        v["complaint_id"].is_null(),
        "nothing filed before the consumer confirms"
    );

    let v = say(&app, &buyer, Some(&sid), "确认").await;
    let id = v["complaint_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("filed: {v}"));
    assert!(reply(&v).contains(&format!("#{id}")), "{v}");

    // The complaint is a real one, filed through the same path as the API.
    let c: Value = app
        .get(&buyer, &format!("/api/v1/complaints/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(c["channel"], "chat");
    assert_eq!(c["order_no"], order("A2"));
    assert_eq!(c["product"], "304不锈钢保温杯 500ml");
    assert_eq!(c["category"], "quality_defect");
    assert_eq!(c["claim"], json!({"kind": "refund", "amount_cents": 8900}));
    assert_eq!(c["state"], "awaiting_merchant");
    assert!(
        c["description"]
            .as_str()
            .unwrap()
            .contains("杯底一直往外渗水"),
        "{c}"
    );
    let at = chrono::DateTime::parse_from_rfc3339(c["incident_at"].as_str().unwrap()).unwrap();
    let ago = Utc::now() - at.with_timezone(&Utc);
    assert!(
        ago > Duration::hours(1) && ago < Duration::hours(49),
        "yesterday: {at}"
    );

    // The transcript is frozen as chat_log evidence, hashed like an upload.
    let ev: Value = app
        .get(&buyer, &format!("/api/v1/complaints/{id}/evidence"))
        .await
        .json()
        .await
        .unwrap();
    let ev = ev
        .as_array()
        .unwrap_or_else(|| ev["items"].as_array().unwrap());
    let log = ev
        .iter()
        .find(|e| e["kind"] == "chat_log")
        .unwrap_or_else(|| panic!("{ev:?}"));
    let sha = log["sha256"].as_str().unwrap();
    let r = app
        .get(&buyer, &format!("/api/v1/complaints/{id}/evidence/{sha}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    for said in [
        "我买的杯子漏水",
        "杯底一直往外渗水",
        "89元",
        "确认",
        "哪一笔订单",
    ] {
        assert!(text.contains(said), "{said} in {text}");
    }
    assert_eq!(weiquan_domain::Sha256::of(text.as_bytes()).as_str(), sha);
    // The merchant sees the complaint and its transcript like any other.
    let seller = app.login("seller01").await;
    let r = app
        .get(&seller, &format!("/api/v1/complaints/{id}/evidence/{sha}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // The session carries both sides of every turn.
    let s: Value = app
        .get(&buyer, &format!("/api/v1/assistant/sessions/{sid}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["complaint_id"], id);
    assert_eq!(
        s["turns"].as_array().unwrap().len(),
        14,
        "seven turns, both sides: {s}"
    );

    // And it is in the audit chain like every complaint.
    let events: Value = app
        .get(&buyer, &format!("/api/v1/complaints/{id}/events"))
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap_or_else(|| events["items"].as_array().unwrap())
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["filed", "evidence_added"]);
}

async fn heated_words_get_a_calmer_rewrite(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let v = say(
        &app,
        &buyer,
        None,
        "垃圾商家！！！保温杯用了两天就漏水，骗子，不给退就曝光你们！！！",
    )
    .await;
    let sid = v["session_id"].as_str().unwrap().to_owned();
    assert_eq!(v["tone"], "emotional", "{v}");
    let r = reply(&v);
    assert!(r.contains("平和"), "{r}");
    let calm = r
        .split('「')
        .nth(1)
        .and_then(|s| s.split('」').next())
        .unwrap_or_else(|| panic!("a rewrite: {r}"));
    assert!(
        !calm.contains("垃圾") && !calm.contains("骗子") && !calm.contains("！！！"),
        "{calm}"
    );
    assert!(
        calm.contains("漏水") && calm.contains("两天"),
        "the facts stay: {calm}"
    );

    let v = say(&app, &buyer, Some(&sid), "好").await;
    assert_eq!(v["slots"]["description"], calm, "{v}");
    assert!(reply(&v).contains("已采用"), "{v}");

    // English is answered in English, with the same care.
    let v = say(
        &app,
        &buyer,
        None,
        "THIS IS A SCAM!!! the cup leaks and you idiots won't refund me!!!",
    )
    .await;
    assert_eq!(v["tone"], "emotional", "{v}");
    assert!(reply(&v).contains("calmer version"), "{v}");
}

async fn escalation_lands_in_an_agents_queue(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let v = say(&app, &buyer, None, "我买的杯子漏水").await;
    let sid = v["session_id"].as_str().unwrap().to_owned();
    let v = say(&app, &buyer, Some(&sid), "转人工").await;
    assert_eq!(v["intent"], "escalate");
    assert_eq!(v["handover"]["status"], "handed_over", "{v}");
    assert_eq!(v["handover"]["queue"], "cs_agent");

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

    let v = say(&app, &buyer, Some(&sid), "好的，照片稍后发").await;
    assert_eq!(v["handover"]["status"], "taken", "{v}");
    let s: Value = app
        .get(&buyer, &format!("/api/v1/assistant/sessions/{sid}"))
        .await
        .json()
        .await
        .unwrap();
    let turns = s["turns"].as_array().unwrap();
    assert!(
        turns
            .iter()
            .any(|t| t["role"] == "agent" && t["body"].as_str().unwrap().contains("客服小王")),
        "{s}"
    );
    assert_eq!(turns.last().unwrap()["role"], "assistant");
    assert_eq!(turns[turns.len() - 2]["body"], "好的，照片稍后发");
}

async fn violations_become_reports(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let v = say(
        &app,
        &buyer,
        None,
        "我要举报shop-b 旗舰店刷单，他们让我刷好评返现，还寄空包裹冲销量",
    )
    .await;
    let sid = v["session_id"].as_str().unwrap().to_owned();
    assert_eq!(v["draft"]["type"], "report", "{v}");
    assert_eq!(v["draft"]["shop_id"], "shop-b");
    assert_eq!(v["draft"]["kind"], "fake_transactions");
    let v = say(&app, &buyer, Some(&sid), "确认").await;
    let id = v["report_id"].as_i64().unwrap_or_else(|| panic!("{v}"));
    assert!(v["complaint_id"].is_null());
    let r: Value = app
        .get(&buyer, &format!("/api/v1/reports/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["channel"], "chat", "{r}");
    assert_eq!(r["shop_id"], "shop-b");
    let complaints: Value = app
        .get(&buyer, "/api/v1/complaints")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        complaints["items"].as_array().unwrap().len(),
        0,
        "not a personal complaint"
    );
}

async fn status_and_rules_are_answered(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let id = app
        .file_ok(&buyer, "A1", json!({"kind": "refund", "amount_cents": 100}))
        .await;
    let v = say(&app, &buyer, None, "我的投诉现在处理到哪一步了？").await;
    assert_eq!(v["intent"], "check_status");
    assert!(
        reply(&v).contains(&format!("#{id}")) && reply(&v).contains("待商家处理"),
        "{v}"
    );
    let v = say(&app, &buyer, None, "七天无理由退货是什么规则？").await;
    assert!(
        reply(&v).contains("shop-a 旗舰店") && reply(&v).contains("48小时内发货"),
        "{v}"
    );
    let v = say(&app, &buyer, None, "运费险怎么理赔").await;
    assert!(reply(&v).contains("运费险"), "the FAQ: {v}");
}

async fn refusals_are_clear(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let path = "/api/v1/assistant/chat";
    assert_error(
        app.post(&seller, path, json!({"text": "你好"})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let e = assert_error(
        app.post(&buyer, path, json!({"text": "  "})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(e["error"]["fields"]["text"].is_string(), "{e}");
    assert_error(
        app.post(&buyer, path, json!({"text": "长".repeat(1001)}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_error(
        app.post(&buyer, path, json!({"session_id": "nope", "text": "你好"}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let r = app
        .http
        .post(app.url(path))
        .bearer_auth(&buyer)
        .body("{")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = app
        .http
        .post(app.url(path))
        .json(&json!({"text": "你好"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Someone else's conversation does not exist for you.
    let v = say(&app, &buyer, None, "我买的杯子漏水").await;
    let sid = v["session_id"].as_str().unwrap();
    let other = app.login("buyer02").await;
    assert_error(
        app.post(&other, path, json!({"session_id": sid, "text": "你好"}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        app.get(&other, &format!("/api/v1/assistant/sessions/{sid}"))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

async fn the_websocket_speaks_the_same_turns(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let ws_url = app
        .url(&format!("/api/v1/assistant/ws?token={buyer}"))
        .replacen("http", "ws", 1);
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_url.as_str())
        .await
        .unwrap();
    ws.send(Message::Text(
        json!({"text": "我买的杯子漏水"}).to_string().into(),
    ))
    .await
    .unwrap();
    let first: Value = next_json(&mut ws).await;
    assert_eq!(first["intent"], "quality_defect", "{first}");
    // Without a session_id, the socket continues its own conversation.
    ws.send(Message::Text(
        json!({"text": format!("订单号{}", order("A3"))})
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    let second = next_json(&mut ws).await;
    assert_eq!(second["session_id"], first["session_id"]);
    assert_eq!(second["slots"]["order_no"], order("A3"));
    ws.send(Message::Text("not json".into())).await.unwrap();
    let bad = next_json(&mut ws).await;
    assert_eq!(bad["error"]["code"], "bad_json");
    ws.send(Message::Text(json!({"text": ""}).to_string().into()))
        .await
        .unwrap();
    assert_eq!(next_json(&mut ws).await["error"]["code"], "validation");

    // The Authorization header works too; no token, or a merchant's, is refused before upgrading.
    let mut req = app
        .url("/api/v1/assistant/ws")
        .replacen("http", "ws", 1)
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("authorization", format!("Bearer {buyer}").parse().unwrap());
    assert!(tokio_tungstenite::connect_async(req).await.is_ok());
    let no_token = app.url("/api/v1/assistant/ws").replacen("http", "ws", 1);
    assert!(
        tokio_tungstenite::connect_async(no_token.as_str())
            .await
            .is_err()
    );
    let seller = app.login("seller01").await;
    let as_seller = app
        .url(&format!("/api/v1/assistant/ws?token={seller}"))
        .replacen("http", "ws", 1);
    assert!(
        tokio_tungstenite::connect_async(as_seller.as_str())
            .await
            .is_err()
    );
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// buyer01's socket after 转人工: the socket, the session id and the socket's URL.
async fn handed_over_socket(app: &TestApp) -> (Socket, String, String) {
    let buyer = app.login("buyer01").await;
    let ws_url = app
        .url(&format!("/api/v1/assistant/ws?token={buyer}"))
        .replacen("http", "ws", 1);
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_url.as_str())
        .await
        .unwrap();
    for text in ["我买的杯子漏水", "转人工"] {
        ws.send(Message::Text(json!({"text": text}).to_string().into()))
            .await
            .unwrap();
    }
    let first = next_json(&mut ws).await;
    let sid = first["session_id"].as_str().unwrap().to_owned();
    let handed = next_json(&mut ws).await;
    assert_eq!(handed["handover"]["status"], "handed_over", "{handed}");
    (ws, sid, ws_url)
}

/// agent01 takes the chat and says `bodies`, through the API; returns the agent's token.
async fn agent_takes_and_says(app: &TestApp, sid: &str, bodies: &[&str]) -> String {
    let agent = app.login("agent01").await;
    let r = app
        .post(
            &agent,
            &format!("/api/v1/assistant/handovers/{sid}/take"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let path = format!("/api/v1/assistant/handovers/{sid}/messages");
    for body in bodies {
        let r = app.post(&agent, &path, json!({"body": body})).await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    agent
}

/// After 转人工 on the socket, what the agent does reaches the consumer without asking: the take,
/// then each message, in order.
async fn the_websocket_brings_the_agents_words(backend: Backend) {
    let app = spawn_app(backend).await;
    let (mut ws, sid, ws_url) = handed_over_socket(&app).await;
    let agent =
        agent_takes_and_says(&app, &sid, &["您好，我是客服小王", "请把漏水的照片发给我"]).await;
    let path = format!("/api/v1/assistant/handovers/{sid}/messages");
    let mut pushed = vec![];
    while pushed.len() < 3 {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(10), next_json(&mut ws))
            .await
            .expect("the agent's side pushed within 10 s");
        assert_eq!(frame["session_id"], sid.as_str(), "{frame}");
        pushed.push(frame);
    }
    assert_eq!(pushed[0]["event"], "taken", "{pushed:?}");
    assert_eq!(pushed[0]["handover"]["status"], "taken");
    assert!(pushed[0]["handover"]["agent_id"].is_i64(), "{pushed:?}");
    let said: Vec<&str> = pushed[1..]
        .iter()
        .map(|f| {
            assert_eq!(f["event"], "agent_message", "{f}");
            assert_eq!(f["turn"]["role"], "agent", "{f}");
            f["turn"]["body"].as_str().unwrap()
        })
        .collect();
    assert_eq!(said, ["您好，我是客服小王", "请把漏水的照片发给我"]);

    // The consumer's next words get their own answer; nothing is pushed twice.
    ws.send(Message::Text(json!({"text": "好的"}).to_string().into()))
        .await
        .unwrap();
    let answer = next_json(&mut ws).await;
    assert_eq!(answer["handover"]["status"], "taken", "{answer}");
    assert!(answer.get("event").is_none(), "{answer}");
    let quiet =
        tokio::time::timeout(std::time::Duration::from_millis(2500), next_json(&mut ws)).await;
    assert!(quiet.is_err(), "pushed again: {quiet:?}");

    // A reloaded page opens another socket and asks to follow the conversation again.
    let (mut again, _) = tokio_tungstenite::connect_async(ws_url.as_str())
        .await
        .unwrap();
    again
        .send(Message::Text(json!({"session_id": sid}).to_string().into()))
        .await
        .unwrap();
    let v = next_json(&mut again).await;
    assert_eq!(v, json!({"session_id": sid, "watching": true}));
    let r = app.post(&agent, &path, json!({"body": "收到照片了"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let frame = tokio::time::timeout(std::time::Duration::from_secs(10), next_json(&mut again))
        .await
        .expect("pushed to the reloaded page");
    assert_eq!(frame["turn"]["body"], "收到照片了", "{frame}");
    // Another consumer's conversation cannot be followed.
    let other = app.login("buyer02").await;
    let other_url = app
        .url(&format!("/api/v1/assistant/ws?token={other}"))
        .replacen("http", "ws", 1);
    let (mut theirs, _) = tokio_tungstenite::connect_async(other_url.as_str())
        .await
        .unwrap();
    theirs
        .send(Message::Text(json!({"session_id": sid}).to_string().into()))
        .await
        .unwrap();
    assert_eq!(next_json(&mut theirs).await["error"]["code"], "not_found");
}

/// What an agent does through the consumer's own node reaches the socket at once, not at the
/// next poll: on a node that polls once an hour, the take and the reply still arrive (the poll's
/// first tick, at the handover, may bring the take; only the news can bring the reply).
async fn agents_on_the_same_node_are_pushed_without_polling(backend: Backend) {
    let first = spawn_app(backend).await;
    let app = first
        .another_server(|s| s.agent_poll = std::time::Duration::from_secs(3600))
        .await;
    let (mut ws, sid, _) = handed_over_socket(&app).await;
    agent_takes_and_says(&app, &sid, &["您好，我是客服小王"]).await;
    let mut events = vec![];
    while events.len() < 2 {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(30), next_json(&mut ws))
            .await
            .expect("pushed without waiting for the hourly poll");
        events.push(frame["event"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(events, ["taken", "agent_message"]);
}

async fn next_json<S>(ws: &mut S) -> Value
where
    S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        match ws.next().await.expect("a frame").expect("a good frame") {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            _ => continue,
        }
    }
}

both_backends!(
    files_a_leaking_cup,
    heated_words_get_a_calmer_rewrite,
    escalation_lands_in_an_agents_queue,
    violations_become_reports,
    status_and_rules_are_answered,
    refusals_are_clear,
    the_websocket_speaks_the_same_turns,
    the_websocket_brings_the_agents_words,
    agents_on_the_same_node_are_pushed_without_polling,
);
