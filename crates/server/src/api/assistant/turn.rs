//! One turn of the conversation, as both `POST /assistant/chat` and the WebSocket run it: the
//! consumer's orders and complaints as the dialogue's context, the outcome carried out (a filed
//! complaint with its transcript, a report, a hand-over), the session saved.

use axum::http::StatusCode;
use weiquan_assistant::dialogue::{
    self, ComplaintInfo, Context, OrderInfo, Outcome, Session, Shown,
};
use weiquan_domain::complaint::{ClaimRequest, FileComplaintRequest};
use weiquan_domain::tier3::{NewReport, ReportRequest};
use weiquan_domain::*;
use weiquan_store::*;

use super::{
    ChatRequest, ChatResponse, Handover, MAX_TEXT, ORDERS_CONSIDERED, consumers_only,
    new_session_id, valid_session_id,
};
use crate::AppState;
use crate::error::{ApiError, ApiResult};

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
    let now = state.clock.now();
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
    let now = state.clock.now();
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
    // An agent has the chat: 小蜜 keeps quiet unless spoken to; the consumer's words go to the
    // agent alone.
    if let Some(s) = &stored
        && s.status == ChatStatus::Taken
        && session.handed_over()
        && !dialogue::addresses_assistant(text)
    {
        let save = ChatSave {
            id: session_id.clone(),
            expected_version: version,
            state: serde_json::to_value(&session).unwrap_or_default(),
            hand_over: false,
            turns: vec![(ChatRole::Consumer, text.to_string())],
            report_id: None,
        };
        state.store.save_chat(&actor, save, now).await?;
        let _ = state.chat_news.send(session_id.as_str().into());
        let a = weiquan_assistant::analyze(text, now, &[]);
        return Ok(ChatResponse {
            session_id,
            reply: String::new(),
            awaiting: None,
            intent: None,
            intent_confidence: a.intent_confidence,
            tone: a.tone.as_str().to_string(),
            slots: session.slots_json(),
            draft: None,
            handover: Some(Handover {
                status: s.status,
                queue: "cs_agent",
                agent_id: s.agent_id,
            }),
            complaint_id: None,
            report_id: None,
        });
    }
    let orders = context_data(state, &actor, text).await?;
    let meaning = Some(super::meaning::shared()? as &dyn dialogue::Meaning);
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
            meaning,
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
                meaning,
            },
        );
    }
    let ctx = Context {
        now,
        orders: &orders,
        complaints: &complaints,
        meaning,
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
    let handover = session.handed_over().then(|| Handover {
        status: match &stored {
            Some(s) if s.status != ChatStatus::Active => s.status,
            _ => ChatStatus::HandedOver,
        },
        queue: "cs_agent",
        agent_id: stored.as_ref().and_then(|s| s.agent_id),
    });
    if handover.is_some() {
        // An agent's page on this conversation shows the consumer's words at once.
        let _ = state.chat_news.send(session_id.as_str().into());
    }
    let draft = reply
        .draft
        .as_ref()
        .or(session.shown_draft(&ctx).as_ref())
        .and_then(|d: &Shown| serde_json::to_value(d).ok());
    Ok(ChatResponse {
        session_id,
        reply: reply.text,
        awaiting: session.awaiting().map(str::to_string),
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
