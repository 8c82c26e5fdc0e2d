//! `GET /api/v1/assistant/ws`: the chat over a WebSocket, and the agent's side pushed to the
//! consumer once the chat is handed over.

use axum::extract::State;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use weiquan_domain::*;
use weiquan_store::*;

use super::{ChatRequest, Handover, chat_turn, consumers_only};
use crate::AppState;
use crate::auth::token_hash;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WsQuery {
    /// The bearer token, for clients that cannot set headers on a WebSocket.
    pub token: Option<String>,
}

/// `GET /api/v1/assistant/ws`: the same turns over a WebSocket. Browsers cannot set headers on a
/// WebSocket, so the bearer token may come as `?token=` instead of the `Authorization` header.
/// Each text frame `{"session_id"?, "text"}` is answered by one text frame: the
/// [`ChatResponse`](super::ChatResponse), or `{"error": {"code", "message", "fields"?}}` in the
/// caller's language.
/// Frames without a `session_id` continue the socket's own conversation. The web chat page opens
/// it with its session cookie instead, accepted only with this host's own `Origin`. Once that conversation
/// is handed over, the socket also pushes, unasked, what the agent does ([`AgentNews`]): a frame
/// with `"event": "taken"` when an agent takes it, and one with `"event": "agent_message"` for
/// each of the agent's messages. A frame `{"session_id"}` without `text` continues that
/// conversation on this socket (a reloaded page) and is answered `{"session_id", "watching"}`:
/// whether the agent's side will be pushed.
#[utoipa::path(get, path = "/api/v1/assistant/ws", tag = "assistant", params(WsQuery),
    responses((status = 101, description = "switched to the WebSocket protocol"),
        (status = 400, description = "not a WebSocket upgrade request"),
        (status = 403, description = "not a consumer, or a cookie sent from another site's page"),
        (status = 426, description = "the connection cannot be upgraded")),
    security(("bearer" = []), ()))]
pub async fn ws(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<WsQuery>,
    lang: crate::lang::ReqLang,
    headers: axum::http::HeaderMap,
    ws: WebSocketUpgrade,
) -> ApiResult<Response> {
    let token = match crate::extract::bearer_token(&headers)
        .map(str::to_string)
        .or(q.token)
    {
        Some(t) => t,
        // The web chat page: the browser sends its session cookie. So would another site's page
        // that opened this socket (cross-site WebSocket hijacking), so only our own pages may.
        None => match crate::web::session::session_secret(&state, &headers) {
            Some(t) if same_origin(&headers) => t.to_owned(),
            Some(_) => {
                return Err(ApiError::forbidden(
                    "只能从本站页面打开对话",
                    "the chat opens from this site's pages only",
                ));
            }
            None => return Err(ApiError::unauthenticated()),
        },
    };
    let user = state
        .store
        .session_user(&token_hash(&token), state.clock.now())
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    consumers_only(&user)?;
    Ok(ws.on_upgrade(move |socket| run_socket(socket, state, user, lang.0)))
}

/// Whether the request's `Origin` is the host it was sent to.
fn same_origin(headers: &axum::http::HeaderMap) -> bool {
    let get = |h| {
        headers
            .get(h)
            .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
    };
    match (
        get(axum::http::header::ORIGIN),
        get(axum::http::header::HOST),
    ) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, o)| o.eq_ignore_ascii_case(host)),
        _ => false,
    }
}

/// A frame pushed to the consumer's socket about the agent's side of a handed-over chat.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AgentNews {
    pub session_id: String,
    /// `taken` (an agent has the chat now) or `agent_message`.
    pub event: &'static str,
    pub handover: Handover,
    /// The agent's message, for `agent_message`.
    pub turn: Option<ChatTurn>,
}

/// What a socket has told its consumer of a handed-over chat.
struct Watch {
    session: String,
    status: ChatStatus,
    /// The latest turn already known to the consumer.
    seen: i64,
}

impl Watch {
    async fn start(state: &AppState, user: &User, session: &str) -> ApiResult<Watch> {
        let s = state.store.chat_session(&user.actor(), session).await?;
        Ok(Watch {
            session: session.to_owned(),
            status: s.status,
            seen: s.turns.iter().map(|t| t.seq).max().unwrap_or(0),
        })
    }

