//! The admin's pages: accounts and roles, imports, the policy in force.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use weiquan_domain::*;
use weiquan_store::jsonl::{ImportKind, ImportReport, import_jsonl};
use weiquan_store::{NewUser, User};

use super::session::{CsrfForm, Web, check_csrf, session_secret};
use super::{Ctx, Form, FormError, error_page, i18n, render};
use crate::AppState;
use crate::error::ApiError;

/// The roles an admin hands out (consumers and merchants come from the marketplace).
const STAFF: [Role; 4] = [
    Role::CsAgent,
    Role::Protection,
    Role::Regulator,
    Role::Admin,
];

#[derive(Deserialize)]
pub struct UsersQuery {
    after: Option<i64>,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    c: Ctx,
    users: Vec<User>,
    next: Option<String>,
    staff: Vec<(&'static str, &'static str)>,
    form: Form,
    error: Option<FormError>,
    notice: Option<String>,
}

impl UsersPage {
    fn role(&self, u: &User) -> &'static str {
        u.role.label(self.c.lang)
    }
    fn is_staff(&self, u: &User) -> bool {
        u.role.is_staff()
    }
}

async fn users_page(
    state: &AppState,
    c: Ctx,
    after: Option<i64>,
    form: Form,
    error: Option<(StatusCode, FormError)>,
    notice: Option<String>,
) -> Response {
    let page = match state.store.users(&c.actor(), after, 100).await {
        Ok(p) => p,
        Err(e) => return error_page(&c, e.into()),
    };
    let lang = c.lang;
    let status = error.as_ref().map(|(s, _)| *s);
    let mut res = render(&UsersPage {
        c,
        users: page.items,
        next: page.next_cursor,
        staff: STAFF.iter().map(|r| (r.as_str(), r.label(lang))).collect(),
        form,
        error: error.map(|(_, e)| e),
        notice,
    });
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    res
}

pub async fn users(
    State(state): State<AppState>,
    Web(c): Web,
    Query(q): Query<UsersQuery>,
) -> Response {
    users_page(&state, c, q.after, Form::default(), None, None).await
}

/// Creates a staff account with a password (argon2id, as everywhere).
pub async fn create_user(
    State(state): State<AppState>,
    Web(c): Web,
    CsrfForm(form): CsrfForm,
) -> Response {
    let lang = c.lang;
    let actor = c.actor();
    let mut errs = weiquan_domain::error::FieldErrors::new();
    if actor.role != Role::Admin {
        return error_page(
            &c,
            DomainError::forbidden("只有管理员可以管理账号", "only an admin manages accounts")
                .into(),
        );
    }
    let username = errs.take(Username::parse(form.get("username")));
    let role = errs.take(Role::parse(form.get("role")).and_then(|r| {
        if r.is_staff() {
            Ok(r)
        } else {
            Err(DomainError::invalid(
                "role",
                "只能创建客服、消费者保障、平台监管或管理员账号",
                "only staff accounts (cs_agent, protection, regulator, admin) are created here",
            ))
        }
    }));
    let display = errs.take(parse_text("display_name", form.get("display_name"), 1, 40));
    let password = form.get("password").to_owned();
    errs.take(crate::auth::check_password(&password));
    if let Err(e) = errs.finish() {
        let e = ApiError::from(e);
        return users_page(
            &state,
            c,
            None,
            form,
            Some((e.status, FormError::of(e, lang))),
            None,
        )
        .await;
    }
    let hash = match crate::auth::hashing(move || crate::auth::hash_password(&password)).await {
        Ok(h) => h,
        Err(e) => return error_page(&c, e),
    };
    let new = NewUser {
        username: username.expect("checked"),
        role: role.expect("checked"),
        display_name: display.expect("checked"),
        password_hash: Some(hash),
    };
    match state.store.create_user(new, state.clock.now()).await {
        Ok(u) => {
            let notice = format!(
                "{} {} ({})",
                c.t("已创建账号", "created account"),
                u.username,
                u.role.label(lang)
            );
            users_page(&state, c, None, Form::default(), None, Some(notice)).await
        }
        Err(e) => {
            let e = ApiError::from(e);
            users_page(
                &state,
                c,
                None,
                form,
                Some((e.status, FormError::of(e, lang))),
                None,
            )
            .await
        }
    }
}

