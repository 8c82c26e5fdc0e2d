//! How each deadline counts time: a deadline's span (`"48h"`, `"16 business hours"`,
//! `"2 business days in cn"`), the `[calendars.NAME]` it counts on, and the `[[pauses]]` during
//! which deadlines of chosen kinds stop counting or are extended (`docs/policy.md`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::PolicyError;
use crate::Timestamp;
use crate::calendar::{self, Calendar, DayHours, Holidays, Paused, dur_ms, from_ms};

pub const DEFAULT_CALENDAR: &str = "default";

/// What a deadline key holds: elapsed time, or time on a calendar's working hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    /// Every hour counts (`"48h"`, `"7d"`).
    Elapsed(Duration),
    /// Only working hours count (`"16 business hours"`).
    BusinessTime { len: Duration, calendar: String },
    /// Whole working days: the same clock time on the nth working day (`"2 business days"`).
    BusinessDays { days: u32, calendar: String },
}

impl Span {
    pub fn elapsed(d: Duration) -> Span {
        Span::Elapsed(d)
    }

    /// The calendar it counts on, if it counts working time.
    pub fn calendar(&self) -> Option<&str> {
        match self {
            Span::Elapsed(_) => None,
            Span::BusinessTime { calendar, .. } | Span::BusinessDays { calendar, .. } => {
                Some(calendar)
            }
        }
    }

    /// Its length as written (a business day as 24 hours): for the range check only.
    pub fn nominal(&self) -> Duration {
        match self {
            Span::Elapsed(d) | Span::BusinessTime { len: d, .. } => *d,
            Span::BusinessDays { days, .. } => Duration::from_secs(u64::from(*days) * 86_400),
        }
    }

    fn parse(s: &str) -> Result<Span, String> {
        let t = s.trim();
        let (body, calendar) = match t.rsplit_once(" in ") {
            Some((b, c)) if !c.trim().is_empty() => (b.trim(), c.trim().to_owned()),
            _ => (t, DEFAULT_CALENDAR.to_owned()),
        };
        let words: Vec<&str> = body.split_whitespace().collect();
        if let [n, "business", unit] = words[..] {
            let n: u64 = n
                .parse()
                .map_err(|_| format!("invalid duration {s:?}: {n:?} is not a whole number"))?;
            let secs = match unit.trim_end_matches('s') {
                "day" => {
                    let days = u32::try_from(n).map_err(|_| format!("{s:?} is too long"))?;
                    return Ok(Span::BusinessDays { days, calendar });
                }
                "hour" => 3600,
                "minute" => 60,
                _ => {
                    return Err(format!(
                        "invalid duration {s:?}: write \"16 business hours\", \"90 business minutes\" or \"2 business days\""
                    ));
                }
            };
            return Ok(Span::BusinessTime {
                len: Duration::from_secs(n.saturating_mul(secs)),
                calendar,
            });
        }
        humantime::parse_duration(t)
            .map(Span::Elapsed)
            .map_err(|e| {
                format!(
                    "invalid duration {s:?} ({e}); write e.g. \"48h\", \"7d\" or \"16 business hours\""
                )
            })
    }

    fn format(&self) -> String {
        let on = |c: &str| {
            if c == DEFAULT_CALENDAR {
                String::new()
            } else {
                format!(" in {c}")
            }
        };
        match self {
            Span::Elapsed(d) => humantime::format_duration(*d).to_string(),
            Span::BusinessTime { len, calendar } => {
                let s = len.as_secs();
                if s % 3600 == 0 {
                    format!("{} business hours{}", s / 3600, on(calendar))
                } else {
                    format!("{} business minutes{}", s / 60, on(calendar))
                }
            }
            Span::BusinessDays { days, calendar } => {
                format!("{days} business days{}", on(calendar))
            }
        }
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.format())
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Span, D::Error> {
        Span::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// The deadline keys of `[deadlines]` (a complaint's timers and the IP counter-notice period) and
/// the public jury's vote (`[jury] vote`, named `jury_vote` in `[[pauses]]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeadlineKind {
    MerchantReply,
    ConsumerReply,
    Mediation,
    EvidenceTurn,
    ExecuteRuling,
    AppealWindow,
    IpCounterNotice,
    /// A public jury's time to vote (`[jury] vote`).
    JuryVote,
}

impl DeadlineKind {
    pub const ALL: &'static [DeadlineKind] = &[
        DeadlineKind::MerchantReply,
        DeadlineKind::ConsumerReply,
        DeadlineKind::Mediation,
        DeadlineKind::EvidenceTurn,
        DeadlineKind::ExecuteRuling,
        DeadlineKind::AppealWindow,
        DeadlineKind::IpCounterNotice,
        DeadlineKind::JuryVote,
    ];

