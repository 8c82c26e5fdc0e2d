//! The payment system's word on a remedy it was asked to pay. Paid is the `fulfil` action
//! ([`act`](super::act)); a failed payment is this transition: an event on the complaint's chain
//! and a mark staff see, while the remedy stays due and its deadline runs on.

use super::Transition;
use super::builder::{Builder, not_due};
use crate::access::{self, Actor};
use crate::complaint::{Complaint, PaymentFailure};
use crate::event::EventKind;
use crate::types::*;

/// Records that paying the complaint's remedy failed, with the payment system's reason.
pub fn remedy_failed(
    c: &Complaint,
    actor: &Actor,
    reason: &str,
    now: Timestamp,
) -> Result<Transition, crate::error::DomainError> {
    access::check_scope(actor, Scope::RemediesWrite)?;
    if !c.remedy_due() {
        return Err(not_due());
    }
    let mut b = Builder::new(c, EventKind::RemedyPaymentFailed).data("reason", reason);
    b.c.progress.payment_failed = Some(PaymentFailure {
        reason: reason.to_owned(),
        at: now,
    });
    Ok(b.done(now))
}
