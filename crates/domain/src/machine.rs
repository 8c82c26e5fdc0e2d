//! The complaint's life (DESIGN §3) as one pure function: [`decide`].
//!
//! Every row of the design's table is one arm here; the store persists what this returns and the
//! server exposes it. Nothing else decides whether an action is allowed.

use serde::Serialize;
use serde_json::{Value, json};

use crate::access::{Actor, is_consumer_of, is_merchant_of};
use crate::complaint::*;
use crate::error::DomainError;
use crate::event::EventKind;
use crate::lang::{Lang, Text};
use crate::policy::Policy;
use crate::types::*;

pub use crate::action::{Action, ViolationSpec};
pub use crate::filing::{Filing, OrderFacts, file, is_major};
pub use crate::state::{State, Tier, TimerKind};

/// What moves a complaint: a person's action or a lapsed deadline.
#[derive(Debug, Clone, Copy)]
pub enum Trigger<'a> {
    Act(&'a Actor, &'a Action),
    Timer(TimerKind),
}

/// Which pending timers a transition cancels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cancel {
    /// The state changed: nothing pending still applies.
    All,
    /// Only the named kinds (being replaced, or no longer relevant).
    Kinds(Vec<TimerKind>),
}

/// Side effects beyond the complaint itself, carried out by the store in the same transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Open or join a tier-3 violation case about the shop.
    Forward { reason: String },
    /// Record a violation (points) against the shop.
    Violation {
        kind: String,
        points: u32,
        reason: String,
    },
    /// The platform pays the remedy from the shop's deposit (先行赔付).
    PlatformPayout { remedy: Remedy },
}

/// The outcome of [`decide`]: the complaint after, its event, its timers and effects.
#[derive(Debug, Clone)]
pub struct Transition {
    pub complaint: Complaint,
    pub event_kind: EventKind,
    pub event_data: Value,
    pub cancel: Cancel,
    pub set_timers: Vec<(TimerKind, Timestamp)>,
    pub effects: Vec<Effect>,
}

fn conflict(zh: &str, en: &str) -> DomainError {
    DomainError::conflict("invalid_state", zh, en)
}

fn tier_order(zh: impl Into<String>, en: impl Into<String>) -> DomainError {
    DomainError::TierOrder(Text::new(zh, en))
}

fn state_refusal(c: &Complaint, action: &str) -> DomainError {
    DomainError::conflict(
        "invalid_state",
        format!(
            "投诉当前状态为“{}”，不能执行“{action}”",
            c.state.label(Lang::Zh)
        ),
        format!(
            "the complaint is {}; {action} is not possible now",
            c.state.label(Lang::En)
        ),
    )
}

fn require_role(actor: &Actor, allowed: &[Role], action: &str) -> Result<(), DomainError> {
    if allowed.contains(&actor.role) {
        return Ok(());
    }
    let names_zh: Vec<&str> = allowed.iter().map(|r| r.label(Lang::Zh)).collect();
    let names_en: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
    Err(DomainError::forbidden(
        format!("只有{}可以执行“{action}”", names_zh.join("或")),
        format!("only {} may {action}", names_en.join(" or ")),
    ))
}

fn require_consumer(c: &Complaint, actor: &Actor) -> Result<(), DomainError> {
    if is_consumer_of(actor, c) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "只有投诉人本人可以这样做",
            "only the complaining consumer may do this",
        ))
    }
}

fn require_merchant(c: &Complaint, actor: &Actor) -> Result<(), DomainError> {
    if is_merchant_of(actor, c) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "只有被投诉店铺的商家可以这样做",
            "only the merchant of the shop complained about may do this",
        ))
    }
}

struct Builder {
    c: Complaint,
    from: State,
    kind: EventKind,
    data: serde_json::Map<String, Value>,
    cancel: Cancel,
    timers: Vec<(TimerKind, Timestamp)>,
    effects: Vec<Effect>,
}