    /// Its key under `[deadlines]`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::IpCounterNotice => "ip_counter_notice",
            DeadlineKind::JuryVote => "jury_vote",
            k => crate::TimerKind::ALL[k as usize].as_str(),
        }
    }

    pub fn parse(s: &str) -> Option<DeadlineKind> {
        DeadlineKind::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

impl From<crate::TimerKind> for DeadlineKind {
    fn from(k: crate::TimerKind) -> Self {
        use crate::TimerKind as T;
        match k {
            T::MerchantReply => DeadlineKind::MerchantReply,
            T::ConsumerReply => DeadlineKind::ConsumerReply,
            T::Mediation => DeadlineKind::Mediation,
            T::EvidenceTurn => DeadlineKind::EvidenceTurn,
            T::ExecuteRuling => DeadlineKind::ExecuteRuling,
            T::AppealWindow => DeadlineKind::AppealWindow,
        }
    }
}

/// `[calendars.NAME]`: a working week in a time zone, with the holidays of a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalendarSpec {
    /// An IANA name, e.g. `"Asia/Shanghai"`.
    pub time_zone: String,
    /// The working days' hours, e.g. `["09:00-12:00", "13:00-18:00"]`.
    pub hours: Vec<String>,
    /// The days worked each week: `mon` … `sun`.
    pub days: Vec<String>,
    /// Other hours for some weekdays, e.g. `{ sat = ["10:00-16:00"] }` (worked with those hours).
    pub week: BTreeMap<String, Vec<String>>,
    /// Holidays and make-up working days (调休), as the operator keeps them; a path relative to
    /// the policy file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holidays_file: Option<String>,
    /// The file's contents once read (`Policy::from_toml_with`).
    #[serde(skip)]
    pub holidays: Option<Holidays>,
}

impl Default for CalendarSpec {
    fn default() -> Self {
        CalendarSpec {
            time_zone: "Asia/Shanghai".into(),
            hours: vec!["09:00-18:00".into()],
            days: ["mon", "tue", "wed", "thu", "fri"]
                .map(String::from)
                .to_vec(),
            week: BTreeMap::new(),
            holidays_file: None,
            holidays: None,
        }
    }
}

/// `[[pauses]]`: dates (inclusive, in the calendar's zone) during which deadlines of `kinds`
/// stop counting (`mode = "pause"`), or are moved to the period's end if they would fall in it
/// (`mode = "extend"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PauseSpec {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// `"2027-02-05"`.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub kinds: Vec<String>,
    #[serde(default = "PauseSpec::default_mode")]
    pub mode: PauseMode,
    /// Whose time zone the dates are read in.
    #[serde(default = "PauseSpec::default_calendar")]
    pub calendar: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseMode {
    Pause,
    Extend,
}

impl PauseSpec {
    fn default_mode() -> PauseMode {
        PauseMode::Pause
    }
    fn default_calendar() -> String {
        DEFAULT_CALENDAR.into()
    }
}

/// Parses and checks `[calendars]`, building each calendar once; the built-in default only when
/// something counts on it (its table is not free).
pub(super) fn compile_calendars(
    specs: &BTreeMap<String, CalendarSpec>,
    default_needed: bool,
) -> Result<BTreeMap<String, Arc<Calendar>>, PolicyError> {
    let mut all = BTreeMap::new();
    if default_needed && !specs.contains_key(DEFAULT_CALENDAR) {
        all.insert(
            DEFAULT_CALENDAR.to_owned(),
            Arc::new(compile_one(DEFAULT_CALENDAR, &CalendarSpec::default())?),
        );
    }
    for (name, spec) in specs {
        all.insert(name.clone(), Arc::new(compile_one(name, spec)?));
    }
    Ok(all)
}