pub async fn set_role(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let lang = c.lang;
    let role = match Role::parse(form.get("role")) {
        Ok(r) => r,
        Err(e) => {
            let e = ApiError::from(e);
            return users_page(
                &state,
                c,
                None,
                form,
                Some((e.status, FormError::of(e, lang))),
                None,
            )
            .await;
        }
    };
    match state
        .store
        .set_role(&c.actor(), UserId(id), role, state.clock.now())
        .await
    {
        Ok(u) => {
            let notice = format!(
                "{} {} → {}",
                c.t("已调整角色", "role changed"),
                u.username,
                u.role.label(lang)
            );
            users_page(&state, c, None, Form::default(), None, Some(notice)).await
        }
        Err(e) => {
            let e = ApiError::from(e);
            users_page(
                &state,
                c,
                None,
                form,
                Some((e.status, FormError::of(e, lang))),
                None,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "admin_import.html")]
struct ImportPage {
    c: Ctx,
    /// How many records landed, once a file was read.
    landed: Option<u64>,
    /// The lines that did not: (line, field as people see it, reason), in the page language.
    problems: Vec<(usize, String, String)>,
    error: Option<FormError>,
}

impl ImportPage {
    fn new(c: Ctx, report: Option<ImportReport>, error: Option<FormError>) -> Self {
        let problems = report
            .as_ref()
            .map(|r| {
                r.errors
                    .iter()
                    .map(|p| {
                        let field = p
                            .field
                            .as_deref()
                            .map(|f| i18n::field_path(c.lang, f))
                            .unwrap_or_default();
                        (p.line, field, p.reason.clone())
                    })
                    .collect()
            })
            .unwrap_or_default();
        ImportPage {
            landed: report.map(|r| r.ok),
            problems,
            error,
            c,
        }
    }
}

fn admin_only(c: &Ctx) -> Result<(), ApiError> {
    if c.actor().role == Role::Admin {
        Ok(())
    } else {
        Err(DomainError::forbidden("只有管理员可以导入数据", "only an admin imports data").into())
    }
}

pub async fn import_page(Web(c): Web) -> Response {
    if let Err(e) = admin_only(&c) {
        return error_page(&c, e);
    }
    render(&ImportPage::new(c, None, None))
}

/// JSON lines of shops or orders through the same loop as `weiquan import`.
pub async fn import(
    State(state): State<AppState>,
    Web(c): Web,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    if let Err(e) = admin_only(&c) {
        return error_page(&c, e);
    }
    let lang = c.lang;
    let result = async {
        let bad = |_: axum::extract::multipart::MultipartError| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_multipart",
                "上传的表单格式有误",
                "the upload form is malformed",
            )
        };
        let mut mp = multipart.map_err(|_| {
            ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请以 multipart/form-data 上传",
                "upload as multipart/form-data",
            )
        })?;
        let (mut checked, mut kind, mut file) = (false, None, None);
        while let Some(field) = mp.next_field().await.map_err(bad)? {
            match field.name() {
                Some("csrf") => {
                    check_csrf(
                        session_secret(&state, &headers),
                        &field.text().await.map_err(bad)?,
                    )?;
                    checked = true;
                }
                _ if !checked => check_csrf(None, "")?,
                Some("what") => kind = Some(field.text().await.map_err(bad)?),
                Some("file") => file = Some(field.bytes().await.map_err(bad)?),
                _ => {}
            }
        }
        if !checked {
            check_csrf(None, "")?;
        }
        let kind = match kind.as_deref() {
            Some("shops") => ImportKind::Shops,
            Some("orders") => ImportKind::Orders,
            _ => {
                return Err(ApiError::from(DomainError::invalid(
                    "what",
                    "请选择导入店铺还是订单",
                    "choose whether the file holds shops or orders",
                )));
            }
        };
        let file = file.filter(|f| !f.is_empty()).ok_or_else(|| {
            ApiError::from(DomainError::invalid(
                "file",
                "请选择要导入的 JSONL 文件",
                "choose a JSON-lines file to import",
            ))
        })?;
        Ok(import_jsonl(
            state.store.as_ref(),
            state.clock.as_ref(),
            kind,
            &file[..],
            lang,
            &|| {},
        )
        .await?)
    }
    .await;
    match result {
        Ok(report) => render(&ImportPage::new(c, Some(report), None)),
        Err(e) if e.code == "csrf" => error_page(&c, e),
        Err(e) => {
            let status = e.status;
            let mut res = render(&ImportPage::new(c, None, Some(FormError::of(e, lang))));
            *res.status_mut() = status;
            res
        }
    }
}

#[derive(Template)]
#[template(path = "admin_policy.html")]
struct PolicyPage {
    c: Ctx,
    toml: String,
}

/// The policy in force, as the TOML that would reproduce it.
pub async fn policy(State(state): State<AppState>, Web(c): Web) -> Response {
    if !c.actor().role.is_staff() {
        return error_page(&c, ApiError::not_found());
    }
    let toml = match toml::to_string_pretty(state.store.policy()) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "serialising the policy");
            return error_page(&c, ApiError::internal());
        }
    };
    render(&PolicyPage { c, toml })
}
