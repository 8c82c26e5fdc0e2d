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

impl Amount {
    fn at(m: regex::Match<'_>, cents: i64) -> Amount {
        Amount {
            cents,
            start: m.start(),
            end: m.end(),
        }
    }
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
        // 59元, 59.9 元, 100块钱, 59块9, 5块5毛, 59 yuan, 59 rmb, 59蚊 (Cantonese)
        (
            r(
                r"(?:^|[^\d.])(\d+(?:\.\d{1,2})?)\s*(?:元|块钱|块|圆|蚊|\s?yuan\b|\s?rmb\b|\s?kuai\b)(?:(\d)(?:毛|角|$|[^\d\p{Han}]))?",
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
                r"({CN}+)\s*(?:元|块钱|块|圆|蚊)(?:([一二两三四五六七八九])(?:毛|角|$|[^\p{{Han}}]))?"
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
    let lower = without_thousands(&fold_width(text).to_lowercase());
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

/// How each kind of claim is said, strongest first: when the text asks for several, the first
/// kind here wins (「退货退款」 is a return; 「退款并赔偿」 asks for compensation; a replacement
/// with the wrong one sent back, 「换成M码，这个你们收回去」, "send the right size and I'll mail
/// these back", is an exchange: the goods go back in every exchange). Each is read
/// from its structure rather than listed phrases: a verb of giving back (退/还/返, "give back")
/// with money (钱/款/费/an amount) is a refund; goods sent back (寄回, 退货, "send it back") a
/// return; 换/补发/重发 or "the right one"/"a replacement" an exchange; 赔/补偿, "pay for the
/// damage", "reimburse" compensation. Traditional characters are folded first.
const READINGS: &[(ClaimKind, &[&str])] = &[
    (
        ClaimKind::Compensation,
        &[
            r"[假退]一赔[一二两三四五六七八九十\d]{1,2}",
            r"[一二两三四五六七八九十\d]{1,2}倍赔[偿付]?",
            r"赔(?:偿|付|钱|款|我|给我)?",
            r"补偿",
            r"损失费",
            r"\bcompensat\w*",
            r"\bdamages\b",
            r"\breimburse\w*",
            r"\b(?:pay|cover|make up)\b(?:\s+\w+){0,3}\s+(?:for|the)\s+(?:\w+\s+){0,2}(?:damage|loss|losses|harm|repair|trouble|cost|costs|bill|bills|postage|shipping|delivery|fee|fees)\w*",
            // A cost made good: "cover the ¥120", 「运费补给我」, 「必须给我补」.
            r"\b(?:cover|make up|pay me)\s+(?:(?:the|my|me|all|that|it)\s+)?(?:[¥$]\s*\d|\d+(?:\.\d+)?\s*(?:yuan|rmb|kuai))",
            // A sum laid out paid back or covered: "pay me back the 25", "cover the 18 I paid"
            // ("pay me back for the jacket" is money back for the goods: a refund).
            r"\bpay\s+(?:me\s+|us\s+)?back\s+(?:the\s+|that\s+|my\s+|those\s+)?(?:[¥$]\s*)?\d",
            r"\b(?:cover|make up)\s+(?:the|my|that|all)\s+(?:[¥$]\s*)?\d",
            r"(?:运费|邮费|快递费|损失)[^，。,.;；]{0,6}补(?:给|偿|上|回|我)",
            r"给我补(?:上|回|偿|钱|吧|$|[，。,.!！])",
            r"\b(?:twice|double|triple|\w+ times) (?:the )?(?:price|amount)\b",
        ],
    ),
    (
        ClaimKind::Exchange,
        &[
            r"换(?:货|个|一|成|新|台|件|双|只|副|条|套|部|把|盒|瓶|袋|好|对|正确|过来|掉|码|尺码|颜色)",
            r"调换|更换|补发|重发|重新发|再发|补寄|重寄|发(?:个|一个|一件|一台)?新的",
            // The right one sent: 「发个对的过来」, 「寄正确的型号」 ("the right one" below).
            r"(?:发|寄)[^，。,.;；]{0,4}(?:对的|正确的)",
            r"\bexchange\w*",
            r"\breplac\w*",
            r"\bswap\w*",
            r"\b(?:right|correct|proper)\s+(?:one|ones|model|size|item|colou?r|version|thing|product|book|pair)\b",
            r"\b(?:send|ship|give)\b(?:\s+\w+){0,2}\s+(?:a\s+)?(?:new|another|missing|genuine|real|working|proper)\b",
            r"\banother\s+(?:one|unit|pair)\b",
            r"\bnew one\b",
        ],
    ),
    (
        ClaimKind::Return,
        &[
            r"退货",
            r"退掉",
            r"退了吧",
            r"寄回",
            r"寄还",
            r"退回去",
            r"退给(?:商家|店|卖家|你们)",
            r"[把将](?:东西|商品|货|它)[^，。,.;；]{0,4}(?:退|寄)",
            r"\breturn(?:ed)?\b(?:\s+(?:it|them|this|these|the|my|and))?",
            r"\b(?:send|ship|mail|take|post|give)\s+(?:it|them|this|these|those|that|everything|all(?:\s+\w+)?|the\s+\w+(?:\s+\w+)?)\s+back\b",
            // The goods taken back: 「东西你们拉走」, 「让他们上门取走」.
            r"(?:拉走|拿走|取走|收走|收回去)",
            r"\b(?:collect|pick\s+up|take\s+away)\s+(?:it|them|this|these|those|the\s+\w+)\b",
            r"\bpick\s+(?:it|them|this|these|those)\s+up\b",
            r"(?:要|想)退(?:了|吧|啦|掉)?(?:$|[，。,.!！;；])",
        ],
    ),
    (
        ClaimKind::Refund,
        &[
            r"(?:退|还|返)(?:给|回|还)?[我您]?(?:的)?(?:钱|款|费|全款)",
            r"退[给回]?[我您]?\s*(?:\d|[一二两三四五六七八九十百千万]+\s*(?:元|块|百|千))",
            r"[退返][^，。,.;；的]{0,2}(?:钱|款|费)|退一半|[退补返]差价|差价[^，。,.;；]{0,3}[退补返]",
            r"(?:钱|款|费)[^，。,.;；]{0,8}(?:退|还|返)(?:给|回|还|我|来|吧|了|到|$|[，。,.!！])",
            // A sum given back: 「把那89退了」, 「1280元退到我账户」, "¥58 back", "my 320 back".
            r"(?:\d|[十百千万][零一二两三四五六七八九十]*)\s*(?:元|块钱?)?[^\d，。,.;；退还返]{0,3}(?:退|还|返)(?:回|给|还|了|到|吧|来|$|[，。,.!！])",
            r"(?:钱|款)[^，。,.;；]{0,6}(?:打|转)(?:给|到|回)",
            // A sum or a fee sent back in other words: 「把159打给我」, "whatever that extra
            // postage was, I want it back".
            r"[把将]\s*(?:[¥$]\s*)?\d+(?:\.\d{1,2})?\s*(?:元|块钱?)?\s*(?:打|转)(?:给|到|回)",
            r"\b(?:postage|fee|fees|charge|charges|deposit|difference|shipping)\b[^.;!?]{0,40}\b(?:want|need|get)\s+(?:it|that|them)\s+back\b",
            r"(?:^|[^\w])(?:[¥$]\s*)?\d+(?:\.\d{1,2})?\s*(?:yuan|rmb|kuai|dollars)?\s+back\b",
            r"\b(?:want|need|get)\s+(?:my|the|all|all of my)\s+(?:[¥$]\s*)?\d",
            r"退运费|报销运费|仅退款",
            r"\brefund\w*",
            r"\bmoney back\b",
            r"\b(?:give|pay|send)\s+(?:me\s+)?(?:back\s+)?(?:my|the)\s+money\b",
            r"\bpay\s+me\s+back\b",
        ],
    ),
];

static PATTERNS: LazyLock<Vec<(ClaimKind, Regex)>> = LazyLock::new(|| {
    READINGS
        .iter()
        .flat_map(|(kind, ps)| {
            ps.iter()
                .map(move |p| (*kind, Regex::new(p).expect("claim pattern compiles")))
        })
        .collect()
});

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
    "do not want",
    "no ",
    "not ",
];

/// Words that negate a want a few words before its cue, in the same clause: 「不想折腾寄回去了」,
/// 「懒得寄回」, 「没必要换货」.
const NEGATED_WANTS: &[&str] = &["不想", "懒得", "没必要", "不打算", "不需要", "不用", "不会"];

/// The same in English, a few words before the cue: "I'm not going to post it back", "they
/// won't take it back".
const NEGATED_WANTS_EN: &[&str] = &[
    "won't",
    "won’t",
    "wont",
    "will not",
    "not going to",
    "refuse to",
];

/// The last `n` characters of `s` (all of it when shorter).
fn last_chars(s: &str, n: usize) -> &str {
    s.char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(s, |(at, _)| &s[at..])
}

/// The text as claims are read: traditional folded, full-width folded, lower case.
pub fn claim_text(text: &str) -> String {
    without_thousands(&fold_width(&crate::fold::simplify(text)).to_lowercase())
}

/// "1,299" → "1299": a sum's thousands separators left out, so it reads as one number.
fn without_thousands(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .filter(|&(i, &c)| {
            !(c == ','
                && separates_thousands(
                    i.checked_sub(1).map(|k| chars[k]),
                    chars[i + 1..].iter().copied(),
                ))
        })
        .map(|(_, &c)| c)
        .collect()
}

/// Whether a comma between `prev` and the characters `next` separates thousands (1,299): a
/// digit before it, three after and no fourth. Clauses are not cut there either.
pub(crate) fn separates_thousands(
    prev: Option<char>,
    mut next: impl Iterator<Item = char>,
) -> bool {
    prev.is_some_and(|c| c.is_ascii_digit())
        && (0..3).all(|_| next.next().is_some_and(|c| c.is_ascii_digit()))
        && !next.next().is_some_and(|c| c.is_ascii_digit())
}

/// Every claim said in `text` (already [`claim_text`]), negated ones left out: its kind, rank
/// (0 strongest) and byte range.
pub fn claim_spans(lower: &str) -> Vec<(ClaimKind, usize, usize)> {
    let rank = |k: ClaimKind| READINGS.iter().position(|(r, _)| *r == k).unwrap_or(0);
    let mut out: Vec<(ClaimKind, usize, usize)> = vec![];
    for (kind, re) in PATTERNS.iter() {
        for m in re.find_iter(lower) {
            let before = lower[..m.start()].trim_end();
            if NEGATIONS.iter().any(|n| before.ends_with(n.trim_end())) {
                continue;
            }
            // A want negated a few words before the cue (「不想折腾寄回去了」, 「懒得寄回」).
            let clause = before
                .rsplit(|c: char| "，。,.;；!！?？".contains(c))
                .next()
                .unwrap_or("");
            if NEGATED_WANTS
                .iter()
                .any(|n| last_chars(clause, 6).contains(n))
                || NEGATED_WANTS_EN
                    .iter()
                    .any(|n| last_chars(clause, 16).contains(n))
            {
                continue;
            }
            // "return shipping" / 退货运费 is about the fee, not a request to return.
            if lower[m.start()..].starts_with("return shipping") {
                continue;
            }
            // Money is never the goods sent back: "send the money back", 「把钱退了吧」 are
            // money back (a refund, read by its own pattern).
            if *kind == ClaimKind::Return {
                let lead = last_chars(before, 3);
                let said = &lower[m.start()..m.end()];
                if ["钱", "款"].iter().any(|w| lead.contains(w))
                    || ["money", "cash", "payment"]
                        .iter()
                        .any(|w| said.contains(w))
                {
                    continue;
                }
            }
            out.push((*kind, m.start(), m.end()));
        }
    }
    out.sort_by_key(|&(k, s, _)| (rank(k), s));
    out
}

/// The claim, when the text asks for something. Its amount is the mention of money nearest the
/// winning cue (the price paid and the sum asked are usually the same; when they differ, the
/// one next to 「退」/「赔」 is the one asked); a bare number standing in the claim (「退我259」,
/// "a refund of 1299") counts as money.
pub fn claim(text: &str) -> Option<ClaimSlot> {
    let lower = claim_text(text);
    let &(kind, at, _) = claim_spans(&lower).first()?;
    let mut money = amounts(&lower);
    if money.is_empty() {
        money = bare_amounts(&lower, Bare::BeforeWords);
    }
    // A sum told as the price paid (「花了299」, "I paid 129") is not the one asked, while
    // another is named.
    let asked: Vec<Amount> = money
        .iter()
        .copied()
        .filter(|a| !told_as_paid(&lower, a.start))
        .collect();
    if !asked.is_empty() {
        money = asked;
    }
    let amount_cents = money
        .into_iter()
        .min_by_key(|a| a.start.abs_diff(at).min(a.end.abs_diff(at)))
        .map(|a| a.cents);
    Some(ClaimSlot { kind, amount_cents })
}

/// The sums a text names that are not told as what was paid (「花了299」), in cents.
pub fn sums_asked(text: &str) -> Vec<i64> {
    let lower = claim_text(text);
    let mut money = amounts(&lower);
    if money.is_empty() {
        money = bare_amounts(&lower, Bare::Standing);
    }
    money
        .into_iter()
        .filter(|a| {
            // The match may begin a character before its number (「了89元」).
            let number = lower[a.start..a.end]
                .find(|c: char| c.is_ascii_digit() || "零一二两三四五六七八九十百千".contains(c))
                .unwrap_or(0);
            !told_as_paid(&lower, a.start) && !told_as_paid(&lower, a.start + number)
        })
        .map(|a| a.cents)
        .collect()
}

/// Whether the sum starting at `start` is told as what was paid: a word of paying or of the
/// price just before it.
fn told_as_paid(lower: &str, start: usize) -> bool {
    let mut from = start.saturating_sub(16);
    while !lower.is_char_boundary(from) {
        from += 1;
    }
    let before = lower[from..start].trim_end();
    [
        "花了", "付了", "付的", "买的", "原价", "售价", "实付", "paid", "price", "cost", "was",
        "spent",
    ]
    .iter()
    .any(|w| {
        before.ends_with(w)
            || before.ends_with(&format!("{w} ¥"))
            || before.ends_with(&format!("{w}¥"))
    })
}

/// The sums a text names: those with a unit, else bare numbers where nothing makes them a
/// count, a size or a date (「花了二十八」, 「修起来差不多两百」, 「一百零九的裙子」).
pub fn sums(text: &str) -> Vec<Amount> {
    let lower = claim_text(text);
    let found = amounts(&lower);
    if found.is_empty() {
        bare_amounts(&lower, Bare::BeforeWords)
    } else {
        found
    }
}

static BARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[^\d.])(\d{2,6}(?:\.\d{1,2})?)(?:\s*(?:[，。,;；!！]|$|退|还|返|赔|打给|打到|转给|转到|转回)|\s+[a-z]|[^\d，。,.;；\s]{1,3}(?:退|还|返))",
    )
    .expect("bare amount pattern compiles")
});

