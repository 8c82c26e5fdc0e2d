//! The tier-1 agents' side of 客服小蜜: the chats handed over to a person (转人工), taken, read
//! and answered. Each step is a plain form post through the same functions as the API; the
//! store decides who may see, take and answer (`ChatSession::may_take`, `may_reply`). With
//! JavaScript, a conversation's page hears the consumer's new words over server-sent events.

use std::convert::Infallible;
use std::time::Duration;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use weiquan_domain::{Actor, Lang};
use weiquan_store::{ChatSession, ChatStatus, ChatTurn};

use super::session::{CsrfForm, Web};
use super::{Ctx, FormError, error_page, render};
use crate::AppState;
use crate::api::assistant::{reply_in_chat, take_chat, valid_session_id};
use crate::error::ApiError;

/// One waiting or taken conversation in the queue.
pub struct Row {
    pub id: String,
    pub status: &'static str,
    pub mine: bool,
    pub since: String,
    /// The consumer's latest words.
    pub last: String,
    pub turns: usize,
}

#[derive(Template)]
#[template(path = "handovers.html")]
struct ListPage {
    c: Ctx,
    rows: Vec<Row>,
}

pub async fn list(State(state): State<AppState>, Web(c): Web) -> Response {
    let items = match state.store.chat_handovers(&c.actor(), 200).await {
        Ok(items) => items,
        Err(e) => return error_page(&c, e.into()),
    };
    let me = c.me().id;
    let rows = items
        .iter()
        .map(|s| Row {
            id: s.id.clone(),
            status: s.status.label(c.lang),
            mine: s.agent_id == Some(me),
            since: c.time(s.handed_over_at.unwrap_or(s.created_at)),
            last: s
                .turns
                .iter()
                .rev()
                .find(|t| t.role == weiquan_store::ChatRole::Consumer)
                .map(|t| t.body.clone())
                .unwrap_or_default(),
            turns: s.turns.len(),
        })
        .collect();
    render(&ListPage { c, rows })
}

/// A line of the transcript as the page (and its live updates) show it.
#[derive(serde::Serialize)]
pub struct TurnView {
    pub seq: i64,
    pub role: &'static str,
    pub who: &'static str,
    pub body: String,
    pub at: String,
}

fn turn_view(lang: Lang, t: &ChatTurn) -> TurnView {
    TurnView {
        seq: t.seq,
        role: t.role.as_str(),
        who: t.role.label(lang),
        body: t.body.clone(),
        at: super::i18n::time(&t.at),
    }
}

#[derive(Template)]
#[template(path = "handover.html")]
struct SessionPage {
    c: Ctx,
    s: ChatSession,
    turns: Vec<TurnView>,
    status: &'static str,
    last_seq: i64,
    may_take: bool,
    may_reply: bool,
    /// Taken by another agent.
    elsewhere: bool,
    text: String,
    error: Option<FormError>,
}

async fn show(
    state: &AppState,
    c: Ctx,
    id: &str,
    text: String,
    error: Option<(StatusCode, FormError)>,
) -> Response {
    if !valid_session_id(id) {
        return error_page(&c, ApiError::not_found());
    }
    let actor = c.actor();
    let s = match state.store.chat_session(&actor, id).await {
        Ok(s) => s,
        Err(e) => return error_page(&c, e.into()),
    };
    let status = error.as_ref().map(|(s, _)| *s);
    let page = SessionPage {
        turns: s.turns.iter().map(|t| turn_view(c.lang, t)).collect(),
        status: s.status.label(c.lang),
        last_seq: s.turns.iter().map(|t| t.seq).max().unwrap_or(0),
        may_take: s.may_take(&actor),
        may_reply: s.may_reply(&actor),
        elsewhere: s.status == ChatStatus::Taken && s.agent_id != Some(actor.id),
        s,
        text,
        error: error.map(|(_, e)| e),
        c,
    };
    let mut res = render(&page);
    if let Some(st) = status {
        *res.status_mut() = st;
    }
    res
}

