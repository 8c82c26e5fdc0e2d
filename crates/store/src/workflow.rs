//! The write transactions, written once for every backend against [`Ops`].
//!
//! Each function runs inside one transaction that its caller opens and commits: the change, its
//! event, its timers and its effects land together or not at all.

use serde_json::{Value, json};
use weiquan_domain::access::{self, SYSTEM_ACTOR};
use weiquan_domain::chain::{EventBody, GENESIS, canonical_json, event_hash};
use weiquan_domain::machine::{self, Effect, OrderFacts};
use weiquan_domain::records::{OrderRecord, ShopRecord};
use weiquan_domain::*;

use crate::error::{Result, StoreError};
use crate::model::*;
use crate::ops::{EventInsert, Lock, Ops};
use crate::time::to_ms;

/// Appends one event to a stream's chain.
pub(crate) async fn append_event<O: Ops>(
    o: &mut O,
    stream: &str,
    actor: &str,
    kind: &str,
    data: &Value,
    now: Timestamp,
) -> Result<()> {
    let head = o.stream_head(stream).await?;
    write_event(
        o,
        stream,
        head.as_ref().map(|(s, h)| (*s, h.as_str())),
        actor,
        kind,
        data,
        now,
    )
    .await
}

/// Starts the chain of a stream that cannot have events yet (a row created in this very
/// transaction), without looking up or locking its head.
pub(crate) async fn start_stream<O: Ops>(
    o: &mut O,
    stream: &str,
    actor: &str,
    kind: &str,
    data: &Value,
    now: Timestamp,
) -> Result<()> {
    write_event(o, stream, None, actor, kind, data, now).await
}

