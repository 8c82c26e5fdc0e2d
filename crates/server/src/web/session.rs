//! Browser sessions: the session cookie, CSRF tokens, sign-in and sign-out.
//!
//! The cookie carries the same kind of token as the API's bearer tokens (only its SHA-256 is
//! stored, in the same `sessions` table). Every form carries a CSRF token: HMAC-SHA256 keyed by
//! the session token, which only this browser holds (the cookie is HttpOnly), so no other site
//! can forge it, and every node computes it without shared server state. The sign-in form,
//! before any session exists, is protected the same way by a short-lived random cookie, whose
//! token is good for signing in and nothing else.
//!
//! A site served over HTTPS (`serve --https`) names its cookies `__Host-…` and always marks them
//! Secure: the browser then takes them only from this origin over HTTPS, so neither a plain-HTTP
//! response nor a sibling subdomain can plant a session.

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use weiquan_domain::Lang;
use weiquan_store::User;

use super::{Ctx, Form, render};
use crate::AppState;
use crate::auth::{check_credentials, issue_token, token_hash};
use crate::error::ApiError;
use crate::lang::request_lang;

/// This site's cookie names and flags: `__Host-` names and always Secure when it is served
/// over HTTPS (`AppState::https`); otherwise Secure only when a proxy says the request came so.
#[derive(Clone, Copy)]
pub struct Jar {
    https: bool,
}

impl Jar {
    pub fn of(state: &AppState) -> Self {
        Jar { https: state.https }
    }
    /// The session's cookie.
    pub fn session(self) -> &'static str {
        if self.https {
            "__Host-wq_session"
        } else {
            "wq_session"
        }
    }
    /// The sign-in form's cookie, before any session exists.
    fn login(self) -> &'static str {
        if self.https {
            "__Host-wq_login"
        } else {
            "wq_login"
        }
    }
    fn secure(self, headers: &HeaderMap) -> bool {
        self.https || over_https(headers)
    }
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name && !v.is_empty()).then_some(v)
        })
}

/// The CSRF token that goes with a session (or sign-in) secret.
pub fn csrf_for(secret: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(b"weiquan-csrf-v1");
    hex::encode(mac.finalize().into_bytes())
}

fn csrf_ok(secret: &str, given: &str) -> bool {
    let Ok(given) = hex::decode(given) else {
        return false;
    };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(b"weiquan-csrf-v1");
    mac.verify_slice(&given).is_ok() // constant time
}

/// Whether the browser reached us over HTTPS: weiquan speaks plain HTTP behind a TLS-terminating
/// proxy, which says so in `X-Forwarded-Proto` (or `Forwarded: proto=https`). Believing a client
/// that claims it can only make its own cookies stricter.
fn over_https(headers: &HeaderMap) -> bool {
    let says = |name: &str, f: &dyn Fn(&str) -> bool| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| f(&v.to_ascii_lowercase()))
    };
    says("x-forwarded-proto", &|v| {
        v.split(',').next().map(str::trim) == Some("https")
    }) || says("forwarded", &|v| {
        v.split([';', ',']).any(|p| p.trim() == "proto=https")
    })
}

/// A cookie of ours: HttpOnly unless the page's script must read it, SameSite=Lax, and Secure
/// whenever the site or the browser is on HTTPS (so it is never sent in clear afterwards).
fn cookie_header(
    jar: Jar,
    headers: &HeaderMap,
    name: &str,
    value: &str,
    max_age: i64,
    http_only: bool,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; SameSite=Lax; Max-Age={max_age}");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if jar.secure(headers) {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie value is URL-safe")
}

fn set_cookie(jar: Jar, headers: &HeaderMap, name: &str, value: &str, max_age: i64) -> HeaderValue {
    cookie_header(jar, headers, name, value, max_age, true)
}

fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Where a `next` may send the browser: a path on this site, or `None` (the caller goes home).
/// The one check of every redirect that takes `next`. Browsers drop tabs and newlines from a
/// `Location` and read `\` as `/`, so `/<tab>/evil.example` would be `//evil.example`, another
/// site. So: one leading `/`, not `//` or `/\`; visible ASCII only (a header carries nothing
/// else); and decoded once more, still no control character, backslash or `//` start.
pub fn local_path(next: &str) -> Option<&str> {
    fn rooted(p: &[u8]) -> bool {
        p.first() == Some(&b'/') && !matches!(p.get(1), Some(b'/' | b'\\'))
    }
    let raw = next.as_bytes();
    let decoded = percent_decode(raw);
    let ok = rooted(raw)
        && raw.iter().all(|&b| b.is_ascii_graphic() && b != b'\\')
        && rooted(&decoded)
        && !decoded.iter().any(|&b| b.is_ascii_control() || b == b'\\');
    ok.then_some(next)
}

