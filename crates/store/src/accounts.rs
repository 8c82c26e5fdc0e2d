//! Accounts: created, ensured (the demo, imports), their roles changed by an admin.

use weiquan_domain::*;

use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::events;
use crate::model::*;
use crate::records::{self};
use crate::sql::vals;

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
}

pub(crate) async fn settings<C: Conn>(o: &mut Tx<'_, C>, id: UserId) -> Result<Settings> {
    let r = o
        .query_opt("SELECT lang, email FROM users WHERE id = $1", vals![id.0])
        .await?
        .ok_or_else(|| StoreError::not_found("找不到这个账号", "no such account"))?;
    Ok(Settings {
        lang: if r[0].text()? == "en" {
            Lang::En
        } else {
            Lang::Zh
        },
        email: r[1].opt_text()?,
    })
}

pub(crate) async fn set_settings<C: Conn>(
    o: &mut Tx<'_, C>,
    id: UserId,
    s: Settings,
) -> Result<Settings> {
    let lang = match s.lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    };
    o.exec(
        "UPDATE users SET lang = $2, email = $3 WHERE id = $1",
        vals![id.0, lang, s.email.as_deref()],
    )
    .await?;
    Ok(s)
}