    /// The frames for what happened since the last look, oldest first.
    async fn news(&mut self, state: &AppState, user: &User) -> ApiResult<Vec<AgentNews>> {
        let s = state
            .store
            .chat_session(&user.actor(), &self.session)
            .await?;
        let handover = || Handover {
            status: s.status,
            queue: "cs_agent",
            agent_id: s.agent_id,
        };
        let mut out = vec![];
        if s.status == ChatStatus::Taken && self.status != ChatStatus::Taken {
            out.push(AgentNews {
                session_id: s.id.clone(),
                event: "taken",
                handover: handover(),
                turn: None,
            });
        }
        self.status = s.status;
        for t in s.turns.iter().filter(|t| t.seq > self.seen) {
            if t.role == ChatRole::Agent {
                out.push(AgentNews {
                    session_id: s.id.clone(),
                    event: "agent_message",
                    handover: handover(),
                    turn: Some(t.clone()),
                });
            }
        }
        self.seen = s.turns.iter().map(|t| t.seq).max().unwrap_or(self.seen);
        Ok(out)
    }
}

/// Sends what the agents did since the socket last looked; `false` once the socket is gone.
async fn push_news(socket: &mut WebSocket, w: &mut Watch, state: &AppState, user: &User) -> bool {
    match w.news(state, user).await {
        Ok(news) => {
            for n in news {
                let frame = serde_json::to_string(&n).unwrap_or_default();
                if socket.send(WsMessage::Text(frame.into())).await.is_err() {
                    return false;
                }
            }
        }
        // Looked again at the next news or tick; a failing store is in the server's log.
        Err(e) => tracing::warn!(error = %e.message.en, "agent news for a chat socket"),
    }
    true
}

async fn run_socket(mut socket: WebSocket, state: AppState, user: User, lang: Lang) {
    let mut current: Option<String> = None;
    let mut watch: Option<Watch> = None;
    // What agents do through this node arrives at once; through another, at the next tick (the
    // store is the truth either way).
    let mut news = state.chat_news.subscribe();
    let mut tick = tokio::time::interval(state.agent_poll);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let msg = tokio::select! {
            msg = socket.recv() => msg,
            _ = tick.tick(), if watch.is_some() => {
                if let Some(w) = watch.as_mut()
                    && !push_news(&mut socket, w, &state, &user).await
                {
                    return;
                }
                continue;
            }
            got = news.recv(), if watch.is_some() => {
                let ours = match &got {
                    Ok(id) => watch.as_ref().is_some_and(|w| *w.session == **id),
                    // Missed some: look anyway.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => true,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => false,
                };
                if ours
                    && let Some(w) = watch.as_mut()
                    && !push_news(&mut socket, w, &state, &user).await
                {
                    return;
                }
                continue;
            }
        };
        let Some(Ok(msg)) = msg else { break };
        let text = match msg {
            WsMessage::Text(t) => t,
            WsMessage::Close(_) => break,
            _ => continue,
        };
        let out = match serde_json::from_str::<ChatRequest>(text.as_str()) {
            Err(_) => error_json(
                &ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_json",
                    "消息应为 JSON：{\"session_id\"?, \"text\"}",
                    "a frame must be JSON: {\"session_id\"?, \"text\"}",
                ),
                lang,
            ),
            // A page that reloads a conversation asks to hear the agent's side of it again.
            Ok(ChatRequest {
                session_id: Some(id),
                text: None,
            }) => match Watch::start(&state, &user, &id).await {
                Ok(w) => {
                    current = Some(id.clone());
                    let watching = w.status != ChatStatus::Active;
                    watch = watching.then_some(w);
                    serde_json::json!({"session_id": id, "watching": watching}).to_string()
                }
                Err(e) => error_json(&e, lang),
            },
            Ok(mut req) => {
                if req.session_id.is_none() {
                    req.session_id = current.clone();
                }
                match chat_turn(&state, &user, req).await {
                    Ok(r) => {
                        current = Some(r.session_id.clone());
                        let watched = watch.as_ref().map(|w| w.session.as_str());
                        if r.handover.is_some() && watched != Some(r.session_id.as_str()) {
                            watch = Watch::start(&state, &user, &r.session_id).await.ok();
                        } else if r.handover.is_none() && watched == Some(r.session_id.as_str()) {
                            watch = None;
                        }
                        serde_json::to_string(&r).unwrap_or_default()
                    }
                    Err(e) => error_json(&e, lang),
                }
            }
        };
        if socket.send(WsMessage::Text(out.into())).await.is_err() {
            break;
        }
    }
}

fn error_json(e: &ApiError, lang: Lang) -> String {
    let mut err = serde_json::json!({"code": e.code, "message": e.message.get(lang)});
    if !e.fields.is_empty() {
        let fields: serde_json::Map<String, Value> = e
            .fields
            .iter()
            .map(|f| (f.field.clone(), Value::from(f.message.get(lang))))
            .collect();
        err["fields"] = Value::Object(fields);
    }
    serde_json::json!({ "error": err }).to_string()
}