/// A whole number of yuan in digits standing before a word (「花了389买的」, 「赔我2000精神损失费」):
/// a sum unless the word is what it counts (「3天」, 「12号」, 「48小时」) — [`counted_after`].
static BARE_BEFORE_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d.a-z])(\d{2,6})\p{Han}").expect("bare amount pattern compiles")
});

/// A Chinese numeral with a magnitude (两百, 一百二, 三千五, 三百八十九) and no unit: a count, a
/// size or a date would be followed by what it counts (天, 码, 号) — [`counted_after`]. It
/// starts with a digit or 十 (千万, 万一, 百分之 are words) and has two characters at least
/// (十足, 十分).
static BARE_CN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[一二两三四五六七八九十][零一二两三四五六七八九十百千万]+")
        .expect("bare numeral pattern compiles")
});

/// Whether a numeral ends its clause or stands before the verb giving it back (「差不多两百」,
/// 「一百二吧」, 「三百四退回来」).
fn stands_as_sum(after: &str) -> bool {
    let rest = after
        .trim_start_matches("左右")
        .trim_start_matches(['多', '来'])
        .trim_start_matches(['吧', '呢', '啊'])
        .trim_start();
    rest.is_empty()
        || rest.starts_with([
            '，', '。', ',', ';', '；', '!', '！', '~', '～', '退', '还', '返', '赔',
        ])
}

