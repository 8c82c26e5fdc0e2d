//! Service accounts and their API keys: the marketplace's machines (its order system, its
//! payment system) as `users` rows of role `service` that never sign in, each with the scopes
//! its keys carry. An admin creates them, issues and revokes keys; a key is looked up by its
//! SHA-256 (the key itself is never stored) and its last use noted.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use weiquan_domain::*;

use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::events;
use crate::model::*;
use crate::records::{self};
use crate::rows::each;
use crate::sql::vals;
use crate::time::{from_ms, to_ms};

/// A service account, its scopes and its keys (newest first).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ServiceAccount {
    pub id: UserId,
    pub username: Username,
    pub display_name: String,
    pub scopes: Vec<Scope>,
    pub created_at: DateTime<Utc>,
    pub keys: Vec<ApiKey>,
}

/// An API key as the admin sees it: never the key, only the first characters that name it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ApiKey {
    pub id: i64,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A service account to create.
#[derive(Debug, Clone)]
pub struct NewServiceAccount {
    pub username: Username,
    pub display_name: String,
    pub scopes: Vec<Scope>,
}

/// A key to record: its SHA-256 and the prefix shown to admins. The key itself stays with the
/// caller, who shows it once.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub hash: String,
    pub prefix: String,
}

/// Who a live key belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyHolder {
    pub account: UserId,
    pub username: Username,
    pub key_id: i64,
    pub scopes: Vec<Scope>,
}

impl KeyHolder {
    pub fn actor(&self) -> Actor {
        Actor::service(self.account, self.scopes.clone())
    }
}

fn scopes_text(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse_scopes(s: &str) -> Result<Vec<Scope>> {
    s.split_whitespace()
        .map(|w| Scope::parse(w).map_err(|_| StoreError::Corrupt(format!("scope {w:?}"))))
        .collect()
}

pub(crate) async fn create<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    new: NewServiceAccount,
    key: NewApiKey,
    now: Timestamp,
) -> Result<ServiceAccount> {
    if new.scopes.is_empty() {
        return Err(DomainError::invalid(
            "scopes",
            "请至少选择一项权限",
            "choose at least one scope",
        )
        .into());
    }
    let user = NewUser {
        username: new.username.clone(),
        role: Role::Service,
        display_name: new.display_name.clone(),
        password_hash: None,
    };
    let Some(id) = records::insert_user(o, &user, now).await? else {
        return Err(StoreError::conflict(
            "username_taken",
            "用户名已被使用",
            "this username is taken",
        ));
    };
    let mut scopes = new.scopes.clone();
    scopes.sort();
    scopes.dedup();
    o.exec(
        "INSERT INTO service_accounts (user_id, scopes, created_by, created_at) VALUES ($1, $2, $3, $4)",
        vals![id, scopes_text(&scopes), actor.id.0, to_ms(now)],
    )
    .await?;
    let data = json!({"username": new.username, "scopes": scopes});
    let stream = Stream::Account(UserId(id));
    events::append(
        o,
        &stream,
        &actor.event_name(),
        EventKind::ServiceAccountCreated,
        &data,
        now,
    )
    .await?;
    issue(o, actor, UserId(id), key, now).await?;
    account(o, UserId(id))
        .await?
        .ok_or_else(|| StoreError::Corrupt("service account vanished".into()))
}

/// Issues another key to an account (a rotation: the old one works until it is revoked).
pub(crate) async fn issue<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    account: UserId,
    key: NewApiKey,
    now: Timestamp,
) -> Result<ApiKey> {
    let exists = o
        .query_opt(
            "SELECT user_id FROM service_accounts WHERE user_id = $1 FOR UPDATE",
            vals![account.0],
        )
        .await?;
    if exists.is_none() {
        return Err(no_account());
    }
    let r = o
        .query_one(
            "INSERT INTO api_keys (account_id, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            vals![account.0, key.hash.as_str(), key.prefix.as_str(), to_ms(now)],
        )
        .await?;
    let id = r[0].int()?;
    events::append(
        o,
        &Stream::Account(account),
        &actor.event_name(),
        EventKind::ApiKeyIssued,
        &json!({"key_id": id, "prefix": key.prefix}),
        now,
    )
    .await?;
    Ok(ApiKey {
        id,
        prefix: key.prefix,
        created_at: now,
        last_used_at: None,
        revoked_at: None,
    })
}