fn compile_one(name: &str, spec: &CalendarSpec) -> Result<Calendar, PolicyError> {
    let bad = |zh: String, en: String| PolicyError {
        zh: format!("日历 calendars.{name}：{zh}"),
        en: format!("calendar calendars.{name}: {en}"),
    };
    let tz: chrono_tz::Tz = spec.time_zone.parse().map_err(|_| {
        bad(
            format!(
                "time_zone {:?} 不是 IANA 时区名（如 Asia/Shanghai）",
                spec.time_zone
            ),
            format!(
                "time_zone {:?} is not an IANA zone name (e.g. Asia/Shanghai)",
                spec.time_zone
            ),
        )
    })?;
    let hours = |key: &str, list: &[String]| -> Result<DayHours, PolicyError> {
        let mut out = Vec::new();
        for h in list {
            let iv = calendar::parse_hours(h).ok_or_else(|| {
                bad(
                    format!("{key} 的 {h:?} 应写作 \"09:00-18:00\""),
                    format!("{key} value {h:?} must be written \"09:00-18:00\""),
                )
            })?;
            out.push(iv);
        }
        out.sort_unstable();
        if out.windows(2).any(|w| w[1].0 < w[0].1) {
            return Err(bad(
                format!("{key} 的时段重叠"),
                format!("{key} has overlapping hours"),
            ));
        }
        Ok(out)
    };
    let standard = hours("hours", &spec.hours)?;
    let mut week: [DayHours; 7] = Default::default();
    for d in &spec.days {
        let wd = calendar::parse_weekday(d).ok_or_else(|| {
            bad(
                format!("days 中的 {d:?} 不是星期（mon … sun）"),
                format!("days value {d:?} is not a weekday (mon … sun)"),
            )
        })?;
        week[wd.num_days_from_monday() as usize] = standard.clone();
    }
    for (d, list) in &spec.week {
        let wd = calendar::parse_weekday(d).ok_or_else(|| {
            bad(
                format!("week 的键 {d:?} 不是星期（mon … sun）"),
                format!("week key {d:?} is not a weekday (mon … sun)"),
            )
        })?;
        week[wd.num_days_from_monday() as usize] = hours(&format!("week.{d}"), list)?;
    }
    if week.iter().all(Vec::is_empty) {
        return Err(bad(
            "一周中没有工作时间".into(),
            "has no working hours in the week".into(),
        ));
    }
    let file = spec.holidays_file.as_deref().unwrap_or("");
    let (mut off, mut on) = (BTreeSet::new(), BTreeSet::new());
    if let Some(h) = &spec.holidays {
        for (d, line) in &h.on {
            if !week[chrono::Datelike::weekday(d).num_days_from_monday() as usize].is_empty() {
                return Err(PolicyError {
                    zh: format!(
                        "节假日文件 {file} 第{line}行：调休上班日 {d} 本来就是日历 {name} 的工作日"
                    ),
                    en: format!(
                        "holiday file {file}, line {line}: make-up working day {d} is already a working day of calendar {name}"
                    ),
                });
            }
            on.insert(*d);
        }
        off.extend(h.off.keys().copied());
    }
    if standard.is_empty() && !on.is_empty() {
        return Err(bad(
            "有调休上班日但 hours 为空".into(),
            "lists make-up working days but its hours are empty".into(),
        ));
    }
    Ok(Calendar::new(tz, week, standard, off, on))
}

/// How one deadline kind counts, built from its span, its calendar and the pauses naming it.
#[derive(Debug, Clone)]
pub struct KindTime {
    span: Span,
    /// The calendar with the kind's pause dates as days off (business spans).
    calendar: Option<Arc<Calendar>>,
    /// Elapsed time that does not count (elapsed spans).
    paused: Paused,
    /// A deadline falling in one of these moves to its end.
    extended: Vec<(i64, i64)>,
}

