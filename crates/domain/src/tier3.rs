//! Beyond one complaint: reports (举报), tier-3 cases, the penalty ladder, the shop's standing and
//! the commitment monitors (DESIGN §2–§4). Pure: the store calls these inside its transactions.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::access::Actor;
use crate::complaint::ClaimRequest;
use crate::error::{DomainError, FieldErrors};
use crate::event::EventKind;
use crate::lang::Lang;
use crate::policy::{LadderStep, Penalty, Policy};
use crate::records::OrderItem;
use crate::types::labelled_enum;
use crate::types::*;

// ---------------------------------------------------------------------------------------------
// Reports

/// The wire form of `POST /reports`.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRequest {
    pub shop_id: Option<String>,
    /// fake_transactions (虚假交易/刷单), credit_hyping (炒信) or ip_infringement (知识产权侵权).
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
            let due =
                now + Duration::from_std(policy.deadlines.ip_counter_notice).expect("bounded");
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

// ---------------------------------------------------------------------------------------------
// Cases

/// The wire form of `POST /cases/{id}/actions`.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseActionRequest {
    /// investigate, request_evidence, respond, sanction (or confirm, for a brushing block), dismiss.
    pub action: Option<String>,
    /// `request_evidence`, `respond`, `investigate`: the text.
    pub message: Option<String>,
    /// `sanction`, `dismiss`: the published reasons.
    pub reasons: Option<String>,
    /// `sanction`: the rules it rests on.
    pub rule_refs: Option<Vec<String>>,
    /// `sanction`: points against the shop (default by the case's kind, from the policy).
    pub points: Option<u32>,
    /// `sanction` of a collective case: the remedy every member complaint gets.
    pub remedy: Option<ClaimRequest>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CaseAction {
    Investigate {
        note: Option<String>,
    },
    RequestEvidence {
        message: String,
    },
    Respond {
        message: String,
    },
    Sanction {
        reasons: String,
        rule_refs: Vec<String>,
        points: Option<u32>,
        remedy: Option<Remedy>,
    },
    Dismiss {
        reasons: String,
    },
}

const CASE_ACTIONS: &str = "investigate, request_evidence, respond, sanction, confirm, dismiss";

impl CaseAction {
    pub fn parse(r: &CaseActionRequest) -> Result<CaseAction, DomainError> {
        let text = |field: &str, v: &Option<String>, min| {
            v.as_deref()
                .ok_or_else(|| DomainError::invalid(field, "此项必填", "this field is required"))
                .and_then(|s| parse_text(field, s, min, 4000))
        };
        let mut e = FieldErrors::new();
        let action = match r.action.as_deref().map(str::trim) {
            Some("investigate") => Some(
                CaseAction::Investigate {
                    note: e
                        .take(
                            r.message
                                .as_deref()
                                .map(|m| parse_text("message", m, 0, 4000))
                                .transpose(),
                        )
                        .flatten(),
                }
                .flatten_note(),
            ),
            Some("request_evidence") => e
                .take(text("message", &r.message, 5))
                .map(|message| CaseAction::RequestEvidence { message }),
            Some("respond") => e
                .take(text("message", &r.message, 5))
                .map(|message| CaseAction::Respond { message }),
            Some("sanction" | "confirm") => {
                let reasons = e.take(text("reasons", &r.reasons, 5));
                let rule_refs = r.rule_refs.clone().unwrap_or_default();
                if rule_refs.is_empty() {
                    e.take::<()>(Err(DomainError::invalid(
                        "rule_refs",
                        "处罚须引用所依据的规则",
                        "a sanction must cite the rules it rests on",
                    )));
                }
                let remedy = e.take(
                    r.remedy
                        .as_ref()
                        .map(|c| crate::complaint::parse_claim("remedy", &Some(c.clone())))
                        .transpose(),
                );
                if let Some(p) = r.points
                    && p > 48
                {
                    e.take::<()>(Err(DomainError::invalid(
                        "points",
                        "一次处罚最多48分",
                        "a sanction gives at most 48 points",
                    )));
                }
                reasons.map(|reasons| CaseAction::Sanction {
                    reasons,
                    rule_refs,
                    points: r.points,
                    remedy: remedy.flatten(),
                })
            }
            Some("dismiss") => e
                .take(text("reasons", &r.reasons, 5))
                .map(|reasons| CaseAction::Dismiss { reasons }),
            other => {
                return Err(DomainError::invalid(
                    "action",
                    format!("未知操作“{}”，可选：{CASE_ACTIONS}", other.unwrap_or("")),
                    format!(
                        "unknown action {:?}; expected one of: {CASE_ACTIONS}",
                        other.unwrap_or("")
                    ),
                ));
            }
        };
        e.finish()?;
        Ok(action.expect("no field errors means the action was built"))
    }

