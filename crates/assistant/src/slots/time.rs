//! When it happened: absolute and relative dates, in Chinese and English, resolved against a
//! reference `now` in the consumer's time zone (Asia/Shanghai, UTC+8).
//!
//! A day resolves to 00:00 of that day in Shanghai (as UTC); a period (`上周`, `上个月`,
//! `last week`) to its first day; hours and minutes ago to that instant. When the text names
//! several times, the last one mentioned wins (consumers tell the purchase first and the problem
//! last: 「5月1日买的，昨天坏了」). Dates in the future are taken to be last year's (`12月30日`
//! said in January), and a time still after `now` is dropped.

use std::sync::LazyLock;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate, TimeZone, Utc, Weekday,
};
use regex::{Captures, Regex};
use weiquan_text::normalize::fold_width;

use super::cnnum::parse_int;

/// Asia/Shanghai has kept UTC+8 without daylight saving since 1991.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

const NUM: &str = r"(\d{1,3}|[零一二两三四五六七八九十百]{1,4}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|半)";

/// What one expression means, before resolving.
enum Rel {
    Day(NaiveDate),
    Instant(DateTime<Utc>),
}

struct Rule {
    re: Regex,
    resolve: fn(&Captures, NaiveDate, DateTime<Utc>) -> Option<Rel>,
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let r = |p: &str, resolve: fn(&Captures, NaiveDate, DateTime<Utc>) -> Option<Rel>| Rule {
        re: Regex::new(p).expect("time pattern compiles"),
        resolve,
    };
    vec![
        // A weekday told with its date (「7号（周二）」, 「周二7号」, "Tuesday the 7th", "Tuesday,
        // April 7"): the date says which week; the weekday only confirms it.
        r(
            r"(?:(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*)?(\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:号|日)\s*[（(,，]?\s*(?:周|星期|礼拜)[一二三四五六日天][）)]?",
            |c, today, _| day_of(c.get(1), num(c, 2)?, today),
        ),
        r(
            r"(?:上上|上个?|这个?|本)?\s*(?:周|星期|礼拜)[一二三四五六日天]\s*[（(,，]?\s*(?:(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*)?(\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:号|日)[）)]?",
            |c, today, _| day_of(c.get(1), num(c, 2)?, today),
        ),
        r(
            r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?,?\s+(?:the\s+(\d{1,2})(?:st|nd|rd|th)?|(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?|(\d{1,2})(?:st|nd|rd|th))\b",
            |c, today, _| match (c.get(1), c.get(2)) {
                (Some(d), _) => day_of(None, num_str(d.as_str())?, today),
                (None, Some(m)) => {
                    recent_md(today, month_number(m.as_str())?, num(c, 3)?).map(Rel::Day)
                }
                (None, None) => day_of(None, num(c, 4)?, today),
            },
        ),
        // Days still ahead (下周六, 下个月, 明天, "next Saturday", tomorrow): a plan or a trip told
        // beside the problem, never when it happened; read here so that 「周六」 inside 「下周六」
        // is not taken for last Saturday, then dropped as in the future.
        r(
            r"(下下|下个?)\s*(?:周|星期|礼拜)\s*([一二三四五六日天1-7])?|下个?月|明天|明日|后天|听日|聽日|\btomorrow\b|\bnext\s+(?:week|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\b",
            |_, today, _| Some(Rel::Day(today + Duration::days(1))),
        ),
        // 2026-05-04, 2026/5/4, 2026.05.04, 2026年5月4日
        r(
            r"(?:^|[^\d])(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?:日|号)?(?:[^\d]|$)",
            |c, _, _| ymd(num(c, 1)?, num(c, 2)?, num(c, 3)?).map(Rel::Day),
        ),
        // 5月4日, 五月四号, 5月4
        r(
            r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:日|号)?",
            |c, today, _| recent_md(today, num(c, 1)?, num(c, 2)?).map(Rel::Day),
        ),
        // 5/4 (month/day), not part of a longer number or date
        r(
            r"(?:^|[^\d/.])(\d{1,2})/(\d{1,2})(?:[^\d/]|$)",
            |c, today, _| recent_md(today, num(c, 1)?, num(c, 2)?).map(Rel::Day),
        ),
        // 上个月15号, 本月3日, 这个月3号
        r(
            r"(上个?月|本月|这个?月)\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:日|号)",
            |c, today, _| {
                let base = if c[1].starts_with('上') {
                    today.checked_sub_months(Months::new(1))?
                } else {
                    today
                };
                NaiveDate::from_ymd_opt(base.year(), base.month(), num(c, 2)?).map(Rel::Day)
            },
        ),
        // 4号 (this month, or last month when still ahead); not a size, a shade or a building
        r(
            r"(?:^|[^\d月])(\d{1,2}|[一二三四五六七八九十]{1,3})\s*号(?:[^楼线码色门店机桌房位包\d]|$)",
            |c, today, _| {
                let d = num(c, 1)?;
                let this = NaiveDate::from_ymd_opt(today.year(), today.month(), d);
                match this {
                    Some(day) if day <= today => Some(Rel::Day(day)),
                    _ => {
                        let prev = today.checked_sub_months(Months::new(1))?;
                        NaiveDate::from_ymd_opt(prev.year(), prev.month(), d).map(Rel::Day)
                    }
                }
            },
        ),
        // 大前天, 前天, 昨天, 今天; Cantonese 琴日 / 尋日 (yesterday), 前日, 大前日, 今朝; their
        // nights: 昨晚/昨夜, 琴晚/尋晚 (last night), 前晚/前夜 (the night before), 大前晚
        r(
            r"(大前天|大前日|大前晚|前天|前日|前晚|前夜|昨天|昨日|昨晚|昨夜|昨儿|琴日|寻日|尋日|琴晚|寻晚|尋晚|今天|今日|今早|今晚|今儿|今儿个|今朝)",
            |c, today, _| {
                let back = match &c[1] {
                    "大前天" | "大前日" | "大前晚" => 3,
                    "前天" | "前日" | "前晚" | "前夜" => 2,
                    s if s.starts_with('昨') => 1,
                    "琴日" | "寻日" | "尋日" | "琴晚" | "寻晚" | "尋晚" => 1,
                    _ => 0,
                };
                Some(Rel::Day(today - Duration::days(back)))
            },
        ),
        // 三天前, 3天之前, 两个星期前, 2周前, 半个月前, 3个月前, 5小时前
        r(
            &format!(
                r"{NUM}\s*(?:个)?\s*(天|日|周|星期|礼拜|月|小时|钟头|分钟)\s*(?:之前|以前|前)"
            ),
            |c, today, now| {
                let n = if &c[1] == "半" { 0 } else { num(c, 1)? };
                let half = &c[1] == "半";
                Some(match &c[2] {
                    "天" | "日" => Rel::Day(today - Duration::days(n.into())),
                    "周" | "星期" | "礼拜" => {
                        Rel::Day(today - Duration::days(7 * i64::from(n)))
                    }
                    "月" if half => Rel::Day(today - Duration::days(15)),
                    "月" => Rel::Day(today.checked_sub_months(Months::new(n))?),
                    "小时" | "钟头" if half => Rel::Instant(now - Duration::minutes(30)),
                    "小时" | "钟头" => Rel::Instant(now - Duration::hours(n.into())),
                    _ => Rel::Instant(now - Duration::minutes(n.into())),
                })
            },
        ),
        // 上周五, 上个星期三, 上礼拜天; 这周一, 本周二; 周五 (the latest one, today included)
        r(
            r"(上上|上个?|这个?|本)?\s*(?:周|星期|礼拜)\s*([一二三四五六日天1-7])(直|下|样|起|共|定|般|点|次|遍)?",
            |c, today, _| {
                if c.get(3).is_some() {
                    return None; // 上周一直…, 星期一下…: not a weekday
                }
                let wd = weekday(&c[2])?;
                let monday = today - Duration::days(today.weekday().num_days_from_monday().into());
                let offset = i64::from(wd.num_days_from_monday());
                Some(Rel::Day(match c.get(1).map(|m| m.as_str()) {
                    Some("上上") => monday - Duration::days(14) + Duration::days(offset),
                    Some(s) if s.starts_with('上') => {
                        monday - Duration::days(7) + Duration::days(offset)
                    }
                    Some(_) => monday + Duration::days(offset),
                    None => latest_weekday(today, wd),
                }))
            },
        ),
        // 上周, 上个星期, 上个月, 去年
        r(
            r"(上个?(?:周|星期|礼拜)末?|上个?月|去年)",
            |c, today, _| {
                let s = &c[1];
                Some(Rel::Day(if s.ends_with('末') {
                    // 上周末: last week's Saturday
                    today - Duration::days(i64::from(today.weekday().num_days_from_monday()) + 2)
                } else if s.ends_with('月') {
                    let prev = today.checked_sub_months(Months::new(1))?;
                    NaiveDate::from_ymd_opt(prev.year(), prev.month(), 1)?
                } else if s == "去年" {
                    NaiveDate::from_ymd_opt(today.year() - 1, 1, 1)?
                } else {
                    today - Duration::days(i64::from(today.weekday().num_days_from_monday()) + 7)
                }))
            },
        ),
        // 双十一, 双11, 双十二
        r(r"双\s*(十一|11|十二|12)", |c, today, _| {
            let m = if matches!(&c[1], "十一" | "11") {
                11
            } else {
                12
            };
            recent_md(today, m, if m == 11 { 11 } else { 12 }).map(Rel::Day)
        }),
        // 刚才, 刚刚, just now
        r(r"(刚才|刚刚|just now)", |_, _, now| {
            Some(Rel::Instant(now))
        }),
        // English: today, yesterday, the day before yesterday
        r(
            r"\b(the day before yesterday|yesterday|today|this morning|tonight|last night)\b",
            |c, today, _| {
                let back = match &c[1] {
                    "the day before yesterday" => 2,
                    "yesterday" | "last night" => 1,
                    _ => 0,
                };
                Some(Rel::Day(today - Duration::days(back)))
            },
        ),
        // 3 days ago, two weeks ago, a month ago, 5 hours ago
        r(
            &format!(
                r"\b{NUM}\s+(day|days|week|weeks|month|months|hour|hours|minute|minutes)\s+ago\b"
            ),
            |c, today, now| {
                let n = num(c, 1)?;
                let unit = c[2].trim_end_matches('s');
                Some(match unit {
                    "day" => Rel::Day(today - Duration::days(n.into())),
                    "week" => Rel::Day(today - Duration::days(7 * i64::from(n))),
                    "month" => Rel::Day(today.checked_sub_months(Months::new(n))?),
                    "hour" => Rel::Instant(now - Duration::hours(n.into())),
                    _ => Rel::Instant(now - Duration::minutes(n.into())),
                })
            },
        ),
        // the 25th of last month, 25th last month, last month on the 25th
        r(
            r"\b(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\s+(?:of\s+)?last\s+month\b|\blast\s+month\s+on\s+the\s+(\d{1,2})(?:st|nd|rd|th)?\b",
            |c, today, _| {
                let d = num(c, 1).or_else(|| num(c, 2))?;
                let prev = today.checked_sub_months(Months::new(1))?;
                NaiveDate::from_ymd_opt(prev.year(), prev.month(), d).map(Rel::Day)
            },
        ),
        // last Friday, on Monday, last week, last month
        r(
            r"\b(last|this|on)\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|week|month)\b",
            |c, today, _| {
                let what = &c[2];
                if what == "week" || what == "month" {
                    if &c[1] != "last" {
                        return None;
                    }
                    return Some(Rel::Day(if what == "month" {
                        let prev = today.checked_sub_months(Months::new(1))?;
                        NaiveDate::from_ymd_opt(prev.year(), prev.month(), 1)?
                    } else {
                        today
                            - Duration::days(i64::from(today.weekday().num_days_from_monday()) + 7)
                    }));
                }
                let wd = english_weekday(what)?;
                let latest = latest_weekday(today, wd);
                // "last Friday" said on a Friday means a week ago, not today.
                Some(Rel::Day(if &c[1] == "last" && latest == today {
                    latest - Duration::days(7)
                } else {
                    latest
                }))
            },
        ),
        // May 4, May 4th, May 4 2026, 4 May
        r(
            r"\b(?:(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?|(\d{1,2})(?:st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?:,?\s+(\d{4}))?)\b",
            |c, today, _| {
                let (m, d, y) = if c.get(1).is_some() {
                    (1, 2, 3)
                } else {
                    (5, 4, 6)
                };
                let month = month_number(&c[m])?;
                let day = num(c, d)?;
                match c.get(y) {
                    Some(year) => ymd(year.as_str().parse().ok()?, month, day).map(Rel::Day),
                    None => recent_md(today, month, day).map(Rel::Day),
                }
            },
        ),
        // Saturday, Saturday morning, since Monday: the latest one (after the rules above, so
        // "last Friday" keeps its own reading)
        r(
            r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
            |c, today, _| Some(Rel::Day(latest_weekday(today, english_weekday(&c[1])?))),
        ),
        // on the 14th, the 3rd: this month's, or last month's when still ahead
        r(r"\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b", |c, today, _| {
            let d = num(c, 1)?;
            match NaiveDate::from_ymd_opt(today.year(), today.month(), d) {
                Some(day) if day <= today => Some(Rel::Day(day)),
                _ => {
                    let prev = today.checked_sub_months(Months::new(1))?;
                    NaiveDate::from_ymd_opt(prev.year(), prev.month(), d).map(Rel::Day)
                }
            }
        }),
        // last weekend: last week's Saturday; 周末, the weekend: the latest Saturday
        r(
            r"(\blast weekend\b|周末|\b(?:the|this) weekend\b)",
            |c, today, _| {
                let last = c[1].starts_with("last");
                let monday = today - Duration::days(today.weekday().num_days_from_monday().into());
                Some(Rel::Day(if last {
                    monday - Duration::days(2)
                } else {
                    latest_weekday(today, Weekday::Sat)
                }))
            },
        ),
    ]
});

