//! The rows everything else hangs on — accounts, shops, orders, complaints and their messages
//! (their files are `evidence`'s) — loaded, inserted and updated, each statement once for both backends.

use std::collections::HashMap;

use weiquan_domain::records::{Commitments, OrderRecord};
use weiquan_domain::*;

use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::model::*;
use crate::rows::*;
use crate::sql::{Val, vals};
use crate::time::{from_ms, to_ms};

/// How to read a complaint that is about to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lock {
    /// Wait for other writers of the row (actions).
    Wait,
    /// Skip it if another writer holds it (deadline firing: another node is at it, or it is
    /// retried next round).
    SkipLocked,
}

/// A stored shop's mutable fields.
pub(crate) struct ShopState {
    pub name: String,
    pub merchant_id: i64,
    pub commitments: String,
}

impl ShopState {
    pub(crate) fn commitments(&self) -> Result<Commitments> {
        json("shop commitments", &self.commitments)
    }
}

/// A stored order's identity and shipping.
pub(crate) struct OrderState {
    pub buyer_id: i64,
    pub shop_id: String,
    pub shipped_at: Option<i64>,
    pub delivered_at: Option<i64>,
}

/// `None` for a uniqueness violation: the row exists already.
fn unless_duplicate<T>(r: Result<T>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e),
    }
}

// --- accounts

pub(crate) async fn user_id_role<C: Conn>(
    tx: &mut Tx<'_, C>,
    username: &str,
) -> Result<Option<(i64, String)>> {
    tx.query_opt(
        "SELECT id, role FROM users WHERE username = $1",
        vals![username],
    )
    .await?
    .map(|r| Ok((r[0].int()?, r[1].text()?)))
    .transpose()
}

/// The consumer with this username, if that is what they are.
pub(crate) async fn consumer_id<C: Conn>(
    tx: &mut Tx<'_, C>,
    username: &str,
) -> Result<Option<UserId>> {
    Ok(match user_id_role(tx, username).await? {
        Some((id, role)) if role == Role::Consumer.as_str() => Some(UserId(id)),
        _ => None,
    })
}

const USER_COLUMNS: &str = "id, username, role, display_name";

/// The one check that a disabled account is nobody: every way in (password, session, API key)
/// reads its user through this condition.
pub(crate) const LIVE_USER: &str = "u.disabled_at IS NULL";

/// The user and their password hash (none for a disabled account: it cannot sign in).
pub(crate) async fn user_for_login<C: Conn>(
    tx: &mut Tx<'_, C>,
    username: &str,
) -> Result<Option<(User, Option<String>)>> {
    tx.query_opt(
        &format!(
            "SELECT {USER_COLUMNS}, CASE WHEN {LIVE_USER} THEN password_hash END FROM users u WHERE username = $1"
        ),
        vals![username],
    )
    .await?
    .map(|r| {
        let row = UserRow::from_row(r)?;
        Ok((row.user()?, row.password_hash))
    })
    .transpose()
}

pub(crate) async fn user<C: Conn>(tx: &mut Tx<'_, C>, id: UserId) -> Result<Option<User>> {
    tx.query_opt(
        &format!("SELECT {USER_COLUMNS}, NULL FROM users WHERE id = $1"),
        vals![id.0],
    )
    .await?
    .map(|r| UserRow::from_row(r)?.user())
    .transpose()
}