pub async fn page(State(state): State<AppState>, Web(c): Web, Path(id): Path<String>) -> Response {
    show(&state, c, &id, String::new(), None).await
}

pub async fn take(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm,
) -> Response {
    match take_chat(&state, c.me(), &id).await {
        Ok(_) => Redirect::to(&format!("/handovers/{id}#reply")).into_response(),
        Err(e) => {
            let (status, lang) = (e.status, c.lang);
            show(
                &state,
                c,
                &id,
                String::new(),
                Some((status, FormError::of(e, lang))),
            )
            .await
        }
    }
}

pub async fn reply(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Response {
    match reply_in_chat(&state, c.me(), &id, form.get("body")).await {
        Ok(_) => Redirect::to(&format!("/handovers/{id}#reply")).into_response(),
        Err(e) => {
            let (status, lang) = (e.status, c.lang);
            let text = form.get("body").to_owned();
            show(&state, c, &id, text, Some((status, FormError::of(e, lang)))).await
        }
    }
}

#[derive(Deserialize)]
pub struct StreamQuery {
    /// The last turn the page shows.
    after: Option<i64>,
}

/// What changed in a conversation since the page's last turn: `event: chat`, data
/// `{"status", "turns": [TurnView]}`. News from this node arrives at once, other nodes' within
/// `agent_poll`; the stream ends when the viewer may no longer see the conversation.
pub async fn stream(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<String>,
    Query(q): Query<StreamQuery>,
) -> Response {
    if !valid_session_id(&id) {
        return error_page(&c, ApiError::not_found());
    }
    let actor = c.actor();
    let first = match state.store.chat_session(&actor, &id).await {
        Ok(s) => s,
        Err(e) => return error_page(&c, e.into()),
    };
    let seen = q.after.unwrap_or(0);
    let news = state.chat_news.subscribe();
    let every = state.agent_poll;
    let lang = c.lang;
    struct Looking {
        state: AppState,
        actor: Actor,
        id: String,
        news: tokio::sync::broadcast::Receiver<std::sync::Arc<str>>,
        seen: i64,
        status: ChatStatus,
        every: Duration,
        lang: Lang,
        first: Option<ChatSession>,
    }
    let start = Looking {
        state,
        actor,
        id,
        news,
        seen,
        status: first.status,
        every,
        lang,
        first: Some(first),
    };
    let events = futures::stream::unfold(start, |mut l| async move {
        loop {
            let s = match l.first.take() {
                Some(s) => s,
                None => {
                    tokio::select! {
                        got = l.news.recv() => match got {
                            Ok(id) if *id != *l.id => continue,
                            Ok(_) | Err(RecvError::Lagged(_)) => {}
                            Err(RecvError::Closed) => tokio::time::sleep(l.every).await,
                        },
                        _ = tokio::time::sleep(l.every) => {}
                    }
                    match l.state.store.chat_session(&l.actor, &l.id).await {
                        Ok(s) => s,
                        Err(e) => {
                            let e = ApiError::from(e);
                            if e.status.is_client_error() {
                                return None;
                            }
                            tracing::warn!(error = %e.message.en, "a chat for an agent's stream");
                            continue;
                        }
                    }
                }
            };
            let new: Vec<TurnView> = s
                .turns
                .iter()
                .filter(|t| t.seq > l.seen)
                .map(|t| turn_view(l.lang, t))
                .collect();
            if new.is_empty() && s.status == l.status {
                continue;
            }
            l.seen = s.turns.iter().map(|t| t.seq).max().unwrap_or(l.seen);
            l.status = s.status;
            let data = serde_json::json!({"status": s.status.label(l.lang), "turns": new});
            let ev = Event::default().event("chat").data(data.to_string());
            return Some((Ok::<_, Infallible>(ev), l));
        }
    });
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
