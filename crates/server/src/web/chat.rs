//! The consumer's chat with 客服小蜜. The page works as a plain form (each message posts, the
//! server answers through the same `chat_turn` as the API and shows the conversation again);
//! with JavaScript, `app.js` speaks the same turns over the chat WebSocket instead, which also
//! brings an agent's replies once the chat is handed over.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use weiquan_store::ChatSession;

use super::session::{CsrfForm, Web};
use super::{Ctx, FormError, error_page, render};
use crate::AppState;
use crate::api::assistant::{ChatRequest, chat_turn, consumers_only};
use crate::error::ApiError;

#[derive(Deserialize)]
pub struct ChatQuery {
    session: Option<String>,
}

#[derive(Template)]
#[template(path = "chat.html")]
struct ChatPage {
    c: Ctx,
    session: Option<ChatSession>,
    /// What the consumer typed, kept when it was refused.
    text: String,
    error: Option<FormError>,
}

impl ChatPage {
    /// The complaint this conversation filed, if it did.
    fn filed(&self) -> Option<weiquan_domain::ComplaintId> {
        self.session.as_ref().and_then(|s| s.complaint_id)
    }
}

async fn show(
    state: &AppState,
    c: Ctx,
    session: Option<&str>,
    text: String,
    error: Option<(axum::http::StatusCode, FormError)>,
) -> Response {
    if let Err(e) = consumers_only(c.me()) {
        return error_page(&c, e);
    }
    let session = match session.filter(|s| !s.is_empty()) {
        Some(id) => match state.store.chat_session(&c.actor(), id).await {
            Ok(s) => Some(s),
            Err(e) => return error_page(&c, e.into()),
        },
        None => None,
    };
    let status = error.as_ref().map(|(s, _)| *s);
    let mut res = render(&ChatPage {
        c,
        session,
        text,
        error: error.map(|(_, e)| e),
    });
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    res
}

pub async fn page(
    State(state): State<AppState>,
    Web(c): Web,
    Query(q): Query<ChatQuery>,
) -> Response {
    show(&state, c, q.session.as_deref(), String::new(), None).await
}

pub async fn say(State(state): State<AppState>, Web(c): Web, CsrfForm(form): CsrfForm) -> Response {
    let session = form.get("session_id").trim();
    let req = ChatRequest {
        session_id: (!session.is_empty()).then(|| session.to_owned()),
        text: Some(form.get("text").to_owned()),
    };
    match chat_turn(&state, c.me(), req).await {
        Ok(r) => Redirect::to(&format!("/chat?session={}#end", r.session_id)).into_response(),
        Err(e) => {
            let e: ApiError = e;
            let status = e.status;
            let lang = c.lang;
            let text = form.get("text").to_owned();
            show(
                &state,
                c,
                Some(session),
                text,
                Some((status, FormError::of(e, lang))),
            )
            .await
        }
    }
}
