//! A complaint's state, the tier that handles it, and the kinds of its deadlines: the words every
//! other module of the domain speaks, so they come first.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::lang::Lang;

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
    pub const ALL: &'static [Tier] = &[
        Tier::Negotiation,
        Tier::CustomerService,
        Tier::ConsumerProtection,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Negotiation => "negotiation",
            Tier::CustomerService => "customer_service",
            Tier::ConsumerProtection => "consumer_protection",
        }
    }
    pub fn parse(s: &str) -> Result<Tier, DomainError> {
        Tier::ALL
            .iter()
            .copied()
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

impl State {
    /// The state's name for people, the one every page, message and chat reply uses.
    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            State::AwaitingMerchant => ("待商家处理", "awaiting the merchant"),
            State::AwaitingConsumer => ("待买家回应", "awaiting the consumer"),
            State::Mediation => ("客服调解中", "in mediation (customer service)"),
            State::ProtectionReview => ("消费者保障审理中", "in consumer-protection review"),
            State::Resolved => ("已解决", "resolved"),
            State::Closed => ("已关闭", "closed"),
            State::Withdrawn => ("已撤销", "withdrawn"),
        };
        lang.pick(zh, en)
    }
}

impl Tier {
    /// The tier's name for people.
    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Tier::Negotiation => ("双方协商", "negotiation"),
            Tier::CustomerService => ("一级·客服", "tier 1 · customer service"),
            Tier::ConsumerProtection => ("二级·消费者保障", "tier 2 · consumer protection"),
        };
        lang.pick(zh, en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_tiers_have_distinct_labels() {
        crate::types::assert_labels(State::ALL, State::label);
        crate::types::assert_labels(Tier::ALL, Tier::label);
    }
}