    pub fn name(&self) -> &'static str {
        match self {
            CaseAction::Investigate { .. } => "investigate",
            CaseAction::RequestEvidence { .. } => "request_evidence",
            CaseAction::Respond { .. } => "respond",
            CaseAction::Sanction { .. } => "sanction",
            CaseAction::Dismiss { .. } => "dismiss",
        }
    }
}

impl CaseAction {
    fn flatten_note(self) -> CaseAction {
        match self {
            CaseAction::Investigate { note } => CaseAction::Investigate {
                note: note.filter(|n| !n.is_empty()),
            },
            other => other,
        }
    }
}

/// What deciding on a case needs to know.
#[derive(Debug, Clone)]
pub struct CaseFacts {
    pub kind: CaseKind,
    pub state: CaseState,
    pub merchant_id: UserId,
    pub evidence_requested: bool,
}

/// A sanction the store carries out: one violation for the shop (its points go up the ladder)
/// and, for a collective case, the remedy for every member.
#[derive(Debug, Clone, PartialEq)]
pub struct SanctionPlan {
    pub violation_kind: &'static str,
    pub points: u32,
    pub reason: String,
    pub remedy: Option<Remedy>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseTransition {
    pub state: CaseState,
    pub event_kind: EventKind,
    pub data: Value,
    /// Set the merchant's evidence deadline.
    pub evidence_due: Option<Timestamp>,
    /// The pending evidence deadline no longer applies.
    pub cancel_evidence: bool,
    pub evidence_requested: bool,
    pub sanction: Option<SanctionPlan>,
    /// Published with the case once decided.
    pub outcome: Option<Value>,
}

/// Decides an action on a tier-3 case: regulators investigate, ask the merchant for evidence,
/// sanction or dismiss (with published reasons); the shop's merchant answers a request.
pub fn decide_case(
    c: &CaseFacts,
    actor: &Actor,
    action: &CaseAction,
    now: Timestamp,
    policy: &Policy,
) -> Result<CaseTransition, DomainError> {
    let regulator = || {
        if actor.role == Role::Regulator {
            Ok(())
        } else {
            Err(DomainError::forbidden(
                "只有平台监管人员可以处理违规案件",
                "only platform regulators may act on violation cases",
            ))
        }
    };
    let open = matches!(c.state, CaseState::Open | CaseState::Investigating);
    let refuse = || {
        DomainError::conflict(
            "invalid_state",
            format!("案件已结案（{}），不能再操作", c.state.label(Lang::Zh)),
            format!("the case is {}; nothing more can be done", c.state.as_str()),
        )
    };
    let base = |event_kind, data| CaseTransition {
        state: CaseState::Investigating,
        event_kind,
        data,
        evidence_due: None,
        cancel_evidence: false,
        evidence_requested: c.evidence_requested,
        sanction: None,
        outcome: None,
    };
    match action {
        CaseAction::Investigate { note } => {
            regulator()?;
            if c.state != CaseState::Open {
                return Err(if open {
                    DomainError::conflict(
                        "invalid_state",
                        "案件已在调查中",
                        "the case is already being investigated",
                    )
                } else {
                    refuse()
                });
            }
            Ok(base(EventKind::InvestigationStarted, json!({"note": note})))
        }
        CaseAction::RequestEvidence { message } => {
            regulator()?;
            if !open {
                return Err(refuse());
            }
            let due = now + Duration::from_std(policy.deadlines.evidence_turn).expect("bounded");
            Ok(CaseTransition {
                evidence_due: Some(due),
                cancel_evidence: c.evidence_requested,
                evidence_requested: true,
                ..base(
                    EventKind::EvidenceRequested,
                    json!({"message": message, "due_at": due}),
                )
            })
        }
        CaseAction::Respond { message } => {
            if actor.role != Role::Merchant || actor.id != c.merchant_id {
                return Err(DomainError::forbidden(
                    "只有被调查店铺的商家可以答复",
                    "only the merchant of the shop under investigation may respond",
                ));
            }
            if !open {
                return Err(refuse());
            }
            if !c.evidence_requested {
                return Err(DomainError::conflict(
                    "invalid_state",
                    "平台没有要求补充材料",
                    "no evidence has been requested",
                ));
            }
            Ok(CaseTransition {
                state: c.state,
                cancel_evidence: true,
                evidence_requested: false,
                ..base(EventKind::MerchantResponded, json!({"message": message}))
            })
        }
        CaseAction::Sanction {
            reasons,
            rule_refs,
            points,
            remedy,
        } => {
            regulator()?;
            if !open {
                return Err(refuse());
            }
            if remedy.is_some() && c.kind != CaseKind::Collective {
                return Err(DomainError::invalid(
                    "remedy",
                    "只有集体投诉案件的处罚可以为每位成员指定补救",
                    "only a collective case's sanction gives every member a remedy",
                ));
            }
            let (violation_kind, default_points) = match c.kind {
                CaseKind::Violation => ("fake_transactions", policy.points.fake_transactions),
                CaseKind::Ip => ("ip_infringement", policy.points.ip_infringement),
                CaseKind::Collective => ("collective", policy.points.collective),
            };
            let points = points.unwrap_or(default_points);
            let outcome = json!({
                "decision": "sanctioned",
                "reasons": reasons,
                "rule_refs": rule_refs,
                "points": points,
                "remedy": remedy,
                "at": now,
            });
            Ok(CaseTransition {
                state: CaseState::Sanctioned,
                cancel_evidence: true,
                evidence_requested: false,
                sanction: Some(SanctionPlan {
                    violation_kind,
                    points,
                    reason: format!("{reasons}（{}）", rule_refs.join("；")),
                    remedy: remedy.clone(),
                }),
                outcome: Some(outcome.clone()),
                ..base(EventKind::Sanctioned, outcome)
            })
        }
        CaseAction::Dismiss { reasons } => {
            regulator()?;
            if !open {
                return Err(refuse());
            }
            let outcome = json!({"decision": "dismissed", "reasons": reasons, "at": now});
            Ok(CaseTransition {
                state: CaseState::Dismissed,
                cancel_evidence: true,
                evidence_requested: false,
                outcome: Some(outcome.clone()),
                ..base(EventKind::Dismissed, outcome)
            })
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The penalty ladder and the shop's standing

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

// ---------------------------------------------------------------------------------------------
// Commitment monitors

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

pub fn not_found_case() -> DomainError {
    DomainError::not_found("找不到这个案件", "no such case")
}

/// Who sees a tier-3 case: staff, and the merchant of the shop it is about (who must answer it).
pub fn can_view_case(actor: &Actor, merchant: UserId) -> bool {
    actor.role.is_staff() || (actor.role == Role::Merchant && actor.id == merchant)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_states_have_distinct_labels() {
        crate::types::assert_labels(ReportState::ALL, ReportState::label);
        crate::types::assert_labels(ShopStatus::ALL, ShopStatus::label);
    }
    use chrono::{TimeZone, Utc};

    fn t(s: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn ladder_steps_crossed_between_two_totals() {
        let p = Policy::default();
        let th = |b, a| {
            crossings(&p, b, a)
                .into_iter()
                .map(|(t, _)| t)
                .collect::<Vec<_>>()
        };
        assert_eq!(th(0, 11), Vec::<u32>::new());
        assert_eq!(th(11, 12), vec![12]);
        assert_eq!(th(12, 23), Vec::<u32>::new());
        assert_eq!(th(10, 40), vec![12, 24, 36]);
        assert_eq!(th(47, 60), vec![48]);
    }

    #[test]
    fn the_harshest_penalty_sets_the_standing() {
        assert_eq!(standing(&[]), (1.0, ShopStatus::Open));
        assert_eq!(
            standing(&[(Penalty::Warning, None)]),
            (1.0, ShopStatus::Open)
        );
        assert_eq!(
            standing(&[
                (Penalty::TrafficLimit, Some(0.5)),
                (Penalty::ListingBan, Some(0.3))
            ]),
            (0.3, ShopStatus::Restricted)
        );
        assert_eq!(
            standing(&[
                (Penalty::CloseShop, None),
                (Penalty::TrafficLimit, Some(0.5))
            ]),
            (0.0, ShopStatus::Closed)
        );
    }

    #[test]
    fn late_shipment_compensation_is_capped() {
        let p = Policy::default();
        let by = t("2026-05-01T12:00:00+08:00");
        assert_eq!(
            late_shipment(by, Some(by), Cents::new(10_000).unwrap(), by, &p),
            None
        );
        let late = late_shipment(
            by,
            None,
            Cents::new(10_000).unwrap(),
            by + Duration::hours(30),
            &p,
        )
        .unwrap();
        assert_eq!(late.hours_late, 30);
        assert_eq!(late.compensation.get(), 500); // 5 % of ¥100
        let late = late_shipment(
            by,
            Some(by + Duration::hours(1)),
            Cents::new(1_000_000).unwrap(),
            by,
            &p,
        )
        .unwrap();
        assert_eq!(late.compensation.get(), 3000); // capped at ¥30
    }

    #[test]
    fn the_return_window_starts_the_day_after_delivery() {
        let delivered = t("2026-05-01T23:30:00+08:00");
        assert!(in_return_window(delivered, t("2026-05-02T00:10:00+08:00")));
        assert!(in_return_window(delivered, t("2026-05-08T23:59:00+08:00")));
        assert!(!in_return_window(delivered, t("2026-05-09T00:01:00+08:00")));
        let item = |exempt| OrderItem {
            title: "定制刻字钢笔".into(),
            price_cents: Cents::new(9900).unwrap(),
            qty: 1,
            return_exempt: exempt,
        };
        let asked = t("2026-05-03T10:00:00+08:00");
        assert!(return_refusal_breaks_promise(
            true,
            Some(delivered),
            asked,
            Some(&item(None))
        ));
        assert!(!return_refusal_breaks_promise(
            true,
            Some(delivered),
            asked,
            Some(&item(Some(ReturnExempt::CustomMade)))
        ));
        assert!(!return_refusal_breaks_promise(
            false,
            Some(delivered),
            asked,
            None
        ));
        assert!(!return_refusal_breaks_promise(true, None, asked, None));
    }

    #[test]
    fn counterfeit_compensation_has_a_statutory_floor_for_fraud() {
        let p = Policy::default();
        let price = Cents::new(8_000).unwrap();
        assert_eq!(counterfeit_compensation(price, false, &p).get(), 32_000);
        assert_eq!(counterfeit_compensation(price, true, &p).get(), 50_000);
        let dear = Cents::new(100_000).unwrap();
        assert_eq!(counterfeit_compensation(dear, true, &p).get(), 400_000);
        let mut p3 = Policy::default();
        p3.compensation.counterfeit_multiplier = 1;
        assert_eq!(counterfeit_compensation(dear, true, &p3).get(), 300_000);
    }

    #[test]
    fn ip_reports_follow_notice_and_counter_notice() {
        let p = Policy::default();
        let now = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap();
        let merchant = Actor::new(UserId(7), Role::Merchant);
        let holder = Actor::new(UserId(3), Role::Consumer);
        let mut r = ReportFacts {
            state: ReportState::initial(ReportKind::IpInfringement),
            reporter_id: UserId(3),
            merchant_id: UserId(7),
        };
        let counter = ReportAction::CounterNotice {
            statement: "本店商品为自主设计，已有外观专利".into(),
        };
        assert!(decide_report(&r, &holder, &counter, now, &p).is_err());
        let t1 = decide_report(&r, &merchant, &counter, now, &p).unwrap();
        assert_eq!(t1.state, ReportState::CounterNoticed);
        assert_eq!(t1.restore_at, Some(now + Duration::days(15)));
        r.state = t1.state;
        let legal = ReportAction::LegalAction {
            note: "已向法院起诉".into(),
        };
        assert!(decide_report(&r, &merchant, &legal, now, &p).is_err());
        assert_eq!(
            decide_report(&r, &holder, &legal, now, &p).unwrap().state,
            ReportState::KeptDown
        );
        assert_eq!(
            restore_lapsed(r.state).unwrap().state,
            ReportState::Restored
        );
        assert_eq!(restore_lapsed(ReportState::KeptDown), None);
    }

    #[test]
    fn only_regulators_decide_cases_and_closed_ones_stay_closed() {
        let p = Policy::default();
        let now = Utc::now();
        let facts = CaseFacts {
            kind: CaseKind::Violation,
            state: CaseState::Open,
            merchant_id: UserId(7),
            evidence_requested: false,
        };
        let sanction = CaseAction::Sanction {
            reasons: "刷单证据确凿".into(),
            rule_refs: vec!["淘宝规则 第六十四条".into()],
            points: None,
            remedy: None,
        };
        let guard = Actor::new(UserId(2), Role::Protection);
        assert!(decide_case(&facts, &guard, &sanction, now, &p).is_err());
        let reg = Actor::new(UserId(1), Role::Regulator);
        let t = decide_case(&facts, &reg, &sanction, now, &p).unwrap();
        assert_eq!(t.state, CaseState::Sanctioned);
        assert_eq!(t.sanction.unwrap().points, p.points.fake_transactions);
        let closed = CaseFacts {
            state: CaseState::Sanctioned,
            ..facts
        };
        assert!(decide_case(&closed, &reg, &sanction, now, &p).is_err());
    }
}
