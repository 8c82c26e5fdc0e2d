//! What the consumer asks for (退款, 退货, 换货, 赔偿) and how much (`¥59.9`, `59元`, `五十九块`,
//! `100块钱`), in cents.

use std::sync::LazyLock;

use regex::{Captures, Regex};
use weiquan_domain::ClaimKind;
use weiquan_text::normalize::fold_width;

use super::cnnum::parse_int;

/// The claim slot: its kind and, when the text names one, its amount in cents (fen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimSlot {
    pub kind: ClaimKind,
    pub amount_cents: Option<i64>,
}

/// An amount of money found in the text, with the byte range of its mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    pub cents: i64,
    pub start: usize,
    pub end: usize,
}

const CN: &str = "[零一二两三四五六七八九十百千万]";

/// A pattern and how to read cents from its captures.
type AmountRule = (Regex, fn(&Captures) -> Option<i64>);

static AMOUNT_RULES: LazyLock<Vec<AmountRule>> = LazyLock::new(|| {
    let r = |p: &str| Regex::new(p).expect("amount pattern compiles");
    vec![
        // ¥59.9, ￥ 100, rmb 59, cny 59.00
        (r(r"(?:[¥￥]|\brmb|\bcny)\s*(\d+(?:\.\d{1,2})?)"), |c| {
            decimal_cents(&c[1])
        }),
        // 59元, 59.9 元, 100块钱, 59块9, 5块5毛, 59 yuan, 59 rmb
        (
            r(
                r"(?:^|[^\d.])(\d+(?:\.\d{1,2})?)\s*(?:元|块钱|块|圆|\s?yuan\b|\s?rmb\b|\s?kuai\b)(?:(\d)(?:毛|角|$|[^\d\p{Han}]))?",
            ),
            |c| {
                let jiao = c
                    .get(2)
                    .map_or(Some(0), |m| m.as_str().parse::<i64>().ok())?;
                if c[1].contains('.') && jiao > 0 {
                    return None;
                }
                Some(decimal_cents(&c[1])? + jiao * 10)
            },
        ),
        // 五十九块, 一百块钱, 两百元, 五十九块九, 五块五毛
        (
            r(&format!(
                r"({CN}+)\s*(?:元|块钱|块|圆)(?:([一二两三四五六七八九])(?:毛|角|$|[^\p{{Han}}]))?"
            )),
            |c| {
                let yuan = parse_int(&c[1])?;
                let jiao = match c.get(2) {
                    Some(m) => parse_int(m.as_str())?,
                    None => 0,
                };
                Some(yuan * 100 + jiao * 10)
            },
        ),
    ]
});

/// "59.9" → 5990.
fn decimal_cents(s: &str) -> Option<i64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let yuan: i64 = int.parse().ok()?;
    let fen: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac[..2].parse().ok()?,
    };
    yuan.checked_mul(100)?.checked_add(fen)
}

/// Every amount of money in `text`, in order of mention (ranges are in the width-folded,
/// lower-cased text).
pub fn amounts(text: &str) -> Vec<Amount> {
    let lower = fold_width(text).to_lowercase();
    let mut found: Vec<Amount> = vec![];
    for (re, read) in AMOUNT_RULES.iter() {
        for c in re.captures_iter(&lower) {
            let m = c.get(0).expect("whole match");
            if found.iter().any(|a| m.start() < a.end && a.start < m.end()) {
                continue;
            }
            if let Some(cents) = read(&c).filter(|&c| c > 0) {
                found.push(Amount {
                    cents,
                    start: m.start(),
                    end: m.end(),
                });
            }
        }
    }
    found.sort_by_key(|a| a.start);
    found
}

/// Claim cues, strongest first: when the text asks for several, the first kind here wins
/// (「退货退款」 is a return; 「退款并赔偿」 asks for compensation).
const CUES: &[(ClaimKind, &[&str])] = &[
    (
        ClaimKind::Compensation,
        &[
            "赔偿",
            "假一赔",
            "退一赔",
            "赔我",
            "赔钱",
            "补偿",
            "赔付",
            "倍赔",
            "compensation",
            "compensate",
            "damages",
        ],
    ),
    (
        ClaimKind::Return,
        &[
            "退货",
            "退回去",
            "寄回去",
            "退掉",
            "return it",
            "return the",
            "send it back",
            "return",
        ],
    ),
    (
        ClaimKind::Exchange,
        &[
            "换货",
            "换一个",
            "换个",
            "换一件",
            "换一双",
            "换一副",
            "换一台",
            "换一只",
            "换一条",
            "换一套",
            "换一部",
            "换一把",
            "换一盒",
            "换新的",
            "换新",
            "调换",
            "更换",
            "补发",
            "exchange",
            "replacement",
            "replace",
        ],
    ),
    (
        ClaimKind::Refund,
        &[
            "退款",
            "退钱",
            "把钱退",
            "钱退",
            "返还",
            "退费",
            "退全款",
            "仅退款",
            "退运费",
            "报销运费",
            "refund",
            "money back",
        ],
    ),
];

