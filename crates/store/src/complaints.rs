//! A complaint's life: filed (with its order frozen as evidence, its first deadline, its wave),
//! acted on, its deadlines fired, its messages and evidence; the reads of one complaint.

use serde_json::json;
use weiquan_domain::machine;
use weiquan_domain::*;

use crate::collective;
use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::events;
use crate::evidence::{self, Subject};
use crate::model::*;
use crate::monitors;
use crate::notices;
use crate::outbox;
use crate::records::{self, Lock};
use crate::timers::{self};
use crate::transitions;
use weiquan_domain::access::{self, SYSTEM_ACTOR};
use weiquan_domain::chain::canonical_json;
use weiquan_domain::delivery::WebhookEvent;
use weiquan_domain::machine::OrderFacts;

/// A complaint the actor may see (locked for change when asked), else not found.
pub(crate) async fn visible<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: ComplaintId,
    lock: Option<Lock>,
) -> Result<Complaint> {
    let c = records::complaint(o, id, lock)
        .await?
        .ok_or_else(|| StoreError::Domain(access::not_found_complaint()))?;
    access::check_view(actor, &c)?;
    Ok(c)
}

/// One consumer's filing as asked: filed alone ([`file_complaint`]) or beside others
/// ([`file_complaints`]).
#[derive(Debug, Clone)]
pub(crate) struct Filing {
    pub actor: Actor,
    pub new: NewComplaint,
    pub channel: Channel,
    pub now: Timestamp,
}

pub(crate) async fn file_complaint<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    new: NewComplaint,
    channel: Channel,
    now: Timestamp,
    policy: &Policy,
) -> Result<Complaint> {
    let filing = Filing {
        actor: actor.clone(),
        new,
        channel,
        now,
    };
    let mut answers = file_complaints(o, vec![filing], policy).await?;
    answers.pop().expect("one answer per filing")
}

/// Filings made together, in one transaction: their orders read in one statement and their
/// rows inserted in one; the rest of each is held writes. Each is answered on its own — a
/// refused filing (no such order, a complaint already in progress, a claim over the amount
/// paid) writes nothing and refuses no other. `Err` only for what fails the transaction.
pub(crate) async fn file_complaints<C: Conn>(
    o: &mut Tx<'_, C>,
    filings: Vec<Filing>,
    policy: &Policy,
) -> Result<Vec<Result<Complaint>>> {
    let order_nos: Vec<OrderNo> = filings.iter().map(|f| f.new.order_no.clone()).collect();
    let orders: std::collections::HashMap<String, (Order, UserId)> =
        records::orders_by_no(o, &order_nos)
            .await?
            .into_iter()
            .map(|(order, merchant)| (order.order_no.to_string(), (order, merchant)))
            .collect();
    let mut decided = Vec::with_capacity(filings.len());
    for f in filings {
        let order = orders.get(f.new.order_no.as_str());
        decided.push(decide(o, f, order, policy).await?);
    }
    let rows: Vec<_> = decided
        .iter()
        .filter_map(|d| d.as_ref().ok())
        .map(|d| {
            (
                &d.filing.complaint,
                d.actor.id,
                d.snapshot.as_str(),
                d.paid_at,
            )
        })
        .collect();
    let mut ids = records::insert_complaints(o, &rows).await?.into_iter();
    let mut answers = Vec::with_capacity(decided.len());
    for d in decided {
        answers.push(match d {
            Err(e) => Err(e),
            Ok(d) => match ids.next().flatten() {
                Some(id) => Ok(record(o, d, id, policy).await?),
                // The order is theirs (the filing checked): name the complaint to continue in.
                // Looked up only now, so that a filing pays nothing for the rare refusal.
                None => Err(duplicate(
                    records::open_complaint(o, &d.filing.complaint.order_no).await?,
                )),
            },
        });
    }
    Ok(answers)
}

/// A filing decided against its order, with the order frozen as evidence.
struct Decided {
    actor: Actor,
    filing: machine::Filing,
    order_no: OrderNo,
    snapshot: String,
    /// When the order was paid, kept on the complaint for the shop's scorecard.
    paid_at: Timestamp,
    now: Timestamp,
}

