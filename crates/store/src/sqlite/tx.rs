//! The write transactions: each runs on the writer's connection inside one batch's transaction.

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};
use weiquan_domain::access::{self, SYSTEM_ACTOR};
use weiquan_domain::chain::{EventBody, GENESIS, canonical_json, event_hash};
use weiquan_domain::machine::{self, Cancel, Effect, OrderFacts};
use weiquan_domain::records::{OrderRecord, ShopRecord};
use weiquan_domain::*;

use super::rows::*;
use crate::error::{Result, StoreError};
use crate::model::*;
use crate::time::{from_ms, to_ms};

/// Appends one event to a stream's chain.
pub(crate) fn append_event(
    conn: &Connection,
    stream: &str,
    actor: &str,
    kind: &str,
    data: &Value,
    now: Timestamp,
) -> Result<()> {
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT seq, hash FROM events WHERE stream = ?1 ORDER BY seq DESC LIMIT 1")?
        .query_row([stream], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
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
    conn.prepare_cached(
        "INSERT INTO events (stream, seq, at, actor, kind, data, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![stream, seq, at_ms, actor, kind, data.to_string(), prev, hash.as_str()])?;
    Ok(())
}

pub(crate) fn complaint_stream(id: ComplaintId) -> String {
    format!("complaint:{id}")
}

pub(crate) fn load_complaint(conn: &Connection, id: ComplaintId) -> Result<Complaint> {
    let row = conn
        .prepare_cached(&format!("{COMPLAINT_SELECT} WHERE c.id = ?1"))?
        .query_row([id.0], ComplaintRow::from_row)
        .optional()?;
    row.ok_or_else(|| StoreError::Domain(access::not_found_complaint()))?
        .try_into()
}

/// Loads a complaint the actor may see.
pub(crate) fn visible_complaint(
    conn: &Connection,
    actor: &Actor,
    id: ComplaintId,
) -> Result<Complaint> {
    let c = load_complaint(conn, id)?;
    access::check_view(actor, &c)?;
    Ok(c)
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

pub(crate) fn file_complaint(
    conn: &Connection,
    actor: &Actor,
    new: NewComplaint,
    channel: Channel,
    now: Timestamp,
    policy: &Policy,
) -> Result<Complaint> {
    let consumer = match &new.on_behalf_of {
        None => actor.id,
        Some(name) => {
            let row: Option<(i64, String)> = conn
                .prepare_cached("SELECT id, role FROM users WHERE username = ?1")?
                .query_row([name.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
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
    let order = conn
        .prepare_cached(&format!("{ORDER_SELECT} WHERE o.order_no = ?1"))?
        .query_row([new.order_no.as_str()], OrderRow::from_row)
        .optional()?;
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
    let filing = machine::file(&new, &facts, consumer, actor, channel, now, policy)?;
    let c = &filing.complaint;

    // The order as it stood when the complaint was filed, frozen as evidence.
    let mut snapshot = String::new();
    canonical_json(
        &serde_json::to_value(&order).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        &mut snapshot,
    );
    let snapshot_sha = Sha256::of(snapshot.as_bytes());

    let inserted = conn
        .prepare_cached(
            "INSERT INTO complaints (order_no, consumer_id, shop_id, filed_by, product, category, incident_at, description, \
             claim, channel, state, tier, major, progress, order_snapshot, deadline_at, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17) RETURNING id",
        )?
        .query_row(
            params![
                c.order_no.as_str(),
                c.consumer_id.0,
                c.shop_id.as_str(),
                actor.id.0,
                c.product,
                c.category.as_str(),
                to_ms(c.incident_at),
                c.description,
                serde_json::to_string(&c.claim).expect("claims serialize"),
                channel.as_str(),
                c.state.as_str(),
                c.tier.as_str(),
                c.major,
                serde_json::to_string(&c.progress).expect("progress serializes"),
                snapshot,
                c.deadline_at.map(to_ms),
                to_ms(now),
            ],
            |r| r.get::<_, i64>(0),
        );
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
    )?;
    for (kind, due) in &filing.set_timers {
        insert_timer(conn, id, *kind, *due)?;
    }
    conn.prepare_cached(
        "INSERT INTO evidence (complaint_id, sha256, kind, size, content_type, filename, uploaded_by, inline_data, at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8)",
    )?
    .execute(params![
        id.0,
        snapshot_sha.as_str(),
        EvidenceKind::TransactionRecord.as_str(),
        snapshot.len() as i64,
        "application/json",
        format!("order-{}.json", c.order_no),
        snapshot.as_bytes(),
        to_ms(now),
    ])?;
    let mut complaint = filing.complaint;
    complaint.id = id;
    Ok(complaint)
}

fn insert_timer(conn: &Connection, id: ComplaintId, kind: TimerKind, due: Timestamp) -> Result<()> {
    conn.prepare_cached("INSERT INTO timers (complaint_id, kind, due_at) VALUES (?1, ?2, ?3)")?
        .execute(params![id.0, kind.as_str(), to_ms(due)])?;
    Ok(())
}

pub(crate) fn act(
    conn: &Connection,
    actor: &Actor,
    id: ComplaintId,
    action: Action,
    now: Timestamp,
    policy: &Policy,
) -> Result<Complaint> {
    let c = visible_complaint(conn, actor, id)?;
    let t = machine::decide(&c, Trigger::Act(actor, &action), now, policy)?;
    apply(conn, t, &actor.event_name(), Some(actor.id), now)
}

/// Fires a pending timer; `false` if it was no longer pending.
pub(crate) fn fire_timer(
    conn: &Connection,
    timer: &DueTimer,
    now: Timestamp,
    policy: &Policy,
) -> Result<bool> {
    let claimed = conn
        .prepare_cached("UPDATE timers SET status = 'fired', fired_at = ?2 WHERE id = ?1 AND status = 'pending'")?
        .execute(params![timer.id, to_ms(now)])?;
    if claimed == 0 {
        return Ok(false);
    }
    let c = load_complaint(conn, timer.complaint_id)?;
    match machine::decide(&c, Trigger::Timer(timer.kind), now, policy) {
        Ok(mut t) => {
            t.event_data["timer_id"] = json!(timer.id);
            t.event_data["due_at"] = json!(timer.due_at);
            apply(conn, t, SYSTEM_ACTOR, None, now)?;
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
fn apply(
    conn: &Connection,
    t: machine::Transition,
    actor: &str,
    actor_id: Option<UserId>,
    now: Timestamp,
) -> Result<Complaint> {
    let c = &t.complaint;
    match &t.cancel {
        Cancel::All => {
            conn.prepare_cached("UPDATE timers SET status = 'cancelled' WHERE complaint_id = ?1 AND status = 'pending'")?
                .execute([c.id.0])?;
        }
        Cancel::Kinds(kinds) => {
            for k in kinds {
                conn.prepare_cached(
                    "UPDATE timers SET status = 'cancelled' WHERE complaint_id = ?1 AND status = 'pending' AND kind = ?2",
                )?
                .execute(params![c.id.0, k.as_str()])?;
            }
        }
    }
    for (kind, due) in &t.set_timers {
        insert_timer(conn, c.id, *kind, *due)?;
    }
    let deadline: Option<i64> = conn
        .prepare_cached(
            "UPDATE complaints SET state = ?2, tier = ?3, major = ?4, assignee_id = ?5, collective_case_id = ?6, progress = ?7, \
             updated_at = ?8, deadline_at = (SELECT MIN(due_at) FROM timers WHERE complaint_id = ?1 AND status = 'pending') \
             WHERE id = ?1 RETURNING deadline_at",
        )?
        .query_row(
            params![
                c.id.0,
                c.state.as_str(),
                c.tier.as_str(),
                c.major,
                c.assignee_id.map(|u| u.0),
                c.collective_case_id.map(|k| k.0),
                serde_json::to_string(&c.progress).expect("progress serializes"),
                to_ms(now),
            ],
            |r| r.get(0),
        )?;
    append_event(
        conn,
        &complaint_stream(c.id),
        actor,
        t.event_kind,
        &t.event_data,
        now,
    )?;
    for effect in &t.effects {
        match effect {
            Effect::Forward { reason } => forward_to_case(conn, c, reason, actor, actor_id, now)?,
            Effect::Violation {
                kind,
                points,
                reason,
            } => record_violation(
                conn,
                &c.shop_id,
                Some(c.id),
                kind,
                *points,
                reason,
                actor,
                now,
            )?,
            Effect::PlatformPayout { remedy } => {
                let data = json!({"complaint_id": c.id, "remedy": remedy});
                append_event(
                    conn,
                    &format!("shop:{}", c.shop_id),
                    actor,
                    "platform_payout",
                    &data,
                    now,
                )?;
            }
        }
    }
    let mut out = t.complaint;
    out.deadline_at = deadline.map(from_ms).transpose()?;
    Ok(out)
}

/// Opens a violation case about the shop, or joins the open one, and links the complaint.
fn forward_to_case(
    conn: &Connection,
    c: &Complaint,
    reason: &str,
    actor: &str,
    actor_id: Option<UserId>,
    now: Timestamp,
) -> Result<()> {
    let open: Option<i64> = conn
        .prepare_cached(
            "SELECT id FROM cases WHERE shop_id = ?1 AND kind = 'violation' AND state IN ('open', 'investigating') ORDER BY id LIMIT 1",
        )?
        .query_row([c.shop_id.as_str()], |r| r.get(0))
        .optional()?;
    let case_id = match open {
        Some(id) => id,
        None => {
            let id: i64 = conn
                .prepare_cached(
                    "INSERT INTO cases (kind, shop_id, state, title, created_at, updated_at) VALUES ('violation', ?1, 'open', ?2, ?3, ?3) RETURNING id",
                )?
                .query_row(params![c.shop_id.as_str(), format!("店铺 {} 违规线索", c.shop_id), to_ms(now)], |r| r.get(0))?;
            let data = json!({"kind": "violation", "shop_id": c.shop_id, "state": "open"});
            append_event(conn, &format!("case:{id}"), actor, "opened", &data, now)?;
            id
        }
    };
    let added = conn
        .prepare_cached(
            "INSERT INTO case_members (case_id, complaint_id, reason, added_by, at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        )?
        .execute(params![case_id, c.id.0, reason, actor_id.map(|u| u.0), to_ms(now)])?;
    if added > 0 {
        conn.prepare_cached("UPDATE cases SET updated_at = ?2 WHERE id = ?1")?
            .execute(params![case_id, to_ms(now)])?;
        let data = json!({"complaint_id": c.id, "reason": reason});
        append_event(
            conn,
            &format!("case:{case_id}"),
            actor,
            "member_added",
            &data,
            now,
        )?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn record_violation(
    conn: &Connection,
    shop: &ShopId,
    complaint: Option<ComplaintId>,
    kind: &str,
    points: u32,
    reason: &str,
    actor: &str,
    now: Timestamp,
) -> Result<()> {
    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO violations (shop_id, complaint_id, kind, points, reason, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
        )?
        .query_row(params![shop.as_str(), complaint.map(|c| c.0), kind, points, reason, to_ms(now)], |r| r.get(0))?;
    let data = json!({"violation_id": id, "complaint_id": complaint, "kind": kind, "points": points, "reason": reason});
    append_event(
        conn,
        &format!("shop:{shop}"),
        actor,
        "violation_recorded",
        &data,
        now,
    )
}

pub(crate) fn add_message(
    conn: &Connection,
    actor: &Actor,
    id: ComplaintId,
    body: String,
    now: Timestamp,
) -> Result<Message> {
    let c = visible_complaint(conn, actor, id)?;
    access::check_contribute(actor, &c)?;
    let mid: i64 = conn
        .prepare_cached(
            "INSERT INTO messages (complaint_id, author_id, author_role, body, at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        )?
        .query_row(params![id.0, actor.id.0, actor.role.as_str(), body, to_ms(now)], |r| r.get(0))?;
    let data = json!({"message_id": mid, "author_role": actor.role, "body": body});
    append_event(
        conn,
        &complaint_stream(id),
        &actor.event_name(),
        "message_posted",
        &data,
        now,
    )?;
    Ok(Message {
        id: mid,
        complaint_id: id,
        author_id: actor.id,
        author_role: actor.role,
        body,
        at: now,
    })
}

pub(crate) const EVIDENCE_COLUMNS: &str =
    "sha256, size, content_type, kind, filename, uploaded_by, at";

pub(crate) fn add_evidence(
    conn: &Connection,
    actor: &Actor,
    id: ComplaintId,
    ev: crate::NewEvidence,
    now: Timestamp,
) -> Result<Evidence> {
    let c = visible_complaint(conn, actor, id)?;
    access::check_contribute(actor, &c)?;
    let existing = conn
        .prepare_cached(&format!(
            "SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE complaint_id = ?1 AND sha256 = ?2"
        ))?
        .query_row(params![id.0, ev.sha256.as_str()], EvidenceRow::from_row)
        .optional()?;
    if let Some(row) = existing {
        // The same file twice is one piece of evidence.
        return row.try_into();
    }
    conn.prepare_cached(
        "INSERT INTO evidence (complaint_id, sha256, kind, size, content_type, filename, uploaded_by, at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![id.0, ev.sha256.as_str(), ev.kind.as_str(), ev.size, ev.content_type, ev.filename, actor.id.0, to_ms(now)])?;
    let data = json!({"sha256": ev.sha256, "kind": ev.kind, "size": ev.size, "content_type": ev.content_type, "filename": ev.filename});
    append_event(
        conn,
        &complaint_stream(id),
        &actor.event_name(),
        "evidence_added",
        &data,
        now,
    )?;
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

pub(crate) fn create_session(
    conn: &Connection,
    user_id: UserId,
    token_hash: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<()> {
    conn.prepare_cached("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![token_hash, user_id.0, to_ms(now), to_ms(expires_at)])?;
    Ok(())
}

/// Creates a user unless the username is taken; returns the id and role of whoever has it.
fn ensure_user(conn: &Connection, u: &NewUser, now: Timestamp) -> Result<(i64, String)> {
    conn.prepare_cached(
        "INSERT INTO users (username, role, display_name, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (username) DO NOTHING",
    )?
    .execute(params![u.username.as_str(), u.role.as_str(), u.display_name, u.password_hash, to_ms(now)])?;
    Ok(conn
        .prepare_cached("SELECT id, role FROM users WHERE username = ?1")?
        .query_row([u.username.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

pub(crate) fn create_user(conn: &Connection, u: NewUser, now: Timestamp) -> Result<User> {
    let r = conn
        .prepare_cached(
            "INSERT INTO users (username, role, display_name, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        )?
        .query_row(params![u.username.as_str(), u.role.as_str(), u.display_name, u.password_hash, to_ms(now)], |r| r.get::<_, i64>(0));
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

pub(crate) fn ensure_users(conn: &Connection, users: Vec<NewUser>, now: Timestamp) -> Result<()> {
    for u in &users {
        ensure_user(conn, u, now)?;
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

/// Runs one record of an import in its own savepoint, so that a bad record rolls back alone.
fn per_record(conn: &Connection, f: impl FnOnce(&Connection) -> Result<()>) -> Result<Result<()>> {
    conn.execute_batch("SAVEPOINT record")?;
    let r = f(conn);
    if r.is_ok() {
        conn.execute_batch("RELEASE record")?;
    } else {
        conn.execute_batch("ROLLBACK TO record; RELEASE record")?;
    }
    Ok(r)
}

pub(crate) fn import_shops(
    conn: &Connection,
    shops: Vec<ShopRecord>,
    now: Timestamp,
) -> Result<ImportOutcome> {
    shops
        .into_iter()
        .map(|rec| per_record(conn, |c| import_shop(c, rec, now)))
        .collect()
}

fn import_shop(conn: &Connection, rec: ShopRecord, now: Timestamp) -> Result<()> {
    rec.validate()?;
    let merchant = NewUser {
        username: rec.merchant.clone(),
        role: Role::Merchant,
        display_name: rec.merchant.to_string(),
        password_hash: None,
    };
    let (merchant_id, role) = ensure_user(conn, &merchant, now)?;
    if role != Role::Merchant.as_str() {
        return Err(role_mismatch(
            "merchant",
            &rec.merchant,
            &role,
            Role::Merchant,
        ));
    }
    let commitments = serde_json::to_string(&rec.commitments).expect("commitments serialize");
    let existing: Option<(String, i64, String)> = conn
        .prepare_cached("SELECT name, merchant_id, commitments FROM shops WHERE id = ?1")?
        .query_row([rec.id.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let kind = match existing {
        None => {
            conn.prepare_cached(
                "INSERT INTO shops (id, name, merchant_id, commitments, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            )?
            .execute(params![rec.id.as_str(), rec.name, merchant_id, commitments, to_ms(now)])?;
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
            conn.prepare_cached(
                "UPDATE shops SET name = ?2, commitments = ?3, updated_at = ?4 WHERE id = ?1",
            )?
            .execute(params![rec.id.as_str(), rec.name, commitments, to_ms(now)])?;
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
}

pub(crate) fn import_orders(
    conn: &Connection,
    orders: Vec<OrderRecord>,
    now: Timestamp,
) -> Result<ImportOutcome> {
    orders
        .into_iter()
        .map(|rec| per_record(conn, |c| import_order(c, rec, now)))
        .collect()
}

fn import_order(conn: &Connection, rec: OrderRecord, now: Timestamp) -> Result<()> {
    rec.validate()?;
    let shop: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM shops WHERE id = ?1")?
        .query_row([rec.shop_id.as_str()], |r| r.get(0))
        .optional()?;
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
    let (buyer_id, role) = ensure_user(conn, &buyer, now)?;
    if role != Role::Consumer.as_str() {
        return Err(role_mismatch("buyer", &rec.buyer, &role, Role::Consumer));
    }
    let existing: Option<(i64, String, Option<i64>, Option<i64>)> = conn
        .prepare_cached(
            "SELECT buyer_id, shop_id, shipped_at, delivered_at FROM orders WHERE order_no = ?1",
        )?
        .query_row([rec.order_no.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let shipped = rec.shipped_at.map(to_ms);
    let delivered = rec.delivered_at.map(to_ms);
    let kind = match existing {
        None => {
            conn.prepare_cached(
                "INSERT INTO orders (order_no, buyer_id, shop_id, items, amount_cents, paid_at, shipped_at, delivered_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                rec.order_no.as_str(),
                buyer_id,
                rec.shop_id.as_str(),
                serde_json::to_string(&rec.items).expect("items serialize"),
                rec.amount_cents.get(),
                to_ms(rec.paid_at),
                shipped,
                delivered,
            ])?;
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
            conn.prepare_cached(
                "UPDATE orders SET shipped_at = ?2, delivered_at = ?3 WHERE order_no = ?1",
            )?
            .execute(params![rec.order_no.as_str(), shipped, delivered])?;
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
}
