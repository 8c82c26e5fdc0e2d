//! Faults answered honestly (503/507 with Retry-After, a /healthz that looks), a private
//! /metrics, and the safety headers of JSON and pages.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use weiquan_domain::Policy;
use weiquan_server::AppState;
use weiquan_store::postgres::PgStore;

use crate::helpers::*;

/// PostgreSQL out of reach (the pool points at a port nobody listens on): requests that need
/// it answer 503 with Retry-After in the caller's language, and /healthz says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_gone_answers_503_with_retry_after() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let options: sqlx::postgres::PgConnectOptions =
        format!("postgres://postgres@127.0.0.1:{closed}/gone")
            .parse()
            .unwrap();
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(Duration::from_millis(300))
        .connect_lazy_with(options);
    let dir = tempfile::tempdir().unwrap();
    let store = PgStore::from_pool(
        pool,
        &dir.path().join("blobs"),
        Policy::default(),
        weiquan_store::blob::DEFAULT_MAX_BLOB,
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(weiquan_server::serve(
        AppState::new(Arc::new(store)),
        listener,
        None,
    ));
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{base}/api/v1/me"))
        .bearer_auth("some-token")
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["retry-after"], "5");
    let v = assert_error(r, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("try again"),
        "{v}"
    );
    let r = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert!(r.headers().contains_key("retry-after"));
    assert_error(r, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
}

/// The data dir not taking writes fails /healthz.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_checks_that_blobs_can_be_written() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app(Backend::Sqlite).await;
    let r = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Root ignores permissions: replace the blob dir with a file instead.
    let blobs = app._dir.path().join("blobs");
    let moved = app._dir.path().join("blobs-away");
    std::fs::rename(&blobs, &moved).unwrap();
    std::fs::write(&blobs, b"not a directory").unwrap();
    std::fs::set_permissions(&blobs, std::fs::Permissions::from_mode(0o444)).unwrap();
    let r = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().contains_key("retry-after"));
    std::fs::remove_file(&blobs).unwrap();
    std::fs::rename(&moved, &blobs).unwrap();
    let r = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_be_private() {
    let open = spawn_app(Backend::Sqlite).await;
    let r = open.http.get(open.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let app = open
        .another_server(|s| s.metrics_token = Some("s3cret-metrics".into()))
        .await;
    let r = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let r = app
        .http
        .get(app.url("/metrics"))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = app
        .http
        .get(app.url("/metrics"))
        .bearer_auth("s3cret-metrics")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("# TYPE"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_is_not_cached_nor_sniffed_and_pages_keep_their_referrer() {
    let app = spawn_app(Backend::Sqlite).await;
    let token = app.login("buyer01").await;
    for r in [
        app.get(&token, "/api/v1/me").await,
        app.http.get(app.url("/api/v1/me")).send().await.unwrap(),
    ] {
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{}", r.status());
        assert_eq!(h["cache-control"], "no-store", "{}", r.status());
    }
    let r = app.http.get(app.url("/login")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["referrer-policy"], "same-origin");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
}
