//! The penalty ladder, a shop's standing from its active penalties, and appeals against them.

use serde::Deserialize;

use crate::access::Actor;
use crate::error::DomainError;
use crate::policy::{LadderStep, Penalty, Policy};
use crate::types::labelled_enum;
use crate::types::*;

/// The ladder's steps crossed when a shop's 12-month points go from `before` to `after`.
pub fn crossings(policy: &Policy, before: i64, after: i64) -> Vec<(u32, LadderStep)> {
    policy
        .ladder
        .iter()
        .filter(|(t, _)| before < i64::from(**t) && i64::from(**t) <= after)
        .map(|(t, s)| (*t, s.clone()))
        .collect()
}

/// How far back points count.
pub const POINTS_WINDOW_DAYS: i64 = 365;

labelled_enum!(
    /// A shop's status as its active penalties leave it.
    ShopStatus, "status" {
        Open = "open", "正常营业", "open";
        Restricted = "restricted", "受限", "restricted";
        Closed = "closed", "已关店", "closed";
    }
);

/// A shop's search weight and status from its active penalties: the harshest applies.
pub fn standing(active: &[(Penalty, Option<f64>)]) -> (f64, ShopStatus) {
    let mut weight: f64 = 1.0;
    let mut status = ShopStatus::Open;
    for (p, w) in active {
        match p {
            Penalty::CloseShop => {
                weight = 0.0;
                status = ShopStatus::Closed;
            }
            Penalty::Warning => {}
            _ => {
                if status != ShopStatus::Closed {
                    status = ShopStatus::Restricted;
                }
            }
        }
        if let Some(w) = w {
            weight = weight.min(*w);
        }
    }
    (weight, status)
}

/// The wire form of a merchant's penalty appeal, and of its decision.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PenaltyAppealRequest {
    pub reason: Option<String>,
    /// For the decision: upheld (the penalty stands) or overturned (lifted now).
    pub decision: Option<String>,
}

/// Who decides an appeal against a penalty.
pub fn check_appeal_decider(actor: &Actor) -> Result<(), DomainError> {
    if matches!(actor.role, Role::Protection | Role::Regulator) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "只有消费者保障或平台监管人员可以裁决申诉",
            "only consumer protection or regulators may decide an appeal",
        ))
    }
}
