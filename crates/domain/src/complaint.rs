//! A complaint as the state machine sees it, and the input that files one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, FieldErrors};
use crate::lang::Lang;
use crate::state::{State, Tier};
use crate::types::*;

/// The latest offer on the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Proposal {
    pub by: UserId,
    pub by_role: Role,
    pub remedy: Remedy,
    #[serde(default)]
    pub message: String,
    pub at: DateTime<Utc>,
}

/// How a complaint came to be resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResolvedBy {
    /// The merchant granted the claim.
    MerchantAccepted,
    /// The consumer accepted a proposal (or the merchant's refusal).
    ConsumerAccepted,
    /// The merchant let `merchant_reply` lapse on a refund or return claim.
    MerchantSilent,
    /// Consumer protection ruled.
    Ruling,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Resolution {
    pub by: ResolvedBy,
    /// What the merchant owes; `None` when nothing is owed.
    pub remedy: Option<Remedy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rule_refs: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ruled_by: Option<UserId>,
    /// Until when a ruling may be appealed; `None` when it may not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeal_until: Option<DateTime<Utc>>,
    pub at: DateTime<Utc>,
}

/// Who carried out a remedy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FulfilledBy {
    Merchant,
    /// 先行赔付: the platform paid from the shop's deposit because the merchant did not.
    Platform,
}

/// A failed payment of a remedy, as the payment system reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentFailure {
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// What the machine remembers between steps beyond the state itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Progress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<Proposal>,
    /// A tier-1 agent proposed during mediation, so the consumer may now escalate.
    #[serde(default)]
    pub agent_proposed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfilled_by: Option<FulfilledBy>,
    /// A ruling may be appealed once.
    #[serde(default)]
    pub appealed: bool,
    /// The specialist who made the appealed ruling: another must rule again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excluded_specialist: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_requested_from: Option<Party>,
    /// The payment system's last report that paying the remedy failed, while it is still due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_failed: Option<PaymentFailure>,
    /// The public jury sitting on the complaint now: tier 2 waits for its verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jury: Option<JuryId>,
    /// A jury has sat on the complaint (one per complaint).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub jury_tried: bool,
    /// Why the complaint ended, for `closed` (e.g. `lapsed`, `fulfilled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

/// A complaint with everything the state machine and the permission checks read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Complaint {
    pub id: ComplaintId,
    pub order_no: OrderNo,
    pub consumer_id: UserId,
    pub shop_id: ShopId,
    /// The shop's merchant; decides who may answer. Not shown to callers.
    #[serde(skip)]
    pub merchant_id: UserId,
    pub product: String,
    pub category: Category,
    pub incident_at: DateTime<Utc>,
    pub description: String,
    pub claim: Claim,
    pub channel: Channel,
    pub state: State,
    pub tier: Tier,
    pub major: bool,
    pub assignee_id: Option<UserId>,
    pub collective_case_id: Option<CaseId>,
    pub progress: Progress,
    /// The earliest pending deadline, if any.
    pub deadline_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a caller sends to file a complaint, before parsing.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileComplaintRequest {
    pub order_no: Option<String>,
    pub product: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Category>))]
    pub category: Option<String>,
    /// RFC 3339.
    pub incident_at: Option<String>,
    pub description: Option<String>,
    pub claim: Option<ClaimRequest>,
    /// For a phone complaint filed by an agent: the consumer's username.
    #[serde(default)]
    pub on_behalf_of: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ClaimKind>))]
    pub kind: Option<String>,
    /// In fen (分); never negative.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub amount_cents: Option<i64>,
}

/// A parsed, well-formed complaint input (not yet checked against the order).
#[derive(Debug, Clone, PartialEq)]
pub struct NewComplaint {
    pub order_no: OrderNo,
    pub product: String,
    pub category: Category,
    pub incident_at: DateTime<Utc>,
    pub description: String,
    pub claim: Claim,
    pub on_behalf_of: Option<Username>,
}

fn required<'a>(field: &str, v: &'a Option<String>) -> Result<&'a str, DomainError> {
    v.as_deref()
        .ok_or_else(|| DomainError::invalid(field, "此项必填", "this field is required"))
}

pub(crate) fn parse_claim(field: &str, c: &Option<ClaimRequest>) -> Result<Claim, DomainError> {
    let c = c
        .as_ref()
        .ok_or_else(|| DomainError::invalid(field, "此项必填", "this field is required"))?;
    let kind = c.kind.as_deref().ok_or_else(|| {
        DomainError::invalid(
            &format!("{field}.kind"),
            "此项必填",
            "this field is required",
        )
    })?;
    Claim::parse(field, kind, c.amount_cents)
}

