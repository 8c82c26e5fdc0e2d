//! The write transactions: each runs on the writer's connection inside one batch's transaction.

use serde_json::{Value, json};
use sqlx::SqliteConnection;
use weiquan_domain::access::{self, SYSTEM_ACTOR};
use weiquan_domain::chain::{EventBody, GENESIS, canonical_json, event_hash};
use weiquan_domain::machine::{self, Cancel, Effect, OrderFacts};
use weiquan_domain::records::{OrderRecord, ShopRecord};
use weiquan_domain::*;

use super::rows::*;
use crate::error::{Result, StoreError};
use crate::model::*;
use crate::time::to_ms;

/// Appends one event to a stream's chain.
pub(crate) async fn append_event(
    conn: &mut SqliteConnection,
    stream: &str,
    actor: &str,
    kind: &str,
    data: &Value,
    now: Timestamp,
) -> Result<()> {
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM events WHERE stream = $1 ORDER BY seq DESC LIMIT 1")
            .bind(stream)
            .fetch_optional(&mut *conn)
            .await?;
    let (seq, prev) = match &last {
        Some((s, h)) => (s + 1, h.as_str()),
        None => (1, GENESIS),
    };
    let at_ms = to_ms(now);
    let hash = event_hash(&EventBody {
        stream,
        seq,
        at_ms,
        actor,
        kind,
        data,
        prev_hash: prev,
    });
    sqlx::query(
        "INSERT INTO events (stream, seq, at, actor, kind, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(stream)
    .bind(seq)
    .bind(at_ms)
    .bind(actor)
    .bind(kind)
    .bind(data.to_string())
    .bind(prev)
    .bind(hash.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) fn complaint_stream(id: ComplaintId) -> String {
    format!("complaint:{id}")
}

async fn load_complaint(conn: &mut SqliteConnection, id: ComplaintId) -> Result<Complaint> {
    let row: Option<ComplaintRow> =
        sqlx::query_as(concat!(complaint_select!(), " WHERE c.id = $1"))
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?;
    row.ok_or_else(|| StoreError::Domain(access::not_found_complaint()))?
        .try_into()
}

/// Loads a complaint the actor may see.
async fn visible_complaint(
    conn: &mut SqliteConnection,
    actor: &Actor,
    id: ComplaintId,
) -> Result<Complaint> {
    let c = load_complaint(conn, id).await?;
    access::check_view(actor, &c)?;
    Ok(c)
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

pub(crate) async fn file_complaint(
    conn: &mut SqliteConnection,
    actor: Actor,
    new: NewComplaint,
    channel: Channel,
    now: Timestamp,
    policy: &Policy,
) -> Result<Complaint> {
    let consumer = match &new.on_behalf_of {
        None => actor.id,
        Some(name) => {
            let row: Option<(i64, String)> =
                sqlx::query_as("SELECT id, role FROM users WHERE username = $1")
                    .bind(name.as_str())
                    .fetch_optional(&mut *conn)
                    .await?;
            match row {
                Some((id, role)) if role == Role::Consumer.as_str() => UserId(id),
                _ => {
                    return Err(DomainError::invalid(
                        "on_behalf_of",
                        "找不到这个买家账号",
                        "no consumer has this username",
                    )
                    .into());
                }
            }
        }
    };
    let order: Option<OrderRow> =
        sqlx::query_as(concat!(order_select!(), " WHERE o.order_no = $1"))
            .bind(new.order_no.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    let Some(order) = order else {
        return Err(StoreError::not_found(
            "在你的订单中找不到这个订单号",
            "no such order among your orders",
        ));
    };
    let merchant_id = UserId(order.merchant_id);
    let order: Order = order.try_into()?;
    let facts = OrderFacts {
        buyer_id: order.buyer_id,
        shop_id: order.shop_id.clone(),
        merchant_id,
        amount_cents: order.amount_cents,
        paid_at: order.paid_at,
    };
    let filing = machine::file(&new, &facts, consumer, &actor, channel, now, policy)?;
    let c = &filing.complaint;

    // The order as it stood when the complaint was filed, frozen as evidence.
    let mut snapshot = String::new();
    canonical_json(
        &serde_json::to_value(&order).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        &mut snapshot,
    );
    let snapshot_sha = Sha256::of(snapshot.as_bytes());

    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO complaints (order_no, consumer_id, shop_id, filed_by, product, category, incident_at, description, \
         claim, channel, state, tier, major, progress, order_snapshot, deadline_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id",
    )
    .bind(c.order_no.as_str())
    .bind(c.consumer_id.0)
    .bind(c.shop_id.as_str())
    .bind(actor.id.0)
    .bind(&c.product)
    .bind(c.category.as_str())
    .bind(to_ms(c.incident_at))
    .bind(&c.description)
    .bind(serde_json::to_string(&c.claim).expect("claims serialize"))
    .bind(channel.as_str())
    .bind(c.state.as_str())
    .bind(c.tier.as_str())
    .bind(c.major)
    .bind(serde_json::to_string(&c.progress).expect("progress serializes"))
    .bind(&snapshot)
    .bind(c.deadline_at.map(to_ms))
    .bind(to_ms(now))
    .fetch_one(&mut *conn)
    .await;
    let id = match inserted {
        Ok(id) => ComplaintId(id),
        Err(e) if is_unique_violation(&e) => {
            return Err(StoreError::conflict(
                "duplicate_complaint",
                "这个订单已有一条进行中的投诉，请在原投诉中继续处理",
                "this order already has a complaint in progress; continue in that one",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let mut data = filing.event_data.clone();
    data["order_snapshot_sha256"] = json!(snapshot_sha);
    append_event(
        conn,
        &complaint_stream(id),
        &actor.event_name(),
        "filed",
        &data,
        now,
    )
    .await?;
    for (kind, due) in &filing.set_timers {
        insert_timer(conn, id, *kind, *due).await?;
    }
    sqlx::query(
        "INSERT INTO evidence (complaint_id, sha256, kind, size, content_type, filename, uploaded_by, inline_data, at) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8)",
    )
    .bind(id.0)
    .bind(snapshot_sha.as_str())
    .bind(EvidenceKind::TransactionRecord.as_str())
    .bind(snapshot.len() as i64)
    .bind("application/json")
    .bind(format!("order-{}.json", c.order_no))
    .bind(snapshot.as_bytes())
    .bind(to_ms(now))
    .execute(&mut *conn)
    .await?;
    let mut complaint = filing.complaint;
    complaint.id = id;
    Ok(complaint)
}

async fn insert_timer(
    conn: &mut SqliteConnection,
    id: ComplaintId,
    kind: TimerKind,
    due: Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO timers (complaint_id, kind, due_at) VALUES ($1, $2, $3)")
        .bind(id.0)
        .bind(kind.as_str())
        .bind(to_ms(due))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(crate) async fn act(
    conn: &mut SqliteConnection,
    actor: Actor,
    id: ComplaintId,
    action: Action,
    now: Timestamp,
    policy: &Policy,
) -> Result<Complaint> {
    let c = visible_complaint(conn, &actor, id).await?;
    let t = machine::decide(&c, Trigger::Act(&actor, &action), now, policy)?;
    apply(conn, t, &actor.event_name(), Some(actor.id), now).await
}

/// Fires a pending timer; `false` if it was no longer pending.
pub(crate) async fn fire_timer(
    conn: &mut SqliteConnection,
    timer: DueTimer,
    now: Timestamp,
    policy: &Policy,
) -> Result<bool> {
    let claimed = sqlx::query(
        "UPDATE timers SET status = 'fired', fired_at = $2 WHERE id = $1 AND status = 'pending'",
    )
    .bind(timer.id)
    .bind(to_ms(now))
    .execute(&mut *conn)
    .await?;
    if claimed.rows_affected() == 0 {
        return Ok(false);
    }
    let c = load_complaint(conn, timer.complaint_id).await?;
    match machine::decide(&c, Trigger::Timer(timer.kind), now, policy) {
        Ok(mut t) => {
            t.event_data["timer_id"] = json!(timer.id);
            t.event_data["due_at"] = json!(timer.due_at);
            apply(conn, t, SYSTEM_ACTOR, None, now).await?;
        }
        // The state moved on without cancelling this timer: nothing to do, but it is consumed.
        Err(DomainError::Conflict {
            code: "stale_timer",
            ..
        }) => {
            tracing::warn!(timer = timer.id, complaint = %timer.complaint_id, "stale timer consumed");
        }
        Err(e) => return Err(e.into()),
    }
    Ok(true)
}

/// Persists a transition: the complaint, its timers, its event and its effects.
async fn apply(
    conn: &mut SqliteConnection,
    t: machine::Transition,
    actor: &str,
    actor_id: Option<UserId>,
    now: Timestamp,
) -> Result<Complaint> {
    let c = &t.complaint;
    match &t.cancel {
        Cancel::All => {
            sqlx::query("UPDATE timers SET status = 'cancelled' WHERE complaint_id = $1 AND status = 'pending'")
                .bind(c.id.0)
                .execute(&mut *conn)
                .await?;
        }
        Cancel::Kinds(kinds) => {
            for k in kinds {
                sqlx::query("UPDATE timers SET status = 'cancelled' WHERE complaint_id = $1 AND status = 'pending' AND kind = $2")
                    .bind(c.id.0)
                    .bind(k.as_str())
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    for (kind, due) in &t.set_timers {
        insert_timer(conn, c.id, *kind, *due).await?;
    }
    let deadline: Option<i64> = sqlx::query_scalar(
        "UPDATE complaints SET state = $2, tier = $3, major = $4, assignee_id = $5, collective_case_id = $6, progress = $7, \
         updated_at = $8, deadline_at = (SELECT MIN(due_at) FROM timers WHERE complaint_id = $1 AND status = 'pending') \
         WHERE id = $1 RETURNING deadline_at",
    )
    .bind(c.id.0)
    .bind(c.state.as_str())
    .bind(c.tier.as_str())
    .bind(c.major)
    .bind(c.assignee_id.map(|u| u.0))
    .bind(c.collective_case_id.map(|k| k.0))
    .bind(serde_json::to_string(&c.progress).expect("progress serializes"))
    .bind(to_ms(now))
    .fetch_one(&mut *conn)
    .await?;
    append_event(
        conn,
        &complaint_stream(c.id),
        actor,
        t.event_kind,
        &t.event_data,
        now,
    )
    .await?;
    for effect in &t.effects {
        match effect {
            Effect::Forward { reason } => {
                forward_to_case(conn, c, reason, actor, actor_id, now).await?
            }
            Effect::Violation {
                kind,
                points,
                reason,
            } => {
                record_violation(
                    conn,
                    &c.shop_id,
                    Some(c.id),
                    kind,
                    *points,
                    reason,
                    actor,
                    now,
                )
                .await?
            }
            Effect::PlatformPayout { remedy } => {
                let data = json!({"complaint_id": c.id, "remedy": remedy});
                append_event(
                    conn,
                    &format!("shop:{}", c.shop_id),
                    actor,
                    "platform_payout",
                    &data,
                    now,
                )
                .await?;
            }
        }
    }
    let mut out = t.complaint;
    out.deadline_at = deadline.map(crate::time::from_ms).transpose()?;
    Ok(out)
}

/// Opens a violation case about the shop, or joins the open one, and links the complaint.
async fn forward_to_case(
    conn: &mut SqliteConnection,
    c: &Complaint,
    reason: &str,
    actor: &str,
    actor_id: Option<UserId>,
    now: Timestamp,
) -> Result<()> {
    let open: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM cases WHERE shop_id = $1 AND kind = 'violation' AND state IN ('open', 'investigating') ORDER BY id LIMIT 1",
    )
    .bind(c.shop_id.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let case_id = match open {
        Some(id) => id,
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO cases (kind, shop_id, state, title, created_at, updated_at) VALUES ('violation', $1, 'open', $2, $3, $3) RETURNING id",
            )
            .bind(c.shop_id.as_str())
            .bind(format!("店铺 {} 违规线索", c.shop_id))
            .bind(to_ms(now))
            .fetch_one(&mut *conn)
            .await?;
            let data = json!({"kind": "violation", "shop_id": c.shop_id, "state": "open"});
            append_event(conn, &format!("case:{id}"), actor, "opened", &data, now).await?;
            id
        }
    };
    let added = sqlx::query(
        "INSERT INTO case_members (case_id, complaint_id, reason, added_by, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(case_id)
    .bind(c.id.0)
    .bind(reason)
    .bind(actor_id.map(|u| u.0))
    .bind(to_ms(now))
    .execute(&mut *conn)
    .await?;
    if added.rows_affected() > 0 {
        sqlx::query("UPDATE cases SET updated_at = $2 WHERE id = $1")
            .bind(case_id)
            .bind(to_ms(now))
            .execute(&mut *conn)
            .await?;
        let data = json!({"complaint_id": c.id, "reason": reason});
        append_event(
            conn,
            &format!("case:{case_id}"),
            actor,
            "member_added",
            &data,
            now,
        )
        .await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn record_violation(
    conn: &mut SqliteConnection,
    shop: &ShopId,
    complaint: Option<ComplaintId>,
    kind: &str,
    points: u32,
    reason: &str,
    actor: &str,
    now: Timestamp,
) -> Result<()> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO violations (shop_id, complaint_id, kind, points, reason, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(shop.as_str())
    .bind(complaint.map(|c| c.0))
    .bind(kind)
    .bind(points as i64)
    .bind(reason)
    .bind(to_ms(now))
    .fetch_one(&mut *conn)
    .await?;
    let data = json!({"violation_id": id, "complaint_id": complaint, "kind": kind, "points": points, "reason": reason});
    append_event(
        conn,
        &format!("shop:{shop}"),
        actor,
        "violation_recorded",
        &data,
        now,
    )
    .await
}

pub(crate) async fn add_message(
    conn: &mut SqliteConnection,
    actor: Actor,
    id: ComplaintId,
    body: String,
    now: Timestamp,
) -> Result<Message> {
    let c = visible_complaint(conn, &actor, id).await?;
    access::check_contribute(&actor, &c)?;
    let mid: i64 = sqlx::query_scalar(
        "INSERT INTO messages (complaint_id, author_id, author_role, body, at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(id.0)
    .bind(actor.id.0)
    .bind(actor.role.as_str())
    .bind(&body)
    .bind(to_ms(now))
    .fetch_one(&mut *conn)
    .await?;
    let data = json!({"message_id": mid, "author_role": actor.role, "body": body});
    append_event(
        conn,
        &complaint_stream(id),
        &actor.event_name(),
        "message_posted",
        &data,
        now,
    )
    .await?;
    Ok(Message {
        id: mid,
        complaint_id: id,
        author_id: actor.id,
        author_role: actor.role,
        body,
        at: now,
    })
}

pub(crate) async fn add_evidence(
    conn: &mut SqliteConnection,
    actor: Actor,
    id: ComplaintId,
    ev: crate::NewEvidence,
    now: Timestamp,
) -> Result<Evidence> {
    let c = visible_complaint(conn, &actor, id).await?;
    access::check_contribute(&actor, &c)?;
    let existing: Option<EvidenceRow> = sqlx::query_as(
        "SELECT sha256, size, content_type, kind, filename, uploaded_by, at FROM evidence WHERE complaint_id = $1 AND sha256 = $2",
    )
    .bind(id.0)
    .bind(ev.sha256.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = existing {
        // The same file twice is one piece of evidence.
        return row.try_into();
    }
    sqlx::query(
        "INSERT INTO evidence (complaint_id, sha256, kind, size, content_type, filename, uploaded_by, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.0)
    .bind(ev.sha256.as_str())
    .bind(ev.kind.as_str())
    .bind(ev.size)
    .bind(&ev.content_type)
    .bind(&ev.filename)
    .bind(actor.id.0)
    .bind(to_ms(now))
    .execute(&mut *conn)
    .await?;
    let data = json!({"sha256": ev.sha256, "kind": ev.kind, "size": ev.size, "content_type": ev.content_type, "filename": ev.filename});
    append_event(
        conn,
        &complaint_stream(id),
        &actor.event_name(),
        "evidence_added",
        &data,
        now,
    )
    .await?;
    Ok(Evidence {
        sha256: ev.sha256,
        size: ev.size,
        content_type: ev.content_type,
        kind: ev.kind,
        filename: ev.filename,
        uploaded_by: Some(actor.id),
        at: now,
    })
}

/// Creates a user unless the username is taken; returns the id and role of whoever has it.
async fn ensure_user(
    conn: &mut SqliteConnection,
    u: &NewUser,
    now: Timestamp,
) -> Result<(i64, String)> {
    sqlx::query(
        "INSERT INTO users (username, role, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (username) DO NOTHING",
    )
    .bind(u.username.as_str())
    .bind(u.role.as_str())
    .bind(&u.display_name)
    .bind(&u.password_hash)
    .bind(to_ms(now))
    .execute(&mut *conn)
    .await?;
    Ok(
        sqlx::query_as("SELECT id, role FROM users WHERE username = $1")
            .bind(u.username.as_str())
            .fetch_one(&mut *conn)
            .await?,
    )
}

pub(crate) async fn create_user(
    conn: &mut SqliteConnection,
    u: NewUser,
    now: Timestamp,
) -> Result<User> {
    let r = sqlx::query_scalar::<_, i64>(
        "INSERT INTO users (username, role, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(u.username.as_str())
    .bind(u.role.as_str())
    .bind(&u.display_name)
    .bind(&u.password_hash)
    .bind(to_ms(now))
    .fetch_one(&mut *conn)
    .await;
    match r {
        Ok(id) => Ok(User {
            id: UserId(id),
            username: u.username,
            role: u.role,
            display_name: u.display_name,
        }),
        Err(e) if is_unique_violation(&e) => Err(StoreError::conflict(
            "username_taken",
            "用户名已被使用",
            "this username is taken",
        )),
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn ensure_users(
    conn: &mut SqliteConnection,
    users: Vec<NewUser>,
    now: Timestamp,
) -> Result<()> {
    for u in &users {
        ensure_user(conn, u, now).await?;
    }
    Ok(())
}

fn role_mismatch(field: &str, name: &Username, role: &str, want: Role) -> StoreError {
    StoreError::Domain(DomainError::invalid(
        field,
        format!("用户 {name} 的角色是 {role}，不是{}", want.label_zh()),
        format!("user {name} is a {role}, not a {want}"),
    ))
}

/// Ends one record's savepoint: kept if the record landed, rolled back alone if not.
async fn end_savepoint(sp: sqlx::Transaction<'_, sqlx::Sqlite>, r: &Result<()>) -> Result<()> {
    if r.is_ok() {
        sp.commit().await?
    } else {
        sp.rollback().await?
    }
    Ok(())
}

pub(crate) async fn import_shops(
    conn: &mut SqliteConnection,
    shops: Vec<ShopRecord>,
    now: Timestamp,
) -> Result<ImportOutcome> {
    let mut out = Vec::with_capacity(shops.len());
    for rec in shops {
        let mut sp = sqlx::Connection::begin(&mut *conn).await?;
        let r = import_shop(&mut sp, rec, now).await;
        end_savepoint(sp, &r).await?;
        out.push(r);
    }
    Ok(out)
}

async fn import_shop(conn: &mut SqliteConnection, rec: ShopRecord, now: Timestamp) -> Result<()> {
    rec.validate()?;
    let merchant = NewUser {
        username: rec.merchant.clone(),
        role: Role::Merchant,
        display_name: rec.merchant.to_string(),
        password_hash: None,
    };
    let (merchant_id, role) = ensure_user(conn, &merchant, now).await?;
    if role != Role::Merchant.as_str() {
        return Err(role_mismatch(
            "merchant",
            &rec.merchant,
            &role,
            Role::Merchant,
        ));
    }
    let commitments = serde_json::to_string(&rec.commitments).expect("commitments serialize");
    let existing: Option<(String, i64, String)> =
        sqlx::query_as("SELECT name, merchant_id, commitments FROM shops WHERE id = $1")
            .bind(rec.id.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    let kind = match existing {
        None => {
            sqlx::query(
                "INSERT INTO shops (id, name, merchant_id, commitments, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(rec.id.as_str())
            .bind(&rec.name)
            .bind(merchant_id)
            .bind(&commitments)
            .bind(to_ms(now))
            .execute(&mut *conn)
            .await?;
            "shop_created"
        }
        Some((_, mid, _)) if mid != merchant_id => {
            return Err(DomainError::invalid(
                "merchant",
                "店铺已属于另一位商家，导入不能转让店铺",
                "the shop belongs to another merchant; an import cannot transfer it",
            )
            .into());
        }
        Some((name, _, old)) if name == rec.name && old == commitments => return Ok(()),
        Some(_) => {
            sqlx::query(
                "UPDATE shops SET name = $2, commitments = $3, updated_at = $4 WHERE id = $1",
            )
            .bind(rec.id.as_str())
            .bind(&rec.name)
            .bind(&commitments)
            .bind(to_ms(now))
            .execute(&mut *conn)
            .await?;
            "shop_updated"
        }
    };
    let data = json!({"name": rec.name, "merchant": rec.merchant, "commitments": rec.commitments});
    append_event(
        conn,
        &format!("shop:{}", rec.id),
        "system:import",
        kind,
        &data,
        now,
    )
    .await
}

pub(crate) async fn import_orders(
    conn: &mut SqliteConnection,
    orders: Vec<OrderRecord>,
    now: Timestamp,
) -> Result<ImportOutcome> {
    let mut out = Vec::with_capacity(orders.len());
    for rec in orders {
        let mut sp = sqlx::Connection::begin(&mut *conn).await?;
        let r = import_order(&mut sp, rec, now).await;
        end_savepoint(sp, &r).await?;
        out.push(r);
    }
    Ok(out)
}

async fn import_order(conn: &mut SqliteConnection, rec: OrderRecord, now: Timestamp) -> Result<()> {
    rec.validate()?;
    let shop: Option<i64> = sqlx::query_scalar("SELECT 1 FROM shops WHERE id = $1")
        .bind(rec.shop_id.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    if shop.is_none() {
        return Err(DomainError::invalid(
            "shop_id",
            "店铺不存在，请先导入店铺",
            "no such shop; import the shops first",
        )
        .into());
    }
    let buyer = NewUser {
        username: rec.buyer.clone(),
        role: Role::Consumer,
        display_name: rec.buyer.to_string(),
        password_hash: None,
    };
    let (buyer_id, role) = ensure_user(conn, &buyer, now).await?;
    if role != Role::Consumer.as_str() {
        return Err(role_mismatch("buyer", &rec.buyer, &role, Role::Consumer));
    }
    let items = serde_json::to_string(&rec.items).expect("items serialize");
    let existing: Option<(i64, String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT buyer_id, shop_id, shipped_at, delivered_at FROM orders WHERE order_no = $1",
    )
    .bind(rec.order_no.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let shipped = rec.shipped_at.map(to_ms);
    let delivered = rec.delivered_at.map(to_ms);
    let kind = match existing {
        None => {
            sqlx::query(
                "INSERT INTO orders (order_no, buyer_id, shop_id, items, amount_cents, paid_at, shipped_at, delivered_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(rec.order_no.as_str())
            .bind(buyer_id)
            .bind(rec.shop_id.as_str())
            .bind(&items)
            .bind(rec.amount_cents.get())
            .bind(to_ms(rec.paid_at))
            .bind(shipped)
            .bind(delivered)
            .execute(&mut *conn)
            .await?;
            "order_imported"
        }
        Some((b, s, _, _)) if b != buyer_id || s != rec.shop_id.as_str() => {
            return Err(DomainError::invalid(
                "order_no",
                "订单号已存在，且买家或店铺不同",
                "this order number exists with another buyer or shop",
            )
            .into());
        }
        Some((_, _, s, d)) if s == shipped && d == delivered => return Ok(()),
        Some(_) => {
            // The marketplace reports shipping and delivery as they happen.
            sqlx::query("UPDATE orders SET shipped_at = $2, delivered_at = $3 WHERE order_no = $1")
                .bind(rec.order_no.as_str())
                .bind(shipped)
                .bind(delivered)
                .execute(&mut *conn)
                .await?;
            "order_updated"
        }
    };
    let data = json!({"buyer": rec.buyer, "shop_id": rec.shop_id, "amount_cents": rec.amount_cents,
        "paid_at": rec.paid_at, "shipped_at": rec.shipped_at, "delivered_at": rec.delivered_at, "items": rec.items});
    append_event(
        conn,
        &format!("order:{}", rec.order_no),
        "system:import",
        kind,
        &data,
        now,
    )
    .await
}