/// A filing checked against its order (`None`: no such order) and decided: `Ok(Err)` when it
/// is refused.
async fn decide<C: Conn>(
    o: &mut Tx<'_, C>,
    f: Filing,
    order: Option<&(Order, UserId)>,
    policy: &Policy,
) -> Result<Result<Decided>> {
    let Filing {
        actor,
        new,
        channel,
        now,
    } = f;
    let consumer = match &new.on_behalf_of {
        None => actor.id,
        Some(name) => match records::consumer_id(o, name.as_str()).await? {
            Some(id) => id,
            None => {
                return Ok(Err(DomainError::invalid(
                    "on_behalf_of",
                    "找不到这个买家账号",
                    "no consumer has this username",
                )
                .into()));
            }
        },
    };
    let Some((order, merchant_id)) = order else {
        return Ok(Err(StoreError::not_found(
            "在你的订单中找不到这个订单号",
            "no such order among your orders",
        )));
    };
    let Some(buyer_id) = order.buyer_id else {
        return Err(StoreError::Corrupt(format!(
            "order {} without its buyer",
            order.order_no
        )));
    };
    let facts = OrderFacts {
        buyer_id,
        shop_id: order.shop_id.clone(),
        merchant_id: *merchant_id,
        amount_cents: order.amount_cents,
        paid_at: order.paid_at,
    };
    let filing = match machine::file(&new, &facts, consumer, &actor, channel, now, policy) {
        Ok(filing) => filing,
        Err(e) => return Ok(Err(e.into())),
    };
    // The order as it stood when the complaint was filed, frozen as evidence.
    let mut snapshot = String::new();
    canonical_json(
        &serde_json::to_value(order).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        &mut snapshot,
    );
    Ok(Ok(Decided {
        actor,
        filing,
        order_no: order.order_no.clone(),
        snapshot,
        paid_at: order.paid_at,
        now,
    }))
}

/// What a filing writes besides its row (`id`): its chain's first event, its timers, the order
/// frozen as evidence, the `complaint.filed` webhook and its place in the collective queue —
/// all of them held writes.
async fn record<C: Conn>(
    o: &mut Tx<'_, C>,
    d: Decided,
    id: ComplaintId,
    policy: &Policy,
) -> Result<Complaint> {
    let Decided {
        actor,
        filing,
        order_no,
        snapshot,
        now,
        paid_at: _,
    } = d;
    let snapshot_sha = Sha256::of(snapshot.as_bytes());
    let mut data = filing.event_data.clone();
    data["order_snapshot_sha256"] = json!(snapshot_sha);
    // The filing knows its shop's merchant: telling them needs no lookup.
    notices::remember_complaint(o, id, &filing.complaint);
    events::start(
        o,
        &Stream::Complaint(id),
        &actor.event_name(),
        EventKind::Filed,
        &data,
        now,
    )
    .await?;
    for (kind, due) in &filing.set_timers {
        timers::insert(o, id, *kind, *due, policy, now).await?;
    }
    let ev = Evidence {
        sha256: snapshot_sha,
        size: snapshot.len() as i64,
        content_type: "application/json".into(),
        kind: EvidenceKind::TransactionRecord,
        filename: Some(format!("order-{order_no}.json")),
        uploaded_by: None,
        at: now,
    };
    evidence::insert(o, Subject::Complaint(id), &ev, Some(snapshot.as_bytes())).await?;
    let mut complaint = filing.complaint;
    complaint.id = id;
    // Joining a wave comes after the filing (`collective::enqueue`), a `complaint.state_changed`
    // of its own.
    let c = &complaint;
    let data = json!({
        "complaint_id": c.id, "order_no": c.order_no, "shop_id": c.shop_id, "product": c.product,
        "category": c.category, "claim": c.claim, "description": c.description,
        "state": c.state, "tier": c.tier, "major": c.major, "channel": c.channel,
        "deadline_at": c.deadline_at,
    });
    outbox::webhook(
        o,
        &Stream::Complaint(id),
        WebhookEvent::ComplaintFiled,
        data,
        now,
    )
    .await?;
    // Its wave is looked for once the filing commits: the drain links it (and makes it major)
    // when it joins a collective case.
    collective::enqueue(o, &complaint).await?;
    Ok(complaint)
}

