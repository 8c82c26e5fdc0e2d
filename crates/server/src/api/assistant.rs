//! 客服小蜜 over HTTP and WebSocket, and the tier-1 agents' queue of handed-over chats.
//!
//! A turn loads the session from the store, lets the pure dialogue
//! (`weiquan_assistant::dialogue`) understand the message and answer, carries out what the turn
//! decided (file the draft through the same store transaction as `POST /complaints`, with the
//! transcript frozen as `chat_log` evidence; file a report to tier 3; hand over to an agent), and
//! saves the session with both turns. Sessions live in the store, so any node (and a restart)
//! continues a conversation.

use axum::extract::State;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use weiquan_assistant::dialogue::{
    self, ComplaintInfo, Context, OrderInfo, Outcome, Phase, Session, Shown,
};
use weiquan_domain::complaint::{ClaimRequest, FileComplaintRequest};
use weiquan_domain::tier3::{NewReport, ReportRequest};
use weiquan_domain::*;
use weiquan_store::*;

use crate::AppState;
use crate::auth::token_hash;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};

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
    pub reply: String,
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

fn valid_session_id(s: &str) -> bool {
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

/// An error as one sentence in the session's language, to tell the consumer in the chat.
fn say_error(e: &ApiError, lang: Lang) -> String {
    let mut s = e.message.get(lang).to_string();
    for f in &e.fields {
        s.push_str(if lang == Lang::En { "; " } else { "；" });
        s.push_str(f.message.get(lang));
    }
    s
}

async fn context_data(state: &AppState, actor: &Actor, text: &str) -> ApiResult<Vec<OrderInfo>> {
    let now = Utc::now();
    let orders = state
        .store
        .orders(actor, None, ORDERS_CONSIDERED)
        .await?
        .items;
    let want_rules = dialogue::rules_question(text);
    let mut shops: Vec<(ShopId, Option<records::Commitments>)> = Vec::new();
    if want_rules {
        for o in &orders {
            if !shops.iter().any(|(id, _)| id == &o.shop_id) {
                let c = state
                    .store
                    .shop(&o.shop_id, now)
                    .await?
                    .map(|s| s.commitments);
                shops.push((o.shop_id.clone(), c));
            }
        }
    }
    let orders = orders
        .into_iter()
        .map(|o| OrderInfo {
            commitments: shops
                .iter()
                .find(|(id, _)| id == &o.shop_id)
                .and_then(|(_, c)| c.clone()),
            order_no: o.order_no.as_str().to_string(),
            shop_id: o.shop_id.as_str().to_string(),
            shop_name: o.shop_name,
            items: o.items.into_iter().map(|i| i.title).collect(),
            amount_cents: o.amount_cents.get(),
            paid_at: o.paid_at,
            delivered_at: o.delivered_at,
        })
        .collect();
    Ok(orders)
}

/// The consumer's latest complaints, for 「查询进度」.
async fn complaint_data(state: &AppState, actor: &Actor) -> ApiResult<Vec<ComplaintInfo>> {
    Ok(state
        .store
        .complaints(
            actor,
            ComplaintFilter {
                limit: 20,
                ..ComplaintFilter::default()
            },
        )
        .await?
        .items
        .into_iter()
        .map(|c| ComplaintInfo {
            id: c.id.0,
            next_actor: c.next_actor().map(str::to_string),
            order_no: c.order_no.as_str().to_string(),
            product: c.product,
            category: c.category,
            state: c.state.as_str().to_string(),
            deadline_at: c.deadline_at,
        })
        .collect())
}

/// The conversation as a plain-text file: what is frozen as `chat_log` evidence.
fn transcript(id: &str, user: &User, turns: &[ChatTurn], last: &str, now: Timestamp) -> String {
    let when = |t: Timestamp| {
        t.with_timezone(&weiquan_assistant::slots::time::shanghai())
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    let mut out = format!(
        "客服小蜜对话记录 / Chat transcript\n会话 / Session: {id}\n买家 / Consumer: {}\n时区 / Time zone: UTC+8\n\n",
        user.username.as_str()
    );
    for t in turns {
        let who = match t.role {
            ChatRole::Consumer => "买家 Consumer",
            ChatRole::Assistant => "客服小蜜 Assistant",
            ChatRole::Agent => "客服 Agent",
        };
        out.push_str(&format!("[{}] {who}: {}\n", when(t.at), t.body));
    }
    out.push_str(&format!("[{}] 买家 Consumer: {last}\n", when(now)));
    out
}

/// One turn of the conversation: what both `POST /assistant/chat` and the WebSocket run.
pub async fn chat_turn(state: &AppState, user: &User, req: ChatRequest) -> ApiResult<ChatResponse> {
    consumers_only(user)?;
    let actor = user.actor();
    let text = req.text.as_deref().map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Err(DomainError::invalid("text", "请输入内容", "text is required").into());
    }
    if text.chars().count() > MAX_TEXT {
        return Err(DomainError::invalid(
            "text",
            "一次最多输入1000个字",
            "a message is at most 1000 characters",
        )
        .into());
    }
    let now = Utc::now();
    let (session_id, mut session, version, history, stored) = match req.session_id.as_deref() {
        None => (new_session_id(), Session::default(), 0, Vec::new(), None),
        Some(id) if !valid_session_id(id) => {
            return Err(DomainError::not_found("找不到这个对话", "no such chat session").into());
        }
        Some(id) => {
            let s = state.store.chat_session(&actor, id).await?;
            let dialogue: Session = serde_json::from_value(s.state.clone()).unwrap_or_else(|e| {
                tracing::warn!(session = id, error = %e, "chat state unreadable; starting afresh");
                Session::default()
            });
            (
                id.to_string(),
                dialogue,
                s.version,
                s.turns.clone(),
                Some(s),
            )
        }
    };
    let orders = context_data(state, &actor, text).await?;
    // The complaints are only read for a status question: the turn runs without them, and runs
    // again from the same state with them when that is what it was.
    let before = session.clone();
    let mut complaints = Vec::new();
    let mut reply = session.turn(
        text,
        &Context {
            now,
            orders: &orders,
            complaints: &complaints,
        },
    );
    if reply.intent == Some(weiquan_assistant::Intent::CheckStatus) {
        complaints = complaint_data(state, &actor).await?;
        session = before;
        reply = session.turn(
            text,
            &Context {
                now,
                orders: &orders,
                complaints: &complaints,
            },
        );
    }
    let ctx = Context {
        now,
        orders: &orders,
        complaints: &complaints,
    };
    let lang = session.lang;
    let mut complaint_id = None;
    let mut report_id = None;
    let save = |session: &Session,
                expected: i64,
                turns: Vec<(ChatRole, String)>,
                hand_over: bool,
                report: Option<ReportId>| ChatSave {
        id: session_id.clone(),
        expected_version: expected,
        state: serde_json::to_value(session).unwrap_or_default(),
        hand_over,
        turns,
        report_id: report,
    };
    match reply.outcome.clone() {
        Outcome::None | Outcome::HandOver => {
            let hand_over = reply.outcome == Outcome::HandOver;
            let s = save(
                &session,
                version,
                vec![
                    (ChatRole::Consumer, text.to_string()),
                    (ChatRole::Assistant, reply.text.clone()),
                ],
                hand_over,
                None,
            );
            state.store.save_chat(&actor, s, now).await?;
        }
        Outcome::File(d) => {
            let req = FileComplaintRequest {
                order_no: Some(d.order_no.clone()),
                product: Some(d.product.clone()),
                category: Some(d.category.as_str().to_string()),
                incident_at: Some(d.incident_at.to_rfc3339()),
                description: Some(d.description.clone()),
                claim: Some(ClaimRequest {
                    kind: Some(d.claim.kind.as_str().to_string()),
                    amount_cents: d.claim.amount_cents,
                }),
                on_behalf_of: None,
            };
            let filed = match NewComplaint::parse(&req) {
                Err(e) => Err(ApiError::from(e)),
                Ok(new) => {
                    let log = transcript(&session_id, user, &history, text, now).into_bytes();
                    let size = log.len() as i64;
                    let sha = state.store.blobs().put(log).await?;
                    let ev = NewEvidence {
                        sha256: sha,
                        size,
                        content_type: "text/plain; charset=utf-8".into(),
                        kind: EvidenceKind::ChatLog,
                        filename: Some(format!("chat-{session_id}.txt")),
                    };
                    let s = save(
                        &session,
                        version,
                        vec![(ChatRole::Consumer, text.to_string())],
                        false,
                        None,
                    );
                    state
                        .store
                        .file_chat_complaint(&actor, new, ev, s, now)
                        .await
                        .map_err(ApiError::from)
                }
            };
            match filed {
                Ok(c) => {
                    state.metrics.complaints_filed.inc();
                    tracing::info!(complaint = %c.id, session = %session_id, "filed from chat");
                    reply.text = session.filed(c.id.0);
                    complaint_id = Some(c.id);
                    let s = save(
                        &session,
                        version + 1,
                        vec![(ChatRole::Assistant, reply.text.clone())],
                        false,
                        None,
                    );
                    state.store.save_chat(&actor, s, now).await?;
                }
                Err(e)
                    if e.status.is_client_error() && e.status != StatusCode::CONFLICT
                        || e.code == "duplicate_complaint" =>
                {
                    reply.text = session.filing_failed(&say_error(&e, lang));
                    let s = save(
                        &session,
                        version,
                        vec![
                            (ChatRole::Consumer, text.to_string()),
                            (ChatRole::Assistant, reply.text.clone()),
                        ],
                        false,
                        None,
                    );
                    state.store.save_chat(&actor, s, now).await?;
                }
                Err(e) => return Err(e),
            }
        }
        Outcome::Report(r) => {
            let req = ReportRequest {
                shop_id: Some(r.shop_id.clone()),
                kind: Some(r.kind.as_str().to_string()),
                description: Some(r.description.clone()),
                order_no: r.order_no.clone(),
                listing: r.listing.clone(),
                on_behalf_of: None,
            };
            let filed = match NewReport::parse(&req) {
                Err(e) => Err(ApiError::from(e)),
                Ok(new) => state
                    .store
                    .file_report(&actor, new, Channel::Chat, now)
                    .await
                    .map_err(ApiError::from),
            };
            match filed {
                Ok(rep) => {
                    tracing::info!(report = %rep.id, session = %session_id, "reported from chat");
                    reply.text = session.filed(rep.id.0);
                    report_id = Some(rep.id);
                }
                Err(e) if e.status.is_client_error() => {
                    reply.text = session.filing_failed(&say_error(&e, lang));
                }
                Err(e) => return Err(e),
            }
            let s = save(
                &session,
                version,
                vec![
                    (ChatRole::Consumer, text.to_string()),
                    (ChatRole::Assistant, reply.text.clone()),
                ],
                false,
                report_id,
            );
            state.store.save_chat(&actor, s, now).await?;
        }
    }
    let handover = (session.phase == Phase::HandedOver).then(|| Handover {
        status: match &stored {
            Some(s) if s.status != ChatStatus::Active => s.status,
            _ => ChatStatus::HandedOver,
        },
        queue: "cs_agent",
        agent_id: stored.as_ref().and_then(|s| s.agent_id),
    });
    let draft = reply
        .draft
        .as_ref()
        .or(session.shown_draft(&ctx).as_ref())
        .and_then(|d: &Shown| serde_json::to_value(d).ok());
    Ok(ChatResponse {
        session_id,
        reply: reply.text,
        intent: reply.intent.map(|i| i.as_str().to_string()),
        intent_confidence: reply.intent_confidence,
        tone: reply.tone.as_str().to_string(),
        slots: session.slots_json(),
        draft,
        handover,
        complaint_id,
        report_id,
    })
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

#[derive(Debug, Deserialize)]
pub struct WsQuery {
    pub token: Option<String>,
}

/// `GET /api/v1/assistant/ws`: the same turns over a WebSocket. Browsers cannot set headers on a
/// WebSocket, so the bearer token may come as `?token=` instead of the `Authorization` header.
/// Each text frame `{"session_id"?, "text"}` is answered by one text frame: the
/// [`ChatResponse`], or `{"error": {"code", "message", "fields"?}}` in the caller's language.
/// Frames without a `session_id` continue the socket's own conversation. The web chat page opens
/// it with its session cookie instead, accepted only with this host's own `Origin`. Once that conversation
/// is handed over, the socket also pushes, unasked, what the agent does ([`AgentNews`]): a frame
/// with `"event": "taken"` when an agent takes it, and one with `"event": "agent_message"` for
/// each of the agent's messages. A frame `{"session_id"}` without `text` continues that
/// conversation on this socket (a reloaded page) and is answered `{"session_id", "watching"}`:
/// whether the agent's side will be pushed.
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
        None => match crate::web::session::session_secret(&headers) {
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
        .session_user(&token_hash(&token), Utc::now())
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

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HandoverList {
    pub items: Vec<ChatSession>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct HandoverQuery {
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

#[utoipa::path(post, path = "/api/v1/assistant/handovers/{id}/take", tag = "assistant",
    responses((status = 200, body = ChatSession), (status = 403), (status = 404), (status = 409, description = "another agent has it")),
    security(("bearer" = [])))]
pub async fn take(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<axum::Json<ChatSession>> {
    if !valid_session_id(&id) {
        return Err(ApiError::not_found());
    }
    let s = state
        .store
        .take_chat(&user.actor(), &id, Utc::now())
        .await?;
    // No socket listening is no error.
    let _ = state.chat_news.send(id.into());
    Ok(axum::Json(s))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AgentReply {
    pub body: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/assistant/handovers/{id}/messages", tag = "assistant", request_body = AgentReply,
    responses((status = 200, body = ChatSession), (status = 403), (status = 404), (status = 409, description = "take the chat first"), (status = 422)),
    security(("bearer" = [])))]
pub async fn agent_reply(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<AgentReply>,
) -> ApiResult<axum::Json<ChatSession>> {
    if !valid_session_id(&id) {
        return Err(ApiError::not_found());
    }
    let body = req.body.as_deref().map(str::trim).unwrap_or_default();
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
        .agent_chat_reply(&user.actor(), &id, body.to_string(), Utc::now())
        .await?;
    let _ = state.chat_news.send(id.into());
    Ok(axum::Json(s))
}

/// `GET /api/v1/assistant/sessions/{id}`: a conversation and its turns, for its consumer (and
/// agents, once handed over).
#[utoipa::path(get, path = "/api/v1/assistant/sessions/{id}", tag = "assistant",
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
