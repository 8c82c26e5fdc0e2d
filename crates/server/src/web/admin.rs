//! The admin's pages: accounts and roles, imports, the policy in force.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use weiquan_domain::*;
use weiquan_store::jsonl::{ImportKind, ImportReport, import_jsonl};
use weiquan_store::{Account, NewUser, RoleFilter, UserQuery};

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

/// The accounts list's search, filter and page, kept in the URL (a GET form).
#[derive(Deserialize, Default, Clone)]
pub struct UsersQuery {
    /// Part of a username or display name.
    #[serde(default)]
    q: String,
    /// `staff` (the default: the accounts an admin manages), `all`, or one role.
    #[serde(default)]
    role: String,
    after: Option<i64>,
    /// What the last POST did (303 back here), and to whom.
    done: Option<String>,
    who: Option<String>,
}

impl UsersQuery {
    fn role(&self) -> &str {
        if self.role.is_empty() {
            "staff"
        } else {
            &self.role
        }
    }
    /// The search and filter as a query string (no page, no notice).
    fn filter_query(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("q", self.q.trim())
            .append_pair("role", self.role())
            .finish()
    }
    /// The list's own address with this search, filter and page: where a POST comes back to.
    fn here(&self) -> String {
        match self.after {
            Some(a) => format!("/admin/users?{}&after={a}", self.filter_query()),
            None => format!("/admin/users?{}", self.filter_query()),
        }
    }
    /// Back from a form: the search, filter and page it was posted from (only those fields).
    fn from_form(form: &Form) -> Self {
        UsersQuery {
            q: form.get("q").to_owned(),
            role: form.get("filter_role").to_owned(),
            after: form.get("after").parse().ok(),
            ..Default::default()
        }
    }
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    c: Ctx,
    users: Vec<Account>,
    next: Option<String>,
    staff: Vec<(&'static str, &'static str)>,
    /// The role filter's choices: staff, all, each role.
    filters: Vec<(&'static str, &'static str)>,
    query: UsersQuery,
    form: Form,
    error: Option<FormError>,
    notice: Option<String>,
}

impl UsersPage {
    fn role(&self, a: &Account) -> &'static str {
        a.user.role.label(self.c.lang)
    }
    fn is_staff(&self, a: &Account) -> bool {
        a.user.role.is_staff()
    }
    fn is_me(&self, a: &Account) -> bool {
        self.c.me().id == a.user.id
    }
    /// People sign in with a password; service accounts with API keys.
    fn has_password(&self, a: &Account) -> bool {
        a.user.role != Role::Service
    }
    fn next_href(&self, after: &str) -> String {
        format!("/admin/users?{}&after={after}", self.query.filter_query())
    }
}

/// The notice after a POST came back here (303), from its code and the account's name.
fn done_notice(c: &Ctx, q: &UsersQuery) -> Option<String> {
    let what = match q.done.as_deref()? {
        "created" => c.t("已创建账号", "Account created"),
        "role" => c.t("已调整角色", "Role changed"),
        "disabled" => c.t(
            "已停用账号，其登录会话和接口密钥立即失效",
            "Account disabled; its sessions and API keys stopped working",
        ),
        "enabled" => c.t("已重新启用账号", "Account enabled again"),
        "password" => c.t(
            "已重设密码，该账号的登录会话已全部退出；请当面或电话告知临时密码",
            "Password reset and every session of the account ended; tell them the temporary password in person or by phone",
        ),
        _ => return None,
    };
    let who = q.who.as_deref().unwrap_or("");
    Some(if who.is_empty() {
        what.to_owned()
    } else {
        format!("{what}：{who}")
    })
}

/// Parses the role filter; an unknown one is a field error.
fn role_filter(s: &str) -> Result<Option<RoleFilter>, DomainError> {
    match s {
        "staff" => Ok(Some(RoleFilter::Staff)),
        "all" => Ok(None),
        r => Role::parse(r).map(|r| Some(RoleFilter::Role(r))),
    }
}

