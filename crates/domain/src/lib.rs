//! weiquan's domain: the types of the design, the complaint's state machine, who may do what,
//! the policy, and the event chain's hashing. Pure: no I/O, no database, no HTTP.
#![doc = include_str!("../README.md")]

pub mod access;
pub mod action;
pub mod chain;
pub mod complaint;
pub mod error;
pub mod lang;
pub mod machine;
pub mod policy;
pub mod records;
pub mod tier3;
pub mod types;

pub use access::Actor;
pub use complaint::{Complaint, NewComplaint, Progress};
pub use error::{DomainError, ErrorKind, FieldError};
pub use lang::{Lang, Text};
pub use machine::{Action, State, Tier, TimerKind, Transition, Trigger, decide};
pub use policy::Policy;
pub use types::*;
