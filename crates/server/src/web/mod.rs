//! The web UI: server-rendered pages (askama, auto-escaped) for every role, in Chinese and
//! English, on the same `Store` methods and domain parsers as the JSON API.
//!
//! Pages never decide who may see what: they call the store with the signed-in user's `Actor`,
//! which answers "not found" for anything hidden, exactly as for the API. Which action buttons a
//! page offers is asked of the state machine itself (`domain::decide` on the current complaint),
//! so a button is shown, or explained when disabled, by the same rule that would refuse it.

mod admin;
mod bundles;
mod charts;
mod chat;
mod complaint;
mod consumer;
mod dashboard;
mod handovers;
pub mod i18n;
mod inbox;
mod jury;
mod keys;
mod policy;
mod queue;
mod report;
pub mod rules;
pub mod session;
mod shops;
mod webhooks;

use askama::Template;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use weiquan_domain::{Lang, Role, Timestamp};
use weiquan_store::User;

use crate::AppState;
use crate::error::ApiError;

/// The stylesheet and the script, compiled into the binary.
const CSS: &str = include_str!("../../static/app.css");
const JS: &str = include_str!("../../static/app.js");
const ICON: &str = include_str!("../../static/icon.svg");

/// How many evidence files the complaint form may carry (their sizes bound its body).
const FILING_FILES: usize = 3;

