//! The public merchant scorecard (`docs/scorecard.md`): each measure's definition, label and
//! one-sentence explanation in both languages, defined once here, and the arithmetic over the
//! facts the store reads. A scorecard is about a shop, never about a person: what it shows is
//! counts, shares and a median, with the sample behind each — no complaint, order or consumer.
//!
//! Windows end at `now` and reach back a number of elapsed days: an instant `t` is in the window
//! when `now − days ≤ t ≤ now`. A rate over orders needs [`MIN_ORDERS`] orders in the window and
//! a share over complaints [`MIN_COMPLAINTS`] complaints; below that the measure says there are
//! too few to rate, and how many there are, instead of a number that would mislead (three orders
//! and one complaint is not "333 per 1,000").

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::complaint::{Complaint, ResolvedBy};
use crate::event::EventKind;
use crate::lang::Lang;
use crate::policy::Penalty;
use crate::types::labelled_enum;
use crate::types::*;

/// The windows every scorecard shows, in days.
pub const WINDOWS: [i64; 2] = [30, 90];
/// Orders a window needs before a rate over orders is shown.
pub const MIN_ORDERS: i64 = 100;
/// Complaints (or answers) a window needs before a share or a median over them is shown.
pub const MIN_COMPLAINTS: i64 = 5;

labelled_enum!(
    /// One measure of a scorecard.
    Measure, "measure" {
        ComplaintRate = "complaint_rate", "每千单投诉数", "complaints per 1,000 orders";
        OrderDefectRate = "order_defect_rate", "订单缺陷率", "order defect rate";
        AnsweredInTime = "answered_in_time", "按时答复率", "answered within the deadline";
        MedianFirstAnswer = "median_first_answer", "首次答复时长（中位数）", "median time to first answer";
        ResolvedWithoutStaff = "resolved_without_staff", "双方自行解决率", "resolved without staff";
        RulingsAgainst = "rulings_against", "被裁定支持买家", "rulings against the shop";
        ActivePenalties = "active_penalties", "生效中的处罚", "penalties in force";
    }
);

impl Measure {
    /// What the measure counts, in one sentence.
    pub fn explanation(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Measure::ComplaintRate => (
                "期内消费者对本店提出的投诉数，按同期支付的订单数折算为每1,000单的数量。",
                "Complaints consumers filed against the shop in the period, per 1,000 orders paid in the same period.",
            ),
            Measure::OrderDefectRate => (
                "同期支付的订单中，投诉未由店铺按时自行处理（需平台客服或消费者保障介入，或店铺逾期未答复）的订单所占比例，参照亚马逊的订单缺陷率。",
                "Share of the orders paid in the period whose complaint the shop did not settle itself in time (platform customer service or consumer protection stepped in, or the shop missed its deadline to answer), after Amazon's order defect rate.",
            ),
            Measure::AnsweredInTime => (
                "答复期限已到或已答复的投诉中，店铺在期限内首次答复（同意、提出方案或拒绝）的比例；过了期限仍未答复的计为未按时。",
                "Of the complaints whose answer was due or given, the share the shop first answered (accepting, proposing a remedy or refusing) within its deadline; one still unanswered past the deadline counts as late.",
            ),
            Measure::MedianFirstAnswer => (
                "从投诉提交到店铺首次答复所经过的时间（自然时间）的中位数，只计店铺已答复的投诉。",
                "The median elapsed time from a complaint's filing to the shop's first answer, over the complaints the shop answered.",
            ),
            Measure::ResolvedWithoutStaff => (
                "已解决的投诉中，买卖双方自行解决、没有平台客服或消费者保障介入的比例。",
                "Of the complaints resolved, the share settled between the consumer and the shop without platform customer service or consumer protection stepping in.",
            ),
            Measure::RulingsAgainst => (
                "期内消费者保障全部或部分支持买家的裁决次数，括号内为同期裁决总数。",
                "Rulings by consumer protection for the consumer, in full or in part, in the period, out of all its rulings on the shop then.",
            ),
            Measure::ActivePenalties => (
                "此刻正在生效的平台处罚；处罚一经决定即公开。",
                "Platform penalties in force now; a penalty is published the moment it is decided.",
            ),
        };
        lang.pick(zh, en)
    }

    /// What a rated value is measured in.
    pub fn unit(self) -> Unit {
        match self {
            Measure::ComplaintRate => Unit::Per1000Orders,
            Measure::OrderDefectRate | Measure::AnsweredInTime | Measure::ResolvedWithoutStaff => {
                Unit::Share
            }
            Measure::MedianFirstAnswer => Unit::Hours,
            Measure::RulingsAgainst | Measure::ActivePenalties => Unit::Count,
        }
    }

    /// What the sample counts: orders, complaints, answers or rulings.
    fn sample_kind(self) -> Sample {
        match self {
            Measure::ComplaintRate | Measure::OrderDefectRate => Sample::Orders,
            Measure::AnsweredInTime | Measure::ResolvedWithoutStaff => Sample::Complaints,
            Measure::MedianFirstAnswer => Sample::Answers,
            Measure::RulingsAgainst => Sample::Rulings,
            Measure::ActivePenalties => Sample::Penalties,
        }
    }

    /// The smallest sample a value is shown for.
    pub fn min_sample(self) -> i64 {
        match self.sample_kind() {
            Sample::Orders => MIN_ORDERS,
            Sample::Complaints | Sample::Answers => MIN_COMPLAINTS,
            Sample::Rulings | Sample::Penalties => 0,
        }
    }
}

