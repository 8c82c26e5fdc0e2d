//! `/api/v1/notifications`: the caller's inbox (newest first, cursor paging, an unread filter),
//! marking read, the live unread count (server-sent events), and `/api/v1/me/settings`.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream as FutStream;
use serde::{Deserialize, Serialize};
use weiquan_domain::error::FieldErrors;
use weiquan_domain::notice::{self, NoticeKind};
use weiquan_domain::*;
use weiquan_store::*;

use super::complaints::{page_limit, parse_cursor};
use crate::AppState;
use crate::auth::token_hash;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Auth, bearer_token};
use crate::lang::ReqLang;

/// A notification in the caller's language.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    pub id: i64,
    pub kind: NoticeKind,
    pub title: String,
    pub text: String,
    /// The page of what it is about.
    pub link: String,
    /// The same thing in the API.
    pub api: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub read: bool,
}

/// The page and the API resource of what a notification is about.
pub fn links(subject: &Stream, params: &notice::NoticeParams) -> (String, Option<String>) {
    if let Some(chat) = &params.chat {
        let chat = crate::web::session::urlencode(chat);
        return (
            format!("/chat?session={chat}"),
            Some(format!("/api/v1/assistant/sessions/{chat}")),
        );
    }
    match subject {
        Stream::Complaint(id) => (
            format!("/complaints/{id}"),
            Some(format!("/api/v1/complaints/{id}")),
        ),
        Stream::Report(id) => (
            format!("/reports/{id}"),
            Some(format!("/api/v1/reports/{id}")),
        ),
        Stream::Case(id) => (format!("/cases/{id}"), Some(format!("/api/v1/cases/{id}"))),
        Stream::Shop(id) => (format!("/shops/{id}"), Some(format!("/api/v1/shops/{id}"))),
        Stream::Jury(id) => (format!("/jury/{id}"), Some(format!("/api/v1/juries/{id}"))),
        Stream::Account(_) | Stream::Order(_) | Stream::Penalty(_) => {
            ("/notifications".into(), None)
        }
    }
}