fn percent_decode(s: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%'
            && let (Some(h), Some(l)) = (
                s.get(i + 1).copied().and_then(hex),
                s.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(h << 4 | l);
            i += 3;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

fn safe_next(next: Option<&str>) -> Option<String> {
    next.and_then(local_path).map(str::to_owned)
}

/// A signed-in browser: the user, the language and the page's CSRF token.
pub struct Web(pub Ctx);

impl FromRequestParts<AppState> for Web {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang = request_lang(&parts.headers, parts.uri.query());
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
        // After signing in, come back here; a form post cannot be replayed, so go home instead.
        let next = if parts.method == axum::http::Method::GET {
            urlencode(&path)
        } else {
            String::new()
        };
        let jar = Jar::of(state);
        let Some(token) = cookie(&parts.headers, jar.session()) else {
            return Err(Redirect::to(&format!("/login?next={next}")).into_response());
        };
        let now = state.clock.now();
        let user = state
            .store
            .session_user(&token_hash(token), now)
            .await
            .map_err(|e| super::error_page(&Ctx::anonymous(lang, &path, now), ApiError::from(e)))?;
        match user {
            Some(user) => {
                // The header's badge: one indexed count (a failure only leaves the badge out).
                let unread = state.store.unread_count(&user.actor()).await.ok();
                let mut c = Ctx::new(lang, Some(user), csrf_for(token), path, now);
                c.unread = unread;
                Ok(Web(c))
            }
            None => {
                let mut res =
                    Redirect::to(&format!("/login?expired=1&next={next}")).into_response();
                res.headers_mut().append(
                    header::SET_COOKIE,
                    set_cookie(jar, &parts.headers, jar.session(), "", 0),
                );
                Err(res)
            }
        }
    }
}

/// A posted form (urlencoded) whose CSRF token matched the session's; otherwise an error page.
pub struct CsrfForm(pub Form);

impl FromRequest<AppState> for CsrfForm {
    type Rejection = Response;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let name = Jar::of(state).session();
        checked_form(req, state, name).await.map(CsrfForm)
    }
}

/// The sign-in form: its token comes from the sign-in cookie, which is good for nothing else.
pub struct LoginForm(pub Form);

impl FromRequest<AppState> for LoginForm {
    type Rejection = Response;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let name = Jar::of(state).login();
        checked_form(req, state, name).await.map(LoginForm)
    }
}

/// Reads a urlencoded form and checks its `csrf` field against the cookie `secret_cookie`.
async fn checked_form(
    req: Request,
    state: &AppState,
    secret_cookie: &str,
) -> Result<Form, Response> {
    let now = state.clock.now();
    let lang = request_lang(req.headers(), req.uri().query());
    let path = req.uri().path().to_owned();
    let secret = cookie(req.headers(), secret_cookie).map(str::to_owned);
    let bytes = axum::body::Bytes::from_request(req, &())
        .await
        .map_err(|_| {
            super::error_page(
                &Ctx::anonymous(lang, &path, now),
                ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE),
            )
        })?;
    let form = Form::parse(&bytes);
    check_csrf(secret.as_deref(), form.get("csrf"))
        .map_err(|e| super::error_page(&Ctx::anonymous(lang, &path, now), e))?;
    Ok(form)
}

/// The error for a form whose token is missing or wrong (stale page, other site, no cookie).
pub fn check_csrf(secret: Option<&str>, given: &str) -> Result<(), ApiError> {
    match secret {
        Some(s) if csrf_ok(s, given) => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "表单已失效（页面过期或来自其他网站），请返回刷新页面后重新提交",
            "this form has expired or did not come from this site; go back, reload the page and submit again",
        )),
    }
}

/// The session secret of a request, for checking the CSRF field of a multipart form.
pub fn session_secret<'a>(state: &AppState, headers: &'a HeaderMap) -> Option<&'a str> {
    cookie(headers, Jar::of(state).session())
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(askama::Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Ctx,
    next: String,
    username: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
}