fn num(c: &Captures, i: usize) -> Option<u32> {
    let s = c.get(i)?.as_str();
    let n = match s {
        "a" | "an" | "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "fifteen" => 15,
        "twenty" => 20,
        "thirty" => 30,
        _ => parse_int(s)?,
    };
    u32::try_from(n).ok()
}

fn num_str(s: &str) -> Option<u32> {
    u32::try_from(parse_int(s)?).ok()
}

/// Day `d` of `month` (this year's or last year's), or without a month the latest such day of
/// the month not after today.
fn day_of(month: Option<regex::Match<'_>>, d: u32, today: NaiveDate) -> Option<Rel> {
    if let Some(m) = month {
        return recent_md(today, num_str(m.as_str())?, d).map(Rel::Day);
    }
    match NaiveDate::from_ymd_opt(today.year(), today.month(), d) {
        Some(day) if day <= today => Some(Rel::Day(day)),
        _ => {
            let prev = today.checked_sub_months(Months::new(1))?;
            NaiveDate::from_ymd_opt(prev.year(), prev.month(), d).map(Rel::Day)
        }
    }
}

fn ymd(y: u32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// Month/day without a year: this year's, or last year's when this year's is still ahead.
fn recent_md(today: NaiveDate, m: u32, d: u32) -> Option<NaiveDate> {
    match NaiveDate::from_ymd_opt(today.year(), m, d) {
        Some(day) if day <= today => Some(day),
        _ => NaiveDate::from_ymd_opt(today.year() - 1, m, d),
    }
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s {
        "一" | "1" => Weekday::Mon,
        "二" | "2" => Weekday::Tue,
        "三" | "3" => Weekday::Wed,
        "四" | "4" => Weekday::Thu,
        "五" | "5" => Weekday::Fri,
        "六" | "6" => Weekday::Sat,
        "日" | "天" | "7" => Weekday::Sun,
        _ => return None,
    })
}

