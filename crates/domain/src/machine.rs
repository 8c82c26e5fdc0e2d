//! The complaint's life (DESIGN §3) as one pure function: [`decide`].
//!
//! Every row of the design's table is one arm here; the store persists what this returns and the
//! server exposes it. Nothing else decides whether an action is allowed.

use chrono::Duration as ChronoDuration;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::access::{Actor, is_consumer_of, is_merchant_of};
use crate::complaint::*;
use crate::error::DomainError;
use crate::lang::Text;
use crate::policy::Policy;
use crate::types::*;

/// A complaint's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum State {
    AwaitingMerchant,
    AwaitingConsumer,
    Mediation,
    ProtectionReview,
    Resolved,
    Closed,
    Withdrawn,
}

/// Who handles a complaint: the two sides between themselves, then tier 1, then tier 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Consumer and merchant settle between themselves, under tier 1's watch.
    Negotiation,
    /// Tier 1: customer service mediates.
    CustomerService,
    /// Tier 2: consumer protection investigates and rules.
    ConsumerProtection,
}

impl State {
    pub const ALL: &'static [State] = &[
        State::AwaitingMerchant,
        State::AwaitingConsumer,
        State::Mediation,
        State::ProtectionReview,
        State::Resolved,
        State::Closed,
        State::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::AwaitingMerchant => "awaiting_merchant",
            State::AwaitingConsumer => "awaiting_consumer",
            State::Mediation => "mediation",
            State::ProtectionReview => "protection_review",
            State::Resolved => "resolved",
            State::Closed => "closed",
            State::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Result<State, DomainError> {
        State::ALL
            .iter()
            .copied()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| {
                let allowed: Vec<&str> = State::ALL.iter().map(|s| s.as_str()).collect();
                DomainError::invalid(
                    "state",
                    format!("未知状态，可选：{}", allowed.join(", ")),
                    format!("unknown state; expected one of: {}", allowed.join(", ")),
                )
            })
    }

    /// The tier of an open state; `None` for the terminal states, which keep the last tier.
    pub fn tier(self) -> Option<Tier> {
        match self {
            State::AwaitingMerchant | State::AwaitingConsumer => Some(Tier::Negotiation),
            State::Mediation => Some(Tier::CustomerService),
            State::ProtectionReview => Some(Tier::ConsumerProtection),
            State::Resolved | State::Closed | State::Withdrawn => None,
        }
    }

    /// Still being worked on (a consumer may withdraw).
    pub fn is_open(self) -> bool {
        self.tier().is_some()
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, State::Closed | State::Withdrawn)
    }
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Negotiation => "negotiation",
            Tier::CustomerService => "customer_service",
            Tier::ConsumerProtection => "consumer_protection",
        }
    }
    pub fn parse(s: &str) -> Result<Tier, DomainError> {
        [
            Tier::Negotiation,
            Tier::CustomerService,
            Tier::ConsumerProtection,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
        .ok_or_else(|| {
            DomainError::invalid(
                "tier",
                "未知层级，可选：negotiation, customer_service, consumer_protection",
                "unknown tier; expected negotiation, customer_service or consumer_protection",
            )
        })
    }
}

/// The deadlines a complaint can wait on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TimerKind {
    MerchantReply,
    ConsumerReply,
    Mediation,
    EvidenceTurn,
    ExecuteRuling,
    AppealWindow,
}

impl TimerKind {
    pub const ALL: &'static [TimerKind] = &[
        TimerKind::MerchantReply,
        TimerKind::ConsumerReply,
        TimerKind::Mediation,
        TimerKind::EvidenceTurn,
        TimerKind::ExecuteRuling,
        TimerKind::AppealWindow,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            TimerKind::MerchantReply => "merchant_reply",
            TimerKind::ConsumerReply => "consumer_reply",
            TimerKind::Mediation => "mediation",
            TimerKind::EvidenceTurn => "evidence_turn",
            TimerKind::ExecuteRuling => "execute_ruling",
            TimerKind::AppealWindow => "appeal_window",
        }
    }
    pub fn parse(s: &str) -> Option<TimerKind> {
        TimerKind::ALL.iter().copied().find(|k| k.as_str() == s)
    }
    /// The tier whose service level the deadline measures (for statistics).
    pub fn sla_tier(self) -> Tier {
        match self {
            TimerKind::MerchantReply | TimerKind::ConsumerReply => Tier::Negotiation,
            TimerKind::Mediation => Tier::CustomerService,
            TimerKind::EvidenceTurn | TimerKind::ExecuteRuling | TimerKind::AppealWindow => {
                Tier::ConsumerProtection
            }
        }
    }
}

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
            Action::Rule { .. } => "rule",
            Action::Fulfil { .. } => "fulfil",
            Action::Confirm => "confirm",
            Action::Appeal { .. } => "appeal",
            Action::Withdraw { .. } => "withdraw",
            Action::Forward { .. } => "forward",
        }
    }
}

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
    pub event_kind: &'static str,
    pub event_data: Value,
    pub cancel: Cancel,
    pub set_timers: Vec<(TimerKind, Timestamp)>,
    pub effects: Vec<Effect>,
}

fn due(now: Timestamp, policy: &Policy, kind: TimerKind) -> Timestamp {
    now + ChronoDuration::from_std(policy.deadline(kind)).unwrap_or(ChronoDuration::MAX)
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
            state_label_zh(c.state)
        ),
        format!(
            "the complaint is {}; {action} is not possible now",
            c.state.as_str()
        ),
    )
}

