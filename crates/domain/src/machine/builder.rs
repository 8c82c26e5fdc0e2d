//! How an arm of [`decide`](super::decide) builds its transition: the refusals it may give, the
//! [`Builder`] and the steps several arms share (resolve, close, enter a tier).

use serde::Serialize;
use serde_json::{Value, json};

use super::{Action, Cancel, Effect, Transition};
use crate::access::{Actor, is_consumer_of, is_merchant_of};
use crate::complaint::*;
use crate::error::DomainError;
use crate::event::EventKind;
use crate::lang::{Lang, Text};
use crate::policy::Policy;
use crate::state::{State, TimerKind};
use crate::types::*;

pub(super) fn conflict(zh: &str, en: &str) -> DomainError {
    DomainError::conflict("invalid_state", zh, en)
}

/// No remedy is owed and unpaid: nothing to carry out or to report on.
pub(super) fn not_due() -> DomainError {
    conflict(
        "没有待履行的处理结果",
        "there is no remedy left to carry out",
    )
}

pub(super) fn tier_order(zh: impl Into<String>, en: impl Into<String>) -> DomainError {
    DomainError::TierOrder(Text::new(zh, en))
}

/// The complaint's state does not allow the action; both named in words, never by code.
pub(super) fn state_refusal(c: &Complaint, action: &Action) -> DomainError {
    refused_in_state(c, action.label(Lang::Zh), action.label(Lang::En))
}

pub(super) fn refused_in_state(c: &Complaint, zh: &str, en: &str) -> DomainError {
    DomainError::conflict(
        "invalid_state",
        format!(
            "投诉当前状态为“{}”，不能执行“{zh}”",
            c.state.label(Lang::Zh)
        ),
        format!(
            "the complaint is {}; “{en}” is not possible now",
            c.state.label(Lang::En)
        ),
    )
}

pub(super) fn require_role(
    actor: &Actor,
    allowed: &[Role],
    action: &Action,
) -> Result<(), DomainError> {
    if allowed.contains(&actor.role) {
        return Ok(());
    }
    let names_zh: Vec<&str> = allowed.iter().map(|r| r.label(Lang::Zh)).collect();
    let names_en: Vec<&str> = allowed.iter().map(|r| r.label(Lang::En)).collect();
    Err(DomainError::forbidden(
        format!(
            "只有{}可以执行“{}”",
            names_zh.join("或"),
            action.label(Lang::Zh)
        ),
        format!(
            "“{}” is for {} only",
            action.label(Lang::En),
            names_en.join(" or ")
        ),
    ))
}

pub(super) fn require_consumer(c: &Complaint, actor: &Actor) -> Result<(), DomainError> {
    if is_consumer_of(actor, c) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "只有投诉人本人可以这样做",
            "only the complaining consumer may do this",
        ))
    }
}

pub(super) fn require_merchant(c: &Complaint, actor: &Actor) -> Result<(), DomainError> {
    if is_merchant_of(actor, c) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "只有被投诉店铺的商家可以这样做",
            "only the merchant of the shop complained about may do this",
        ))
    }
}

pub(super) struct Builder {
    pub(super) c: Complaint,
    pub(super) from: State,
    pub(super) kind: EventKind,
    pub(super) data: serde_json::Map<String, Value>,
    pub(super) cancel: Cancel,
    pub(super) timers: Vec<(TimerKind, Timestamp)>,
    pub(super) effects: Vec<Effect>,
}

impl Builder {
    pub(super) fn new(c: &Complaint, kind: EventKind) -> Self {
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
    pub(super) fn to(mut self, s: State) -> Self {
        self.c.state = s;
        if s != State::ProtectionReview {
            // A jury sits only during protection review: one that sat is dissolved by the store.
            self.c.progress.jury = None;
        }
        if let Some(t) = s.tier() {
            self.c.tier = t;
        }
        self
    }
    pub(super) fn data(mut self, k: &str, v: impl Serialize) -> Self {
        self.data
            .insert(k.to_owned(), serde_json::to_value(v).unwrap_or(Value::Null));
        self
    }
    pub(super) fn timer(mut self, kind: TimerKind, at: Timestamp) -> Self {
        self.timers.push((kind, at));
        self
    }
    pub(super) fn effect(mut self, e: Effect) -> Self {
        self.effects.push(e);
        self
    }
    pub(super) fn done(mut self, now: Timestamp) -> Transition {
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
pub(super) fn resolve(
    b: Builder,
    now: Timestamp,
    policy: &Policy,
    mut resolution: Resolution,
) -> Builder {
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

pub(super) fn resolution(by: ResolvedBy, remedy: Option<Remedy>, now: Timestamp) -> Resolution {
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

pub(super) fn close(b: Builder, outcome: &str) -> Builder {
    let mut b = b.to(State::Closed).data("outcome", outcome);
    b.c.progress.outcome = Some(outcome.to_owned());
    b
}

/// Escalates one tier: mediation, or straight to protection review for a major complaint.
pub(super) fn escalate_target(c: &Complaint) -> State {
    if c.major {
        State::ProtectionReview
    } else {
        State::Mediation
    }
}

pub(super) fn enter(b: Builder, to: State, now: Timestamp, policy: &Policy) -> Builder {
    let b = b.to(to);
    if to == State::Mediation {
        b.timer(TimerKind::Mediation, policy.due(TimerKind::Mediation, now))
    } else {
        b
    }
}
