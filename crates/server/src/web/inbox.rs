//! The inbox and the settings pages: `/notifications` (newest first, a link to what each is
//! about, mark one or all read) and `/settings` (language, e-mail). The header's unread badge
//! is in every page (`Ctx::unread`); `app.js` keeps it current from the API's event stream.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use weiquan_domain::{Lang, Role};

use super::session::{CsrfForm, Web};
use super::{Ctx, FormError, error_page, render};
use crate::AppState;
use crate::api::complaints::parse_cursor;
use crate::api::notifications::{NotificationView, SettingsChange, apply_settings};
use crate::error::ApiError;

const PAGE: u32 = 30;

pub struct Item {
    pub view: NotificationView,
    pub at: String,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct InboxPage {
    c: Ctx,
    items: Vec<Item>,
    unread_only: bool,
    /// The next page's address, if any.
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct InboxQuery {
    pub unread: Option<String>,
    pub cursor: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    Web(c): Web,
    Query(q): Query<InboxQuery>,
) -> Response {
    let unread_only = q.unread.as_deref() == Some("1");
    let before = match parse_cursor(q.cursor.as_deref()) {
        Ok(b) => b,
        Err(e) => return error_page(&c, e.into()),
    };
    let page = match state
        .store
        .notifications(&c.actor(), unread_only, before, PAGE)
        .await
    {
        Ok(p) => p,
        Err(e) => return error_page(&c, e.into()),
    };
    let items = page
        .items
        .iter()
        .map(|n| Item {
            view: NotificationView::new(n, c.lang),
            at: c.time(n.created_at),
        })
        .collect();
    let next = page.next_cursor.map(|cur| {
        let filter = if unread_only { "unread=1&" } else { "" };
        format!("/notifications?{filter}cursor={cur}")
    });
    render(&InboxPage {
        c,
        items,
        unread_only,
        next,
    })
}

/// Marks one (`id`) or all (`all=1`) of the viewer's notifications read, then back to the list.
pub async fn mark_read(
    State(state): State<AppState>,
    Web(c): Web,
    CsrfForm(form): CsrfForm,
) -> Response {
    let ids = if form.get("all") == "1" {
        None
    } else {
        match form.get("id").parse::<i64>() {
            Ok(id) => Some(vec![id]),
            Err(_) => {
                let e = weiquan_domain::DomainError::invalid(
                    "ids",
                    "没有选择要标记的通知",
                    "no notification was chosen",
                );
                return error_page(&c, e.into());
            }
        }
    };
    if let Err(e) = state
        .store
        .mark_read(&c.actor(), ids, state.clock.now())
        .await
    {
        return error_page(&c, e.into());
    }
    let back = if form.get("unread") == "1" {
        "/notifications?unread=1"
    } else {
        "/notifications"
    };
    Redirect::to(back).into_response()
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    c: Ctx,
    lang: String,
    email: String,
    /// Consumers may volunteer for the public jury here.
    may_volunteer: bool,
    juror: bool,
    saved: bool,
    error: Option<FormError>,
}

#[derive(Debug, Deserialize)]
pub struct SettingsQuery {
    pub saved: Option<String>,
}

pub async fn settings(
    State(state): State<AppState>,
    Web(c): Web,
    Query(q): Query<SettingsQuery>,
) -> Response {
    let s = match state.store.settings(&c.actor()).await {
        Ok(s) => s,
        Err(e) => return error_page(&c, e.into()),
    };
    let may_volunteer = c.actor().role == Role::Consumer;
    render(&SettingsPage {
        c,
        lang: if s.lang == Lang::En { "en" } else { "zh" }.into(),
        email: s.email.unwrap_or_default(),
        may_volunteer,
        juror: s.juror,
        saved: q.saved.is_some(),
        error: None,
    })
}

/// Saves the settings; a bad value comes back in the form as typed, with its field named.
pub async fn save_settings(
    State(state): State<AppState>,
    Web(c): Web,
    CsrfForm(form): CsrfForm,
) -> Response {
    let change = SettingsChange {
        lang: Some(form.get("lang").to_owned()),
        email: Some(form.get("email").to_owned()),
        // A checkbox: present when ticked; only consumers are shown it.
        juror: (c.actor().role == Role::Consumer).then(|| !form.get("juror").is_empty()),
    };
    let actor = c.actor();
    let result: Result<(), ApiError> = async {
        let current = state.store.settings(&actor).await?;
        let next = apply_settings(current, &change)?;
        state
            .store
            .set_settings(&actor, next, state.clock.now())
            .await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/settings?saved=1").into_response(),
        Err(e) => {
            let status = e.status;
            let error = Some(FormError::of(e, c.lang));
            let mut res = render(&SettingsPage {
                c,
                lang: form.get("lang").to_owned(),
                email: form.get("email").to_owned(),
                may_volunteer: actor.role == Role::Consumer,
                juror: !form.get("juror").is_empty(),
                saved: false,
                error,
            });
            *res.status_mut() = if status.is_client_error() {
                status
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            res
        }
    }
}
