//! What each reader may learn from a chain's events: the one place events are redacted, for
//! every API answer and page that shows a case's, a report's or a shop's chain to someone other
//! than staff. Reporters stay anonymous to the merchant they report; the public sees a shop's
//! published outcomes and nothing about who complained or bought.

use serde_json::{Map, Value};

use super::Actor;
use crate::event::EventKind;
use crate::types::UserId;

/// Who reads a chain, for what its events may show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader<'a> {
    /// Platform staff, and a reporter reading their own report: everything as recorded.
    Full,
    /// The merchant of the shop concerned (a case about it, an IP notice against it): the
    /// accounts that reported are named `reporter`, and the account and order a report names
    /// are left out.
    Merchant { reporters: &'a [UserId] },
    /// Anyone, signed in or not (a shop's published history): only [`published`] kinds, their
    /// published fields, and a role for the actor.
    Public,
}

/// What the public sees of an event kind: who acted (a role, never an account) and which data
/// fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    pub actor: &'static str,
    pub fields: &'static [&'static str],
}

/// How an event names a reporter to the merchant (the report's own chain has always said so).
pub const REPORTER: &str = "reporter";

/// Which event kinds a shop's public history shows, and what of them. Every kind is decided here
/// (no catch-all: a new kind must be decided): the published outcomes — violations, penalties,
/// their lifting and appeals, IP takedowns and restorations — without complaint ids, order
/// numbers or anyone's free text; nothing else.
pub fn published(kind: EventKind) -> Option<Published> {
    use EventKind as E;
    let p = |actor, fields| Some(Published { actor, fields });
    match kind {
        E::ViolationRecorded => p(
            "platform",
            &[
                "violation_id",
                "case_id",
                "kind",
                "points",
                "compensation_cents",
                "reason",
            ],
        ),
        E::PenaltyApplied => p(
            "platform",
            &[
                "penalty_id",
                "penalty",
                "threshold",
                "points",
                "search_weight",
                "starts_at",
                "ends_at",
                "violation_id",
                "reason",
            ],
        ),
        E::PenaltyLifted => p("platform", &["penalty_id", "why"]),
        // That the merchant appealed and how it ended; the reasons on either side stay private.
        E::PenaltyAppealed => p("merchant", &["penalty_id"]),
        E::PenaltyAppealDecided => p("platform", &["penalty_id", "decision"]),
        E::ListingTakenDown => p(REPORTER, &["listing"]),
        E::ListingRestored => p("platform", &["listing"]),
        // A payout is one consumer's complaint; shop records are imports, not outcomes.
        E::PlatformPayout | E::ShopCreated | E::ShopUpdated => None,
        // Other chains' kinds: never part of a shop's history.
        E::Filed
        | E::Accepted
        | E::Proposed
        | E::Rejected
        | E::Escalated
        | E::TakenOver
        | E::EvidenceRequested
        | E::Ruled
        | E::Fulfilled
        | E::Confirmed
        | E::Appealed
        | E::Withdrawn
        | E::Forwarded
        | E::JoinedCollectiveCase
        | E::CaseRuled
        | E::MessagePosted
        | E::EvidenceAdded
        | E::EvidenceSubmitted
        | E::MerchantReplyLapsed
        | E::ConsumerReplyLapsed
        | E::MediationLapsed
        | E::EvidenceTurnLapsed
        | E::ExecuteRulingLapsed
        | E::AppealWindowLapsed
        | E::RemedyPaymentFailed
        | E::JurySummoned
        | E::JuryReturned
        | E::JuryDrawn
        | E::JurorVoted
        | E::JurorLeft
        | E::JuryDecided
        | E::JuryDissolved
        | E::JurorsScored
        | E::Reported
        | E::CounterNoticed
        | E::LegalActionNotified
        | E::CaseDecided
        | E::Opened
        | E::MemberAdded
        | E::ReportAdded
        | E::RegulatorsNotified
        | E::BlockFound
        | E::InvestigationStarted
        | E::MerchantResponded
        | E::Sanctioned
        | E::Dismissed
        | E::EvidenceLapsed
        | E::RoleChanged
        | E::AccountDisabled
        | E::AccountEnabled
        | E::PasswordReset
        | E::ServiceAccountCreated
        | E::ApiKeyIssued
        | E::ApiKeyRevoked
        | E::OrderImported
        | E::OrderUpdated
        | E::BundleExported => None,
    }
}

/// Who reads a shop's history: staff all of it; anyone else, signed in or not, its published
/// outcomes.
pub fn shop_reader(actor: Option<&Actor>) -> Reader<'static> {
    match actor {
        Some(a) if a.role.is_staff() => Reader::Full,
        _ => Reader::Public,
    }
}

/// What `reader` sees of one event: its actor and data, or `None` when it is not theirs to see.
pub fn event_view(
    reader: Reader<'_>,
    kind: EventKind,
    actor: &str,
    data: &Value,
) -> Option<(String, Value)> {
    match reader {
        Reader::Full => Some((actor.to_owned(), data.clone())),
        Reader::Merchant { reporters } => {
            let reported = reporters
                .iter()
                .any(|r| actor.strip_prefix("user:") == Some(&r.to_string()));
            let actor = if reported { REPORTER } else { actor };
            let mut data = data.clone();
            if let Some(d) = data.as_object_mut() {
                d.remove("reporter_id");
                // A report's order is the reporter's own purchase: it would name them.
                if kind == EventKind::Reported {
                    d.remove("order_no");
                }
            }
            Some((actor.to_owned(), data))
        }
        Reader::Public => {
            let p = published(kind)?;
            let fields: Map<String, Value> = p
                .fields
                .iter()
                .filter_map(|&f| Some((f.to_owned(), data.get(f)?.clone())))
                .collect();
            Some((p.actor.to_owned(), Value::Object(fields)))
        }
    }
}