/// The web routes, mounted at `/` next to `/api/v1`.
pub fn routes(state: &AppState) -> Router<AppState> {
    let upload_limit = state.store.blobs().max_size() as usize + 64 * 1024;
    Router::new()
        .route("/", get(session::home))
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route("/lang/{lang}", get(session::switch_lang))
        .route(
            "/static/app.css",
            get(|| static_file(CSS, "text/css; charset=utf-8")),
        )
        .route(
            "/static/app.js",
            get(|| static_file(JS, "text/javascript; charset=utf-8")),
        )
        .route(
            "/static/icon.svg",
            get(|| static_file(ICON, "image/svg+xml")),
        )
        .route("/favicon.ico", get(|| static_file(ICON, "image/svg+xml")))
        .route("/orders", get(consumer::orders))
        .route("/chat", get(chat::page).post(chat::say))
        .route("/handovers", get(handovers::list))
        .route("/handovers/{id}", get(handovers::page))
        .route("/handovers/{id}/take", post(handovers::take))
        .route("/handovers/{id}/reply", post(handovers::reply))
        .route("/handovers/{id}/stream", get(handovers::stream))
        .route(
            "/orders/{order_no}/complain",
            get(consumer::file_form)
                .post(consumer::file)
                .layer(DefaultBodyLimit::max(FILING_FILES * upload_limit)),
        )
        .route("/complaints", get(queue::complaints))
        .route("/complaints/{id}", get(complaint::page))
        .route("/complaints/{id}/act", post(complaint::act))
        .route("/complaints/{id}/message", post(complaint::message))
        .route(
            "/complaints/{id}/evidence",
            post(complaint::upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/complaints/{id}/evidence/{sha}", get(complaint::evidence))
        .route("/reports", get(report::list))
        .route("/reports/new", get(report::new_form).post(report::create))
        .route("/reports/{id}", get(report::page))
        .route("/reports/{id}/act", post(report::act))
        .route(
            "/reports/{id}/evidence",
            post(report::upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/reports/{id}/evidence/{sha}", get(report::evidence))
        .route("/shops", get(shops::mine))
        .route("/shops/{id}", get(shops::shop))
        .route(
            "/shops/{id}/penalties/{penalty}/appeal",
            post(shops::appeal),
        )
        .route("/complaints/{id}/bundle", post(bundles::complaint))
        .route("/cases/{id}/bundle", post(bundles::case))
        .route("/shops/{id}/bundle", post(bundles::shop))
        .route("/bundles", post(bundles::period))
        .route("/cases", get(dashboard::cases))
        .route("/cases/{id}", get(dashboard::case))
        .route("/cases/{id}/act", post(dashboard::case_act))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/admin/users", get(admin::users).post(admin::create_user))
        .route("/admin/users/{id}/role", post(admin::set_role))
        .route("/admin/users/{id}/disabled", post(admin::set_disabled))
        .route("/admin/users/{id}/password", post(admin::reset_password))
        .route(
            "/admin/import",
            get(admin::import_page)
                .post(admin::import)
                .layer(DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .route("/admin/policy", get(admin::policy))
        .route("/complaints/{id}/jury", post(jury::send))
        .route("/jury", get(jury::list))
        .route("/jury/{id}", get(jury::panel))
        .route("/jury/{id}/vote", post(jury::vote))
        .route("/jury/{id}/leave", post(jury::leave))
        .route("/jury/{id}/evidence/{sha}", get(jury::evidence))
        .route("/notifications", get(inbox::page))
        .route("/notifications/read", post(inbox::mark_read))
        .route("/settings", get(inbox::settings).post(inbox::save_settings))
        .route("/admin/keys", get(keys::list).post(keys::create))
        .route("/admin/keys/{id}/keys", post(keys::issue))
        .route("/admin/keys/{id}/keys/{key_id}/revoke", post(keys::revoke))
        .route(
            "/admin/webhooks",
            get(webhooks::list).post(webhooks::create),
        )
        .route(
            "/admin/webhooks/{id}",
            get(webhooks::page).post(webhooks::update),
        )
        .route("/admin/webhooks/{id}/rotate", post(webhooks::rotate))
        .route("/admin/webhooks/messages/{id}", get(webhooks::message))
        .route(
            "/admin/webhooks/messages/{id}/replay",
            post(webhooks::replay),
        )
}

async fn static_file(body: &'static str, ty: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, ty),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// An unknown address: a page for a browser outside `/api`, the JSON envelope for everyone else.
pub async fn not_found(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
) -> Response {
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html && !req.uri().path().starts_with("/api/") {
        let lang = crate::lang::request_lang(req.headers(), req.uri().query());
        return error_page(
            &Ctx::anonymous(lang, req.uri().path(), state.clock.now()),
            ApiError::not_found(),
        );
    }
    ApiError::not_found().into_response()
}

/// What every page knows: the viewer, their language, the CSRF token for its forms.
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<User>,
    pub csrf: String,
    /// The current path and query, for the language switch to come back to.
    pub path: String,
    pub now: Timestamp,
    /// The viewer's unread notifications, for the header's badge.
    pub unread: Option<i64>,
}

impl Ctx {
    pub fn new(lang: Lang, user: Option<User>, csrf: String, path: String, now: Timestamp) -> Self {
        Ctx {
            lang,
            user,
            csrf,
            path,
            now,
            unread: None,
        }
    }
    pub fn anonymous(lang: Lang, path: &str, now: Timestamp) -> Self {
        Self::new(lang, None, String::new(), path.to_owned(), now)
    }
    /// The signed-in user (pages behind [`session::Web`] always have one).
    pub fn me(&self) -> &User {
        self.user.as_ref().expect("a signed-in page")
    }
    pub fn actor(&self) -> weiquan_domain::Actor {
        self.me().actor()
    }
    /// Whether the viewer may export the authorities' bundle (the same rule the store checks).
    pub fn may_export(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| weiquan_domain::access::may_export(u.role))
    }
    /// One string in the viewer's language.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(zh, en)
    }
    pub fn en(&self) -> bool {
        self.lang == Lang::En
    }
    pub fn html_lang(&self) -> &'static str {
        if self.en() { "en" } else { "zh-CN" }
    }
    pub fn here(&self) -> String {
        session::urlencode(&self.path)
    }
    pub fn role(&self) -> Option<Role> {
        self.user.as_ref().map(|u| u.role)
    }
    pub fn is(&self, role: &str) -> bool {
        self.role().is_some_and(|r| r.as_str() == role)
    }
    /// Whether the viewer works the chats handed over to a person (the header's link).
    pub fn takes_chats(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| weiquan_domain::access::check_chat_queue(&u.actor()).is_ok())
    }
    pub fn role_label(&self) -> &'static str {
        self.role().map(|r| r.label(self.lang)).unwrap_or("")
    }
    /// A time in China time (the marketplace's), e.g. `2026-05-04 10:30`.
    pub fn time(&self, t: impl AsTime) -> String {
        i18n::time(&t.ts())
    }
    /// Two strings are equal (for `selected` in templates, whatever the references).
    pub fn same(&self, a: impl AsRef<str>, b: impl AsRef<str>) -> bool {
        a.as_ref() == b.as_ref()
    }
}

/// A time, however many references deep a template holds it.
pub trait AsTime {
    fn ts(&self) -> Timestamp;
}

impl AsTime for Timestamp {
    fn ts(&self) -> Timestamp {
        *self
    }
}

impl<T: AsTime + ?Sized> AsTime for &T {
    fn ts(&self) -> Timestamp {
        (**self).ts()
    }
}

/// Renders a template into an HTML response (a template error is logged and a 500 page).
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => {
            let mut res = Html(html).into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; \
                     style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; \
                     form-action 'self'; base-uri 'none'",
                ),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "rendering a page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<!doctype html><title>500</title><p>服务器出错了 / something went wrong</p>"),
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    c: &'a Ctx,
    status: u16,
    message: String,
    fields: Vec<(String, String)>,
}

