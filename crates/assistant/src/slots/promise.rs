//! How soon the shop promised to ship, as the consumer quotes it or a listing's title says it
//! (「48小时内发货」, 「3天内发货」, 「当天发」, 「次日发」, "ships within 24 hours", "48h dispatch"):
//! the hours after payment by which it had to leave. A late shipment happened when that passed.

use std::sync::LazyLock;

use regex::Regex;
use weiquan_text::normalize::fold_width;

use super::cnnum::parse_int;

const N: &str = r"(\d{1,3}|[一二两三四五六七八九十百]{1,4})";

static HOURS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"{N}\s*(?:个)?\s*(?:小时|小時|钟头|鐘頭|(?:hours?|hrs?|h)(?-u:\b))\s*(?:之内|以内|内|內|之內|以內)?\s*(?:发货|發貨|出货|出貨|发出|發出|寄出|发|發|出|dispatch|shipping|delivery|ship)"
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
            ("标题写着48h发货", Some(48)),
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
}