/// What a number counts or dates when it is written right before it: then it is no sum.
const COUNTERS: &[&str] = &[
    "天", "号", "日", "月", "年", "周", "星期", "礼拜", "点", "分", "秒", "小时", "个", "件", "次",
    "双", "条", "只", "瓶", "包", "盒", "袋", "箱", "张", "台", "套", "支", "把", "斤", "克", "公",
    "千克", "米", "厘", "毫", "寸", "码", "层", "楼", "岁", "人", "遍", "趟", "倍", "折", "成",
    "度", "瓦", "升", "页", "片", "粒", "颗", "根", "本", "部", "辆", "家", "位", "款", "版", "季",
    "平", "期", "集", "节", "号码", "单", "笔", "份", "样", "种", "款式", "罐", "卷", "捆", "对",
    "副", "顶", "块", "元", "圆", "蚊", "毛", "角", "届", "级", "档", "针", "火急",
];

/// Whether the text right after a number (past 多/来/左右/余) makes it a count, a size or a date.
fn counted_after(after: &str) -> bool {
    let rest = after
        .trim_start()
        .trim_start_matches(['多', '来', '余'])
        .trim_start_matches("左右");
    COUNTERS.iter().any(|c| rest.starts_with(c))
        || rest.starts_with(|c: char| c.is_ascii_alphanumeric() || "%/:：-.、".contains(c))
}

