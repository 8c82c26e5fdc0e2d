//! The public jury (大众评审, `docs/jury.md`): which complaints tier 2 may send to a panel of
//! volunteer consumers, who may sit on one, how a panel is drawn (a pure function of the eligible
//! ids and a seed the store draws from a CSPRNG and records, so any draw can be re-run by an
//! auditor), how its votes are tallied, and what a juror is shown of a complaint (no names,
//! order numbers, phone numbers, e-mail or street addresses; files without their names).
//!
//! Pure: the store reads the facts and writes what this decides.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::access::Actor;
use crate::complaint::Complaint;
use crate::error::{DomainError, FieldErrors};
use crate::lang::Lang;
use crate::policy::Policy;
use crate::state::State;
use crate::types::*;

/// What tier 2 sends with a complaint.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SendRequest {
    /// Both sides agreed to a jury (the specialist records it, e.g. from their messages): makes
    /// a complaint eligible that the claim and category alone would not.
    #[serde(default)]
    pub both_sides_agree: bool,
    /// The remedy a `partial` verdict gives; without it jurors choose between upholding the
    /// claim and rejecting it.
    #[serde(default)]
    pub partial_remedy: Option<crate::complaint::ClaimRequest>,
}

/// A parsed [`SendRequest`].
#[derive(Debug, Clone, PartialEq)]
pub struct SendToJury {
    pub both_sides_agree: bool,
    pub partial_remedy: Option<Remedy>,
}

impl SendToJury {
    pub fn parse(r: &SendRequest) -> Result<SendToJury, DomainError> {
        let partial_remedy = match &r.partial_remedy {
            None => None,
            Some(_) => Some(crate::complaint::parse_claim(
                "partial_remedy",
                &r.partial_remedy,
            )?),
        };
        Ok(SendToJury {
            both_sides_agree: r.both_sides_agree,
            partial_remedy,
        })
    }
}

/// Whether tier 2 may send this complaint to a jury now, under the policy; the refusal names why
/// in both languages. A complaint goes to a jury once, and never after an appeal (an appeal is
/// for a specialist).
pub fn may_send_to_jury(
    c: &Complaint,
    send: &SendToJury,
    policy: &Policy,
) -> Result<(), DomainError> {
    let j = &policy.jury;
    let no = |code: &'static str, zh: String, en: String| Err(DomainError::conflict(code, zh, en));
    if !j.enabled {
        return no(
            "jury_disabled",
            "本平台未启用大众评审".into(),
            "the public jury is not enabled on this platform".into(),
        );
    }
    if c.state != State::ProtectionReview {
        return no(
            "invalid_state",
            format!(
                "只有消费者保障审理中的投诉可以交由大众评审（当前状态：{}）",
                c.state.label(Lang::Zh)
            ),
            format!(
                "only a complaint under consumer-protection review can go to a jury (it is {})",
                c.state.label(Lang::En)
            ),
        );
    }
    if c.progress.jury.is_some() || c.progress.jury_tried {
        return no(
            "jury_used",
            "这条投诉已经交由大众评审，每条投诉只能评审一次".into(),
            "this complaint already went to a jury; a complaint goes to one once".into(),
        );
    }
    if c.progress.appealed {
        return no(
            "jury_after_appeal",
            "申诉须由专员重新裁决，不能交由大众评审".into(),
            "an appeal is ruled on by a specialist, not a jury".into(),
        );
    }
    if c.progress.evidence_requested_from.is_some() {
        return no(
            "evidence_pending",
            "正在等待一方举证，举证结束后才能交由大众评审".into(),
            "a side is still giving evidence; send it to a jury once that turn ends".into(),
        );
    }
    if let Some(r) = &send.partial_remedy
        && let (Some(give), Some(claim)) = (r.amount_cents, c.claim.amount_cents)
        && give.get() > claim.get()
    {
        return Err(DomainError::invalid(
            "partial_remedy.amount_cents",
            "部分支持的金额不能超过买家的诉求",
            "a partial remedy cannot exceed the consumer's claim",
        ));
    }
    let small = c
        .claim
        .amount_cents
        .is_none_or(|a| a.get() <= j.max_claim_cents);
    let fits = small && j.categories.contains(&c.category);
    if j.require_consent && !send.both_sides_agree {
        return no(
            "jury_needs_consent",
            "按平台规则，须双方同意才能交由大众评审".into(),
            "the platform's rules send a complaint to a jury only when both sides agree".into(),
        );
    }
    if !fits && !send.both_sides_agree {
        let cats: Vec<&str> = j.categories.iter().map(|c| c.label(Lang::Zh)).collect();
        let cats_en: Vec<&str> = j.categories.iter().map(|c| c.label(Lang::En)).collect();
        return no(
            "jury_not_eligible",
            format!(
                "只有诉求不超过 {} 元且问题类型为{}的投诉可以交由大众评审，除非双方同意",
                yuan(j.max_claim_cents),
                cats.join("、")
            ),
            format!(
                "only a claim of at most ¥{} about {} can go to a jury, unless both sides agree",
                yuan(j.max_claim_cents),
                cats_en.join(" or ")
            ),
        );
    }
    Ok(())
}

