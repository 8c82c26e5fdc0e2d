//! The commitment monitors' rules: the 7-day return window and exempt goods, late shipment
//! and its capped compensation, 正品保障 compensation with the fraud floor.

use chrono::{Duration, NaiveDate};

use crate::policy::Policy;
use crate::records::OrderItem;
use crate::types::*;

/// When an order paid at `paid_at` must ship by, under a promise of `hours`.
pub fn ship_by(paid_at: Timestamp, hours: Option<u32>) -> Option<Timestamp> {
    hours.map(|h| paid_at + Duration::hours(i64::from(h)))
}

/// A shipping promise broken: found from order data, whether or not anyone complained.
#[derive(Debug, Clone, PartialEq)]
pub struct LateShipment {
    pub hours_late: i64,
    /// `late_shipment_percent` of the amount paid, capped (Taobao: 5 %, at most ¥30).
    pub compensation: Cents,
}

pub fn late_shipment(
    ship_by: Timestamp,
    shipped_at: Option<Timestamp>,
    amount: Cents,
    now: Timestamp,
    policy: &Policy,
) -> Option<LateShipment> {
    let at = shipped_at.unwrap_or(now);
    if at <= ship_by {
        return None;
    }
    let c = &policy.compensation;
    let owed =
        (amount.get() * i64::from(c.late_shipment_percent) / 100).min(c.late_shipment_cap_cents);
    Some(LateShipment {
        hours_late: (at - ship_by).num_hours(),
        compensation: Cents::new(owed.max(0)).expect("within bounds"),
    })
}

/// Days are counted in the consumer's time zone (Asia/Shanghai, UTC+8).
fn shanghai_day(t: Timestamp) -> NaiveDate {
    (t + Duration::hours(8)).date_naive()
}

/// 7天无理由退货: the seven days start the day after delivery (Art. 25), so a return asked for
/// on any of those seven calendar days is in time.
pub fn in_return_window(delivered_at: Timestamp, asked_at: Timestamp) -> bool {
    let first = shanghai_day(delivered_at) + Duration::days(1);
    let last = first + Duration::days(6);
    let day = shanghai_day(asked_at);
    // A return asked on delivery day itself is in time too.
    day >= shanghai_day(delivered_at) && day <= last
}

/// Whether refusing this return breaks the shop's 7-day promise: the shop promised it, the goods
/// were delivered, the request came within the window, and the item is not of an exempt kind.
pub fn return_refusal_breaks_promise(
    seven_day_return: bool,
    delivered_at: Option<Timestamp>,
    asked_at: Timestamp,
    item: Option<&OrderItem>,
) -> bool {
    seven_day_return
        && delivered_at.is_some_and(|d| in_return_window(d, asked_at))
        && item.is_none_or(|i| i.return_exempt.is_none())
}

/// The item a complaint names, matched by its title.
pub fn item_named<'a>(items: &'a [OrderItem], product: &str) -> Option<&'a OrderItem> {
    items.iter().find(|i| i.title == product).or_else(|| {
        items
            .iter()
            .find(|i| i.title.contains(product) || product.contains(&i.title))
    })
}

/// 正品保障: compensation for a counterfeit ruling is `counterfeit_multiplier` × the price; where
/// fraud is found, at least 3 × the price and ¥500 (消费者权益保护法 Art. 55).
pub fn counterfeit_compensation(price: Cents, fraud: bool, policy: &Policy) -> Cents {
    let p = price.get();
    let mut owed = p * i64::from(policy.compensation.counterfeit_multiplier);
    if fraud {
        owed = owed.max(3 * p).max(50_000);
    }
    Cents::new(owed).unwrap_or(price)
}