fn english_weekday(s: &str) -> Option<Weekday> {
    Some(match s.get(..3)? {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return None,
    })
}

fn month_number(s: &str) -> Option<u32> {
    let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    months
        .iter()
        .position(|m| s.starts_with(m))
        .map(|i| i as u32 + 1)
}

/// The latest `wd` on or before `today`.
fn latest_weekday(today: NaiveDate, wd: Weekday) -> NaiveDate {
    let back = (7 + today.weekday().num_days_from_monday() - wd.num_days_from_monday()) % 7;
    today - Duration::days(back.into())
}

/// Every day or time a text tells, in order, and the last one told as a deadline.
struct Told {
    lower: String,
    today: NaiveDate,
    /// (start, end, resolved) of every mention, in order; none still ahead.
    found: Vec<(usize, usize, DateTime<Utc>)>,
    /// The last day told as a deadline (「3号之前」, "by Tuesday the 7th"), not today.
    deadline: Option<DateTime<Utc>>,
}

/// The last day a text tells as a deadline: 「说好3号之前发货」, 「承诺5月2日前发出」, "it would go
/// out by Tuesday the 7th" (today excluded: 「今天之前」 says nothing of a day).
pub fn deadline_at(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    told(text, now).deadline
}

fn told(text: &str, now: DateTime<Utc>) -> Told {
    let tz = shanghai();
    let today = now.with_timezone(&tz).date_naive();
    let lower = fold_width(text).to_lowercase();
    // (start, end, resolved) of every match; overlaps are settled longest first.
    let mut found: Vec<(usize, usize, DateTime<Utc>)> = vec![];
    for rule in RULES.iter() {
        for c in rule.re.captures_iter(&lower) {
            let m = c.get(0).expect("whole match");
            if found.iter().any(|&(s, e, _)| m.start() < e && s < m.end()) {
                continue; // an earlier, more specific rule already read these characters
            }
            let at = match (rule.resolve)(&c, today, now) {
                Some(Rel::Day(d)) => tz
                    .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
                    .single()
                    .map(|t| t.with_timezone(&Utc)),
                Some(Rel::Instant(t)) => Some(t),
                None => None,
            };
            if let Some(at) = at {
                found.push((m.start(), m.end(), at));
            }
        }
    }
    // A time still ahead holds its characters against the rules after it, then goes.
    found.retain(|&(_, _, at)| at <= now);
    found.sort_by_key(|&(s, _, _)| s);
    // 「说好的3号之前发货，今天都6号了」: a day that only says it is today does not override a
    // deadline named before it (a time followed by 前/之前/以前, or after "by"/"before").
    let is_today = |at: DateTime<Utc>| at.with_timezone(&tz).date_naive() == today;
    let told_as_deadline = |s: usize, e: usize| {
        // The day's pattern may have taken the character after it (「3号前」, 「3号之前」).
        let said = &lower[s..e];
        let after = lower[e..].trim_start();
        let before = lower[..s].trim_end();
        let ends_day = |t: &str| {
            t.chars()
                .last()
                .is_some_and(|c| "号日一二三四五六天".contains(c))
        };
        (said
            .strip_suffix('前')
            .is_some_and(|t| ends_day(t.trim_end()))
            && !said.contains('天'))
            || (said
                .strip_suffix('之')
                .is_some_and(|t| ends_day(t.trim_end()))
                && after.starts_with('前'))
            || ["前", "之前", "以前"].iter().any(|w| after.starts_with(w))
            || before.ends_with(" by")
            || before.ends_with(" before")
            || ["最晚", "最迟", "承诺", "答应"].iter().any(|w| {
                // The day's pattern may have taken the character before its number (晚 of 最晚).
                let number = said
                    .find(|c: char| c.is_ascii_digit() || "一二三四五六七八九十".contains(c))
                    .unwrap_or(0);
                lower[..s + number].trim_end().ends_with(w)
            })
            || after.starts_with("at the latest")
    };
    let deadline = found
        .iter()
        .rev()
        .find(|&&(s, e, at)| told_as_deadline(s, e) && !is_today(at))
        .map(|&(_, _, due)| due);
    Told {
        lower,
        today,
        found,
        deadline,
    }
}

