//! The rows everything else hangs on — accounts, shops, orders, complaints and their messages
//! (their files are `evidence`'s) — loaded, inserted and updated, each statement once for both backends.

use weiquan_domain::records::{Commitments, OrderRecord};
use weiquan_domain::*;

use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::model::*;
use crate::rows::*;
use crate::sql::vals;
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

/// The user and their password hash.
pub(crate) async fn user_for_login<C: Conn>(
    tx: &mut Tx<'_, C>,
    username: &str,
) -> Result<Option<(User, Option<String>)>> {
    tx.query_opt(
        &format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1"),
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

pub(crate) async fn users<C: Conn>(
    tx: &mut Tx<'_, C>,
    after: Option<i64>,
    limit: u32,
) -> Result<Vec<User>> {
    let rows = tx
        .query(
            &format!(
                "SELECT {USER_COLUMNS}, NULL FROM users WHERE ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2"
            ),
            vals![after, limit],
        )
        .await?;
    each(rows, |r| UserRow::from_row(r)?.user())
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
    Ok(())
}

pub(crate) async fn session_user<C: Conn>(
    tx: &mut Tx<'_, C>,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<User>> {
    tx.query_opt(
        "SELECT u.id, u.username, u.role, u.display_name, NULL FROM sessions s \
         JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        vals![token_hash, to_ms(now)],
    )
    .await?
    .map(|r| UserRow::from_row(r)?.user())
    .transpose()
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

pub(crate) async fn order<C: Conn>(
    tx: &mut Tx<'_, C>,
    order_no: &OrderNo,
) -> Result<Option<(Order, UserId)>> {
    tx.query_opt(
        &format!("{ORDER_SELECT} WHERE o.order_no = $1"),
        vals![order_no.as_str()],
    )
    .await?
    .map(|r| {
        let row = OrderRow::from_row(r)?;
        let merchant = UserId(row.merchant_id);
        Ok((row.try_into()?, merchant))
    })
    .transpose()
}

/// The order's complaint still in progress, if any.
pub(crate) async fn open_complaint<C: Conn>(
    tx: &mut Tx<'_, C>,
    order_no: &OrderNo,
) -> Result<Option<ComplaintId>> {
    tx.query_opt(
        "SELECT id FROM complaints WHERE order_no = $1 AND state NOT IN ('closed', 'withdrawn')",
        vals![order_no.as_str()],
    )
    .await?
    .map(|r| Ok(ComplaintId(r[0].int()?)))
    .transpose()
}

/// The orders of a buyer or of a merchant's shops (or every order), newest first.
pub(crate) async fn orders<C: Conn>(
    tx: &mut Tx<'_, C>,
    (consumer, merchant): (Option<i64>, Option<i64>),
    before: Option<String>,
    limit: u32,
) -> Result<Vec<Order>> {
    let rows = tx
        .query(
            &format!(
                "{ORDER_SELECT_OPEN} WHERE ($1 IS NULL OR o.buyer_id = $1) AND ($2 IS NULL OR s.merchant_id = $2) \
                 AND (CAST($3 AS TEXT) IS NULL OR o.order_no < $3) ORDER BY o.order_no DESC LIMIT $4"
            ),
            vals![consumer, merchant, before, limit],
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
    let rows = tx
        .query(
            &format!(
                "{COMPLAINT_SELECT} WHERE ($1 IS NULL OR c.consumer_id = $1) AND ($2 IS NULL OR s.merchant_id = $2) \
                 AND (CAST($3 AS TEXT) IS NULL OR c.state = $3) AND (CAST($4 AS TEXT) IS NULL OR c.tier = $4) \
                 AND (CAST($5 AS TEXT) IS NULL OR c.shop_id = $5) AND ($6 IS NULL OR c.id < $6) ORDER BY c.id DESC LIMIT $7"
            ),
            vals![
                consumer,
                merchant,
                f.state.map(|s| s.as_str()),
                f.tier.map(|t| t.as_str()),
                f.shop_id.as_ref().map(|s| s.as_str()),
                f.before_id,
                f.limit,
            ],
        )
        .await?;
    each(rows, |r| ComplaintRow::from_row(r)?.try_into())
}

/// `None` when the order has an active complaint already.
pub(crate) async fn insert_complaint<C: Conn>(
    tx: &mut Tx<'_, C>,
    c: &Complaint,
    filed_by: UserId,
    snapshot: &str,
) -> Result<Option<ComplaintId>> {
    let r = tx
        .query_one(
            "INSERT INTO complaints (order_no, consumer_id, shop_id, filed_by, product, category, incident_at, description, \
             claim, channel, state, tier, major, progress, order_snapshot, deadline_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id",
            vals![
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
                snapshot,
                c.deadline_at.map(to_ms),
                to_ms(c.created_at),
            ],
        )
        .await;
    unless_duplicate(r)?
        .map(|r| Ok(ComplaintId(r[0].int()?)))
        .transpose()
}

/// Writes the complaint's mutable fields and returns its earliest pending deadline.
pub(crate) async fn update_complaint<C: Conn>(
    tx: &mut Tx<'_, C>,
    c: &Complaint,
    now: Timestamp,
) -> Result<Option<Timestamp>> {
    let r = tx
        .query_one(
            "UPDATE complaints SET state = $2, tier = $3, major = $4, assignee_id = $5, collective_case_id = $6, progress = $7, \
             updated_at = $8, deadline_at = (SELECT MIN(due_at) FROM timers WHERE complaint_id = $1 AND status = 'pending'), \
             resolved_at = CASE WHEN $2 = 'resolved' THEN COALESCE(resolved_at, $8) ELSE resolved_at END, \
             reached_mediation = reached_mediation OR $2 = 'mediation', \
             reached_protection = reached_protection OR $2 = 'protection_review' \
             WHERE id = $1 RETURNING deadline_at",
            vals![
                c.id.0,
                c.state.as_str(),
                c.tier.as_str(),
                c.major,
                c.assignee_id.map(|u| u.0),
                c.collective_case_id.map(|k| k.0),
                serde_json::to_string(&c.progress).expect("progress serializes"),
                to_ms(now),
            ],
        )
        .await?;
    r[0].opt_int()?.map(from_ms).transpose()
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
