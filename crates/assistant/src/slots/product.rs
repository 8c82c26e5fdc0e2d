//! Which of the consumer's order items the text is about: fuzzy matching of the text against
//! the item titles the caller passes (`["316不锈钢保温杯 大容量", "蓝牙耳机 降噪"]`).
//!
//! A title scores by what it shares with the text: each of its jieba search words (two or more
//! characters, not a shop's filler like 正品/包邮/新款) found in the text counts its length in
//! characters, each Chinese character bigram found counts one, each Latin word found counts
//! three. The best title wins if it scores at least [`THRESHOLD`] — one shared two-character
//! word, or a shared Latin word. Ties go to the title listed first.

use weiquan_text::normalize::{fold_width, is_cjk};
use weiquan_text::segment;

/// The least score for a match: a two-character word (2) and its bigram (1).
pub const THRESHOLD: f32 = 3.0;

/// Title words that say nothing about what the item is.
const FILLER: &[&str] = &[
    "正品",
    "包邮",
    "新款",
    "款",
    "官方",
    "旗舰店",
    "旗舰",
    "同款",
    "热卖",
    "爆款",
    "特价",
    "限时",
    "男女",
    "女士",
    "男士",
    "学生",
    "大容量",
    "高端",
    "秒杀",
    "现货",
    "专柜",
    "授权",
    "送",
    "赠品",
    "升级",
    "版",
    "加厚",
    "网红",
    "ins",
    "适用",
    "年",
    "月",
    "商品",
    "宝贝",
    "质量",
    "问题",
];

fn latin_words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 2 && w.chars().any(|c| c.is_ascii_alphabetic()))
        .map(str::to_string)
        .collect()
}

fn cjk_bigrams(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    chars
        .windows(2)
        .filter(|w| w.iter().all(|&c| is_cjk(c)))
        .map(|w| w.iter().collect())
        .collect()
}

/// How well `title` matches `text` (both width-folded and lower-cased).
fn score(text: &str, title: &str) -> f32 {
    let mut s = 0.0;
    let mut words: Vec<&str> = segment::search_words(title)
        .into_iter()
        .filter(|w| w.chars().count() >= 2 && w.chars().all(is_cjk) && !FILLER.contains(w))
        .collect();
    words.sort_unstable();
    words.dedup();
    for w in words {
        if text.contains(w) {
            s += w.chars().count() as f32;
        }
    }
    let mut grams = cjk_bigrams(title);
    grams.sort_unstable();
    grams.dedup();
    for g in grams {
        if !FILLER.contains(&g.as_str()) && text.contains(&g) {
            s += 1.0;
        }
    }
    let text_latin = latin_words(text);
    let mut latin = latin_words(title);
    latin.sort_unstable();
    latin.dedup();
    for w in latin {
        if !FILLER.contains(&w.as_str()) && text_latin.contains(&w) {
            s += 3.0;
        }
    }
    s
}

/// The title of `products` that `text` is about, if one matches well enough.
pub fn match_product(text: &str, products: &[String]) -> Option<String> {
    let text = fold_width(text).to_lowercase();
    let mut best: Option<(f32, &String)> = None;
    for title in products {
        let s = score(&text, &fold_width(title).to_lowercase());
        if s >= THRESHOLD && best.is_none_or(|(b, _)| s > b) {
            best = Some((s, title));
        }
    }
    best.map(|(_, t)| t.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles() -> Vec<String> {
        [
            "316不锈钢保温杯 大容量男女学生水杯",
            "降噪蓝牙耳机 无线 运动",
            "加厚白鸭绒羽绒服 女 中长款",
            "哑光口红 正品 持久不掉色",
            "婴幼儿配方奶粉 3段 800g",
            "iPhone 15 手机壳 透明防摔",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    #[test]
    fn finds_the_item_talked_about() {
        let t = titles();
        let m = |text: &str| match_product(text, &t);
        assert_eq!(m("保温杯漏水").as_deref(), Some(t[0].as_str()));
        assert_eq!(m("耳机左边没声音").as_deref(), Some(t[1].as_str()));
        assert_eq!(m("羽绒服一直掉毛").as_deref(), Some(t[2].as_str()));
        assert_eq!(m("这支口红是假的").as_deref(), Some(t[3].as_str()));
        assert_eq!(m("奶粉罐子瘪了").as_deref(), Some(t[4].as_str()));
        assert_eq!(m("the iphone case cracked").as_deref(), Some(t[5].as_str()));
        assert_eq!(m("ＩＰＨＯＮＥ手机壳发黄").as_deref(), Some(t[5].as_str()));
    }

    #[test]
    fn no_match_below_the_threshold() {
        let t = titles();
        assert_eq!(match_product("商家一直不发货", &t), None);
        assert_eq!(match_product("说好的正品包邮呢", &t), None);
        assert_eq!(match_product("保温杯漏水", &[]), None);
    }
}
