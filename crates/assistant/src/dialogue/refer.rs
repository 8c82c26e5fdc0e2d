//! Which of several order items the buyer's words point at, when the product-noun table alone
//! cannot tell: every signal a description carries, over the candidates together.
//!
//! - the words (`slots::product`'s heads and modifiers) and the tokens only this title holds
//!   among the candidates (`slots::reference::distinctive`: a brand, a series, a size);
//! - what the reply rules out (「不是那个小伞车」, "not the brush heads", "the pens came fine"),
//!   subtracted;
//! - a sum that is exactly one candidate's price (「599全部退给我」, "all 235");
//! - a price comparison (「贵的那个」, "the cheaper one");
//! - meaning (`Context::meaning`), when the reply answers the question about the order: the
//!   sentence embedding's cosine with each title, relative to the candidates' mean, so that
//!   「香氛机」 finds 香薰机 and "the bookshelf" 实木书架; only when the closest title is close
//!   enough to be a reference at all (a story told instead scores lower with every title).

use super::{Context, OrderInfo};
use crate::fold::simplify;
use crate::slots::product::{Matcher, Mention, title};
use crate::slots::reference::{Reference, distinctive, tokens};

/// Weight of meaning (a difference of cosines, typically 0.05–0.2 between the title meant and
/// the others) against words (a head word counts 3, a distinctive word about 1).
const MEANING_WEIGHT: f32 = 6.0;
/// Weight of a token only one candidate's title holds: above a modifier's, as it tells the
/// candidates apart (a head word shared by all of them names none in particular).
const DISTINCT_WEIGHT: f32 = 2.0;
/// What meaning alone must add to the one picked for a reply to the order question to name an
/// item no word of it names (a cosine ~0.08 above the candidates' mean).
pub(super) const MEANING_NAMES: f32 = 0.5;
/// Below this cosine with every candidate a reply is not taken to describe an item at all
/// (descriptions of items scored 0.45–0.65 with their titles, stories 0.2–0.35).
const MEANING_FLOOR: f32 = 0.42;
/// How far ahead the best must be to be taken without asking.
const CLEAR: f32 = 1.0;
/// The least score that points at an item.
const POINTS: f32 = 0.5;
/// What a sum equal to one candidate's price adds.
const PRICE_NAMED: f32 = 2.0;
/// What 「贵的那个」 / "the cheaper one" adds to the dearest or cheapest candidate.
const COMPARED: f32 = 1.0;
/// What ruled out counts against an item, relative to what points at it.
const RULED_OUT: f32 = 1.5;

/// What a reply decides among candidates.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Pointed {
    /// This one, clearly.
    One(usize),
    /// These, close together: to ask about.
    Several(Vec<usize>),
    /// None of them.
    Nothing,
}

/// How a reply scores each candidate: higher is more likely the one meant; `ruled_out` those
/// the reply names as not meant.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Scores {
    pub score: Vec<f32>,
    pub ruled_out: Vec<bool>,
    /// What meaning added to each (0 without it).
    pub by_meaning: Vec<f32>,
}

/// Words that make the word after them the thing talked about: 「那个榴莲的退款」, 「买的风扇」.
const DETERMINERS: &[&str] = &[
    "那个", "这个", "那款", "这款", "那件", "这件", "那台", "这台", "那双", "这双", "那瓶", "那盒",
    "那包", "那条", "那把", "那只", "那套", "买的", "买了", "订的", "拍的", "我的",
];

/// Whether `reply` names, right after a determiner, a word (a Chinese bigram) that only the
/// title `t` holds among `titles`: the reply is about that item (「那个榴莲的退款」), not merely
/// using a word it shares (「倒热水就漏」 is no kettle).
fn determined(reply: &str, t: &[String], titles: &[Vec<String>]) -> bool {
    t.iter()
        .filter(|w| w.chars().count() == 2 && w.chars().all(weiquan_text::normalize::is_cjk))
        .filter(|w| titles.iter().filter(|o| o.binary_search(w).is_ok()).count() == 1)
        .any(|w| {
            DETERMINERS
                .iter()
                .any(|d| reply.contains(&format!("{d}{w}")))
        })
}