/// The order already has a complaint in progress (named with its address when known).
fn duplicate(open: Option<ComplaintId>) -> StoreError {
    match open {
        Some(id) => StoreError::conflict(
            "duplicate_complaint",
            format!("这个订单已有一条进行中的投诉 #{id}（/complaints/{id}），请在原投诉中继续处理"),
            format!(
                "this order already has a complaint in progress, #{id} (/complaints/{id}); continue in that one"
            ),
        ),
        None => StoreError::conflict(
            "duplicate_complaint",
            "这个订单已有一条进行中的投诉，请在原投诉中继续处理",
            "this order already has a complaint in progress; continue in that one",
        ),
    }
}

pub(crate) async fn act<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: ComplaintId,
    action: Action,
    version: Option<i64>,
    now: Timestamp,
    policy: &Policy,
) -> Result<Complaint> {
    let c = visible(o, actor, id, Some(Lock::Wait)).await?;
    // Every change to the complaint appends to its chain under this lock, so the head read now
    // is the one the action would follow.
    if let Some(v) = version {
        // Learnt under the row's lock, the head also serves the action's own append.
        let stream = Stream::Complaint(id);
        events::learn_heads(o, std::slice::from_ref(&stream)).await?;
        let head = o.known_head(&stream.to_string()).map_or(0, |h| h.0);
        if head != v {
            return Err(StoreError::conflict(
                "stale_version",
                format!(
                    "这条投诉在您打开页面后有了新进展（版本 {v} → {head}），操作没有执行；请看过新进展后再决定"
                ),
                format!(
                    "the complaint changed after you loaded it (version {v} → {head}); nothing was done: look at what changed, then decide again"
                ),
            ));
        }
    }
    act_on(o, actor, c, action, now, policy).await
}

/// An action on a complaint already read (and locked) for the actor: decided, persisted, and
/// watched by the commitment monitors. The payment system's confirmations take this path too.
pub(crate) async fn act_on<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    c: Complaint,
    action: Action,
    now: Timestamp,
    policy: &Policy,
) -> Result<Complaint> {
    let t = machine::decide(&c, Trigger::Act(actor, &action), now, policy)?;
    let who = actor.event_name();
    let after = transitions::apply(o, &c, t, &who, Some(actor.id), now, policy).await?;
    monitors::after_action(o, &after, &action, &who, now, policy).await?;
    Ok(after)
}

/// Fires a pending timer; `false` if it was no longer pending or another writer holds its
/// complaint (then it is tried again next round).
pub(crate) async fn fire_timer<C: Conn>(
    o: &mut Tx<'_, C>,
    timer: &DueTimer,
    now: Timestamp,
    policy: &Policy,
) -> Result<bool> {
    // The complaint first, then the timer: the same order as actions, so the two never deadlock.
    let Some(c) = records::complaint(o, timer.complaint_id, Some(Lock::SkipLocked)).await? else {
        return Ok(false);
    };
    if !timers::claim(o, timer.id, now).await? {
        return Ok(false);
    }
    match machine::decide(&c, Trigger::Timer(timer.kind), now, policy) {
        Ok(mut t) => {
            t.event_data["timer_id"] = json!(timer.id);
            t.event_data["due_at"] = json!(timer.due_at);
            transitions::apply_blind(o, &c, t, SYSTEM_ACTOR, None, now, policy).await?;
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

pub(crate) async fn add_message<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: ComplaintId,
    body: String,
    now: Timestamp,
) -> Result<Message> {
    let c = visible(o, actor, id, Some(Lock::Wait)).await?;
    access::check_contribute(actor, &c)?;
    let mid = records::insert_message(o, id, actor, &body, now).await?;
    notices::remember_complaint(o, id, &c);
    let data = json!({"message_id": mid, "author_role": actor.role, "body": body});
    events::append(
        o,
        &Stream::Complaint(id),
        &actor.event_name(),
        EventKind::MessagePosted,
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

pub(crate) async fn add_evidence<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: ComplaintId,
    ev: crate::NewEvidence,
    quota: &weiquan_domain::policy::Uploads,
    now: Timestamp,
) -> Result<Evidence> {
    let c = visible(o, actor, id, Some(Lock::Wait)).await?;
    access::check_contribute(actor, &c)?;
    evidence::add(o, actor, Subject::Complaint(id), ev, quota, now).await
}
