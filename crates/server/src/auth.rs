//! Sign-in with argon2id and bearer tokens.
//!
//! A token is 32 random bytes; only its SHA-256 is stored. Password hashing runs on a blocking
//! thread, and an unknown username is checked against a dummy hash so that it costs as much as
//! a wrong password and reveals nothing.

use std::net::IpAddr;
use std::sync::{LazyLock, Mutex};

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use weiquan_domain::{DomainError, Role, Username, parse_text};
use weiquan_store::{NewUser, User};

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Auth};
use crate::listen::ClientIp;
use crate::{AppState, credentials};

/// How long a bearer token stays valid.
const SESSION_DAYS: i64 = 30;

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

/// One of OWASP's equivalent argon2id settings: 9 MiB, 4 passes, 1 lane (the same work as the
/// 19 MiB × 2 baseline, less memory held per hash in flight). Hashes made with other parameters
/// (the baseline's, before) still verify: a PHC string carries its own.
fn params() -> Params {
    Params::new(9 * 1024, 4, 1, None).expect("valid params")
}

/// Argon2's working memory, reused: allocating megabytes a hash and freeing them leaves glibc's
/// allocator holding the freed blocks in per-thread arenas (a burst of 64 sign-ins kept the
/// server at ~400 MiB, BENCHMARKS.md). At most one buffer per core is kept (as many as
/// [`hashing`] runs at once).
fn with_memory<T>(blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    static KEPT: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());
    let kept = KEPT.lock().unwrap_or_else(|e| e.into_inner()).pop();
    let mut memory = kept
        .filter(|m| m.len() == blocks)
        .unwrap_or_else(|| vec![Block::default(); blocks]);
    let r = f(&mut memory);
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    if kept.len() < std::thread::available_parallelism().map_or(2, |n| n.get()) {
        kept.push(memory);
    }
    r
}

/// Hashes a password into a PHC string. Blocking (tens of milliseconds).
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes encode");
    let mut raw = [0u8; 64];
    let raw = salt.decode_b64(&mut raw).expect("just encoded");
    let params = params();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    with_memory(params.block_count(), |m| {
        argon2().hash_password_into_with_memory(password.as_bytes(), raw, &mut out, m)
    })
    .expect("hashing cannot fail with valid params");
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).expect("valid params"),
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).expect("32 bytes")),
    }
    .to_string()
}

/// Whether `password` matches a PHC string (any argon2 variant, version and parameters).
fn verify_password(hash: &str, password: &str) -> bool {
    let Ok(h) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (h.salt, h.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(h.algorithm), Params::try_from(&h))
    else {
        return false;
    };
    let Ok(version) = h.version.map_or(Ok(Version::default()), Version::try_from) else {
        return false;
    };
    let mut raw = [0u8; 64];
    let Ok(raw) = salt.decode_b64(&mut raw) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params.clone());
    let hashed = with_memory(params.block_count(), |m| {
        argon.hash_password_into_with_memory(password.as_bytes(), raw, &mut out, m)
    });
    // `Output`'s equality is constant-time.
    hashed.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
}

/// Runs password hashing off the async threads, at most one per core at a time: each hash holds
/// 9 MiB, so a burst of sign-ins would otherwise cost memory in proportion to the burst (64 at
/// once: 576 MiB) while finishing no sooner than the cores allow.
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
    let now = state.clock.now();
    let expires = now + chrono::Duration::days(SESSION_DAYS);
    state
        .store
        .create_session(user.id, &token_hash(&token), now, expires)
        .await?;
    Ok(token)
}