/// Whether the text right before a number makes it an ordinal, a festival or a multiple
/// (第三十, 双十一, 假一赔十).
fn marked_before(before: &str) -> bool {
    ["第", "双", "周", "一赔", "换成", "换", "换个"]
        .iter()
        .any(|w| before.ends_with(w))
}

/// How freely a number with no unit is read as money.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bare {
    /// Only where it stands as the sum (「退我259」, 「把159退回来」, 「差不多两百」): a message
    /// with no remedy named may still ask it.
    Standing,
    /// Also before any word that does not count it (「花了三百八十九买的」, 「赔我两千精神损失
    /// 费」): inside a claim, or as the sum a claim's other clauses or messages name.
    BeforeWords,
}

/// Numbers with no unit where nothing else makes them a count, a size or a date (「退我259」,
/// 「把159退回来」, "refund of 1299 please", 「差不多两百」, 「花了三百八十九买的」): read as yuan
/// only inside a claim, or as the whole answer to the amount asked ([`bare_sum`]).
fn bare_amounts(lower: &str, how: Bare) -> Vec<Amount> {
    let digits = BARE.captures_iter(lower).filter_map(|c| {
        let m = c.get(1)?;
        if counts_or_dates(&lower[..m.start()], &lower[m.end()..]) {
            return None;
        }
        Some(Amount::at(m, decimal_cents(m.as_str())?))
    });
    let before_words = BARE_BEFORE_WORD.captures_iter(lower).filter_map(|c| {
        let m = c.get(1).filter(|_| how == Bare::BeforeWords)?;
        let after = &lower[m.end()..];
        // Sizes and shopping festivals: 「42的」, 「618买的」, 「2026新款」.
        if counted_after(after)
            || after.starts_with('的')
            || marked_before(&lower[..m.start()])
            || ["618", "1111", "1212"].contains(&m.as_str())
            || (m.as_str().len() == 4
                && m.as_str().starts_with("20")
                && after.starts_with(['新', '春', '夏', '秋', '冬', '最']))
        {
            return None;
        }
        Some(Amount::at(m, decimal_cents(m.as_str())?))
    });
    let numerals = BARE_CN.find_iter(lower).filter_map(|m| {
        let after = &lower[m.end()..];
        if !m.as_str().contains(['十', '百', '千', '万'])
            || (how == Bare::Standing && !stands_as_sum(after))
            || counted_after(after)
            || marked_before(&lower[..m.start()])
        {
            return None;
        }
        Some(Amount::at(m, parse_int(m.as_str())?.checked_mul(100)?))
    });
    let mut found: Vec<Amount> = vec![];
    for a in digits.chain(before_words).chain(numerals) {
        if a.cents > 0 && !found.iter().any(|f| a.start < f.end && f.start < a.end) {
            found.push(a);
        }
    }
    found.sort_by_key(|a| a.start);
    found
}

