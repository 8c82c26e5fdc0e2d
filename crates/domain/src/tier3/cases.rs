//! Tier-3 cases: investigate, request evidence, respond, sanction (or confirm), dismiss.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::access::Actor;
use crate::complaint::ClaimRequest;
use crate::error::{DomainError, FieldErrors};
use crate::event::EventKind;
use crate::lang::Lang;
use crate::policy::Policy;
use crate::types::*;

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
            let due = policy.due(crate::TimerKind::EvidenceTurn, now);
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

pub fn not_found_case() -> DomainError {
    DomainError::not_found("找不到这个案件", "no such case")
}

/// Who sees a tier-3 case: staff, and the merchant of the shop it is about (who must answer it).
pub fn can_view_case(actor: &Actor, merchant: UserId) -> bool {
    actor.role.is_staff() || (actor.role == Role::Merchant && actor.id == merchant)
}
