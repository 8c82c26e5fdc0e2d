//! Sign-in with argon2id and bearer tokens.
//!
//! A token is 32 random bytes; only its SHA-256 is stored. Password hashing runs on a blocking
//! thread, and an unknown username is checked against a dummy hash so that it costs as much as
//! a wrong password and reveals nothing.

use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use weiquan_domain::{DomainError, Role, Username, parse_text};
use weiquan_store::{NewUser, User};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Auth};

/// How long a bearer token stays valid.
const SESSION_DAYS: i64 = 30;

fn argon2() -> Argon2<'static> {
    // OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid params"),
    )
}

/// Hashes a password into a PHC string. Blocking (tens of milliseconds).
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes encode");
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("hashing cannot fail with valid params")
        .to_string()
}

fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
}

/// Runs password hashing off the async threads, at most one per core at a time: each hash holds
/// 19 MiB, so a burst of sign-ins would otherwise cost memory in proportion to the burst (64 at
/// once: 1.2 GiB) while finishing no sooner than the cores allow.
pub async fn hashing<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    static PERMITS: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    });
    let _permit = PERMITS.acquire().await.map_err(|_| ApiError::internal())?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| ApiError::internal())
}

static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password("weiquan-dummy-password"));

pub fn token_hash(token: &str) -> String {
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(token.as_bytes()))
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    pub username: Option<String>,
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RegisterRequest {
    pub username: Option<String>,
    pub password: Option<String>,
    pub display_name: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub user: User,
}

fn bad_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "用户名或密码错误",
        "wrong username or password",
    )
}

/// Issues a session token for a user.
pub async fn issue_token(state: &AppState, user: &User) -> ApiResult<String> {
    let token = new_token();
    let expires = chrono::Utc::now() + chrono::Duration::days(SESSION_DAYS);
    state
        .store
        .create_session(user.id, &token_hash(&token), expires)
        .await?;
    Ok(token)
}

/// Checks a username and password; the same cost whether or not the user exists.
pub async fn check_credentials(
    state: &AppState,
    username: &str,
    password: &str,
) -> ApiResult<User> {
    if !state.login_limiter.allow(username) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "登录失败次数过多，请几分钟后再试",
            "too many failed sign-ins; try again in a few minutes",
        ));
    }
    let found = state.store.user_for_login(username).await?;
    let (user, hash) = match found {
        Some((u, Some(h))) => (Some(u), h),
        _ => (None, DUMMY_HASH.clone()),
    };
    let password = password.to_owned();
    let ok = hashing(move || verify_password(&hash, &password)).await?;
    match user {
        Some(u) if ok => {
            state.login_limiter.reset(username);
            Ok(u)
        }
        _ => {
            state.login_limiter.fail(username);
            Err(bad_credentials())
        }
    }
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, description = "wrong username or password"), (status = 429)))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<axum::Json<LoginResponse>> {
    let (Some(username), Some(password)) = (req.username, req.password) else {
        return Err(DomainError::invalid(
            "username",
            "请填写用户名和密码",
            "username and password are required",
        )
        .into());
    };
    let user = check_credentials(&state, username.trim(), &password).await?;
    let token = issue_token(&state, &user).await?;
    Ok(axum::Json(LoginResponse { token, user }))
}

/// Checks a new password's length (in characters).
pub fn check_password(p: &str) -> Result<(), DomainError> {
    let n = p.chars().count();
    if !(8..=128).contains(&n) {
        return Err(DomainError::invalid(
            "password",
            "密码长度应为8到128个字符",
            "a password has 8 to 128 characters",
        ));
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = LoginResponse), (status = 409, description = "username taken"), (status = 422)))]
pub async fn register(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<(StatusCode, axum::Json<LoginResponse>)> {
    let mut errs = weiquan_domain::error::FieldErrors::new();
    let username = errs.take(Username::parse(req.username.as_deref().unwrap_or("")));
    let password = req.password.unwrap_or_default();
    errs.take(check_password(&password));
    let display_name = match req.display_name.as_deref() {
        Some(d) => errs.take(parse_text("display_name", d, 1, 40)),
        None => username.as_ref().map(|u| u.to_string()),
    };
    errs.finish()?;
    let (username, display_name) = (username.expect("checked"), display_name.expect("checked"));
    let hash = hashing(move || hash_password(&password)).await?;
    let user = state
        .store
        .create_user(NewUser {
            username,
            role: Role::Consumer,
            display_name,
            password_hash: Some(hash),
        })
        .await?;
    let token = issue_token(&state, &user).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(LoginResponse { token, user }),
    ))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "the token no longer works"), (status = 401)), security(("bearer" = [])))]
pub async fn logout(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Auth(_user): Auth,
) -> ApiResult<StatusCode> {
    // `Auth` has checked the token; end exactly that session.
    let token = crate::extract::bearer_token(&headers).ok_or_else(ApiError::unauthenticated)?;
    state.store.delete_session(&token_hash(token)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = User), (status = 401)),
    security(("bearer" = [])))]
pub async fn me(Auth(user): Auth) -> axum::Json<User> {
    axum::Json(user)
}

/// Failed sign-ins per username in a sliding window, to slow password guessing (429).
#[derive(Default)]
pub struct LoginLimiter {
    failures: std::sync::Mutex<std::collections::HashMap<String, Vec<std::time::Instant>>>,
}

impl LoginLimiter {
    const WINDOW: std::time::Duration = std::time::Duration::from_secs(300);
    const MAX_FAILURES: usize = 10;

    fn allow(&self, username: &str) -> bool {
        let mut map = self.failures.lock().expect("limiter lock");
        let now = std::time::Instant::now();
        let entry = map.entry(username.to_owned()).or_default();
        entry.retain(|t| now.duration_since(*t) < Self::WINDOW);
        entry.len() < Self::MAX_FAILURES
    }
    fn fail(&self, username: &str) {
        let mut map = self.failures.lock().expect("limiter lock");
        if map.len() > 100_000 {
            map.clear(); // bound memory under a spray of usernames
        }
        map.entry(username.to_owned())
            .or_default()
            .push(std::time::Instant::now());
    }
    fn reset(&self, username: &str) {
        self.failures.lock().expect("limiter lock").remove(username);
    }
}
