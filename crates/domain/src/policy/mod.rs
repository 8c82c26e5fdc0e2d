//! The policy file of DESIGN §4: every key optional, defaults as the design gives them.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::types::Category;

mod calendars;
mod jury;
mod limits;
mod outbound;
pub use calendars::{
    CalendarSpec, Compiled, DEFAULT_CALENDAR, DeadlineKind, KindTime, PauseMode, PauseSpec, Span,
};
pub use jury::Jury;
pub use limits::{Connections, Registration, SignIn, Uploads};
pub use outbound::{Reminders, Smtp, Webhooks};

/// Deadlines, thresholds and the penalty ladder in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    pub deadlines: Deadlines,
    pub major: Major,
    pub collective: Collective,
    pub brushing: Brushing,
    pub compensation: Compensation,
    pub points: Points,
    pub reminders: Reminders,
    #[serde(serialize_with = "ser_ladder", deserialize_with = "de_ladder")]
    pub ladder: BTreeMap<u32, LadderStep>,
    pub webhooks: Webhooks,
    pub connections: Connections,
    pub sign_in: SignIn,
    pub registration: Registration,
    pub uploads: Uploads,
    /// The public jury (大众评审, `docs/jury.md`).
    pub jury: Jury,
    /// E-mail goes out only when this is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp: Option<Smtp>,
    /// Working calendars business-time deadlines count on; `default` (09:00–18:00 Monday to
    /// Friday, Asia/Shanghai, no holidays) unless defined here.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub calendars: BTreeMap<String, CalendarSpec>,
    /// Periods during which deadlines of chosen kinds pause or are extended.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pauses: Vec<PauseSpec>,
    /// How each deadline kind counts, built from the keys above when first needed (public only
    /// so `..Policy::default()` works; leave it be).
    #[serde(skip)]
    pub compiled: Compiled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Deadlines {
    pub merchant_reply: Span,
    pub consumer_reply: Span,
    pub mediation: Span,
    pub evidence_turn: Span,
    pub execute_ruling: Span,
    pub appeal_window: Span,
    /// 电子商务法 Art. 43: a listing taken down on an IP notice is restored this long after the
    /// merchant's counter-notice unless the rights holder says it has gone to court or to the
    /// authorities.
    pub ip_counter_notice: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Major {
    pub amount_cents: i64,
    pub categories: Vec<Category>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Collective {
    pub min_consumers: u32,
    #[serde(with = "human")]
    pub window: Duration,
}

/// The scheduled brushing scan (刷单/炒信 found from order data, DESIGN §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Brushing {
    /// How often the scan runs (one node runs each scan).
    #[serde(with = "human")]
    pub every: Duration,
    /// Which orders it reads: those paid within this window.
    #[serde(with = "human")]
    pub window: Duration,
    /// Dense blocks looked for per detector (FRAUDAR and the time-aware one).
    pub blocks: u32,
    /// A block becomes a case when this share of its account × shop pairs bought…
    pub min_fill: f64,
    /// …which is at least this many times the share in the whole window…
    pub min_lift: f64,
    /// …and it has at least this many buyer accounts.
    pub min_accounts: u32,
}

impl Default for Brushing {
    fn default() -> Self {
        Brushing {
            every: Duration::from_secs(6 * 3600),
            window: Duration::from_secs(30 * 24 * 3600),
            blocks: 5,
            min_fill: 0.5,
            min_lift: 3.0,
            min_accounts: 5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Compensation {
    pub counterfeit_multiplier: u32,
    pub late_shipment_percent: u32,
    pub late_shipment_cap_cents: i64,
}

/// Points recorded for the violations the platform finds by itself (not in DESIGN §4's sample;
/// a ruling names its own points).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Points {
    /// The merchant let `merchant_reply` lapse (the "fault mark").
    pub merchant_no_reply: u32,
    /// A remedy not carried out within `execute_ruling` (paid by the platform, 先行赔付).
    pub ruling_not_executed: u32,
    /// 违背承诺: an eligible 7-day no-reason return refused.
    pub return_refused: u32,
    /// Shipped later than the shop's `ship_within_hours` (per order).
    pub late_shipment: u32,
    /// A counterfeit ruling on a shop (出售假冒商品).
    pub counterfeit: u32,
    /// A confirmed brushing / fake-transaction case (虚假交易, 炒信).
    pub fake_transactions: u32,
    /// An upheld IP-infringement report.
    pub ip_infringement: u32,
    /// A sanctioned collective case, when the regulator names no points.
    pub collective: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LadderStep {
    pub penalty: Penalty,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_weight: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
}

/// Sanctions on a shop, mildest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Penalty {
    Warning,
    TrafficLimit,
    Demote,
    ListingBan,
    HideShop,
    CloseShop,
}

impl Penalty {
    pub fn as_str(self) -> &'static str {
        match self {
            Penalty::Warning => "warning",
            Penalty::TrafficLimit => "traffic_limit",
            Penalty::Demote => "demote",
            Penalty::ListingBan => "listing_ban",
            Penalty::HideShop => "hide_shop",
            Penalty::CloseShop => "close_shop",
        }
    }
    pub const ALL: &'static [Penalty] = &[
        Penalty::Warning,
        Penalty::TrafficLimit,
        Penalty::Demote,
        Penalty::ListingBan,
        Penalty::HideShop,
        Penalty::CloseShop,
    ];
    pub fn parse(s: &str) -> Option<Penalty> {
        Penalty::ALL.iter().copied().find(|p| p.as_str() == s)
    }
    /// The penalty's name for people.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        let (zh, en) = match self {
            Penalty::Warning => ("警告", "warning"),
            Penalty::TrafficLimit => ("限制流量", "traffic limited"),
            Penalty::Demote => ("搜索降权", "demoted in search"),
            Penalty::ListingBan => ("禁止发布商品", "listing ban"),
            Penalty::HideShop => ("屏蔽店铺", "shop hidden"),
            Penalty::CloseShop => ("关闭店铺", "shop closed"),
        };
        lang.pick(zh, en)
    }
}