impl Builder {
    fn new(c: &Complaint, kind: EventKind) -> Self {
        Builder {
            c: c.clone(),
            from: c.state,
            kind,
            data: serde_json::Map::new(),
            cancel: Cancel::Kinds(vec![]),
            timers: vec![],
            effects: vec![],
        }
    }
    fn to(mut self, s: State) -> Self {
        self.c.state = s;
        if let Some(t) = s.tier() {
            self.c.tier = t;
        }
        self
    }
    fn data(mut self, k: &str, v: impl Serialize) -> Self {
        self.data
            .insert(k.to_owned(), serde_json::to_value(v).unwrap_or(Value::Null));
        self
    }
    fn timer(mut self, kind: TimerKind, at: Timestamp) -> Self {
        self.timers.push((kind, at));
        self
    }
    fn effect(mut self, e: Effect) -> Self {
        self.effects.push(e);
        self
    }
    fn done(mut self, now: Timestamp) -> Transition {
        if self.c.state != self.from {
            self.cancel = Cancel::All;
        } else if let Cancel::Kinds(k) = &mut self.cancel {
            // A new timer of a kind replaces the pending one.
            k.extend(self.timers.iter().map(|(t, _)| *t));
        }
        self.c.updated_at = now;
        let mut data = self.data;
        data.insert("from".into(), json!(self.from.as_str()));
        data.insert("to".into(), json!(self.c.state.as_str()));
        Transition {
            complaint: self.c,
            event_kind: self.kind,
            event_data: Value::Object(data),
            cancel: self.cancel,
            set_timers: self.timers,
            effects: self.effects,
        }
    }
}

/// Resolves a complaint: sets the resolution and the timers that follow one.
fn resolve(b: Builder, now: Timestamp, policy: &Policy, mut resolution: Resolution) -> Builder {
    let ruled = resolution.by == ResolvedBy::Ruling;
    let appealable = ruled && !b.c.progress.appealed;
    if appealable {
        resolution.appeal_until = Some(policy.due(TimerKind::AppealWindow, now));
    }
    let mut b = b.to(State::Resolved).data("resolution", &resolution);
    b.c.progress.resolution = Some(resolution);
    b.c.progress.fulfilled_by = None;
    b.c.progress.evidence_requested_from = None;
    b = b.timer(
        TimerKind::ExecuteRuling,
        policy.due(TimerKind::ExecuteRuling, now),
    );
    if appealable {
        b = b.timer(
            TimerKind::AppealWindow,
            policy.due(TimerKind::AppealWindow, now),
        );
    }
    b
}

fn resolution(by: ResolvedBy, remedy: Option<Remedy>, now: Timestamp) -> Resolution {
    Resolution {
        by,
        remedy,
        decision: None,
        rule_refs: vec![],
        reason: None,
        ruled_by: None,
        appeal_until: None,
        at: now,
    }
}

fn close(b: Builder, outcome: &str) -> Builder {
    let mut b = b.to(State::Closed).data("outcome", outcome);
    b.c.progress.outcome = Some(outcome.to_owned());
    b
}

/// Escalates one tier: mediation, or straight to protection review for a major complaint.
fn escalate_target(c: &Complaint) -> State {
    if c.major {
        State::ProtectionReview
    } else {
        State::Mediation
    }
}

fn enter(b: Builder, to: State, now: Timestamp, policy: &Policy) -> Builder {
    let b = b.to(to);
    if to == State::Mediation {
        b.timer(TimerKind::Mediation, policy.due(TimerKind::Mediation, now))
    } else {
        b
    }
}

/// Decides what a trigger does to a complaint. Pure: the caller persists the result.
pub fn decide(
    c: &Complaint,
    trigger: Trigger<'_>,
    now: Timestamp,
    policy: &Policy,
) -> Result<Transition, DomainError> {
    match trigger {
        Trigger::Act(actor, action) => act(c, actor, action, now, policy),
        Trigger::Timer(kind) => lapse(c, kind, now, policy),
    }
}