labelled_enum!(
    /// What a measure's value is in.
    Unit, "unit" {
        Per1000Orders = "per_1000_orders", "起/千单", "per 1,000 orders";
        Share = "share", "比例", "share (0 to 1)";
        Hours = "hours", "小时", "hours";
        Count = "count", "次数", "count";
    }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sample {
    Orders,
    Complaints,
    Answers,
    Rulings,
    Penalties,
}

impl Sample {
    fn words(self, n: i64, lang: Lang) -> String {
        let (zh, one, many) = match self {
            Sample::Orders => ("单", "order", "orders"),
            Sample::Complaints => ("起投诉", "complaint", "complaints"),
            Sample::Answers => ("次答复", "answer", "answers"),
            Sample::Rulings => ("次裁决", "ruling", "rulings"),
            Sample::Penalties => ("项", "penalty", "penalties"),
        };
        match (self, lang) {
            (Sample::Rulings, Lang::Zh) => format!("共 {}", count_words(n, zh, one, many, lang)),
            (Sample::Rulings, Lang::En) => format!("of {}", count_words(n, zh, one, many, lang)),
            _ => count_words(n, zh, one, many, lang),
        }
    }
}

/// Whether the merchant's action `kind` on `before` is the shop's answer to the complaint: an
/// acceptance, a proposal or a refusal by the shop's own merchant (consumers accept and agents
/// propose too; those are not the shop's answers). The store keeps the first one's time.
pub fn is_merchant_answer(before: &Complaint, kind: EventKind, actor: Option<UserId>) -> bool {
    matches!(
        kind,
        EventKind::Accepted | EventKind::Proposed | EventKind::Rejected
    ) && actor == Some(before.merchant_id)
}

/// The complaint's ruling by consumer protection and when it was made, if it has one (the
/// latest, after an appeal).
pub fn ruling(c: &Complaint) -> Option<(Decision, Timestamp)> {
    let r = c.progress.resolution.as_ref()?;
    (r.by == ResolvedBy::Ruling)
        .then_some(r.decision.map(|d| (d, r.at)))
        .flatten()
}

/// What the store knows of one complaint about the shop, for the arithmetic: times and flags
/// only.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintFacts {
    pub filed_at: Timestamp,
    /// The `merchant_reply` deadline set at filing (`Policy::due`).
    pub reply_due_at: Option<Timestamp>,
    /// The shop's first answer ([`is_merchant_answer`]).
    pub first_answer_at: Option<Timestamp>,
    /// When the complaint left `awaiting_merchant`, for whatever reason.
    pub reply_ended_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    /// Customer service or consumer protection took part (it reached mediation or review).
    pub reached_staff: bool,
    pub ruling: Option<(Decision, Timestamp)>,
    /// When the complained-of order was paid, and a key naming it (to count an order once).
    pub order_paid_at: Timestamp,
    pub order_key: i64,
}

impl ComplaintFacts {
    /// Whether the shop answered in time: `Some(true)` when its first answer came by the
    /// deadline, `Some(false)` when it came later or the deadline passed without one, `None`
    /// when the complaint does not count (the deadline is still ahead, or someone else ended
    /// the shop's turn before it — the consumer withdrew, consumer protection took over).
    pub fn answered_in_time(&self, now: Timestamp) -> Option<bool> {
        let due = self.reply_due_at?;
        if self.first_answer_at.is_some_and(|a| a <= due) {
            return Some(true);
        }
        if self.first_answer_at.is_none() && self.reply_ended_at.is_some_and(|e| e < due) {
            return None;
        }
        if self.first_answer_at.is_some() || due < now {
            return Some(false);
        }
        None
    }

