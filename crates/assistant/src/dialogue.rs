//! 客服小蜜's dialogue: one consumer session, turn by turn.
//!
//! Pure: the caller loads the [`Session`] (it serialises to JSON for the store), passes the text,
//! `now` and the consumer's orders and complaints, and carries out the [`Outcome`] the turn
//! returns (file the draft, file a report, hand the session to a person). Nothing here touches a
//! database or a clock.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use weiquan_domain::records::Commitments;
use weiquan_domain::{Category, ClaimKind, Lang};

use crate::{Intent, Tone};

mod answers;
mod draft;
mod facts;
mod labels;
mod orders;
mod pick;
mod questions;
mod refer;
mod session;
mod words;

pub use words::{addresses_assistant, detect_lang, is_no, is_yes, rules_question};

/// Below this probability the intent model's guess is not acted upon; the FAQ is asked instead.
pub const MIN_CONFIDENCE: f32 = 0.45;
/// The shortest description the complaint form accepts (characters).
const MIN_DESCRIPTION: usize = 10;

/// One of the consumer's orders, as the dialogue needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderInfo {
    pub order_no: String,
    pub shop_id: String,
    pub shop_name: String,
    pub items: Vec<String>,
    pub amount_cents: i64,
    pub paid_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The shop's commitments (7天无理由, 正品保障, shipping time), when known.
    pub commitments: Option<Commitments>,
}

/// One of the consumer's complaints, for 「查询进度」.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintInfo {
    pub id: i64,
    pub order_no: String,
    pub product: String,
    pub category: Category,
    /// The state's wire name (`awaiting_merchant`, …).
    pub state: String,
    /// Who moves next (`merchant`, `consumer`, `cs_agent`, `protection`), if anyone.
    pub next_actor: Option<String>,
    pub deadline_at: Option<DateTime<Utc>>,
}

/// Sentence meanings, to match a buyer's words to item titles when they share no word
/// (「香氛机」 ↔ 香薰机, "the bookshelf" ↔ 实木书架): one unit vector per text, compared by their
/// dot product. The server passes USE-multilingual's token feature encoder (`weiquan-embed`);
/// tests pass their own.
pub trait Meaning: Sync + std::fmt::Debug {
    fn embed(&self, texts: &[&str]) -> Vec<Vec<f32>>;
}

/// What a turn knows about the world.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub now: DateTime<Utc>,
    pub orders: &'a [OrderInfo],
    pub complaints: &'a [ComplaintInfo],
    /// Matching by meaning; without it, items are matched by their words alone.
    pub meaning: Option<&'a dyn Meaning>,
}

/// Where the session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Gathering the facts of a complaint or report (or nothing yet).
    #[default]
    Collecting,
    /// A calmer rewrite was offered; waiting for yes or no.
    Rewrite,
    /// The draft was shown; waiting for the consumer's confirmation.
    Confirm,
    /// A complaint or report was filed from this session.
    Filed,
    /// Handed to a person (转人工); 小蜜 only passes messages on until a problem is told.
    HandedOver,
}

/// Whether the session builds a personal complaint or a violation report (刷单, 侵权).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    #[default]
    Complaint,
    Report,
}

/// The claim as gathered so far: the amount may still be missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimDraft {
    pub kind: ClaimKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_cents: Option<i64>,
}

/// The facts gathered so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Slots {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_no: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// How sure the model was of `category` when it was read from the consumer's words (1 when
    /// chosen outright): a later story read far surer replaces a guess from small talk.
    #[serde(default, skip_serializing_if = "is_unsure")]
    pub category_confidence: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<ClaimDraft>,
    /// The shop a report is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shop_id: Option<String>,
    /// The infringing listing (title or link) an IP report names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listing: Option<String>,
    /// The consumer does not remember when it happened: filed with the order's delivery (or
    /// payment) day, and the draft says so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub date_unknown: bool,
    /// A compensation asked as a multiple of the price (假一赔四 → 4), until the order is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiple: Option<u32>,
    /// The shipping time the consumer quotes the shop promising (「48小时内发货」), in hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promised_ship_hours: Option<u32>,
    /// The last day to ship on, as the consumer tells it (「说好3号之前发货」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_deadline: Option<DateTime<Utc>>,
    /// The shipping promise (hours after payment) a late shipment's day was counted from, so
    /// the draft can say so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dated_by_promise: Option<u32>,
    /// The consumer says the fee was charged when they paid (「付款的时候给我加了12块运费」).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fee_at_payment: bool,
}

