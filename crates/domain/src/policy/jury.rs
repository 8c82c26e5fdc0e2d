//! `[jury]`: the public jury (大众评审) — which complaints tier 2 may send to a panel of
//! volunteer consumers, how large a panel is, who may sit, how long it votes (a deadline kind of
//! its own, so it may count in business time and pause like the others) and what a vote needs.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{PolicyError, Span, human};
use crate::types::Category;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Jury {
    /// Whether tier 2 may send complaints to a jury at all.
    pub enabled: bool,
    /// Jurors drawn per panel: odd, so that a panel whose every juror votes cannot tie.
    pub panel_size: u32,
    /// A complaint is eligible by itself when its claim is at most this (fen)…
    pub max_claim_cents: i64,
    /// …and its category is one of these.
    pub categories: Vec<Category>,
    /// When true, only a complaint both sides agreed to send may go to a jury; when false
    /// (the default) tier 2 may choose any complaint the rules above allow, and both sides'
    /// agreement makes any other complaint eligible too.
    pub require_consent: bool,
    /// How long a panel has to vote (a deadline kind, `jury_vote` in `[[pauses]]`).
    pub vote: Span,
    /// Jurors who have not voted are reminded this long before the vote closes (counted in the
    /// vote deadline's own time).
    #[serde(with = "human")]
    pub remind_before: Duration,
    /// Fewer votes than this when the vote closes: the complaint goes back to a specialist.
    pub quorum: u32,
    /// A volunteer's account must be at least this many days old.
    pub min_account_days: u32,
    /// A volunteer who let this many panels close without voting or leaving is no longer in
    /// good standing.
    pub max_missed_votes: u32,
    /// A vote's reason, in characters.
    pub reason_min_chars: u32,
    pub reason_max_chars: u32,
}

impl Default for Jury {
    fn default() -> Self {
        Jury {
            enabled: true,
            panel_size: 5,
            max_claim_cents: 50_000,
            categories: vec![Category::NotAsDescribed, Category::QualityDefect],
            require_consent: false,
            vote: Span::Elapsed(Duration::from_secs(72 * 3600)),
            remind_before: Duration::from_secs(24 * 3600),
            quorum: 3,
            min_account_days: 90,
            max_missed_votes: 2,
            reason_min_chars: 5,
            reason_max_chars: 500,
        }
    }
}

impl Jury {
    pub(super) fn validate(&self) -> Result<(), PolicyError> {
        let bad = |zh: String, en: String| Err(PolicyError { zh, en });
        let n = self.panel_size;
        if n.is_multiple_of(2) || !(3..=31).contains(&n) {
            return bad(
                format!(
                    "jury.panel_size 必须是3到31之间的奇数（现为 {n}），以免评审团全员投票时出现平票"
                ),
                format!(
                    "jury.panel_size must be an odd number from 3 to 31 (it is {n}), so that a panel whose every juror votes cannot tie"
                ),
            );
        }
        if self.quorum == 0 || self.quorum > n {
            return bad(
                format!("jury.quorum 必须在1到评审团人数（{n}）之间"),
                format!("jury.quorum must be from 1 to the panel size ({n})"),
            );
        }
        if self.max_claim_cents < 0 {
            return bad(
                "jury.max_claim_cents 不能为负数".into(),
                "jury.max_claim_cents must not be negative".into(),
            );
        }
        let v = self.vote.nominal();
        if v.is_zero() || v > Duration::from_secs(366 * 24 * 3600) {
            return bad(
                "期限 jury.vote 必须大于0且不超过一年".into(),
                "deadline jury.vote must be more than zero and at most a year".into(),
            );
        }
        if self.remind_before.is_zero() {
            return bad(
                "jury.remind_before 必须大于0".into(),
                "jury.remind_before must be more than zero".into(),
            );
        }
        if self.reason_min_chars > self.reason_max_chars || self.reason_max_chars > 2000 {
            return bad(
                "jury.reason_min_chars 不能大于 reason_max_chars，且理由最长2000字".into(),
                "jury.reason_min_chars must not exceed reason_max_chars, which is at most 2000"
                    .into(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::Policy;

    #[test]
    fn an_even_panel_is_refused_at_load_with_the_reason() {
        let e = Policy::from_toml("[jury]\npanel_size = 4\n").unwrap_err();
        assert!(e.en.contains("odd"), "{}", e.en);
        assert!(e.zh.contains("奇数"), "{}", e.zh);
        assert!(Policy::from_toml("[jury]\npanel_size = 1\n").is_err());
        assert!(Policy::from_toml("[jury]\npanel_size = 33\n").is_err());
        assert!(Policy::from_toml("[jury]\npanel_size = 7\nquorum = 8\n").is_err());
        assert!(Policy::from_toml("[jury]\nquorum = 0\n").is_err());
        assert!(Policy::from_toml("[jury]\nvote = \"0s\"\n").is_err());
        let p =
            Policy::from_toml("[jury]\npanel_size = 7\nquorum = 4\nvote = \"2 business days\"\n")
                .unwrap();
        assert_eq!(p.jury.panel_size, 7);
    }

    #[test]
    fn the_vote_counts_like_any_deadline() {
        use crate::policy::DeadlineKind;
        let p = Policy::from_toml("[jury]\nvote = \"48h\"\n").unwrap();
        let now = chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(20_000);
        assert_eq!(
            p.due(DeadlineKind::JuryVote, now),
            now + chrono::Duration::hours(48)
        );
        // A pause may name it.
        assert!(
            Policy::from_toml(
                "[[pauses]]\nfrom = \"2026-10-01\"\nto = \"2026-10-07\"\nkinds = [\"jury_vote\"]\n"
            )
            .is_ok()
        );
    }
}