/// English words that make the bare number beside them a day of a month ("on 28 November",
/// "November 28, when I ordered"), an hour or a count ("10 pm", "3 days", "2 pieces") rather
/// than a sum.
const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const COUNTED: &[&str] = &[
    "am", "pm", "a.m", "p.m", "o'clock", "day", "days", "hour", "hours", "minute", "minutes",
    "week", "weeks", "month", "months", "year", "years", "time", "times", "piece", "pieces", "pcs",
    "item", "items", "cm", "mm", "kg", "ml", "gb", "tb", "inch", "inches", "meter", "meters",
    "metre", "metres", "people", "calls", "messages", "texts",
];

fn counts_or_dates(before: &str, after: &str) -> bool {
    let next: String = after
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphabetic() || *c == '.' || *c == '\'')
        .collect();
    let prev = before
        .trim_end()
        .trim_end_matches(['.', ','])
        .rsplit(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    let month = |w: &str| w.len() >= 3 && MONTHS.iter().any(|m| w.starts_with(m));
    month(&next) || month(prev) || COUNTED.contains(&next.trim_end_matches('.'))
}

/// A whole answer that is only a sum without its unit (「300」, 「59.9」, 「两百」, 「差不多两百吧」,
/// "about 300"), as cents: the answer to the amount asked.
pub fn bare_sum(text: &str) -> Option<i64> {
    let lower = fold_width(text.trim()).to_lowercase();
    let mut t = lower.as_str();
    for hedge in [
        "差不多",
        "大概",
        "大约",
        "约",
        "至少",
        "最少",
        "起码",
        "about",
        "around",
        "at least",
    ] {
        t = t.trim_start_matches(hedge).trim_start();
    }
    let t = t
        .trim_end_matches(|c: char| "。.!！~～吧呢啊".contains(c))
        .trim_end_matches(['左', '右', '多', '来'])
        .trim();
    if t.is_empty() {
        return None;
    }
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let cents = if int.len() <= 7
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.len() <= 2
        && frac.chars().all(|c| c.is_ascii_digit())
    {
        decimal_cents(t)?
    } else if t.chars().all(super::cnnum::is_numeral_char) {
        parse_int(t)?.checked_mul(100)?
    } else {
        return None;
    };
    (cents > 0).then_some(cents)
}

