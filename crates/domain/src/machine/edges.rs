//! The edges of the design's table, apart from the arms that walk them.

use crate::state::State;

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
