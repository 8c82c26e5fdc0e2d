//! 客服小蜜 over HTTP and WebSocket, and the tier-1 agents' queue of handed-over chats.
//!
//! A turn loads the session from the store, lets the pure dialogue
//! (`weiquan_assistant::dialogue`) understand the message and answer, carries out what the turn
//! decided (file the draft through the same store transaction as `POST /complaints`, with the
//! transcript frozen as `chat_log` evidence; file a report to tier 3; hand over to an agent), and
//! saves the session with both turns (only the consumer's once an agent has the chat and 小蜜
//! was not spoken to). Sessions live in the store, so any node (and a restart)
//! continues a conversation. `turn.rs` is the turn, `socket.rs` the WebSocket; the agents'
//! queue and the session read are here.

mod meaning;
mod socket;
mod turn;

use axum::extract::State;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use weiquan_domain::*;
use weiquan_store::*;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};

pub use socket::{__path_ws, AgentNews, WsQuery, ws};
pub use turn::chat_turn;

/// The longest message a consumer may send in one turn (characters).
const MAX_TEXT: usize = 1000;
/// How many of the consumer's orders a turn considers (newest first).
const ORDERS_CONSIDERED: u32 = 100;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ChatRequest {
    /// Absent to start a new conversation.
    pub session_id: Option<String>,
    pub text: Option<String>,
}

/// Who the conversation is with once it has been handed over.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Handover {
    /// `handed_over` (waiting in the agents' queue) or `taken` (an agent has it).
    pub status: ChatStatus,
    /// Always `cs_agent`: tier-1 customer service.
    pub queue: &'static str,
    pub agent_id: Option<UserId>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChatResponse {
    pub session_id: String,
    /// 小蜜's answer; empty when she stays silent because an agent has the chat (she still
    /// answers a rules question, or when called by name).
    pub reply: String,
    /// What 小蜜 waits for: `order`, `pick` (one of the numbered choices shown), `what_happened`,
    /// `when`, `claim`, `confirm` (the draft shown), `shop` or `listing` (reports); absent when
    /// nothing in particular.
    pub awaiting: Option<String>,
    /// The message's intent (`quality_defect`, …, `escalate`, `check_status`,
    /// `how_to_complain`), absent when the model was not confident.
    pub intent: Option<String>,
    pub intent_confidence: f32,
    /// `calm` or `emotional`.
    pub tone: String,
    /// The facts gathered so far.
    #[schema(value_type = Object)]
    pub slots: Value,
    /// The draft complaint or report awaiting confirmation.
    #[schema(value_type = Option<Object>)]
    pub draft: Option<Value>,
    pub handover: Option<Handover>,
    /// Set on the turn that filed a complaint.
    pub complaint_id: Option<ComplaintId>,
    /// Set on the turn that filed a report.
    pub report_id: Option<ReportId>,
}

fn new_session_id() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub(crate) fn valid_session_id(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

pub(crate) fn consumers_only(user: &User) -> ApiResult<()> {
    if user.role == Role::Consumer {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "只有买家可以和客服小蜜对话",
            "only consumers chat with the assistant",
        ))
    }
}

#[utoipa::path(post, path = "/api/v1/assistant/chat", tag = "assistant", request_body = ChatRequest,
    responses((status = 200, body = ChatResponse), (status = 403, description = "not a consumer"),
        (status = 404, description = "no such session"), (status = 409, description = "the session moved on meanwhile"), (status = 422)),
    security(("bearer" = [])))]
pub async fn chat(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiJson(req): ApiJson<ChatRequest>,
) -> ApiResult<axum::Json<ChatResponse>> {
    Ok(axum::Json(chat_turn(&state, &user, req).await?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HandoverList {
    pub items: Vec<ChatSession>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HandoverQuery {
    /// Page size, 50 by default.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/assistant/handovers", tag = "assistant", params(HandoverQuery),
    responses((status = 200, body = HandoverList, description = "chats waiting for an agent, and the caller's own, oldest first, with their history"),
        (status = 403, description = "not a customer-service agent")),
    security(("bearer" = [])))]
pub async fn handovers(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<HandoverQuery>,
) -> ApiResult<axum::Json<HandoverList>> {
    let limit = super::complaints::page_limit(q.limit)?;
    let items = state.store.chat_handovers(&user.actor(), limit).await?;
    Ok(axum::Json(HandoverList { items }))
}

#[utoipa::path(post, path = "/api/v1/assistant/handovers/{id}/take", tag = "assistant", params(("id" = String, Path, description = "the chat session's id")),
    responses((status = 200, body = ChatSession), (status = 403), (status = 404), (status = 409, description = "another agent has it")),
    security(("bearer" = [])))]
pub async fn take(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<axum::Json<ChatSession>> {
    Ok(axum::Json(take_chat(&state, &user, &id).await?))
}

/// An agent takes a handed-over chat (the API's and the agents' page's).
pub(crate) async fn take_chat(state: &AppState, user: &User, id: &str) -> ApiResult<ChatSession> {
    if !valid_session_id(id) {
        return Err(ApiError::not_found());
    }
    let s = state
        .store
        .take_chat(&user.actor(), id, state.clock.now())
        .await?;
    // No socket listening is no error.
    let _ = state.chat_news.send(id.into());
    Ok(s)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AgentReply {
    pub body: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/assistant/handovers/{id}/messages", tag = "assistant", params(("id" = String, Path, description = "the chat session's id")), request_body = AgentReply,
    responses((status = 200, body = ChatSession), (status = 403), (status = 404), (status = 409, description = "take the chat first"), (status = 422)),
    security(("bearer" = [])))]
pub async fn agent_reply(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<AgentReply>,
) -> ApiResult<axum::Json<ChatSession>> {
    let body = req.body.as_deref().unwrap_or_default();
    Ok(axum::Json(reply_in_chat(&state, &user, &id, body).await?))
}

/// The agent who took a chat answers in it (the API's and the agents' page's).
pub(crate) async fn reply_in_chat(
    state: &AppState,
    user: &User,
    id: &str,
    body: &str,
) -> ApiResult<ChatSession> {
    if !valid_session_id(id) {
        return Err(ApiError::not_found());
    }
    let body = body.trim();
    if body.is_empty() || body.chars().count() > MAX_TEXT {
        return Err(DomainError::invalid(
            "body",
            "回复内容应为1到1000个字",
            "body must be 1 to 1000 characters",
        )
        .into());
    }
    let s = state
        .store
        .agent_chat_reply(&user.actor(), id, body.to_string(), state.clock.now())
        .await?;
    let _ = state.chat_news.send(id.into());
    Ok(s)
}

/// `GET /api/v1/assistant/sessions/{id}`: a conversation and its turns, for its consumer (and
/// agents, once handed over).
#[utoipa::path(get, path = "/api/v1/assistant/sessions/{id}", tag = "assistant", params(("id" = String, Path, description = "the chat session's id")),
    responses((status = 200, body = ChatSession), (status = 404)), security(("bearer" = [])))]
pub async fn session(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<axum::Json<ChatSession>> {
    if !valid_session_id(&id) {
        return Err(ApiError::not_found());
    }
    Ok(axum::Json(
        state.store.chat_session(&user.actor(), &id).await?,
    ))
}