async fn users_page(
    state: &AppState,
    c: Ctx,
    query: UsersQuery,
    form: Form,
    error: Option<(StatusCode, FormError)>,
) -> Response {
    let role = match role_filter(query.role()) {
        Ok(r) => r,
        Err(e) => return error_page(&c, e.into()),
    };
    let q = UserQuery {
        search: Some(query.q.trim().to_owned()).filter(|s| !s.is_empty()),
        role,
        after: query.after,
        limit: 50,
    };
    let page = match state.store.users(&c.actor(), q).await {
        Ok(p) => p,
        Err(e) => return error_page(&c, e.into()),
    };
    let lang = c.lang;
    let status = error.as_ref().map(|(s, _)| *s);
    let notice = done_notice(&c, &query);
    let mut filters = vec![
        ("staff", c.t("全部工作人员", "all staff")),
        ("all", c.t("全部账号", "all accounts")),
    ];
    filters.extend(Role::ALL.iter().map(|r| (r.as_str(), r.label(lang))));
    let mut res = render(&UsersPage {
        c,
        users: page.items,
        next: page.next_cursor,
        staff: STAFF.iter().map(|r| (r.as_str(), r.label(lang))).collect(),
        filters,
        query,
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
    users_page(&state, c, q, Form::default(), None).await
}

/// Back to the list the form was posted from (303), saying what was done to whom.
fn done(form: &Form, what: &str, who: &Username) -> Response {
    let to = format!(
        "{}&{}",
        UsersQuery::from_form(form).here(),
        form_urlencoded::Serializer::new(String::new())
            .append_pair("done", what)
            .append_pair("who", who.as_str())
            .finish()
    );
    Redirect::to(&to).into_response()
}

/// The list again with the form's error (and its status), the search and page kept.
async fn failed(state: &AppState, c: Ctx, form: Form, e: impl Into<ApiError>) -> Response {
    let e = e.into();
    let lang = c.lang;
    let query = UsersQuery::from_form(&form);
    users_page(
        state,
        c,
        query,
        form,
        Some((e.status, FormError::of(e, lang))),
    )
    .await
}

/// Creates a staff account with a password (argon2id, as everywhere).
pub async fn create_user(
    State(state): State<AppState>,
    Web(c): Web,
    CsrfForm(form): CsrfForm,
) -> Response {
    let actor = c.actor();
    let mut errs = weiquan_domain::error::FieldErrors::new();
    if let Err(e) = access::check_admin(&actor) {
        return error_page(&c, e.into());
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
        return failed(&state, c, form, e).await;
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
        Ok(u) => done(&Form::default(), "created", &u.username),
        Err(e) => failed(&state, c, form, e).await,
    }
}

pub async fn set_role(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let role = match Role::parse(form.get("role")) {
        Ok(r) => r,
        Err(e) => return failed(&state, c, form, e).await,
    };
    match state
        .store
        .set_role(&c.actor(), UserId(id), role, state.clock.now())
        .await
    {
        Ok(u) => done(&form, "role", &u.username),
        Err(e) => failed(&state, c, form, e).await,
    }
}

/// Disables (`disabled=1`) or enables an account.
pub async fn set_disabled(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let disabled = form.get("disabled") == "1";
    match state
        .store
        .set_disabled(&c.actor(), UserId(id), disabled, state.clock.now())
        .await
    {
        Ok(u) => done(
            &form,
            if disabled { "disabled" } else { "enabled" },
            &u.username,
        ),
        Err(e) => failed(&state, c, form, e).await,
    }
}

/// The admin sets a temporary password that they tell the person; every session of the
/// account ends (DESIGN: accounts; README: the admin's walk).
pub async fn reset_password(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm,
) -> Response {
    if let Err(e) = access::check_admin(&c.actor()) {
        return error_page(&c, e.into());
    }
    let password = form.get("password").to_owned();
    if let Err(e) = crate::auth::check_password(&password) {
        return failed(&state, c, form, e).await;
    }
    let hash = match crate::auth::hashing(move || crate::auth::hash_password(&password)).await {
        Ok(h) => h,
        Err(e) => return error_page(&c, e),
    };
    match state
        .store
        .reset_password(&c.actor(), UserId(id), hash, state.clock.now())
        .await
    {
        Ok(u) => done(&form, "password", &u.username),
        Err(e) => failed(&state, c, form, e).await,
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
    sections: Vec<super::policy::Section>,
    toml: String,
}

/// The policy in force in words, and the TOML that would reproduce it behind a disclosure.
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
    let sections = super::policy::sections(state.store.policy(), c.lang);
    render(&PolicyPage { c, sections, toml })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_comes_back_to_the_list_it_came_from() {
        let mut form = Form::default();
        form.set("q", "王 五&x");
        form.set("filter_role", "protection");
        form.set("after", "40");
        form.set("role", "admin");
        let q = UsersQuery::from_form(&form);
        assert_eq!(
            q.here(),
            "/admin/users?q=%E7%8E%8B+%E4%BA%94%26x&role=protection&after=40"
        );
        // Without a filter the list is the staff's; the next page keeps search and filter.
        let q = UsersQuery {
            q: "guard".into(),
            ..Default::default()
        };
        assert_eq!(q.here(), "/admin/users?q=guard&role=staff");
        assert_eq!(
            format!("/admin/users?{}&after=7", q.filter_query()),
            "/admin/users?q=guard&role=staff&after=7"
        );
    }
}
