//! The listener's limits over real sockets: header, idle and body time-outs, the connection
//! limit. Short time-outs (300 ms) make these take real network time, bounded; each test
//! asserts the socket was closed (or refused), not how long that took.

use std::time::Duration;

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use weiquan_domain::policy::Connections;

use crate::helpers::*;

/// A server on its own listener (no earlier connection holds a slot) with these limits.
async fn listen(limits: Connections) -> String {
    let app = spawn_app(Backend::Sqlite).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let router = weiquan_server::app(app.state.clone());
    tokio::spawn(async move {
        let _keep = app;
        weiquan_server::listen::run(listener, router, limits).await
    });
    addr
}

fn short(max_connections: u32) -> Connections {
    Connections {
        header_read_timeout: Duration::from_millis(300),
        body_read_timeout: Duration::from_millis(300),
        max_connections,
        trust_forwarded_for: false,
    }
}

/// Reads until the server closes the socket (EOF or reset); what it sent. Panics if it is
/// still open after `bound` (far longer than any time-out here).
async fn read_until_closed(s: &mut TcpStream, bound: Duration) -> String {
    let mut got = Vec::new();
    let r = tokio::time::timeout(bound, async {
        let mut buf = [0u8; 4096];
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(r.is_ok(), "the server kept the socket open");
    String::from_utf8_lossy(&got).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_is_cut_off_after_the_header_timeout() {
    let addr = listen(short(16)).await;
    let mut s = TcpStream::connect(&addr).await.unwrap();
    let (mut rd, mut wr) = s.split();
    // Headers byte by byte, never finished: a byte every 50 ms keeps the socket busy.
    let trickle = async {
        for b in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "
            .iter()
            .cycle()
        {
            if wr.write_all(&[*b]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let closed = async {
        let mut buf = [0u8; 256];
        loop {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    let r = tokio::time::timeout(Duration::from_secs(10), async {
        tokio::select! {
            _ = trickle => {},
            _ = closed => {},
        }
    })
    .await;
    assert!(r.is_ok(), "a client trickling its headers kept its socket");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed() {
    let addr = listen(short(16)).await;
    let mut s = TcpStream::connect(&addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let seen = read_until_closed(&mut s, Duration::from_secs(10)).await;
    // It was answered, then closed while it waited for a next request that never came.
    assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_is_cut_off() {
    let addr = listen(short(16)).await;
    let mut s = TcpStream::connect(&addr).await.unwrap();
    s.write_all(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n\
          content-length: 100\r\n\r\n{\"username\":",
    )
    .await
    .unwrap();
    let seen = read_until_closed(&mut s, Duration::from_secs(10)).await;
    assert!(seen.starts_with("HTTP/1.1 400"), "{seen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_above_the_limit_are_refused_with_503() {
    let mut limits = short(2);
    limits.header_read_timeout = Duration::from_secs(30);
    let addr = listen(limits).await;
    // Two idle sockets take both slots (accepted in order, before the next).
    let first = TcpStream::connect(&addr).await.unwrap();
    let _second = TcpStream::connect(&addr).await.unwrap();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let url = format!("http://{addr}/healthz");
    let r = http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["retry-after"], "1");
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "busy");
    assert!(v["error"]["message"].as_str().unwrap().contains("busy"));
    // A slot freed is a slot taken again: the server sees the close, then answers.
    drop(first);
    let mut answered = false;
    for _ in 0..200 {
        if http.get(&url).send().await.unwrap().status() == StatusCode::OK {
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(answered, "a freed slot was never reused");
}