    /// A defect of the order, in the order defect rate's sense: platform staff stepped in, or
    /// the shop did not answer in time.
    pub fn is_defect(&self, now: Timestamp) -> bool {
        self.reached_staff || self.answered_in_time(now) == Some(false)
    }

    fn against(&self) -> bool {
        matches!(self.ruling, Some((Decision::Uphold | Decision::Partial, _)))
    }
}

/// A penalty in force.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivePenalty {
    pub penalty: Penalty,
    pub starts_at: Timestamp,
    pub ends_at: Option<Timestamp>,
}

/// Everything a scorecard is computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub now: Timestamp,
    /// Orders paid in each of [`WINDOWS`], in order.
    pub orders: [i64; 2],
    /// The complaints filed in the longest window, and those ruled in it that were filed before.
    pub complaints: Vec<ComplaintFacts>,
    pub penalties: Vec<ActivePenalty>,
}

/// A window's start: `days` elapsed days before `now`.
pub fn window_start(now: Timestamp, days: i64) -> Timestamp {
    now - Duration::days(days)
}

/// One measure of one window, in numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    pub measure: Measure,
    /// The value, when the sample is large enough ([`Measure::min_sample`]).
    pub value: Option<f64>,
    /// What the value counts over the sample, where it is a count: complaints, defective
    /// orders, answers in time, resolved without staff, rulings against.
    pub count: Option<i64>,
    /// What the value is computed over (orders, complaints, answers, rulings).
    pub sample: i64,
}

/// A window's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowFigures {
    pub days: i64,
    pub from: Timestamp,
    pub to: Timestamp,
    pub orders: i64,
    pub complaints: i64,
    pub figures: Vec<Figure>,
}

/// A shop's scorecard in numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Scorecard {
    pub shop_id: ShopId,
    pub as_of: Timestamp,
    pub windows: Vec<WindowFigures>,
    pub penalties: Vec<ActivePenalty>,
}

fn rated(measure: Measure, count: Option<i64>, sample: i64, value: Option<f64>) -> Figure {
    Figure {
        measure,
        value: (sample >= measure.min_sample()).then_some(value).flatten(),
        count,
        sample,
    }
}

fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The median of `values` (the mean of the middle two for an even count).
pub fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2] as f64
    } else {
        (values[n / 2 - 1] as f64 + values[n / 2] as f64) / 2.0
    })
}

/// One window's figures from the facts.
fn window(f: &Facts, days: i64, orders: i64) -> WindowFigures {
    let (from, to) = (window_start(f.now, days), f.now);
    let within = |t: Timestamp| from <= t && t <= to;
    let filed: Vec<&ComplaintFacts> = f.complaints.iter().filter(|c| within(c.filed_at)).collect();
    let complaints = filed.len() as i64;

    let mut defective = HashSet::new();
    for c in &f.complaints {
        if within(c.order_paid_at) && c.filed_at <= to && c.is_defect(f.now) {
            defective.insert(c.order_key);
        }
    }
    let defects = defective.len() as i64;

    let replies: Vec<bool> = filed
        .iter()
        .filter_map(|c| c.answered_in_time(f.now))
        .collect();
    let in_time = replies.iter().filter(|x| **x).count() as i64;

    let mut answer_ms: Vec<i64> = filed
        .iter()
        .filter_map(|c| {
            let a = c.first_answer_at.filter(|a| *a <= to)?;
            Some((a - c.filed_at).num_milliseconds().max(0))
        })
        .collect();
    let answers = answer_ms.len() as i64;
    let median_hours = median(&mut answer_ms).map(|ms| ms / 3_600_000.0);

    let resolved: Vec<&&ComplaintFacts> = filed
        .iter()
        .filter(|c| c.resolved_at.is_some_and(|r| r <= to))
        .collect();
    let by_themselves = resolved.iter().filter(|c| !c.reached_staff).count() as i64;

    let ruled: Vec<&ComplaintFacts> = f
        .complaints
        .iter()
        .filter(|c| c.ruling.is_some_and(|(_, at)| within(at)))
        .collect();
    let against = ruled.iter().filter(|c| c.against()).count() as i64;

    let figures = vec![
        rated(
            Measure::ComplaintRate,
            Some(complaints),
            orders,
            share(complaints * 1000, orders),
        ),
        rated(
            Measure::OrderDefectRate,
            Some(defects),
            orders,
            share(defects, orders),
        ),
        rated(
            Measure::AnsweredInTime,
            Some(in_time),
            replies.len() as i64,
            share(in_time, replies.len() as i64),
        ),
        rated(Measure::MedianFirstAnswer, None, answers, median_hours),
        rated(
            Measure::ResolvedWithoutStaff,
            Some(by_themselves),
            resolved.len() as i64,
            share(by_themselves, resolved.len() as i64),
        ),
        rated(
            Measure::RulingsAgainst,
            Some(against),
            ruled.len() as i64,
            Some(against as f64),
        ),
    ];
    WindowFigures {
        days,
        from,
        to,
        orders,
        complaints,
        figures,
    }
}

