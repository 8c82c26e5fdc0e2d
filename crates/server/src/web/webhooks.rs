//! The admin's webhook pages: endpoints (registered with their secret shown once, changed,
//! rotated), each endpoint's delivery log, the dead letters with a replay button, and one
//! message's payload as it was sent.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use weiquan_domain::delivery::{OutboxStatus, WebhookEvent};
use weiquan_domain::*;
use weiquan_store::outbox::OutboxMessage;
use weiquan_store::webhooks::{DeliveryAttempt, WebhookEndpoint};

use super::session::{CsrfForm, Web};
use super::{Ctx, Form, FormError, error_page, render};
use crate::AppState;
use crate::api::webhooks::{EndpointRequest, EndpointWithSecret, register, rotate_secret};
use crate::error::ApiError;

/// Rows of a log or a dead-letter list on a page.
const ROWS: u32 = 50;

#[derive(Deserialize)]
pub struct NoticeQuery {
    notice: Option<String>,
}

/// What the pages say about a message or an attempt, in words.
trait Words {
    fn c(&self) -> &Ctx;
    fn kind(&self, t: &str) -> &'static str {
        WebhookEvent::label_of(t, self.c().lang)
    }
    fn status(&self, s: &OutboxStatus) -> &'static str {
        s.label(self.c().lang)
    }
    /// A receiver's answer: "HTTP 500 (…)", or that none came.
    fn answer(&self, status: &Option<i64>) -> String {
        let c = self.c();
        match *status {
            None => c
                .t(
                    "没有应答（无法连接或超时）",
                    "no answer (unreachable or timed out)",
                )
                .to_owned(),
            Some(s) if (200..300).contains(&s) => format!("HTTP {s} {}", c.t("成功", "success")),
            Some(410) => format!(
                "HTTP 410 {}",
                c.t("接收方已停用此地址", "the receiver retired this address")
            ),
            Some(s) if (400..500).contains(&s) => {
                format!("HTTP {s} {}", c.t("请求被拒绝", "refused"))
            }
            Some(s) => format!("HTTP {s} {}", c.t("接收方出错", "receiver error")),
        }
    }
    fn types(&self, e: &WebhookEndpoint) -> String {
        let c = self.c();
        e.event_types
            .iter()
            .map(|t| WebhookEvent::label_of(t, c.lang))
            .collect::<Vec<_>>()
            .join(c.t("、", ", "))
    }
    fn disabled_note(&self, e: &WebhookEndpoint) -> &'static str {
        let c = self.c();
        match e.disabled_reason.as_deref() {
            Some("gone") => c.t(
                "接收方回复 410（地址已停用），系统已自动停用此端点。确认新地址后可重新启用，等待中的消息会随之送出。",
                "The receiver answered 410 (address retired), so weiquan disabled this endpoint. Enable it again once the address is right; waiting messages then go out.",
            ),
            _ => c.t("已停用", "disabled"),
        }
    }
}

#[derive(Template)]
#[template(path = "admin_webhooks.html")]
struct ListPage {
    c: Ctx,
    endpoints: Vec<WebhookEndpoint>,
    dead: Vec<OutboxMessage>,
    all_types: Vec<(&'static str, &'static str)>,
    form: Form,
    error: Option<FormError>,
    notice: Option<String>,
}
impl Words for ListPage {
    fn c(&self) -> &Ctx {
        &self.c
    }
}

#[derive(Template)]
#[template(path = "admin_webhook.html")]
struct EndpointPage {
    c: Ctx,
    e: WebhookEndpoint,
    attempts: Vec<DeliveryAttempt>,
    dead: Vec<OutboxMessage>,
    all_types: Vec<(&'static str, &'static str)>,
    form: Form,
    error: Option<FormError>,
    notice: Option<String>,
    /// A secret just made: shown this once.
    secret: Option<String>,
}
impl Words for EndpointPage {
    fn c(&self) -> &Ctx {
        &self.c
    }
}

#[derive(Template)]
#[template(path = "admin_webhook_message.html")]
struct MessagePage {
    c: Ctx,
    m: OutboxMessage,
    payload: String,
}
impl Words for MessagePage {
    fn c(&self) -> &Ctx {
        &self.c
    }
}

fn all_types(lang: Lang) -> Vec<(&'static str, &'static str)> {
    WebhookEvent::ALL
        .iter()
        .map(|e| (e.as_str(), e.label(lang)))
        .collect()
}

fn notice(c: &Ctx, key: Option<&str>) -> Option<String> {
    let n = match key? {
        "replayed" => c.t(
            "已重新排队发送，将使用同一消息ID。",
            "Queued again, with the same message id.",
        ),
        "saved" => c.t("已保存。", "Saved."),
        _ => return None,
    };
    Some(n.to_owned())
}

fn form_error(e: impl Into<ApiError>, lang: Lang) -> (StatusCode, FormError) {
    let e = e.into();
    (e.status, FormError::of(e, lang))
}

fn request(form: &Form) -> EndpointRequest {
    EndpointRequest {
        url: Some(form.get("url").to_owned()),
        description: Some(form.get("description").to_owned()),
        event_types: Some(form.all("event_types")),
        enabled: Some(form.has("enabled", "on")),
    }
}

