//! A deterministic demo marketplace: users, shops, orders and complaints to file, with no I/O.
//!
//! Planted patterns, fixed for every seed (the seed only moves prices, times and who buys what):
//! - Late shipper: `shop-018` (国庆数码配件店, `seller09`) promises 24 h and, for the last month,
//!   ships 72–200 h after payment, every time (the monitor finds each late order).
//! - Brushing ring: `shua01`…`shua20` each buy cheap samples 2–4 times from each of `shop-039`,
//!   `shop-040` and `shop-041` (all `seller20`), within 4 days, 3–4 weeks before `now`.
//! - Complaint wave: 6 buyers complain about leaking 304不锈钢保温杯 from `shop-009`
//!   (恒温杯具专营店, `seller05`), all between 12 and 3 days before `now`.
//! - `buyer01` has 12+ delivered orders across shops, one from `shop-001` (`seller01`), and no
//!   complaint.
//! - Jury volunteers: `buyer181`…`buyer200` (accounts a year old) sit on public juries.
//! - Reports: `buyer150` reports the ring's first shop for brushing; `buyer02`, for a brand,
//!   sends an IP notice about a listing of `shop-001`, which `seller01` can counter-notify.

mod catalogue;
mod orders;
mod people;

use std::collections::HashSet;

use chrono::TimeDelta;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use weiquan_domain::records::{OrderRecord, ShopRecord};
use weiquan_domain::{
    Category, Cents, ClaimKind, OrderNo, ReportKind, Role, ShopId, Timestamp, Username,
};

use catalogue::{Need, catalogue};
use orders::{basket, item, offers, order_no, paid_at, pick, record, ship_delay};
use people::{shops, users};

/// Every demo account's password.
pub const DEMO_PASSWORD: &str = "weiquan-demo";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoUser {
    pub username: Username,
    pub role: Role,
    pub display_name: String,
}

/// A complaint for the seeding code to file as `consumer`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoComplaint {
    pub consumer: Username,
    pub order_no: OrderNo,
    pub product: String,
    pub category: Category,
    pub incident_at: Timestamp,
    pub description: String,
    pub claim_kind: ClaimKind,
    pub amount_cents: Option<i64>,
}

/// A report (举报) for the seeding code to file as `reporter`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoReport {
    pub reporter: Username,
    pub shop_id: ShopId,
    pub kind: ReportKind,
    pub description: String,
    pub listing: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Marketplace {
    pub users: Vec<DemoUser>,
    pub shops: Vec<ShopRecord>,
    pub orders: Vec<OrderRecord>,
    pub complaints: Vec<DemoComplaint>,
    pub reports: Vec<DemoReport>,
    /// Volunteers for the public jury (大众评审), with accounts a year old so that they may sit.
    pub jurors: Vec<Username>,
}

const NORMAL_ORDERS: usize = 5000;
const BUYERS: usize = 200;
/// `buyer181`…`buyer200` volunteer for the public jury.
const JURORS_FROM: usize = 181;
const DAYS: u64 = 120;
/// China is UTC+8 all year.
const CN: i64 = 8;
const WAVE_SHOP: &str = "shop-009";
const LATE_SHOP: &str = "shop-018";
const RING_SHOPS: [&str; 3] = ["shop-039", "shop-040", "shop-041"];
/// buyer01's first orders: shop indices, the first one of seller01, none planted.
const BUYER01_SHOPS: [usize; 12] = [0, 4, 12, 20, 26, 29, 36, 44, 50, 58, 1, 14];

/// Relative order volume per China hour 08…23; no night orders, so the order number's date is the
/// same in UTC and in China.
const HOUR_WEIGHTS: [u32; 16] = [2, 3, 5, 5, 6, 5, 4, 4, 4, 4, 5, 7, 9, 10, 8, 5];

fn uname(s: &str) -> Username {
    Username::parse(s).expect("demo usernames are valid")
}

