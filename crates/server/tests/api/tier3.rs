//! Tiers 2 and 3: reports, cases, the penalty ladder and its appeal and expiry, the IP
//! counter-notice timer, and the commitment monitors.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use weiquan_domain::records::{OrderItem, OrderRecord};
use weiquan_domain::*;

use crate::both_backends;
use crate::helpers::*;

async fn standing(app: &TestApp, shop: &str) -> Value {
    json_of(
        app.http
            .get(app.url(&format!("/api/v1/shops/{shop}")))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await
}

async fn report(app: &TestApp, token: &str, body: Value) -> Value {
    json_of(
        app.post(token, "/api/v1/reports", body).await,
        StatusCode::CREATED,
    )
    .await
}

fn brushing(shop: &str) -> Value {
    json!({"shop_id": shop, "kind": "fake_transactions",
           "description": "这家店大量五星好评都来自同一批新注册账号，评价内容雷同，疑似刷单。"})
}

/// Reports the shop and sanctions the case the report opened with `points`.
async fn sanction(app: &TestApp, buyer: &str, regulator: &str, points: u32) -> Value {
    let r = report(app, buyer, brushing("shop-a")).await;
    let case = r["case_id"].as_i64().unwrap();
    json_of(
        app.post(
            regulator,
            &format!("/api/v1/cases/{case}/actions"),
            json!({"action": "sanction", "reasons": "经核查存在虚假交易", "rule_refs": ["淘宝规则 虚假交易"], "points": points}),
        )
        .await,
        StatusCode::OK,
    )
    .await
}

async fn points_climb_the_ladder_and_penalties_end_or_are_appealed(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let regulator = app.login("regulator01").await;
    let seller = app.login("seller01").await;
    let other_seller = app.login("seller02").await;
    let guard = app.login("guard01").await;

    let s = standing(&app, "shop-a").await;
    assert_eq!(
        (s["points"].as_i64(), s["search_weight"].as_f64()),
        (Some(0), Some(1.0))
    );

    // 11 points: below the first step.
    let case = sanction(&app, &buyer, &regulator, 11).await;
    assert_eq!(case["state"], "sanctioned");
    assert_eq!(case["outcome"]["points"], 11);
    let s = standing(&app, "shop-a").await;
    assert_eq!(s["points"], 11);
    assert_eq!(s["active_penalties"], json!([]));
    // 12: traffic limited for 7 days.
    sanction(&app, &buyer, &regulator, 1).await;
    let s = standing(&app, "shop-a").await;
    assert_eq!(s["points"], 12);
    assert_eq!(s["search_weight"], 0.5);
    assert_eq!(s["status"], "restricted");
    assert_eq!(s["active_penalties"][0]["penalty"], "traffic_limit");
    // 24, 36, 48: listing ban, hidden, closed.
    sanction(&app, &buyer, &regulator, 12).await;
    let s = standing(&app, "shop-a").await;
    assert_eq!(s["search_weight"], 0.3);
    assert_eq!(s["active_penalties"].as_array().unwrap().len(), 2);
    sanction(&app, &buyer, &regulator, 12).await;
    assert_eq!(standing(&app, "shop-a").await["search_weight"], 0.0);
    sanction(&app, &buyer, &regulator, 12).await;
    let s = standing(&app, "shop-a").await;
    assert_eq!(s["points"], 48);
    assert_eq!(s["status"], "closed");
    let kinds: Vec<&str> = s["active_penalties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["penalty"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["traffic_limit", "listing_ban", "hide_shop", "close_shop"]
    );
    // The other shop is untouched.
    assert_eq!(standing(&app, "shop-b").await["points"], 0);

    // Appeal the closure: the merchant once, decided by protection.
    let close_id = s["active_penalties"][3]["id"].as_i64().unwrap();
    let appeal = format!("/api/v1/shops/shop-a/penalties/{close_id}/appeal");
    assert_error(
        app.post(
            &other_seller,
            &appeal,
            json!({"reason": "不是我的店铺的问题"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    json_of(
        app.post(
            &seller,
            &appeal,
            json!({"reason": "被恶意举报，附上物流记录证明交易真实"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_error(
        app.post(&seller, &appeal, json!({"reason": "再申诉一次试试"}))
            .await,
        StatusCode::CONFLICT,
        "appeal_used",
    )
    .await;
    let decision = format!("{appeal}/decision");
    assert_error(
        app.post(
            &seller,
            &decision,
            json!({"decision": "overturned", "reason": "商家想自己裁决撤销"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    json_of(
        app.post(
            &guard,
            &decision,
            json!({"decision": "overturned", "reason": "物流记录证明交易真实，撤销关店"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let s = standing(&app, "shop-a").await;
    assert_eq!(s["status"], "restricted");
    assert_eq!(s["active_penalties"].as_array().unwrap().len(), 3);

    // Time passes: the timers lift each penalty at its end (7, 14 and 30 days), once.
    let start = app.now();
    for (days, left) in [(6, 3), (8, 2), (15, 1), (31, 0), (60, 0)] {
        app.clock.set(start + Duration::days(days));
        app.fire().await;
        app.fire().await;
        let s = standing(&app, "shop-a").await;
        assert_eq!(
            s["active_penalties"].as_array().unwrap().len(),
            left,
            "after {days} days: {s}"
        );
        // The overturned closure was lifted by its appeal; each other one by its own timer.
        assert_eq!(
            shop_event_count(&app, "penalty_lifted").await,
            4 - left,
            "after {days} days"
        );
    }
    let s = standing(&app, "shop-a").await;
    assert_eq!(
        (s["status"].as_str(), s["search_weight"].as_f64()),
        (Some("open"), Some(1.0))
    );
    assert_eq!(shop_event_count(&app, "violation_recorded").await, 5);
    assert_eq!(shop_event_count(&app, "penalty_applied").await, 4);
    assert_eq!(shop_event_count(&app, "penalty_appealed").await, 1);
}

/// How many of shop-a's published events are of a kind.
async fn shop_event_count(app: &TestApp, kind: &str) -> usize {
    let events: Value = json_of(
        app.http
            .get(app.url("/api/v1/shops/shop-a/events"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .count()
}

async fn ip_notice_counter_notice_and_restore(backend: Backend) {
    let app = spawn_app(backend).await;
    let holder = app.login("buyer02").await;
    let seller = app.login("seller01").await;
    let other = app.login("buyer01").await;
    let ip = |listing: &str| {
        json!({"shop_id": "shop-a", "kind": "ip_infringement", "listing": listing,
               "description": "该商品使用了我方注册商标“青山”图案，未经授权销售，附商标注册证。"})
    };
    // An IP notice must name the listing.
    let v = assert_error(
        app.post(&holder, "/api/v1/reports", json!({"shop_id": "shop-a", "kind": "ip_infringement", "description": "商标侵权，请处理这家店铺。"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(v["error"]["fields"]["listing"].is_string(), "{v}");

    let r = report(&app, &holder, ip("青山牌保温杯 500ml")).await;
    assert_eq!(r["state"], "taken_down");
    assert_eq!(
        standing(&app, "shop-a").await["listings_down"],
        json!(["青山牌保温杯 500ml"])
    );
    let id = r["id"].as_i64().unwrap();
    // Forwarded to the merchant; invisible to other consumers.
    let mine: Value = json_of(app.get(&seller, "/api/v1/reports").await, StatusCode::OK).await;
    assert_eq!(mine["items"][0]["id"], id);
    assert_eq!(
        app.get(&other, &format!("/api/v1/reports/{id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    let act = format!("/api/v1/reports/{id}/actions");
    assert_error(
        app.post(
            &holder,
            &act,
            json!({"action": "counter_notice", "message": "我不是商家，但也想声明一下不侵权"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let r = json_of(
        app.post(&seller, &act, json!({"action": "counter_notice", "message": "该图案为本店原创设计，已取得外观专利，不构成侵权。"})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["state"], "counter_noticed");
    assert!(r["restore_at"].is_string());

    // Fifteen days pass and the rights holder does nothing: the listing comes back, once.
    let start = app.now();
    app.clock.set(start + Duration::days(14));
    app.fire().await;
    assert_eq!(report_state(&app, &holder, id).await, "counter_noticed");
    app.clock.set(start + Duration::days(16));
    app.fire().await;
    assert_eq!(report_state(&app, &holder, id).await, "restored");
    assert_eq!(standing(&app, "shop-a").await["listings_down"], json!([]));
    app.clock.set(start + Duration::days(17));
    app.fire().await;
    assert_eq!(
        report_kinds(&app, &holder, id).await,
        ["reported", "counter_noticed", "listing_restored"]
    );

    // A second notice where the rights holder goes to court: it stays down, no timer left.
    let r = report(&app, &holder, ip("青山牌保温壶 1L")).await;
    let id2 = r["id"].as_i64().unwrap();
    let act2 = format!("/api/v1/reports/{id2}/actions");
    json_of(
        app.post(
            &seller,
            &act2,
            json!({"action": "counter_notice", "message": "本店商品为自有品牌，并无侵权行为。"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let r = json_of(
        app.post(
            &holder,
            &act2,
            json!({"action": "legal_action", "message": "已向人民法院提起诉讼，案号附后"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["state"], "kept_down");
    assert_eq!(
        standing(&app, "shop-a").await["listings_down"],
        json!(["青山牌保温壶 1L"])
    );
    assert_eq!(r["restore_at"], Value::Null);
    app.advance(Duration::days(40));
    app.fire().await;
    // Forty days on, the sessions of then have expired.
    let (holder, seller) = (app.login("buyer02").await, app.login("seller01").await);
    assert_eq!(report_state(&app, &holder, id2).await, "kept_down");
    assert_eq!(
        standing(&app, "shop-a").await["listings_down"],
        json!(["青山牌保温壶 1L"])
    );
    assert_error(
        app.post(
            &seller,
            &act2,
            json!({"action": "counter_notice", "message": "再次声明没有侵权行为"}),
        )
        .await,
        StatusCode::CONFLICT,
        "invalid_state",
    )
    .await;
    assert_eq!(
        report_kinds(&app, &holder, id2).await,
        ["reported", "counter_noticed", "legal_action_notified"]
    );
}

async fn report_state(app: &TestApp, token: &str, id: i64) -> Value {
    json_of(
        app.get(token, &format!("/api/v1/reports/{id}")).await,
        StatusCode::OK,
    )
    .await["state"]
        .clone()
}

async fn report_kinds(app: &TestApp, token: &str, id: i64) -> Vec<String> {
    let events: Value = json_of(
        app.get(token, &format!("/api/v1/reports/{id}/events"))
            .await,
        StatusCode::OK,
    )
    .await;
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn cases_are_investigated_and_decided_with_published_reasons(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let agent = app.login("agent01").await;
    let regulator = app.login("regulator01").await;
    let seller = app.login("seller01").await;
    let other_seller = app.login("seller02").await;

    // Who may report: consumers, and agents for a consumer who phoned.
    assert_error(
        app.post(&seller, "/api/v1/reports", brushing("shop-b"))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        app.post(&agent, "/api/v1/reports", brushing("shop-a"))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    let first = report(&app, &buyer, brushing("shop-a")).await;
    let mut phoned = brushing("shop-a");
    phoned["on_behalf_of"] = json!("buyer02");
    let second = report(&app, &agent, phoned).await;
    assert_eq!(second["channel"], "phone");
    // Both join the one open case about the shop; the merchant never learns who reported.
    assert_eq!(first["case_id"], second["case_id"]);
    let case_id = first["case_id"].as_i64().unwrap();
    let case_url = format!("/api/v1/cases/{case_id}");
    let c = json_of(app.get(&seller, &case_url).await, StatusCode::OK).await;
    assert_eq!(c["reports"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.get(&seller, &format!("/api/v1/reports/{}", first["id"]))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&other_seller, &case_url).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&buyer, &case_url).await.status(),
        StatusCode::NOT_FOUND
    );
    let listed = json_of(
        app.get(&other_seller, "/api/v1/cases").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["items"], json!([]));

    let act = format!("{case_url}/actions");
    assert_error(
        app.post(
            &seller,
            &act,
            json!({"action": "respond", "message": "我们没有刷单行为"}),
        )
        .await,
        StatusCode::CONFLICT,
        "invalid_state",
    )
    .await;
    assert_error(
        app.post(&agent, &act, json!({"action": "investigate"}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let c = json_of(
        app.post(
            &regulator,
            &act,
            json!({"action": "investigate", "message": "调取订单与物流数据"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["state"], "investigating");
    let c = json_of(
        app.post(
            &regulator,
            &act,
            json!({"action": "request_evidence", "message": "请提供近30天订单的物流签收记录"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(c["evidence_due_at"].is_string(), "{c}");
    let c = json_of(
        app.post(
            &seller,
            &act,
            json!({"action": "respond", "message": "已上传物流签收记录，均为真实交易"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["evidence_due_at"], Value::Null);
    // A sanction must cite rules; a dismissal must give reasons.
    let v = assert_error(
        app.post(
            &regulator,
            &act,
            json!({"action": "sanction", "reasons": "刷单属实"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(v["error"]["fields"]["rule_refs"].is_string(), "{v}");
    let c = json_of(
        app.post(
            &regulator,
            &act,
            json!({"action": "dismiss", "reasons": "物流记录证明交易真实，证据不足"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["state"], "dismissed");
    assert_eq!(c["outcome"]["reasons"], "物流记录证明交易真实，证据不足");
    assert_error(
        app.post(&regulator, &act, json!({"action": "investigate"}))
            .await,
        StatusCode::CONFLICT,
        "invalid_state",
    )
    .await;
    assert_eq!(standing(&app, "shop-a").await["points"], 0);
    let r = json_of(
        app.get(&buyer, &format!("/api/v1/reports/{}", first["id"]))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["state"], "closed");

    let events = json_of(
        app.get(&regulator, &format!("{case_url}/events")).await,
        StatusCode::OK,
    )
    .await;
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "opened",
            "report_added",
            "report_added",
            "investigation_started",
            "evidence_requested",
            "merchant_responded",
            "dismissed"
        ]
    );
    for (i, e) in events.as_array().unwrap().iter().enumerate().skip(1) {
        assert_eq!(e["prev_hash"], events[i - 1]["hash"]);
    }
    // A new report opens a new case.
    let third = report(&app, &buyer, brushing("shop-a")).await;
    assert_ne!(third["case_id"], first["case_id"]);
}

fn order_record(
    n: u64,
    buyer: &str,
    paid_ago: Duration,
    ship_after: Option<Duration>,
    delivered_ago: Option<Duration>,
) -> OrderRecord {
    let paid = Utc::now() - paid_ago;
    OrderRecord {
        order_no: OrderNo::parse(&format!("2026110200000000{n:02}")).unwrap(),
        buyer: Username::parse(buyer).unwrap(),
        shop_id: ShopId::parse("shop-a").unwrap(),
        items: vec![OrderItem {
            title: "304不锈钢保温杯 500ml".into(),
            price_cents: Cents::new(8900).unwrap(),
            qty: 1,
            return_exempt: None,
        }],
        amount_cents: Cents::new(8900).unwrap(),
        paid_at: paid,
        shipped_at: ship_after.map(|d| paid + d),
        delivered_at: delivered_ago.map(|d| Utc::now() - d),
    }
}

async fn monitors_find_broken_promises(backend: Backend) {
    let app = spawn_app(backend).await;
    let store = &app.store;
    // shop-a promises shipping within 48 h, 7-day returns and authentic goods.
    let orders = vec![
        order_record(
            1,
            "buyer01",
            Duration::days(5),
            Some(Duration::hours(72)),
            None,
        ), // shipped late
        order_record(2, "buyer01", Duration::days(5), None, None), // never shipped
        order_record(
            3,
            "buyer01",
            Duration::days(5),
            Some(Duration::hours(20)),
            None,
        ), // on time
        order_record(4, "buyer01", Duration::days(1), None, None), // not yet due
        order_record(
            5,
            "buyer01",
            Duration::days(4),
            Some(Duration::hours(10)),
            Some(Duration::days(1)),
        ),
        order_record(
            6,
            "buyer01",
            Duration::days(4),
            Some(Duration::hours(10)),
            Some(Duration::days(1)),
        ),
    ];
    assert!(
        store
            .import_orders(orders, app.now())
            .await
            .unwrap()
            .iter()
            .all(|r| r.is_ok())
    );
    // A round of the deadline loop runs the monitor; each order past its promise is checked once.
    let shop_a = ShopId::parse("shop-a").unwrap();
    app.fire().await;
    app.fire().await;
    let late = store
        .shop_events(&shop_a)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "violation_recorded")
        .map(|e| e.data)
        .collect::<Vec<Value>>();
    assert_eq!(late.len(), 2, "{late:?}");
    for v in &late {
        assert_eq!(v["kind"], "late_shipment");
        assert_eq!(v["compensation_cents"], 445); // 5 % of ¥89
    }
    let orders: Vec<&str> = late
        .iter()
        .map(|v| v["order_no"].as_str().unwrap())
        .collect();
    assert!(orders.contains(&"202611020000000001") && orders.contains(&"202611020000000002"));
    assert_eq!(
        store.sweep_monitors(app.now(), 1000).await.unwrap(),
        0,
        "each order once"
    );

    // A refused return within seven days of delivery breaks the 7-day promise.
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let guard = app.login("guard01").await;
    let mut body = complaint_body("202611020000000005", json!({"kind": "return"}));
    body["category"] = json!("return_refused");
    body["description"] = json!("商品未拆封，申请七天无理由退货，商家拒绝且不给理由。");
    let id = json_of(app.file(&buyer, body).await, StatusCode::CREATED).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(
        &seller,
        id,
        json!({"action": "reject", "message": "不支持退货"}),
    )
    .await;
    // A complaint that is not about a return breaks no promise by being rejected.
    let other = app.file_ok(&buyer, "A1", json!({"kind": "exchange"})).await;
    app.act_ok(
        &seller,
        other,
        json!({"action": "reject", "message": "不予换货"}),
    )
    .await;

    // A counterfeit ruling on an authentic-guarantee shop, fraud found: at least ¥500.
    let mut body = complaint_body(
        "202611020000000006",
        json!({"kind": "refund", "amount_cents": 8900}),
    );
    body["category"] = json!("counterfeit");
    body["description"] = json!("收到的保温杯防伪码查询无效，做工与正品明显不同，是假货。");
    let fake = json_of(app.file(&buyer, body).await, StatusCode::CREATED).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(
        &seller,
        fake,
        json!({"action": "reject", "message": "我们卖的是正品"}),
    )
    .await;
    let c = app
        .act_ok(&buyer, fake, json!({"action": "escalate"}))
        .await;
    assert_eq!(c["state"], "protection_review", "counterfeit is major");
    app.act_ok(
        &guard,
        fake,
        json!({"action": "rule", "decision": "uphold", "remedy": {"kind": "refund", "amount_cents": 8900},
               "rule_refs": ["淘宝平台争议处理规则 第二十条"], "reason": "品牌方鉴定为假货", "fraud": true}),
    )
    .await;

    let events = store
        .shop_events(&ShopId::parse("shop-a").unwrap())
        .await
        .unwrap();
    let kinds: Vec<(String, Value)> = events
        .iter()
        .filter(|e| e.kind == "violation_recorded")
        .map(|e| {
            (
                e.data["kind"].as_str().unwrap().to_owned(),
                e.data["compensation_cents"].clone(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("late_shipment".to_owned(), json!(445)),
            ("late_shipment".to_owned(), json!(445)),
            ("return_refused".to_owned(), Value::Null),
            ("counterfeit".to_owned(), json!(50000)),
        ]
    );
    // 1 + 1 + 4 + 12 = 18 points: over the first step.
    let s = standing(&app, "shop-a").await;
    assert_eq!(s["points"], 18);
    assert_eq!(s["active_penalties"][0]["penalty"], "traffic_limit");
}

both_backends!(
    points_climb_the_ladder_and_penalties_end_or_are_appealed,
    ip_notice_counter_notice_and_restore,
    cases_are_investigated_and_decided_with_published_reasons,
    monitors_find_broken_promises,
);

/// Six consumers, six wordings of one problem with one shop's cups, and one unrelated complaint.
const WAVE: [&str; 6] = [
    "保温杯盖子拧紧后还是漏水，倒过来水一直往外渗，杯子根本没法装水带出门。",
    "买的保温杯漏水，杯盖密封圈有问题，放在包里把东西都弄湿了。",
    "杯子装热水后从杯盖处漏水，密封不严，拧紧也没用。",
    "保温杯密封圈太松，一倒过来就漏水，质量太差了。",
    "收到的不锈钢保温杯杯盖漏水，水从缝隙里流出来。",
    "这个杯子的盖子封不住水，刚灌满开水就渗出来，还漏了一桌子。",
];

/// Orders 11.. for the wave's consumers `wave01`…, one each.
async fn import_wave_orders(store: &dyn weiquan_store::Store, n: u64) {
    let orders = (1..=n)
        .map(|i| {
            order_record(
                10 + i,
                &format!("wave{i:02}"),
                Duration::days(6),
                Some(Duration::hours(5)),
                Some(Duration::days(3)),
            )
        })
        .collect();
    assert!(
        store
            .import_orders(orders, Utc::now())
            .await
            .unwrap()
            .iter()
            .all(|r| r.is_ok())
    );
}

/// The `i`-th (from 0) wave consumer's complaint about their order, in `text` (the category
/// and product of [`complaint_body`] unless given).
async fn file_wave_complaint(
    store: &dyn weiquan_store::Store,
    i: usize,
    text: &str,
    category: Option<&str>,
    product: Option<&str>,
) -> weiquan_domain::Complaint {
    let user = store
        .user_by_username(&format!("wave{:02}", i + 1))
        .await
        .unwrap()
        .unwrap();
    let mut body = complaint_body(
        &format!("2026110200000000{:02}", 11 + i),
        json!({"kind": "refund", "amount_cents": 8900}),
    );
    body["description"] = json!(text);
    if let Some(category) = category {
        body["category"] = json!(category);
    }
    if let Some(product) = product {
        body["product"] = json!(product);
    }
    let req: weiquan_domain::complaint::FileComplaintRequest =
        serde_json::from_value(body).unwrap();
    store
        .file_complaint(
            &user.actor(),
            NewComplaint::parse(&req).unwrap(),
            Channel::Web,
            Utc::now(),
        )
        .await
        .unwrap()
}

async fn a_wave_of_similar_complaints_is_one_collective_case(backend: Backend) {
    let app = spawn_app(backend).await;
    let store = app.store.as_ref();
    import_wave_orders(store, 7).await;
    let mut ids = vec![];
    for (i, text) in WAVE
        .iter()
        .chain(["下单一周了商家还没有发货，催了好几次都说在安排，也不给个准信。"].iter())
        .enumerate()
    {
        let category = (i == 6).then_some("late_shipment");
        let c = file_wave_complaint(store, i, text, category, None).await;
        // The filing answers with the complaint as it stands: the fifth opens the case, the
        // sixth joins it, and both come back linked and major.
        assert_eq!(c.major, (4..6).contains(&i), "{i}");
        assert_eq!(c.collective_case_id.is_some(), (4..6).contains(&i), "{i}");
        ids.push(c.id.0);
    }
    let regulator = app.login("regulator01").await;
    let cases = json_of(
        app.get(&regulator, "/api/v1/cases?state=open").await,
        StatusCode::OK,
    )
    .await;
    let collective: Vec<&Value> = cases["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "collective")
        .collect();
    assert_eq!(collective.len(), 1, "{cases}");
    let case = collective[0];
    let members: Vec<i64> = case["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_i64().unwrap())
        .collect();
    assert_eq!(
        members,
        ids[..6].to_vec(),
        "the six, not the late-shipping one"
    );
    let agent = app.login("agent01").await;
    for id in &ids[..6] {
        let c = json_of(
            app.get(&agent, &format!("/api/v1/complaints/{id}")).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(c["major"], true);
        assert_eq!(c["collective_case_id"], case["id"]);
    }
    let c = json_of(
        app.get(&agent, &format!("/api/v1/complaints/{}", ids[6]))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["major"], false);
    let case_id = case["id"].as_i64().unwrap();
    let events = json_of(
        app.get(&regulator, &format!("/api/v1/cases/{case_id}/events"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "regulators_notified")
    );

    // One ruling: six remedies, one sanction.
    let c = json_of(
        app.post(&regulator, &format!("/api/v1/cases/{case_id}/actions"),
            json!({"action": "sanction", "reasons": "同批次保温杯杯盖密封圈缺陷，商家未召回", "rule_refs": ["淘宝规则 第五十二条"],
                   "remedy": {"kind": "refund", "amount_cents": 8900}}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["state"], "sanctioned");
    for id in &ids[..6] {
        let c = json_of(
            app.get(&agent, &format!("/api/v1/complaints/{id}")).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(c["state"], "resolved", "{c}");
        assert_eq!(
            c["progress"]["resolution"]["remedy"]["amount_cents"], 8900,
            "{c}"
        );
    }
    let c = json_of(
        app.get(&agent, &format!("/api/v1/complaints/{}", ids[6]))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["state"], "awaiting_merchant");
    let events = store
        .shop_events(&ShopId::parse("shop-a").unwrap())
        .await
        .unwrap();
    let sanctions: Vec<&Value> = events
        .iter()
        .filter(|e| e.kind == "violation_recorded")
        .map(|e| &e.data)
        .collect();
    assert_eq!(sanctions.len(), 1, "{sanctions:?}");
    assert_eq!(sanctions[0]["kind"], "collective");
    assert_eq!(sanctions[0]["points"], 12);
}

/// Five consumers whose orders of different items the shop has not shipped.
const NOT_SHIPPED: [(&str, &str); 5] = [
    (
        "LED护眼台灯",
        "拍下五天了商家还没发货，说好48小时内发货，催了也不发。",
    ),
    (
        "加厚收纳箱",
        "付款五天了还没发货，页面写的48小时内发货，客服只说在安排。",
    ),
    (
        "棉麻拖鞋",
        "下单快一周商家还没有发货，承诺48小时内发货，催了两次没用。",
    ),
    (
        "长柄雨伞",
        "五天了还是待发货，说好48小时内发货的，商家一直拖着不发。",
    ),
    (
        "编织数据线",
        "48小时内发货是骗人的，拍下五天了还没发货，催发货也不理。",
    ),
];

/// Complaints about the goods are about one item: the wave's words about two cups are two
/// issues, neither big enough for a case. The shop's conduct is one issue on any item: five
/// consumers not sent five different things make one case.
async fn a_wave_is_about_one_item_unless_about_the_shop(backend: Backend) {
    let app = spawn_app(backend).await;
    let store = app.store.as_ref();
    import_wave_orders(store, 11).await;
    for (i, text) in WAVE.iter().enumerate() {
        let product = ["304不锈钢保温杯 500ml", "儿童吸管水杯 300ml"][i % 2];
        let c = file_wave_complaint(store, i, text, None, Some(product)).await;
        assert_eq!(c.collective_case_id, None, "{i}: {text}");
    }
    for (k, (product, text)) in NOT_SHIPPED.iter().enumerate() {
        let c = file_wave_complaint(store, 6 + k, text, Some("late_shipment"), Some(product)).await;
        assert_eq!(c.collective_case_id.is_some(), k == 4, "{k}: {text}");
    }
}

both_backends!(
    a_wave_of_similar_complaints_is_one_collective_case,
    a_wave_is_about_one_item_unless_about_the_shop,
);

/// Two nodes on one PostgreSQL database take turns filing one wave: each node's window of the
/// shop catches up with the other's filings, so the wave is one case with every member.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wave_filed_through_two_nodes_is_one_case() {
    let app = spawn_app(Backend::Postgres).await;
    let db = app._db.as_ref().expect("a PostgreSQL app has its database");
    let other = weiquan_store::postgres::PgStore::open(
        &db.url,
        &app._dir.path().join("blobs"),
        Policy::default(),
    )
    .await
    .unwrap();
    let nodes: [&dyn weiquan_store::Store; 2] = [app.store.as_ref(), &other];
    import_wave_orders(app.store.as_ref(), 6).await;
    let mut ids = vec![];
    for (i, text) in WAVE.iter().enumerate() {
        // Another category for one filing on each node: those two join through their words.
        let category = (i == 1 || i == 4).then_some("not_as_described");
        let c = file_wave_complaint(nodes[i % 2], i, text, category, None).await;
        ids.push(c.id.0);
    }
    let regulator = app
        .store
        .user_by_username("regulator01")
        .await
        .unwrap()
        .unwrap()
        .actor();
    let mut cases = std::collections::BTreeSet::new();
    for id in &ids {
        let c = app
            .store
            .complaint(&regulator, ComplaintId(*id))
            .await
            .unwrap();
        assert!(c.major, "{id}");
        cases.insert(c.collective_case_id.expect("linked to the wave's case"));
    }
    assert_eq!(cases.len(), 1, "{cases:?}");
}
