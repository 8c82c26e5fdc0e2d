//! Business calendars: working hours per weekday in an IANA time zone, holidays and make-up
//! working days (调休), and business-time arithmetic over them (`docs/policy.md`, "Calendars").
//! Pure: no clock, no files — a holiday file's text is parsed here, read elsewhere.
//!
//! Times are whole milliseconds, as the store keeps them. Working intervals are half-open in
//! local time; a deadline may fall exactly at an interval's end (18:00 is "by the end of the day").

use std::collections::{BTreeMap, BTreeSet};

use chrono::offset::LocalResult;
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Weekday};
use chrono_tz::Tz;

use crate::Timestamp;

/// One day's working hours: `(start, end)` minutes after local midnight, sorted and disjoint,
/// `end` at most 1440.
pub type DayHours = Vec<(u32, u32)>;

/// The years around these the precomputed table covers; outside it the same arithmetic walks
/// day by day (slower, equally correct).
const TABLE_YEARS_BEFORE: i32 = 1;
const TABLE_YEARS_AFTER: i32 = 30;
const TABLE_ANCHOR_YEAR: i32 = 2026;

/// A working calendar, with its working intervals precomputed as UTC instants and their running
/// sums, so adding or counting business time is two binary searches.
#[derive(Debug, Clone)]
pub struct Calendar {
    tz: Tz,
    /// Indexed by `Weekday::num_days_from_monday`.
    week: [DayHours; 7],
    /// The hours of a make-up working day (a weekend day worked, 调休).
    makeup: DayHours,
    off: BTreeSet<NaiveDate>,
    on: BTreeSet<NaiveDate>,
    table: Table,
}

#[derive(Clone, Default)]
struct Table {
    /// The instants the table covers, `[from, to)`: local midnights.
    from: i64,
    to: i64,
    iv: Vec<(i64, i64)>,
    /// `cum[k]`: business milliseconds in `iv[..k]`.
    cum: Vec<i64>,
    /// The first interval of each working day, and `iv.len()` last.
    day_first: Vec<u32>,
    /// Each interval's working day (an index into `day_first`).
    iv_day: Vec<u32>,
}

/// A summary: the table's thousands of intervals would bury a failing test's message.
impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("from", &self.from)
            .field("to", &self.to)
            .field("intervals", &self.iv.len())
            .finish()
    }
}

impl Calendar {
    /// A calendar; `off` are days not worked (holidays), `on` days worked that the week would
    /// not (make-up days, worked with `makeup` hours). The caller has checked the hours.
    pub fn new(
        tz: Tz,
        week: [DayHours; 7],
        makeup: DayHours,
        off: BTreeSet<NaiveDate>,
        on: BTreeSet<NaiveDate>,
    ) -> Calendar {
        let mut c = Calendar {
            tz,
            week,
            makeup,
            off,
            on,
            table: Table::default(),
        };
        c.build_table();
        c
    }

    /// 09:00–18:00 Monday to Friday in `tz`, no holidays.
    pub fn office(tz: Tz) -> Calendar {
        let day = vec![(9 * 60, 18 * 60)];
        let week = std::array::from_fn(|i| if i < 5 { day.clone() } else { vec![] });
        Calendar::new(tz, week, day, BTreeSet::new(), BTreeSet::new())
    }

    /// The same calendar with more days off (a pause period of some deadline kinds).
    pub fn with_days_off(&self, days: impl IntoIterator<Item = NaiveDate>) -> Calendar {
        let mut off = self.off.clone();
        off.extend(days);
        Calendar::new(
            self.tz,
            self.week.clone(),
            self.makeup.clone(),
            off,
            self.on.clone(),
        )
    }

    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    pub fn week(&self) -> &[DayHours; 7] {
        &self.week
    }

    pub fn holidays(&self) -> &BTreeSet<NaiveDate> {
        &self.off
    }

    pub fn makeup_days(&self) -> &BTreeSet<NaiveDate> {
        &self.on
    }