/// `now` anchors all timestamps (orders in the 120 days before it); same seed+now => same output.
pub fn generate(seed: u64, now: Timestamp) -> Marketplace {
    let data = catalogue();
    let mut rng = StdRng::seed_from_u64(seed);
    let users = users();
    let (shops, cats) = shops();
    let offers: Vec<_> = cats.iter().map(|&c| offers(&mut rng, c)).collect();
    let index = |id: &str| shops.iter().position(|s| s.id.as_str() == id).unwrap();
    let buyers: Vec<Username> = (1..=BUYERS)
        .map(|i| uname(&format!("buyer{i:02}")))
        .collect();
    let buyer01 = &buyers[0];
    let mut used = HashSet::new();

    // Zipf-like popularity over a shuffled ranking; the planted shops get enough orders.
    let mut rank: Vec<usize> = (0..shops.len()).collect();
    rank.shuffle(&mut rng);
    for (shop, pos) in [(index(WAVE_SHOP), 3), (index(LATE_SHOP), 7)] {
        let q = rank.iter().position(|&s| s == shop).unwrap();
        rank.swap(q, pos);
    }
    let mut shop_w = vec![0.0; shops.len()];
    for (r, &s) in rank.iter().enumerate() {
        shop_w[s] = 1.0 / (r as f64 + 1.0).powf(0.9);
    }
    let shop_total: f64 = shop_w.iter().sum();
    let buyer_w: Vec<u32> = (0..BUYERS).map(|_| rng.random_range(1..=8)).collect();
    let buyer_total: u32 = buyer_w.iter().sum();

    let mut orders = Vec::with_capacity(NORMAL_ORDERS + 200);
    let mut order_shop = Vec::with_capacity(NORMAL_ORDERS);
    for i in 0..NORMAL_ORDERS {
        // buyer01's first orders are all delivered; the seller01 one recently, for the walkthrough.
        let forced = BUYER01_SHOPS.get(i).copied();
        let (b, s, days_ago) = if let Some(s) = forced {
            (
                0,
                s,
                if i == 0 {
                    rng.random_range(10..16)
                } else {
                    rng.random_range(16..110)
                },
            )
        } else {
            let b = pick(&buyer_w, rng.random_range(0..buyer_total));
            (
                b,
                pick(&shop_w, rng.random_range(0.0..shop_total)),
                rng.random_range(0..DAYS),
            )
        };
        let paid = paid_at(&mut rng, now, days_ago);
        let items = basket(&mut rng, &offers[s]);
        let last_month = paid > now - TimeDelta::days(30);
        let mut shipped =
            Some(paid + ship_delay(&mut rng, &shops[s], last_month)).filter(|t| *t <= now);
        if forced.is_none() && rng.random_bool(0.005) {
            shipped = None; // never shipped
        }
        let transit = TimeDelta::minutes(rng.random_range(24 * 60..=5 * 24 * 60));
        let mut delivered = shipped.map(|t| t + transit).filter(|t| *t <= now);
        if forced.is_none() && rng.random_bool(0.02) {
            delivered = None; // lost in transit
        }
        let no = order_no(&mut rng, &mut used, paid);
        orders.push(record(
            no,
            &buyers[b],
            &shops[s],
            items,
            (paid, shipped, delivered),
        ));
        order_shop.push(s);
    }

    let mut complaints = Vec::new();
    let mut complained: HashSet<Username> = HashSet::from([buyer01.clone()]);

    // The wave: the latest deliveries from the wave shop before the window become the bad batch.
    let window = now - TimeDelta::days(12);
    let wave = index(WAVE_SHOP);
    let (_, wave_price) = offers[wave]
        .iter()
        .find(|(t, _)| *t == data.wave.title)
        .unwrap()
        .clone();
    let mut cands: Vec<usize> = (0..NORMAL_ORDERS)
        .filter(|&i| order_shop[i] == wave && orders[i].buyer != *buyer01)
        .filter(|&i| orders[i].delivered_at.is_some_and(|d| d < window))
        .filter(|&i| orders[i].paid_at > window - TimeDelta::days(45))
        .collect();
    cands.sort_by_key(|&i| std::cmp::Reverse(orders[i].delivered_at));
    let mut texts = data.wave.texts.iter();
    for i in cands {
        if complained.contains(&orders[i].buyer) {
            continue;
        }
        let Some(text) = texts.next() else {
            break;
        };
        complained.insert(orders[i].buyer.clone());
        let o = &mut orders[i];
        let kind = text.claim;
        o.items = vec![item(&data.wave.title, wave_price, 1)];
        o.amount_cents = Cents::new(wave_price).unwrap();
        complaints.push(DemoComplaint {
            consumer: o.buyer.clone(),
            order_no: o.order_no.clone(),
            product: data.wave.title.clone(),
            category: Category::QualityDefect,
            incident_at: window + TimeDelta::minutes(rng.random_range(0..9 * 24 * 60)),
            description: text.text.clone(),
            claim_kind: kind,
            amount_cents: (kind == ClaimKind::Refund).then_some(wave_price),
        });
    }

    // Ordinary complaints: recent deliveries, one per buyer and per shop, none at the planted shops.
    let mut shops_used: HashSet<usize> = HashSet::from([wave]);
    shops_used.extend(RING_SHOPS.iter().map(|id| index(id)));
    let late_shop = index(LATE_SHOP);
    shops_used.insert(late_shop); // kept for its own late-shipment complaint
    for ordinary in &data.ordinary {
        let (cat, kind, need, tpl) = (
            ordinary.category,
            ordinary.claim,
            ordinary.need,
            &ordinary.text,
        );
        let shop_cats: Vec<usize> = ordinary
            .shop_categories
            .iter()
            .map(|k| data.category(k))
            .collect();
        let recent = |d: Timestamp| d > now - TimeDelta::days(40) && d < now - TimeDelta::days(1);
        let cands: Vec<usize> = (0..NORMAL_ORDERS)
            .filter(|&i| {
                let (o, s, c) = (&orders[i], order_shop[i], &shops[order_shop[i]].commitments);
                let took = o.shipped_at.map(|t| (t - o.paid_at).num_hours());
                let fits = match need {
                    Need::Any => true,
                    Need::LateShop => true,
                    Need::Late => c
                        .ship_within_hours
                        .zip(took)
                        .is_some_and(|(p, t)| t > i64::from(p)),
                    Need::Guarantee => c.authentic_guarantee,
                    Need::SevenDay => c.seven_day_return,
                };
                let free = if matches!(need, Need::LateShop) {
                    s == late_shop
                } else {
                    !shops_used.contains(&s)
                };
                fits && free
                    && !complained.contains(&o.buyer)
                    && (shop_cats.is_empty() || shop_cats.contains(&cats[s]))
                    && o.delivered_at.is_some_and(recent)
            })
            .collect();
        if cands.is_empty() {
            continue;
        }
        let i = cands[rng.random_range(0..cands.len())];
        let (o, s) = (&orders[i], order_shop[i]);
        complained.insert(o.buyer.clone());
        shops_used.insert(s);
        let it = &o.items[0];
        let item_total = it.price_cents.get() * i64::from(it.qty);
        let promise = i64::from(shops[s].commitments.ship_within_hours.unwrap_or(0));
        let took = o.shipped_at.map_or(0, |t| (t - o.paid_at).num_hours());
        let delivered = o.delivered_at.unwrap();
        let incident_at = if cat == Category::LateShipment {
            // When the promise broke: between the deadline and the actual shipping.
            o.paid_at
                + TimeDelta::hours(promise)
                + (o.shipped_at.unwrap() - o.paid_at - TimeDelta::hours(promise)) / 2
        } else {
            let room = ((now - delivered).num_minutes() - 60).min(7 * 24 * 60);
            delivered + TimeDelta::minutes(rng.random_range(60..room))
        };
        let amount_cents = match (kind, cat) {
            (ClaimKind::Refund, _) => Some(item_total),
            (ClaimKind::Compensation, Category::Counterfeit) => Some(item_total * 3),
            (ClaimKind::Compensation, Category::ShippingFee) => Some(1200),
            (ClaimKind::Compensation, _) => Some((o.amount_cents.get() / 10).clamp(300, 5000)),
            _ => None,
        };
        complaints.push(DemoComplaint {
            consumer: o.buyer.clone(),
            order_no: o.order_no.clone(),
            product: it.title.clone(),
            category: cat,
            incident_at,
            description: tpl
                .replace("{p}", &it.title)
                .replace("{c}", &promise.to_string())
                .replace("{h}", &took.to_string()),
            claim_kind: kind,
            amount_cents,
        });
    }

    // The ring: every account hits every ring shop 2–4 times within 4 days, shipped within hours.
    let ring: Vec<usize> = RING_SHOPS.iter().map(|id| index(id)).collect();
    let start = rng.random_range(26..30);
    for a in 1..=20 {
        let account = uname(&format!("shua{a:02}"));
        for &s in &ring {
            for _ in 0..rng.random_range(2..=4) {
                let day = start - rng.random_range(0..4);
                let paid = paid_at(&mut rng, now, day);
                let sample = &data.ring.samples[rng.random_range(0..data.ring.samples.len())];
                let price = rng.random_range(sample.min / 10..=sample.max / 10) * 10;
                let items = vec![item(&sample.title, price, 1)];
                let shipped = paid + TimeDelta::minutes(rng.random_range(30..240));
                let delivered = shipped + TimeDelta::minutes(rng.random_range(20 * 60..30 * 60));
                let no = order_no(&mut rng, &mut used, paid);
                let times = (paid, Some(shipped), Some(delivered));
                orders.push(record(no, &account, &shops[s], items, times));
            }
        }
    }

    let reports = vec![
        DemoReport {
            reporter: uname("buyer150"),
            shop_id: shops[ring[0]].id.clone(),
            kind: ReportKind::FakeTransactions,
            description: data.reports.brushing.clone(),
            listing: None,
        },
        DemoReport {
            reporter: uname("buyer02"),
            shop_id: shops[0].id.clone(),
            kind: ReportKind::IpInfringement,
            description: data.reports.ip_notice.clone(),
            listing: Some(offers[0][0].0.clone()),
        },
    ];

    orders.sort_by_key(|o| o.paid_at);
    Marketplace {
        users,
        shops,
        orders,
        complaints,
        reports,
        jurors: (JURORS_FROM..=BUYERS)
            .map(|i| uname(&format!("buyer{i:02}")))
            .collect(),
    }
}

#[cfg(test)]
mod tests;
