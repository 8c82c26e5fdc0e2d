//! `weiquan serve --clock FILE`: the server's time is the file's, and a file that holds no time
//! stops it at start, named, instead of falling back to the system clock.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[test]
fn a_missing_or_bad_clock_file_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let clock = dir.path().join("clock.txt");
    let serve = |clock: &std::path::Path| {
        weiquan(&[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            data.to_str().unwrap(),
            "--clock",
            clock.to_str().unwrap(),
        ])
    };
    let out = serve(&clock);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(clock.to_str().unwrap()), "{err}");

    std::fs::write(&clock, "next tuesday").unwrap();
    let out = serve(&clock);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(clock.to_str().unwrap()) && err.contains("RFC 3339"),
        "{err}"
    );
}

fn ms(t: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(t.as_str().unwrap())
        .unwrap()
        .timestamp_millis()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_lives_at_the_files_time() {
    let dir = tempfile::tempdir().unwrap();
    let clock = dir.path().join("clock");
    let t0 = chrono::Utc::now();
    set_clock(&clock, t0);
    let server = Server::start(
        &dir.path().join("data"),
        &["--demo", "--clock", clock.to_str().unwrap()],
    );
    let http = reqwest::Client::new();
    let token = login(&http, &server.base, "buyer01").await;
    let o = &orders(&http, &server.base, &token).await[0];
    let file = || {
        http.post(format!("{}/api/v1/complaints", server.base))
            .bearer_auth(&token)
            .json(&complaint(
                o["order_no"].as_str().unwrap(),
                json!({"kind": "exchange"}),
            ))
            .send()
    };
    let c: Value = file().await.unwrap().json().await.unwrap();
    assert_eq!(ms(&c["created_at"]), t0.timestamp_millis(), "{c}");
    // Written anew, the file moves the running server's clock.
    let t1 = t0 + chrono::Duration::days(3);
    set_clock(&clock, t1);
    let id = c["id"].as_i64().unwrap();
    let r = http
        .post(format!("{}/api/v1/complaints/{id}/actions", server.base))
        .bearer_auth(&token)
        .json(&json!({"action": "withdraw"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let c: Value = r.json().await.unwrap();
    assert_eq!(ms(&c["updated_at"]), t1.timestamp_millis(), "{c}");
}