    fn build_table(&mut self) {
        let (first, last) = [&self.off, &self.on]
            .iter()
            .flat_map(|s| s.first().into_iter().chain(s.last()))
            .fold((TABLE_ANCHOR_YEAR, TABLE_ANCHOR_YEAR), |(a, b), d| {
                (a.min(d.year()), b.max(d.year()))
            });
        let start = NaiveDate::from_ymd_opt(first - TABLE_YEARS_BEFORE, 1, 1).expect("a year");
        let end = NaiveDate::from_ymd_opt(last + TABLE_YEARS_AFTER + 1, 1, 1).expect("a year");
        let mut iv = Vec::with_capacity(((end - start).num_days() as usize) * 6 / 7);
        let (mut day_first, mut iv_day) = (Vec::new(), Vec::new());
        let mut day = start;
        while day < end {
            let before = iv.len();
            self.day_intervals(day, &mut iv);
            if iv.len() > before {
                iv_day.resize(iv.len(), day_first.len() as u32);
                day_first.push(before as u32);
            }
            day = day.succ_opt().expect("in range");
        }
        day_first.push(iv.len() as u32);
        let mut cum = Vec::with_capacity(iv.len() + 1);
        let mut sum = 0;
        cum.push(0);
        for (s, e) in &iv {
            sum += e - s;
            cum.push(sum);
        }
        self.table = Table {
            from: self.midnight(start),
            to: self.midnight(end),
            iv,
            cum,
            day_first,
            iv_day,
        };
    }

    /// The working hours of a local date.
    pub fn hours_of(&self, d: NaiveDate) -> &[(u32, u32)] {
        if self.off.contains(&d) {
            &[]
        } else if self.on.contains(&d) {
            &self.makeup
        } else {
            &self.week[d.weekday().num_days_from_monday() as usize]
        }
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !self.hours_of(d).is_empty()
    }

    /// The instant of a local clock time: one skipped by a DST change maps to the end of the gap,
    /// one repeated to its first occurrence.
    fn instant(&self, t: NaiveDateTime) -> i64 {
        let mut t = t;
        loop {
            match self.tz.from_local_datetime(&t) {
                LocalResult::Single(x) | LocalResult::Ambiguous(x, _) => {
                    return x.timestamp_millis();
                }
                LocalResult::None => t += chrono::Duration::minutes(1),
            }
        }
    }

    fn local_ms(&self, d: NaiveDate, minute: u32) -> i64 {
        self.instant(d.and_time(NaiveTime::MIN) + chrono::Duration::minutes(minute.into()))
    }

    fn midnight(&self, d: NaiveDate) -> i64 {
        self.local_ms(d, 0)
    }

    /// The instant a local date begins.
    pub fn start_of(&self, d: NaiveDate) -> i64 {
        self.midnight(d)
    }

    fn date(&self, t: i64) -> NaiveDate {
        self.tz
            .timestamp_millis_opt(t)
            .single()
            .expect("a UTC instant maps to one local time")
            .date_naive()
    }

    /// Appends a local date's working intervals as instants.
    fn day_intervals(&self, d: NaiveDate, out: &mut Vec<(i64, i64)>) {
        for &(s, e) in self.hours_of(d) {
            let (a, b) = (self.local_ms(d, s), self.local_ms(d, e));
            // A DST change can swallow an interval, and intervals never go back in time.
            let a = out.last().map_or(a, |l| a.max(l.1));
            if b > a {
                out.push((a, b));
            }
        }
    }

    // --- the table: positions are business milliseconds since `table.from`

    fn in_table(&self, t: i64) -> bool {
        t >= self.table.from && t <= self.table.to
    }

    fn pos(&self, t: i64) -> i64 {
        let tb = &self.table;
        let k = tb.iv.partition_point(|iv| iv.0 <= t);
        if k > 0 && t < tb.iv[k - 1].1 {
            tb.cum[k - 1] + t - tb.iv[k - 1].0
        } else {
            tb.cum[k]
        }
    }

    /// The earliest instant at position `p` (an interval's end rather than the next one's start).
    fn at_earliest(&self, p: i64) -> i64 {
        let tb = &self.table;
        let k = tb.cum.partition_point(|c| *c < p);
        if k == 0 {
            return tb.from;
        }
        tb.iv[k - 1].0 + p - tb.cum[k - 1]
    }

    /// The latest instant at position `p < total` (the next interval's start, not this one's end).
    fn at_latest(&self, p: i64) -> i64 {
        let tb = &self.table;
        let k = tb.cum.partition_point(|c| *c <= p);
        tb.iv[k - 1].0 + p - tb.cum[k - 1]
    }

