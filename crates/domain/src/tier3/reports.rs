//! Reports (举报): who may report, and the IP notice → counter-notice → restore life of
//! 电子商务法 Art. 42–43.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::access::Actor;
use crate::error::{DomainError, FieldErrors};
use crate::event::EventKind;
use crate::lang::Lang;
use crate::policy::Policy;
use crate::types::*;

/// The wire form of `POST /reports`.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRequest {
    pub shop_id: Option<String>,
    /// fake_transactions (虚假交易/刷单), credit_hyping (炒信) or ip_infringement (知识产权侵权).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ReportKind>))]
    pub kind: Option<String>,
    pub description: Option<String>,
    /// An order that shows it, if the reporter has one.
    pub order_no: Option<String>,
    /// `ip_infringement`: the listing (title or listing id) that infringes.
    pub listing: Option<String>,
    /// A tier-1 agent forwarding a phone report names the consumer who called.
    pub on_behalf_of: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewReport {
    pub shop_id: ShopId,
    pub kind: ReportKind,
    pub description: String,
    pub order_no: Option<OrderNo>,
    pub listing: Option<String>,
    pub on_behalf_of: Option<Username>,
}

impl NewReport {
    /// Parses every field, naming all bad ones at once.
    pub fn parse(r: &ReportRequest) -> Result<NewReport, DomainError> {
        let mut e = FieldErrors::new();
        let required = |field: &str, v: &Option<String>| {
            v.clone()
                .ok_or_else(|| DomainError::invalid(field, "此项必填", "this field is required"))
        };
        let shop_id = e.take(required("shop_id", &r.shop_id).and_then(|s| ShopId::parse(&s)));
        let kind = e.take(required("kind", &r.kind).and_then(|s| ReportKind::parse(&s)));
        let description = e.take(
            required("description", &r.description)
                .and_then(|s| parse_text("description", &s, 10, 2000)),
        );
        let order_no = e.take(r.order_no.as_deref().map(OrderNo::parse).transpose());
        let listing = e.take(
            r.listing
                .as_deref()
                .map(|s| parse_text("listing", s, 1, 200))
                .transpose(),
        );
        let on_behalf_of = e.take(r.on_behalf_of.as_deref().map(Username::parse).transpose());
        if kind == Some(ReportKind::IpInfringement) && r.listing.is_none() {
            e.take::<()>(Err(DomainError::invalid(
                "listing",
                "知识产权投诉须写明被投诉的商品链接或标题",
                "an IP report must name the infringing listing",
            )));
        }
        e.finish()?;
        Ok(NewReport {
            shop_id: shop_id.expect("checked"),
            kind: kind.expect("checked"),
            description: description.expect("checked"),
            order_no: order_no.flatten(),
            listing: listing.flatten(),
            on_behalf_of: on_behalf_of.flatten(),
        })
    }

    /// The case a report opens or joins: IP reports have their own kind.
    pub fn case_kind(&self) -> CaseKind {
        match self.kind {
            ReportKind::IpInfringement => CaseKind::Ip,
            ReportKind::FakeTransactions | ReportKind::CreditHyping => CaseKind::Violation,
        }
    }
}

/// Who may report: a consumer for themself, or a tier-1 agent forwarding a phone report. Returns
/// the channel it arrives by.
pub fn check_reporter(actor: &Actor, r: &NewReport) -> Result<Channel, DomainError> {
    match (actor.role, &r.on_behalf_of) {
        (Role::Consumer, None) => Ok(Channel::Web),
        (Role::CsAgent, Some(_)) => Ok(Channel::Phone),
        (Role::CsAgent, None) => Err(DomainError::invalid(
            "on_behalf_of",
            "代客户举报时须填写来电买家的用户名",
            "a phone report needs the calling consumer's username",
        )),
        (Role::Consumer, Some(_)) => Err(DomainError::invalid(
            "on_behalf_of",
            "只有客服可以代他人举报",
            "only customer service may report on someone's behalf",
        )),
        _ => Err(DomainError::forbidden(
            "只有买家或代买家来电的客服可以举报",
            "only consumers, or customer service for a consumer who called, may report",
        )),
    }
}

/// A report's life. IP reports follow 电子商务法 Art. 42–43: taken down on notice, then the
/// merchant may counter-notify, after which the listing is restored when the counter-notice
/// period passes unless the rights holder says it went to the authorities or to court.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReportState {
    /// With tier 3 (brushing, 炒信).
    Received,
    /// IP notice: the listing is down and the merchant was told.
    TakenDown,
    /// The merchant declared no infringement; the restore clock runs.
    CounterNoticed,
    /// The rights holder went to court or to the authorities: the listing stays down.
    KeptDown,
    /// Restored after the counter-notice period.
    Restored,
    /// The case it belongs to was decided.
    Closed,
}