async fn write_event<O: Ops>(
    o: &mut O,
    stream: &str,
    head: Option<(i64, &str)>,
    actor: &str,
    kind: &str,
    data: &Value,
    now: Timestamp,
) -> Result<()> {
    let (seq, prev) = match head {
        Some((s, h)) => (s + 1, h),
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
    o.insert_event(EventInsert {
        stream,
        seq,
        at_ms,
        actor,
        kind,
        data: data.to_string(),
        prev_hash: prev,
        hash: hash.as_str(),
    })
    .await
}

pub(crate) fn complaint_stream(id: ComplaintId) -> String {
    format!("complaint:{id}")
}

/// Loads a complaint the actor may see, locked for change.
async fn visible_complaint<O: Ops>(o: &mut O, actor: &Actor, id: ComplaintId) -> Result<Complaint> {
    let c = o
        .complaint(id, Some(Lock::Wait))
        .await?
        .ok_or_else(|| StoreError::Domain(access::not_found_complaint()))?;
    access::check_view(actor, &c)?;
    Ok(c)
}

pub(crate) async fn file_complaint<O: Ops>(
    o: &mut O,
    windows: &crate::collective::Windows,
    actor: &Actor,
    new: NewComplaint,
    channel: Channel,
    now: Timestamp,
    policy: &Policy,
) -> Result<Complaint> {
    let consumer = match &new.on_behalf_of {
        None => actor.id,
        Some(name) => match o.user_id_role(name.as_str()).await? {
            Some((id, role)) if role == Role::Consumer.as_str() => UserId(id),
            _ => {
                return Err(DomainError::invalid(
                    "on_behalf_of",
                    "找不到这个买家账号",
                    "no consumer has this username",
                )
                .into());
            }
        },
    };
    let Some((order, merchant_id)) = o.order(&new.order_no).await? else {
        return Err(StoreError::not_found(
            "在你的订单中找不到这个订单号",
            "no such order among your orders",
        ));
    };
    let facts = OrderFacts {
        buyer_id: order.buyer_id,
        shop_id: order.shop_id.clone(),
        merchant_id,
        amount_cents: order.amount_cents,
        paid_at: order.paid_at,
    };
    let filing = machine::file(&new, &facts, consumer, actor, channel, now, policy)?;

    // The order as it stood when the complaint was filed, frozen as evidence.
    let mut snapshot = String::new();
    canonical_json(
        &serde_json::to_value(&order).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        &mut snapshot,
    );
    let snapshot_sha = Sha256::of(snapshot.as_bytes());

    let Some(id) = o
        .insert_complaint(&filing.complaint, actor.id, &snapshot)
        .await?
    else {
        return Err(StoreError::conflict(
            "duplicate_complaint",
            "这个订单已有一条进行中的投诉，请在原投诉中继续处理",
            "this order already has a complaint in progress; continue in that one",
        ));
    };
    let mut data = filing.event_data.clone();
    data["order_snapshot_sha256"] = json!(snapshot_sha);
    start_stream(
        o,
        &complaint_stream(id),
        &actor.event_name(),
        "filed",
        &data,
        now,
    )
    .await?;
    for (kind, due) in &filing.set_timers {
        o.insert_timer(id, *kind, *due).await?;
    }
    let ev = Evidence {
        sha256: snapshot_sha,
        size: snapshot.len() as i64,
        content_type: "application/json".into(),
        kind: EvidenceKind::TransactionRecord,
        filename: Some(format!("order-{}.json", order.order_no)),
        uploaded_by: None,
        at: now,
    };
    o.insert_evidence(id, &ev, Some(snapshot.as_bytes()))
        .await?;
    let mut complaint = filing.complaint;
    complaint.id = id;
    // Joining a collective case makes it linked and major.
    Ok(
        crate::collective::on_filed(o, windows, &complaint, now, policy)
            .await?
            .unwrap_or(complaint),
    )
}

pub(crate) async fn act<O: Ops>(
    o: &mut O,
    actor: &Actor,
    id: ComplaintId,
    action: Action,
    now: Timestamp,
    policy: &Policy,
) -> Result<Complaint> {
    let c = visible_complaint(o, actor, id).await?;
    let t = machine::decide(&c, Trigger::Act(actor, &action), now, policy)?;
    let who = actor.event_name();
    let after = apply(o, t, &who, Some(actor.id), now, policy).await?;
    crate::tier3::after_action(o, &after, &action, &who, now, policy).await?;
    Ok(after)
}

/// Fires a pending timer; `false` if it was no longer pending or another writer holds its
/// complaint (then it is tried again next round).
pub(crate) async fn fire_timer<O: Ops>(
    o: &mut O,
    timer: &DueTimer,
    now: Timestamp,
    policy: &Policy,
) -> Result<bool> {
    // The complaint first, then the timer: the same order as actions, so the two never deadlock.
    let Some(c) = o
        .complaint(timer.complaint_id, Some(Lock::SkipLocked))
        .await?
    else {
        return Ok(false);
    };
    if !o.claim_timer(timer.id, now).await? {
        return Ok(false);
    }
    match machine::decide(&c, Trigger::Timer(timer.kind), now, policy) {
        Ok(mut t) => {
            t.event_data["timer_id"] = json!(timer.id);
            t.event_data["due_at"] = json!(timer.due_at);
            apply(o, t, SYSTEM_ACTOR, None, now, policy).await?;
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
pub(crate) async fn apply<O: Ops>(
    o: &mut O,
    t: machine::Transition,
    actor: &str,
    actor_id: Option<UserId>,
    now: Timestamp,
    policy: &Policy,
) -> Result<Complaint> {
    let c = &t.complaint;
    o.cancel_timers(c.id, &t.cancel).await?;
    for (kind, due) in &t.set_timers {
        o.insert_timer(c.id, *kind, *due).await?;
    }
    let deadline = o.update_complaint(c, now).await?;
    append_event(
        o,
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
                forward_to_case(o, c, reason, actor, actor_id, now).await?
            }
            Effect::Violation {
                kind,
                points,
                reason,
            } => {
                crate::tier3::record_violation(
                    o,
                    crate::tier3::ViolationInsert {
                        shop: &c.shop_id,
                        complaint: Some(c.id),
                        case: None,
                        order_no: None,
                        kind,
                        points: *points,
                        compensation: None,
                        reason,
                    },
                    actor,
                    now,
                    policy,
                )
                .await?;
            }
            Effect::PlatformPayout { remedy } => {
                let data = json!({"complaint_id": c.id, "remedy": remedy});
                append_event(
                    o,
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
    out.deadline_at = deadline;
    Ok(out)
}

/// Opens a violation case about the shop, or joins the open one, and links the complaint.
async fn forward_to_case<O: Ops>(
    o: &mut O,
    c: &Complaint,
    reason: &str,
    actor: &str,
    actor_id: Option<UserId>,
    now: Timestamp,
) -> Result<()> {
    let case_id = crate::tier3::open_or_join_case(
        o,
        &c.shop_id,
        CaseKind::Violation,
        &format!("店铺 {} 违规线索", c.shop_id),
        &json!({}),
        actor,
        now,
    )
    .await?;
    if o.add_case_member(case_id, c.id, reason, actor_id, now)
        .await?
    {
        let data = json!({"complaint_id": c.id, "reason": reason});
        append_event(
            o,
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

pub(crate) async fn add_message<O: Ops>(
    o: &mut O,
    actor: &Actor,
    id: ComplaintId,
    body: String,
    now: Timestamp,
) -> Result<Message> {
    let c = visible_complaint(o, actor, id).await?;
    access::check_contribute(actor, &c)?;
    let mid = o.insert_message(id, actor, &body, now).await?;
    let data = json!({"message_id": mid, "author_role": actor.role, "body": body});
    append_event(
        o,
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

pub(crate) async fn add_evidence<O: Ops>(
    o: &mut O,
    actor: &Actor,
    id: ComplaintId,
    ev: crate::NewEvidence,
    now: Timestamp,
) -> Result<Evidence> {
    let c = visible_complaint(o, actor, id).await?;
    access::check_contribute(actor, &c)?;
    if let Some(existing) = o.evidence(id, &ev.sha256).await? {
        // The same file twice is one piece of evidence.
        return Ok(existing);
    }
    let ev = Evidence {
        sha256: ev.sha256,
        size: ev.size,
        content_type: ev.content_type,
        kind: ev.kind,
        filename: ev.filename,
        uploaded_by: Some(actor.id),
        at: now,
    };
    o.insert_evidence(id, &ev, None).await?;
    let data = json!({"sha256": ev.sha256, "kind": ev.kind, "size": ev.size, "content_type": ev.content_type, "filename": ev.filename});
    append_event(
        o,
        &complaint_stream(id),
        &actor.event_name(),
        "evidence_added",
        &data,
        now,
    )
    .await?;
    Ok(ev)
}

pub(crate) async fn create_user<O: Ops>(o: &mut O, u: NewUser, now: Timestamp) -> Result<User> {
    match o.insert_user(&u, now).await? {
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

/// Only an admin sees the account list.
pub(crate) fn check_admin(actor: &Actor) -> Result<()> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(
            DomainError::forbidden("只有管理员可以管理账号", "only an admin manages accounts")
                .into(),
        )
    }
}

/// An admin moves a staff account between staff roles. Consumers and merchants mirror the
/// marketplace (their orders and shops hang on the role), and an admin cannot demote
/// themselves and lock everyone out.
pub(crate) async fn set_role<O: Ops>(
    o: &mut O,
    actor: &Actor,
    id: UserId,
    role: Role,
    now: Timestamp,
) -> Result<User> {
    check_admin(actor)?;
    let Some((username, old, display_name)) = o.user_by_id(id.0).await? else {
        return Err(StoreError::not_found("找不到这个账号", "no such account"));
    };
    let old = Role::parse(&old).map_err(|_| StoreError::Corrupt(format!("user {id}: role")))?;
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
        o.update_user_role(id.0, role.as_str()).await?;
        append_event(
            o,
            &format!("account:{id}"),
            &actor.event_name(),
            "role_changed",
            &serde_json::json!({"from": old.as_str(), "to": role.as_str()}),
            now,
        )
        .await?;
    }
    Ok(User {
        id,
        username: Username::parse(&username)
            .map_err(|_| StoreError::Corrupt(format!("user {id}: username")))?,
        role,
        display_name,
    })
}

pub(crate) async fn ensure_users<O: Ops>(
    o: &mut O,
    users: Vec<NewUser>,
    now: Timestamp,
) -> Result<()> {
    for u in &users {
        o.insert_user_if_absent(u, now).await?;
    }
    Ok(())
}

/// Creates the user unless the name is taken, and checks the one who has it plays `role`.
async fn ensure_role<O: Ops>(
    o: &mut O,
    field: &str,
    name: &Username,
    role: Role,
    now: Timestamp,
) -> Result<i64> {
    let u = NewUser {
        username: name.clone(),
        role,
        display_name: name.to_string(),
        password_hash: None,
    };
    o.insert_user_if_absent(&u, now).await?;
    let (id, has) = o
        .user_id_role(name.as_str())
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("user {name} vanished")))?;
    if has != role.as_str() {
        return Err(StoreError::Domain(DomainError::invalid(
            field,
            format!("用户 {name} 的角色是 {has}，不是{}", role.label_zh()),
            format!("user {name} is a {has}, not a {role}"),
        )));
    }
    Ok(id)
}

/// One line of an import file.
enum Record {
    Shop(ShopRecord),
    Order(OrderRecord),
}

/// Imports records one by one, each in its own savepoint, so that a bad one rolls back alone.
async fn import_each<O: Ops>(
    o: &mut O,
    records: impl Iterator<Item = Record>,
    now: Timestamp,
) -> Result<ImportOutcome> {
    let mut out = Vec::new();
    for rec in records {
        o.savepoint().await?;
        let r = match rec {
            Record::Shop(s) => import_shop(o, s, now).await,
            Record::Order(r) => import_order(o, r, now).await,
        };
        o.end_savepoint(r.is_ok()).await?;
        out.push(r);
    }
    Ok(out)
}

pub(crate) async fn import_shops<O: Ops>(
    o: &mut O,
    shops: Vec<ShopRecord>,
    now: Timestamp,
) -> Result<ImportOutcome> {
    import_each(o, shops.into_iter().map(Record::Shop), now).await
}

async fn import_shop<O: Ops>(o: &mut O, rec: ShopRecord, now: Timestamp) -> Result<()> {
    rec.validate()?;
    let merchant_id = ensure_role(o, "merchant", &rec.merchant, Role::Merchant, now).await?;
    let commitments = serde_json::to_string(&rec.commitments).expect("commitments serialize");
    let kind = match o.shop_state(&rec.id).await? {
        None => {
            o.insert_shop(&rec.id, &rec.name, merchant_id, &rec.commitments, now)
                .await?;
            "shop_created"
        }
        Some(s) if s.merchant_id != merchant_id => {
            return Err(DomainError::invalid(
                "merchant",
                "店铺已属于另一位商家，导入不能转让店铺",
                "the shop belongs to another merchant; an import cannot transfer it",
            )
            .into());
        }
        Some(s) if s.name == rec.name && s.commitments == commitments => return Ok(()),
        Some(_) => {
            o.update_shop(&rec.id, &rec.name, &rec.commitments, now)
                .await?;
            "shop_updated"
        }
    };
    let data = json!({"name": rec.name, "merchant": rec.merchant, "commitments": rec.commitments});
    append_event(
        o,
        &format!("shop:{}", rec.id),
        "system:import",
        kind,
        &data,
        now,
    )
    .await
}

pub(crate) async fn import_orders<O: Ops>(
    o: &mut O,
    orders: Vec<OrderRecord>,
    now: Timestamp,
) -> Result<ImportOutcome> {
    import_each(o, orders.into_iter().map(Record::Order), now).await
}

async fn import_order<O: Ops>(o: &mut O, rec: OrderRecord, now: Timestamp) -> Result<()> {
    rec.validate()?;
    if o.shop_state(&rec.shop_id).await?.is_none() {
        return Err(DomainError::invalid(
            "shop_id",
            "店铺不存在，请先导入店铺",
            "no such shop; import the shops first",
        )
        .into());
    }
    let buyer_id = ensure_role(o, "buyer", &rec.buyer, Role::Consumer, now).await?;
    let shipped = rec.shipped_at.map(to_ms);
    let delivered = rec.delivered_at.map(to_ms);
    let kind = match o.order_state(&rec.order_no).await? {
        None => {
            o.insert_order(&rec, buyer_id).await?;
            let shop = o.shop_state(&rec.shop_id).await?.expect("checked above");
            let commitments: records::Commitments = serde_json::from_str(&shop.commitments)
                .map_err(|e| StoreError::Corrupt(format!("shop commitments: {e}")))?;
            crate::tier3::set_ship_by(o, &rec.order_no, rec.paid_at, &commitments).await?;
            "order_imported"
        }
        Some(s) if s.buyer_id != buyer_id || s.shop_id != rec.shop_id.as_str() => {
            return Err(DomainError::invalid(
                "order_no",
                "订单号已存在，且买家或店铺不同",
                "this order number exists with another buyer or shop",
            )
            .into());
        }
        Some(s) if s.shipped_at == shipped && s.delivered_at == delivered => return Ok(()),
        Some(_) => {
            // The marketplace reports shipping and delivery as they happen.
            o.update_order_shipping(&rec.order_no, shipped, delivered)
                .await?;
            "order_updated"
        }
    };
    let data = json!({"buyer": rec.buyer, "shop_id": rec.shop_id, "amount_cents": rec.amount_cents,
        "paid_at": rec.paid_at, "shipped_at": rec.shipped_at, "delivered_at": rec.delivered_at, "items": rec.items});
    append_event(
        o,
        &format!("order:{}", rec.order_no),
        "system:import",
        kind,
        &data,
        now,
    )
    .await
}