fn yuan(fen: i64) -> String {
    if fen % 100 == 0 {
        (fen / 100).to_string()
    } else {
        format!("{}.{:02}", fen / 100, fen % 100)
    }
}

/// Who may volunteer: consumers (jurors are the marketplace's buyers).
pub fn check_volunteer(actor: &Actor) -> Result<(), DomainError> {
    if actor.role == Role::Consumer {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "只有买家可以报名担任大众评审员",
            "only consumers may volunteer as jurors",
        ))
    }
}

/// What the store knows of a volunteer when a panel is drawn for a complaint about a shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: UserId,
    pub joined: Timestamp,
    pub disabled: bool,
    /// Panels closed without this volunteer voting or leaving.
    pub missed_votes: u32,
    /// Has bought from the shop complained about.
    pub ordered_from_shop: bool,
    /// Is the complaint's consumer (or otherwise a party).
    pub is_party: bool,
    /// Sits on another open panel about the same shop.
    pub on_open_panel_of_shop: bool,
}

/// Why a volunteer may not sit on a panel; the draw's event records how many each excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    Party,
    TooNew,
    NotInGoodStanding,
    OrderedFromShop,
    OnAnotherPanelOfShop,
}

/// Whether a volunteer may sit: `None` when eligible, else the first reason they may not.
pub fn exclusion(c: &Candidate, policy: &Policy, now: Timestamp) -> Option<Exclusion> {
    let j = &policy.jury;
    if c.is_party {
        return Some(Exclusion::Party);
    }
    if now - c.joined < chrono::Duration::days(i64::from(j.min_account_days)) {
        return Some(Exclusion::TooNew);
    }
    if c.disabled || c.missed_votes >= j.max_missed_votes {
        return Some(Exclusion::NotInGoodStanding);
    }
    if c.ordered_from_shop {
        return Some(Exclusion::OrderedFromShop);
    }
    if c.on_open_panel_of_shop {
        return Some(Exclusion::OnAnotherPanelOfShop);
    }
    None
}

/// A panel drawn from the eligible ids: the `n` whose SHA-256 of (seed, id) is smallest — a
/// uniform random choice when the seed is, and the same choice whenever it is re-run with the
/// recorded seed and pool. `None` when fewer than `n` are eligible.
pub fn draw(eligible: &[UserId], n: usize, seed: &[u8]) -> Option<Vec<UserId>> {
    let mut ids: Vec<UserId> = eligible.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() < n {
        return None;
    }
    let mut keyed: Vec<([u8; 32], UserId)> = ids
        .into_iter()
        .map(|id| {
            let mut h = Sha256::new();
            h.update(seed);
            h.update(id.0.to_be_bytes());
            (h.finalize().into(), id)
        })
        .collect();
    keyed.sort_unstable();
    Some(keyed.into_iter().take(n).map(|(_, id)| id).collect())
}