/// An error as a page in the viewer's language, with the error's status.
pub fn error_page(c: &Ctx, e: ApiError) -> Response {
    let fields = field_messages(&e, c.lang);
    let mut res = render(&ErrorPage {
        c,
        status: e.status.as_u16(),
        message: page_message(&e, c.lang),
        fields,
    });
    *res.status_mut() = e.status;
    res
}

/// A field error list, in the viewer's language, with the field names people see.
pub fn field_messages(e: &ApiError, lang: Lang) -> Vec<(String, String)> {
    e.fields
        .iter()
        .map(|f| {
            (
                i18n::field(lang, &f.field).to_owned(),
                f.message.get(lang).to_owned(),
            )
        })
        .collect()
}

/// An error's headline on a page: the API's names the fields by their keys, a page lists them
/// by their labels right below it.
fn page_message(e: &ApiError, lang: Lang) -> String {
    if e.fields.is_empty() {
        e.message.get(lang).to_owned()
    } else {
        lang.pick(
            "输入有误，请检查下面标出的项",
            "Please check what is marked below",
        )
        .to_owned()
    }
}

/// An error shown above a form that keeps its values.
pub struct FormError {
    pub message: String,
    pub fields: Vec<(String, String)>,
}

impl FormError {
    pub fn of(e: impl Into<ApiError>, lang: Lang) -> Self {
        let e = e.into();
        FormError {
            fields: field_messages(&e, lang),
            message: page_message(&e, lang),
        }
    }
}

/// A posted urlencoded form; repeated names (checkbox lists) keep every value.
#[derive(Debug, Default, Clone)]
pub struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    pub fn parse(body: &[u8]) -> Form {
        Form {
            pairs: form_urlencoded::parse(body).into_owned().collect(),
        }
    }
    /// The first value of a field, or "".
    pub fn get(&self, k: &str) -> &str {
        self.pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    /// A field's value if it is present and not blank.
    pub fn opt(&self, k: &str) -> Option<String> {
        Some(self.get(k).trim())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }
    pub fn all(&self, k: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    }
    pub fn has(&self, k: &str, v: &str) -> bool {
        self.pairs.iter().any(|(n, x)| n == k && x == v)
    }
    pub fn add(&mut self, k: &str, v: impl Into<String>) {
        self.pairs.push((k.to_owned(), v.into()));
    }
    pub fn set(&mut self, k: &str, v: impl Into<String>) {
        self.pairs.retain(|(n, _)| n != k);
        self.pairs.push((k.to_owned(), v.into()));
    }
}

/// Parses an amount in yuan ("12.5", "¥12.50") into fen; blank is `None`.
pub fn yuan_to_cents(field: &str, s: &str) -> Result<Option<i64>, weiquan_domain::DomainError> {
    let s = s.trim().trim_start_matches(['¥', '￥']).trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || {
        weiquan_domain::DomainError::invalid(
            field,
            "金额应为元，最多两位小数，例如 59.90",
            "an amount in yuan with at most two decimals, e.g. 59.90",
        )
    };
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || whole.len() > 12
    {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    Ok(Some(whole * 100 + frac))
}

/// A `datetime-local` value ("2026-05-04T10:30") in China time, as RFC 3339; anything else as given.
pub fn local_to_rfc3339(s: &str) -> String {
    let s = s.trim();
    match s.len() {
        16 if s.as_bytes().get(10) == Some(&b'T') => format!("{s}:00+08:00"),
        19 if s.as_bytes().get(10) == Some(&b'T') => format!("{s}+08:00"),
        _ => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan() {
        assert_eq!(yuan_to_cents("a", "12.5").unwrap(), Some(1250));
        assert_eq!(yuan_to_cents("a", "¥59.90").unwrap(), Some(5990));
        assert_eq!(yuan_to_cents("a", "3").unwrap(), Some(300));
        assert_eq!(yuan_to_cents("a", " ").unwrap(), None);
        assert!(yuan_to_cents("a", "1.234").is_err());
        assert!(yuan_to_cents("a", "-1").is_err());
        assert!(yuan_to_cents("a", "abc").is_err());
    }

    #[test]
    fn local_times() {
        assert_eq!(
            local_to_rfc3339("2026-05-04T10:30"),
            "2026-05-04T10:30:00+08:00"
        );
        assert_eq!(local_to_rfc3339("yesterday"), "yesterday");
    }

    #[test]
    fn csrf_tokens_bind_to_their_secret() {
        let t = session::csrf_for("secret-a");
        assert!(session::check_csrf(Some("secret-a"), &t).is_ok());
        assert!(session::check_csrf(Some("secret-b"), &t).is_err());
        assert!(session::check_csrf(None, &t).is_err());
        assert!(session::check_csrf(Some("secret-a"), "zz").is_err());
    }
}
