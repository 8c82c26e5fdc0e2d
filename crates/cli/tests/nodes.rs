//! Several `weiquan serve` nodes on one PostgreSQL: every deadline fires exactly once while nodes
//! are killed and restarted, and two nodes acting on one complaint never fork its chain.

mod common;

use std::time::{Duration, Instant};

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use weiquan_domain::*;
use weiquan_store::Store;
use weiquan_store::postgres::{PgStore, ScratchDatabase};

fn admin_url() -> String {
    std::env::var("WEIQUAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

async fn scratch_db() -> ScratchDatabase {
    ScratchDatabase::create(&admin_url(), "weiquan_test")
        .await
        .expect("PostgreSQL is needed for the multi-node tests")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadlines_fire_exactly_once_across_killed_nodes() {
    const BUYERS: usize = 20;
    const PER_BUYER: usize = 20; // 400 complaints: firing them all takes the nodes seconds
    let db = scratch_db().await;
    let dir = tempfile::tempdir().unwrap();
    // The nodes' clock: a file the test moves.
    let clock = dir.path().join("clock");
    let t0 = chrono::Utc::now();
    set_clock(&clock, t0);
    let store = PgStore::open_pooled(
        &db.url,
        &dir.path().join("blobs"),
        Policy::default(),
        weiquan_store::blob::DEFAULT_MAX_BLOB,
        NODE_CONNECTIONS.parse().unwrap(),
    )
    .await
    .unwrap();
    seed(&store, "shop-n", "2026", BUYERS, PER_BUYER).await;

    // File every complaint through the store at t0; all fall due together.
    let store = std::sync::Arc::new(store);
    let filings = (0..BUYERS).map(|b| {
        let store = store.clone();
        tokio::spawn(async move {
            let actor = store
                .user_by_username(&format!("buyer{b:03}"))
                .await
                .unwrap()
                .unwrap()
                .actor();
            let mut ids = vec![];
            for i in 0..PER_BUYER {
                let new = NewComplaint {
                    order_no: OrderNo::parse(&format!("2026{b:04}{i:010}")).unwrap(),
                    product: "蓝牙耳机".into(),
                    category: Category::RefuseToShip,
                    incident_at: t0 - chrono::Duration::hours(1),
                    description: "付款三天了商家一直不发货，联系也不回复。".into(),
                    claim: Claim {
                        kind: ClaimKind::Refund,
                        amount_cents: Some(Cents::new(9900).unwrap()),
                    },
                    on_behalf_of: None,
                };
                let c = store.file_complaint(&actor, new, Channel::Api, t0).await;
                ids.push(c.unwrap().id);
            }
            ids
        })
    });
    let mut ids = Vec::new();
    for f in futures::future::join_all(filings).await {
        ids.extend(f.unwrap());
    }
    let total = ids.len() as i64;
    let pool = store.pool();
    let fired = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM timers WHERE kind = 'merchant_reply' AND status <> 'pending'",
        )
        .fetch_one(pool)
        .await
        .unwrap()
    };

    let c = clock.to_str().unwrap().to_owned();
    let node = |k: usize| {
        let d = dir.path().join(format!("node{k}"));
        Server::start(&d, &["--database-url", &db.url, "--clock", &c])
    };
    let mut nodes = vec![Some(node(0)), Some(node(1)), Some(node(2))];
    // The deadline passes for every complaint at once.
    let reply = {
        let t0 = chrono::DateTime::UNIX_EPOCH;
        Policy::default().due(weiquan_domain::TimerKind::MerchantReply, t0) - t0
    };
    set_clock(&clock, t0 + reply + chrono::Duration::seconds(1));

    // Each node in turn is killed while deadlines are firing (more fired than a moment ago,
    // not all yet), one after the other; then all are brought back. (Bringing each back before
    // killing the next made the test depend on how fast a node starts: the others could fire
    // everything while it did.)
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut last = 0;
    for (k, slot) in nodes.iter_mut().enumerate() {
        loop {
            let now = fired().await;
            assert!(now < total, "every deadline fired before kill {k}");
            if now > last && now > 0 {
                slot.take().unwrap().kill9();
                last = fired().await;
                assert!(last < total, "still firing after kill {k}");
                break;
            }
            last = now;
            assert!(Instant::now() < deadline, "the deadlines do not fire");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    // With every node down, nothing more fires; the rest is left to the nodes brought back.
    let left = fired().await;
    assert!(left < total, "every deadline fired with the nodes down");
    for (k, slot) in nodes.iter_mut().enumerate() {
        *slot = Some(node(k));
    }

    loop {
        let pending = total - fired().await;
        if pending == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{pending} deadlines never fired");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let per_complaint: Vec<(String, i64)> = sqlx::query_as(
        "SELECT stream, COUNT(*) FROM events WHERE kind = 'merchant_reply_lapsed' GROUP BY stream",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(
        per_complaint.len(),
        ids.len(),
        "every complaint's deadline fired"
    );
    assert!(
        per_complaint.iter().all(|(_, n)| *n == 1),
        "a deadline fired twice: {:?}",
        per_complaint.iter().find(|(_, n)| *n != 1)
    );
    let resolved: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM complaints WHERE state = 'resolved'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(resolved as usize, ids.len());
    drop(nodes);
    let audit = weiquan(&[
        "audit",
        "verify",
        "--database-url",
        &db.url,
        "--data-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        audit.status.success(),
        "{}",
        String::from_utf8_lossy(&audit.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_nodes_never_fork_a_chain() {
    let db = scratch_db().await;
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
    seed(&store, "shop-n", "2026", 2, 30).await;
    let a = Server::start(&dir.path().join("a"), &["--database-url", &db.url]);
    let b = Server::start(&dir.path().join("b"), &["--database-url", &db.url]);
    let http = reqwest::Client::new();
    let buyer = login(&http, &a.base, "buyer000").await;
    let seller = login(&http, &b.base, "seller01").await;
    let mut conflicts = 0;
    for i in 0..30 {
        let body = complaint(&format!("2026{:04}{i:010}", 0), json!({"kind": "exchange"}));
        let r = http
            .post(format!("{}/api/v1/complaints", a.base))
            .bearer_auth(&buyer)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        // The consumer withdraws on node a while the merchant accepts on node b: one wins.
        let withdraw = http
            .post(format!("{}/api/v1/complaints/{id}/actions", a.base))
            .bearer_auth(&buyer)
            .json(&json!({"action": "withdraw"}))
            .send();
        let accept = http
            .post(format!("{}/api/v1/complaints/{id}/actions", b.base))
            .bearer_auth(&seller)
            .json(&json!({"action": "accept"}))
            .send();
        let (w, s) = tokio::join!(withdraw, accept);
        let (w, s) = (w.unwrap(), s.unwrap());
        let statuses = [w.status(), s.status()];
        assert!(statuses.contains(&StatusCode::OK), "{statuses:?}");
        if statuses.contains(&StatusCode::CONFLICT) {
            conflicts += 1;
            let loser = if w.status() == StatusCode::CONFLICT {
                w
            } else {
                s
            };
            let v: Value = loser.json().await.unwrap();
            assert!(
                v["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty())
            );
        }
        let events: Vec<Value> = get_json(
            &http,
            &format!("{}/api/v1/complaints/{id}/events", a.base),
            &buyer,
        )
        .await;
        let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert_eq!(
            seqs,
            (1..=seqs.len() as i64).collect::<Vec<_>>(),
            "one unbroken chain"
        );
    }
    assert_eq!(
        conflicts, 30,
        "both actions end the negotiation, so the second always loses with 409"
    );
    drop((a, b));
    assert!(store.verify().await.unwrap().is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_moves_a_sqlite_data_dir_into_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // A demo marketplace with complaints, and one more action on the chain.
    let server = Server::start(&data, &["--demo"]);
    let http = reqwest::Client::new();
    // A webhook endpoint, so that the outbox has messages (to an address nobody answers).
    let admin = login(&http, &server.base, "admin").await;
    let r = http
        .post(format!("{}/api/v1/webhooks/endpoints", server.base))
        .bearer_auth(&admin)
        .json(&json!({"url": "http://127.0.0.1:9/hook", "event_types": ["complaint.filed"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let buyer = login(&http, &server.base, "buyer01").await;
    let o = &orders(&http, &server.base, &buyer).await[0];
    let r = http
        .post(format!("{}/api/v1/complaints", server.base))
        .bearer_auth(&buyer)
        .json(&complaint(
            o["order_no"].as_str().unwrap(),
            json!({"kind": "exchange"}),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    server.kill9();

    let db = scratch_db().await;
    let d = data.to_str().unwrap();
    let out = weiquan(&["export", "--to", &db.url, "--data-dir", d]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("exported and verified"), "{stdout}");
    // The inboxes come along (the filing told its merchant).
    let inbox = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("notifications: "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(inbox.parse::<u64>().unwrap() >= 1, "{stdout}");
    // A second export into the now full database is refused, and nothing changes.
    let again = weiquan(&["export", "--to", &db.url, "--data-dir", d]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));

    // The platform runs on the copy: same accounts, same complaint, same chain.
    let server = Server::start(&data, &["--database-url", &db.url]);
    let token = login(&http, &server.base, "buyer01").await;
    let c: Value = get_json(
        &http,
        &format!("{}/api/v1/complaints/{id}", server.base),
        &token,
    )
    .await;
    assert_eq!(c["state"], "awaiting_merchant");
    // The outbox came along: the filing's webhook still waits for its endpoint.
    let admin = login(&http, &server.base, "admin").await;
    let e: Value = get_json(
        &http,
        &format!("{}/api/v1/webhooks/endpoints", server.base),
        &admin,
    )
    .await;
    assert_eq!(e[0]["pending"], 1, "{e}");
    let r = http
        .post(format!("{}/api/v1/complaints/{id}/actions", server.base))
        .bearer_auth(&token)
        .json(&json!({"action": "withdraw"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "chain links continue after the copy"
    );
    let r = http
        .post(format!("{}/api/v1/complaints", server.base))
        .bearer_auth(&token)
        .json(&complaint(
            o["order_no"].as_str().unwrap(),
            json!({"kind": "exchange"}),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert!(
        r.json::<Value>().await.unwrap()["id"].as_i64().unwrap() > id,
        "ids continue after the copy"
    );
    drop(server);
    let audit = weiquan(&[
        "audit",
        "verify",
        "--database-url",
        &db.url,
        "--data-dir",
        d,
    ]);
    assert!(
        audit.status.success(),
        "{}",
        String::from_utf8_lossy(&audit.stderr)
    );
}
