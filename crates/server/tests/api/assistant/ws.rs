//! The chat WebSocket: the same turns as over HTTP, and the agent's words pushed to the consumer.

use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::both_backends;
use crate::helpers::*;

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
    the_websocket_speaks_the_same_turns,
    the_websocket_brings_the_agents_words,
    agents_on_the_same_node_are_pushed_without_polling,
);