/// The votes cast, by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tally {
    pub uphold: u32,
    pub partial: u32,
    pub reject: u32,
}

impl Tally {
    pub fn of(votes: impl IntoIterator<Item = Decision>) -> Tally {
        let mut t = Tally::default();
        for v in votes {
            match v {
                Decision::Uphold => t.uphold += 1,
                Decision::Partial => t.partial += 1,
                Decision::Reject => t.reject += 1,
            }
        }
        t
    }
    pub fn cast(&self) -> u32 {
        self.uphold + self.partial + self.reject
    }
    fn count(&self, d: Decision) -> u32 {
        match d {
            Decision::Uphold => self.uphold,
            Decision::Partial => self.partial,
            Decision::Reject => self.reject,
        }
    }
    /// The split as a ruling cites it: the majority's votes against all others ("4:1").
    pub fn split(&self, winner: Decision) -> String {
        let w = self.count(winner);
        format!("{w}:{}", self.cast() - w)
    }
}

/// What a panel's votes come to when it closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict", content = "decision")]
pub enum Verdict {
    /// More than half of the votes cast, with at least the quorum cast.
    Decided(Decision),
    /// Fewer votes than the quorum: back to a specialist.
    NoQuorum,
    /// Enough votes but no outcome with more than half of them (a tie among fewer votes than
    /// the panel, or a three-way split): back to a specialist, as with too few votes.
    NoMajority,
}

/// The verdict of a tally: an outcome needs more than half of the votes cast, and at least
/// `quorum` votes must be cast. With every juror of an odd panel voting on two outcomes a tie
/// cannot happen; with fewer votes, or three outcomes, it can, and then a specialist rules.
pub fn verdict(t: &Tally, quorum: u32) -> Verdict {
    if t.cast() < quorum || t.cast() == 0 {
        return Verdict::NoQuorum;
    }
    Decision::ALL
        .iter()
        .copied()
        .find(|d| 2 * t.count(*d) > t.cast())
        .map_or(Verdict::NoMajority, Verdict::Decided)
}

/// The rule reference a jury's ruling cites, in both languages.
pub fn rule_ref(jury: JuryId, tally: &Tally, winner: Decision) -> String {
    let split = tally.split(winner);
    format!("大众评审裁决（评审团 #{jury}，{split}）/ public jury ruling (panel #{jury}, {split})")
}

/// A juror's vote as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Decision>))]
    pub outcome: Option<String>,
    /// Why, in a sentence or two (no names: the other jurors and the parties read it).
    pub reason: Option<String>,
}

/// A parsed vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vote {
    pub outcome: Decision,
    pub reason: String,
}

impl Vote {
    /// Parses a vote, naming every bad field at once; `partial` only when the panel offers it.
    pub fn parse(
        r: &VoteRequest,
        partial_offered: bool,
        policy: &Policy,
    ) -> Result<Vote, DomainError> {
        let j = &policy.jury;
        let mut errs = FieldErrors::new();
        let outcome = errs.take(
            r.outcome
                .as_deref()
                .ok_or_else(|| {
                    DomainError::invalid("outcome", "此项必填", "this field is required")
                })
                .and_then(Decision::parse)
                .and_then(|d| {
                    if d == Decision::Partial && !partial_offered {
                        Err(DomainError::invalid(
                            "outcome",
                            "本案未设“部分支持”方案，请选择支持买家或驳回",
                            "this panel offers no partial remedy; choose uphold or reject",
                        ))
                    } else {
                        Ok(d)
                    }
                }),
        );
        let reason = errs.take(
            r.reason
                .as_deref()
                .ok_or_else(|| DomainError::invalid("reason", "请写明理由", "give a reason"))
                .and_then(|s| {
                    let s = s.trim();
                    let n = s.chars().count() as u32;
                    if n < j.reason_min_chars || n > j.reason_max_chars {
                        Err(DomainError::invalid(
                            "reason",
                            format!(
                                "理由应为 {}–{} 个字（现为 {n} 个）",
                                j.reason_min_chars, j.reason_max_chars
                            ),
                            format!(
                                "the reason must be {}–{} characters long (it is {n})",
                                j.reason_min_chars, j.reason_max_chars
                            ),
                        ))
                    } else {
                        Ok(s.to_owned())
                    }
                }),
        );
        errs.finish()?;
        Ok(Vote {
            outcome: outcome.unwrap(),
            reason: reason.unwrap(),
        })
    }
}

