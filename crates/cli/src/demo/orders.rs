//! One order's making: listings and prices, baskets, payment and shipping times, order numbers.

use std::collections::HashSet;

use chrono::{Days, TimeDelta, TimeZone, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use weiquan_domain::records::{OrderItem, OrderRecord, ShopRecord};
use weiquan_domain::{Cents, OrderNo, Timestamp, Username};

use super::catalogue::catalogue;
use super::{CN, HOUR_WEIGHTS, LATE_SHOP};

pub(super) fn item(title: &str, price: i64, qty: u32) -> OrderItem {
    OrderItem {
        title: title.to_owned(),
        price_cents: Cents::new(price).unwrap(),
        qty,
        return_exempt: None,
    }
}

pub(super) fn amount(items: &[OrderItem]) -> i64 {
    items
        .iter()
        .map(|i| i.price_cents.get() * i64::from(i.qty))
        .sum()
}

/// Index of the weighted choice for a draw in `0..sum(weights)`.
pub(super) fn pick<T: Copy + PartialOrd + Default + std::ops::AddAssign>(
    weights: &[T],
    x: T,
) -> usize {
    let mut acc = T::default();
    for (i, &w) in weights.iter().enumerate() {
        acc += w;
        if x < acc {
            return i;
        }
    }
    weights.len() - 1
}

/// A shop's listings: one price per product, shared by its variants, ending in 9 like real ones.
pub(super) fn offers(rng: &mut StdRng, cat: usize) -> Vec<(String, i64)> {
    let mut v = Vec::new();
    for p in &catalogue().categories[cat].products {
        let (title, variants) = (&p.title, &p.variants);
        let y = rng.random_range(p.min..=p.max) / 100;
        let y = y - y % 10 + 9;
        let price = y * 100
            + if y < 50 && rng.random_bool(0.5) {
                90
            } else {
                0
            };
        for var in variants {
            v.push((format!("{title} {var}"), price));
        }
    }
    v
}

pub(super) fn basket(rng: &mut StdRng, offers: &[(String, i64)]) -> Vec<OrderItem> {
    let n = match rng.random_range(0..100) {
        0..88 => 1,
        88..98 => 2,
        _ => 3,
    };
    let mut picked: Vec<usize> = Vec::new();
    while picked.len() < n {
        let k = rng.random_range(0..offers.len());
        if !picked.contains(&k) {
            picked.push(k);
        }
    }
    picked
        .into_iter()
        .map(|k| {
            let (title, price) = &offers[k];
            let qty = match rng.random_range(0..100) {
                _ if *price > 50_000 => 1,
                0..82 => 1,
                82..95 => 2,
                _ => 3,
            };
            item(title, *price, qty)
        })
        .collect()
}

/// A payment `days_ago` China days before `now`, at a weighted China hour, never after `now`.
pub(super) fn paid_at(rng: &mut StdRng, now: Timestamp, days_ago: u64) -> Timestamp {
    let today = (now + TimeDelta::hours(CN)).date_naive();
    let total: u32 = HOUR_WEIGHTS.iter().sum();
    let hour = 8 + pick(&HOUR_WEIGHTS, rng.random_range(0..total)) as u32;
    let local = (today - Days::new(days_ago))
        .and_hms_opt(hour, rng.random_range(0..60), rng.random_range(0..60))
        .unwrap();
    let t = Utc.from_utc_datetime(&(local - TimeDelta::hours(CN)));
    if t >= now { t - TimeDelta::days(1) } else { t }
}

/// Time from payment to shipping: almost always within the promise (at most 60 h), rarely a day
/// late; the late shipper has missed its promise on every order of the last month.
pub(super) fn ship_delay(rng: &mut StdRng, shop: &ShopRecord, last_month: bool) -> TimeDelta {
    let minutes = if shop.id.as_str() == LATE_SHOP && last_month {
        rng.random_range(72 * 60..=200 * 60)
    } else {
        let h = i64::from(shop.commitments.ship_within_hours.unwrap_or(60).min(60));
        if rng.random_bool(0.99) {
            rng.random_range(120..=h * 60)
        } else {
            rng.random_range(h * 60..=(h + 30) * 60)
        }
    };
    TimeDelta::minutes(minutes)
}

/// 18 digits: the paid date (China, equal to UTC for 08–24 h payments) and 10 unique digits.
pub(super) fn order_no(rng: &mut StdRng, used: &mut HashSet<String>, paid: Timestamp) -> OrderNo {
    let day = (paid + TimeDelta::hours(CN)).format("%Y%m%d");
    loop {
        let s = format!(
            "{day}{}",
            rng.random_range(1_000_000_000u64..10_000_000_000)
        );
        if used.insert(s.clone()) {
            return OrderNo::parse(&s).unwrap();
        }
    }
}

/// Paid, shipped and delivered.
pub(super) type Times = (Timestamp, Option<Timestamp>, Option<Timestamp>);

pub(super) fn record(
    no: OrderNo,
    buyer: &Username,
    shop: &ShopRecord,
    items: Vec<OrderItem>,
    t: Times,
) -> OrderRecord {
    let amount_cents = Cents::new(amount(&items)).unwrap();
    let (buyer, shop_id) = (buyer.clone(), shop.id.clone());
    OrderRecord {
        order_no: no,
        buyer,
        shop_id,
        items,
        amount_cents,
        paid_at: t.0,
        shipped_at: t.1,
        delivered_at: t.2,
    }
}