/// The scorecard of `shop` from the facts the store read.
pub fn compute(shop: ShopId, f: &Facts) -> Scorecard {
    Scorecard {
        shop_id: shop,
        as_of: f.now,
        windows: WINDOWS
            .iter()
            .zip(f.orders)
            .map(|(days, orders)| window(f, *days, orders))
            .collect(),
        penalties: f.penalties.clone(),
    }
}

// --- in words

/// One measure as people read it, in one language.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasureView {
    pub measure: Measure,
    pub label: String,
    /// What it counts, in one sentence.
    pub explanation: String,
    /// Whether the sample was large enough for a value.
    pub rated: bool,
    /// The value in `unit`; `null` when there were too few to rate.
    pub value: Option<f64>,
    pub unit: Unit,
    /// What the value counts, where it is a count (complaints, defective orders, answers in
    /// time, complaints resolved without staff, rulings against).
    pub count: Option<i64>,
    /// What the value is computed over: orders, complaints, answers or rulings in the window.
    pub sample: i64,
    /// The sample in words ("1,234 单", "12 complaints").
    pub sample_text: String,
    /// The value with its unit, or why there is none ("订单太少，暂不评级（3 单，至少 100 单）").
    pub display: String,
}

/// A window's measures, in one language.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WindowView {
    pub days: i64,
    /// "近30天" / "last 30 days".
    pub title: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Orders paid in the window.
    pub orders: i64,
    /// Complaints filed in the window.
    pub complaints: i64,
    pub measures: Vec<MeasureView>,
}

/// A penalty in force, in one language.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PenaltyView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub penalty: String,
    pub label: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
}

/// The penalties in force now (not windowed).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PenaltiesView {
    pub measure: Measure,
    pub label: String,
    pub explanation: String,
    pub count: i64,
    pub display: String,
    pub penalties: Vec<PenaltyView>,
}

/// A shop's public scorecard in one language: `GET /shops/{id}/scorecard` and the shop page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScorecardView {
    pub shop_id: ShopId,
    /// The instant the windows end at.
    pub as_of: DateTime<Utc>,
    /// Orders a window needs before a rate over orders is shown.
    pub min_orders: i64,
    /// Complaints a window needs before a share or median over them is shown.
    pub min_complaints: i64,
    pub windows: Vec<WindowView>,
    pub active_penalties: PenaltiesView,
}

/// `1234567` → `1,234,567`.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A number with its unit: "1,234 单", "1 complaint", "12 complaints".
pub fn count_words(n: i64, zh: &str, one: &str, many: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{} {zh}", grouped(n)),
        Lang::En if n == 1 => format!("1 {one}"),
        Lang::En => format!("{} {many}", grouped(n)),
    }
}

/// A duration in hours as people say it: minutes under an hour, hours under two days, else days.
pub fn duration_words(hours: f64, lang: Lang) -> String {
    let minutes = (hours * 60.0).round();
    match lang {
        Lang::Zh if minutes < 60.0 => format!("{minutes:.0} 分钟"),
        Lang::En if minutes < 60.0 => format!("{minutes:.0} min"),
        Lang::Zh if hours < 48.0 => format!("{hours:.1} 小时"),
        Lang::En if hours < 48.0 => format!("{hours:.1} h"),
        Lang::Zh => format!("{:.1} 天", hours / 24.0),
        Lang::En => format!("{:.1} days", hours / 24.0),
    }
}

