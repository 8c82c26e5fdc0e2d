//! Mirrored marketplace data as operators import it (`weiquan import shops|orders`).

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, FieldErrors};
use crate::types::*;

/// What a shop promises its buyers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Commitments {
    /// 7天无理由退货.
    #[serde(default)]
    pub seven_day_return: bool,
    /// 正品保障.
    #[serde(default)]
    pub authentic_guarantee: bool,
    /// Promised shipping time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_within_hours: Option<u32>,
}

/// One line of a shops file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShopRecord {
    pub id: ShopId,
    pub name: String,
    /// The merchant's username; the account is created if it does not exist.
    pub merchant: Username,
    #[serde(default)]
    pub commitments: Commitments,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderItem {
    pub title: String,
    pub price_cents: Cents,
    pub qty: u32,
    /// Set for goods that 7-day no-reason returns do not cover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_exempt: Option<ReturnExempt>,
}

/// One line of an orders file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderRecord {
    pub order_no: OrderNo,
    /// The buyer's username; the account is created if it does not exist.
    pub buyer: Username,
    pub shop_id: ShopId,
    pub items: Vec<OrderItem>,
    pub amount_cents: Cents,
    pub paid_at: Timestamp,
    #[serde(default)]
    pub shipped_at: Option<Timestamp>,
    #[serde(default)]
    pub delivered_at: Option<Timestamp>,
}

impl ShopRecord {
    /// Checks what serde's types alone cannot.
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut e = FieldErrors::new();
        e.take(parse_text("name", &self.name, 1, 100));
        if self
            .commitments
            .ship_within_hours
            .is_some_and(|h| h == 0 || h > 24 * 30)
        {
            e.push(crate::error::FieldError::new(
                "commitments.ship_within_hours",
                "承诺发货时间应在1到720小时之间",
                "ship_within_hours must be between 1 and 720",
            ));
        }
        e.finish()
    }
}

impl OrderRecord {
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut e = FieldErrors::new();
        if self.items.is_empty() || self.items.len() > 100 {
            e.push(crate::error::FieldError::new(
                "items",
                "订单应有1到100件商品",
                "an order has 1 to 100 items",
            ));
        }
        for (i, it) in self.items.iter().enumerate() {
            e.take(parse_text(&format!("items[{i}].title"), &it.title, 1, 200));
            if it.qty == 0 {
                e.push(crate::error::FieldError::new(
                    format!("items[{i}].qty"),
                    "数量至少为1",
                    "qty must be at least 1",
                ));
            }
        }
        if let Some(s) = self.shipped_at
            && s < self.paid_at
        {
            e.push(crate::error::FieldError::new(
                "shipped_at",
                "发货时间早于付款时间",
                "shipped_at is before paid_at",
            ));
        }
        if let Some(d) = self.delivered_at
            && (self.shipped_at.is_none_or(|s| d < s))
        {
            e.push(crate::error::FieldError::new(
                "delivered_at",
                "签收时间须晚于发货时间",
                "delivered_at needs a shipped_at before it",
            ));
        }
        e.finish()
    }
}
