//! Parsing the body of `POST /complaints/{id}/actions` into an [`Action`].

use serde::{Deserialize, Serialize};

use crate::complaint::{ClaimRequest, parse_claim};
use crate::error::{DomainError, FieldErrors};
use crate::lang::Lang;
use crate::types::*;

/// A violation the transition records against the shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ViolationSpec {
    pub kind: String,
    pub points: u32,
}

/// What a user asks the machine to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Accept,
    Propose {
        remedy: Remedy,
        message: String,
    },
    Reject {
        message: String,
    },
    Escalate {
        reason: Option<String>,
    },
    TakeOver,
    RequestEvidence {
        from: Party,
        message: String,
    },
    /// The party asked for evidence says they have given it: the turn passes back.
    SubmitEvidence,
    Rule {
        decision: Decision,
        remedy: Option<Remedy>,
        rule_refs: Vec<String>,
        reason: Option<String>,
        violation: Option<ViolationSpec>,
        /// Fraud was found: compensation has the statutory floor.
        fraud: bool,
    },
    Fulfil {
        note: Option<String>,
    },
    Confirm,
    Appeal {
        reason: String,
    },
    Withdraw {
        reason: Option<String>,
    },
    Forward {
        reason: String,
    },
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Propose { .. } => "propose",
            Action::Reject { .. } => "reject",
            Action::Escalate { .. } => "escalate",
            Action::TakeOver => "take_over",
            Action::RequestEvidence { .. } => "request_evidence",
            Action::SubmitEvidence => "submit_evidence",
            Action::Rule { .. } => "rule",
            Action::Fulfil { .. } => "fulfil",
            Action::Confirm => "confirm",
            Action::Appeal { .. } => "appeal",
            Action::Withdraw { .. } => "withdraw",
            Action::Forward { .. } => "forward",
        }
    }

    /// What a button that asks for the action says.
    pub fn label(&self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Action::Accept => ("接受", "Accept"),
            Action::Propose { .. } => ("提出方案", "Propose a remedy"),
            Action::Reject { .. } => ("拒绝", "Reject"),
            Action::Escalate { .. } => ("升级投诉", "Escalate"),
            Action::TakeOver => ("接管（重大投诉）", "Take over (major complaint)"),
            Action::RequestEvidence { .. } => ("调取证据", "Request evidence"),
            Action::SubmitEvidence => ("举证完毕", "Evidence submitted"),
            Action::Rule { .. } => ("裁决", "Rule"),
            Action::Fulfil { .. } => ("已履行", "Mark as carried out"),
            Action::Confirm => ("确认完成", "Confirm"),
            Action::Appeal { .. } => ("申诉", "Appeal"),
            Action::Withdraw { .. } => ("撤销投诉", "Withdraw"),
            Action::Forward { .. } => ("移交平台监管", "Forward to regulators"),
        };
        lang.pick(zh, en)
    }
}

/// The wire form of an action: `action` names it, the other fields depend on it.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionRequest {
    /// accept, propose, reject, escalate, take_over, request_evidence, submit_evidence, rule,
    /// fulfil, confirm, appeal, withdraw, forward.
    pub action: Option<String>,
    pub remedy: Option<ClaimRequest>,
    pub message: Option<String>,
    pub reason: Option<String>,
    /// `request_evidence`: consumer or merchant.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Party>))]
    pub from: Option<String>,
    /// `rule`: uphold, partial or reject.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Decision>))]
    pub decision: Option<String>,
    /// `rule`: the rules the ruling rests on, e.g. "淘宝平台争议处理规则 第十七条".
    pub rule_refs: Option<Vec<String>>,
    /// `rule`: a violation to record against the shop.
    pub violation: Option<ViolationRequest>,
    /// `fulfil`: what was done (e.g. the refund's transaction number).
    pub note: Option<String>,
    /// `rule`: fraud was found (消费者权益保护法 Art. 55: at least 3× the price and ¥500).
    pub fraud: Option<bool>,
    /// Optional: the complaint's version the action was decided on (the `ETag` of
    /// `GET /complaints/{id}`, the `seq` of its last event); if anything happened since, 409
    /// `stale_version`. An `If-Match` header says the same.
    pub version: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ViolationRequest {
    pub kind: Option<String>,
    pub points: Option<u32>,
}

fn text(field: &str, v: &Option<String>, min: usize, max: usize) -> Result<String, DomainError> {
    match v {
        Some(s) => parse_text(field, s, min, max),
        None => Err(DomainError::invalid(
            field,
            "此项必填",
            "this field is required",
        )),
    }
}

fn opt_text(field: &str, v: &Option<String>, max: usize) -> Result<Option<String>, DomainError> {
    v.as_ref()
        .map(|s| parse_text(field, s, 0, max))
        .transpose()
        .map(|o| o.filter(|s| !s.is_empty()))
}

const ACTIONS: &str = "accept, propose, reject, escalate, take_over, request_evidence, submit_evidence, rule, fulfil, confirm, appeal, withdraw, forward";