/// Scores `text` against each candidate (an order and one of its items).
pub(super) fn scores(
    text: &str,
    pairs: &[(&OrderInfo, &str)],
    ctx: &Context<'_>,
    use_meaning: bool,
) -> Scores {
    let said = Reference::new(text);
    let shops: Vec<&str> = ctx.orders.iter().map(|o| o.shop_name.as_str()).collect();
    let matcher = Matcher::default();
    let titles: Vec<Vec<String>> = pairs.iter().map(|(_, item)| tokens(item)).collect();
    let words = |reply: &str| -> Vec<f32> {
        if reply.is_empty() {
            return vec![0.0; pairs.len()];
        }
        let m = Mention::new(reply, &shops);
        let dist = distinctive(&m.text, &titles);
        pairs
            .iter()
            .zip(dist)
            .zip(&titles)
            .map(|(((_, item), d), t)| {
                let framed = if determined(&m.text, t, &titles) {
                    DISTINCT_WEIGHT
                } else {
                    0.0
                };
                matcher.score(&m, &title(item)).total() + DISTINCT_WEIGHT * d.min(3.0) + framed
            })
            .collect()
    };
    let excluded = words(&said.exclude);
    let included = words(&said.include);
    // Ruled out when the reply says more against it than for it: "the two-panel pair for the
    // living room; the little bedroom curtain was fine" rules out the bedroom one, not every
    // curtain (which would leave only an unrelated order standing).
    let ruled_out: Vec<bool> = excluded
        .iter()
        .zip(&included)
        .map(|(&e, &i)| e >= 1.0 && e > i)
        .collect();
    let mut out: Vec<f32> = included
        .into_iter()
        .zip(excluded)
        .zip(&ruled_out)
        .map(|((i, e), &gone)| if gone { i - RULED_OUT * e } else { i })
        .collect();

    // A sum that is exactly one candidate's price.
    let sums = sums_named(&said.include);
    let priced: Vec<usize> = (0..pairs.len())
        .filter(|&i| sums.contains(&pairs[i].0.amount_cents))
        .collect();
    if let [only] = priced.as_slice() {
        out[*only] += PRICE_NAMED;
    }
    // The dearer or the cheaper one.
    if let Some(dear) = compares_price(&said.include) {
        let price = |i: usize| pairs[i].0.amount_cents;
        let pick = if dear {
            (0..pairs.len()).max_by_key(|&i| price(i))
        } else {
            (0..pairs.len()).min_by_key(|&i| price(i))
        };
        if let Some(p) = pick
            && (0..pairs.len()).filter(|&i| price(i) == price(p)).count() == 1
        {
            out[p] += COMPARED;
        }
    }

    let mut by_meaning = vec![0.0; pairs.len()];
    if use_meaning
        && let Some(meaning) = ctx.meaning
        && !said.include.is_empty()
    {
        let mut texts: Vec<&str> = vec![&said.include, &said.exclude];
        texts.extend(pairs.iter().map(|(_, item)| *item));
        let v = meaning.embed(&texts);
        if v.len() == texts.len() {
            let cos = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
            let of = |k: usize| -> Vec<f32> { v[2..].iter().map(|t| cos(&v[k], t)).collect() };
            let centred = |c: Vec<f32>| {
                let mean = c.iter().sum::<f32>() / c.len().max(1) as f32;
                c.into_iter().map(move |x| x - mean)
            };
            let inc = of(0);
            if inc.iter().any(|&c| c >= MEANING_FLOOR) {
                for (m, c) in by_meaning.iter_mut().zip(centred(inc)) {
                    *m += MEANING_WEIGHT * c;
                }
                if !said.exclude.is_empty() {
                    for (m, c) in by_meaning.iter_mut().zip(centred(of(1))) {
                        *m -= MEANING_WEIGHT * c;
                    }
                }
                for (s, m) in out.iter_mut().zip(&by_meaning) {
                    *s += m;
                }
            }
        }
    }
    Scores {
        score: out,
        ruled_out,
        by_meaning,
    }
}

/// The clear winner, the close ones to ask about, or nothing. What is ruled out is out; when
/// that leaves one, it is the one (「不是那个小伞车」 between two strollers).
pub(super) fn decide(s: &Scores) -> Pointed {
    let scores = &s.score;
    let mut order: Vec<usize> = (0..scores.len()).filter(|&i| !s.ruled_out[i]).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let Some(&best) = order.first() else {
        return Pointed::Nothing;
    };
    if let [only] = order.as_slice()
        && s.ruled_out.iter().any(|&r| r)
    {
        return Pointed::One(*only);
    }
    if scores[best] < POINTS {
        return Pointed::Nothing;
    }
    let close: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| scores[i] >= POINTS && scores[i] > scores[best] - CLEAR)
        .collect();
    match close.as_slice() {
        [one] => Pointed::One(*one),
        _ => Pointed::Several(close),
    }
}

/// Sums of money a reply names, in cents: with a unit (「599元」, "¥58") or bare numbers of two
/// digits or more (「599全部退给我」, "all 235"); an order number is no sum.
fn sums_named(text: &str) -> Vec<i64> {
    let mut out: Vec<i64> = crate::slots::claim::amounts(text)
        .iter()
        .map(|a| a.cents)
        .collect();
    let folded = weiquan_text::normalize::fold_width(text);
    for n in folded
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|n| n.trim_matches('.'))
        .filter(|n| (2..=8).contains(&n.len()))
    {
        if let Ok(y) = n.parse::<f64>() {
            out.push((y * 100.0).round() as i64);
        }
    }
    out
}

