//! The outbox across crashes and nodes, with the real binary: webhooks in flight when a server
//! is killed with SIGKILL all arrive after the restart; three nodes on one PostgreSQL deliver
//! every message, each once.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use common::*;
use serde_json::{Value, json};
use weiquan_domain::*;
use weiquan_store::postgres::{PgStore, ScratchDatabase};
use weiquan_store::{Outbox, Store};

/// Short timings so that a lease left by a killed node runs out within the test.
const POLICY: &str = r#"
[webhooks]
timeout = "1s"
lease = "2s"
backoff = "1s"
backoff_max = "2s"
"#;

/// What the receiver saw: every delivery (webhook-id, complaint id) and whether it answered.
#[derive(Default)]
struct Seen {
    /// (webhook-id, type, complaint id, answered 2xx)
    deliveries: Vec<(String, String, i64, bool)>,
}

#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<Seen>>,
    /// While set, deliveries are held (never answered): they are in flight.
    holding: Arc<Mutex<bool>>,
}

impl Receiver {
    async fn start(&self) -> String {
        let me = self.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let me = me.clone();
                async move {
                    let id = headers["webhook-id"].to_str().unwrap().to_owned();
                    let v: Value = serde_json::from_str(&body).unwrap();
                    let t = v["type"].as_str().unwrap().to_owned();
                    let c = v["data"]["complaint_id"].as_i64().unwrap_or(0);
                    let hold = *me.holding.lock().unwrap();
                    me.seen.lock().unwrap().deliveries.push((id, t, c, !hold));
                    if hold {
                        // In flight until the sender gives up or dies.
                        std::future::pending::<()>().await;
                    }
                    StatusCode::NO_CONTENT
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }

    /// Complaint ids whose `complaint.filed` was answered, and how often each message id was.
    fn delivered(&self) -> (Vec<i64>, HashMap<String, usize>) {
        let seen = self.seen.lock().unwrap();
        let mut ids = vec![];
        let mut count = HashMap::new();
        for (id, t, c, ok) in &seen.deliveries {
            if *ok {
                *count.entry(id.clone()).or_insert(0) += 1;
                if t == "complaint.filed" {
                    ids.push(*c);
                }
            }
        }
        (ids, count)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_in_flight_at_a_kill_9_all_arrive_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, POLICY).unwrap();
    let policy = policy.to_str().unwrap();
    let server = Server::start(&data, &["--demo", "--policy", policy]);
    let http = reqwest::Client::new();
    let rx = Receiver::default();
    let url = rx.start().await;
    *rx.holding.lock().unwrap() = true;

    let admin = login(&http, &server.base, "admin").await;
    let r = http
        .post(format!("{}/api/v1/webhooks/endpoints", server.base))
        .bearer_auth(&admin)
        .json(&json!({"url": url, "event_types": ["complaint.filed"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);

    // Complaints filed and acknowledged while their webhooks hang at the receiver.
    let mut acked = vec![];
    for b in 2..5 {
        let token = login(&http, &server.base, &format!("buyer{b:02}")).await;
        for o in orders(&http, &server.base, &token).await {
            let body = complaint(o["order_no"].as_str().unwrap(), json!({"kind": "exchange"}));
            let r = http
                .post(format!("{}/api/v1/complaints", server.base))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap();
            if r.status() == StatusCode::CREATED {
                acked.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
            }
        }
    }
    assert!(acked.len() >= 5, "{} filed", acked.len());
    let until = Instant::now() + Duration::from_secs(30);
    while rx.seen.lock().unwrap().deliveries.is_empty() {
        assert!(Instant::now() < until, "nothing was sent");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill9();
    let in_flight: Vec<String> = rx
        .seen
        .lock()
        .unwrap()
        .deliveries
        .iter()
        .map(|d| d.0.clone())
        .collect();
    assert!(!in_flight.is_empty());
    *rx.holding.lock().unwrap() = false;

    // Restarted: every acknowledged complaint's webhook arrives, those in flight included.
    let _server = Server::start(&data, &["--policy", policy]);
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let (ids, count) = rx.delivered();
        if acked.iter().all(|a| ids.contains(a)) {
            assert!(in_flight.iter().all(|id| count.contains_key(id)));
            break;
        }
        assert!(
            Instant::now() < until,
            "missing after the restart: {:?}",
            acked
                .iter()
                .filter(|a| !ids.contains(a))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn admin_url() -> String {
    std::env::var("WEIQUAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_deliver_every_webhook_once() {
    use base64::Engine;
    const BUYERS: usize = 10;
    const PER_BUYER: usize = 6;
    let db = ScratchDatabase::create(&admin_url(), "weiquan_test")
        .await
        .expect("PostgreSQL is needed for the multi-node tests");
    let dir = tempfile::tempdir().unwrap();
    let store = PgStore::open_pooled(
        &db.url,
        &dir.path().join("blobs"),
        Policy::default(),
        weiquan_store::blob::DEFAULT_MAX_BLOB,
        NODE_CONNECTIONS.parse().unwrap(),
    )
    .await
    .unwrap();
    seed(&store, "shop-w", "2027", BUYERS, PER_BUYER).await;

    // The nodes share the key secrets are sealed with.
    let key = [7u8; 32];
    let keys = weiquan_server::outbox::Keyring::from_bytes(&key);
    let rx = Receiver::default();
    let url = rx.start().await;
    let admin = store
        .user_by_username("admin")
        .await
        .unwrap()
        .unwrap()
        .actor();
    let input = weiquan_store::webhooks::EndpointInput {
        url,
        description: String::new(),
        event_types: vec![weiquan_domain::delivery::WebhookEvent::ComplaintFiled],
        enabled: true,
    };
    let sealed = keys.seal(&weiquan_server::outbox::keys::new_secret());
    store
        .create_webhook_endpoint(&admin, input, sealed, chrono::Utc::now())
        .await
        .unwrap();

    let key64 = base64::engine::general_purpose::STANDARD.encode(key);
    let env = [("WEIQUAN_WEBHOOK_KEY", key64.as_str())];
    let nodes: Vec<Server> = (0..3)
        .map(|n| {
            Server::start_env(
                &dir.path().join(format!("node{n}")),
                &["--database-url", &db.url],
                &env,
            )
        })
        .collect();

    // Complaints filed while the three nodes deliver.
    let mut filed = vec![];
    for b in 0..BUYERS {
        let actor = store
            .user_by_username(&format!("buyer{b:03}"))
            .await
            .unwrap()
            .unwrap()
            .actor();
        for i in 0..PER_BUYER {
            let new = NewComplaint {
                order_no: OrderNo::parse(&format!("2027{b:04}{i:010}")).unwrap(),
                product: "蓝牙耳机".into(),
                category: Category::RefuseToShip,
                incident_at: chrono::Utc::now() - chrono::Duration::hours(1),
                description: "付款三天了商家一直不发货，联系也不回复。".into(),
                claim: Claim {
                    kind: ClaimKind::Refund,
                    amount_cents: Some(Cents::new(9900).unwrap()),
                },
                on_behalf_of: None,
            };
            let c = store
                .file_complaint(&actor, new, Channel::Api, chrono::Utc::now())
                .await
                .unwrap();
            filed.push(c.id.0);
        }
    }
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let (ids, _) = rx.delivered();
        if filed.iter().all(|f| ids.contains(f)) {
            break;
        }
        assert!(
            Instant::now() < until,
            "{} of {} delivered",
            ids.len(),
            filed.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The nodes record every delivery; then stop them (nothing can be sent after this), and:
    // each message once, at the receiver and in the outbox's own count of attempts.
    let outbox = || async {
        sqlx::query_as::<_, (String, i64)>(
            "SELECT status, CAST(attempts AS BIGINT) FROM outbox WHERE channel = 'webhook'",
        )
        .fetch_all(store.pool())
        .await
        .unwrap()
    };
    while outbox().await.iter().any(|(s, _)| s != "delivered") {
        assert!(Instant::now() < until, "{:?}", outbox().await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(nodes);
    let (ids, count) = rx.delivered();
    assert_eq!(ids.len(), filed.len(), "no message delivered twice");
    assert!(count.values().all(|n| *n == 1), "{count:?}");
    let attempts = outbox().await;
    assert_eq!(attempts.len(), filed.len());
    assert!(attempts.iter().all(|(_, n)| *n == 1), "{attempts:?}");
}
