//! weiquan's domain: the types of the design, the complaint's state machine, who may do what,
//! the policy, and the event chain's hashing. Pure: no I/O, no database, no HTTP.
#![doc = include_str!("../README.md")]

// The layers, in order: each module uses only those above it (a blank line between each keeps
// rustfmt from sorting them; `tests/layers.rs` checks the order).
pub mod lang;

pub mod error;

pub mod types;

pub mod stream;

pub mod event;

pub mod state;

pub mod chain;

pub mod records;

pub mod complaint;

pub mod access;

pub mod action;

pub mod calendar;

pub mod policy;

pub mod delivery;

pub mod filing;

pub mod jury;

pub mod machine;

pub mod tier3;

pub mod scorecard;

pub mod notice;

pub mod bundle;

pub use access::Actor;
pub use action::Action;
pub use complaint::{Complaint, NewComplaint, Progress};
pub use error::{DomainError, ErrorKind, FieldError};
pub use event::EventKind;
pub use lang::{Lang, Text};
pub use machine::{Transition, Trigger, decide};
pub use policy::Policy;
pub use state::{State, Tier, TimerKind};
pub use stream::Stream;
pub use types::*;