/// The admin's list: one statement, every filter in SQL. The search matches a part of the
/// username or the display name (`%` and `_` taken literally).
pub(crate) async fn users<C: Conn>(tx: &mut Tx<'_, C>, q: &UserQuery) -> Result<Vec<Account>> {
    let pattern = q.search.as_deref().map(like_pattern);
    let role = q.role.map(|r| match r {
        RoleFilter::Staff => "staff",
        RoleFilter::Role(r) => r.as_str(),
    });
    let staff = sql_list(
        Role::ALL
            .iter()
            .filter(|r| r.is_staff())
            .map(|r| r.as_str()),
    );
    let rows = tx
        .query(
            &format!(
                "SELECT {USER_COLUMNS}, disabled_at FROM users WHERE ($1 IS NULL OR id > $1) \
                 AND (CAST($2 AS TEXT) IS NULL OR LOWER(username) LIKE $2 ESCAPE '\\' OR LOWER(display_name) LIKE $2 ESCAPE '\\') \
                 AND (CAST($3 AS TEXT) IS NULL OR role = $3 OR ($3 = 'staff' AND role IN ({staff}))) \
                 ORDER BY id LIMIT $4"
            ),
            vals![q.after, pattern, role, q.limit],
        )
        .await?;
    each(rows, |r| {
        let disabled_at = r[4].opt_int()?.map(from_ms).transpose()?;
        Ok(Account {
            user: UserRow {
                id: r[0].int()?,
                username: r[1].text()?,
                role: r[2].text()?,
                display_name: r[3].text()?,
                password_hash: None,
            }
            .user()?,
            disabled_at,
        })
    })
}

/// A `LIKE … ESCAPE '\\'` pattern for a part of a text, lower-cased (`%` and `_` taken literally).
pub(crate) fn like_pattern(s: &str) -> String {
    let s = s.trim().to_lowercase();
    let s = s
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{s}%")
}

/// Names as an SQL list of literals (the domain's own wire names, never input).
fn sql_list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Disables (with the time) or enables an account; a disabled account's sessions end with it.
pub(crate) async fn set_user_disabled<C: Conn>(
    tx: &mut Tx<'_, C>,
    id: UserId,
    at: Option<Timestamp>,
) -> Result<()> {
    tx.exec(
        "UPDATE users SET disabled_at = $2 WHERE id = $1",
        vals![id.0, at.map(to_ms)],
    )
    .await?;
    tx.mark_sessions_changed();
    if at.is_some() {
        delete_user_sessions(tx, id).await?;
    }
    Ok(())
}

/// A new password hash; every session of the account ends.
pub(crate) async fn set_password_hash<C: Conn>(
    tx: &mut Tx<'_, C>,
    id: UserId,
    hash: &str,
) -> Result<()> {
    tx.exec(
        "UPDATE users SET password_hash = $2 WHERE id = $1",
        vals![id.0, hash],
    )
    .await?;
    delete_user_sessions(tx, id).await
}

async fn delete_user_sessions<C: Conn>(tx: &mut Tx<'_, C>, id: UserId) -> Result<()> {
    tx.exec("DELETE FROM sessions WHERE user_id = $1", vals![id.0])
        .await?;
    tx.mark_sessions_changed();
    Ok(())
}

/// Whether the account is disabled (`None`: no such account).
pub(crate) async fn user_disabled<C: Conn>(tx: &mut Tx<'_, C>, id: UserId) -> Result<Option<bool>> {
    tx.query_opt("SELECT disabled_at FROM users WHERE id = $1", vals![id.0])
        .await?
        .map(|r| Ok(r[0].opt_int()?.is_some()))
        .transpose()
}

/// `None` when the username is taken.
pub(crate) async fn insert_user<C: Conn>(
    tx: &mut Tx<'_, C>,
    u: &NewUser,
    now: Timestamp,
) -> Result<Option<i64>> {
    let r = tx
        .query_one(
            "INSERT INTO users (username, role, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            vals![u.username.as_str(), u.role.as_str(), u.display_name.as_str(), u.password_hash.as_deref(), to_ms(now)],
        )
        .await;
    unless_duplicate(r)?.map(|r| r[0].int()).transpose()
}

/// Creates the user unless the name is taken.
pub(crate) async fn insert_user_if_absent<C: Conn>(
    tx: &mut Tx<'_, C>,
    u: &NewUser,
    now: Timestamp,
) -> Result<()> {
    tx.exec(
        "INSERT INTO users (username, role, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (username) DO NOTHING",
        vals![u.username.as_str(), u.role.as_str(), u.display_name.as_str(), u.password_hash.as_deref(), to_ms(now)],
    )
    .await?;
    Ok(())
}