    // --- walking day by day, outside the table

    /// Business time in `[a, b)`.
    fn walk_between(&self, a: i64, b: i64) -> i64 {
        let (mut day, last) = (self.date(a), self.date(b));
        let mut buf = Vec::new();
        let mut sum = 0;
        while day <= last {
            buf.clear();
            self.day_intervals(day, &mut buf);
            for &(s, e) in &buf {
                let (s, e) = (s.max(a), e.min(b));
                if e > s {
                    sum += e - s;
                }
            }
            day = day.succ_opt().expect("in range");
        }
        sum
    }

    /// `left` of business time after `a`, or what is left when `limit` is reached.
    fn walk_add(&self, a: i64, mut left: i64, limit: Option<i64>) -> Result<i64, i64> {
        let mut day = self.date(a);
        let mut buf = Vec::new();
        loop {
            if limit.is_some_and(|l| self.midnight(day) >= l) {
                return Err(left);
            }
            buf.clear();
            self.day_intervals(day, &mut buf);
            for &(s, e) in &buf {
                let s = s.max(a);
                let e = limit.map_or(e, |l| e.min(l));
                if e <= s {
                    continue;
                }
                if e - s >= left {
                    return Ok(s + left);
                }
                left -= e - s;
            }
            day = day.succ_opt().expect("in range");
        }
    }

