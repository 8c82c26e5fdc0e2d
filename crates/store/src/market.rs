//! The marketplace's writes through its service accounts — orders pushed as they are paid,
//! shipped and delivered; remedies the payment system paid or failed to pay — each under an
//! `Idempotency-Key`: the key, the request's hash and the answer are kept in the write's own
//! transaction, so a replay answers what the first request did and never writes twice.

use chrono::Duration;
use serde_json::{Value, json};
use weiquan_domain::records::OrderRecord;
use weiquan_domain::*;
use weiquan_domain::{access, machine};

use crate::complaints;
use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::imports::{self, Landed};
use crate::records::{self, Lock};
use crate::sql::vals;
use crate::time::to_ms;
use crate::transitions;

/// How long an idempotency key and its answer are kept (Stripe keeps 24 hours too).
pub const IDEMPOTENCY_TTL_HOURS: i64 = 24;

/// A write of the marketplace's machines.
#[derive(Debug, Clone)]
pub enum MarketWrite {
    /// `PUT /marketplace/orders/{order_no}`: an order created or brought up to date.
    Order(OrderRecord),
    /// The complaint's remedy was paid: the complaint proceeds as if the merchant fulfilled.
    RemedyExecuted {
        complaint: ComplaintId,
        note: Option<String>,
    },
    /// Paying the complaint's remedy failed; it stays due.
    RemedyFailed {
        complaint: ComplaintId,
        reason: String,
    },
}

impl MarketWrite {
    /// The scope a service account needs for it.
    pub fn scope(&self) -> Scope {
        match self {
            MarketWrite::Order(_) => Scope::OrdersWrite,
            MarketWrite::RemedyExecuted { .. } | MarketWrite::RemedyFailed { .. } => {
                Scope::RemediesWrite
            }
        }
    }
}

/// The caller's `Idempotency-Key` and the hash of what it asked (method, path and body).
#[derive(Debug, Clone)]
pub struct Idempotency {
    pub key: String,
    pub request_hash: String,
}

/// What a marketplace write answers: the status and JSON body, stored with the key and given
/// again, as they were, to a replay (`replayed`).
#[derive(Debug, Clone, PartialEq)]
pub struct MarketAnswer {
    pub status: u16,
    pub body: Value,
    pub replayed: bool,
}

/// Runs a write under its idempotency key. The key's row is claimed first (on PostgreSQL a
/// concurrent request with the same key waits here for the first to commit, then replays it);
/// a request refused (bad input, not due) rolls back with its key, so only answers of writes
/// that happened are kept.
pub(crate) async fn write<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    w: MarketWrite,
    idem: &Idempotency,
    now: Timestamp,
    policy: &Policy,
) -> Result<MarketAnswer> {
    let account = actor.id.0;
    // This key, if it expired (the deadline loop sweeps the others): its answer is no longer
    // promised and the key is free again.
    o.exec(
        "DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND expires_at <= $3",
        vals![account, idem.key.as_str(), to_ms(now)],
    )
    .await?;
    let expires = now + Duration::hours(IDEMPOTENCY_TTL_HOURS);
    let claimed = o
        .exec(
            "INSERT INTO idempotency_keys (account_id, key, request_hash, status, body, created_at, expires_at) \
             VALUES ($1, $2, $3, 0, '', $4, $5) ON CONFLICT DO NOTHING",
            vals![account, idem.key.as_str(), idem.request_hash.as_str(), to_ms(now), to_ms(expires)],
        )
        .await?;
    if claimed == 0 {
        return replay(o, account, idem).await;
    }
    let (status, body) = match w {
        MarketWrite::Order(rec) => push_order(o, actor, rec, now).await?,
        MarketWrite::RemedyExecuted { complaint, note } => {
            let c = complaint_for_payment(o, complaint).await?;
            let c = complaints::act_on(o, actor, c, Action::Fulfil { note }, now, policy).await?;
            (200, complaint_body(&c)?)
        }
        MarketWrite::RemedyFailed { complaint, reason } => {
            let c = complaint_for_payment(o, complaint).await?;
            let t = machine::remedy_failed(&c, actor, &reason, now)?;
            let c = transitions::apply(o, &c, t, &actor.event_name(), Some(actor.id), now, policy)
                .await?;
            (200, complaint_body(&c)?)
        }
    };
    o.exec(
        "UPDATE idempotency_keys SET status = $1, body = $2 WHERE account_id = $3 AND key = $4",
        vals![status as i64, body.to_string(), account, idem.key.as_str()],
    )
    .await?;
    Ok(MarketAnswer {
        status,
        body,
        replayed: false,
    })
}

/// Deletes the keys that expired by `now` (the deadline loop's sweep); how many.
pub(crate) async fn expire<C: Conn>(o: &mut Tx<'_, C>, now: Timestamp) -> Result<u64> {
    o.exec(
        "DELETE FROM idempotency_keys WHERE expires_at <= $1",
        vals![to_ms(now)],
    )
    .await
}

/// The first answer under this key, if the request is the same; a different request under a
/// used key is refused.
async fn replay<C: Conn>(
    o: &mut Tx<'_, C>,
    account: i64,
    idem: &Idempotency,
) -> Result<MarketAnswer> {
    let r = o
        .query_one(
            "SELECT request_hash, status, body FROM idempotency_keys WHERE account_id = $1 AND key = $2",
            vals![account, idem.key.as_str()],
        )
        .await?;
    if r[0].text()? != idem.request_hash {
        return Err(DomainError::invalid(
            "Idempotency-Key",
            "这个幂等键已用于另一个请求；新的请求请使用新的幂等键",
            "this Idempotency-Key was used for a different request; use a new key for a new request",
        )
        .into());
    }
    let body = serde_json::from_str(&r[2].text()?)
        .map_err(|e| StoreError::Corrupt(format!("idempotent answer: {e}")))?;
    Ok(MarketAnswer {
        status: r[1].int()? as u16,
        body,
        replayed: true,
    })
}

async fn push_order<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    rec: OrderRecord,
    now: Timestamp,
) -> Result<(u16, Value)> {
    let no = rec.order_no.clone();
    let landed = imports::import_order(o, rec, &actor.event_name(), now).await?;
    let (order, _) = records::order(o, &no)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("order {no} vanished")))?;
    let status = if landed == Landed::Created { 201 } else { 200 };
    let body = json!({
        "order": order,
        "result": match landed {
            Landed::Created => "created",
            Landed::Updated => "updated",
            Landed::Unchanged => "unchanged",
        },
    });
    Ok((status, body))
}

/// The complaint whose remedy the payment system reports on, locked for the change. The
/// service account's scope was checked by the caller; the remedy being due is the machine's.
async fn complaint_for_payment<C: Conn>(o: &mut Tx<'_, C>, id: ComplaintId) -> Result<Complaint> {
    records::complaint(o, id, Some(Lock::Wait))
        .await?
        .ok_or_else(|| StoreError::Domain(access::not_found_complaint()))
}

fn complaint_body(c: &Complaint) -> Result<Value> {
    serde_json::to_value(c).map_err(|e| StoreError::Corrupt(e.to_string()))
}