fn act(
    c: &Complaint,
    actor: &Actor,
    action: &Action,
    now: Timestamp,
    policy: &Policy,
) -> Result<Transition, DomainError> {
    use State::*;
    let name = action.name();
    let b = match action {
        Action::Accept => {
            require_role(actor, &[Role::Consumer, Role::Merchant], name)?;
            if actor.role == Role::Consumer {
                require_consumer(c, actor)?;
                match c.state {
                    // The proposal on the table: the merchant's (none after a refusal) or the agent's.
                    s if s == AwaitingConsumer || (s == Mediation && c.progress.agent_proposed) => {
                        let remedy = c.progress.proposal.as_ref().map(|p| p.remedy.clone());
                        resolve(
                            Builder::new(c, EventKind::Accepted),
                            now,
                            policy,
                            resolution(ResolvedBy::ConsumerAccepted, remedy, now),
                        )
                    }
                    Mediation | AwaitingMerchant => {
                        return Err(conflict(
                            "还没有可以接受的方案",
                            "there is no proposal to accept yet",
                        ));
                    }
                    _ => return Err(state_refusal(c, name)),
                }
            } else {
                require_merchant(c, actor)?;
                if !c.state.is_open() {
                    return Err(state_refusal(c, name));
                }
                // The merchant grants the claim in full, at whatever tier the complaint is.
                resolve(
                    Builder::new(c, EventKind::Accepted),
                    now,
                    policy,
                    resolution(ResolvedBy::MerchantAccepted, Some(c.claim.clone()), now),
                )
            }
        }
        Action::Propose { remedy, message } => {
            require_role(actor, &[Role::Merchant, Role::CsAgent], name)?;
            let proposal = Proposal {
                by: actor.id,
                by_role: actor.role,
                remedy: remedy.clone(),
                message: message.clone(),
                at: now,
            };
            if actor.role == Role::Merchant {
                require_merchant(c, actor)?;
                if !matches!(c.state, AwaitingMerchant | AwaitingConsumer) {
                    return Err(state_refusal(c, name));
                }
                let mut b = Builder::new(c, EventKind::Proposed)
                    .to(AwaitingConsumer)
                    .data("proposal", &proposal);
                b.c.progress.proposal = Some(proposal);
                b.timer(
                    TimerKind::ConsumerReply,
                    policy.due(TimerKind::ConsumerReply, now),
                )
            } else {
                if c.state != Mediation {
                    return Err(state_refusal(c, name));
                }
                let mut b = Builder::new(c, EventKind::Proposed).data("proposal", &proposal);
                b.c.progress.proposal = Some(proposal);
                b.c.progress.agent_proposed = true;
                b.c.assignee_id = Some(actor.id);
                b
            }
        }
        Action::Reject { message } => {
            require_role(actor, &[Role::Merchant], name)?;
            require_merchant(c, actor)?;
            if c.state != AwaitingMerchant {
                return Err(state_refusal(c, name));
            }
            let mut b = Builder::new(c, EventKind::Rejected)
                .to(AwaitingConsumer)
                .data("message", message);
            b.c.progress.proposal = None;
            b.timer(
                TimerKind::ConsumerReply,
                policy.due(TimerKind::ConsumerReply, now),
            )
        }
        Action::Escalate { reason } => {
            require_role(actor, &[Role::Consumer], name)?;
            require_consumer(c, actor)?;
            let b = Builder::new(c, EventKind::Escalated).data("reason", reason);
            match c.state {
                AwaitingMerchant => {
                    return Err(tier_order(
                        "请先等待商家处理：商家答复或处理期限届满后，才能申请客服介入",
                        "the merchant must answer first: you can ask customer service to step in once the merchant has answered or its deadline has passed",
                    ));
                }
                AwaitingConsumer => enter(b, escalate_target(c), now, policy),
                Mediation if c.progress.agent_proposed => b.to(ProtectionReview),
                Mediation => {
                    return Err(tier_order(
                        "客服尚未给出调解方案：客服提出方案或调解期限届满后，才能申请消费者保障介入",
                        "customer service must propose first: you can ask consumer protection to step in once an agent has proposed or mediation's deadline has passed",
                    ));
                }
                ProtectionReview => {
                    return Err(conflict(
                        "投诉已由消费者保障审理，这是个人投诉的最高一级",
                        "consumer protection already reviews this complaint, the last tier for a personal complaint",
                    ));
                }
                Resolved
                    if c.progress
                        .resolution
                        .as_ref()
                        .is_some_and(|r| r.by == ResolvedBy::Ruling) =>
                {
                    return Err(conflict(
                        "投诉已裁决；如不服，请在申诉期内提出申诉",
                        "the complaint has been ruled on; appeal within the appeal window if you disagree",
                    ));
                }
                _ => return Err(state_refusal(c, name)),
            }
        }
        Action::TakeOver => {
            require_role(actor, &[Role::Protection], name)?;
            if !matches!(c.state, AwaitingMerchant | AwaitingConsumer | Mediation) {
                return Err(state_refusal(c, name));
            }
            if !c.major {
                return Err(DomainError::conflict(
                    "not_major",
                    "只有重大投诉可以直接接管",
                    "only a major complaint may be taken over",
                ));
            }
            let mut b = Builder::new(c, EventKind::TakenOver).to(ProtectionReview);
            b.c.assignee_id = Some(actor.id);
            b
        }
        Action::RequestEvidence { from, message } => {
            require_role(actor, &[Role::Protection], name)?;
            if c.state != ProtectionReview {
                return Err(state_refusal(c, name));
            }
            let mut b = Builder::new(c, EventKind::EvidenceRequested)
                .data("from", from)
                .data("message", message);
            b.c.progress.evidence_requested_from = Some(*from);
            b.c.assignee_id = Some(actor.id);
            b.timer(
                TimerKind::EvidenceTurn,
                policy.due(TimerKind::EvidenceTurn, now),
            )
        }
        Action::Rule {
            decision,
            remedy,
            rule_refs,
            reason,
            violation,
            ..
        } => {
            require_role(actor, &[Role::Protection], name)?;
            if c.state != ProtectionReview {
                return Err(state_refusal(c, name));
            }
            if c.progress.excluded_specialist == Some(actor.id) {
                return Err(DomainError::forbidden(
                    "申诉须由另一位专员重新裁决",
                    "an appeal must be ruled on by another specialist",
                ));
            }
            let res = Resolution {
                by: ResolvedBy::Ruling,
                remedy: remedy.clone(),
                decision: Some(*decision),
                rule_refs: rule_refs.clone(),
                reason: reason.clone(),
                ruled_by: Some(actor.id),
                appeal_until: None,
                at: now,
            };
            let mut b = resolve(Builder::new(c, EventKind::Ruled), now, policy, res);
            b.c.assignee_id = Some(actor.id);
            if let Some(v) = violation {
                b = b.effect(Effect::Violation {
                    kind: v.kind.clone(),
                    points: v.points,
                    reason: reason.clone().unwrap_or_else(|| rule_refs.join("; ")),
                });
            }
            b
        }
        Action::Fulfil { note } => {
            require_role(actor, &[Role::Merchant], name)?;
            require_merchant(c, actor)?;
            let owes = c
                .progress
                .resolution
                .as_ref()
                .is_some_and(|r| r.remedy.is_some());
            if c.state != Resolved || !owes || c.progress.fulfilled_by.is_some() {
                return Err(conflict(
                    "没有待履行的处理结果",
                    "there is no remedy left to carry out",
                ));
            }
            let mut b = Builder::new(c, EventKind::Fulfilled).data("note", note);
            b.c.progress.fulfilled_by = Some(FulfilledBy::Merchant);
            b
        }
        Action::Confirm => {
            require_role(actor, &[Role::Consumer], name)?;
            require_consumer(c, actor)?;
            if c.state != Resolved {
                return Err(state_refusal(c, name));
            }
            let owes = c
                .progress
                .resolution
                .as_ref()
                .is_some_and(|r| r.remedy.is_some());
            if owes && c.progress.fulfilled_by.is_none() {
                return Err(conflict(
                    "商家尚未履行，请在商家履行后再确认",
                    "the merchant has not carried out the remedy yet; confirm once it has",
                ));
            }
            close(Builder::new(c, EventKind::Confirmed), "confirmed")
        }
        Action::Appeal { reason } => {
            require_role(actor, &[Role::Consumer, Role::Merchant], name)?;
            if actor.role == Role::Consumer {
                require_consumer(c, actor)?;
            } else {
                require_merchant(c, actor)?;
            }
            let ruling = match (&c.state, &c.progress.resolution) {
                (Resolved, Some(r)) if r.by == ResolvedBy::Ruling => r,
                _ => {
                    return Err(conflict(
                        "只有裁决可以申诉",
                        "only a ruling can be appealed",
                    ));
                }
            };
            if c.progress.appealed {
                return Err(DomainError::conflict(
                    "appeal_used",
                    "每个裁决只能申诉一次",
                    "a ruling can be appealed only once",
                ));
            }
            if ruling.appeal_until.is_none_or(|u| now > u) {
                return Err(DomainError::conflict(
                    "appeal_window_closed",
                    "申诉期已过",
                    "the appeal window has closed",
                ));
            }
            if actor.role == Role::Merchant
                && c.progress.fulfilled_by == Some(FulfilledBy::Merchant)
            {
                return Err(conflict(
                    "已履行裁决，不能再申诉",
                    "the ruling was carried out; it can no longer be appealed",
                ));
            }
            let mut b = Builder::new(c, EventKind::Appealed)
                .to(ProtectionReview)
                .data("reason", reason);
            b.c.progress.appealed = true;
            b.c.progress.excluded_specialist = ruling.ruled_by;
            b.c.progress.resolution = None;
            b.c.progress.fulfilled_by = None;
            b.c.assignee_id = None;
            b
        }
        Action::Withdraw { reason } => {
            require_role(actor, &[Role::Consumer], name)?;
            require_consumer(c, actor)?;
            if !c.state.is_open() {
                return Err(state_refusal(c, name));
            }
            Builder::new(c, EventKind::Withdrawn)
                .to(Withdrawn)
                .data("reason", reason)
        }
        Action::Forward { reason } => {
            require_role(actor, &[Role::CsAgent, Role::Protection], name)?;
            Builder::new(c, EventKind::Forwarded)
                .data("reason", reason)
                .effect(Effect::Forward {
                    reason: reason.clone(),
                })
        }
    };
    Ok(b.data("action", name).done(now))
}