    /// `left` of business time before `t`, or what is left when `limit` is reached.
    fn walk_sub(&self, t: i64, mut left: i64, limit: Option<i64>) -> Result<i64, i64> {
        let mut day = self.date(t);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            self.day_intervals(day, &mut buf);
            for &(s, e) in buf.iter().rev() {
                let e = e.min(t);
                let s = limit.map_or(s, |l| s.max(l));
                if e <= s {
                    continue;
                }
                if e - s >= left {
                    return Ok(e - left);
                }
                left -= e - s;
            }
            if limit.is_some_and(|l| self.midnight(day) <= l) {
                return Err(left);
            }
            day = day.pred_opt().expect("in range");
        }
    }

    // --- business time, milliseconds

    /// `d` ms of business time after `t`: the earliest such instant, so a deadline that uses up
    /// a day's hours falls at that day's end.
    pub fn add_ms(&self, t: i64, d: i64) -> i64 {
        if d <= 0 {
            return t;
        }
        let (mut cur, mut left) = (t, d);
        if cur < self.table.from {
            match self.walk_add(cur, left, Some(self.table.from)) {
                Ok(x) => return x,
                Err(l) => (cur, left) = (self.table.from, l),
            }
        }
        if cur < self.table.to {
            let p = self.pos(cur) + left;
            let total = *self.table.cum.last().expect("cum has 0");
            if p <= total {
                return self.at_earliest(p);
            }
            (cur, left) = (self.table.to, p - total);
        }
        self.walk_add(cur, left, None).expect("no limit")
    }

    /// The latest instant with `d` ms of business time between it and `t` (a reminder "2
    /// business hours before" Tuesday 11:00 is Tuesday 09:00, not Monday 18:00).
    pub fn sub_ms(&self, t: i64, d: i64) -> i64 {
        if d <= 0 {
            return t;
        }
        let (mut cur, mut left) = (t, d);
        if cur > self.table.to {
            match self.walk_sub(cur, left, Some(self.table.to)) {
                Ok(x) => return x,
                Err(l) => (cur, left) = (self.table.to, l),
            }
        }
        if cur > self.table.from {
            let p = self.pos(cur);
            if p >= left {
                return self.at_latest(p - left);
            }
            (cur, left) = (self.table.from, left - p);
        }
        self.walk_sub(cur, left, None).expect("no limit")
    }

    /// Business milliseconds in `[a, b)`; negative when `b` is before `a`.
    pub fn between_ms(&self, a: i64, b: i64) -> i64 {
        if b < a {
            return -self.between_ms(b, a);
        }
        let tb = &self.table;
        let mut sum = 0;
        if a < tb.from {
            sum += self.walk_between(a, b.min(tb.from));
        }
        let (x, y) = (a.max(tb.from), b.min(tb.to));
        if y > x {
            sum += self.pos(y) - self.pos(x);
        }
        if b > tb.to {
            sum += self.walk_between(a.max(tb.to), b);
        }
        sum
    }

    /// `t` if it is working time, else the start of the next working interval.
    pub fn next_working_ms(&self, t: i64) -> i64 {
        if self.in_table(t) && t < self.table.to {
            let tb = &self.table;
            let k = tb.iv.partition_point(|iv| iv.0 <= t);
            if k > 0 && t < tb.iv[k - 1].1 {
                return t;
            }
            if k < tb.iv.len() {
                return tb.iv[k].0;
            }
        }
        let mut day = self.date(t);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            self.day_intervals(day, &mut buf);
            if let Some(&(s, _)) = buf.iter().find(|iv| iv.1 > t) {
                return s.max(t);
            }
            day = day.succ_opt().expect("in range");
        }
    }

    /// Within working hours, counting an interval's end as inside (where deadlines fall).
    pub fn is_working_ms(&self, t: i64) -> bool {
        let mut buf = Vec::new();
        let d = self.date(t);
        for day in [d.pred_opt().unwrap_or(d), d] {
            self.day_intervals(day, &mut buf);
        }
        buf.iter().any(|&(s, e)| s <= t && t <= e)
    }

    /// `n` whole working days after `t`: the same clock time on the `n`th working day after the
    /// first working instant at or after `t`, kept within that day's hours (before its start →
    /// its start, in a break → the next interval, after its end → its end). From a day's very
    /// start (filed before hours or on a day off), it is the end of the `n`th working day
    /// counting that one.
    pub fn add_days_ms(&self, t: i64, n: u32) -> i64 {
        if n == 0 {
            return t;
        }
        let s = self.next_working_ms(t);
        self.table_add_days(s, n)
            .unwrap_or_else(|| self.walk_add_days(s, n))
    }

    /// `add_days_ms` from a working instant, walking day by day.
    fn walk_add_days(&self, s: i64, n: u32) -> i64 {
        let local = self
            .tz
            .timestamp_millis_opt(s)
            .single()
            .expect("UTC")
            .naive_local();
        let mut day = local.date();
        let mut buf = Vec::new();
        self.day_intervals(day, &mut buf);
        let at_start = buf.first().is_some_and(|iv| iv.0 == s);
        let steps = if at_start { n - 1 } else { n };
        for _ in 0..steps {
            day = self.next_working_day(day);
        }
        buf.clear();
        self.day_intervals(day, &mut buf);
        if at_start {
            return buf.last().expect("a working day").1;
        }
        let want = self.instant(day.and_time(local.time()));
        for &(a, b) in &buf {
            if want < b {
                return want.max(a);
            }
        }
        buf.last().expect("a working day").1
    }

    /// `add_days_ms` from a working instant `s`, by the table's working days; `None` when the
    /// answer lies outside it.
    fn table_add_days(&self, s: i64, n: u32) -> Option<i64> {
        let tb = &self.table;
        if s < tb.from || s >= tb.to {
            return None;
        }
        let k = tb.iv.partition_point(|iv| iv.0 <= s).checked_sub(1)?;
        let day = tb.iv_day[k] as usize;
        let first = tb.day_first[day] as usize;
        let at_start = k == first && tb.iv[k].0 == s;
        let target = day + if at_start { n as usize - 1 } else { n as usize };
        if target + 1 >= tb.day_first.len() {
            return None;
        }
        let ivs = &tb.iv[tb.day_first[target] as usize..tb.day_first[target + 1] as usize];
        let last = ivs.last()?.1;
        if at_start {
            return Some(last);
        }
        let clock = self.tz.timestamp_millis_opt(s).single()?.time();
        let want = self.instant(self.date(ivs[0].0).and_time(clock));
        Some(
            ivs.iter()
                .find(|iv| want < iv.1)
                .map_or(last, |iv| want.max(iv.0)),
        )
    }

    fn next_working_day(&self, d: NaiveDate) -> NaiveDate {
        let mut buf = Vec::new();
        let mut day = d.succ_opt().expect("in range");
        loop {
            self.day_intervals(day, &mut buf);
            if !buf.is_empty() {
                return day;
            }
            day = day.succ_opt().expect("in range");
        }
    }

    // --- the same on timestamps

    pub fn add(&self, t: Timestamp, d: std::time::Duration) -> Timestamp {
        from_ms(self.add_ms(t.timestamp_millis(), dur_ms(d)))
    }

    pub fn sub(&self, t: Timestamp, d: std::time::Duration) -> Timestamp {
        from_ms(self.sub_ms(t.timestamp_millis(), dur_ms(d)))
    }

    pub fn between(&self, a: Timestamp, b: Timestamp) -> chrono::Duration {
        chrono::Duration::milliseconds(self.between_ms(a.timestamp_millis(), b.timestamp_millis()))
    }

    pub fn next_working(&self, t: Timestamp) -> Timestamp {
        from_ms(self.next_working_ms(t.timestamp_millis()))
    }

    pub fn is_working(&self, t: Timestamp) -> bool {
        self.is_working_ms(t.timestamp_millis())
    }

    pub fn add_days(&self, t: Timestamp, n: u32) -> Timestamp {
        from_ms(self.add_days_ms(t.timestamp_millis(), n))
    }
}

