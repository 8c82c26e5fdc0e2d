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

labelled_enum!(
    /// What a violation on a shop's record was for: the monitors', the deadlines' and the
    /// sanctions' kinds (a ruling may name its own, which reads as "other").
    ViolationKind, "kind" {
        LateShipment = "late_shipment", "超时发货", "late shipment";
        ReturnRefused = "return_refused", "拒绝七天无理由退货", "refused a 7-day return";
        Counterfeit = "counterfeit", "售假", "sold counterfeits";
        MerchantNoReply = "merchant_no_reply", "逾期未回复投诉", "did not answer a complaint in time";
        RulingNotExecuted = "ruling_not_executed", "逾期未履行裁决", "did not carry out a ruling in time";
        FakeTransactions = "fake_transactions", "虚假交易", "fake transactions";
        IpInfringement = "ip_infringement", "知识产权侵权", "IP infringement";
        Collective = "collective", "集体投诉案件处罚", "collective complaint sanctioned";
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

/// Whether `actor` may appeal a penalty on a shop `merchant` runs: its merchant, once, while it
/// is in force. The store checks it before appealing, and the shop page before offering it.
pub fn check_penalty_appeal(
    actor: &Actor,
    merchant: UserId,
    appealed: bool,
    lifted: bool,
) -> Result<(), DomainError> {
    if actor.role != Role::Merchant || actor.id != merchant {
        return Err(DomainError::forbidden(
            "只有受处罚店铺的商家可以申诉",
            "only the penalised shop's merchant may appeal",
        ));
    }
    if appealed {
        return Err(DomainError::conflict(
            "appeal_used",
            "每项处罚只能申诉一次",
            "a penalty can be appealed only once",
        ));
    }
    if lifted {
        return Err(DomainError::conflict(
            "invalid_state",
            "处罚已解除，无需申诉",
            "the penalty has been lifted already",
        ));
    }
    Ok(())
}

labelled_enum!(
    /// Where a merchant's appeal against a penalty stands.
    PenaltyAppealState, "state" {
        Pending = "pending", "申诉待裁决", "appeal pending";
        Upheld = "upheld", "申诉未获支持，处罚维持", "appeal rejected; the penalty stands";
        Overturned = "overturned", "申诉成立，处罚撤销", "appeal upheld; the penalty was lifted";
    }
);

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
