//! Filing a complaint: the checks of DESIGN §3's first row, the complaint it makes, its first
//! deadline, and whether it is major.

use chrono::Duration as ChronoDuration;
use serde_json::{Value, json};

use crate::access::Actor;
use crate::complaint::*;
use crate::error::DomainError;
use crate::policy::Policy;
use crate::state::*;
use crate::types::*;

/// Whether a claim, category or collective membership makes a complaint `major`.
pub fn is_major(claim: &Claim, category: Category, in_collective: bool, policy: &Policy) -> bool {
    in_collective
        || policy.major.categories.contains(&category)
        || claim
            .amount_cents
            .is_some_and(|a| a.get() >= policy.major.amount_cents)
}

/// The order a complaint is about, as filing needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderFacts {
    pub buyer_id: UserId,
    pub shop_id: ShopId,
    pub merchant_id: UserId,
    pub amount_cents: Cents,
    pub paid_at: Timestamp,
}

/// What filing produces: the new complaint (its id still 0), the `filed` event and first timer.
#[derive(Debug, Clone)]
pub struct Filing {
    pub complaint: Complaint,
    pub event_data: Value,
    pub set_timers: Vec<(TimerKind, Timestamp)>,
}

/// Files a complaint: the first row of the table. `consumer` is the consumer it is for (the
/// actor itself, or the caller named by an agent taking a phone complaint).
pub fn file(
    new: &NewComplaint,
    order: &OrderFacts,
    consumer: UserId,
    actor: &Actor,
    channel: Channel,
    now: Timestamp,
    policy: &Policy,
) -> Result<Filing, DomainError> {
    match actor.role {
        Role::Consumer if new.on_behalf_of.is_none() && consumer == actor.id => {}
        Role::Consumer => {
            return Err(DomainError::forbidden(
                "买家只能为自己投诉",
                "a consumer files complaints only for themselves",
            ));
        }
        Role::CsAgent if new.on_behalf_of.is_some() => {}
        Role::CsAgent => {
            return Err(DomainError::invalid(
                "on_behalf_of",
                "客服代电话投诉的买家登记时，请填写买家用户名",
                "an agent filing a phone complaint names the consumer in on_behalf_of",
            ));
        }
        _ => {
            return Err(DomainError::forbidden(
                "只有买家（或代买家登记电话投诉的客服）可以发起投诉",
                "only a consumer (or an agent taking a phone complaint) may file a complaint",
            ));
        }
    }
    if order.buyer_id != consumer {
        // Someone else's order looks like no order at all.
        return Err(DomainError::not_found(
            "在你的订单中找不到这个订单号",
            "no such order among your orders",
        ));
    }
    let mut errs = crate::error::FieldErrors::new();
    if new.incident_at > now + ChronoDuration::minutes(5) {
        errs.push(crate::error::FieldError::new(
            "incident_at",
            "发生时间不能晚于现在",
            "incident_at cannot be in the future",
        ));
    }
    if new.incident_at < order.paid_at - ChronoDuration::days(1) {
        errs.push(crate::error::FieldError::new(
            "incident_at",
            "发生时间早于下单时间，请核对",
            "incident_at is before the order was paid; please check it",
        ));
    }
    if matches!(new.claim.kind, ClaimKind::Refund | ClaimKind::Return)
        && new
            .claim
            .amount_cents
            .is_some_and(|a| a > order.amount_cents)
    {
        errs.push(crate::error::FieldError::new(
            "claim.amount_cents",
            format!("退款金额不能超过实付金额 {}", order.amount_cents),
            format!(
                "a refund cannot exceed the amount paid, {}",
                order.amount_cents
            ),
        ));
    }
    errs.finish()?;
    let major = is_major(&new.claim, new.category, false, policy);
    let complaint = Complaint {
        id: ComplaintId(0),
        order_no: new.order_no.clone(),
        consumer_id: consumer,
        shop_id: order.shop_id.clone(),
        merchant_id: order.merchant_id,
        product: new.product.clone(),
        category: new.category,
        incident_at: new.incident_at,
        description: new.description.clone(),
        claim: new.claim.clone(),
        channel,
        state: State::AwaitingMerchant,
        tier: Tier::Negotiation,
        major,
        assignee_id: None,
        collective_case_id: None,
        progress: Progress::default(),
        deadline_at: None,
        created_at: now,
        updated_at: now,
    };
    let merchant_reply = policy.due(TimerKind::MerchantReply, now);
    let event_data = json!({
        "to": State::AwaitingMerchant.as_str(),
        "order_no": new.order_no,
        "shop_id": order.shop_id,
        "consumer_id": consumer,
        "product": new.product,
        "category": new.category,
        "incident_at": new.incident_at,
        "description": new.description,
        "claim": new.claim,
        "channel": channel,
        "major": major,
    });
    let mut complaint = complaint;
    complaint.deadline_at = Some(merchant_reply);
    Ok(Filing {
        complaint,
        event_data,
        set_timers: vec![(TimerKind::MerchantReply, merchant_reply)],
    })
}