impl KindTime {
    pub(super) fn build(
        kind: DeadlineKind,
        span: &Span,
        calendars: &BTreeMap<String, Arc<Calendar>>,
        pauses: &[PauseSpec],
    ) -> Result<KindTime, PolicyError> {
        let unknown = |c: &str, key: &str| PolicyError {
            zh: format!("{key} 使用了未定义的日历 {c:?}（请在 [calendars.{c}] 中定义）"),
            en: format!("{key} names an unknown calendar {c:?} (define it under [calendars.{c}])"),
        };
        let cal = |c: &str, key: &str| calendars.get(c).cloned().ok_or_else(|| unknown(c, key));
        let mine: Vec<&PauseSpec> = pauses
            .iter()
            .filter(|p| p.kinds.iter().any(|k| k == kind.as_str()))
            .collect();
        let mut paused = Vec::new();
        let mut off_days = Vec::new();
        let mut extended = Vec::new();
        for p in &mine {
            let c = cal(&p.calendar, "pauses.calendar")?;
            let days = p.from.iter_days().take_while(|d| *d <= p.to);
            let period = (
                c.start_of(p.from),
                c.start_of(p.to.succ_opt().unwrap_or(p.to)),
            );
            match p.mode {
                PauseMode::Pause => {
                    paused.push(period);
                    off_days.extend(days);
                }
                PauseMode::Extend => extended.push(period),
            }
        }
        extended.sort_unstable();
        let calendar = match span.calendar() {
            None => None,
            Some(name) => {
                let c = cal(name, &format!("deadlines.{}", kind.as_str()))?;
                Some(if off_days.is_empty() {
                    c
                } else {
                    Arc::new(c.with_days_off(off_days))
                })
            }
        };
        Ok(KindTime {
            span: span.clone(),
            paused: if calendar.is_some() {
                Paused::default()
            } else {
                Paused::new(paused)
            },
            calendar,
            extended,
        })
    }

    /// When a deadline of this kind set at `now` falls due.
    pub fn due(&self, now: Timestamp) -> Timestamp {
        let t = now.timestamp_millis();
        let due = match (&self.span, &self.calendar) {
            (Span::Elapsed(d), _) if self.paused.is_empty() && self.extended.is_empty() => {
                // Calendar time, as it always was: exact to the nanosecond.
                return now + chrono::Duration::from_std(*d).unwrap_or(chrono::Duration::MAX);
            }
            (Span::Elapsed(d), _) => self.paused.add_ms(t, dur_ms(*d)),
            (Span::BusinessTime { len, .. }, Some(c)) => c.add_ms(t, dur_ms(*len)),
            (Span::BusinessDays { days, .. }, Some(c)) => c.add_days_ms(t, *days),
            (_, None) => unreachable!("business spans are built with their calendar"),
        };
        from_ms(self.extend(due))
    }

    fn extend(&self, mut due: i64) -> i64 {
        for &(s, e) in &self.extended {
            if due >= s && due < e {
                due = match &self.calendar {
                    Some(c) => c.next_working_ms(e),
                    None => e,
                };
            }
        }
        due
    }

    /// `d` before `due`, counted in this kind's own time (a reminder "2h before" a
    /// business-hours deadline is two working hours before it).
    pub fn before(&self, due: Timestamp, d: Duration) -> Timestamp {
        let t = due.timestamp_millis();
        match &self.calendar {
            Some(c) => from_ms(c.sub_ms(t, dur_ms(d))),
            None if self.paused.is_empty() => {
                due - chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
            }
            None => from_ms(self.paused.sub_ms(t, dur_ms(d))),
        }
    }

    /// The time from `now` to `due` in this kind's own time; negative once overdue.
    pub fn remaining(&self, now: Timestamp, due: Timestamp) -> chrono::Duration {
        let (a, b) = (now.timestamp_millis(), due.timestamp_millis());
        match &self.calendar {
            Some(c) => chrono::Duration::milliseconds(c.between_ms(a, b)),
            None if self.paused.is_empty() => due - now,
            None => chrono::Duration::milliseconds(self.paused.between_ms(a, b)),
        }
    }

    /// Counts working time only.
    pub fn is_business(&self) -> bool {
        self.calendar.is_some()
    }
}

/// The compiled calendars and kinds, built once per policy (lazily for one built in code).
#[derive(Debug, Default)]
pub struct Compiled(pub(super) OnceLock<BTreeMap<DeadlineKind, KindTime>>);

/// A copy builds its own: a cloned policy may have its deadlines or calendars changed, and must
/// not count on the original's (policies are shared behind an `Arc`, not copied, at run time).
impl Clone for Compiled {
    fn clone(&self) -> Self {
        Compiled::default()
    }
}

