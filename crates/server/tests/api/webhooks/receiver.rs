//! A webhook receiver the tests start: a real HTTP server on 127.0.0.1:0 that checks every
//! delivery's signature itself (its own HMAC code, not the server's), answers as the test
//! plans, and can hold a delivery until the test lets it go.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::sync::{Notify, Semaphore};

/// One delivery as received.
#[derive(Debug, Clone)]
pub struct Got {
    pub id: String,
    pub timestamp: i64,
    /// How many signatures the header carried, and which of the known secrets they verify with.
    pub signatures: usize,
    pub verified_with: Vec<String>,
    pub body: Value,
    pub status: u16,
}

#[derive(Default)]
struct Inner {
    got: Mutex<Vec<Got>>,
    secrets: Mutex<Vec<String>>,
    plan: Mutex<VecDeque<u16>>,
    default_status: Mutex<Option<u16>>,
    hold: Mutex<Option<Arc<Semaphore>>>,
    /// Let go of another receiver's held deliveries when one arrives here.
    releases: Mutex<Option<Arc<Semaphore>>>,
    arrived: Notify,
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    inner: Arc<Inner>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let inner = Arc::new(Inner::default());
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, inner }
    }

    /// The secrets a signature may verify with (the endpoint's, as the admin was shown them).
    pub fn know_secret(&self, s: &str) {
        self.inner.secrets.lock().unwrap().push(s.to_owned());
    }

    /// The next answers, in order; then `default` (200 unless set).
    pub fn plan(&self, statuses: &[u16]) {
        self.inner.plan.lock().unwrap().extend(statuses);
    }

    pub fn answer_by_default(&self, status: u16) {
        *self.inner.default_status.lock().unwrap() = Some(status);
    }

    /// Holds every delivery until [`Receiver::release`].
    pub fn hold(&self) -> Arc<Semaphore> {
        let s = Arc::new(Semaphore::new(0));
        *self.inner.hold.lock().unwrap() = Some(s.clone());
        s
    }

    /// When a delivery arrives here, another receiver's held ones go on.
    pub fn on_arrival_release(&self, gate: Arc<Semaphore>) {
        *self.inner.releases.lock().unwrap() = Some(gate);
    }

    pub async fn arrived(&self) {
        self.inner.arrived.notified().await
    }

    pub fn got(&self) -> Vec<Got> {
        self.inner.got.lock().unwrap().clone()
    }

    /// Deliveries of one type.
    pub fn of_type(&self, t: &str) -> Vec<Got> {
        self.got()
            .into_iter()
            .filter(|g| g.body["type"] == t)
            .collect()
    }
}

/// `v1,<base64>` entries, space separated, each checked against every known secret.
fn verify(
    secrets: &[String],
    id: &str,
    ts: &str,
    body: &str,
    header: &str,
) -> (usize, Vec<String>) {
    let mut ok = vec![];
    let sigs: Vec<&str> = header.split(' ').filter(|s| !s.is_empty()).collect();
    for secret in secrets {
        let key = B64.decode(secret.trim_start_matches("whsec_")).unwrap();
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap();
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(ts.as_bytes());
        mac.update(b".");
        mac.update(body.as_bytes());
        let expected = B64.encode(mac.finalize().into_bytes());
        if sigs
            .iter()
            .any(|s| s.strip_prefix("v1,") == Some(expected.as_str()))
        {
            ok.push(secret.clone());
        }
    }
    (sigs.len(), ok)
}

async fn receive(State(inner): State<Arc<Inner>>, headers: HeaderMap, body: String) -> StatusCode {
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let (id, ts, sig) = (
        h("webhook-id"),
        h("webhook-timestamp"),
        h("webhook-signature"),
    );
    let secrets = inner.secrets.lock().unwrap().clone();
    let (signatures, verified_with) = verify(&secrets, &id, &ts, &body, &sig);
    if let Some(gate) = inner.releases.lock().unwrap().as_ref() {
        gate.add_permits(100);
    }
    let hold = inner.hold.lock().unwrap().clone();
    if let Some(h) = hold {
        inner.arrived.notify_one();
        let _ = h.acquire().await.unwrap();
    }
    let status = inner
        .plan
        .lock()
        .unwrap()
        .pop_front()
        .or(*inner.default_status.lock().unwrap())
        .unwrap_or(200);
    inner.got.lock().unwrap().push(Got {
        id,
        timestamp: ts.parse().unwrap_or(0),
        signatures,
        verified_with,
        body: serde_json::from_str(&body).unwrap_or(Value::Null),
        status,
    });
    inner.arrived.notify_one();
    StatusCode::from_u16(status).unwrap()
}
