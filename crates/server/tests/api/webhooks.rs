//! Webhooks to the marketplace through the outbox: real receivers started here check every
//! signature with their own code; the clock moves past each backoff (no sleeps); one dispatch
//! round at a time, as the server's loop would run it.

mod email;
mod events;
pub mod receiver;

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::*;
use receiver::Receiver;

const ALL_TYPES: &[&str] = &[
    "complaint.filed",
    "complaint.state_changed",
    "remedy.due",
    "shop.standing_changed",
    "listing.taken_down",
    "listing.restored",
    "case.opened",
];

/// Registers an endpoint for `types` at the receiver, which learns its secret; (id, secret).
async fn register(app: &TestApp, admin: &str, rx: &Receiver, types: &[&str]) -> (i64, String) {
    let v = json_of(
        app.post(
            admin,
            "/api/v1/webhooks/endpoints",
            json!({"url": rx.url, "description": "订单系统", "event_types": types}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let secret = v["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{v}");
    rx.know_secret(&secret);
    (v["endpoint"]["id"].as_i64().unwrap(), secret)
}

async fn dispatch(app: &TestApp) -> usize {
    weiquan_server::outbox::dispatch(&app.state).await.unwrap()
}

/// The longest wait between two attempts (the cap, with jitter).
fn past_backoff(app: &TestApp) -> Duration {
    Duration::from_std(app.store.policy().webhooks.backoff_max).unwrap() * 2
}

async fn signed_deliveries_are_retried_with_the_same_id(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login("admin").await;
    let buyer = app.login("buyer01").await;
    let rx = Receiver::start().await;
    let (endpoint, _) = register(&app, &admin, &rx, &["complaint.filed"]).await;
    rx.plan(&[500, 503, 502]);
    let id = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;

    assert_eq!(dispatch(&app).await, 1);
    assert_eq!(rx.got().len(), 1);
    // Not due again until the backoff has passed.
    assert_eq!(dispatch(&app).await, 0);
    for n in 2..=4 {
        app.advance(past_backoff(&app));
        assert_eq!(dispatch(&app).await, 1, "attempt {n}");
        assert_eq!(rx.got().len(), n);
    }
    app.advance(past_backoff(&app));
    assert_eq!(dispatch(&app).await, 0, "delivered: nothing left to send");

    let got = rx.got();
    assert_eq!(
        got.iter().map(|g| g.status).collect::<Vec<_>>(),
        [500, 503, 502, 200]
    );
    for g in &got {
        assert_eq!(g.id, got[0].id, "one message id over every retry");
        assert!(g.id.starts_with("msg_"));
        assert_eq!(
            g.verified_with.len(),
            1,
            "every delivery signed with the secret"
        );
    }
    // Each attempt is stamped when it is sent (the clock moved between them).
    assert!(got[3].timestamp > got[0].timestamp);
    let body = &got[0].body;
    assert_eq!(body["type"], "complaint.filed");
    assert_eq!(body["data"]["complaint_id"], id);
    assert_eq!(body["data"]["order_no"], order("A1"));
    assert_eq!(body["data"]["shop_id"], "shop-a");
    assert!(body["timestamp"].is_string());
    assert!(body["data"].get("consumer_id").is_none(), "{body}");

    // The delivery log, newest first.
    let log = json_of(
        app.get(
            &admin,
            &format!("/api/v1/webhooks/endpoints/{endpoint}/attempts"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 4);
    assert_eq!(log[0]["ok"], true);
    assert_eq!(log[0]["attempt"], 4);
    assert_eq!(log[3]["status"], 500);
    assert_eq!(log[3]["msg_id"], got[0].id.as_str());
}

async fn gone_disables_the_endpoint_until_an_admin_enables_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login("admin").await;
    let buyer = app.login("buyer01").await;
    let rx = Receiver::start().await;
    let (endpoint, _) = register(&app, &admin, &rx, &["complaint.filed"]).await;
    rx.plan(&[410]);
    app.file_ok(
        &buyer,
        "A1",
        json!({"kind": "refund", "amount_cents": 8900}),
    )
    .await;
    assert_eq!(dispatch(&app).await, 1);

    let e = json_of(
        app.get(&admin, &format!("/api/v1/webhooks/endpoints/{endpoint}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(e["enabled"], false);
    assert_eq!(e["disabled_reason"], "gone");
    assert_eq!(e["pending"], 1, "the message waits, it is not lost");
    // Nothing more goes to a disabled endpoint, and nothing new is written for it.
    app.file_ok(
        &buyer,
        "A2",
        json!({"kind": "refund", "amount_cents": 8900}),
    )
    .await;
    app.advance(past_backoff(&app));
    assert_eq!(dispatch(&app).await, 0);
    assert_eq!(rx.got().len(), 1);

    // Enabled again: the waiting message goes out.
    let e = json_of(
        app.http
            .put(app.url(&format!("/api/v1/webhooks/endpoints/{endpoint}")))
            .bearer_auth(&admin)
            .json(&json!({"url": rx.url, "event_types": ["complaint.filed"], "enabled": true}))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert!(e["disabled_reason"].is_null());
    assert_eq!(dispatch(&app).await, 1);
    assert_eq!(rx.got().len(), 2);
    assert_eq!(rx.got()[1].id, rx.got()[0].id);
    assert_eq!(rx.got()[1].status, 200);
}

async fn dead_after_the_retry_horizon_then_replayed(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login("admin").await;
    let buyer = app.login("buyer01").await;
    let rx = Receiver::start().await;
    let (endpoint, _) = register(&app, &admin, &rx, &["complaint.filed"]).await;
    rx.answer_by_default(500);
    let filed_at = app.now();
    app.file_ok(
        &buyer,
        "A1",
        json!({"kind": "refund", "amount_cents": 8900}),
    )
    .await;
    let mut rounds = 0;
    loop {
        dispatch(&app).await;
        let dead = json_of(
            app.get(&admin, "/api/v1/webhooks/dead").await,
            StatusCode::OK,
        )
        .await;
        if !dead.as_array().unwrap().is_empty() {
            break;
        }
        rounds += 1;
        assert!(rounds < 100, "never given up on");
        app.advance(Duration::minutes(30));
    }
    // Tried for at least a day, then given up.
    assert!(app.now() - filed_at >= Duration::hours(24));
    let attempts = rx.got().len();
    assert!(attempts > 5, "{attempts} attempts");
    let dead = json_of(
        app.get(
            &admin,
            &format!("/api/v1/webhooks/dead?endpoint_id={endpoint}"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let m = &dead[0];
    assert_eq!(m["status"], "dead");
    assert_eq!(m["last_status"], 500);
    assert_eq!(m["attempts"], attempts);
    let payload: Value = serde_json::from_str(m["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["type"], "complaint.filed");

    // Replayed: delivered with the same id.
    rx.answer_by_default(200);
    let row = m["id"].as_i64().unwrap();
    let r = app
        .post(
            &admin,
            &format!("/api/v1/webhooks/messages/{row}/replay"),
            json!({}),
        )
        .await;
    assert_eq!(json_of(r, StatusCode::OK).await["status"], "pending");
    assert_eq!(dispatch(&app).await, 1);
    let last = rx.got().pop().unwrap();
    assert_eq!(last.status, 200);
    assert_eq!(last.id, m["msg_id"].as_str().unwrap());
    let dead = json_of(
        app.get(&admin, "/api/v1/webhooks/dead").await,
        StatusCode::OK,
    )
    .await;
    assert!(dead.as_array().unwrap().is_empty());
    // A delivered message is not replayed.
    assert_error(
        app.post(
            &admin,
            &format!("/api/v1/webhooks/messages/{row}/replay"),
            json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        "not_dead",
    )
    .await;
}

/// The sealed secret as the database holds it.
async fn stored_secret(app: &TestApp, endpoint: i64) -> Vec<u8> {
    match &app._db {
        None => {
            let conn = rusqlite::Connection::open(app._dir.path().join("weiquan.db")).unwrap();
            conn.query_row(
                "SELECT secret FROM webhook_endpoints WHERE id = ?1",
                [endpoint],
                |r| r.get(0),
            )
            .unwrap()
        }
        Some(db) => {
            let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
            let row: (Vec<u8>,) =
                sqlx::query_as("SELECT secret FROM webhook_endpoints WHERE id = $1")
                    .bind(endpoint)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            row.0
        }
    }
}

async fn secrets_are_sealed_and_rotate_with_a_grace_period(backend: Backend) {
    use base64::Engine;
    let app = spawn_app(backend).await;
    let admin = app.login("admin").await;
    let buyer = app.login("buyer01").await;
    let rx = Receiver::start().await;
    let (endpoint, old) = register(&app, &admin, &rx, &["complaint.filed"]).await;

    let stored = stored_secret(&app, endpoint).await;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(old.trim_start_matches("whsec_"))
        .unwrap();
    let text = String::from_utf8_lossy(&stored);
    assert!(!text.contains(&old) && !text.contains(old.trim_start_matches("whsec_")));
    assert!(
        !stored.windows(raw.len()).any(|w| w == raw),
        "the key's bytes are not stored"
    );
    // Nor is it ever shown again.
    let e = app
        .get(&admin, &format!("/api/v1/webhooks/endpoints/{endpoint}"))
        .await;
    let e = e.text().await.unwrap();
    assert!(!e.contains("whsec_") && !e.contains("secret\""), "{e}");

    let r = app
        .post(
            &admin,
            &format!("/api/v1/webhooks/endpoints/{endpoint}/rotate"),
            json!({}),
        )
        .await;
    let v = json_of(r, StatusCode::OK).await;
    let new = v["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(v["endpoint"]["previous_secret_until"].is_string());
    rx.know_secret(&new);

    // During the grace period: signed with both.
    app.file_ok(
        &buyer,
        "A1",
        json!({"kind": "refund", "amount_cents": 8900}),
    )
    .await;
    dispatch(&app).await;
    let g = rx.got().pop().unwrap();
    assert_eq!(g.signatures, 2);
    assert_eq!(g.verified_with, [old.clone(), new.clone()]);

    // After it: the new secret alone.
    let grace = Duration::from_std(app.store.policy().webhooks.rotation_grace).unwrap();
    app.advance(grace + Duration::minutes(1));
    app.file_ok(
        &buyer,
        "A2",
        json!({"kind": "refund", "amount_cents": 8900}),
    )
    .await;
    dispatch(&app).await;
    let g = rx.got().pop().unwrap();
    assert_eq!(g.signatures, 1);
    assert_eq!(g.verified_with, [new]);
}

async fn a_slow_receiver_delays_no_request(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login("admin").await;
    let buyer = app.login("buyer01").await;
    let rx = Receiver::start().await;
    register(&app, &admin, &rx, &["complaint.filed"]).await;
    let gate = rx.hold();
    app.file_ok(
        &buyer,
        "A1",
        json!({"kind": "refund", "amount_cents": 8900}),
    )
    .await;
    let state = app.state.clone();
    let round = tokio::spawn(async move { weiquan_server::outbox::dispatch(&state).await });
    rx.arrived().await;
    // The receiver holds the delivery: a user's filing goes through meanwhile.
    app.file_ok(
        &buyer,
        "A2",
        json!({"kind": "refund", "amount_cents": 8900}),
    )
    .await;
    let c = app.get(&buyer, "/api/v1/complaints").await;
    assert_eq!(c.status(), StatusCode::OK);
    assert!(!round.is_finished(), "the delivery is still held");
    assert!(rx.got().is_empty());
    gate.add_permits(10);
    assert_eq!(round.await.unwrap().unwrap(), 1);
    assert_eq!(dispatch(&app).await, 1, "the second filing's message");
}

async fn nodes_share_the_work_and_deliver_each_message_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login("admin").await;
    let buyer = app.login("buyer01").await;
    let buyer2 = app.login("buyer02").await;
    let rx = Receiver::start().await;
    register(&app, &admin, &rx, ALL_TYPES).await;
    for tag in ["A1", "A2", "A3", "A4", "A5", "B1"] {
        app.file_ok(&buyer, tag, json!({"kind": "refund", "amount_cents": 8900}))
            .await;
    }
    app.file_ok(
        &buyer2,
        "A6",
        json!({"kind": "refund", "amount_cents": 8900}),
    )
    .await;
    // Nodes share the webhook key (the data dir's file, or WEIQUAN_WEBHOOK_KEY).
    let same_key = |s: &mut weiquan_server::AppState| {
        *s = s
            .clone()
            .with_webhook_key(app.state.dispatcher.keys.clone())
    };
    let b = app.another_server(same_key).await;
    let c = app.another_server(same_key).await;
    loop {
        let (x, y, z) = tokio::join!(dispatch(&app), dispatch(&b), dispatch(&c));
        if x + y + z == 0 {
            break;
        }
    }
    let got = rx.got();
    assert_eq!(got.len(), 7);
    let mut ids: Vec<_> = got.iter().map(|g| g.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 7, "each message once");
}

async fn only_admins_manage_endpoints_and_bad_input_is_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login("admin").await;
    let seller = app.login("seller01").await;
    assert_error(
        app.get(&seller, "/api/v1/webhooks/endpoints").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let r = app
        .post(
            &seller,
            "/api/v1/webhooks/endpoints",
            json!({"url": "http://127.0.0.1:9/x", "event_types": ["case.opened"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_error(
        app.get(&seller, "/api/v1/webhooks/dead").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    let r = app
        .http
        .post(app.url("/api/v1/webhooks/endpoints"))
        .bearer_auth(&admin)
        .header("accept-language", "en")
        .json(&json!({"url": "ftp://x", "event_types": ["complaint.eaten"]}))
        .send()
        .await
        .unwrap();
    let v = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    let fields = v["error"]["fields"].as_object().unwrap();
    assert_eq!(
        fields.keys().collect::<Vec<_>>(),
        ["event_types", "url"],
        "{v}"
    );
    assert!(fields["url"].as_str().unwrap().contains("http"));
    assert!(
        fields["event_types"]
            .as_str()
            .unwrap()
            .contains("complaint.eaten")
    );
    let r = app
        .post(
            &admin,
            "/api/v1/webhooks/endpoints",
            json!({"url": "https://example.com/hook"}),
        )
        .await;
    let v = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(
        v["error"]["fields"]["event_types"]
            .as_str()
            .unwrap()
            .contains("事件"),
        "{v}"
    );
    assert_error(
        app.get(&admin, "/api/v1/webhooks/endpoints/999").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

async fn a_slow_endpoint_delays_no_other(backend: Backend) {
    let mut policy = weiquan_domain::Policy::default();
    policy.webhooks.timeout = std::time::Duration::from_secs(1);
    policy.webhooks.lease = std::time::Duration::from_secs(5);
    let app = spawn_with(backend, policy, weiquan_store::blob::DEFAULT_MAX_BLOB).await;
    let admin = app.login("admin").await;
    let buyer = app.login("buyer01").await;
    let (slow, fast) = (Receiver::start().await, Receiver::start().await);
    let (slow_id, _) = register(&app, &admin, &slow, &["complaint.filed"]).await;
    register(&app, &admin, &fast, &["complaint.filed"]).await;

    // Deliveries of one round run side by side: the slow receiver answers only once the fast
    // one has been reached, which a round sending one at a time would not do in time.
    let gate = slow.hold();
    fast.on_arrival_release(gate);
    app.file_ok(
        &buyer,
        "A1",
        json!({"kind": "refund", "amount_cents": 8900}),
    )
    .await;
    assert_eq!(dispatch(&app).await, 2);
    assert_eq!(slow.got()[0].status, 200);
    assert_eq!(fast.got()[0].status, 200);

    // A receiver that never answers is cut off by the time-out; the other one is delivered.
    slow.hold();
    app.file_ok(
        &buyer,
        "A2",
        json!({"kind": "refund", "amount_cents": 8900}),
    )
    .await;
    assert_eq!(dispatch(&app).await, 2);
    assert_eq!(fast.got().len(), 2);
    let log = json_of(
        app.get(
            &admin,
            &format!("/api/v1/webhooks/endpoints/{slow_id}/attempts"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(log[0]["ok"], false);
    assert!(log[0]["status"].is_null());
    assert!(
        log[0]["response"].as_str().unwrap().contains("timed out"),
        "{log}"
    );
}

both_backends!(
    signed_deliveries_are_retried_with_the_same_id,
    gone_disables_the_endpoint_until_an_admin_enables_it,
    dead_after_the_retry_horizon_then_replayed,
    secrets_are_sealed_and_rotate_with_a_grace_period,
    a_slow_receiver_delays_no_request,
    nodes_share_the_work_and_deliver_each_message_once,
    only_admins_manage_endpoints_and_bad_input_is_named,
    a_slow_endpoint_delays_no_other,
);