/// Every claim word (退款, 退货, refund…).
pub fn cue_words() -> impl Iterator<Item = &'static str> {
    CUES.iter().flat_map(|(_, cues)| cues.iter().copied())
}

/// Words that negate a cue right before it: 「不要换货」, 「不退货」, "don't want a refund".
const NEGATIONS: &[&str] = &[
    "不要",
    "不想",
    "不用",
    "不需要",
    "不",
    "别",
    "没要",
    "don't want",
    "no ",
];

/// The claim, when the text asks for something. Its amount is the mention of money nearest the
/// winning cue (the price paid and the sum asked are usually the same; when they differ, the
/// one next to 「退」/「赔」 is the one asked).
pub fn claim(text: &str) -> Option<ClaimSlot> {
    let lower = fold_width(text).to_lowercase();
    let mut best: Option<(usize, ClaimKind, usize)> = None; // (rank, kind, cue position)
    for (rank, (kind, cues)) in CUES.iter().enumerate() {
        for cue in *cues {
            for (pos, _) in lower.match_indices(cue) {
                let before = &lower[..pos];
                if NEGATIONS.iter().any(|n| before.ends_with(n)) {
                    continue;
                }
                // "return shipping" / 退货运费 is about the fee, not a request to return.
                if *cue == "return" && lower[pos..].starts_with("return shipping") {
                    continue;
                }
                if best.is_none_or(|b| rank < b.0) {
                    best = Some((rank, *kind, pos));
                }
            }
        }
    }
    let (_, kind, at) = best?;
    let amount_cents = amounts(text)
        .into_iter()
        .min_by_key(|a| a.start.abs_diff(at).min(a.end.abs_diff(at)))
        .map(|a| a.cents);
    Some(ClaimSlot { kind, amount_cents })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cents(text: &str) -> Vec<i64> {
        amounts(text).iter().map(|a| a.cents).collect()
    }

    #[test]
    fn reads_amounts() {
        assert_eq!(cents("¥59.9"), vec![5990]);
        assert_eq!(cents("￥ 100"), vec![10000]);
        assert_eq!(cents("花了59元"), vec![5900]);
        assert_eq!(cents("59.90元"), vec![5990]);
        assert_eq!(cents("五十九块"), vec![5900]);
        assert_eq!(cents("100块钱"), vec![10000]);
        assert_eq!(cents("五十九块九"), vec![5990]);
        assert_eq!(cents("59块9"), vec![5990]);
        assert_eq!(cents("两百元的耳机"), vec![20000]);
        assert_eq!(cents("一千二百块"), vec![120000]);
        assert_eq!(cents("paid 59 yuan, RMB 20 shipping"), vec![5900, 2000]);
        assert_eq!(cents("订单号202505041234567890，3天了"), Vec::<i64>::new());
        assert_eq!(cents("第三天"), Vec::<i64>::new());
        assert_eq!(cents("付了100块3天了"), vec![10000]);
        assert_eq!(cents("5块5毛"), vec![550]);
    }

    #[test]
    fn reads_claim_kinds() {
        let kind = |t: &str| claim(t).map(|c| c.kind);
        assert_eq!(kind("我要退款"), Some(ClaimKind::Refund));
        assert_eq!(kind("赶紧把钱退给我"), Some(ClaimKind::Refund));
        assert_eq!(kind("申请退货退款"), Some(ClaimKind::Return));
        assert_eq!(kind("给我换一个新的"), Some(ClaimKind::Exchange));
        assert_eq!(kind("假一赔四，必须赔偿"), Some(ClaimKind::Compensation));
        assert_eq!(kind("不要换货，我要退款"), Some(ClaimKind::Refund));
        assert_eq!(kind("I want a refund"), Some(ClaimKind::Refund));
        assert_eq!(kind("please send a replacement"), Some(ClaimKind::Exchange));
        assert_eq!(kind("耳机坏了"), None);
    }

    #[test]
    fn the_amount_is_the_one_next_to_the_claim() {
        assert_eq!(
            claim("退款59.9元还没到"),
            Some(ClaimSlot {
                kind: ClaimKind::Refund,
                amount_cents: Some(5990)
            })
        );
        assert_eq!(
            claim("耳机花了299元，坏了，要求赔偿100块钱")
                .unwrap()
                .amount_cents,
            Some(10000)
        );
        assert_eq!(claim("我要退款").unwrap().amount_cents, None);
    }
}