/// A tier-3 collective case's sanction applied to one member: an open complaint is resolved
/// with the case's remedy, as a ruling (executed and appealable like one).
pub fn case_ruling(
    c: &Complaint,
    case_id: i64,
    remedy: &Remedy,
    rule_refs: &[String],
    reason: &str,
    now: Timestamp,
    policy: &Policy,
) -> Result<Transition, DomainError> {
    if !c.state.is_open() {
        return Err(state_refusal(c, "case_ruling"));
    }
    let res = Resolution {
        by: ResolvedBy::Ruling,
        remedy: Some(remedy.clone()),
        decision: Some(Decision::Uphold),
        rule_refs: rule_refs.to_vec(),
        reason: Some(reason.to_owned()),
        ruled_by: None,
        appeal_until: None,
        at: now,
    };
    let b =
        resolve(Builder::new(c, EventKind::CaseRuled), now, policy, res).data("case_id", case_id);
    Ok(b.done(now))
}

/// A complaint joins a tier-3 collective case: linked to it and major from now on.
pub fn join_collective(c: &Complaint, case_id: i64, now: Timestamp) -> Transition {
    let mut b = Builder::new(c, EventKind::JoinedCollectiveCase).data("case_id", case_id);
    b.c.collective_case_id = Some(crate::types::CaseId(case_id));
    b.c.major = true;
    b.done(now)
}

