//! Webhook endpoints as admins keep them: registered, changed, their secrets rotated; each
//! endpoint's delivery log, the dead letters and their replay. Secrets arrive sealed (the
//! server holds the key), so nothing here ever sees one in the clear.

use serde::Serialize;
use weiquan_domain::access;
use weiquan_domain::delivery::WebhookEvent;
use weiquan_domain::*;

use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::outbox::{MESSAGE_COLUMNS, OutboxMessage, message};
use crate::sql::{Val, vals};
use crate::time::{from_ms, to_ms};

/// An endpoint the marketplace receives webhooks at (its secret is never read back).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WebhookEndpoint {
    pub id: i64,
    pub url: String,
    pub description: String,
    /// The event types it receives, e.g. `complaint.filed`.
    pub event_types: Vec<String>,
    pub enabled: bool,
    /// Until when deliveries are signed with the secret before the last rotation too.
    pub previous_secret_until: Option<chrono::DateTime<chrono::Utc>>,
    /// Set when weiquan disabled it: `gone` (the receiver answered 410).
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Messages waiting for it, and given up on.
    pub pending: i64,
    pub dead: i64,
}

/// An endpoint to register or change; the secret sealed by the server.
#[derive(Debug, Clone)]
pub struct EndpointInput {
    pub url: String,
    pub description: String,
    pub event_types: Vec<WebhookEvent>,
    pub enabled: bool,
}

/// One attempt at a delivery, for the endpoint's log.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DeliveryAttempt {
    pub id: i64,
    pub outbox_id: i64,
    pub msg_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub attempt: u32,
    pub at: chrono::DateTime<chrono::Utc>,
    /// The receiver's HTTP status; none when it did not answer (refused, timed out).
    pub status: Option<i64>,
    pub ok: bool,
    pub response: String,
    pub duration_ms: i64,
}

const ENDPOINT_COLUMNS: &str = "e.id, e.url, e.description, e.event_types, e.enabled, e.old_secret_until, e.disabled_reason, e.disabled_at, e.created_at, e.updated_at, \
     (SELECT COUNT(*) FROM outbox o WHERE o.endpoint_id = e.id AND o.status = 'pending'), \
     (SELECT COUNT(*) FROM outbox o WHERE o.endpoint_id = e.id AND o.status = 'dead')";

fn endpoint(r: &[Val]) -> Result<WebhookEndpoint> {
    Ok(WebhookEndpoint {
        id: r[0].int()?,
        url: r[1].text()?,
        description: r[2].text()?,
        event_types: r[3].text()?.split_whitespace().map(str::to_owned).collect(),
        enabled: r[4].bool()?,
        previous_secret_until: r[5].opt_int()?.map(from_ms).transpose()?,
        disabled_reason: r[6].opt_text()?,
        disabled_at: r[7].opt_int()?.map(from_ms).transpose()?,
        created_at: from_ms(r[8].int()?)?,
        updated_at: from_ms(r[9].int()?)?,
        pending: r[10].int()?,
        dead: r[11].int()?,
    })
}

/// ` a b ` (spaces around each) so one `LIKE '% a %'` finds the subscribers of a type.
fn types_column(types: &[WebhookEvent]) -> String {
    let mut s = String::from(" ");
    for t in types {
        s.push_str(t.as_str());
        s.push(' ');
    }
    s
}

fn not_found() -> StoreError {
    StoreError::not_found("找不到这个Webhook端点", "no such webhook endpoint")
}

pub(crate) async fn endpoints<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
) -> Result<Vec<WebhookEndpoint>> {
    access::check_admin(actor)?;
    let rows = o
        .query(
            &format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints e ORDER BY e.id"),
            vals![],
        )
        .await?;
    rows.iter().map(|r| endpoint(r)).collect()
}

pub(crate) async fn endpoint_by_id<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: i64,
) -> Result<WebhookEndpoint> {
    access::check_admin(actor)?;
    let row = o
        .query_opt(
            &format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints e WHERE e.id = $1"),
            vals![id],
        )
        .await?
        .ok_or_else(not_found)?;
    endpoint(&row)
}

pub(crate) async fn create_endpoint<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    input: EndpointInput,
    sealed_secret: Vec<u8>,
    now: Timestamp,
) -> Result<WebhookEndpoint> {
    access::check_admin(actor)?;
    let id = o
        .query_one(
            "INSERT INTO webhook_endpoints (url, description, event_types, enabled, secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            vals![
                input.url.as_str(),
                input.description.as_str(),
                types_column(&input.event_types),
                i64::from(input.enabled),
                Some(sealed_secret.as_slice()),
                to_ms(now),
            ],
        )
        .await?[0]
        .int()?;
    o.mark_hooks_changed();
    endpoint_by_id(o, actor, id).await
}

