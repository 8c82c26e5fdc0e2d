//! The dispatcher: a loop beside the deadline loop that delivers the outbox at least once.
//!
//! Each round claims a batch of due messages (on PostgreSQL with `FOR UPDATE SKIP LOCKED` and a
//! lease, so any number of nodes share the work and a node killed mid-delivery leaves its
//! claims to expire and be taken by another), delivers them concurrently — webhooks over one
//! pooled HTTP client with a per-request time-out, e-mail through the `[smtp]` server — and
//! records the results in one write. It runs on its own task: no user's request ever waits
//! for it.

pub mod keys;
pub mod mail;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::join_all;
use rand::Rng;
use tokio::sync::Semaphore;
use weiquan_domain::delivery::{self, OutboxChannel};
use weiquan_store::StoreError;
use weiquan_store::outbox::{Claimed, Delivery};

use crate::AppState;
pub use keys::Keyring;
pub use mail::Mailer;

/// What the dispatcher needs besides the store: the key secrets are sealed with, the HTTP
/// client (its connections reused), and the mailer when `[smtp]` is configured.
#[derive(Debug, Clone)]
pub struct Dispatcher {
    pub keys: Keyring,
    http: reqwest::Client,
    mailer: Option<Mailer>,
}

impl Dispatcher {
    pub fn new(keys: Keyring, policy: &weiquan_domain::Policy) -> Self {
        let http = reqwest::Client::builder()
            .timeout(policy.webhooks.timeout)
            .connect_timeout(policy.webhooks.timeout)
            .pool_max_idle_per_host(64)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("weiquan-webhooks/1")
            .build()
            .expect("an HTTP client with rustls");
        let mailer = policy.smtp.as_ref().and_then(|smtp| {
            Mailer::new(smtp, policy.webhooks.timeout)
                .inspect_err(
                    |e| tracing::error!(error = %e, "[smtp] unusable; e-mail stays queued"),
                )
                .ok()
        });
        Dispatcher { keys, http, mailer }
    }
}

/// Rounds in flight at once: a round held up by a slow receiver (up to the time-out) does not
/// stop the next rounds from claiming and delivering.
const ROUNDS_IN_FLIGHT: usize = 4;

/// Claims when this node queues a message and every `interval` (at once again while batches
/// come back full); each batch is delivered and recorded on its own task.
pub async fn run(state: AppState, interval: Duration) {
    let rounds = Arc::new(Semaphore::new(ROUNDS_IN_FLIGHT));
    let queued = state.store.queued_wake();
    loop {
        let permit = rounds.clone().acquire_owned().await.expect("never closed");
        match claim(&state).await {
            Ok(batch) => {
                let full = batch.len() as u32 >= state.store.policy().webhooks.batch;
                if !batch.is_empty() {
                    let state = state.clone();
                    tokio::spawn(async move {
                        if let Err(e) = deliver_and_record(&state, batch).await {
                            tracing::error!(error = %e, "recording deliveries failed; they are sent again when their lease ends");
                        }
                        drop(permit);
                    });
                }
                if full {
                    continue;
                }
            }
            Err(e) => tracing::error!(error = %e, "claiming outbox messages failed"),
        }
        // The next round: when this node commits a message, or after the interval (other
        // nodes' messages, retries falling due).
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            () = queued.notified() => {}
        }
    }
}

/// One round: claims the due messages, delivers them concurrently, records the results.
/// Returns how many were claimed.
pub async fn dispatch(state: &AppState) -> Result<usize, StoreError> {
    let batch = claim(state).await?;
    let n = batch.len();
    deliver_and_record(state, batch).await?;
    Ok(n)
}

/// Claims a batch of due messages under a lease.
async fn claim(state: &AppState) -> Result<Vec<Claimed>, StoreError> {
    let w = &state.store.policy().webhooks;
    let now = state.clock.now();
    let lease_until = now + chrono::Duration::from_std(w.lease).unwrap_or(chrono::Duration::MAX);
    state
        .store
        .claim_outbox(now, lease_until, state.dispatcher.mailer.is_some(), w.batch)
        .await
}

