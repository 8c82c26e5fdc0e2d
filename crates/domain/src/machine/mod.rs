//! The complaint's life (DESIGN §3) as one pure function: [`decide`].
//!
//! Every row of the design's table is one arm here; the store persists what this returns and the
//! server exposes it. Nothing else decides whether an action is allowed.

mod act;
mod builder;
mod collective;
mod edges;
mod jury;
mod lapse;
mod remedy;
mod weight;

use serde_json::Value;

use crate::access::Actor;
use crate::complaint::*;
use crate::error::DomainError;
use crate::event::EventKind;
use crate::policy::Policy;
use crate::types::*;

pub use crate::action::{Action, ViolationSpec};
pub use crate::filing::{Filing, OrderFacts, file, is_major};
pub use crate::state::{State, Tier, TimerKind};
pub use collective::{case_ruling, join_collective};
pub use edges::allowed_edge;
pub use jury::{jury_returned, jury_ruling, send_to_jury};
pub use remedy::remedy_failed;
pub use weight::consequence;

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

/// Decides what a trigger does to a complaint. Pure: the caller persists the result.
pub fn decide(
    c: &Complaint,
    trigger: Trigger<'_>,
    now: Timestamp,
    policy: &Policy,
) -> Result<Transition, DomainError> {
    match trigger {
        Trigger::Act(actor, action) => act::act(c, actor, action, now, policy),
        Trigger::Timer(kind) => lapse::lapse(c, kind, now, policy),
    }
}