/// The sign-in page; sets the sign-in form's CSRF secret.
pub async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
) -> Response {
    let lang = request_lang(&headers, uri.query());
    let jar = Jar::of(&state);
    let secret = random_token();
    let mut c = Ctx::anonymous(lang, uri.path(), state.clock.now());
    c.csrf = csrf_for(&secret);
    let notice = q.expired.map(|_| {
        lang.pick(
            "登录已过期，请重新登录",
            "your session has expired; please sign in again",
        )
        .to_owned()
    });
    let page = LoginPage {
        c,
        next: safe_next(q.next.as_deref()).unwrap_or_default(),
        username: String::new(),
        error: None,
        notice,
    };
    let mut res = render(&page);
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(jar, &headers, jar.login(), &secret, 3600),
    );
    res
}

/// Checks the password like the API does, then sets the session cookie.
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    crate::listen::ClientIp(ip): crate::listen::ClientIp,
    LoginForm(form): LoginForm,
) -> Response {
    let lang = request_lang(&headers, uri.query());
    let jar = Jar::of(&state);
    let username = form.get("username").trim().to_owned();
    let next = safe_next(Some(form.get("next")));
    let result = match check_credentials(&state, ip, &username, form.get("password")).await {
        Ok(user) => issue_token(&state, &user).await.map(|t| (user, t)),
        Err(e) => Err(e),
    };
    match result {
        Ok((user, token)) => {
            let to = next.unwrap_or_else(|| home_of(&user).to_owned());
            let mut res = Redirect::to(&to).into_response();
            let h = res.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(jar, &headers, jar.session(), &token, 30 * 24 * 3600),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(jar, &headers, jar.login(), "", 0),
            );
            res
        }
        Err(e) => {
            let secret = cookie(&headers, jar.login()).unwrap_or_default();
            let mut c = Ctx::anonymous(lang, "/login", state.clock.now());
            c.csrf = csrf_for(secret);
            let mut res = render(&LoginPage {
                c,
                next: next.unwrap_or_default(),
                username,
                error: Some(e.message.get(lang).to_owned()),
                notice: None,
            });
            *res.status_mut() = e.status;
            if let Some(secs) = e.retry_after {
                res.headers_mut().insert(header::RETRY_AFTER, secs.into());
            }
            res
        }
    }
}

/// Ends the session (the row and the cookie).
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(_): CsrfForm,
) -> Response {
    let jar = Jar::of(&state);
    if let Some(token) = cookie(&headers, jar.session())
        && let Err(e) = state.store.delete_session(&token_hash(token)).await
    {
        tracing::error!(error = %e, "ending a web session");
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(jar, &headers, jar.session(), "", 0),
    );
    res
}

/// The language switch: a `lang` cookie for a year, then back where the user was; a signed-in
/// user's language is stored too (what is sent to them follows it).
pub async fn switch_lang(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(lang): axum::extract::Path<String>,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
) -> Response {
    let lang = match lang.as_str() {
        "en" => Lang::En,
        _ => Lang::Zh,
    };
    if let Err(e) = store_lang(&state, &headers, lang).await {
        tracing::warn!(error = %e, "storing a user's language");
    }
    let mut res =
        Redirect::to(&safe_next(q.next.as_deref()).unwrap_or_else(|| "/".into())).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(
            Jar::of(&state),
            &headers,
            "lang",
            if lang == Lang::En { "en" } else { "zh" },
            31_536_000,
            false,
        ),
    );
    res
}

/// Keeps the signed-in user's language (nothing for a visitor).
async fn store_lang(
    state: &AppState,
    headers: &HeaderMap,
    lang: Lang,
) -> Result<(), weiquan_store::StoreError> {
    let Some(token) = session_secret(state, headers) else {
        return Ok(());
    };
    let Some(user) = state
        .store
        .session_user(&token_hash(token), state.clock.now())
        .await?
    else {
        return Ok(());
    };
    let actor = user.actor();
    let mut s = state.store.settings(&actor).await?;
    if s.lang != lang {
        s.lang = lang;
        state
            .store
            .set_settings(&actor, s, state.clock.now())
            .await?;
    }
    Ok(())
}

/// Each role's first page.
pub fn home_of(user: &User) -> &'static str {
    use weiquan_domain::Role;
    match user.role {
        Role::Consumer => "/orders",
        Role::Merchant | Role::CsAgent | Role::Protection => "/complaints",
        Role::Regulator => "/dashboard",
        Role::Admin => "/admin/users",
        // Service accounts have no password and never sign in to pages.
        Role::Service => "/login",
    }
}

pub async fn home(web: Result<Web, Response>) -> Response {
    match web {
        Ok(Web(c)) => Redirect::to(home_of(c.user.as_ref().expect("signed in"))).into_response(),
        Err(_) => Redirect::to("/login").into_response(),
    }
}