pub(crate) async fn update_user_role<C: Conn>(
    tx: &mut Tx<'_, C>,
    id: UserId,
    role: Role,
) -> Result<()> {
    tx.exec(
        "UPDATE users SET role = $1 WHERE id = $2",
        vals![role.as_str(), id.0],
    )
    .await?;
    tx.mark_sessions_changed();
    Ok(())
}

pub(crate) async fn insert_session<C: Conn>(
    tx: &mut Tx<'_, C>,
    user: UserId,
    token_hash: &str,
    now: Timestamp,
    expires: Timestamp,
) -> Result<()> {
    tx.exec(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        vals![token_hash, user.0, to_ms(now), to_ms(expires)],
    )
    .await?;
    Ok(())
}

pub(crate) async fn delete_session<C: Conn>(tx: &mut Tx<'_, C>, token_hash: &str) -> Result<()> {
    tx.exec(
        "DELETE FROM sessions WHERE token_hash = $1",
        vals![token_hash],
    )
    .await?;
    tx.mark_sessions_changed();
    Ok(())
}

/// The live user of an unexpired session, with when the session expires.
pub(crate) async fn session_user<C: Conn>(
    tx: &mut Tx<'_, C>,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<(User, Timestamp)>> {
    tx.query_opt(
        &format!(
            "SELECT u.id, u.username, u.role, u.display_name, NULL, s.expires_at FROM sessions s \
             JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2 AND {LIVE_USER}"
        ),
        vals![token_hash, to_ms(now)],
    )
    .await?
    .map(|mut r| {
        let expires = r
            .pop()
            .ok_or_else(|| StoreError::Corrupt("session without expiry".into()))?;
        let expires = from_ms(expires.int()?)?;
        Ok((UserRow::from_row(r)?.user()?, expires))
    })
    .transpose()
}

/// Who on the platform's side acted or wrote on a complaint, under the role and name they act
/// with (`access::named_on_complaints`); the two sides are not named here.
pub(crate) async fn complaint_staff<C: Conn>(
    tx: &mut Tx<'_, C>,
    id: ComplaintId,
) -> Result<Vec<User>> {
    let rows = tx
        .query(
            &format!(
                "SELECT {USER_COLUMNS}, NULL FROM users WHERE \
                 'user:' || CAST(id AS TEXT) IN (SELECT actor FROM events WHERE stream = $1) \
                 OR id IN (SELECT author_id FROM messages WHERE complaint_id = $2) ORDER BY id"
            ),
            vals![Stream::Complaint(id).to_string(), id.0],
        )
        .await?;
    let mut out = vec![];
    for r in rows {
        let u = UserRow::from_row(r)?.user()?;
        if access::named_on_complaints(u.role) {
            out.push(u);
        }
    }
    Ok(out)
}

// --- shops

pub(crate) async fn shop_state<C: Conn>(
    tx: &mut Tx<'_, C>,
    id: &ShopId,
) -> Result<Option<ShopState>> {
    tx.query_opt(
        "SELECT name, merchant_id, commitments FROM shops WHERE id = $1",
        vals![id.as_str()],
    )
    .await?
    .map(|r| {
        Ok(ShopState {
            name: r[0].text()?,
            merchant_id: r[1].int()?,
            commitments: r[2].text()?,
        })
    })
    .transpose()
}

pub(crate) async fn insert_shop<C: Conn>(
    tx: &mut Tx<'_, C>,
    id: &ShopId,
    name: &str,
    merchant_id: i64,
    commitments: &Commitments,
    now: Timestamp,
) -> Result<()> {
    tx.exec(
        "INSERT INTO shops (id, name, merchant_id, commitments, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
        vals![id.as_str(), name, merchant_id, serde_json::to_string(commitments).expect("serializes"), to_ms(now)],
    )
    .await?;
    Ok(())
}