impl Action {
    /// Parses an action request, naming every bad field.
    pub fn parse(r: &ActionRequest) -> Result<Action, DomainError> {
        let name = r.action.as_deref().map(str::trim).ok_or_else(|| {
            DomainError::invalid(
                "action",
                format!("请指定操作：{ACTIONS}"),
                format!("action is required: one of {ACTIONS}"),
            )
        })?;
        let mut e = FieldErrors::new();
        let action = match name {
            "accept" => Some(Action::Accept),
            "confirm" => Some(Action::Confirm),
            "take_over" => Some(Action::TakeOver),
            "submit_evidence" => Some(Action::SubmitEvidence),
            "propose" => {
                let remedy = e.take(parse_claim("remedy", &r.remedy));
                let message = e.take(opt_text("message", &r.message, 2000));
                remedy.zip(message).map(|(remedy, m)| Action::Propose {
                    remedy,
                    message: m.unwrap_or_default(),
                })
            }
            "reject" => e
                .take(text("message", &r.message, 2, 2000))
                .map(|message| Action::Reject { message }),
            "escalate" => e
                .take(opt_text("reason", &r.reason, 2000))
                .map(|reason| Action::Escalate { reason }),
            "withdraw" => e
                .take(opt_text("reason", &r.reason, 2000))
                .map(|reason| Action::Withdraw { reason }),
            "appeal" => e
                .take(text("reason", &r.reason, 2, 2000))
                .map(|reason| Action::Appeal { reason }),
            "forward" => e
                .take(text("reason", &r.reason, 2, 2000))
                .map(|reason| Action::Forward { reason }),
            "fulfil" => e
                .take(opt_text("note", &r.note, 2000))
                .map(|note| Action::Fulfil { note }),
            "request_evidence" => {
                let from = e.take(
                    r.from
                        .as_deref()
                        .ok_or_else(|| {
                            DomainError::invalid(
                                "from",
                                "请指定向哪一方调取证据：consumer 或 merchant",
                                "from is required: consumer or merchant",
                            )
                        })
                        .and_then(Party::parse),
                );
                let message = e.take(text("message", &r.message, 2, 2000));
                from.zip(message)
                    .map(|(from, message)| Action::RequestEvidence { from, message })
            }
            "rule" => {
                let decision = e.take(
                    r.decision
                        .as_deref()
                        .ok_or_else(|| {
                            DomainError::invalid(
                                "decision",
                                "请给出裁决：uphold、partial 或 reject",
                                "decision is required: uphold, partial or reject",
                            )
                        })
                        .and_then(Decision::parse),
                );
                let remedy = match (&decision, &r.remedy) {
                    (Some(Decision::Reject), Some(_)) => {
                        e.push(crate::error::FieldError::new(
                            "remedy",
                            "驳回的裁决不应包含处理方案",
                            "a rejecting ruling grants no remedy",
                        ));
                        None
                    }
                    (Some(Decision::Reject), None) => Some(None),
                    (_, rem) => e.take(parse_claim("remedy", rem)).map(Some),
                };
                let refs: Vec<String> = r.rule_refs.clone().unwrap_or_default();
                let refs: Vec<String> = refs
                    .iter()
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect();
                if refs.is_empty()
                    || refs.len() > 20
                    || refs.iter().any(|s| s.chars().count() > 200)
                {
                    e.push(crate::error::FieldError::new(
                        "rule_refs",
                        "裁决须引用至少一条规则（最多20条，每条不超过200字）",
                        "a ruling cites at least one rule (at most 20, each up to 200 characters)",
                    ));
                }
                let reason = e.take(opt_text("reason", &r.reason, 4000));
                let violation = match &r.violation {
                    None => Some(None),
                    Some(v) => {
                        let kind = e.take(text("violation.kind", &v.kind, 2, 64));
                        let points = match v.points {
                            Some(p) if (1..=48).contains(&p) => Some(p),
                            _ => {
                                e.push(crate::error::FieldError::new(
                                    "violation.points",
                                    "扣分应在1到48之间",
                                    "points must be between 1 and 48",
                                ));
                                None
                            }
                        };
                        kind.zip(points)
                            .map(|(kind, points)| Some(ViolationSpec { kind, points }))
                    }
                };
                match (decision, remedy, reason, violation) {
                    (Some(decision), Some(remedy), Some(reason), Some(violation)) => {
                        Some(Action::Rule {
                            decision,
                            remedy,
                            rule_refs: refs,
                            reason,
                            violation,
                            fraud: r.fraud.unwrap_or(false),
                        })
                    }
                    _ => None,
                }
            }
            other => {
                return Err(DomainError::invalid(
                    "action",
                    format!("未知操作“{other}”，可选：{ACTIONS}"),
                    format!("unknown action {other:?}; expected one of: {ACTIONS}"),
                ));
            }
        };
        e.finish()?;
        Ok(action.expect("no field errors means the action was built"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_distinct_label() {
        let text = || "x".to_owned();
        let remedy = Claim {
            kind: ClaimKind::Other,
            amount_cents: None,
        };
        let all = [
            Action::Accept,
            Action::Propose {
                remedy,
                message: text(),
            },
            Action::Reject { message: text() },
            Action::Escalate { reason: None },
            Action::TakeOver,
            Action::RequestEvidence {
                from: Party::Consumer,
                message: text(),
            },
            Action::SubmitEvidence,
            Action::Rule {
                decision: Decision::Reject,
                remedy: None,
                rule_refs: vec![],
                reason: None,
                violation: None,
                fraud: false,
            },
            Action::Fulfil { note: None },
            Action::Confirm,
            Action::Appeal { reason: text() },
            Action::Withdraw { reason: None },
            Action::Forward { reason: text() },
        ];
        let indices: Vec<usize> = (0..all.len()).collect();
        crate::types::assert_labels(&indices, |i, lang| all[i].label(lang));
    }
}