/// Changes an endpoint; enabling one clears the notice of why it was disabled.
pub(crate) async fn update_endpoint<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: i64,
    input: EndpointInput,
    now: Timestamp,
) -> Result<WebhookEndpoint> {
    access::check_admin(actor)?;
    let n = o
        .exec(
            "UPDATE webhook_endpoints SET url = $2, description = $3, event_types = $4, enabled = $5, updated_at = $6, \
             disabled_reason = CASE WHEN $5 = 1 THEN NULL ELSE disabled_reason END, \
             disabled_at = CASE WHEN $5 = 1 THEN NULL ELSE disabled_at END WHERE id = $1",
            vals![
                id,
                input.url.as_str(),
                input.description.as_str(),
                types_column(&input.event_types),
                i64::from(input.enabled),
                to_ms(now),
            ],
        )
        .await?;
    if n == 0 {
        return Err(not_found());
    }
    o.mark_hooks_changed();
    endpoint_by_id(o, actor, id).await
}

/// A new secret; the one it replaces still signs (beside the new one) until `grace_until`.
pub(crate) async fn rotate_secret<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: i64,
    sealed_secret: Vec<u8>,
    grace_until: Timestamp,
    now: Timestamp,
) -> Result<WebhookEndpoint> {
    access::check_admin(actor)?;
    let n = o
        .exec(
            "UPDATE webhook_endpoints SET old_secret = secret, old_secret_until = $3, secret = $2, updated_at = $4 WHERE id = $1",
            vals![id, Some(sealed_secret.as_slice()), to_ms(grace_until), to_ms(now)],
        )
        .await?;
    if n == 0 {
        return Err(not_found());
    }
    endpoint_by_id(o, actor, id).await
}

/// The endpoint's most recent attempts, newest first.
pub(crate) async fn attempts<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: i64,
    limit: u32,
) -> Result<Vec<DeliveryAttempt>> {
    endpoint_by_id(o, actor, id).await?;
    let rows = o
        .query(
            "SELECT a.id, a.outbox_id, o.msg_id, o.type, a.attempt, a.at, a.status, a.ok, a.response, a.duration_ms \
             FROM webhook_attempts a JOIN outbox o ON o.id = a.outbox_id WHERE a.endpoint_id = $1 ORDER BY a.id DESC LIMIT $2",
            vals![id, limit],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(DeliveryAttempt {
                id: r[0].int()?,
                outbox_id: r[1].int()?,
                msg_id: r[2].text()?,
                kind: r[3].text()?,
                attempt: r[4].int()? as u32,
                at: from_ms(r[5].int()?)?,
                status: r[6].opt_int()?,
                ok: r[7].bool()?,
                response: r[8].text()?,
                duration_ms: r[9].int()?,
            })
        })
        .collect()
}

/// Messages given up on, newest first: every channel's, or one endpoint's.
pub(crate) async fn dead_letters<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    endpoint: Option<i64>,
    limit: u32,
) -> Result<Vec<OutboxMessage>> {
    access::check_admin(actor)?;
    let rows = o
        .query(
            &format!(
                "SELECT {MESSAGE_COLUMNS} FROM outbox o WHERE o.status = 'dead' AND (CAST($1 AS BIGINT) IS NULL OR o.endpoint_id = $1) ORDER BY o.id DESC LIMIT $2"
            ),
            vals![endpoint, limit],
        )
        .await?;
    rows.iter().map(|r| message(r)).collect()
}

pub(crate) async fn outbox_message<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: i64,
) -> Result<OutboxMessage> {
    access::check_admin(actor)?;
    let row = o
        .query_opt(
            &format!("SELECT {MESSAGE_COLUMNS} FROM outbox o WHERE o.id = $1"),
            vals![id],
        )
        .await?
        .ok_or_else(|| StoreError::not_found("找不到这条消息", "no such message"))?;
    message(&row)
}

/// Sends a dead message again, from now: its retries start over (same message id).
pub(crate) async fn replay<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: i64,
    now: Timestamp,
) -> Result<OutboxMessage> {
    let m = outbox_message(o, actor, id).await?;
    let n = o
        .exec(
            "UPDATE outbox SET status = 'pending', next_attempt_at = $2, retry_from = $2, lease_until = NULL WHERE id = $1 AND status = 'dead'",
            vals![id, to_ms(now)],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::conflict(
            "not_dead",
            format!("这条消息{}，无需重发", m.status.label(Lang::Zh)),
            format!(
                "this message is {}; there is nothing to replay",
                m.status.label(Lang::En)
            ),
        ));
    }
    outbox_message(o, actor, id).await
}