pub(crate) async fn update_shop<C: Conn>(
    tx: &mut Tx<'_, C>,
    id: &ShopId,
    name: &str,
    commitments: &Commitments,
    now: Timestamp,
) -> Result<()> {
    tx.exec(
        "UPDATE shops SET name = $2, commitments = $3, updated_at = $4 WHERE id = $1",
        vals![
            id.as_str(),
            name,
            serde_json::to_string(commitments).expect("serializes"),
            to_ms(now)
        ],
    )
    .await?;
    Ok(())
}

// --- orders

/// The order of this number, with its shop's merchant.
pub(crate) async fn order<C: Conn>(
    tx: &mut Tx<'_, C>,
    order_no: &OrderNo,
) -> Result<Option<(Order, UserId)>> {
    Ok(orders_by_no(tx, std::slice::from_ref(order_no))
        .await?
        .into_iter()
        .next())
}

/// The orders of these numbers that exist, each with its shop's merchant, in one statement. The
/// list is padded to a power of two (repeating its last number) so that a batch's statement is
/// one of a few texts, each prepared once per connection.
pub(crate) async fn orders_by_no<C: Conn>(
    tx: &mut Tx<'_, C>,
    order_nos: &[OrderNo],
) -> Result<Vec<(Order, UserId)>> {
    let Some(last) = order_nos.last() else {
        return Ok(vec![]);
    };
    let n = order_nos.len().next_power_of_two();
    let mut params: Vec<Val> = order_nos.iter().map(|o| Val::from(o.as_str())).collect();
    params.resize(n, Val::from(last.as_str()));
    let rows = tx
        .query(
            &format!(
                "{ORDER_SELECT} WHERE o.order_no IN ({})",
                crate::sql::placeholders(1, n)
            ),
            &params,
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            let row = OrderRow::from_row(r)?;
            let merchant = UserId(row.merchant_id);
            Ok((row.try_into()?, merchant))
        })
        .collect()
}

/// The order's complaint still in progress, if any.
pub(crate) async fn open_complaint<C: Conn>(
    tx: &mut Tx<'_, C>,
    order_no: &OrderNo,
) -> Result<Option<ComplaintId>> {
    tx.query_opt(
        concat!(
            "SELECT c.id FROM complaints c WHERE c.order_no = $1 AND ",
            active_complaint!()
        ),
        vals![order_no.as_str()],
    )
    .await?
    .map(|r| Ok(ComplaintId(r[0].int()?)))
    .transpose()
}

/// The orders of a buyer or of a merchant's shops (or every order), newest first, searched and
/// filtered in the one statement.
pub(crate) async fn orders<C: Conn>(
    tx: &mut Tx<'_, C>,
    (consumer, merchant): (Option<i64>, Option<i64>),
    q: &OrderQuery,
) -> Result<Vec<Order>> {
    let rows = tx
        .query(
            &format!(
                "{ORDER_SELECT_OPEN} WHERE ($1 IS NULL OR o.buyer_id = $1) AND ($2 IS NULL OR s.merchant_id = $2) \
                 AND (CAST($3 AS TEXT) IS NULL OR o.order_no < $3) \
                 AND (CAST($5 AS TEXT) IS NULL OR o.order_no LIKE $5 ESCAPE '\\' OR LOWER(o.items) LIKE $5 ESCAPE '\\' OR LOWER(s.name) LIKE $5 ESCAPE '\\') \
                 AND (CAST($6 AS TEXT) IS NULL OR o.shop_id = $6) \
                 ORDER BY o.order_no DESC LIMIT $4"
            ),
            vals![
                consumer,
                merchant,
                q.before.as_ref().map(|o| o.as_str()),
                q.limit,
                q.search.as_deref().map(like_pattern),
                q.shop_id.as_ref().map(|s| s.as_str()),
            ],
        )
        .await?;
    each(rows, |mut r| {
        let open = r
            .pop()
            .ok_or_else(|| StoreError::Corrupt("order without its columns".into()))?
            .opt_int()?;
        let mut order: Order = OrderRow::from_row(r)?.try_into()?;
        order.open_complaint = open.map(ComplaintId);
        Ok(order)
    })
}