/// When the incident happened, if the text says; see the module doc for how it resolves.
pub fn incident_at(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let tz = shanghai();
    let Told {
        lower,
        today,
        found,
        deadline,
    } = told(text, now);
    // A deadline passed is what went wrong, whatever other days are told after it (when it was
    // bought, a trip or a party the parcel was for: "by Monday at the latest … my trip is on
    // Saturday").
    if deadline.is_some() {
        return deadline;
    }
    let is_today = |at: DateTime<Utc>| at.with_timezone(&tz).date_naive() == today;
    // 「1月20号开始的，到今天都还在传」, "since Monday, till today": today as where a run of days
    // ends is no day of its own; 「昨晚打我电话…今天早上又打」, "again this morning": a day the
    // thing happened again is not when it began. Either gives way to a day told before it.
    let continues = |s: usize, e: usize, at: DateTime<Utc>| {
        let before = lower[..s].trim_end();
        let after = lower[e..].trim_start();
        let until = is_today(at)
            && (["到", "至", "直到"].iter().any(|w| before.ends_with(w))
                || [" until", " till", " up to", " through"]
                    .iter()
                    .any(|w| format!(" {before}").ends_with(w)));
        // The part of the day may come between (「今天早上又打」, 「今朝又打」).
        let mut rest = after;
        for part in [
            "早上", "上午", "中午", "下午", "晚上", "凌晨", "早", "朝", "晚",
        ] {
            if let Some(r) = rest.strip_prefix(part) {
                rest = r.trim_start();
                break;
            }
        }
        let again = rest.starts_with('又')
            || rest.starts_with("再次")
            || after
                .split(|c: char| "，。,.;；!！?？".contains(c))
                .next()
                .is_some_and(|rest| rest.split_whitespace().take(3).any(|w| w == "again"))
            || before.ends_with("again");
        // 「今天都20号了」, "it's the 11th": today's date told as when they write.
        let said = &lower[s..e];
        let now_said = is_today(at)
            && !["今天", "今日", "today", "tonight", "this morning"]
                .iter()
                .any(|w| said.contains(w))
            && [
                "今天", "今日", "现在", "都", "已经", "it's", "it is", "today is", "now",
            ]
            .iter()
            .any(|w| before.trim_end_matches(" the").trim_end().ends_with(w));
        until || again || now_said
    };
    if found.len() >= 2
        && let Some(&(s, e, at)) = found.last()
        && continues(s, e, at)
    {
        // 「今天都13号了」 read 今天 too: the day before it is the one.
        let earlier = &found[..found.len() - 1];
        return earlier
            .iter()
            .rev()
            .find(|&&(_, _, at)| !is_today(at))
            .or(earlier.last())
            .map(|&(_, _, at)| at);
    }
    found.last().map(|&(_, _, at)| at)
}

#[cfg(test)]
mod tests;