/// Checks a username and password; the same cost whether or not the user exists.
/// After failed sign-ins, the account and the client's address are each held back for a
/// growing delay (`throttle`), answered 429 with `Retry-After` until it has passed.
pub async fn check_credentials(
    state: &AppState,
    ip: IpAddr,
    username: &str,
    password: &str,
) -> ApiResult<User> {
    let now = state.clock.now();
    if let Err(secs) = state.login_limiter.check(username, ip, now) {
        return Err(ApiError::rate_limited(
            secs,
            &format!("登录失败次数过多，请 {secs} 秒后再试"),
            &format!("too many failed sign-ins; try again in {secs} s"),
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
            state.login_limiter.succeed(username);
            Ok(u)
        }
        _ => {
            let policy = &state.store.policy().sign_in;
            state
                .login_limiter
                .fail(username, ip, state.clock.now(), policy);
            Err(bad_credentials())
        }
    }
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, description = "wrong username or password"), (status = 429)))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
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
    let user = check_credentials(&state, ip, username.trim(), &password).await?;
    let token = issue_token(&state, &user).await?;
    Ok(axum::Json(LoginResponse { token, user }))
}

pub use crate::credentials::check_password;

#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = LoginResponse), (status = 409, description = "username taken"), (status = 422, description = "a weak password, a reserved name or another bad field"), (status = 429, description = "too many registrations from this address; see Retry-After")))]
pub async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<(StatusCode, axum::Json<LoginResponse>)> {
    let mut errs = weiquan_domain::error::FieldErrors::new();
    let username = errs.take(Username::parse(req.username.as_deref().unwrap_or("")));
    if let Some(u) = &username {
        errs.take(credentials::check_not_reserved("username", u.as_str()));
    }
    let password = req.password.unwrap_or_default();
    errs.take(check_password(&password));
    let display_name = match req.display_name.as_deref() {
        Some(d) => errs.take(parse_text("display_name", d, 1, 40)).filter(|d| {
            errs.take(credentials::check_not_reserved("display_name", d))
                .is_some()
        }),
        None => username.as_ref().map(|u| u.to_string()),
    };
    errs.finish()?;
    // Counted once the input is good, so a typo does not use up the address's allowance.
    let policy = state.store.policy();
    if let Err(secs) = state.registrations.admit(
        ip,
        state.clock.now(),
        &policy.registration,
        policy.sign_in.remembered,
    ) {
        return Err(ApiError::rate_limited(
            secs,
            &format!("注册过于频繁，请 {secs} 秒后再试"),
            &format!("too many accounts registered from here; try again in {secs} s"),
        ));
    }
    let (username, display_name) = (username.expect("checked"), display_name.expect("checked"));
    let hash = hashing(move || hash_password(&password)).await?;
    let user = state
        .store
        .create_user(
            NewUser {
                username,
                role: Role::Consumer,
                display_name,
                password_hash: Some(hash),
            },
            state.clock.now(),
        )
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

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    #[test]
    fn hashes_are_standard_phc_strings_both_ways() {
        // Ours verifies with argon2's own verifier …
        let ours = hash_password("correct horse");
        assert!(ours.starts_with("$argon2id$v=19$m=9216,t=4,p=1$"), "{ours}");
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(argon2().verify_password(b"correct horse", &parsed).is_ok());
        assert!(argon2().verify_password(b"wrong horse", &parsed).is_err());
        // … and argon2's own hashes (other parameters too) verify with ours.
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let other = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x10,
            Params::new(1024, 1, 1, None).unwrap(),
        );
        let theirs = other
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        assert!(verify_password(&theirs, "correct horse"));
        assert!(!verify_password(&theirs, "correct hors"));
        assert!(verify_password(&ours, "correct horse"));
        assert!(!verify_password(&ours, ""));
        assert!(!verify_password("", "correct horse"));
        assert!(!verify_password(
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA",
            "x"
        ));
        // The earlier baseline's hashes still verify.
        let baseline = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(19 * 1024, 2, 1, None).unwrap(),
        )
        .hash_password(b"correct horse", &salt)
        .unwrap()
        .to_string();
        assert!(verify_password(&baseline, "correct horse"));
        // Two hashes of one password differ (a fresh salt each).
        assert_ne!(hash_password("correct horse"), ours);
    }
}