/// Which fact the assistant asked for last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ask {
    Order,
    Product,
    Category,
    IncidentAt,
    Description,
    ClaimKind,
    ClaimAmount,
    Shop,
    Listing,
    /// Which of several orders (or items) that match what the consumer named.
    Pick,
}

impl Ask {
    /// What the assistant waits for, as the chat API names it: `order`, `pick`,
    /// `what_happened`, `when`, `claim` (and `shop`, `listing` for reports).
    pub fn awaiting(self) -> &'static str {
        match self {
            Ask::Order => "order",
            Ask::Product | Ask::Pick => "pick",
            Ask::Category | Ask::Description => "what_happened",
            Ask::IncidentAt => "when",
            Ask::ClaimKind | Ask::ClaimAmount => "claim",
            Ask::Shop => "shop",
            Ask::Listing => "listing",
        }
    }
}

/// One order item offered to choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub order_no: String,
    /// The item; absent when the choice is a whole order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
}

/// A consumer's session with the assistant; stored as JSON between turns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub lang: Lang,
    pub phase: Phase,
    pub kind: Kind,
    pub slots: Slots,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked: Option<Ask>,
    /// The consumer's heated words and the calmer version used for them (until they ask to keep
    /// their own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_rewrite: Option<(String, String)>,
    /// What was filed: the complaint's or report's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filed_id: Option<i64>,
    /// The numbered choices last shown (matching items, or the consumer's orders), so that
    /// 「第二个」 or 「2」 can answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Candidate>,
    /// How many answers in a row left the question asked unanswered: after one the question
    /// comes with numbered choices, after two 小蜜 moves on with what she knows.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub missed: u8,
    /// The last answer to the claim question told more of the story (or vented) instead of a
    /// remedy: it joins what happened and the question comes once more before the claim is
    /// left open.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub told_instead: bool,
    /// The claim question was asked once more after a story told instead (never a third time).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub claim_asked_again: bool,
    /// The Chinese script the consumer writes in: 小蜜 answers in it.
    #[serde(default, skip_serializing_if = "is_simplified")]
    pub script: crate::fold::Script,
    /// A person was asked for (转人工): the chat waits in the agents' queue even while 小蜜 drafts
    /// the complaint told meanwhile.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub queued: bool,
    /// Every sum of money the consumer has named, in cents: a price told in one message is the
    /// sum of a refund or a return asked in another.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sums_told: Vec<i64>,
    /// The draft has been shown: what the buyer changes on it from then on is theirs (a day
    /// counted from a shipping promise is not counted again over a day they correct).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drafted: bool,
}

fn is_simplified(s: &crate::fold::Script) -> bool {
    *s == crate::fold::Script::Simplified
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

fn is_unsure(p: &f32) -> bool {
    *p == 0.0
}

/// A complaint ready to file (every field of `POST /complaints`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Draft {
    pub order_no: String,
    pub product: String,
    pub category: Category,
    pub incident_at: DateTime<Utc>,
    pub description: String,
    pub claim: ClaimDraft,
}

/// A violation report ready to file (tier 3).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportDraft {
    pub shop_id: String,
    pub shop_name: String,
    /// `fake_transactions` or `ip_infringement`.
    pub kind: Category,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_no: Option<String>,
    /// IP reports: the infringing listing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listing: Option<String>,
}

/// What the draft shown to the consumer is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Shown {
    Complaint(Draft),
    Report(ReportDraft),
}

/// What the server must do after the turn.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    None,
    File(Draft),
    Report(ReportDraft),
    HandOver,
}

/// The assistant's answer to one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub text: String,
    pub lang: Lang,
    pub intent: Option<Intent>,
    pub intent_confidence: f32,
    pub tone: Tone,
    /// The draft awaiting confirmation, if one is shown.
    pub draft: Option<Shown>,
    pub outcome: Outcome,
}

#[cfg(test)]
mod tests;