impl Default for Deadlines {
    fn default() -> Self {
        const H: u64 = 3600;
        let h = |n| Span::Elapsed(Duration::from_secs(n * H));
        Deadlines {
            merchant_reply: h(48),
            consumer_reply: h(7 * 24),
            mediation: h(72),
            evidence_turn: h(48),
            execute_ruling: h(24),
            appeal_window: h(7 * 24),
            ip_counter_notice: h(15 * 24),
        }
    }
}

impl Default for Major {
    fn default() -> Self {
        Major {
            amount_cents: 500_000,
            categories: vec![Category::Counterfeit],
        }
    }
}

impl Default for Collective {
    fn default() -> Self {
        Collective {
            min_consumers: 5,
            window: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

impl Default for Compensation {
    fn default() -> Self {
        Compensation {
            counterfeit_multiplier: 4,
            late_shipment_percent: 5,
            late_shipment_cap_cents: 3000,
        }
    }
}

impl Default for Points {
    fn default() -> Self {
        Points {
            merchant_no_reply: 1,
            ruling_not_executed: 6,
            return_refused: 4,
            late_shipment: 1,
            counterfeit: 12,
            fake_transactions: 12,
            ip_infringement: 4,
            collective: 12,
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        let step = |penalty, search_weight, days| LadderStep {
            penalty,
            search_weight,
            days,
        };
        Policy {
            deadlines: Deadlines::default(),
            major: Major::default(),
            collective: Collective::default(),
            brushing: Brushing::default(),
            compensation: Compensation::default(),
            points: Points::default(),
            reminders: Reminders::default(),
            webhooks: Webhooks::default(),
            connections: Connections::default(),
            sign_in: SignIn::default(),
            registration: Registration::default(),
            uploads: Uploads::default(),
            jury: Jury::default(),
            smtp: None,
            calendars: BTreeMap::new(),
            pauses: Vec::new(),
            compiled: Default::default(),
            ladder: BTreeMap::from([
                (12, step(Penalty::TrafficLimit, Some(0.5), Some(7))),
                (24, step(Penalty::ListingBan, Some(0.3), Some(14))),
                (36, step(Penalty::HideShop, Some(0.0), Some(30))),
                (48, step(Penalty::CloseShop, None, None)),
            ]),
        }
    }
}

/// A policy file that could not be used, with the reason in both languages.
#[derive(Debug, thiserror::Error)]
#[error("invalid policy: {en}")]
pub struct PolicyError {
    pub zh: String,
    pub en: String,
}

impl Policy {
    /// Parses a policy file. Unknown keys, bad durations and impossible values are refused with
    /// the TOML parser's line and column where it has them.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        Policy::from_toml_with(text, |path| {
            Err(format!("no holiday file can be read here ({path})"))
        })
    }

    /// Parses a policy file whose calendars may name holiday files, read through `read` (the
    /// caller resolves the path, relative to the policy file). Every calendar, pause and
    /// business-time deadline is built and checked here, so a bad one stops the start.
    pub fn from_toml_with(
        text: &str,
        read: impl Fn(&str) -> Result<String, String>,
    ) -> Result<Policy, PolicyError> {
        let mut p: Policy = toml::from_str(text).map_err(|e| PolicyError {
            zh: format!("策略文件无法解析：{e}"),
            en: format!("the policy file cannot be parsed: {e}"),
        })?;
        for spec in p.calendars.values_mut() {
            if let Some(file) = &spec.holidays_file {
                let text = read(file).map_err(|e| PolicyError {
                    zh: format!("无法读取节假日文件 {file}：{e}"),
                    en: format!("cannot read holiday file {file}: {e}"),
                })?;
                let h = crate::calendar::Holidays::parse(file, &text)
                    .map_err(|e| PolicyError { zh: e.zh, en: e.en })?;
                spec.holidays = Some(h);
            }
        }
        p.validate()?;
        Ok(p)
    }

    fn validate(&self) -> Result<(), PolicyError> {
        let bad = |zh: String, en: String| Err(PolicyError { zh, en });
        let d = &self.deadlines;
        for (name, v) in [
            ("merchant_reply", d.merchant_reply.nominal()),
            ("consumer_reply", d.consumer_reply.nominal()),
            ("mediation", d.mediation.nominal()),
            ("evidence_turn", d.evidence_turn.nominal()),
            ("execute_ruling", d.execute_ruling.nominal()),
            ("appeal_window", d.appeal_window.nominal()),
            ("ip_counter_notice", d.ip_counter_notice.nominal()),
            ("collective.window", self.collective.window),
            ("brushing.every", self.brushing.every),
            ("brushing.window", self.brushing.window),
        ] {
            if v.is_zero() || v > Duration::from_secs(366 * 24 * 3600) {
                return bad(
                    format!("期限 {name} 必须大于0且不超过一年"),
                    format!("deadline {name} must be more than zero and at most a year"),
                );
            }
        }
        if let Some(b) = self.reminders.before.iter().find(|b| b.is_zero()) {
            return bad(
                format!("reminders.before 的取值 {b:?} 必须大于0"),
                format!("reminders.before value {b:?} must be more than zero"),
            );
        }
        if self.major.amount_cents <= 0 {
            return bad(
                "major.amount_cents 必须为正数".into(),
                "major.amount_cents must be positive".into(),
            );
        }
        if self.collective.min_consumers < 2 {
            return bad(
                "collective.min_consumers 至少为2".into(),
                "collective.min_consumers must be at least 2".into(),
            );
        }
        if self.compensation.counterfeit_multiplier == 0
            || self.compensation.late_shipment_percent > 100
            || self.compensation.late_shipment_cap_cents < 0
        {
            return bad(
                "compensation 的取值超出范围".into(),
                "a compensation value is out of range".into(),
            );
        }
        for (points, step) in &self.ladder {
            if *points == 0 {
                return bad(
                    "ladder 的分数阈值必须为正".into(),
                    "ladder thresholds must be positive".into(),
                );
            }
            if let Some(w) = step.search_weight
                && !(0.0..=1.0).contains(&w)
            {
                return bad(
                    format!("ladder.{points}.search_weight 应在0到1之间"),
                    format!("ladder.{points}.search_weight must be between 0 and 1"),
                );
            }
        }
        let w = &self.webhooks;
        if w.retry_for < Duration::from_secs(24 * 3600)
            || w.backoff.is_zero()
            || w.backoff_max < w.backoff
            || w.timeout.is_zero()
            || w.lease <= w.timeout
            || w.batch == 0
        {
            return bad(
                "webhooks 的取值超出范围（retry_for 至少24小时，lease 须长于 timeout）".into(),
                "a webhooks value is out of range (retry_for at least 24h, lease longer than timeout)".into(),
            );
        }
        self.jury.validate()?;
        limits::validate(
            &self.connections,
            &self.sign_in,
            &self.registration,
            &self.uploads,
        )?;
        if let Some(m) = &self.smtp
            && !["starttls", "tls", "none"].contains(&m.tls.as_str())
        {
            return bad(
                "smtp.tls 只能是 starttls、tls 或 none".into(),
                "smtp.tls must be starttls, tls or none".into(),
            );
        }
        self.validate_pauses()?;
        let kinds = self.build_kinds()?;
        let _ = self.compiled.0.set(kinds);
        Ok(())
    }

    fn validate_pauses(&self) -> Result<(), PolicyError> {
        for (i, p) in self.pauses.iter().enumerate() {
            let at = |zh: String, en: String| PolicyError {
                zh: format!("pauses 第{}项{}：{zh}", i + 1, named(&p.name)),
                en: format!("pauses entry {}{}: {en}", i + 1, named(&p.name)),
            };
            if p.to < p.from || (p.to - p.from).num_days() > 366 {
                return Err(at(
                    format!("结束日期 {} 早于开始日期 {} 或超过一年", p.to, p.from),
                    format!(
                        "ends ({}) before it starts ({}) or lasts over a year",
                        p.to, p.from
                    ),
                ));
            }
            if p.kinds.is_empty() {
                return Err(at(
                    "kinds 不能为空".into(),
                    "kinds must not be empty".into(),
                ));
            }
            if let Some(k) = p.kinds.iter().find(|k| DeadlineKind::parse(k).is_none()) {
                return Err(at(
                    format!("kinds 中的 {k:?} 不是 [deadlines] 的期限名"),
                    format!("kinds value {k:?} is not a [deadlines] key"),
                ));
            }
            for (j, q) in self.pauses.iter().enumerate().take(i) {
                if q.from <= p.to && p.from <= q.to && q.kinds.iter().any(|k| p.kinds.contains(k)) {
                    return Err(at(
                        format!("与第{}项在同一期限上重叠", j + 1),
                        format!("overlaps entry {} for the same deadline kind", j + 1),
                    ));
                }
            }
        }
        Ok(())
    }

    fn build_kinds(&self) -> Result<BTreeMap<DeadlineKind, KindTime>, PolicyError> {
        let default_needed = DeadlineKind::ALL
            .iter()
            .filter_map(|k| self.span(*k).calendar())
            .chain(self.pauses.iter().map(|p| p.calendar.as_str()))
            .any(|c| c == DEFAULT_CALENDAR);
        let cals = calendars::compile_calendars(&self.calendars, default_needed)?;
        DeadlineKind::ALL
            .iter()
            .map(|&k| KindTime::build(k, self.span(k), &cals, &self.pauses).map(|t| (k, t)))
            .collect()
    }

    /// How deadlines of a kind count: their span on their calendar, less their pauses.
    pub fn time_of(&self, kind: impl Into<DeadlineKind>) -> &KindTime {
        let kinds = self.compiled.0.get_or_init(|| {
            self.build_kinds()
                .unwrap_or_else(|e| panic!("a policy built in code is invalid: {}", e.en))
        });
        &kinds[&kind.into()]
    }

    /// A deadline key's value.
    pub fn span(&self, kind: DeadlineKind) -> &Span {
        let d = &self.deadlines;
        match kind {
            DeadlineKind::MerchantReply => &d.merchant_reply,
            DeadlineKind::ConsumerReply => &d.consumer_reply,
            DeadlineKind::Mediation => &d.mediation,
            DeadlineKind::EvidenceTurn => &d.evidence_turn,
            DeadlineKind::ExecuteRuling => &d.execute_ruling,
            DeadlineKind::AppealWindow => &d.appeal_window,
            DeadlineKind::IpCounterNotice => &d.ip_counter_notice,
            DeadlineKind::JuryVote => &self.jury.vote,
        }
    }

    /// The first reminder of a deadline of `kind` due at `due` that falls strictly after
    /// `after` (see `Reminders::next`), each `[reminders] before` counted back in the
    /// deadline's own time.
    pub fn next_reminder(
        &self,
        kind: impl Into<DeadlineKind>,
        due: crate::Timestamp,
        after: crate::Timestamp,
    ) -> Option<crate::Timestamp> {
        let kind = kind.into();
        let time = self.time_of(kind);
        // A jury's vote has a reminder of its own (`[jury] remind_before`).
        let jury = [self.jury.remind_before];
        let before: &[Duration] = if kind == DeadlineKind::JuryVote {
            &jury
        } else {
            &self.reminders.before
        };
        before
            .iter()
            .map(|b| time.before(due, *b))
            .filter(|t| *t > after && *t < due)
            .min()
    }

    /// The time left until `due` in the deadline's own time (negative once overdue): what a
    /// page's countdown shows.
    pub fn remaining(
        &self,
        kind: impl Into<DeadlineKind>,
        now: crate::Timestamp,
        due: crate::Timestamp,
    ) -> chrono::Duration {
        self.time_of(kind).remaining(now, due)
    }

    /// When a deadline of this kind set at `now` falls due: the one deadline sum every caller
    /// uses (its span on its calendar, less its pauses, moved past an extension).
    pub fn due(&self, kind: impl Into<DeadlineKind>, now: crate::Timestamp) -> crate::Timestamp {
        self.time_of(kind).due(now)
    }
}

fn named(name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        format!(" ({name})")
    }
}