pub(crate) fn from_ms(ms: i64) -> Timestamp {
    chrono::DateTime::from_timestamp_millis(ms).expect("in range")
}

pub(crate) fn dur_ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

/// Periods of plain (elapsed) time that do not count, sorted and merged: the arithmetic of a
/// calendar-time deadline that pauses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paused(Vec<(i64, i64)>);

impl Paused {
    pub fn new(mut periods: Vec<(i64, i64)>) -> Paused {
        periods.retain(|p| p.1 > p.0);
        periods.sort_unstable();
        let mut out: Vec<(i64, i64)> = Vec::with_capacity(periods.len());
        for p in periods {
            match out.last_mut() {
                Some(l) if p.0 <= l.1 => l.1 = l.1.max(p.1),
                _ => out.push(p),
            }
        }
        Paused(out)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `d` ms of counted time after `t`.
    pub fn add_ms(&self, t: i64, d: i64) -> i64 {
        let (mut cur, mut left) = (t, d);
        for &(ps, pe) in &self.0 {
            if pe <= cur {
                continue;
            }
            if cur >= ps {
                cur = pe;
                continue;
            }
            if cur + left <= ps {
                return cur + left;
            }
            left -= ps - cur;
            cur = pe;
        }
        cur + left
    }

    /// The latest instant with `d` ms of counted time between it and `t`.
    pub fn sub_ms(&self, t: i64, d: i64) -> i64 {
        let (mut cur, mut left) = (t, d);
        for &(ps, pe) in self.0.iter().rev() {
            if ps >= cur {
                continue;
            }
            if cur <= pe {
                cur = ps;
                continue;
            }
            if cur - left >= pe {
                return cur - left;
            }
            left -= cur - pe;
            cur = ps;
        }
        cur - left
    }

    /// Counted milliseconds in `[a, b)`; negative when `b` is before `a`.
    pub fn between_ms(&self, a: i64, b: i64) -> i64 {
        if b < a {
            return -self.between_ms(b, a);
        }
        let paused: i64 = self
            .0
            .iter()
            .map(|&(ps, pe)| (pe.min(b) - ps.max(a)).max(0))
            .sum();
        b - a - paused
    }
}

// --- the holiday file an operator maintains

/// One year's days off and make-up working days, with the line each came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays {
    /// Each day off, with its line.
    pub off: BTreeMap<NaiveDate, usize>,
    /// Each make-up working day, with its line.
    pub on: BTreeMap<NaiveDate, usize>,
}