pub(crate) async fn order_state<C: Conn>(
    tx: &mut Tx<'_, C>,
    order_no: &OrderNo,
) -> Result<Option<OrderState>> {
    tx.query_opt(
        "SELECT buyer_id, shop_id, shipped_at, delivered_at FROM orders WHERE order_no = $1",
        vals![order_no.as_str()],
    )
    .await?
    .map(|r| {
        Ok(OrderState {
            buyer_id: r[0].int()?,
            shop_id: r[1].text()?,
            shipped_at: r[2].opt_int()?,
            delivered_at: r[3].opt_int()?,
        })
    })
    .transpose()
}

pub(crate) async fn insert_order<C: Conn>(
    tx: &mut Tx<'_, C>,
    rec: &OrderRecord,
    buyer_id: i64,
) -> Result<()> {
    tx.exec(
        "INSERT INTO orders (order_no, buyer_id, shop_id, items, amount_cents, paid_at, shipped_at, delivered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        vals![
            rec.order_no.as_str(),
            buyer_id,
            rec.shop_id.as_str(),
            serde_json::to_string(&rec.items).expect("items serialize"),
            rec.amount_cents.get(),
            to_ms(rec.paid_at),
            rec.shipped_at.map(to_ms),
            rec.delivered_at.map(to_ms),
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn update_order_shipping<C: Conn>(
    tx: &mut Tx<'_, C>,
    order_no: &OrderNo,
    shipped: Option<i64>,
    delivered: Option<i64>,
) -> Result<()> {
    tx.exec(
        "UPDATE orders SET shipped_at = $2, delivered_at = $3 WHERE order_no = $1",
        vals![order_no.as_str(), shipped, delivered],
    )
    .await?;
    Ok(())
}

// --- complaints

/// A complaint, locked for change when asked (`None` too when another writer holds it and the
/// lock says skip).
pub(crate) async fn complaint<C: Conn>(
    tx: &mut Tx<'_, C>,
    id: ComplaintId,
    lock: Option<Lock>,
) -> Result<Option<Complaint>> {
    let sql = match lock {
        None => format!("{COMPLAINT_SELECT} WHERE c.id = $1"),
        Some(Lock::Wait) => format!("{COMPLAINT_SELECT} WHERE c.id = $1 FOR UPDATE OF c"),
        Some(Lock::SkipLocked) => {
            format!("{COMPLAINT_SELECT} WHERE c.id = $1 FOR UPDATE OF c SKIP LOCKED")
        }
    };
    tx.query_opt(&sql, vals![id.0])
        .await?
        .map(|r| ComplaintRow::from_row(r)?.try_into())
        .transpose()
}

/// Complaints matching a filter, newest first; `visibility` from [`visibility_ids`].
pub(crate) async fn complaints<C: Conn>(
    tx: &mut Tx<'_, C>,
    (consumer, merchant): (Option<i64>, Option<i64>),
    f: &ComplaintFilter,
) -> Result<Vec<Complaint>> {
    let open = sql_list(
        State::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| s.as_str()),
    );
    let rows = tx
        .query(
            &format!(
                "{COMPLAINT_SELECT} WHERE ($1 IS NULL OR c.consumer_id = $1) AND ($2 IS NULL OR s.merchant_id = $2) \
                 AND (CAST($3 AS TEXT) IS NULL OR c.state = $3) AND (CAST($4 AS TEXT) IS NULL OR c.tier = $4) \
                 AND (CAST($5 AS TEXT) IS NULL OR c.shop_id = $5) AND ($6 IS NULL OR c.id < $6) \
                 AND (CAST($8 AS TEXT) IS NULL OR c.category = $8) \
                 AND ($9 = 0 OR (c.major AND c.state IN ({open}))) \
                 AND (CAST($10 AS TEXT) IS NULL OR c.order_no LIKE $10 ESCAPE '\\' OR LOWER(c.product) LIKE $10 ESCAPE '\\') \
                 AND ($11 IS NULL OR c.created_at >= $11) AND ($12 IS NULL OR c.created_at < $12) \
                 ORDER BY c.id DESC LIMIT $7"
            ),
            vals![
                consumer,
                merchant,
                f.state.map(|s| s.as_str()),
                f.tier.map(|t| t.as_str()),
                f.shop_id.as_ref().map(|s| s.as_str()),
                f.before_id,
                f.limit,
                f.category.map(|c| c.as_str()),
                i64::from(f.major_open),
                f.search.as_deref().map(like_pattern),
                f.filed_from.map(to_ms),
                f.filed_before.map(to_ms),
            ],
        )
        .await?;
    each(rows, |r| ComplaintRow::from_row(r)?.try_into())
}

/// Complaints' rows in one statement, their ids in the order given: `None` for one whose order
/// has an active complaint already (or an earlier row of the same order).
pub(crate) async fn insert_complaints<C: Conn>(
    tx: &mut Tx<'_, C>,
    rows: &[(&Complaint, UserId, &str, Timestamp)],
) -> Result<Vec<Option<ComplaintId>>> {
    const COLUMNS: usize = 19;
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let mut sql = String::from(
        "INSERT INTO complaints (order_no, consumer_id, shop_id, filed_by, product, category, incident_at, description, \
         claim, channel, state, tier, major, progress, order_snapshot, deadline_at, reply_due_at, order_paid_at, created_at, updated_at) VALUES ",
    );
    let mut params: Vec<Val> = Vec::with_capacity(rows.len() * COLUMNS);
    for (i, (c, filed_by, snapshot, paid_at)) in rows.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        let at = params.len();
        sql.push('(');
        sql.push_str(&crate::sql::placeholders(at + 1, COLUMNS));
        // `updated_at` is `created_at`.
        sql.push_str(&format!(", ${})", at + COLUMNS));
        params.extend_from_slice(vals![
            c.order_no.as_str(),
            c.consumer_id.0,
            c.shop_id.as_str(),
            filed_by.0,
            c.product.as_str(),
            c.category.as_str(),
            to_ms(c.incident_at),
            c.description.as_str(),
            serde_json::to_string(&c.claim).expect("claims serialize"),
            c.channel.as_str(),
            c.state.as_str(),
            c.tier.as_str(),
            c.major,
            serde_json::to_string(&c.progress).expect("progress serializes"),
            *snapshot,
            c.deadline_at.map(to_ms),
            // A new complaint's one deadline is the merchant's reply (`filing::file`).
            c.deadline_at.map(to_ms),
            to_ms(*paid_at),
            to_ms(c.created_at),
        ]);
    }
    // The only conflict is `complaints_one_active_per_order`; skipped, not raised, so that the
    // transaction (on PostgreSQL) can still say which complaint is in progress.
    sql.push_str(" ON CONFLICT DO NOTHING RETURNING id, order_no");
    let inserted = tx.query(&sql, &params).await?;
    let mut ids: HashMap<String, ComplaintId> = HashMap::with_capacity(inserted.len());
    for r in inserted {
        ids.insert(r[1].text()?, ComplaintId(r[0].int()?));
    }
    // One active complaint per order: within the rows, only an order's first can have been
    // inserted.
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .iter()
        .map(|(c, _, _, _)| {
            let first = seen.insert(c.order_no.as_str());
            first
                .then(|| ids.get(c.order_no.as_str()).copied())
                .flatten()
        })
        .collect())
}

