//! The admin's page of service accounts and API keys (`/admin/keys`): create an account with its
//! scopes, issue another key, revoke one. A new key is shown once, on the page that made it (the
//! one answer to a POST that is not a 303: a secret is never put in a URL to come back to).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use weiquan_domain::*;
use weiquan_store::{ApiKey, ServiceAccount};

use super::session::{CsrfForm, Web};
use super::{Ctx, Form, FormError, error_page, render};
use crate::AppState;
use crate::api::keys::{new_key, parse_account};
use crate::error::ApiError;

#[derive(Template)]
#[template(path = "admin_keys.html")]
struct KeysPage {
    c: Ctx,
    accounts: Vec<ServiceAccount>,
    scopes: Vec<(&'static str, &'static str)>,
    form: Form,
    error: Option<FormError>,
    notice: Option<String>,
    /// A key just issued: shown now, never again.
    new_key: Option<String>,
}

impl KeysPage {
    fn scope_labels(&self, a: &ServiceAccount) -> String {
        let sep = self.c.t("、", ", ");
        a.scopes
            .iter()
            .map(|s| s.label(self.c.lang))
            .collect::<Vec<_>>()
            .join(sep)
    }
    fn checked(&self, scope: &str) -> bool {
        self.form.all("scopes").iter().any(|s| s == scope)
    }
    fn last_used(&self, k: &ApiKey) -> String {
        match k.last_used_at {
            Some(t) => self.c.time(t),
            None => self.c.t("从未使用", "never used").to_owned(),
        }
    }
}

/// What a page shows besides the list.
#[derive(Default)]
struct Shown {
    form: Form,
    error: Option<(StatusCode, FormError)>,
    notice: Option<String>,
    new_key: Option<String>,
}

async fn page(state: &AppState, c: Ctx, shown: Shown) -> Response {
    let accounts = match state.store.service_accounts(&c.actor()).await {
        Ok(a) => a,
        Err(e) => return error_page(&c, e.into()),
    };
    let lang = c.lang;
    let status = shown.error.as_ref().map(|(s, _)| *s);
    let mut res = render(&KeysPage {
        c,
        accounts,
        scopes: Scope::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(lang)))
            .collect(),
        form: shown.form,
        error: shown.error.map(|(_, e)| e),
        notice: shown.notice,
        new_key: shown.new_key,
    });
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    res
}

fn failed(form: Form, e: impl Into<ApiError>, lang: Lang) -> Shown {
    let e = e.into();
    Shown {
        form,
        error: Some((e.status, FormError::of(e, lang))),
        ..Shown::default()
    }
}

#[derive(serde::Deserialize)]
pub struct ListQuery {
    /// What the last POST did (it answered 303 back here).
    done: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    Web(c): Web,
    Query(q): Query<ListQuery>,
) -> Response {
    let notice = match q.done.as_deref() {
        Some("revoked") => Some(c.t("密钥已吊销", "key revoked").to_owned()),
        _ => None,
    };
    page(
        &state,
        c,
        Shown {
            notice,
            ..Shown::default()
        },
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    Web(c): Web,
    CsrfForm(form): CsrfForm,
) -> Response {
    let lang = c.lang;
    let new = match parse_account(
        form.get("username"),
        form.get("display_name"),
        &form.all("scopes"),
    ) {
        Ok(n) => n,
        Err(e) => return page(&state, c, failed(form, e, lang)).await,
    };
    let (key, stored) = new_key();
    match state
        .store
        .create_service_account(&c.actor(), new, stored, state.clock.now())
        .await
    {
        Ok(a) => {
            let notice = format!(
                "{} {}",
                c.t("已创建服务账号", "created service account"),
                a.username
            );
            let shown = Shown {
                notice: Some(notice),
                new_key: Some(key),
                ..Shown::default()
            };
            page(&state, c, shown).await
        }
        Err(e) => page(&state, c, failed(form, e, lang)).await,
    }
}

pub async fn issue(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let lang = c.lang;
    let (key, stored) = new_key();
    match state
        .store
        .issue_api_key(&c.actor(), UserId(id), stored, state.clock.now())
        .await
    {
        Ok(_) => {
            let shown = Shown {
                notice: Some(c.t("已签发新密钥", "new key issued").to_owned()),
                new_key: Some(key),
                ..Shown::default()
            };
            page(&state, c, shown).await
        }
        Err(e) => page(&state, c, failed(form, e, lang)).await,
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    Web(c): Web,
    Path((id, key_id)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let lang = c.lang;
    match state
        .store
        .revoke_api_key(&c.actor(), UserId(id), key_id, state.clock.now())
        .await
    {
        Ok(()) => Redirect::to("/admin/keys?done=revoked").into_response(),
        Err(e) => page(&state, c, failed(form, e, lang)).await,
    }
}
