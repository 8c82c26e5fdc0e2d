//! Accounts: created, ensured (the demo, imports), their roles changed by an admin.

use weiquan_domain::*;

use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::events;
use crate::model::*;
use crate::records::{self};
use crate::sql::vals;
use crate::time::to_ms;

pub(crate) async fn create_user<C: Conn>(
    o: &mut Tx<'_, C>,
    u: NewUser,
    now: Timestamp,
) -> Result<User> {
    match records::insert_user(o, &u, now).await? {
        Some(id) => Ok(User {
            id: UserId(id),
            username: u.username,
            role: u.role,
            display_name: u.display_name,
        }),
        None => Err(StoreError::conflict(
            "username_taken",
            "用户名已被使用",
            "this username is taken",
        )),
    }
}

/// An admin moves a staff account between staff roles. Consumers and merchants mirror the
/// marketplace (their orders and shops hang on the role), and an admin cannot demote
/// themselves and lock everyone out.
pub(crate) async fn set_role<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: UserId,
    role: Role,
    now: Timestamp,
) -> Result<User> {
    let Some(user) = records::user(o, id).await? else {
        return Err(StoreError::not_found("找不到这个账号", "no such account"));
    };
    let old = user.role;
    if !old.is_staff() || !role.is_staff() {
        return Err(DomainError::invalid(
            "role",
            "只能在客服、消费者保障、平台监管和管理员之间调整角色；买家和卖家账号来自交易平台",
            "only staff roles (cs_agent, protection, regulator, admin) can be changed; consumer and merchant accounts mirror the marketplace",
        )
        .into());
    }
    if id == actor.id && role != Role::Admin {
        return Err(DomainError::invalid(
            "role",
            "不能取消自己的管理员角色",
            "you cannot remove your own admin role",
        )
        .into());
    }
    if old != role {
        records::update_user_role(o, id, role).await?;
        events::append(
            o,
            &Stream::Account(id),
            &actor.event_name(),
            EventKind::RoleChanged,
            &serde_json::json!({"from": old.as_str(), "to": role.as_str()}),
            now,
        )
        .await?;
    }
    Ok(User { role, ..user })
}

/// An admin disables or enables an account. A disabled account cannot sign in, and its sessions
/// and API keys stop at once (`records::LIVE_USER`). An admin cannot disable themselves.
pub(crate) async fn set_disabled<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: UserId,
    disabled: bool,
    now: Timestamp,
) -> Result<User> {
    let (Some(user), Some(was)) = (
        records::user(o, id).await?,
        records::user_disabled(o, id).await?,
    ) else {
        return Err(StoreError::not_found("找不到这个账号", "no such account"));
    };
    if id == actor.id && disabled {
        return Err(DomainError::invalid(
            "action",
            "不能停用自己的账号",
            "you cannot disable your own account",
        )
        .into());
    }
    if was != disabled {
        records::set_user_disabled(o, id, disabled.then_some(now)).await?;
        let kind = if disabled {
            EventKind::AccountDisabled
        } else {
            EventKind::AccountEnabled
        };
        events::append(
            o,
            &Stream::Account(id),
            &actor.event_name(),
            kind,
            &serde_json::json!({}),
            now,
        )
        .await?;
    }
    Ok(user)
}

/// An admin gives a person's account a new password (its hash); every session of the account
/// ends. Service accounts sign in with API keys, never a password.
pub(crate) async fn reset_password<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: UserId,
    password_hash: String,
    now: Timestamp,
) -> Result<User> {
    let Some(user) = records::user(o, id).await? else {
        return Err(StoreError::not_found("找不到这个账号", "no such account"));
    };
    if user.role == Role::Service {
        return Err(DomainError::invalid(
            "action",
            "服务账号使用接口密钥，没有密码",
            "a service account uses API keys and has no password",
        )
        .into());
    }
    records::set_password_hash(o, id, &password_hash).await?;
    events::append(
        o,
        &Stream::Account(id),
        &actor.event_name(),
        EventKind::PasswordReset,
        &serde_json::json!({}),
        now,
    )
    .await?;
    Ok(user)
}

pub(crate) async fn ensure_users<C: Conn>(
    o: &mut Tx<'_, C>,
    users: Vec<NewUser>,
    now: Timestamp,
) -> Result<()> {
    for u in &users {
        records::insert_user_if_absent(o, u, now).await?;
    }
    Ok(())
}

/// What a user is sent things in, and where e-mail goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub lang: Lang,
    pub email: Option<String>,
    /// Volunteers for the public jury (consumers only; `docs/jury.md`).
    pub juror: bool,
}

pub(crate) async fn settings<C: Conn>(o: &mut Tx<'_, C>, id: UserId) -> Result<Settings> {
    let r = o
        .query_opt(
            "SELECT lang, email, juror_since FROM users WHERE id = $1",
            vals![id.0],
        )
        .await?
        .ok_or_else(|| StoreError::not_found("找不到这个账号", "no such account"))?;
    Ok(Settings {
        lang: if r[0].text()? == "en" {
            Lang::En
        } else {
            Lang::Zh
        },
        email: r[1].opt_text()?,
        juror: !r[2].is_null(),
    })
}

pub(crate) async fn set_settings<C: Conn>(
    o: &mut Tx<'_, C>,
    id: UserId,
    s: Settings,
    now: Timestamp,
) -> Result<Settings> {
    let lang = match s.lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    };
    o.exec(
        "UPDATE users SET lang = $2, email = $3, juror_since = CASE WHEN $4 THEN COALESCE(juror_since, $5) ELSE NULL END WHERE id = $1",
        vals![id.0, lang, s.email.as_deref(), s.juror, to_ms(now)],
    )
    .await?;
    Ok(s)
}
