//! The outbox: the messages a change causes, written in the change's own transaction, and the
//! dispatcher's two statements over them (claim a batch, record its results).
//!
//! A webhook is fanned out to every enabled endpoint subscribed to its type in one
//! `INSERT … SELECT`, so an event costs one statement whatever the number of endpoints. A
//! message's id (`msg_…`) is derived from the event that caused it (stream, seq, type): the same
//! event never makes two different messages, and a receiver drops repeats by it.

use serde::Serialize;
use serde_json::{Value, json};
use sha2::Digest;
use weiquan_domain::delivery::{OutboxChannel, OutboxStatus, WebhookEvent};
use weiquan_domain::*;

use crate::db::{Conn, Row, Tx};
use crate::error::Result;
use crate::rows::bad;
use crate::sql::{Val, vals};
use crate::time::{from_ms, to_ms};

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OutboxMessage {
    /// The row; what an admin replays.
    pub id: i64,
    /// The message's stable id (the `webhook-id` header): the same for every endpoint and attempt.
    pub msg_id: String,
    #[schema(value_type = String)]
    pub channel: OutboxChannel,
    /// The endpoint's URL or the e-mail address.
    pub destination: String,
    pub endpoint_id: Option<i64>,
    #[serde(rename = "type")]
    pub kind: String,
    /// The exact body sent (and signed).
    pub payload: String,
    #[schema(value_type = String)]
    pub status: OutboxStatus,
    pub attempts: u32,
    pub next_attempt_at: chrono::DateTime<chrono::Utc>,
    pub retry_from: chrono::DateTime<chrono::Utc>,
    /// The receiver's last HTTP status (or SMTP reply code).
    pub last_status: Option<i64>,
    /// A short snippet of the last answer or error.
    pub last_response: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub delivered_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub(crate) const MESSAGE_COLUMNS: &str = "o.id, o.msg_id, o.channel, o.destination, o.endpoint_id, o.type, o.payload, o.status, o.attempts, o.next_attempt_at, o.retry_from, o.last_status, o.last_response, o.created_at, o.delivered_at";

pub(crate) fn message(r: &[Val]) -> Result<OutboxMessage> {
    Ok(OutboxMessage {
        id: r[0].int()?,
        msg_id: r[1].text()?,
        channel: OutboxChannel::parse(&r[2].text()?).map_err(bad("outbox channel"))?,
        destination: r[3].text()?,
        endpoint_id: r[4].opt_int()?,
        kind: r[5].text()?,
        payload: r[6].text()?,
        status: OutboxStatus::parse(&r[7].text()?).map_err(bad("outbox status"))?,
        attempts: r[8].int()? as u32,
        next_attempt_at: from_ms(r[9].int()?)?,
        retry_from: from_ms(r[10].int()?)?,
        last_status: r[11].opt_int()?,
        last_response: r[12].opt_text()?,
        created_at: from_ms(r[13].int()?)?,
        delivered_at: r[14].opt_int()?.map(from_ms).transpose()?,
    })
}

/// A message claimed for delivery, with its endpoint's sealed secrets (the newest first; the
/// one before a rotation while its grace lasts).
#[derive(Debug, Clone)]
pub struct Claimed {
    pub message: OutboxMessage,
    pub secrets: Vec<Vec<u8>>,
}

/// What one delivery attempt came to.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The outbox row.
    pub id: i64,
    pub endpoint_id: Option<i64>,
    /// This attempt's number (1 for the first).
    pub attempt: u32,
    pub ok: bool,
    pub status: Option<i64>,
    pub response: String,
    pub duration_ms: i64,
    /// When to try again after a failure; `None` after a failure makes the message dead.
    pub next_attempt_at: Option<Timestamp>,
    /// The receiver answered 410 Gone: its endpoint is disabled.
    pub gone: bool,
}

fn msg_id(key: &str) -> String {
    let digest = sha2::Sha256::digest(key.as_bytes());
    format!("msg_{}", &hex::encode(digest)[..32])
}