/// A decided complaint's row; its deadline is recomputed from its pending timers.
macro_rules! update_complaint_sql {
    () => {
        "UPDATE complaints SET state = $2, tier = $3, major = $4, assignee_id = $5, collective_case_id = $6, progress = $7, \
         updated_at = $8, deadline_at = (SELECT MIN(due_at) FROM timers WHERE complaint_id = $1 AND status = 'pending'), \
         resolved_at = CASE WHEN $2 = 'resolved' THEN COALESCE(resolved_at, $8) ELSE resolved_at END, \
         reached_mediation = reached_mediation OR $2 = 'mediation', \
         reached_protection = reached_protection OR $2 = 'protection_review', \
         first_answer_at = COALESCE(first_answer_at, $9), \
         reply_ended_at = CASE WHEN reply_ended_at IS NULL AND $2 <> 'awaiting_merchant' THEN $8 ELSE reply_ended_at END, \
         ruling = COALESCE($10, ruling), ruled_at = COALESCE($11, ruled_at) \
         WHERE id = $1"
    };
}

/// The row's values; `answered`: whether this change is the shop's answer
/// (`scorecard::is_merchant_answer`), whose first time the row keeps for the scorecard.
fn complaint_vals(c: &Complaint, answered: bool, now: Timestamp) -> Vec<Val> {
    let ruling = weiquan_domain::scorecard::ruling(c);
    vals![
        c.id.0,
        c.state.as_str(),
        c.tier.as_str(),
        c.major,
        c.assignee_id.map(|u| u.0),
        c.collective_case_id.map(|k| k.0),
        serde_json::to_string(&c.progress).expect("progress serializes"),
        to_ms(now),
        answered.then(|| to_ms(now)),
        ruling.map(|(d, _)| d.as_str()),
        ruling.map(|(_, at)| to_ms(at)),
    ]
    .to_vec()
}

