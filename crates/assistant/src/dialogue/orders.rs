//! Which order and product the consumer means: from an order number, or found from a product.

use super::words::is_han;
use super::{Context, Kind, OrderInfo, Session, Slots};

impl Session {
    pub(super) fn set_order(&mut self, no: &str, ctx: &Context<'_>) {
        if self.slots.order_no.as_deref() != Some(no) {
            self.slots.order_no = Some(no.to_string());
            self.slots.product = None;
        }
        if let Some(o) = ctx.orders.iter().find(|o| o.order_no == no) {
            if let [only] = o.items.as_slice() {
                self.slots.product = Some(only.clone());
            }
            if self.kind == Kind::Report {
                self.slots.shop_id = Some(o.shop_id.clone());
            }
        }
    }

    pub(super) fn order<'a>(&self, ctx: &Context<'a>) -> Option<&'a OrderInfo> {
        let no = self.slots.order_no.as_ref()?;
        ctx.orders.iter().find(|o| &o.order_no == no)
    }
}

pub(super) fn products_of(ctx: &Context<'_>, slots: &Slots) -> Vec<String> {
    ctx.orders
        .iter()
        .filter(|o| slots.order_no.as_ref().is_none_or(|n| n == &o.order_no))
        .flat_map(|o| o.items.iter().cloned())
        .fold(Vec::new(), |mut v, t| {
            if !v.contains(&t) {
                v.push(t);
            }
            v
        })
}

/// A looser product match for everyday nouns with the suffix 子 (杯子, 裤子, 鞋子): the one
/// title that contains the noun's stem (杯 in 保温杯).
pub(super) fn loose_product(text: &str, titles: &[String]) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    for w in chars.windows(2) {
        if w[1] != '子' || !is_han(w[0]) {
            continue;
        }
        let hits: Vec<&String> = titles.iter().filter(|t| t.contains(w[0])).collect();
        if let [one] = hits.as_slice() {
            return Some((*one).clone());
        }
    }
    None
}