/// Writes a webhook to every enabled endpoint subscribed to its type, in the caller's
/// transaction. `stream` is the stream whose event (appended just before, in this
/// transaction) caused it.
pub(crate) async fn webhook<C: Conn>(
    o: &mut Tx<'_, C>,
    stream: &Stream,
    event: WebhookEvent,
    data: Value,
    now: Timestamp,
) -> Result<()> {
    if !subscribed(o, event).await? {
        return Ok(());
    }
    let name = stream.to_string();
    let key = match o.known_head(&name) {
        Some((seq, _)) => format!("{name}/{seq}/{}", event.as_str()),
        // Not caused by an event of this transaction: what it says and when.
        None => format!("{name}/{}/{}/{data}", event.as_str(), to_ms(now)),
    };
    let body = json!({
        "type": event.as_str(),
        "timestamp": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": data,
    });
    o.defer(
        "INSERT INTO outbox (msg_id, channel, destination, endpoint_id, type, payload, status, attempts, next_attempt_at, retry_from, created_at) \
         SELECT $1, 'webhook', e.url, e.id, $2, $3, 'pending', 0, $4, $4, $4 FROM webhook_endpoints e \
         WHERE e.enabled = 1 AND e.event_types LIKE $5 ON CONFLICT DO NOTHING",
        vals![
            msg_id(&key),
            event.as_str(),
            body.to_string(),
            to_ms(now),
            format!("% {} %", event.as_str()),
        ],
    )
    .await?;
    // Perhaps no row after all (the endpoint was disabled meanwhile): the dispatcher then finds
    // nothing new.
    o.mark_queued();
    Ok(())
}

/// Whether an enabled endpoint subscribes to `event`: this node's reading if it is fresh, else
/// read now (and kept for the next [`crate::db::Subscriptions::FRESH`]).
async fn subscribed<C: Conn>(o: &mut Tx<'_, C>, event: WebhookEvent) -> Result<bool> {
    let Some(hooks) = o.hooks() else {
        return Ok(true);
    };
    let types = match hooks.fresh() {
        Ok(types) => types,
        Err(ticket) => {
            let mut types = vec![];
            for r in o
                .query(
                    "SELECT event_types FROM webhook_endpoints WHERE enabled = 1",
                    &[],
                )
                .await?
            {
                types.extend(r[0].as_str()?.split_whitespace().map(str::to_owned));
            }
            types.sort_unstable();
            types.dedup();
            let types = std::sync::Arc::new(types);
            hooks.store(ticket, types.clone());
            types
        }
    };
    Ok(types.iter().any(|t| t == event.as_str()))
}

/// E-mails a notification to its recipient if the account has an address, in the account's
/// language, in the caller's transaction: one statement, the address and language read by it.
/// `cause` names what it reports, so one cause is one e-mail.
pub(crate) async fn email_user<C: Conn>(
    o: &mut Tx<'_, C>,
    user: UserId,
    cause: &str,
    subject: &Text,
    body: &Text,
    now: Timestamp,
) -> Result<()> {
    let payload = |lang: &str, subject: &str, body: &str| {
        json!({"lang": lang, "subject": subject, "body": body}).to_string()
    };
    let n = o
        .exec(
            "INSERT INTO outbox (msg_id, channel, destination, endpoint_id, type, payload, status, attempts, next_attempt_at, retry_from, created_at) \
             SELECT $1, 'email', u.email, NULL, 'email', \
             CASE WHEN u.lang = 'en' THEN $3 ELSE $2 END, 'pending', 0, $4, $4, $4 \
             FROM users u WHERE u.id = $5 AND u.email IS NOT NULL ON CONFLICT DO NOTHING",
            vals![
                msg_id(&format!("email/{cause}")),
                payload("zh", &subject.zh, &body.zh),
                payload("en", &subject.en, &body.en),
                to_ms(now),
                user.0
            ],
        )
        .await?;
    if n > 0 {
        o.mark_queued();
    }
    Ok(())
}

