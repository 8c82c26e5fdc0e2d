//! How soon the shop promised to ship, as the consumer quotes it or a listing's title says it
//! (「48小时内发货」, 「3天内发货」, 「当天发」, 「次日发」, "ships within 24 hours", "48h dispatch"):
//! the hours after payment by which it had to leave. A late shipment happened when that passed.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use regex::Regex;
use weiquan_text::normalize::fold_width;

use super::cnnum::parse_int;

const N: &str = r"(\d{1,3}|[一二两三四五六七八九十百]{1,4})";

static HOURS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"{N}\s*(?:个)?\s*(?:小时|小時|钟头|鐘頭|h\b|hrs?\b|hours?\b)\s*(?:之内|以内|内|內|之內|以內)?\s*(?:发货|發貨|出货|出貨|发出|發出|寄出|发|發|出|dispatch|shipping|delivery|ship)"
    ))
    .expect("promise pattern compiles")
});

static DAYS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"{N}\s*(?:个)?\s*(?:天|日|个工作日|個工作日|工作日|days?\b|business days?\b|working days?\b)\s*(?:之内|以内|内|內|之內|以內)?\s*(?:发货|發貨|出货|出貨|发出|發出|寄出|发|發|出|dispatch|shipping|ship)"
    ))
    .expect("promise pattern compiles")
});

/// "ships within 48 hours", "will ship in 3 days", "dispatched within 24 hrs".
static EN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:ships?|shipped|dispatch(?:es|ed)?|sends?|sent|posts?|goes out)\s+(?:out\s+)?(?:with)?in\s+(\d{1,3}|one|two|three|four|five|seven|ten|twenty-four|forty-eight|seventy-two)\s*(?:-|\s)?(hours?|hrs?|h|days?|business days?|working days?)\b",
    )
    .expect("promise pattern compiles")
});

static SAME_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"当天发|當天發|当日发|當日發|当天出货|當天出貨|当天寄出|當天寄出|\bsame[- ]day (?:dispatch|shipping|delivery)|\bships? (?:the )?same day")
        .expect("promise pattern compiles")
});

static NEXT_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:次日|隔天|隔日|第二天|明天)\s*(?:发货|發貨|发|發|出货|出貨|寄出)|\bnext[- ]day (?:dispatch|shipping)|\bships? (?:the )?next day")
        .expect("promise pattern compiles")
});

/// A day told as the last one to ship on: 「说好3号之前发货」, 「承诺5月2日前发出」, "it would go
/// out by Tuesday the 7th", "promised to ship by the 3rd". The words before 之前 (or after "by")
/// are read as a day by [`super::time::incident_at`].
static DEADLINE_ZH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([^，。,;；！!？?]{1,14}?)\s*(?:之前|以前|前)\s*(?:发货|發貨|发出|發出|出货|出貨|寄出|发|發)")
        .expect("deadline pattern compiles")
});

static DEADLINE_EN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:go out|ship|shipped|dispatch(?:ed)?|be sent|send it|post it|leave)\s+(?:out\s+)?by\s+([^,.;!?]{1,28})")
        .expect("deadline pattern compiles")
});

/// The last day to ship on, when the consumer tells it as such.
pub fn deadline_told(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let lower = fold_width(text).to_lowercase();
    DEADLINE_ZH
        .captures_iter(&lower)
        .chain(DEADLINE_EN.captures_iter(&lower))
        .find_map(|c| super::time::incident_at(&c[1], now))
}

fn english_number(s: &str) -> Option<u32> {
    Some(match s {
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "seven" => 7,
        "ten" => 10,
        "twenty-four" => 24,
        "forty-eight" => 48,
        "seventy-two" => 72,
        d => d.parse().ok()?,
    })
}

/// The hours after payment the shop promised to ship within, when the text quotes a promise.
pub fn ship_within_hours(text: &str) -> Option<u32> {
    let lower = fold_width(text).to_lowercase();
    let cn = |s: &str| parse_int(s).and_then(|n| u32::try_from(n).ok());
    let found = if let Some(c) = HOURS.captures(&lower) {
        cn(&c[1])
    } else if let Some(c) = DAYS.captures(&lower) {
        cn(&c[1]).map(|d| d * 24)
    } else if let Some(c) = EN.captures(&lower) {
        let n = english_number(&c[1])?;
        Some(if c[2].starts_with('h') { n } else { n * 24 })
    } else if SAME_DAY.is_match(&lower) {
        Some(0)
    } else if NEXT_DAY.is_match(&lower) {
        Some(24)
    } else {
        None
    };
    // A promise is at most a month (the shops file's bound); a bigger number is something else.
    found.filter(|&h| h <= 720)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_promises_as_quoted() {
        for (text, hours) in [
            ("猫砂写的48小时内发货，3号拍的，9号才发出来", Some(48)),
            ("说好24小时发货的桌游，拖了五天才发", Some(24)),
            ("巧克力页面写3天内发货，8号拍的", Some(72)),
            ("便當盒寫24小時出貨，我20號下單", Some(24)),
            ("详情页说付款后72小时内发货", Some(72)),
            ("写的「16点前付款当天发」", Some(0)),
            ("页面写着次日发货", Some(24)),
            ("承诺四十八小时内发货", Some(48)),
            ("listing said ships within 24 hours", Some(24)),
            ("the page said it ships in 48 hours", Some(48)),
            ("Listing: ships in 48 hours. Paid Sunday.", Some(48)),
            ("it was supposed to ship within 3 days", Some(72)),
            ("48h dispatch", Some(48)),
            ("same-day dispatch they said", Some(0)),
            // No promise: a wait told, a delivery time, a warranty.
            ("等了三天才发货", None),
            ("用了48小时就坏了", None),
            ("it took 5 days to arrive", None),
            ("保修三年", None),
        ] {
            assert_eq!(ship_within_hours(text), hours, "{text}");
        }
    }

    #[test]
    fn reads_a_deadline_told_as_such() {
        use chrono::TimeZone;
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 7, 0, 0).unwrap();
        let day = |text: &str| {
            deadline_told(text, now).map(|d| {
                d.with_timezone(&super::super::time::shanghai())
                    .format("%m-%d")
                    .to_string()
            })
        };
        assert_eq!(
            day("血压计说好的3号之前发货 今天都6号了还没动静").as_deref(),
            Some("12-03")
        );
        assert_eq!(day("承諾12月2日前出貨").as_deref(), Some("12-02"));
        assert_eq!(
            day("They promised me it would go out by Tuesday the 1st and it sat there").as_deref(),
            Some("12-01")
        );
        assert_eq!(day("说好48小时发货，拖了快一个月"), None);
        assert_eq!(day("今天之前发给我"), Some("12-06".into()));
    }
}