/// What the public sees of a penalty's appeal (a shop's published standing): that it was made,
/// when, and what became of it — not the merchant's reason, nor who decided or why, as the
/// events' public view.
pub fn published_appeal(appeal: &Value) -> Value {
    const FIELDS: [&str; 3] = ["state", "at", "decided_at"];
    Value::Object(
        FIELDS
            .iter()
            .filter_map(|&f| Some((f.to_owned(), appeal.get(f)?.clone())))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_public_sees_an_appeal_s_state_and_times_only() {
        let appeal = json!({"reason": "我们已整改", "at": "2026-11-02T10:00:00Z", "state": "upheld",
            "decided_by": 9, "decision_reason": "证据不足", "decided_at": "2026-11-03T10:00:00Z"});
        assert_eq!(
            published_appeal(&appeal),
            json!({"state": "upheld", "at": "2026-11-02T10:00:00Z", "decided_at": "2026-11-03T10:00:00Z"})
        );
    }

    /// Every kind's public view, decided: shown with exactly these fields, or hidden.
    #[test]
    fn the_public_sees_published_outcomes_only() {
        use EventKind as E;
        let shown: &[(EventKind, &str, &[&str])] = &[
            (
                E::ViolationRecorded,
                "platform",
                &[
                    "violation_id",
                    "case_id",
                    "kind",
                    "points",
                    "compensation_cents",
                    "reason",
                ],
            ),
            (
                E::PenaltyApplied,
                "platform",
                &[
                    "penalty_id",
                    "penalty",
                    "threshold",
                    "points",
                    "search_weight",
                    "starts_at",
                    "ends_at",
                    "violation_id",
                    "reason",
                ],
            ),
            (E::PenaltyLifted, "platform", &["penalty_id", "why"]),
            (E::PenaltyAppealed, "merchant", &["penalty_id"]),
            (
                E::PenaltyAppealDecided,
                "platform",
                &["penalty_id", "decision"],
            ),
            (E::ListingTakenDown, REPORTER, &["listing"]),
            (E::ListingRestored, "platform", &["listing"]),
        ];
        // Everything a shop's (or any) chain records that could name a person or their order.
        let private = json!({
            "reporter_id": 7, "complaint_id": 3, "order_no": "202605010000000001",
            "consumer_id": 7, "buyer": "buyer01", "by": 7, "decided_by": 9, "message": "x",
            "note": "x", "description": "x", "details": {}, "remedy": {},
            "merchant": "seller01", "username": "buyer01", "report_id": 4,
        });
        for &kind in EventKind::ALL {
            let mut data = private.clone();
            let expected = shown.iter().find(|(k, _, _)| *k == kind);
            if let Some((_, _, fields)) = expected {
                for f in *fields {
                    data[*f] = json!(f);
                }
            }
            let seen = event_view(Reader::Public, kind, "user:7", &data);
            match (expected, seen) {
                (None, None) => {}
                (Some((_, actor, fields)), Some((a, d))) => {
                    assert_eq!(a, *actor, "{kind}");
                    let keys: Vec<&str> =
                        d.as_object().unwrap().keys().map(|k| k.as_str()).collect();
                    let mut want: Vec<&str> = fields.to_vec();
                    want.sort_unstable();
                    let mut keys = keys;
                    keys.sort_unstable();
                    assert_eq!(keys, want, "{kind}: only its published fields");
                    for f in *fields {
                        assert_eq!(d[*f], json!(f), "{kind}.{f}");
                    }
                }
                (e, s) => panic!("{kind}: expected {e:?}, saw {s:?}"),
            }
        }
    }

    #[test]
    fn only_staff_read_a_shops_whole_history() {
        use crate::types::Role;
        assert_eq!(shop_reader(None), Reader::Public);
        for role in Role::ALL {
            let want = if role.is_staff() {
                Reader::Full
            } else {
                Reader::Public
            };
            assert_eq!(
                shop_reader(Some(&Actor::new(UserId(1), *role))),
                want,
                "{role}"
            );
        }
    }

    #[test]
    fn the_merchant_never_learns_who_reported() {
        let reporters = [UserId(7)];
        let m = Reader::Merchant {
            reporters: &reporters,
        };
        let data =
            json!({"reporter_id": 7, "order_no": "202605010000000001", "kind": "ip_infringement"});
        let (a, d) = event_view(m, EventKind::Reported, "user:7", &data).unwrap();
        assert_eq!(a, REPORTER);
        assert_eq!(d, json!({"kind": "ip_infringement"}));
        for kind in [
            EventKind::Opened,
            EventKind::ReportAdded,
            EventKind::EvidenceAdded,
        ] {
            let (a, d) = event_view(m, kind, "user:7", &json!({"report_id": 1})).unwrap();
            assert_eq!(
                (a.as_str(), d),
                (REPORTER, json!({"report_id": 1})),
                "{kind}"
            );
        }
        // Not a prefix match: user:70 is someone else (staff), named as recorded.
        let (a, _) = event_view(m, EventKind::InvestigationStarted, "user:70", &json!({})).unwrap();
        assert_eq!(a, "user:70");
        let (a, _) = event_view(m, EventKind::Opened, "system:brushing", &json!({})).unwrap();
        assert_eq!(a, "system:brushing");
        // Staff see what was recorded.
        let (a, d) = event_view(Reader::Full, EventKind::Reported, "user:7", &data).unwrap();
        assert_eq!((a.as_str(), d), ("user:7", data));
    }
}