/// What stands for hidden text in a juror's view.
pub const HIDDEN: &str = "***";

/// Hides what would identify someone in text a juror reads: the given names (accounts, display
/// names, the shop's name and id, matched without regard to case), any run of seven or more
/// digits (order numbers, phone numbers, ID and tracking numbers; spaces and hyphens between
/// digits included), e-mail addresses, and Chinese street addresses (a place name ending in
/// 省/市/区/县/镇/乡/村 followed within the same phrase by 路/街/道/巷/弄/号/室/栋/楼/单元/小区).
pub fn redact(text: &str, names: &[&str]) -> String {
    // E-mail first: an address whose local part is a name is hidden whole.
    let mut s = hide_emails(text);
    let mut names: Vec<&str> = names
        .iter()
        .map(|n| n.trim())
        .filter(|n| n.chars().count() >= 2)
        .collect();
    // Longest first, so that a name containing another is hidden whole.
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    for n in names {
        s = replace_ci(&s, n);
    }
    let s = hide_digit_runs(&s);
    hide_addresses(&s)
}

fn replace_ci(s: &str, name: &str) -> String {
    let lower = s.to_lowercase();
    let needle = name.to_lowercase();
    // Lower-casing may change byte lengths outside ASCII; match only when it does not.
    if lower.len() != s.len() || needle.is_empty() {
        return s.replace(name, HIDDEN);
    }
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(at) = lower[i..].find(&needle) {
        out.push_str(&s[i..i + at]);
        out.push_str(HIDDEN);
        i += at + needle.len();
    }
    out.push_str(&s[i..]);
    out
}