/// The Chinese name of a state, for messages.
pub fn state_label_zh(s: State) -> &'static str {
    match s {
        State::AwaitingMerchant => "待商家处理",
        State::AwaitingConsumer => "待买家回应",
        State::Mediation => "客服调解中",
        State::ProtectionReview => "消费者保障审理中",
        State::Resolved => "已处理",
        State::Closed => "已关闭",
        State::Withdrawn => "已撤销",
    }
}

/// Whether a claim, category or collective membership makes a complaint `major`.
pub fn is_major(claim: &Claim, category: Category, in_collective: bool, policy: &Policy) -> bool {
    in_collective
        || policy.major.categories.contains(&category)
        || claim
            .amount_cents
            .is_some_and(|a| a.get() >= policy.major.amount_cents)
}

fn require_role(actor: &Actor, allowed: &[Role], action: &str) -> Result<(), DomainError> {
    if allowed.contains(&actor.role) {
        return Ok(());
    }
    let names_zh: Vec<&str> = allowed.iter().map(|r| r.label_zh()).collect();
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
    kind: &'static str,
    data: serde_json::Map<String, Value>,
    cancel: Cancel,
    timers: Vec<(TimerKind, Timestamp)>,
    effects: Vec<Effect>,
}

impl Builder {
    fn new(c: &Complaint, kind: &'static str) -> Self {
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
        resolution.appeal_until = Some(due(now, policy, TimerKind::AppealWindow));
    }
    let mut b = b.to(State::Resolved).data("resolution", &resolution);
    b.c.progress.resolution = Some(resolution);
    b.c.progress.fulfilled_by = None;
    b.c.progress.evidence_requested_from = None;
    b = b.timer(
        TimerKind::ExecuteRuling,
        due(now, policy, TimerKind::ExecuteRuling),
    );
    if appealable {
        b = b.timer(
            TimerKind::AppealWindow,
            due(now, policy, TimerKind::AppealWindow),
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
        b.timer(TimerKind::Mediation, due(now, policy, TimerKind::Mediation))
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
                            Builder::new(c, "accepted"),
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
                    Builder::new(c, "accepted"),
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
                let mut b = Builder::new(c, "proposed")
                    .to(AwaitingConsumer)
                    .data("proposal", &proposal);
                b.c.progress.proposal = Some(proposal);
                b.timer(
                    TimerKind::ConsumerReply,
                    due(now, policy, TimerKind::ConsumerReply),
                )
            } else {
                if c.state != Mediation {
                    return Err(state_refusal(c, name));
                }
                let mut b = Builder::new(c, "proposed").data("proposal", &proposal);
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
            let mut b = Builder::new(c, "rejected")
                .to(AwaitingConsumer)
                .data("message", message);
            b.c.progress.proposal = None;
            b.timer(
                TimerKind::ConsumerReply,
                due(now, policy, TimerKind::ConsumerReply),
            )
        }
        Action::Escalate { reason } => {
            require_role(actor, &[Role::Consumer], name)?;
            require_consumer(c, actor)?;
            let b = Builder::new(c, "escalated").data("reason", reason);
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
            let mut b = Builder::new(c, "taken_over").to(ProtectionReview);
            b.c.assignee_id = Some(actor.id);
            b
        }
        Action::RequestEvidence { from, message } => {
            require_role(actor, &[Role::Protection], name)?;
            if c.state != ProtectionReview {
                return Err(state_refusal(c, name));
            }
            let mut b = Builder::new(c, "evidence_requested")
                .data("from", from)
                .data("message", message);
            b.c.progress.evidence_requested_from = Some(*from);
            b.c.assignee_id = Some(actor.id);
            b.timer(
                TimerKind::EvidenceTurn,
                due(now, policy, TimerKind::EvidenceTurn),
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
            let mut b = resolve(Builder::new(c, "ruled"), now, policy, res);
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
            let mut b = Builder::new(c, "fulfilled").data("note", note);
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
            close(Builder::new(c, "confirmed"), "confirmed")
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
            let mut b = Builder::new(c, "appealed")
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
            Builder::new(c, "withdrawn")
                .to(Withdrawn)
                .data("reason", reason)
        }
        Action::Forward { reason } => {
            require_role(actor, &[Role::CsAgent, Role::Protection], name)?;
            Builder::new(c, "forwarded")
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
    let b = resolve(Builder::new(c, "case_ruled"), now, policy, res).data("case_id", case_id);
    Ok(b.done(now))
}

/// A complaint joins a tier-3 collective case: linked to it and major from now on.
pub fn join_collective(c: &Complaint, case_id: i64, now: Timestamp) -> Transition {
    let mut b = Builder::new(c, "joined_collective_case").data("case_id", case_id);
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
        TimerKind::MerchantReply => "merchant_reply_lapsed",
        TimerKind::ConsumerReply => "consumer_reply_lapsed",
        TimerKind::Mediation => "mediation_lapsed",
        TimerKind::EvidenceTurn => "evidence_turn_lapsed",
        TimerKind::ExecuteRuling => "execute_ruling_lapsed",
        TimerKind::AppealWindow => "appeal_window_lapsed",
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
    let merchant_reply = due(now, policy, TimerKind::MerchantReply);
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