fn value_words(m: Measure, v: f64, count: Option<i64>, sample: i64, lang: Lang) -> String {
    match m.unit() {
        Unit::Per1000Orders => match lang {
            Lang::Zh => format!("每千单 {v:.1} 起"),
            Lang::En => format!("{v:.1} per 1,000 orders"),
        },
        Unit::Share => {
            // Defects are rare: two decimals, like Amazon's 1% line.
            let digits = if m == Measure::OrderDefectRate { 2 } else { 1 };
            format!("{:.*}%", digits, v * 100.0)
        }
        Unit::Hours => duration_words(v, lang),
        Unit::Count => {
            let n = grouped(count.unwrap_or(v as i64));
            match (m, lang) {
                (Measure::RulingsAgainst, _) if sample == 0 => {
                    lang.pick("无裁决", "no rulings").to_owned()
                }
                (Measure::RulingsAgainst, Lang::Zh) => {
                    format!("{n} 次（{}）", Sample::Rulings.words(sample, lang))
                }
                (Measure::RulingsAgainst, Lang::En) => {
                    format!("{n} ({})", Sample::Rulings.words(sample, lang))
                }
                (_, Lang::Zh) => format!("{n} 项"),
                (_, Lang::En) => n,
            }
        }
    }
}

fn unrated_words(m: Measure, sample: i64, lang: Lang) -> String {
    let kind = m.sample_kind();
    let have = kind.words(sample, lang);
    // "至少需要 100 单" / "at least 100 needed".
    let need = match lang {
        Lang::Zh => kind.words(m.min_sample(), lang),
        Lang::En => grouped(m.min_sample()),
    };
    match (kind, lang) {
        (Sample::Orders, Lang::Zh) => format!("订单太少，暂不评级（{have}，至少需要 {need}）"),
        (Sample::Orders, Lang::En) => {
            format!("too few orders to rate ({have}; at least {need} needed)")
        }
        (Sample::Answers, Lang::Zh) => format!("答复太少，暂不评级（{have}，至少需要 {need}）"),
        (Sample::Answers, Lang::En) => {
            format!("too few answers to rate ({have}; at least {need} needed)")
        }
        (_, Lang::Zh) => format!("投诉太少，暂不评级（{have}，至少需要 {need}）"),
        (_, Lang::En) => format!("too few complaints to rate ({have}; at least {need} needed)"),
    }
}

impl Figure {
    pub fn view(&self, lang: Lang) -> MeasureView {
        let m = self.measure;
        let display = match self.value {
            Some(v) => value_words(m, v, self.count, self.sample, lang),
            None => unrated_words(m, self.sample, lang),
        };
        MeasureView {
            measure: m,
            label: m.label(lang).to_owned(),
            explanation: m.explanation(lang).to_owned(),
            rated: self.value.is_some(),
            value: self.value,
            unit: m.unit(),
            count: self.count,
            sample: self.sample,
            sample_text: m.sample_kind().words(self.sample, lang),
            display,
        }
    }
}

impl Scorecard {
    /// The scorecard in `lang`; times in `ends_at` words are left to the reader (the page says
    /// them in its own format).
    pub fn view(&self, lang: Lang) -> ScorecardView {
        let windows = self
            .windows
            .iter()
            .map(|w| WindowView {
                days: w.days,
                title: match lang {
                    Lang::Zh => format!("近{}天", w.days),
                    Lang::En => format!("last {} days", w.days),
                },
                from: w.from,
                to: w.to,
                orders: w.orders,
                complaints: w.complaints,
                measures: w.figures.iter().map(|f| f.view(lang)).collect(),
            })
            .collect();
        let m = Measure::ActivePenalties;
        let count = self.penalties.len() as i64;
        let labels: Vec<&str> = self
            .penalties
            .iter()
            .map(|p| p.penalty.label(lang))
            .collect();
        let display = match (count, lang) {
            (0, Lang::Zh) => "无".to_owned(),
            (0, Lang::En) => "none".to_owned(),
            (_, Lang::Zh) => format!("{count} 项：{}", labels.join("、")),
            (_, Lang::En) => format!("{count}: {}", labels.join(", ")),
        };
        ScorecardView {
            shop_id: self.shop_id.clone(),
            as_of: self.as_of,
            min_orders: MIN_ORDERS,
            min_complaints: MIN_COMPLAINTS,
            windows,
            active_penalties: PenaltiesView {
                measure: m,
                label: m.label(lang).to_owned(),
                explanation: m.explanation(lang).to_owned(),
                count,
                display,
                penalties: self
                    .penalties
                    .iter()
                    .map(|p| PenaltyView {
                        penalty: p.penalty.as_str().to_owned(),
                        label: p.penalty.label(lang).to_owned(),
                        starts_at: p.starts_at,
                        ends_at: p.ends_at,
                    })
                    .collect(),
            },
        }
    }
}

#[cfg(test)]
mod tests;