mod human {
    use super::*;
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(*d).to_string())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(&s).map_err(|e| {
            serde::de::Error::custom(format!(
                "invalid duration {s:?} ({e}); write e.g. \"48h\" or \"7d\""
            ))
        })
    }
}

mod human_list {
    use super::*;
    pub fn serialize<S: Serializer>(d: &[Duration], s: S) -> Result<S::Ok, S::Error> {
        let v: Vec<String> = d
            .iter()
            .map(|d| humantime::format_duration(*d).to_string())
            .collect();
        v.serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Duration>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|s| {
                humantime::parse_duration(s).map_err(|e| {
                    serde::de::Error::custom(format!(
                        "invalid duration {s:?} ({e}); write e.g. \"24h\" or \"90m\""
                    ))
                })
            })
            .collect()
    }
}

fn ser_ladder<S: Serializer>(l: &BTreeMap<u32, LadderStep>, s: S) -> Result<S::Ok, S::Error> {
    let m: BTreeMap<String, &LadderStep> = l.iter().map(|(k, v)| (k.to_string(), v)).collect();
    m.serialize(s)
}

fn de_ladder<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<u32, LadderStep>, D::Error> {
    let m = BTreeMap::<String, LadderStep>::deserialize(d)?;
    m.into_iter()
        .map(|(k, v)| {
            k.parse::<u32>().map(|k| (k, v)).map_err(|_| {
                serde::de::Error::custom(format!(
                    "ladder key {k:?} must be a whole number of points"
                ))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn penalties_have_distinct_labels() {
        crate::types::assert_labels(Penalty::ALL, Penalty::label);
    }

    #[test]
    fn empty_file_is_the_defaults() {
        assert_eq!(Policy::from_toml("").unwrap(), Policy::default());
    }

    #[test]
    fn design_sample_parses_to_the_defaults() {
        let sample = r#"
[deadlines]
merchant_reply = "48h"
consumer_reply = "7d"
mediation = "72h"
evidence_turn = "48h"
execute_ruling = "24h"
appeal_window = "7d"
[major]
amount_cents = 500000
categories = ["counterfeit"]
[collective]
min_consumers = 5
window = "30d"
[compensation]
counterfeit_multiplier = 4
late_shipment_percent = 5
late_shipment_cap_cents = 3000
[ladder]
12 = { penalty = "traffic_limit", search_weight = 0.5, days = 7 }
24 = { penalty = "listing_ban", search_weight = 0.3, days = 14 }
36 = { penalty = "hide_shop", search_weight = 0.0, days = 30 }
48 = { penalty = "close_shop" }
"#;
        assert_eq!(Policy::from_toml(sample).unwrap(), Policy::default());
    }

    #[test]
    fn reminders_fall_before_the_deadline_and_after_now() {
        let p = Policy::from_toml("[reminders]\nbefore = [\"2h\", \"24h\"]\n").unwrap();
        let h = |n| chrono::Duration::hours(n);
        let now = chrono::DateTime::UNIX_EPOCH + h(1000);
        let r = |due, after| p.next_reminder(crate::TimerKind::MerchantReply, due, after);
        // 48 h ahead: 24 h before first, then 2 h before, then none.
        let due = now + h(48);
        assert_eq!(r(due, now), Some(due - h(24)));
        assert_eq!(r(due, due - h(24)), Some(due - h(2)));
        assert_eq!(r(due, due - h(2)), None);
        // Set 10 h ahead: the 24 h reminder has passed already and is never sent.
        assert_eq!(r(now + h(10), now), Some(now + h(8)));
        // Both passed while every node was down: only the latest is left.
        assert_eq!(r(due, due - h(3)), Some(due - h(2)));
        assert!(Policy::from_toml("[reminders]\nbefore = [\"0s\"]\n").is_err());
        assert!(Policy::from_toml("[reminders]\nbefore = [\"soon\"]\n").is_err());
    }

    #[test]
    fn partial_override() {
        let p = Policy::from_toml("[deadlines]\nmerchant_reply = \"2s\"\n").unwrap();
        assert_eq!(
            p.deadlines.merchant_reply,
            Span::Elapsed(Duration::from_secs(2))
        );
        assert_eq!(
            p.deadlines.mediation,
            Span::Elapsed(Duration::from_secs(72 * 3600))
        );
    }

    #[test]
    fn malformed_is_refused_with_a_reason() {
        let e = Policy::from_toml("[deadlines]\nmerchant_reply = \"soon\"\n").unwrap_err();
        assert!(e.en.contains("invalid duration"), "{}", e.en);
        let e = Policy::from_toml("[deadlinez]\n").unwrap_err();
        assert!(e.en.contains("unknown field"), "{}", e.en);
        let e = Policy::from_toml("[major]\ncategories = [\"bad\"]\n").unwrap_err();
        assert!(e.en.contains("unknown variant"), "{}", e.en);
        let e = Policy::from_toml("[ladder]\nx = { penalty = \"warning\" }\n").unwrap_err();
        assert!(e.en.contains("whole number"), "{}", e.en);
        let e = Policy::from_toml("[deadlines]\nmediation = \"0s\"\n").unwrap_err();
        assert!(e.en.contains("mediation"), "{}", e.en);
        assert!(Policy::from_toml("[collective]\nmin_consumers = 1\n").is_err());
        assert!(Policy::from_toml("[connections]\nmax_connections = 0\n").is_err());
        assert!(Policy::from_toml("[sign_in]\naccount_delay_max = \"2h\"\n").is_err());
        assert!(Policy::from_toml("[uploads]\nfiles_per_subject = 0\n").is_err());
        assert!(
            Policy::from_toml("[ladder]\n12 = { penalty = \"demote\", search_weight = 2.0 }\n")
                .is_err()
        );
    }
}