impl NewComplaint {
    /// Parses every field, reporting all bad ones at once.
    pub fn parse(r: &FileComplaintRequest) -> Result<NewComplaint, DomainError> {
        let mut errs = FieldErrors::new();
        let order_no = errs.take(required("order_no", &r.order_no).and_then(OrderNo::parse));
        let product = errs
            .take(required("product", &r.product).and_then(|s| parse_text("product", s, 1, 200)));
        let category = errs.take(required("category", &r.category).and_then(|s| {
            let c = Category::parse(s)?;
            if c.is_report() {
                return Err(DomainError::invalid(
                    "category",
                    "刷单、侵权等违规行为请通过“举报”提交给平台监管，而不是个人投诉",
                    "violations such as brushing or IP infringement are reported to platform regulation, not filed as a personal complaint",
                ));
            }
            Ok(c)
        }));
        let incident_at = errs.take(
            required("incident_at", &r.incident_at).and_then(|s| parse_time("incident_at", s)),
        );
        let description = errs.take(
            required("description", &r.description)
                .and_then(|s| parse_text("description", s, 10, 2000)),
        );
        let claim = errs.take(parse_claim("claim", &r.claim));
        let on_behalf_of = match &r.on_behalf_of {
            None => None,
            Some(u) => errs.take(Username::parse(u).map_err(|_| {
                DomainError::invalid(
                    "on_behalf_of",
                    "应为买家的用户名",
                    "must be the consumer's username",
                )
            })),
        };
        errs.finish()?;
        Ok(NewComplaint {
            order_no: order_no.unwrap(),
            product: product.unwrap(),
            category: category.unwrap(),
            incident_at: incident_at.unwrap(),
            description: description.unwrap(),
            claim: claim.unwrap(),
            on_behalf_of,
        })
    }
}

impl Complaint {
    /// Whether a remedy is owed and not yet carried out: what `fulfil` and the payment
    /// system's confirmations act on.
    pub fn remedy_due(&self) -> bool {
        self.state == State::Resolved
            && self.progress.fulfilled_by.is_none()
            && self
                .progress
                .resolution
                .as_ref()
                .is_some_and(|r| r.remedy.is_some())
    }

    /// Who has to move next, for queues and the consumer's "who acts, by when".
    pub fn next_actor(&self) -> Option<&'static str> {
        match self.state {
            State::AwaitingMerchant => Some("merchant"),
            State::AwaitingConsumer => Some("consumer"),
            State::Mediation if self.progress.agent_proposed => Some("consumer"),
            State::Mediation => Some("cs_agent"),
            State::ProtectionReview if self.progress.jury.is_some() => Some("jury"),
            State::ProtectionReview => match self.progress.evidence_requested_from {
                Some(Party::Consumer) => Some("consumer"),
                Some(Party::Merchant) => Some("merchant"),
                None => Some("protection"),
            },
            State::Resolved => match (&self.progress.resolution, self.progress.fulfilled_by) {
                (Some(r), None) if r.remedy.is_some() => Some("merchant"),
                _ => Some("consumer"),
            },
            State::Closed | State::Withdrawn => None,
        }
    }

    /// Which pending deadline `deadline_at` is, from the state it can only be pending in (the
    /// lapse table's pairs); a resolved complaint's is the appeal window when it is that time.
    pub fn deadline_kind(&self) -> Option<crate::state::TimerKind> {
        use crate::state::TimerKind as K;
        let due = self.deadline_at?;
        Some(match self.state {
            State::AwaitingMerchant => K::MerchantReply,
            State::AwaitingConsumer => K::ConsumerReply,
            State::Mediation => K::Mediation,
            State::ProtectionReview => K::EvidenceTurn,
            State::Resolved => {
                let appeal = self
                    .progress
                    .resolution
                    .as_ref()
                    .and_then(|r| r.appeal_until);
                if appeal == Some(due) {
                    K::AppealWindow
                } else {
                    K::ExecuteRuling
                }
            }
            State::Closed | State::Withdrawn => return None,
        })
    }

    /// Who must act next, as people read it.
    pub fn next_actor_label(&self, lang: Lang) -> Option<&'static str> {
        let (zh, en) = match self.next_actor()? {
            "consumer" => ("买家", "the consumer"),
            "merchant" => ("商家", "the merchant"),
            "cs_agent" => ("客服", "customer service"),
            "protection" => ("消费者保障专员", "consumer protection"),
            "jury" => ("大众评审团", "the public jury"),
            _ => ("平台", "the platform"),
        };
        Some(lang.pick(zh, en))
    }
}