async fn list_page(
    state: &AppState,
    c: Ctx,
    form: Form,
    error: Option<(StatusCode, FormError)>,
    notice: Option<String>,
) -> Response {
    let actor = c.actor();
    let loaded = async {
        let endpoints = state.store.webhook_endpoints(&actor).await?;
        let dead = state.store.dead_letters(&actor, None, ROWS).await?;
        Ok::<_, weiquan_store::StoreError>((endpoints, dead))
    };
    let (endpoints, dead) = match loaded.await {
        Ok(x) => x,
        Err(e) => return error_page(&c, e.into()),
    };
    let status = error.as_ref().map(|(s, _)| *s);
    let mut res = render(&ListPage {
        all_types: all_types(c.lang),
        c,
        endpoints,
        dead,
        form,
        error: error.map(|(_, e)| e),
        notice,
    });
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    res
}

pub async fn list(
    State(state): State<AppState>,
    Web(c): Web,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let n = notice(&c, q.notice.as_deref());
    let mut form = Form::default();
    form.set("enabled", "on");
    list_page(&state, c, form, None, n).await
}

pub async fn create(
    State(state): State<AppState>,
    Web(c): Web,
    CsrfForm(form): CsrfForm,
) -> Response {
    let lang = c.lang;
    let actor = c.actor();
    if let Err(e) = access::check_admin(&actor) {
        return error_page(&c, e.into());
    }
    let input = match request(&form).parse() {
        Ok(i) => i,
        Err(e) => return list_page(&state, c, form, Some(form_error(e, lang)), None).await,
    };
    match register(&state, &actor, input).await {
        Ok(made) => endpoint_page(&state, c, made.endpoint.id, None, None, Some(made), None).await,
        Err(e) => list_page(&state, c, form, Some(form_error(e, lang)), None).await,
    }
}

async fn endpoint_page(
    state: &AppState,
    c: Ctx,
    id: i64,
    form: Option<Form>,
    error: Option<(StatusCode, FormError)>,
    made: Option<EndpointWithSecret>,
    notice: Option<String>,
) -> Response {
    let actor = c.actor();
    let loaded = async {
        let e = state.store.webhook_endpoint(&actor, id).await?;
        let attempts = state.store.webhook_attempts(&actor, id, ROWS).await?;
        let dead = state.store.dead_letters(&actor, Some(id), ROWS).await?;
        Ok::<_, weiquan_store::StoreError>((e, attempts, dead))
    };
    let (e, attempts, dead) = match loaded.await {
        Ok(x) => x,
        Err(e) => return error_page(&c, e.into()),
    };
    let form = form.unwrap_or_else(|| {
        let mut f = form_urlencoded::Serializer::new(String::new());
        f.append_pair("url", &e.url);
        f.append_pair("description", &e.description);
        if e.enabled {
            f.append_pair("enabled", "on");
        }
        for t in &e.event_types {
            f.append_pair("event_types", t);
        }
        Form::parse(f.finish().as_bytes())
    });
    let status = error.as_ref().map(|(s, _)| *s);
    let n = made
        .as_ref()
        .map(|_| {
            c.t(
                "请立即复制签名密钥并保存在接收方：离开此页后将不再显示。",
                "Copy the signing secret into the receiver now: it is not shown again after this page.",
            )
            .to_owned()
        })
        .or(notice);
    let mut res = render(&EndpointPage {
        all_types: all_types(c.lang),
        c,
        e,
        attempts,
        dead,
        form,
        error: error.map(|(_, e)| e),
        notice: n,
        secret: made.map(|m| m.secret),
    });
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    res
}

pub async fn page(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let n = notice(&c, q.notice.as_deref());
    endpoint_page(&state, c, id, None, None, None, n).await
}

pub async fn update(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let lang = c.lang;
    let actor = c.actor();
    let input = match request(&form).parse() {
        Ok(i) => i,
        Err(e) => {
            return endpoint_page(
                &state,
                c,
                id,
                Some(form),
                Some(form_error(e, lang)),
                None,
                None,
            )
            .await;
        }
    };
    match state
        .store
        .update_webhook_endpoint(&actor, id, input, state.clock.now())
        .await
    {
        Ok(_) => Redirect::to(&format!("/admin/webhooks/{id}?notice=saved")).into_response(),
        Err(e) => {
            endpoint_page(
                &state,
                c,
                id,
                Some(form),
                Some(form_error(e, lang)),
                None,
                None,
            )
            .await
        }
    }
}

pub async fn rotate(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm,
) -> Response {
    match rotate_secret(&state, &c.actor(), id).await {
        Ok(made) => endpoint_page(&state, c, id, None, None, Some(made), None).await,
        Err(e) => error_page(&c, e.into()),
    }
}

pub async fn message(State(state): State<AppState>, Web(c): Web, Path(id): Path<i64>) -> Response {
    let m = match state.store.outbox_message(&c.actor(), id).await {
        Ok(m) => m,
        Err(e) => return error_page(&c, e.into()),
    };
    // The payload as sent, indented for reading (an e-mail's body as text).
    let payload = serde_json::from_str::<serde_json::Value>(&m.payload)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| m.payload.clone());
    render(&MessagePage { c, m, payload })
}

pub async fn replay(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm,
) -> Response {
    match state
        .store
        .replay_message(&c.actor(), id, state.clock.now())
        .await
    {
        Ok(m) => {
            let to = match m.endpoint_id {
                Some(e) => format!("/admin/webhooks/{e}?notice=replayed"),
                None => "/admin/webhooks?notice=replayed".to_owned(),
            };
            Redirect::to(&to).into_response()
        }
        Err(e) => error_page(&c, e.into()),
    }
}
