//! 客服小蜜 over HTTP and WebSocket: from a consumer's words to a filed complaint, the calmer
//! rewrite, the hand-over to an agent, reports, and the refusals.
//!
//! One file per route family of `src/api/assistant.rs`: chat, handovers, refusals, ws.

mod chat;
mod handovers;
mod refusals;
mod ws;

use reqwest::StatusCode;
use serde_json::{Value, json};

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