/// Writes a decided complaint and answers its new deadline.
pub(crate) async fn update_complaint<C: Conn>(
    tx: &mut Tx<'_, C>,
    c: &Complaint,
    answered: bool,
    now: Timestamp,
) -> Result<Option<Timestamp>> {
    let r = tx
        .query_one(
            concat!(update_complaint_sql!(), " RETURNING deadline_at"),
            &complaint_vals(c, answered, now),
        )
        .await?;
    r[0].opt_int()?.map(from_ms).transpose()
}

/// Writes a decided complaint whose new deadline nobody asks for: held with the transaction's
/// other blind writes — unless one of them is a timer, which the held update would not see.
pub(crate) async fn hold_complaint_update<C: Conn>(
    tx: &mut Tx<'_, C>,
    c: &Complaint,
    answered: bool,
    now: Timestamp,
) -> Result<()> {
    if tx.holds("timers") {
        update_complaint(tx, c, answered, now).await.map(drop)
    } else {
        tx.defer(update_complaint_sql!(), &complaint_vals(c, answered, now))
            .await
    }
}

// --- messages

pub(crate) async fn insert_message<C: Conn>(
    tx: &mut Tx<'_, C>,
    id: ComplaintId,
    author: &Actor,
    body: &str,
    now: Timestamp,
) -> Result<i64> {
    tx.query_one(
        "INSERT INTO messages (complaint_id, author_id, author_role, body, at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        vals![id.0, author.id.0, author.role.as_str(), body, to_ms(now)],
    )
    .await?[0]
        .int()
}

pub(crate) async fn messages<C: Conn>(tx: &mut Tx<'_, C>, id: ComplaintId) -> Result<Vec<Message>> {
    let rows = tx
        .query(
            "SELECT id, complaint_id, author_id, author_role, body, at FROM messages WHERE complaint_id = $1 ORDER BY id",
            vals![id.0],
        )
        .await?;
    each(rows, |r| MessageRow::from_row(r)?.try_into())
}