/// Whether a reply asks for the dearer (`Some(true)`) or the cheaper (`Some(false)`) one.
fn compares_price(text: &str) -> Option<bool> {
    let l = simplify(text).to_lowercase();
    let has = |ws: &[&str]| ws.iter().any(|w| l.contains(w));
    let dear = has(&["贵", "expensive", "pricier", "dearer", "costlier"]);
    let cheap = has(&["便宜", "cheap", "less expensive"]);
    match (dear, cheap) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn order(no: &str, item: &str, yuan: i64) -> OrderInfo {
        OrderInfo {
            order_no: no.into(),
            shop_id: "s".into(),
            shop_name: "某某专营店".into(),
            items: vec![item.into()],
            amount_cents: yuan * 100,
            paid_at: Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap(),
            delivered_at: None,
            commitments: None,
        }
    }

    /// Meanings written for the test: each text is near the titles that share its first
    /// character with it (a stand-in for an encoder, whose own quality is measured elsewhere).
    #[derive(Debug)]
    struct FirstChar;
    impl super::super::Meaning for FirstChar {
        fn embed(&self, texts: &[&str]) -> Vec<Vec<f32>> {
            texts
                .iter()
                .map(|t| {
                    let t = t.trim_start_matches("不是");
                    let c = t.chars().next().map_or(0, |c| c as usize % 7);
                    let mut v = vec![0.3f32; 7];
                    v[c] = 1.0;
                    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                    v.into_iter().map(|x| x / n).collect()
                })
                .collect()
        }
    }

    fn pick(text: &str, orders: &[OrderInfo], meaning: bool) -> Pointed {
        let pairs: Vec<(&OrderInfo, &str)> =
            orders.iter().map(|o| (o, o.items[0].as_str())).collect();
        let m = FirstChar;
        let ctx = Context {
            now: Utc.with_ymd_and_hms(2026, 5, 10, 0, 0, 0).unwrap(),
            orders,
            complaints: &[],
            meaning: Some(&m),
        };
        decide(&scores(text, &pairs, &ctx, meaning))
    }

    #[test]
    fn what_is_ruled_out_is_not_picked() {
        let o = [
            order("1", "好孩子婴儿推车 可坐可躺", 599),
            order("2", "babycare婴儿推车 伞车 轻便", 459),
        ];
        assert_eq!(
            pick("大的那辆，能躺的，不是那个小伞车", &o, false),
            Pointed::One(0)
        );
        assert_eq!(pick("推车", &o, false), Pointed::Several(vec![0, 1]));
    }

    #[test]
    fn naming_one_and_clearing_its_sibling_leaves_the_one_named() {
        let rugs = [
            order(
                "1",
                "Large Shaggy Area Rug 200x300 Living Room Lounge Carpet Grey",
                399,
            ),
            order("2", "Small Bath Mat Rug 50x80 Bathroom Non Slip Grey", 59),
            order("3", "USB C Wall Charger 30W Fast Charging Plug", 89),
        ];
        assert_eq!(
            pick(
                "The big one for the lounge. The small bath rug from the same shop was fine.",
                &rugs,
                false
            ),
            Pointed::One(0)
        );
        let lamps = [
            order("1", "北欧客厅落地灯 立式 大号 护眼", 459),
            order("2", "卧室床头小台灯 ins风 迷你", 69),
            order("3", "儿童绘本 恐龙百科 精装", 45),
        ];
        assert_eq!(
            pick("客厅那个大的落地灯，卧室的小台灯没问题", &lamps, false),
            Pointed::One(0)
        );
    }

    #[test]
    fn a_price_or_a_comparison_tells_two_alike_apart() {
        let o = [
            order("1", "戴森吹风机 紫红色", 1899),
            order("2", "松下电吹风机 小型", 129),
        ];
        assert_eq!(
            pick("吹风机，599全部退给我", &o, false),
            Pointed::Several(vec![0, 1])
        );
        assert_eq!(pick("吹风机，1899全部退给我", &o, false), Pointed::One(0));
        assert_eq!(pick("贵的那个", &o, false), Pointed::One(0));
        assert_eq!(pick("便宜的那个", &o, false), Pointed::One(1));
    }

    #[test]
    fn a_word_only_one_title_holds_names_it() {
        let o = [
            order("1", "八马安溪铁观音乌龙茶 礼盒装250g", 178),
            order("2", "小罐茶金骏眉红茶 礼盒 10罐", 298),
            order("3", "竹叶青峨眉高山绿茶 120g", 220),
        ];
        assert_eq!(pick("铁观音那个礼盒", &o, false), Pointed::One(0));
        // One such word after a determiner is what the reply is about.
        assert_eq!(pick("那个绿茶的退款什么时候到", &o, false), Pointed::One(2));
        assert_eq!(pick("退货寄回去两个礼拜了", &o, false), Pointed::Nothing);
    }

    #[test]
    fn meaning_decides_where_no_word_is_shared_and_only_when_asked() {
        let o = [
            order("1", "甲品牌 某物", 10),
            order("2", "乙品牌 另一物", 20),
        ];
        // Only the test's meaning (first characters) relates 甲的 to the first title.
        assert_eq!(pick("甲的", &o, false), Pointed::Nothing);
        assert_eq!(pick("甲的", &o, true), Pointed::One(0));
        assert_eq!(pick("乙的，不是甲的", &o, true), Pointed::One(1));
    }
}