/// A holiday file that cannot be used, in both languages, naming the file and the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarError {
    pub zh: String,
    pub en: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    #[serde(default)]
    years: BTreeMap<String, YearDoc>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct YearDoc {
    #[serde(default)]
    holidays: Vec<toml::Spanned<RangeDoc>>,
    #[serde(default)]
    workdays: Vec<toml::Spanned<String>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RangeDoc {
    from: String,
    to: String,
    #[serde(default)]
    #[allow(dead_code)]
    name: String,
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

impl Holidays {
    /// Parses a holiday file (`[years.2026] holidays = [{ from, to, name }], workdays = [..]`):
    /// impossible dates, a range that ends before it starts, a date outside its year's table,
    /// overlapping ranges and a day both off and worked are refused with the line.
    pub fn parse(file: &str, text: &str) -> Result<Holidays, CalendarError> {
        let err = |line: usize, zh: String, en: String| CalendarError {
            zh: format!("节假日文件 {file} 第{line}行：{zh}"),
            en: format!("holiday file {file}, line {line}: {en}"),
        };
        let doc: FileDoc = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            err(
                line,
                format!("无法解析（{}）", e.message()),
                format!("cannot be parsed ({})", e.message()),
            )
        })?;
        let mut out = Holidays::default();
        let date = |s: &str, line: usize| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                err(
                    line,
                    format!("日期 {s:?} 不存在或格式不对（应为 2026-01-01）"),
                    format!("{s:?} is not a real date written as 2026-01-01"),
                )
            })
        };
        for (year, y) in &doc.years {
            let yn: i32 = year.parse().map_err(|_| {
                err(
                    1,
                    format!("年份 {year:?} 不是数字"),
                    format!("year {year:?} is not a number"),
                )
            })?;
            let in_year = |d: NaiveDate, line: usize| {
                if d.year() == yn {
                    Ok(d)
                } else {
                    Err(err(
                        line,
                        format!("{d} 不在 {yn} 年的表里"),
                        format!("{d} is listed under year {yn}"),
                    ))
                }
            };
            for r in &y.holidays {
                let line = line_of(text, r.span().start);
                let from = in_year(date(&r.get_ref().from, line)?, line)?;
                let to = date(&r.get_ref().to, line)?;
                if to < from || (to - from).num_days() > 31 {
                    return Err(err(
                        line,
                        format!("假期 {from}..{to} 的结束早于开始或超过31天"),
                        format!(
                            "holiday {from}..{to} ends before it starts or is longer than 31 days"
                        ),
                    ));
                }
                for d in from.iter_days().take_while(|d| *d <= to) {
                    if let Some(prev) = out.off.insert(d, line) {
                        return Err(err(
                            line,
                            format!("假期与第{prev}行的假期重叠（{d}）"),
                            format!("overlaps the holiday on line {prev} ({d})"),
                        ));
                    }
                }
            }
            for w in &y.workdays {
                let line = line_of(text, w.span().start);
                let d = in_year(date(w.get_ref(), line)?, line)?;
                if let Some(prev) = out.off.get(&d) {
                    return Err(err(
                        line,
                        format!("调休上班日 {d} 同时是第{prev}行的假期"),
                        format!("make-up working day {d} is also a holiday on line {prev}"),
                    ));
                }
                if let Some(prev) = out.on.insert(d, line) {
                    return Err(err(
                        line,
                        format!("调休上班日 {d} 已在第{prev}行列出"),
                        format!("make-up working day {d} is already listed on line {prev}"),
                    ));
                }
            }
        }
        Ok(out)
    }
}

/// Parses working hours written `"09:00-12:00"`.
pub fn parse_hours(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once('-')?;
    let m = |x: &str| {
        let (h, mi) = x.trim().split_once(':')?;
        let (h, mi): (u32, u32) = (h.parse().ok()?, mi.parse().ok()?);
        (mi < 60 && (h < 24 || (h == 24 && mi == 0))).then_some(h * 60 + mi)
    };
    let (a, b) = (m(a)?, m(b)?);
    (a < b).then_some((a, b))
}

pub fn format_hours((a, b): (u32, u32)) -> String {
    format!("{:02}:{:02}-{:02}:{:02}", a / 60, a % 60, b / 60, b % 60)
}

pub fn parse_weekday(s: &str) -> Option<Weekday> {
    const DAYS: [(&str, Weekday); 7] = [
        ("mon", Weekday::Mon),
        ("tue", Weekday::Tue),
        ("wed", Weekday::Wed),
        ("thu", Weekday::Thu),
        ("fri", Weekday::Fri),
        ("sat", Weekday::Sat),
        ("sun", Weekday::Sun),
    ];
    let s = s.trim().to_ascii_lowercase();
    DAYS.iter().find(|(n, _)| s == *n).map(|(_, d)| *d)
}

#[cfg(test)]
mod tests;