/// Revokes a key of the account; revoking it again changes nothing.
pub(crate) async fn revoke<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    account: UserId,
    key_id: i64,
    now: Timestamp,
) -> Result<()> {
    let n = o
        .exec(
            "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL",
            vals![to_ms(now), key_id, account.0],
        )
        .await?;
    if n == 0 {
        let known = o
            .query_opt(
                "SELECT id FROM api_keys WHERE id = $1 AND account_id = $2",
                vals![key_id, account.0],
            )
            .await?;
        return match known {
            Some(_) => Ok(()),
            None => Err(StoreError::not_found(
                "找不到这个接口密钥",
                "no such API key",
            )),
        };
    }
    events::append(
        o,
        &Stream::Account(account),
        &actor.event_name(),
        EventKind::ApiKeyRevoked,
        &json!({"key_id": key_id}),
        now,
    )
    .await
}

fn no_account() -> StoreError {
    StoreError::not_found("找不到这个服务账号", "no such service account")
}

const ACCOUNT_SELECT: &str = "SELECT u.id, u.username, u.display_name, s.scopes, s.created_at \
     FROM service_accounts s JOIN users u ON u.id = s.user_id";

fn account_of(r: Vec<crate::sql::Val>) -> Result<ServiceAccount> {
    Ok(ServiceAccount {
        id: UserId(r[0].int()?),
        username: Username::parse(r[1].as_str()?)?,
        display_name: r[2].text()?,
        scopes: parse_scopes(r[3].as_str()?)?,
        created_at: from_ms(r[4].int()?)?,
        keys: vec![],
    })
}

async fn keys_of<C: Conn>(o: &mut Tx<'_, C>, account: UserId) -> Result<Vec<ApiKey>> {
    let rows = o
        .query(
            "SELECT id, prefix, created_at, last_used_at, revoked_at FROM api_keys \
             WHERE account_id = $1 ORDER BY id DESC",
            vals![account.0],
        )
        .await?;
    each(rows, |r| {
        Ok(ApiKey {
            id: r[0].int()?,
            prefix: r[1].text()?,
            created_at: from_ms(r[2].int()?)?,
            last_used_at: r[3].opt_int()?.map(from_ms).transpose()?,
            revoked_at: r[4].opt_int()?.map(from_ms).transpose()?,
        })
    })
}

pub(crate) async fn account<C: Conn>(
    o: &mut Tx<'_, C>,
    id: UserId,
) -> Result<Option<ServiceAccount>> {
    let Some(r) = o
        .query_opt(
            &format!("{ACCOUNT_SELECT} WHERE s.user_id = $1"),
            vals![id.0],
        )
        .await?
    else {
        return Ok(None);
    };
    let mut a = account_of(r)?;
    a.keys = keys_of(o, a.id).await?;
    Ok(Some(a))
}

/// Every service account with its keys, oldest first.
pub(crate) async fn accounts<C: Conn>(o: &mut Tx<'_, C>) -> Result<Vec<ServiceAccount>> {
    let rows = o
        .query(&format!("{ACCOUNT_SELECT} ORDER BY u.id"), vals![])
        .await?;
    let mut out = each(rows, account_of)?;
    for a in &mut out {
        a.keys = keys_of(o, a.id).await?;
    }
    Ok(out)
}

/// How stale a key's noted last use may get: noting every request would make each one a
/// write, and on PostgreSQL a queue on the key's row.
const USE_RESOLUTION_MS: i64 = 60_000;

/// The holder of a live (not revoked) key, and whether its noted last use is older than a
/// minute; `None` for an unknown or revoked key.
pub(crate) async fn holder<C: Conn>(
    o: &mut Tx<'_, C>,
    key_hash: &str,
    now: Timestamp,
) -> Result<Option<(KeyHolder, bool)>> {
    let Some(r) = o
        .query_opt(
            &format!(
                "SELECT k.id, u.id, u.username, s.scopes, k.last_used_at FROM api_keys k \
                 JOIN service_accounts s ON s.user_id = k.account_id JOIN users u ON u.id = s.user_id \
                 WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND {}",
                crate::records::LIVE_USER
            ),
            vals![key_hash],
        )
        .await?
    else {
        return Ok(None);
    };
    let holder = KeyHolder {
        key_id: r[0].int()?,
        account: UserId(r[1].int()?),
        username: Username::parse(r[2].as_str()?)?,
        scopes: parse_scopes(r[3].as_str()?)?,
    };
    let stale = r[4]
        .opt_int()?
        .is_none_or(|t| to_ms(now) - t >= USE_RESOLUTION_MS);
    Ok(Some((holder, stale)))
}

/// Notes a key's use now.
pub(crate) async fn note_use<C: Conn>(
    o: &mut Tx<'_, C>,
    key_id: i64,
    now: Timestamp,
) -> Result<()> {
    o.exec(
        "UPDATE api_keys SET last_used_at = $1 WHERE id = $2",
        vals![to_ms(now), key_id],
    )
    .await?;
    Ok(())
}
