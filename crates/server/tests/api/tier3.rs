//! Tiers 2 and 3: reports, cases, the penalty ladder and its appeal and expiry, the IP
//! counter-notice timer, and the commitment monitors.
//! One file per route family, sharing the helpers below.

mod cases;
mod ip_notices;
mod monitors;
mod penalties;
mod redaction;
mod scorecard;
mod waves;

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use weiquan_domain::records::{OrderItem, OrderRecord};
use weiquan_domain::*;

use crate::helpers::*;

async fn standing(app: &TestApp, shop: &str) -> Value {
    json_of(
        app.get_public(&format!("/api/v1/shops/{shop}")).await,
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