impl NotificationView {
    pub fn new(n: &Notification, lang: Lang) -> Self {
        let (link, api) = links(&n.subject, &n.params);
        NotificationView {
            id: n.id,
            kind: n.kind,
            title: n.kind.label(lang).to_owned(),
            text: notice::sentence(n.kind, &n.subject, &n.params, lang),
            link,
            api,
            created_at: n.created_at,
            read: n.read_at.is_some(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationPage {
    pub items: Vec<NotificationView>,
    pub next_cursor: Option<String>,
    /// How many of the caller's notifications are unread.
    pub unread: i64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// `true`: only unread ones.
    #[param(value_type = Option<bool>)]
    pub unread: Option<String>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 50 by default.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

fn parse_flag(field: &str, v: Option<&str>) -> Result<bool, DomainError> {
    match v.map(str::trim) {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(_) => Err(DomainError::invalid(
            field,
            "应为 true 或 false",
            "expected true or false",
        )),
    }
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(NotificationQuery),
    responses((status = 200, body = NotificationPage, description = "the caller's own, newest first")),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Auth(user): Auth,
    ReqLang(lang): ReqLang,
    ApiQuery(q): ApiQuery<NotificationQuery>,
) -> ApiResult<axum::Json<NotificationPage>> {
    let mut errors = FieldErrors::new();
    let unread_only = errors.take(parse_flag("unread", q.unread.as_deref()));
    let limit = errors.take(page_limit(q.limit));
    let before = errors.take(parse_cursor(q.cursor.as_deref()));
    errors.finish()?;
    let (unread_only, limit, before) = (
        unread_only.unwrap_or_default(),
        limit.unwrap_or(50),
        before.flatten(),
    );
    let actor = user.actor();
    let page = state
        .store
        .notifications(&actor, unread_only, before, limit)
        .await?;
    let unread = state.store.unread_count(&actor).await?;
    Ok(axum::Json(NotificationPage {
        items: page
            .items
            .iter()
            .map(|n| NotificationView::new(n, lang))
            .collect(),
        next_cursor: page.next_cursor,
        unread,
    }))
}

/// Which notifications to mark read: `{"ids": [1, 2]}` or `{"all": true}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MarkRead {
    pub ids: Option<Vec<i64>>,
    pub all: Option<bool>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MarkedRead {
    /// How many of the caller's notifications changed from unread to read.
    pub marked: u64,
    pub unread: i64,
}

/// The ids a mark-read names (`None`: all); at most 200, and one of the two ways.
pub fn parse_mark_read(m: &MarkRead) -> Result<Option<Vec<i64>>, DomainError> {
    match (&m.ids, m.all) {
        (None, Some(true)) => Ok(None),
        (Some(ids), None | Some(false)) if !ids.is_empty() && ids.len() <= 200 => {
            Ok(Some(ids.clone()))
        }
        (Some(_), Some(true)) => Err(DomainError::invalid(
            "ids",
            "请只给出 ids 或 all 其中之一",
            "give either ids or all, not both",
        )),
        _ => Err(DomainError::invalid(
            "ids",
            "请给出要标记为已读的通知编号（1到200个），或 \"all\": true",
            "give the ids of the notifications to mark read (1 to 200), or \"all\": true",
        )),
    }
}

#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications", request_body = MarkRead,
    responses((status = 200, body = MarkedRead, description = "ids that are not the caller's change nothing"), (status = 422)),
    security(("bearer" = [])))]
pub async fn mark_read(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiJson(req): ApiJson<MarkRead>,
) -> ApiResult<axum::Json<MarkedRead>> {
    let ids = parse_mark_read(&req)?;
    let actor = user.actor();
    let marked = state
        .store
        .mark_read(&actor, ids, state.clock.now())
        .await?;
    let unread = state.store.unread_count(&actor).await?;
    Ok(axum::Json(MarkedRead { marked, unread }))
}

/// The signed-in user of a bearer token or, for a browser's `EventSource`, the session cookie.
async fn bearer_or_cookie(state: &AppState, headers: &HeaderMap) -> ApiResult<User> {
    let token = bearer_token(headers)
        .or_else(|| crate::web::session::session_secret(state, headers))
        .ok_or_else(ApiError::unauthenticated)?;
    state
        .store
        .session_user(&token_hash(token), state.clock.now())
        .await?
        .ok_or_else(ApiError::unauthenticated)
}

#[utoipa::path(get, path = "/api/v1/notifications/stream", tag = "notifications",
    responses((status = 200, content_type = "text/event-stream",
        description = "server-sent events: `event: unread` with the caller's unread count, at once and whenever it changes (at once for changes made on this node, within a few seconds for other nodes')"),
        (status = 401)),
    security(("bearer" = [])))]
pub async fn stream(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Sse<impl FutStream<Item = Result<Event, Infallible>>>> {
    let actor = bearer_or_cookie(&state, &headers).await?.actor();
    let changes = state.store.inbox_changes();
    let every = state.inbox_recheck;
    let events = futures::stream::unfold(
        (state, actor, changes, None::<i64>),
        move |(state, actor, mut changes, last)| async move {
            loop {
                if last.is_some() {
                    // A commit on this node wakes at once; other nodes' within `every`.
                    tokio::select! {
                        r = changes.changed() => if r.is_err() { tokio::time::sleep(every).await },
                        _ = tokio::time::sleep(every) => {}
                    }
                }
                match state.store.unread_count(&actor).await {
                    Ok(n) if Some(n) != last => {
                        let ev = Event::default().event("unread").data(n.to_string());
                        return Some((Ok(ev), (state, actor, changes, Some(n))));
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "unread count for a stream");
                        tokio::time::sleep(every).await;
                    }
                }
            }
        },
    );
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// A user's settings as the API shows them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SettingsView {
    /// `zh` or `en`: the language of what is sent to the user (e-mail).
    pub lang: String,
    pub email: Option<String>,
    /// Volunteers for the public jury (大众评审; consumers only).
    pub juror: bool,
}

impl From<&Settings> for SettingsView {
    fn from(s: &Settings) -> Self {
        SettingsView {
            lang: if s.lang == Lang::En { "en" } else { "zh" }.into(),
            email: s.email.clone(),
            juror: s.juror,
        }
    }
}

/// A change of settings: each key optional (absent: unchanged); an empty `email` removes it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct SettingsChange {
    pub lang: Option<String>,
    pub email: Option<String>,
    /// Volunteer for the public jury (consumers only), or stop.
    #[serde(default)]
    pub juror: Option<bool>,
}

/// Applies a change to the current settings, naming every bad field at once.
pub fn apply_settings(current: Settings, change: &SettingsChange) -> Result<Settings, DomainError> {
    let mut errors = FieldErrors::new();
    let lang = match change.lang.as_deref() {
        Some(l) => errors.take(notice::parse_lang(l)),
        None => Some(current.lang),
    };
    let email = match change.email.as_deref().map(str::trim) {
        Some("") => Some(None),
        Some(e) => errors.take(notice::parse_email(e)).map(Some),
        None => Some(current.email),
    };
    errors.finish()?;
    Ok(Settings {
        lang: lang.unwrap_or_default(),
        email: email.flatten(),
        juror: change.juror.unwrap_or(current.juror),
    })
}

#[utoipa::path(get, path = "/api/v1/me/settings", tag = "auth",
    responses((status = 200, body = SettingsView)), security(("bearer" = [])))]
pub async fn settings(
    State(state): State<AppState>,
    Auth(user): Auth,
) -> ApiResult<axum::Json<SettingsView>> {
    let s = state.store.settings(&user.actor()).await?;
    Ok(axum::Json(SettingsView::from(&s)))
}

#[utoipa::path(put, path = "/api/v1/me/settings", tag = "auth", request_body = SettingsChange,
    responses((status = 200, body = SettingsView),
        (status = 403, description = "only consumers volunteer for the public jury"), (status = 422)),
    security(("bearer" = [])))]
pub async fn put_settings(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiJson(change): ApiJson<SettingsChange>,
) -> ApiResult<axum::Json<SettingsView>> {
    let actor = user.actor();
    let current = state.store.settings(&actor).await?;
    let next = apply_settings(current, &change)?;
    let s = state
        .store
        .set_settings(&actor, next, state.clock.now())
        .await?;
    Ok(axum::Json(SettingsView::from(&s)))
}