/// Delivers a claimed batch concurrently and records the results in one write.
async fn deliver_and_record(state: &AppState, batch: Vec<Claimed>) -> Result<(), StoreError> {
    if batch.is_empty() {
        return Ok(());
    }
    let results = join_all(batch.into_iter().map(|c| deliver(state, c))).await;
    for r in &results {
        if r.ok {
            state.metrics.outbox_delivered.inc();
        } else {
            state.metrics.outbox_failed.inc();
        }
    }
    state
        .store
        .record_deliveries(results, state.clock.now())
        .await
}

async fn deliver(state: &AppState, c: Claimed) -> Delivery {
    let m = &c.message;
    let started = Instant::now();
    let (ok, status, response, gone, permanent) = match m.channel {
        OutboxChannel::Webhook => post(state, &c).await,
        OutboxChannel::Email => match &state.dispatcher.mailer {
            Some(mailer) => {
                let s = mailer.send(&m.msg_id, &m.destination, &m.payload).await;
                (s.ok, s.code, s.response, false, s.permanent)
            }
            None => (false, None, "no [smtp] configured".into(), false, false),
        },
    };
    let attempt = m.attempts + 1;
    let now = state.clock.now();
    let jitter: f64 = rand::rng().random();
    let next_attempt_at = if ok || permanent {
        None
    } else {
        delivery::next_attempt(
            &state.store.policy().webhooks,
            m.retry_from,
            now,
            attempt,
            jitter,
        )
    };
    if !ok {
        tracing::warn!(msg = %m.msg_id, to = %m.destination, attempt, status, retry = ?next_attempt_at, "delivery failed");
    }
    Delivery {
        id: m.id,
        endpoint_id: m.endpoint_id,
        attempt,
        ok,
        status,
        response,
        duration_ms: started.elapsed().as_millis() as i64,
        next_attempt_at,
        gone,
    }
}

/// The POST of one webhook, signed with each of the endpoint's secrets in force:
/// (ok, status, response snippet, gone, permanent).
async fn post(state: &AppState, c: &Claimed) -> (bool, Option<i64>, String, bool, bool) {
    let m = &c.message;
    let ts = state.clock.now().timestamp();
    let signatures: Vec<String> = c
        .secrets
        .iter()
        .filter_map(|s| state.dispatcher.keys.open(s))
        .filter_map(|s| keys::sign(&s, &m.msg_id, ts, &m.payload))
        .collect();
    if signatures.is_empty() {
        return (
            false,
            None,
            "the endpoint's secret cannot be opened with this server's key".into(),
            false,
            false,
        );
    }
    let sent = state
        .dispatcher
        .http
        .post(&m.destination)
        .header("content-type", "application/json")
        .header("webhook-id", &m.msg_id)
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", signatures.join(" "))
        .body(m.payload.clone())
        .send()
        .await;
    match sent {
        Ok(mut r) => {
            let status = r.status();
            // A snippet is all the log keeps: read no more than that of a large answer.
            let mut body = Vec::new();
            while body.len() < 1024 {
                match r.chunk().await {
                    Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                    _ => break,
                }
            }
            body.truncate(1024);
            let text = String::from_utf8_lossy(&body).into_owned();
            let gone = status == reqwest::StatusCode::GONE;
            (
                status.is_success(),
                Some(i64::from(status.as_u16())),
                text,
                gone,
                false,
            )
        }
        Err(e) => {
            let what = if e.is_timeout() {
                "timed out".to_owned()
            } else if e.is_connect() {
                "could not connect".to_owned()
            } else {
                "request failed".to_owned()
            };
            let mut detail = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                detail = format!("{detail}: {s}");
                src = s.source();
            }
            (false, None, format!("{what} ({detail})"), false, false)
        }
    }
}