impl ReportState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::Received => "received",
            ReportState::TakenDown => "taken_down",
            ReportState::CounterNoticed => "counter_noticed",
            ReportState::KeptDown => "kept_down",
            ReportState::Restored => "restored",
            ReportState::Closed => "closed",
        }
    }
    pub const ALL: &'static [ReportState] = &[
        ReportState::Received,
        ReportState::TakenDown,
        ReportState::CounterNoticed,
        ReportState::KeptDown,
        ReportState::Restored,
        ReportState::Closed,
    ];
    pub fn parse(s: &str) -> Option<ReportState> {
        ReportState::ALL.iter().copied().find(|r| r.as_str() == s)
    }
    /// The state's name for people.
    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            ReportState::Received => ("平台监管已受理", "with platform regulation"),
            ReportState::TakenDown => (
                "商品已下架，待商家回应",
                "listing down; awaiting the merchant",
            ),
            ReportState::CounterNoticed => (
                "商家已声明不侵权，到期将恢复上架",
                "the merchant counter-notified; the listing returns when the period ends",
            ),
            ReportState::KeptDown => ("权利人已投诉或起诉，保持下架", "kept down (legal action)"),
            ReportState::Restored => ("已恢复上架", "listing restored"),
            ReportState::Closed => ("已结案", "closed"),
        };
        lang.pick(zh, en)
    }
    /// Where a new report starts.
    pub fn initial(kind: ReportKind) -> ReportState {
        match kind {
            ReportKind::IpInfringement => ReportState::TakenDown,
            _ => ReportState::Received,
        }
    }
}

/// What a report's reader needs to decide on it.
#[derive(Debug, Clone)]
pub struct ReportFacts {
    pub state: ReportState,
    pub reporter_id: UserId,
    pub merchant_id: UserId,
}

/// The wire form of `POST /reports/{id}/actions`.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportActionRequest {
    /// counter_notice (the merchant) or legal_action (the rights holder).
    pub action: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReportAction {
    /// 声明不存在侵权行为 (Art. 43), with the merchant's grounds.
    CounterNotice { statement: String },
    /// The rights holder has complained to the authorities or gone to court.
    LegalAction { note: String },
}

impl ReportAction {
    pub fn parse(r: &ReportActionRequest) -> Result<ReportAction, DomainError> {
        let message = |min| {
            r.message
                .as_deref()
                .ok_or_else(|| {
                    DomainError::invalid("message", "此项必填", "this field is required")
                })
                .and_then(|m| parse_text("message", m, min, 2000))
        };
        match r.action.as_deref().map(str::trim) {
            Some("counter_notice") => Ok(ReportAction::CounterNotice {
                statement: message(10)?,
            }),
            Some("legal_action") => Ok(ReportAction::LegalAction { note: message(5)? }),
            other => Err(DomainError::invalid(
                "action",
                format!(
                    "未知操作“{}”，可选：counter_notice, legal_action",
                    other.unwrap_or("")
                ),
                format!(
                    "unknown action {:?}; expected counter_notice or legal_action",
                    other.unwrap_or("")
                ),
            )),
        }
    }
}

/// What a report action changes.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportTransition {
    pub state: ReportState,
    pub event_kind: EventKind,
    pub data: Value,
    /// `Some`: set the restore deadline; `None` with `cancel_restore`: drop it.
    pub restore_at: Option<Timestamp>,
    pub cancel_restore: bool,
}

pub fn decide_report(
    r: &ReportFacts,
    actor: &Actor,
    action: &ReportAction,
    now: Timestamp,
    policy: &Policy,
) -> Result<ReportTransition, DomainError> {
    match action {
        ReportAction::CounterNotice { statement } => {
            if actor.role != Role::Merchant || actor.id != r.merchant_id {
                return Err(DomainError::forbidden(
                    "只有被投诉店铺的商家可以提交不侵权声明",
                    "only the reported shop's merchant may counter-notify",
                ));
            }
            if r.state != ReportState::TakenDown {
                return Err(report_state_refusal(r.state));
            }
            let due = policy.due(crate::policy::DeadlineKind::IpCounterNotice, now);
            Ok(ReportTransition {
                state: ReportState::CounterNoticed,
                event_kind: EventKind::CounterNoticed,
                data: json!({"statement": statement, "restore_at": due}),
                restore_at: Some(due),
                cancel_restore: false,
            })
        }
        ReportAction::LegalAction { note } => {
            if actor.id != r.reporter_id {
                return Err(DomainError::forbidden(
                    "只有权利人可以告知已投诉或起诉",
                    "only the rights holder may say it went to the authorities or to court",
                ));
            }
            if r.state != ReportState::CounterNoticed {
                return Err(report_state_refusal(r.state));
            }
            Ok(ReportTransition {
                state: ReportState::KeptDown,
                event_kind: EventKind::LegalActionNotified,
                data: json!({"note": note}),
                restore_at: None,
                cancel_restore: true,
            })
        }
    }
}

/// The restore deadline of a counter-noticed IP report has passed.
pub fn restore_lapsed(state: ReportState) -> Option<ReportTransition> {
    (state == ReportState::CounterNoticed).then(|| ReportTransition {
        state: ReportState::Restored,
        event_kind: EventKind::ListingRestored,
        data: json!({}),
        restore_at: None,
        cancel_restore: false,
    })
}

fn report_state_refusal(state: ReportState) -> DomainError {
    DomainError::conflict(
        "invalid_state",
        format!("举报当前状态为 {}，不能进行此操作", state.as_str()),
        format!(
            "the report is {}; this action does not apply",
            state.as_str()
        ),
    )
}

/// Who sees a report: the reporter, staff, and — for an IP notice, which the platform forwards to
/// the merchant (电子商务法 Art. 42) — the reported shop's merchant. Others are told it does not
/// exist; a brushing report never reveals its reporter to the merchant.
pub fn can_view_report(
    actor: &Actor,
    kind: ReportKind,
    reporter: UserId,
    merchant: UserId,
) -> bool {
    actor.role.is_staff()
        || (actor.role == Role::Consumer && actor.id == reporter)
        || (actor.role == Role::Merchant
            && actor.id == merchant
            && kind == ReportKind::IpInfringement)
}

pub fn not_found_report() -> DomainError {
    DomainError::not_found("找不到这条举报", "no such report")
}
