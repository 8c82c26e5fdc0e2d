//! Prometheus counters and a latency histogram, exposed at `/metrics`.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

#[derive(Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
pub struct Metrics {
    pub complaints_filed: Counter,
    pub actions: Counter,
    pub timers_fired: Counter,
    /// Outbox deliveries that succeeded, and attempts that failed.
    pub outbox_delivered: Counter,
    pub outbox_failed: Counter,
    /// Complaints the collective drain has taken off its queue (assigned to their waves).
    pub collective_assigned: Counter,
    /// Requests by status class: 2xx, 3xx, 4xx, 5xx.
    by_class: [Counter; 4],
    buckets: [Counter; BUCKETS.len()],
    sum_micros: Counter,
    count: Counter,
}

impl Metrics {
    fn observe(&self, status: u16, secs: f64) {
        if (200..600).contains(&status) {
            self.by_class[(status / 100 - 2) as usize].inc();
        }
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                self.buckets[i].inc();
            }
        }
        self.sum_micros.add((secs * 1e6) as u64);
        self.count.inc();
    }

    pub fn render(&self, store: weiquan_store::WriteStats) -> String {
        let mut s = String::new();
        let mut counter = |name: &str, help: &str, v: u64| {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        };
        counter(
            "weiquan_complaints_filed_total",
            "Complaints filed.",
            self.complaints_filed.get(),
        );
        counter(
            "weiquan_actions_total",
            "Complaint actions taken.",
            self.actions.get(),
        );
        counter(
            "weiquan_timers_fired_total",
            "Deadlines fired.",
            self.timers_fired.get(),
        );
        counter(
            "weiquan_outbox_delivered_total",
            "Outbox messages delivered (webhooks, e-mail).",
            self.outbox_delivered.get(),
        );
        counter(
            "weiquan_outbox_failed_total",
            "Outbox delivery attempts that failed (retried later or dead).",
            self.outbox_failed.get(),
        );
        counter(
            "weiquan_collective_assigned_total",
            "Filed complaints assigned to their collective waves by the drain.",
            self.collective_assigned.get(),
        );
        counter(
            "weiquan_store_commits_total",
            "Durable commits (each one fsync).",
            store.commits,
        );
        counter(
            "weiquan_store_writes_total",
            "Write requests carried by those commits.",
            store.writes,
        );
        let _ = writeln!(
            s,
            "# HELP weiquan_http_requests_total HTTP requests by status class.\n# TYPE weiquan_http_requests_total counter"
        );
        for (i, c) in self.by_class.iter().enumerate() {
            let _ = writeln!(
                s,
                "weiquan_http_requests_total{{class=\"{}xx\"}} {}",
                i + 2,
                c.get()
            );
        }
        let _ = writeln!(
            s,
            "# HELP weiquan_http_request_duration_seconds Request latency.\n# TYPE weiquan_http_request_duration_seconds histogram"
        );
        for (b, c) in BUCKETS.iter().zip(&self.buckets) {
            let _ = writeln!(
                s,
                "weiquan_http_request_duration_seconds_bucket{{le=\"{b}\"}} {}",
                c.get()
            );
        }
        let _ = writeln!(
            s,
            "weiquan_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}",
            self.count.get()
        );
        let _ = writeln!(
            s,
            "weiquan_http_request_duration_seconds_sum {}",
            self.sum_micros.get() as f64 / 1e6
        );
        let _ = writeln!(
            s,
            "weiquan_http_request_duration_seconds_count {}",
            self.count.get()
        );
        s
    }
}

pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let res = next.run(req).await;
    state
        .metrics
        .observe(res.status().as_u16(), start.elapsed().as_secs_f64());
    res
}

/// The Prometheus text; with a metrics token set, only for `Authorization: Bearer TOKEN`.
pub async fn metrics(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> crate::error::ApiResult<([(axum::http::HeaderName, &'static str); 1], String)> {
    if let Some(want) = &state.metrics_token {
        let given = crate::extract::bearer_token(&headers).unwrap_or_default();
        // Compared as digests, in constant time.
        let digest = |t: &str| <sha2::Sha256 as sha2::Digest>::digest(t.as_bytes());
        let (a, b) = (digest(given), digest(want));
        if a.iter()
            .zip(b.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            != 0
        {
            return Err(crate::error::ApiError::unauthenticated());
        }
    }
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        state.metrics.render(state.store.write_stats()),
    ))
}
