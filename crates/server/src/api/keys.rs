//! Service accounts and their API keys, for admins: created with scopes, keys issued (each shown
//! once, only its hash kept) and revoked. The admin page (`/admin/keys`) makes the same calls.

use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use weiquan_domain::error::FieldErrors;
use weiquan_domain::*;
use weiquan_store::{ApiKey, NewApiKey, NewServiceAccount, ServiceAccount};

use super::push::KEY_PREFIX;
use crate::AppState;
use crate::auth::token_hash;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, Auth};

/// How many characters of a key name it on the admin page (`wqk_` and 8 more).
const SHOWN: usize = KEY_PREFIX.len() + 8;

/// A new key: `wqk_` and 32 random bytes (base64url), and what the store keeps of it.
pub fn new_key() -> (String, NewApiKey) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let key = format!(
        "{KEY_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let stored = NewApiKey {
        hash: token_hash(&key),
        prefix: key[..SHOWN].to_owned(),
    };
    (key, stored)
}

/// Parses a new service account's fields (the API's and the admin form's).
pub fn parse_account(
    username: &str,
    display_name: &str,
    scopes: &[String],
) -> Result<NewServiceAccount, DomainError> {
    let mut e = FieldErrors::new();
    let username = e.take(Username::parse(username));
    let display_name = e.take(parse_text("display_name", display_name, 1, 40));
    let scopes: Vec<Scope> = scopes
        .iter()
        .filter_map(|s| e.take(Scope::parse(s)))
        .collect();
    if scopes.is_empty() {
        e.push(FieldError::new(
            "scopes",
            "请至少选择一项权限",
            "choose at least one scope",
        ));
    }
    e.finish()?;
    Ok(NewServiceAccount {
        username: username.expect("checked"),
        display_name: display_name.expect("checked"),
        scopes,
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewServiceAccountRequest {
    pub username: Option<String>,
    pub display_name: Option<String>,
    /// `orders:write`, `remedies:write`.
    pub scopes: Option<Vec<String>>,
}

/// A key as issued: `key` is shown here once and never again.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedKey {
    pub key: String,
    pub api_key: ApiKey,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedServiceAccount {
    pub account: ServiceAccount,
    /// The account's first key, shown once.
    pub key: String,
}

#[utoipa::path(post, path = "/api/v1/service-accounts", tag = "marketplace API",
    request_body = NewServiceAccountRequest,
    responses((status = 201, body = CreatedServiceAccount, description = "the account and its first key, shown once"),
        (status = 403, description = "admins only"), (status = 409, description = "the username is taken"),
        (status = 422, description = "a field is wrong")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiJson(req): ApiJson<NewServiceAccountRequest>,
) -> ApiResult<(StatusCode, axum::Json<CreatedServiceAccount>)> {
    access::check_key_admin(&user.actor())?;
    let new = parse_account(
        req.username.as_deref().unwrap_or_default(),
        req.display_name.as_deref().unwrap_or_default(),
        req.scopes.as_deref().unwrap_or_default(),
    )?;
    let (key, stored) = new_key();
    let account = state
        .store
        .create_service_account(&user.actor(), new, stored, state.clock.now())
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(CreatedServiceAccount { account, key }),
    ))
}

#[utoipa::path(get, path = "/api/v1/service-accounts", tag = "marketplace API",
    responses((status = 200, body = [ServiceAccount], description = "every service account, its scopes and keys (prefix, last use, revocation)"),
        (status = 403, description = "admins only")),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Auth(user): Auth,
) -> ApiResult<axum::Json<Vec<ServiceAccount>>> {
    Ok(axum::Json(
        state.store.service_accounts(&user.actor()).await?,
    ))
}

fn id_of(s: &str) -> ApiResult<i64> {
    s.parse().map_err(|_| ApiError::not_found())
}

#[utoipa::path(post, path = "/api/v1/service-accounts/{id}/keys", tag = "marketplace API",
    params(("id" = i64, Path)),
    responses((status = 201, body = IssuedKey, description = "another key (rotation: the old ones work until revoked), shown once"),
        (status = 403, description = "admins only"), (status = 404, description = "no such service account")),
    security(("bearer" = [])))]
pub async fn issue(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<(StatusCode, axum::Json<IssuedKey>)> {
    let account = UserId(id_of(&id)?);
    let (key, stored) = new_key();
    let api_key = state
        .store
        .issue_api_key(&user.actor(), account, stored, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(IssuedKey { key, api_key })))
}

#[utoipa::path(delete, path = "/api/v1/service-accounts/{id}/keys/{key_id}", tag = "marketplace API",
    params(("id" = i64, Path), ("key_id" = i64, Path)),
    responses((status = 204, description = "revoked (again: nothing changes); the key is refused from now on"),
        (status = 403, description = "admins only"), (status = 404, description = "no such key")),
    security(("bearer" = [])))]
pub async fn revoke(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath((id, key_id)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    let (account, key_id) = (UserId(id_of(&id)?), id_of(&key_id)?);
    state
        .store
        .revoke_api_key(&user.actor(), account, key_id, state.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
