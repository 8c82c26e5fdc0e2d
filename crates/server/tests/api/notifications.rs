//! The inbox through the API: who is told of what, in which words, paging and the unread
//! filter, marking read (only one's own), reminders before deadlines (moved by the test's
//! clock), the live unread count over server-sent events, and a user's settings.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::*;

/// The caller's inbox (one page of 200).
async fn inbox(app: &TestApp, token: &str) -> Value {
    json_of(
        app.get(token, "/api/v1/notifications?limit=200").await,
        StatusCode::OK,
    )
    .await
}

/// The kinds in the caller's inbox, newest first.
async fn kinds(app: &TestApp, token: &str) -> Vec<String> {
    inbox(app, token).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn each_side_is_told_what_the_other_did(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let other_seller = app.login("seller02").await;
    let agent = app.login("agent01").await;
    let guard = app.login("guard01").await;

    let id = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    // One notification for the merchant, none for the consumer who filed.
    let mine = inbox(&app, &seller).await;
    assert_eq!(mine["unread"], 1, "{mine}");
    let n = &mine["items"][0];
    assert_eq!(n["kind"], "complaint_filed");
    assert_eq!(n["link"], format!("/complaints/{id}"));
    assert_eq!(n["api"], format!("/api/v1/complaints/{id}"));
    assert_eq!(n["read"], false);
    assert_eq!(n["title"], "收到新投诉");
    assert!(
        n["text"]
            .as_str()
            .unwrap()
            .starts_with(&format!("投诉 #{id}（304不锈钢保温杯 500ml）")),
        "{n}"
    );
    assert!(kinds(&app, &buyer).await.is_empty());
    assert!(kinds(&app, &other_seller).await.is_empty());
    // In English for a caller who asks for it.
    let en: Value = app
        .http
        .get(app.url("/api/v1/notifications"))
        .bearer_auth(&seller)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(en["items"][0]["title"], "new complaint about your shop");
    assert!(
        en["items"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with(&format!("complaint #{id} ("))
    );

    // The merchant's answer tells the consumer.
    app.act_ok(
        &seller,
        id,
        json!({"action": "reject", "message": "使用不当造成"}),
    )
    .await;
    assert_eq!(kinds(&app, &buyer).await, ["rejected"]);
    assert_eq!(kinds(&app, &seller).await, ["complaint_filed"]);
    // A message tells the other side only.
    let r = app
        .post(
            &buyer,
            &format!("/api/v1/complaints/{id}/messages"),
            json!({"body": "杯子确实漏水，照片已上传。"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(kinds(&app, &seller).await, ["message", "complaint_filed"]);
    assert_eq!(kinds(&app, &buyer).await, ["rejected"]);

    app.act_ok(
        &buyer,
        id,
        json!({"action": "escalate", "reason": "商家拒绝处理"}),
    )
    .await;
    app.act_ok(&agent, id, json!({"action": "propose", "remedy": {"kind": "refund", "amount_cents": 4000}, "message": "建议退款40元"}))
        .await;
    app.act_ok(
        &buyer,
        id,
        json!({"action": "escalate", "reason": "只退一半不合理"}),
    )
    .await;
    app.act_ok(
        &guard,
        id,
        json!({"action": "rule", "decision": "uphold", "remedy": {"kind": "refund", "amount_cents": 8900},
               "rule_refs": ["淘宝平台争议处理规则 第十七条"], "reason": "商品存在质量问题"}),
    )
    .await;
    // A ruling tells both sides.
    assert_eq!(kinds(&app, &buyer).await[0], "ruled");
    assert_eq!(kinds(&app, &seller).await[0], "ruled");
    // Staff's own inboxes hold none of it.
    assert!(kinds(&app, &guard).await.is_empty());
}

async fn a_merchant_never_learns_who_reported(backend: Backend) {
    let app = spawn_app(backend).await;
    let holder = app.login("buyer02").await;
    let seller = app.login("seller01").await;
    let r = json_of(
        app.post(
            &holder,
            "/api/v1/reports",
            json!({"shop_id": "shop-a", "kind": "ip_infringement", "listing": "青山牌保温杯 500ml",
                   "description": "该商品使用了我方注册商标“青山”图案，未经授权销售，附商标注册证。"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let holder_id =
        json_of(app.get(&holder, "/api/v1/me").await, StatusCode::OK).await["id"].clone();
    let mine = inbox(&app, &seller).await;
    let kinds: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"listing_taken_down"), "{mine}");
    let text = mine.to_string();
    for leak in ["buyer02", "user:", &format!("report #{}", r["id"])] {
        assert!(!text.contains(leak), "{leak} in {text}");
    }
    assert!(!text.contains(&format!("\"{holder_id}\"")), "{text}");
    // The rights holder hears when the merchant answers.
    let id = r["id"].as_i64().unwrap();
    let r = app
        .post(&seller, &format!("/api/v1/reports/{id}/actions"), json!({"action": "counter_notice", "message": "该图案为本店原创设计，已取得外观专利，不构成侵权。"}))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    assert_eq!(kinds_of(&app, &holder).await, ["counter_noticed"]);
}

async fn kinds_of(app: &TestApp, token: &str) -> Vec<String> {
    kinds(app, token).await
}

async fn paging_the_unread_filter_and_marking_read(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let other = app.login("seller02").await;
    let mut ids = vec![];
    for tag in ["A1", "A2", "A3", "A4", "A5"] {
        ids.push(app.file_ok(&buyer, tag, json!({"kind": "exchange"})).await);
    }
    // Newest first, two at a time.
    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/notifications?limit=2&cursor={c}"),
            None => "/api/v1/notifications?limit=2".into(),
        };
        let page = json_of(app.get(&seller, &path).await, StatusCode::OK).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|n| n["link"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let want: Vec<String> = ids
        .iter()
        .rev()
        .map(|id| format!("/complaints/{id}"))
        .collect();
    assert_eq!(seen, want);

    let all = inbox(&app, &seller).await;
    let nid = |i: usize| all["items"][i]["id"].as_i64().unwrap();
    // Another user's ids change nothing, and say nothing.
    let r = json_of(
        app.post(
            &other,
            "/api/v1/notifications/read",
            json!({"ids": [nid(0), nid(1)]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r, json!({"marked": 0, "unread": 0}));
    assert_eq!(inbox(&app, &seller).await["unread"], 5);
    // The owner's do.
    let r = json_of(
        app.post(
            &seller,
            "/api/v1/notifications/read",
            json!({"ids": [nid(0), nid(1), 999_999]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r, json!({"marked": 2, "unread": 3}));
    let unread = json_of(
        app.get(&seller, "/api/v1/notifications?unread=true").await,
        StatusCode::OK,
    )
    .await;
    let left: Vec<i64> = unread["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect();
    assert_eq!(left, vec![nid(2), nid(3), nid(4)]);
    assert_eq!(inbox(&app, &seller).await["items"][0]["read"], true);
    let r = json_of(
        app.post(&seller, "/api/v1/notifications/read", json!({"all": true}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r, json!({"marked": 3, "unread": 0}));

    // Bad input names its field.
    for body in [
        json!({}),
        json!({"ids": []}),
        json!({"ids": [1], "all": true}),
    ] {
        let v = assert_error(
            app.post(&seller, "/api/v1/notifications/read", body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert!(v["error"]["fields"]["ids"].is_string(), "{v}");
    }
    let v = assert_error(
        app.get(&seller, "/api/v1/notifications?unread=maybe&limit=0")
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(
        v["error"]["fields"]["unread"].is_string() && v["error"]["fields"]["limit"].is_string(),
        "{v}"
    );
    let r = app
        .http
        .get(app.url("/api/v1/notifications"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

/// The reminders in the merchant's inbox, as the complaints they link to.
async fn reminders(app: &TestApp, token: &str) -> Vec<String> {
    inbox(app, token).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "reminder")
        .map(|n| n["link"].as_str().unwrap().to_owned())
        .collect()
}

async fn reminders_come_24h_and_2h_before_and_not_once_answered(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let silent = app.file_ok(&buyer, "A1", json!({"kind": "exchange"})).await;
    let answered = app.file_ok(&buyer, "A2", json!({"kind": "exchange"})).await;
    app.act_ok(
        &seller,
        answered,
        json!({"action": "reject", "message": "已发货，请查看物流"}),
    )
    .await;
    let link = format!("/complaints/{silent}");

    // merchant_reply is 48 h: nothing a second before 24 h are left.
    app.advance(Duration::hours(24) - Duration::seconds(1));
    app.fire().await;
    assert!(reminders(&app, &seller).await.is_empty());
    app.advance(Duration::seconds(1));
    app.fire().await;
    assert_eq!(reminders(&app, &seller).await, vec![link.clone()]);
    // Once, however often the loop goes round.
    app.fire().await;
    assert_eq!(reminders(&app, &seller).await.len(), 1);
    let text = inbox(&app, &seller).await["items"][0]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text.contains("商家回复期限"), "{text}");
    // 2 h before.
    app.advance(Duration::hours(22));
    app.fire().await;
    assert_eq!(reminders(&app, &seller).await, [link.clone(), link.clone()]);
    // The deadline itself: a lapse, no more reminders; the consumer had none for this one.
    app.advance(Duration::hours(3));
    app.fire().await;
    app.fire().await;
    assert_eq!(reminders(&app, &seller).await.len(), 2);
    assert!(
        kinds(&app, &seller)
            .await
            .contains(&"deadline_lapsed".to_owned())
    );
    assert!(reminders(&app, &buyer).await.is_empty());
}

/// A merchant_reply counted in business hours: the deadline the store keeps, the reminder and
/// the lapse all follow the calendar (09:00–18:00 Monday to Friday, Asia/Shanghai).
async fn business_hours_set_the_deadline_its_reminder_and_its_lapse(backend: Backend) {
    let policy = weiquan_domain::Policy::from_toml(
        "[deadlines]\nmerchant_reply = \"16 business hours\"\n[reminders]\nbefore = [\"24h\", \"2h\"]\n",
    )
    .unwrap();
    let app = spawn_with(backend, policy, weiquan_store::blob::DEFAULT_MAX_BLOB).await;
    // The next Monday 10:00 in Shanghai, at least a day ahead of the real time.
    let cn = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let mut day = (app.now() + Duration::days(1))
        .with_timezone(&cn)
        .date_naive();
    while chrono::Datelike::weekday(&day) != chrono::Weekday::Mon {
        day = day.succ_opt().unwrap();
    }
    let at = |d: chrono::NaiveDate, h: u32| {
        d.and_hms_opt(h, 0, 0)
            .unwrap()
            .and_local_timezone(cn)
            .unwrap()
            .to_utc()
    };
    let monday = at(day, 10);
    let tuesday = day.succ_opt().unwrap();
    app.clock.set(monday);
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let id = app.file_ok(&buyer, "A1", json!({"kind": "exchange"})).await;

    // 8 working hours on Monday, 8 on Tuesday: due Tuesday 17:00.
    let c = json_of(
        app.get(&buyer, &format!("/api/v1/complaints/{id}")).await,
        StatusCode::OK,
    )
    .await;
    let due: chrono::DateTime<chrono::Utc> = c["deadline_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due, at(tuesday, 17));
    // Overnight nothing fires, though 24 elapsed hours have passed by Tuesday 10:00; 24
    // business hours before the deadline was before it was set, so that reminder never comes.
    app.clock.set(at(tuesday, 10));
    app.fire().await;
    assert!(reminders(&app, &seller).await.is_empty());
    // 2 working hours before: Tuesday 15:00.
    app.clock.set(at(tuesday, 15) - Duration::seconds(1));
    app.fire().await;
    assert!(reminders(&app, &seller).await.is_empty());
    app.clock.set(at(tuesday, 15));
    app.fire().await;
    assert_eq!(reminders(&app, &seller).await.len(), 1);
    app.clock.set(at(tuesday, 17) - Duration::seconds(1));
    app.fire().await;
    assert!(
        !kinds(&app, &seller)
            .await
            .contains(&"deadline_lapsed".to_owned())
    );
    app.clock.set(at(tuesday, 17));
    app.fire().await;
    assert!(
        kinds(&app, &seller)
            .await
            .contains(&"deadline_lapsed".to_owned())
    );
}

/// Reads server-sent events until one `unread` event arrives; its count.
async fn next_unread(resp: &mut reqwest::Response, buf: &mut String) -> i64 {
    loop {
        if let Some(end) = buf.find("\n\n") {
            let event: String = buf.drain(..end + 2).collect();
            if event.contains("event: unread") {
                let data = event
                    .lines()
                    .find_map(|l| l.strip_prefix("data: "))
                    .unwrap();
                return data.trim().parse().unwrap();
            }
            continue;
        }
        let chunk = resp.chunk().await.unwrap().expect("the stream stays open");
        buf.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

async fn the_unread_count_is_pushed_when_a_complaint_arrives(backend: Backend) {
    let app = spawn_app(backend).await;
    // A node whose periodic re-check never comes within the test: only the wake of the commit
    // can deliver the new count.
    let node = app
        .another_server(|s| s.inbox_recheck = std::time::Duration::from_secs(3600))
        .await;
    let buyer = node.login("buyer01").await;
    let seller = node.login("seller01").await;
    let mut resp = node
        .http
        .get(node.url("/api/v1/notifications/stream"))
        .bearer_auth(&seller)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut buf = String::new();
    assert_eq!(next_unread(&mut resp, &mut buf).await, 0);
    node.file_ok(&buyer, "A1", json!({"kind": "exchange"}))
        .await;
    assert_eq!(next_unread(&mut resp, &mut buf).await, 1);
    node.file_ok(&buyer, "A2", json!({"kind": "exchange"}))
        .await;
    assert_eq!(next_unread(&mut resp, &mut buf).await, 2);
    node.post(&seller, "/api/v1/notifications/read", json!({"all": true}))
        .await;
    assert_eq!(next_unread(&mut resp, &mut buf).await, 0);
    // Without a session: 401 in the envelope.
    let r = node
        .http
        .get(node.url("/api/v1/notifications/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

/// The marketplace's payment system: a failed payment tells both parties (the payee may have to
/// fix the cause, the merchant still owes the remedy); a payment made tells both too.
async fn the_payment_systems_word_tells_both_sides(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = crate::market::service_key(&app, "pay-system", &["remedies:write"]).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let id = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    app.act_ok(&seller, id, json!({"action": "accept"})).await;
    assert_eq!(kinds(&app, &buyer).await, ["accepted"]);
    let pay = |outcome: &'static str, idem: &'static str, body: Value| {
        let (app, key) = (&app, key.clone());
        async move {
            let path = format!("/api/v1/marketplace/remedies/{id}/{outcome}");
            let r = crate::market::send(
                app,
                reqwest::Method::POST,
                &path,
                Some(&key),
                Some(idem),
                &body,
                "zh-CN",
            )
            .await;
            assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        }
    };
    pay("failed", "n-1", json!({"reason": "收款账户已注销"})).await;
    for who in [&buyer, &seller] {
        let inbox = inbox(&app, who).await;
        assert_eq!(inbox["items"][0]["kind"], "payment_failed", "{inbox}");
        assert!(!inbox.to_string().contains("pay-system"), "{inbox}");
    }
    pay("executed", "n-2", json!({})).await;
    assert_eq!(kinds(&app, &buyer).await[0], "fulfilled");
    assert_eq!(kinds(&app, &seller).await[0], "fulfilled");
}

/// A second node's own store on the test's PostgreSQL database, on the test's clock.
async fn second_node(app: &TestApp, blobs: &std::path::Path) -> weiquan_server::AppState {
    let url = app._db.as_ref().unwrap().url.clone();
    let other: std::sync::Arc<dyn weiquan_store::Store> = std::sync::Arc::new(
        weiquan_store::postgres::PgStore::open_with(
            &url,
            blobs,
            weiquan_domain::Policy::default(),
            weiquan_store::blob::DEFAULT_MAX_BLOB,
        )
        .await
        .unwrap(),
    );
    weiquan_server::AppState::new(other).with_clock(app.clock.clone())
}

/// Two nodes run their deadline loops at the same instant: each reminder is sent once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_send_each_reminder_once() {
    let app = spawn_app(Backend::Postgres).await;
    let blobs = tempfile::tempdir().unwrap();
    let other = second_node(&app, blobs.path()).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    for tag in ["A1", "A2", "A3", "A4", "A5"] {
        app.file_ok(&buyer, tag, json!({"kind": "exchange"})).await;
    }
    app.advance(Duration::hours(24));
    let (a, b) = tokio::join!(
        weiquan_server::timers::fire_due(&app.state),
        weiquan_server::timers::fire_due(&other)
    );
    a.unwrap();
    b.unwrap();
    assert_eq!(reminders(&app, &seller).await.len(), 5);
    app.advance(Duration::hours(22));
    let (a, b) = tokio::join!(
        weiquan_server::timers::fire_due(&other),
        weiquan_server::timers::fire_due(&app.state)
    );
    a.unwrap();
    b.unwrap();
    assert_eq!(reminders(&app, &seller).await.len(), 10);
}

/// Another node (its own store on the same PostgreSQL) hears of notifications this node wrote
/// by looking again every `inbox_recheck`: the merchant's stream there sees the count rise.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_nodes_notifications_reach_the_stream() {
    let app = spawn_app(Backend::Postgres).await;
    let blobs = tempfile::tempdir().unwrap();
    let mut state = second_node(&app, blobs.path()).await;
    state.inbox_recheck = std::time::Duration::from_millis(200);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(weiquan_server::serve(state, listener, None));

    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let mut resp = loop {
        // Polled until the node answers.
        if let Ok(r) = app
            .http
            .get(format!("{base}/api/v1/notifications/stream"))
            .bearer_auth(&seller)
            .send()
            .await
        {
            break r;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(resp.status(), StatusCode::OK);
    let mut buf = String::new();
    assert_eq!(next_unread(&mut resp, &mut buf).await, 0);
    // Filed on the first node: the second has no wake for it, only its re-check.
    app.file_ok(&buyer, "A1", json!({"kind": "exchange"})).await;
    assert_eq!(next_unread(&mut resp, &mut buf).await, 1);
}

async fn settings_are_validated_and_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let seller = app.login("seller01").await;
    let s = json_of(
        app.get(&seller, "/api/v1/me/settings").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(s, json!({"lang": "zh", "email": null, "juror": false}));
    let put = |body: Value| {
        let app = &app;
        let seller = seller.clone();
        async move {
            app.http
                .put(app.url("/api/v1/me/settings"))
                .bearer_auth(&seller)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let v = assert_error(
        put(json!({"lang": "fr", "email": "not an address"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(
        v["error"]["fields"]["lang"].is_string() && v["error"]["fields"]["email"].is_string(),
        "{v}"
    );
    // Nothing was lost to the bad request.
    let s = json_of(
        app.get(&seller, "/api/v1/me/settings").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(s, json!({"lang": "zh", "email": null, "juror": false}));
    let s = json_of(
        put(json!({"lang": "en", "email": " shop@example.com "})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        s,
        json!({"lang": "en", "email": "shop@example.com", "juror": false})
    );
    let s = json_of(put(json!({"email": ""})).await, StatusCode::OK).await;
    assert_eq!(s, json!({"lang": "en", "email": null, "juror": false}));
}

both_backends!(
    each_side_is_told_what_the_other_did,
    a_merchant_never_learns_who_reported,
    paging_the_unread_filter_and_marking_read,
    reminders_come_24h_and_2h_before_and_not_once_answered,
    business_hours_set_the_deadline_its_reminder_and_its_lapse,
    the_unread_count_is_pushed_when_a_complaint_arrives,
    settings_are_validated_and_kept,
    the_payment_systems_word_tells_both_sides,
);
