//! The fifteen intents: the twelve complaint categories of DESIGN §2 and three about the dialogue.

use std::fmt;

use weiquan_domain::Category;

/// What a consumer's message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Intent {
    /// A complaint or report of one of the twelve categories.
    Complaint(Category),
    /// 转人工, 升级投诉: the consumer wants a person, or a higher tier.
    Escalate,
    /// 查询进度: where is my complaint?
    CheckStatus,
    /// 怎么投诉: how do I complain, what do I need?
    HowToComplain,
}

impl Intent {
    /// Every intent, in the fixed order used by the classifier (its class index).
    pub const ALL: [Intent; 15] = [
        Intent::Complaint(Category::QualityDefect),
        Intent::Complaint(Category::NotAsDescribed),
        Intent::Complaint(Category::Counterfeit),
        Intent::Complaint(Category::FalseAdvertising),
        Intent::Complaint(Category::RefuseToShip),
        Intent::Complaint(Category::LateShipment),
        Intent::Complaint(Category::Harassment),
        Intent::Complaint(Category::ReturnRefused),
        Intent::Complaint(Category::ShippingFee),
        Intent::Complaint(Category::RefundNotReceived),
        Intent::Complaint(Category::FakeTransactions),
        Intent::Complaint(Category::IpInfringement),
        Intent::Escalate,
        Intent::CheckStatus,
        Intent::HowToComplain,
    ];

    /// The wire name (`quality_defect`, …, `escalate`, `check_status`, `how_to_complain`).
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Complaint(c) => c.as_str(),
            Intent::Escalate => "escalate",
            Intent::CheckStatus => "check_status",
            Intent::HowToComplain => "how_to_complain",
        }
    }

    /// The Chinese label shown to people.
    pub fn label_zh(self) -> &'static str {
        match self {
            Intent::Complaint(c) => c.label(weiquan_domain::Lang::Zh),
            Intent::Escalate => "转人工/升级投诉",
            Intent::CheckStatus => "查询进度",
            Intent::HowToComplain => "怎么投诉",
        }
    }

    /// Parses a wire name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Intent> {
        Intent::ALL.iter().copied().find(|i| i.as_str() == s.trim())
    }

    /// The class index of this intent in [`Intent::ALL`].
    pub fn index(self) -> usize {
        Intent::ALL
            .iter()
            .position(|&i| i == self)
            .expect("every intent is in ALL")
    }

    /// The complaint category, when the intent is one.
    pub fn category(self) -> Option<Category> {
        match self {
            Intent::Complaint(c) => Some(c),
            _ => None,
        }
    }
}

impl fmt::Display for Intent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the message is said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tone {
    Calm,
    /// Insults, threats, shouting, exasperation.
    Emotional,
}

impl Tone {
    pub const ALL: [Tone; 2] = [Tone::Calm, Tone::Emotional];

    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Calm => "calm",
            Tone::Emotional => "emotional",
        }
    }

    pub fn parse(s: &str) -> Option<Tone> {
        match s.trim() {
            "calm" => Some(Tone::Calm),
            "emotional" => Some(Tone::Emotional),
            _ => None,
        }
    }

    pub fn index(self) -> usize {
        match self {
            Tone::Calm => 0,
            Tone::Emotional => 1,
        }
    }
}

impl fmt::Display for Tone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_cover_every_category() {
        for (i, intent) in Intent::ALL.iter().enumerate() {
            assert_eq!(Intent::parse(intent.as_str()), Some(*intent));
            assert_eq!(intent.index(), i);
        }
        for c in Category::ALL {
            assert!(Intent::ALL.contains(&Intent::Complaint(*c)));
        }
        assert_eq!(Intent::parse("refund"), None);
    }
}