/// Claims up to `limit` due messages until `lease_until`: rows another node holds are skipped
/// (PostgreSQL), and a claim whose node died is taken again once its lease has run out.
pub(crate) async fn claim<C: Conn>(
    o: &mut Tx<'_, C>,
    now: Timestamp,
    lease_until: Timestamp,
    email: bool,
    limit: u32,
) -> Result<Vec<Claimed>> {
    let rows = o
        .query(
            &format!(
                "SELECT {MESSAGE_COLUMNS}, e.secret, e.old_secret, e.old_secret_until FROM outbox o \
                 LEFT JOIN webhook_endpoints e ON e.id = o.endpoint_id \
                 WHERE o.status = 'pending' AND o.next_attempt_at <= $1 AND (o.lease_until IS NULL OR o.lease_until <= $1) \
                 AND ((o.channel = 'webhook' AND e.enabled = 1) OR (o.channel = 'email' AND $2 = 1)) \
                 ORDER BY o.next_attempt_at LIMIT $3 FOR UPDATE OF o SKIP LOCKED"
            ),
            vals![to_ms(now), i64::from(email), limit],
        )
        .await?;
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(claimed(r, now)?);
    }
    // The ids are the database's own integers; one statement leases the whole batch.
    let ids = out
        .iter()
        .map(|c| c.message.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    o.exec(
        &format!("UPDATE outbox SET lease_until = $1 WHERE id IN ({ids})"),
        vals![to_ms(lease_until)],
    )
    .await?;
    Ok(out)
}

fn claimed(r: &Row, now: Timestamp) -> Result<Claimed> {
    let message = message(r)?;
    let mut secrets = vec![];
    if let Some(s) = r[15].opt_bytes()? {
        secrets.push(s);
    }
    if let (Some(old), Some(until)) = (r[16].opt_bytes()?, r[17].opt_int()?)
        && until > to_ms(now)
    {
        secrets.push(old);
    }
    Ok(Claimed { message, secrets })
}

/// Records a batch's results in one transaction: each message's new status, the endpoints'
/// delivery logs, and the endpoints that answered 410 disabled with a notice.
pub(crate) async fn record<C: Conn>(
    o: &mut Tx<'_, C>,
    results: &[Delivery],
    now: Timestamp,
) -> Result<()> {
    for d in results {
        let status = match (d.ok, d.next_attempt_at) {
            (true, _) => OutboxStatus::Delivered,
            (false, Some(_)) => OutboxStatus::Pending,
            (false, None) => OutboxStatus::Dead,
        };
        let snippet = snippet(&d.response);
        o.exec(
            "UPDATE outbox SET status = $2, attempts = $3, next_attempt_at = COALESCE($4, next_attempt_at), last_status = $5, \
             last_response = $6, delivered_at = $7, lease_until = NULL WHERE id = $1 AND status = 'pending'",
            vals![
                d.id,
                status.as_str(),
                d.attempt,
                d.next_attempt_at.map(to_ms),
                d.status,
                snippet.as_str(),
                d.ok.then(|| to_ms(now)),
            ],
        )
        .await?;
        let Some(endpoint) = d.endpoint_id else {
            continue;
        };
        o.defer(
            "INSERT INTO webhook_attempts (endpoint_id, outbox_id, attempt, at, status, ok, response, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            vals![endpoint, d.id, d.attempt, to_ms(now), d.status, i64::from(d.ok), snippet.as_str(), d.duration_ms],
        )
        .await?;
        if d.gone {
            o.exec(
                "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = 'gone', disabled_at = $2, updated_at = $2 WHERE id = $1 AND enabled = 1",
                vals![endpoint, to_ms(now)],
            )
            .await?;
            o.mark_hooks_changed();
        }
    }
    Ok(())
}

/// At most 300 characters of an answer, on a character boundary.
fn snippet(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(300) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_owned(),
    }
}
