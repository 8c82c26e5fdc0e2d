//! `kill -9` at any moment loses nothing that was answered 201, deadlines survive a restart,
//! and `audit verify` notices an altered record.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89,
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_no_acknowledged_complaint_and_audit_catches_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &["--demo"]);
    let http = reqwest::Client::new();

    // Eight buyers file complaints as fast as they can.
    let acked: Arc<Mutex<Vec<(String, i64)>>> = Arc::default();
    let mut tasks = vec![];
    for b in 2..10 {
        let token = login(&http, &server.base, &format!("buyer{b:02}")).await;
        let orders = orders(&http, &server.base, &token).await;
        let (http, base, acked) = (http.clone(), server.base.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            for o in orders {
                let body = complaint(o["order_no"].as_str().unwrap(), json!({"kind": "exchange"}));
                let r = http
                    .post(format!("{base}/api/v1/complaints"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == StatusCode::CREATED => {
                        let v: Value = match r.json().await {
                            Ok(v) => v,
                            Err(_) => return, // killed mid-response: not acknowledged
                        };
                        acked
                            .lock()
                            .unwrap()
                            .push((token.clone(), v["id"].as_i64().unwrap()));
                    }
                    Ok(_) => {}       // the demo already has a complaint on this order
                    Err(_) => return, // the server is gone
                }
            }
        }));
    }
    // One piece of evidence on disk, for the blob check below.
    let buyer01 = login(&http, &server.base, "buyer01").await;
    let first = orders(&http, &server.base, &buyer01).await;
    let r = http
        .post(format!("{}/api/v1/complaints", server.base))
        .bearer_auth(&buyer01)
        .json(&complaint(
            first[0]["order_no"].as_str().unwrap(),
            json!({"kind": "exchange"}),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("p.png"),
        )
        .text("kind", "photo");
    let r = http
        .post(format!("{}/api/v1/complaints/{id}/evidence", server.base))
        .bearer_auth(&buyer01)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let sha = r.json::<Value>().await.unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_owned();

    // Killed while the load is running: complaints are being acknowledged.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while acked.lock().unwrap().len() < 30 {
        assert!(
            std::time::Instant::now() < deadline,
            "the load does not run"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.kill9();
    for t in tasks {
        t.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 20,
        "the load ran ({} acknowledged)",
        acked.len()
    );

    // Every acknowledged complaint is there after a restart.
    let server = Server::start(&data, &[]);
    for (token, id) in &acked {
        let r = http
            .get(format!("{}/api/v1/complaints/{id}", server.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::OK,
            "complaint {id} answered 201 but is gone"
        );
    }
    server.kill9();

    let d = data.to_str().unwrap();
    let ok = weiquan(&["audit", "verify", "--data-dir", d]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("audit ok"));

    // An altered blob is named.
    let blob = data
        .join("blobs")
        .join(&sha[..2])
        .join(&sha[2..4])
        .join(&sha);
    let original = std::fs::read(&blob).unwrap();
    std::fs::write(&blob, b"not the photo").unwrap();
    let bad = weiquan(&["audit", "verify", "--data-dir", d]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains(&sha),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    std::fs::write(&blob, original).unwrap();
    assert!(
        weiquan(&["audit", "verify", "--data-dir", d])
            .status
            .success()
    );

    // An altered event row is named.
    let conn = rusqlite::Connection::open(data.join("weiquan.db")).unwrap();
    let event_id: i64 = conn
        .query_row(
            "SELECT id FROM events WHERE stream = ?1 AND seq = 1",
            [format!("complaint:{id}")],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute(
        "UPDATE events SET data = replace(data, 'quality_defect', 'counterfeit') WHERE id = ?1",
        [event_id],
    )
    .unwrap();
    drop(conn);
    let bad = weiquan(&["audit", "verify", "--data-dir", d]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains(&format!("event {event_id} ")) && err.contains(&format!("complaint:{id}")),
        "{err}"
    );
}

/// Polls until the complaint is in `state`.
async fn wait_for<F: Future<Output = String>>(get: impl Fn() -> F, state: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let now = get().await;
        if now == state {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still {now}, never {state}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_due_while_the_server_was_down_fires_once_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // The server's clock is a file the test moves.
    let clock = dir.path().join("clock");
    let t0 = chrono::Utc::now();
    set_clock(&clock, t0);
    let c = clock.to_str().unwrap();
    let server = Server::start(&data, &["--demo", "--clock", c]);
    let http = reqwest::Client::new();
    let token = login(&http, &server.base, "buyer01").await;
    let o = &orders(&http, &server.base, &token).await[0];
    let amount = o["amount_cents"].as_i64().unwrap();
    let r = http
        .post(format!("{}/api/v1/complaints", server.base))
        .bearer_auth(&token)
        .json(&complaint(
            o["order_no"].as_str().unwrap(),
            json!({"kind": "refund", "amount_cents": amount}),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    server.kill9();

    // The merchant's deadline passes while the server is down.
    let policy = weiquan_domain::Policy::default();
    let after = |k: weiquan_domain::TimerKind| {
        let e = chrono::DateTime::UNIX_EPOCH;
        policy.due(k, e) - e + chrono::Duration::seconds(1)
    };
    let lapsed = t0 + after(weiquan_domain::TimerKind::MerchantReply);
    set_clock(&clock, lapsed);
    let server = Server::start(&data, &["--clock", c]);
    let token = login(&http, &server.base, "buyer01").await;
    let state = |base: String, token: String| {
        let http = http.clone();
        async move {
            let c: Value = get_json(&http, &format!("{base}/api/v1/complaints/{id}"), &token).await;
            c["state"].as_str().unwrap().to_owned()
        }
    };
    wait_for(|| state(server.base.clone(), token.clone()), "resolved").await;
    // The next deadline (the merchant carrying out the refund) fires too: the loop has gone
    // round again since, and the merchant's deadline did not fire a second time.
    set_clock(
        &clock,
        lapsed + after(weiquan_domain::TimerKind::ExecuteRuling),
    );
    wait_for(|| state(server.base.clone(), token.clone()), "closed").await;
    let events: Vec<Value> = get_json(
        &http,
        &format!("{}/api/v1/complaints/{id}/events", server.base),
        &token,
    )
    .await;
    assert_eq!(
        events
            .iter()
            .filter(|e| e["kind"] == "merchant_reply_lapsed")
            .count(),
        1
    );
}