fn hide_emails(s: &str) -> String {
    let word = |c: char| c.is_ascii_alphanumeric() || "._%+-@".contains(c);
    let mut out = String::with_capacity(s.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        let is_email = token
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.ends_with('.'));
        if is_email {
            out.push_str(HIDDEN);
        } else {
            out.push_str(token);
        }
        token.clear();
    };
    for c in s.chars() {
        if word(c) {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

fn hide_digit_runs(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit()
            || chars[i] == '+' && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())
        {
            // The run: digits, with single spaces or hyphens between them.
            let start = i;
            let mut end = i + 1;
            let mut digits = usize::from(chars[i].is_ascii_digit());
            let mut j = i + 1;
            while j < chars.len() {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                    j += 1;
                    end = j;
                } else if matches!(chars[j], ' ' | '-')
                    && chars.get(j + 1).is_some_and(|c| c.is_ascii_digit())
                {
                    j += 1;
                } else {
                    break;
                }
            }
            if digits >= 7 {
                out.push_str(HIDDEN);
            } else {
                out.extend(&chars[start..end]);
            }
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

const AREA: &[char] = &['省', '市', '区', '县', '镇', '乡', '村'];
const STREET: &[&str] = &[
    "小区", "单元", "路", "街", "道", "巷", "弄", "号", "室", "栋", "楼", "幢",
];

fn hide_addresses(s: &str) -> String {
    // A phrase: what lies between punctuation or spaces.
    let boundary = |c: char| {
        c.is_whitespace()
            || c.is_ascii_punctuation()
            || "，。；：！？、（）《》“”‘’【】".contains(c)
    };
    let mut out = String::with_capacity(s.len());
    let mut phrase: Vec<char> = vec![];
    let flush = |phrase: &mut Vec<char>, out: &mut String| {
        out.push_str(&hide_address_in(phrase));
        phrase.clear();
    };
    for c in s.chars() {
        if boundary(c) {
            flush(&mut phrase, &mut out);
            out.push(c);
        } else {
            phrase.push(c);
        }
    }
    flush(&mut phrase, &mut out);
    out
}

fn hide_address_in(p: &[char]) -> String {
    let text: String = p.iter().collect();
    let Some(area) = p.iter().position(|c| AREA.contains(c)) else {
        return text;
    };
    // The last street marker after the area, with the number or letters that follow it.
    let after: String = p[area + 1..].iter().collect();
    let last = STREET
        .iter()
        .filter_map(|m| after.rfind(m).map(|at| at + m.len()))
        .max();
    let Some(end_byte) = last else {
        return text;
    };
    let mut end = area + 1 + after[..end_byte].chars().count();
    while end < p.len() && (p[end].is_ascii_alphanumeric() || "号室栋楼".contains(p[end])) {
        end += 1;
    }
    // Place names are mostly two characters before their 省/市/区.
    let start = area.saturating_sub(2);
    let mut out: String = p[..start].iter().collect();
    out.push_str(HIDDEN);
    out.extend(&p[end..]);
    out
}

/// One message of a complaint as a juror reads it: who wrote it by side, and its words hidden.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JurorMessage {
    /// `consumer`, `merchant` or `platform` (staff).
    pub from: &'static str,
    pub body: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

/// A file of a complaint as a juror sees it: by its hash and kind, never its name.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JurorFile {
    pub sha256: String,
    pub kind: EvidenceKind,
    pub content_type: String,
    pub size: i64,
}

/// Whether a juror is shown a file of this kind: not the order snapshot or a chat transcript,
/// which name the buyer, the shop and the order by design.
pub fn juror_sees(kind: EvidenceKind) -> bool {
    !matches!(
        kind,
        EvidenceKind::TransactionRecord | EvidenceKind::ChatLog
    )
}

/// Who wrote a message, as a juror is told: the side, or the platform for staff.
pub fn side(role: Role) -> &'static str {
    match role {
        Role::Consumer => "consumer",
        Role::Merchant => "merchant",
        _ => "platform",
    }
}

/// A complaint as its jurors read it: what happened and what each side says, identities hidden.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JurorCase {
    pub category: Category,
    pub product: String,
    pub claim: Claim,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub incident_at: Timestamp,
    pub description: String,
    /// The merchant's or an agent's last offer, if any (its words hidden).
    pub proposal: Option<JurorProposal>,
    pub messages: Vec<JurorMessage>,
    pub files: Vec<JurorFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JurorProposal {
    pub from: &'static str,
    pub remedy: Remedy,
    pub message: String,
}

/// Builds a juror's view of a complaint from its messages (author role, body, time) and files,
/// hiding `names` and everything [`redact`] hides.
pub fn juror_case(
    c: &Complaint,
    messages: &[(Role, String, Timestamp)],
    files: &[JurorFile],
    names: &[&str],
) -> JurorCase {
    JurorCase {
        category: c.category,
        product: redact(&c.product, names),
        claim: c.claim.clone(),
        incident_at: c.incident_at,
        description: redact(&c.description, names),
        proposal: c.progress.proposal.as_ref().map(|p| JurorProposal {
            from: side(p.by_role),
            remedy: p.remedy.clone(),
            message: redact(&p.message, names),
        }),
        messages: messages
            .iter()
            .map(|(role, body, at)| JurorMessage {
                from: side(*role),
                body: redact(body, names),
                at: *at,
            })
            .collect(),
        files: files
            .iter()
            .filter(|f| juror_sees(f.kind))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests;