/// Derived from the policy's own keys, so two policies with the same keys are equal.
impl PartialEq for Compiled {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDateTime, TimeZone};

    use super::*;
    use crate::{Policy, TimerKind};

    const CN: &str = include_str!("../../../../data/calendars/cn.toml");

    #[test]
    fn a_changed_copy_counts_its_own_deadlines() {
        let p = Policy::default();
        let at = shanghai("2026-12-07 10:00");
        let before = p.due(TimerKind::MerchantReply, at);
        assert_eq!(before, at + chrono::Duration::hours(48));
        let mut q = p.clone();
        q.deadlines.merchant_reply = Span::Elapsed(std::time::Duration::from_secs(3600));
        assert_eq!(
            q.due(TimerKind::MerchantReply, at),
            at + chrono::Duration::hours(1)
        );
        assert_eq!(p.due(TimerKind::MerchantReply, at), before);
    }

    fn shanghai(s: &str) -> Timestamp {
        let t = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        chrono_tz::Asia::Shanghai
            .from_local_datetime(&t)
            .single()
            .unwrap()
            .to_utc()
    }

    fn with_cn(text: &str) -> Result<Policy, PolicyError> {
        Policy::from_toml_with(text, |path| {
            if path == "calendars/cn.toml" {
                Ok(CN.to_owned())
            } else {
                Err("not found".into())
            }
        })
    }

    /// The second TOML block of docs/policy.md, with the shipped China file.
    fn documented() -> Policy {
        let doc = include_str!("../../../../docs/policy.md");
        let at = doc.find("## Calendars").expect("the calendars section");
        let start = at + doc[at..].find("```toml\n").expect("a toml block") + 8;
        let end = start + doc[start..].find("```").expect("its end");
        with_cn(&doc[start..end]).unwrap_or_else(|e| panic!("{}", e.en))
    }

    #[test]
    fn spans_parse_and_print_back() {
        for s in [
            "48h",
            "16 business hours",
            "90 business minutes",
            "2 business days",
            "3 business days in cn",
        ] {
            let span = Span::parse(s).unwrap();
            assert_eq!(Span::parse(&span.format()).unwrap(), span, "{s}");
        }
        assert_eq!(
            Span::parse("16 business hours in cn").unwrap(),
            Span::BusinessTime {
                len: Duration::from_secs(16 * 3600),
                calendar: "cn".into()
            }
        );
        assert!(Span::parse("16 business weeks").is_err());
        assert!(Span::parse("x business hours").is_err());
        // The defaults print as they always did.
        let p = Policy::default();
        let text = toml::to_string(&p).unwrap();
        assert!(text.contains("merchant_reply = \"2days\""), "{text}");
        assert!(
            !text.contains("calendars") && !text.contains("pauses"),
            "{text}"
        );
    }

    #[test]
    fn the_documented_calendars_count_working_time() {
        let p = documented();
        // Friday 2026-02-13 11:00 + 16 business hours on the China calendar: 7h on Friday, 9h
        // on the make-up Saturday (the 14th) → Saturday 18:00.
        assert_eq!(
            p.due(TimerKind::EvidenceTurn, shanghai("2026-02-13 11:00")),
            shanghai("2026-02-14 18:00")
        );
        // The round trip through TOML keeps every key.
        let again = with_cn(&toml::to_string(&p).unwrap()).unwrap();
        assert_eq!(again, p);
        // Reminders count back in working time: 2 business hours before Tuesday 2026-03-03
        // 11:00 is Tuesday 09:00; 24 before it is Friday 2026-02-27 14:00 (2 on Tuesday, 9 on
        // Monday, 9 on the make-up Saturday the 28th, 4 on Friday).
        let due = shanghai("2026-03-03 11:00");
        let early = shanghai("2026-02-20 00:00");
        assert_eq!(
            p.next_reminder(TimerKind::EvidenceTurn, due, early),
            Some(shanghai("2026-02-27 14:00"))
        );
        assert_eq!(
            p.next_reminder(TimerKind::EvidenceTurn, due, shanghai("2026-02-27 14:00")),
            Some(shanghai("2026-03-03 09:00"))
        );
        // The countdown: from Monday 17:00, three working hours are left.
        assert_eq!(
            p.remaining(TimerKind::EvidenceTurn, shanghai("2026-03-02 17:00"), due),
            chrono::Duration::hours(3)
        );
        // Elapsed kinds are as before.
        let t = shanghai("2026-02-13 11:00");
        assert_eq!(
            p.due(TimerKind::Mediation, t),
            t + chrono::Duration::hours(72)
        );
    }

    #[test]
    fn a_spring_festival_pause_stops_the_merchants_clock() {
        let p = documented();
        // merchant_reply is "48h" and paused 2027-02-05..=2027-02-12 (Beijing dates): set at
        // 2027-02-04 12:00, 12 hours run before the pause, 36 after it.
        assert_eq!(
            p.due(TimerKind::MerchantReply, shanghai("2027-02-04 12:00")),
            shanghai("2027-02-14 12:00")
        );
        // Set at 2027-02-03 12:00: 36 hours before the pause, 12 after; the 24h reminder counts
        // back over the pause too (12 after it, 12 before it).
        let set = shanghai("2027-02-03 12:00");
        let due = p.due(TimerKind::MerchantReply, set);
        assert_eq!(due, shanghai("2027-02-13 12:00"));
        assert_eq!(
            p.next_reminder(TimerKind::MerchantReply, due, set),
            Some(shanghai("2027-02-04 12:00"))
        );
        assert_eq!(
            p.remaining(TimerKind::MerchantReply, set, due),
            chrono::Duration::hours(48)
        );
        // Consumer replies are not paused.
        let t = shanghai("2027-02-04 12:00");
        assert_eq!(
            p.due(TimerKind::ConsumerReply, t),
            t + chrono::Duration::days(7)
        );
    }

    #[test]
    fn an_extension_moves_a_deadline_out_of_its_period() {
        let p = with_cn(
            "[deadlines]\nexecute_ruling = \"24h\"\n[[pauses]]\nfrom = \"2027-02-05\"\nto = \"2027-02-12\"\nkinds = [\"execute_ruling\"]\nmode = \"extend\"\n",
        )
        .unwrap();
        assert_eq!(
            p.due(TimerKind::ExecuteRuling, shanghai("2027-02-06 10:00")),
            shanghai("2027-02-13 00:00")
        );
        let before = shanghai("2027-02-03 10:00");
        assert_eq!(
            p.due(TimerKind::ExecuteRuling, before),
            before + chrono::Duration::hours(24)
        );
    }

    #[test]
    fn bad_calendars_are_refused_in_both_languages() {
        let cases = [
            (
                "[deadlines]\nevidence_turn = \"16 business hours in cn\"\n",
                "unknown calendar \"cn\"",
                "未定义的日历",
            ),
            (
                "[[pauses]]\nfrom = \"2027-02-05\"\nto = \"2027-02-12\"\nkinds = [\"merchant_reply\"]\ncalendar = \"hk\"\n",
                "unknown calendar \"hk\"",
                "未定义的日历",
            ),
            (
                "[[pauses]]\nfrom = \"2027-02-12\"\nto = \"2027-02-05\"\nkinds = [\"merchant_reply\"]\n",
                "pauses entry 1",
                "pauses 第1项",
            ),
            (
                "[[pauses]]\nfrom = \"2027-02-05\"\nto = \"2027-02-12\"\nkinds = [\"shipping_soon\"]\n",
                "not a [deadlines] key",
                "不是 [deadlines] 的期限名",
            ),
            (
                "[[pauses]]\nfrom = \"2027-02-05\"\nto = \"2027-02-12\"\nkinds = [\"mediation\"]\n[[pauses]]\nfrom = \"2027-02-10\"\nto = \"2027-02-20\"\nkinds = [\"mediation\"]\n",
                "overlaps entry 1",
                "重叠",
            ),
            (
                "[calendars.default]\ntime_zone = \"Mars/Olympus\"\n",
                "not an IANA zone",
                "时区",
            ),
            (
                "[calendars.default]\nhours = [\"09:00-12:00\", \"11:00-18:00\"]\n",
                "overlapping hours",
                "重叠",
            ),
            (
                "[calendars.default]\nhours = [\"18:00-09:00\"]\n",
                "must be written",
                "应写作",
            ),
            (
                "[calendars.default]\nholidays_file = \"missing.toml\"\n",
                "cannot read holiday file missing.toml",
                "无法读取节假日文件",
            ),
            (
                // Saturday is worked every week here, so listing it as a make-up day is wrong.
                "[calendars.default]\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\"]\nholidays_file = \"calendars/cn.toml\"\n",
                "make-up working day 2026-02-14 is already a working day",
                "calendars/cn.toml 第",
            ),
        ];
        for (text, en, zh) in cases {
            let e = with_cn(text).unwrap_err();
            assert!(e.en.contains(en), "{text}: {}", e.en);
            assert!(e.zh.contains(zh), "{text}: {}", e.zh);
        }
    }

    #[test]
    fn deadline_kinds_name_their_keys() {
        for k in DeadlineKind::ALL {
            assert_eq!(DeadlineKind::parse(k.as_str()), Some(*k));
        }
        for t in crate::TimerKind::ALL {
            assert_eq!(DeadlineKind::from(*t).as_str(), t.as_str());
        }
    }
}