/// How many times the price a compensation asks for (假一赔四 → 4, 退一赔三 → 3, 三倍赔偿,
/// "four times the price"); the price itself is the order's.
pub fn multiple(text: &str) -> Option<u32> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"[假退]一赔([一二两三四五六七八九十\d]{1,2})|([一二两三四五六七八九十\d]{1,2})倍|\b(twice|double|triple|two|three|four|five|ten|\d{1,2})\s*(?:times|x)\b",
        )
        .expect("multiple pattern compiles")
    });
    let lower = claim_text(text);
    let c = RE.captures(&lower)?;
    let n = if let Some(m) = c.get(1).or(c.get(2)) {
        parse_int(m.as_str())?
    } else {
        match &c[3] {
            "twice" | "double" | "two" => 2,
            "triple" | "three" => 3,
            "four" => 4,
            "five" => 5,
            "ten" => 10,
            d => d.parse().ok()?,
        }
    };
    u32::try_from(n).ok().filter(|&n| (1..=10).contains(&n))
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
        // Cantonese 蚊.
        assert_eq!(cents("三百蚊"), vec![30000]);
        // Thousands separators, before a unit too.
        assert_eq!(cents("1,299元"), vec![129900]);
        assert_eq!(cents("¥1,234,567"), vec![123456700]);
        assert_eq!(cents("56蚊運費"), vec![5600]);
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
    fn money_sent_back_is_a_refund_and_a_want_negated_a_few_words_before_is_none() {
        let read = |t: &str| claim(t).map(|c| (c.kind, c.amount_cents));
        // Money as what is sent or given back: money back, not the goods.
        for t in [
            "just cancel it and send the money back",
            "forget the order, give the money back",
            "算了不等了，那就把钱退了吧",
            "唔要喇，把錢退了吧",
            "取消吧，把款退了",
        ] {
            assert_eq!(read(t).map(|r| r.0), Some(ClaimKind::Refund), "{t}");
        }
        // The goods still go back when they are what is sent.
        assert_eq!(
            read("send it back and give me the money").map(|r| r.0),
            Some(ClaimKind::Return)
        );
        assert_eq!(
            read("东西寄回去，钱退给我").map(|r| r.0),
            Some(ClaimKind::Return)
        );
        // Not wanting to send it back, then a sum given back.
        assert_eq!(
            read("不想折腾寄回去了，退我两百块就算了"),
            Some((ClaimKind::Refund, Some(20000)))
        );
        assert_eq!(
            read("懶得寄回去，退我一百五十元"),
            Some((ClaimKind::Refund, Some(15000)))
        );
        assert_eq!(read("退我三百"), Some((ClaimKind::Refund, Some(30000))));
        // Won't send it back, or the shop won't take it back: no return asked.
        assert_eq!(
            read("我要退钱，259一分不少。这锅我是不会再花运费寄回去的").map(|r| r.0),
            Some(ClaimKind::Refund)
        );
        assert_eq!(
            read("I'm not going to post it back, just give me my money back").map(|r| r.0),
            Some(ClaimKind::Refund)
        );
        assert_ne!(
            read("since they won't take it back, send me a new one that works").map(|r| r.0),
            Some(ClaimKind::Return)
        );
        // A sum or a fee sent back in other words.
        assert_eq!(read("把89打给我"), Some((ClaimKind::Refund, Some(8900))));
        assert_eq!(
            read("把120元轉回我帳戶"),
            Some((ClaimKind::Refund, Some(12000)))
        );
        assert_eq!(
            read("the extra delivery fee they charged, I want it back").map(|r| r.0),
            Some(ClaimKind::Refund)
        );
        assert_eq!(read("I want it back in one piece").map(|r| r.0), None);
        assert_eq!(read("懒得换货了"), None);
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

#[cfg(test)]
mod readings {
    use super::*;

    #[test]
    fn reads_claims_by_their_structure() {
        let kind = |t: &str| claim(t).map(|c| c.kind);
        for (text, want) in [
            ("我要求賠500元", ClaimKind::Compensation),
            ("换成42的", ClaimKind::Exchange),
            ("给我重发一个新锅", ClaimKind::Exchange),
            ("钱还给我吧", ClaimKind::Refund),
            ("尽快把159退回来", ClaimKind::Refund),
            ("不想买了，六十八退回来", ClaimKind::Refund),
            ("把东西寄回去，钱退给我", ClaimKind::Return),
            ("退货，钱原路退回", ClaimKind::Return),
            ("send me the right one", ClaimKind::Exchange),
            ("pay me for the damage", ClaimKind::Compensation),
            (
                "I'd like to send it back and get my money back",
                ClaimKind::Return,
            ),
            ("cancel it and give me my money back", ClaimKind::Refund),
            ("我要退", ClaimKind::Return),
            ("退一半的钱吧", ClaimKind::Refund),
            ("把差价补给我", ClaimKind::Refund),
            ("退還運費80元", ClaimKind::Refund),
            ("cover the repair costs", ClaimKind::Compensation),
            ("reimburse me", ClaimKind::Compensation),
        ] {
            assert_eq!(kind(text), Some(want), "{text}");
        }
        for text in [
            "付款三天了还不发货",
            "商家还没回复",
            "我要投诉，一直不发货",
            "好评返现",
        ] {
            assert_eq!(kind(text), None, "{text}");
        }
    }

    #[test]
    fn a_replacement_with_the_wrong_one_sent_back_is_an_exchange() {
        let kind = |t: &str| claim(t).map(|c| c.kind);
        for text in [
            "换一双大一码的，这双我寄回去",
            "發一個對的顏色過來，錯的你們上門取走",
            "please send the right colour, I'll ship this one back",
            "swap it for the 64GB model and I'll return this one",
        ] {
            assert_eq!(kind(text), Some(ClaimKind::Exchange), "{text}");
        }
        // Sending back alone, or with money back, stays a return.
        for text in [
            "东西你们拉走，钱退给我",
            "I'll send it back, just give me my money",
        ] {
            assert_eq!(kind(text), Some(ClaimKind::Return), "{text}");
        }
    }

    #[test]
    fn a_sum_given_back_to_me_with_come() {
        for (text, cents) in [
            ("把我那88块还来", 8800),
            ("120元退來就好", 12000),
            ("五十块快点还来", 5000),
        ] {
            assert_eq!(
                claim(text).map(|c| (c.kind, c.amount_cents)),
                Some((ClaimKind::Refund, Some(cents))),
                "{text}"
            );
        }
    }

    #[test]
    fn a_sum_laid_out_paid_back_is_a_cost_made_good() {
        let kind = |t: &str| claim(t).map(|c| (c.kind, c.amount_cents));
        for (text, cents) in [
            (
                "they should pay me back the 30 I spent on the courier",
                3000,
            ),
            ("pay me back that 12 for the stamps", 1200),
            ("cover the 45 I paid the locksmith", 4500),
        ] {
            assert_eq!(
                kind(text),
                Some((ClaimKind::Compensation, Some(cents))),
                "{text}"
            );
        }
        assert_eq!(
            kind("pay me back for the headphones").map(|k| k.0),
            Some(ClaimKind::Refund)
        );
    }

    #[test]
    fn a_sum_given_back_or_a_cost_made_good() {
        let read = |t: &str| claim(t).map(|c| (c.kind, c.amount_cents));
        for (text, kind, cents) in [
            ("把那89退了", ClaimKind::Refund, Some(8900)),
            ("把1280元退到我帳戶", ClaimKind::Refund, Some(128000)),
            ("赶紧把钱给我退了", ClaimKind::Refund, None),
            ("¥58 back please", ClaimKind::Refund, Some(5800)),
            ("then I want my 320 back", ClaimKind::Refund, Some(32000)),
            (
                "I want my 899 in my account",
                ClaimKind::Refund,
                Some(89900),
            ),
            (
                "give me 100 RMB back for the fake claims",
                ClaimKind::Refund,
                Some(10000),
            ),
            (
                "cover the 15 RMB postage",
                ClaimKind::Compensation,
                Some(1500),
            ),
            (
                "they should cover the ¥120 I overpaid",
                ClaimKind::Compensation,
                Some(12000),
            ),
            ("把23块邮费补给我", ClaimKind::Compensation, Some(2300)),
            ("必须给我补", ClaimKind::Compensation, None),
            ("不看了，680原路退给我", ClaimKind::Refund, Some(68000)),
            ("三十块钱赶紧打给我", ClaimKind::Refund, Some(3000)),
            (
                "I paid 129 plus 10, give me the ¥10 back",
                ClaimKind::Refund,
                Some(1000),
            ),
            (
                "耳机花了299元，要求赔偿100元",
                ClaimKind::Compensation,
                Some(10000),
            ),
        ] {
            assert_eq!(read(text), Some((kind, cents)), "{text}");
        }
        // Sent back is a return; a replacement sent is an exchange, not a cost made good.
        assert_eq!(
            claim("send it back").map(|c| c.kind),
            Some(ClaimKind::Return)
        );
        assert_eq!(
            claim("给我补发一个").map(|c| c.kind),
            Some(ClaimKind::Exchange)
        );
        assert_eq!(claim("duvet cover, twin size"), None);
        assert_eq!(bare_sum("至少500"), Some(50000));
    }

    #[test]
    fn a_number_before_a_word_that_does_not_count_it_is_a_sum() {
        let amount = |t: &str| claim(t).and_then(|c| c.amount_cents);
        assert_eq!(amount("我要他赔我两千精神损失费，还得道歉"), Some(200_000));
        assert_eq!(amount("多收的二十五得退给我"), Some(2_500));
        assert_eq!(
            amount("花了三百八十九买个不能穿的,我要寄回去把钱拿回来"),
            Some(38_900)
        );
        assert_eq!(amount("賠我1500精神損失費"), Some(150_000));
        assert_eq!(amount("赔我2000精神损失费"), Some(200_000));
        assert_eq!(amount("pay me 200 for the trouble"), Some(20_000));
        // A multiple is no sum: the price is the order's.
        assert_eq!(amount("店铺写的保真,假一赔十,按这个赔"), None);
        assert_eq!(amount("赔两千"), Some(200_000));
        let told = |t: &str| sums(t).iter().map(|a| a.cents).collect::<Vec<_>>();
        assert_eq!(told("一百零九的裙子,吊牌都没拆"), vec![10_900]);
        assert_eq!(told("五百九的鞋子穿起來太小"), vec![59_000]);
        // What a number counts, a size, a festival, a model year or an idiom is no sum.
        for text in [
            "换成43的",
            "双十一买的大衣坏了",
            "十万火急",
            "2026新款羽绒服",
            "说好48小时发货",
            "618买的耳机",
            "等了二十多天",
            "第三十天了",
            "iphone15的壳",
            "两百多个差评",
        ] {
            assert_eq!(told(text), Vec::<i64>::new(), "{text}");
        }
    }

    #[test]
    fn a_day_of_the_month_or_a_count_is_no_sum() {
        // Bare numbers are sums only when nothing makes them a date, an hour or a count.
        for text in [
            "when I ordered on 28 November the seller said it would go out by December 1st",
            "I ordered on November 28, and they never sent it",
            "they called me at 10 pm and again at 7 am",
            "it took 12 days and I sent 3 messages",
        ] {
            assert_eq!(sums(text), vec![], "{text}");
        }
        assert_eq!(
            sums("refund 1299 please")
                .iter()
                .map(|a| a.cents)
                .collect::<Vec<_>>(),
            vec![129_900]
        );
    }

    #[test]
    fn bare_numbers_in_a_claim_and_multiples() {
        assert_eq!(claim("退我259").unwrap().amount_cents, Some(25900));
        // Thousands separators: one sum.
        assert_eq!(
            claim("take it back and refund the full 1,199")
                .unwrap()
                .amount_cents,
            Some(119900)
        );
        // A numeral in words before the verb that gives it back is the sum (「三百四退回来」).
        assert_eq!(
            claim("别发了，三百四退回来").unwrap().amount_cents,
            Some(34000)
        );
        assert_eq!(
            claim("refund of 1299 please").unwrap().amount_cents,
            Some(129900)
        );
        assert_eq!(claim("换成43的").unwrap().amount_cents, None);
        assert_eq!(
            claim("这个必须赔 插座修起来差不多两百")
                .unwrap()
                .amount_cents,
            Some(20000)
        );
        assert_eq!(
            claim("给我退款 一百二吧").unwrap().amount_cents,
            Some(12000)
        );
        // A count, a size or a date is not a sum.
        assert_eq!(claim("换成四十三码的").unwrap().amount_cents, None);
        assert_eq!(claim("等了三十天，要求赔偿").unwrap().amount_cents, None);
        assert_eq!(bare_sum("两百"), Some(20000));
        assert_eq!(bare_sum("差不多两百吧"), Some(20000));
        assert_eq!(bare_sum("300"), Some(30000));
        assert_eq!(bare_sum("59.9"), Some(5990));
        assert_eq!(bare_sum("5"), Some(500));
        assert_eq!(bare_sum("就是我开头发的那个单号"), None);
        assert_eq!(bare_sum("两百多个差评"), None);
        assert_eq!(multiple("假一赔四"), Some(4));
        assert_eq!(multiple("退一赔三"), Some(3));
        assert_eq!(multiple("four times the price"), Some(4));
        assert_eq!(multiple("要求赔偿"), None);
    }
}