fn lapse(
    c: &Complaint,
    kind: TimerKind,
    now: Timestamp,
    policy: &Policy,
) -> Result<Transition, DomainError> {
    use State::*;
    let stale = || {
        DomainError::conflict(
            "stale_timer",
            "期限已不适用",
            "the deadline no longer applies",
        )
    };
    let event = match kind {
        TimerKind::MerchantReply => EventKind::MerchantReplyLapsed,
        TimerKind::ConsumerReply => EventKind::ConsumerReplyLapsed,
        TimerKind::Mediation => EventKind::MediationLapsed,
        TimerKind::EvidenceTurn => EventKind::EvidenceTurnLapsed,
        TimerKind::ExecuteRuling => EventKind::ExecuteRulingLapsed,
        TimerKind::AppealWindow => EventKind::AppealWindowLapsed,
    };
    let b = Builder::new(c, event).data("timer", kind);
    let b = match (kind, c.state) {
        (TimerKind::MerchantReply, AwaitingMerchant) => {
            let b = b.effect(Effect::Violation {
                kind: "merchant_no_reply".into(),
                points: policy.points.merchant_no_reply,
                reason: format!("complaint {} unanswered within merchant_reply", c.id),
            });
            if c.claim.lapses_in_consumers_favour() {
                // Taobao's rule: a merchant's silence on a refund or return is agreement.
                resolve(
                    b,
                    now,
                    policy,
                    resolution(ResolvedBy::MerchantSilent, Some(c.claim.clone()), now),
                )
            } else {
                enter(b, Mediation, now, policy)
            }
        }
        (TimerKind::ConsumerReply, AwaitingConsumer) => close(b, "lapsed"),
        (TimerKind::Mediation, Mediation) => b.to(ProtectionReview),
        (TimerKind::EvidenceTurn, ProtectionReview)
            if c.progress.evidence_requested_from.is_some() =>
        {
            let mut b = b.data("party", c.progress.evidence_requested_from);
            b.c.progress.evidence_requested_from = None;
            b
        }
        (TimerKind::ExecuteRuling, Resolved) => {
            let res = c.progress.resolution.as_ref().ok_or_else(stale)?;
            let mut b = b;
            if let (Some(remedy), None) = (&res.remedy, c.progress.fulfilled_by) {
                b = b
                    .effect(Effect::PlatformPayout {
                        remedy: remedy.clone(),
                    })
                    .effect(Effect::Violation {
                        kind: "ruling_not_executed".into(),
                        points: policy.points.ruling_not_executed,
                        reason: format!("complaint {}: remedy not carried out in time", c.id),
                    })
                    .data("paid_by_platform", remedy);
                b.c.progress.fulfilled_by = Some(FulfilledBy::Platform);
            }
            if res.appeal_until.is_some_and(|u| now < u) {
                b
            } else {
                close(b, "executed")
            }
        }
        (TimerKind::AppealWindow, Resolved) => {
            let res = c.progress.resolution.as_ref().ok_or_else(stale)?;
            let settled = res.remedy.is_none() || c.progress.fulfilled_by.is_some();
            if settled { close(b, "executed") } else { b }
        }
        _ => return Err(stale()),
    };
    Ok(b.done(now))
}

/// Every (from, to) pair the design's table allows, for checks and property tests.
pub fn allowed_edge(from: State, to: State) -> bool {
    use State::*;
    if from == to {
        // `forward` and same-state steps (a new proposal, an evidence request) keep the state.
        return true;
    }
    matches!(
        (from, to),
        (
            AwaitingMerchant,
            Resolved | AwaitingConsumer | Mediation | ProtectionReview | Withdrawn
        ) | (
            AwaitingConsumer,
            Resolved | Mediation | ProtectionReview | Closed | Withdrawn
        ) | (Mediation, Resolved | ProtectionReview | Withdrawn)
            | (ProtectionReview, Resolved | Withdrawn)
            | (Resolved, Closed | ProtectionReview)
    )
}
