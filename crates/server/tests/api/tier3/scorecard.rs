//! `GET /shops/{id}/scorecard`: the shop's public record over 30 and 90 days, read by anyone,
//! in the caller's language, with nothing that names a complaint, an order or a person; and a
//! sanction is on it (and on the shop's penalties and events) the moment it is decided.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use weiquan_domain::records::{OrderItem, OrderRecord};
use weiquan_domain::*;

use super::*;
use crate::both_backends;

async fn scorecard(app: &TestApp, shop: &str, lang: &str) -> Value {
    let r = app
        .http
        .get(app.url(&format!("/api/v1/shops/{shop}/scorecard")))
        .header("Accept-Language", lang)
        .send()
        .await
        .unwrap();
    json_of(r, StatusCode::OK).await
}

fn measure<'a>(card: &'a Value, days: i64, key: &str) -> &'a Value {
    card["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["days"] == days)
        .unwrap()["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == key)
        .unwrap_or_else(|| panic!("{key} in {card}"))
}

/// `n` more orders of buyer02 at shop-a, paid a day ago.
async fn more_orders(app: &TestApp, n: u64) {
    let paid = app.now() - Duration::days(1);
    let orders = (0..n)
        .map(|i| OrderRecord {
            order_no: OrderNo::parse(&format!("2026113000{i:08}")).unwrap(),
            buyer: Username::parse("buyer02").unwrap(),
            shop_id: ShopId::parse("shop-a").unwrap(),
            items: vec![OrderItem {
                title: "304不锈钢保温杯 500ml".into(),
                price_cents: Cents::new(8900).unwrap(),
                qty: 1,
                return_exempt: None,
            }],
            amount_cents: Cents::new(8900).unwrap(),
            paid_at: paid,
            shipped_at: None,
            delivered_at: None,
        })
        .collect();
    let out = app.store.import_orders(orders, app.now()).await.unwrap();
    assert!(out.iter().all(|r| r.is_ok()));
}

async fn anyone_reads_a_shops_scorecard_in_their_language(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;

    // Nothing yet: every rate and share says why it has no value.
    let card = scorecard(&app, "shop-a", "en").await;
    assert_eq!(card["shop_id"], "shop-a");
    assert_eq!(card["min_orders"], 100);
    let days: Vec<i64> = card["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["days"].as_i64().unwrap())
        .collect();
    assert_eq!(days, [30, 90]);
    let rate = measure(&card, 30, "complaint_rate");
    assert_eq!(rate["rated"], false);
    assert_eq!(rate["value"], Value::Null);
    assert_eq!(rate["label"], "complaints per 1,000 orders");
    assert_eq!(
        rate["display"],
        "too few orders to rate (6 orders; at least 100 needed)"
    );
    assert!(
        rate["explanation"]
            .as_str()
            .unwrap()
            .starts_with("Complaints consumers filed")
    );

    // Five complaints: three answered at once, two left past their deadline (the deadline loop
    // has not fired them: still waiting counts as late).
    let mut ids = vec![];
    for tag in ["A1", "A2", "A3", "A4", "A5"] {
        ids.push(app.file_ok(&buyer, tag, json!({"kind": "exchange"})).await);
    }
    app.advance(Duration::minutes(30));
    for id in &ids[..3] {
        app.act_ok(&seller, *id, json!({"action": "accept"})).await;
    }
    app.advance(Duration::hours(49));
    more_orders(&app, 100).await;

    let zh = scorecard(&app, "shop-a", "zh-CN").await;
    let rate = measure(&zh, 30, "complaint_rate");
    assert_eq!(rate["label"], "每千单投诉数");
    assert_eq!(
        (rate["count"].as_i64(), rate["sample"].as_i64()),
        (Some(5), Some(106))
    );
    let expected = 5000.0 / 106.0;
    assert!((rate["value"].as_f64().unwrap() - expected).abs() < 1e-9);
    assert_eq!(rate["display"], format!("每千单 {expected:.1} 起"));
    let in_time = measure(&zh, 30, "answered_in_time");
    assert_eq!(in_time["value"], 0.6, "{in_time}");
    assert_eq!(in_time["display"], "60.0%");
    assert_eq!(in_time["sample_text"], "5 起投诉");
    let median = measure(&zh, 90, "median_first_answer");
    assert_eq!(median["sample"], 3);
    assert_eq!(
        median["display"],
        "答复太少，暂不评级（3 次答复，至少需要 5 次答复）"
    );
    // Three resolved by the shop's own acceptance: too few to rate.
    let resolved = measure(&zh, 30, "resolved_without_staff");
    assert_eq!(
        (resolved["count"].as_i64(), resolved["sample"].as_i64()),
        (Some(3), Some(3))
    );
    assert_eq!(resolved["value"], Value::Null);
    // Two orders whose complaint the shop left unanswered past its deadline.
    let defects = measure(&zh, 30, "order_defect_rate");
    assert_eq!(defects["count"], 2);
    assert_eq!(defects["display"], "1.89%");
    assert_eq!(zh["active_penalties"]["display"], "无");

    // Nothing that names a complaint, an order or a person, for anyone.
    let body = zh.to_string();
    let order_no = order("A1");
    for secret in [
        order_no.as_str(),
        "buyer01",
        "seller01",
        "304不锈钢",
        "\"id\"",
    ] {
        assert!(!body.contains(secret), "{secret} in {body}");
    }
    // `?lang=` wins over the header.
    let r = app
        .get_public("/api/v1/shops/shop-a/scorecard?lang=en")
        .await;
    let en = json_of(r, StatusCode::OK).await;
    assert_eq!(en["windows"][0]["title"], "last 30 days");

    // No such shop.
    let r = app.get_public("/api/v1/shops/shop-zz/scorecard").await;
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let r = app.get_public("/api/v1/shops/%20bad%20/scorecard").await;
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
}

async fn a_sanction_is_published_the_moment_it_is_decided(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let regulator = app.login("regulator01").await;
    // The clock does not move between the decision and the reads below: public at once, well
    // within the one working day 网络交易监督管理办法 Art. 30 allows.
    let before = app.now();
    sanction(&app, &buyer, &regulator, 12).await;
    assert_eq!(app.now(), before);

    let card = scorecard(&app, "shop-a", "zh").await;
    let p = &card["active_penalties"];
    assert_eq!(p["count"], 1, "{card}");
    assert_eq!(p["penalties"][0]["penalty"], "traffic_limit");
    assert_eq!(p["display"], "1 项：限制流量");
    let published = json_of(
        app.get_public("/api/v1/shops/shop-a/penalties").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(published[0]["penalty"], "traffic_limit");
    let events = json_of(
        app.get_public("/api/v1/shops/shop-a/events").await,
        StatusCode::OK,
    )
    .await;
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "penalty_applied"),
        "{events}"
    );
    // Another shop's card is untouched.
    let other = scorecard(&app, "shop-b", "en").await;
    assert_eq!(other["active_penalties"]["count"], 0);
    assert_eq!(other["active_penalties"]["display"], "none");
}

both_backends!(
    anyone_reads_a_shops_scorecard_in_their_language,
    a_sanction_is_published_the_moment_it_is_decided,
);
