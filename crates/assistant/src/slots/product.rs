//! Which of the consumer's order items a message names: the product words of the message
//! against each item title (`["316不锈钢保温杯 大容量", "电热水壶 家用"]`).
//!
//! Chinese compounds are head-final: 保温杯 and 马克杯 are cups, 电热水壶 is a kettle, and 热水
//! in it only says what the kettle is for. So each title run of Chinese (split at spaces,
//! digits, Latin and punctuation) has one **head**: its last word that names a kind of thing in
//! the product-noun table (`data/product_nouns.txt`), else its last word. A message names an
//! item strongly when it holds the head word itself ([`EXACT`]) or a word of the same kind in
//! either language (杯子, 水杯, "thermos cup" ↔ 保温杯: [`KIND`]), or a Latin model or brand
//! word of the title ([`LATIN`]). Everything else the message shares with the title (modifier
//! words like 热水, 保温, character bigrams) is **weak**: it ranks items that already match
//! strongly and never resolves one by itself. Heated words (垃圾, 骗子: the tone lexicon) are
//! removed from the message first, so an insult is never a product, and traditional characters
//! are folded to simplified on both sides.
//!
//! A sentence-similarity function can be added as one more weak signal ([`Matcher::similarity`]).

use std::sync::{Arc, LazyLock};

use weiquan_text::normalize::{fold_width, is_cjk};
use weiquan_text::segment;

use crate::features::Prepared;
use crate::fold::simplify;
use crate::lexicon;

/// Strength of a title's head word found in the message (保温杯 in 「保温杯漏水」).
pub const EXACT: f32 = 3.0;
/// Strength of a message word of exactly the title head's kind (thermos ↔ 保温杯, mug ↔ 马克杯).
pub const NARROW_KIND: f32 = 2.8;
/// Strength of a message word of a wider or narrower kind than the head (杯子 ↔ 保温杯).
pub const KIND: f32 = 2.5;
/// Strength of a shared Latin word of three letters or more (iphone, airpods).
pub const LATIN: f32 = 2.0;
/// The least strength that names an item.
pub const STRONG: f32 = 2.0;
/// A weak signal is capped so that modifiers never outweigh a head.
const WEAK_CAP: f32 = 1.5;

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
    "家用",
    "女",
    "男",
    "新",
    "的",
];

/// Latin words too common to tell items apart: listing filler, counts and packaging ("24
/// Pack" is no battery pack), sizes, colours and who it is for (a black jacket is no black mug).
const LATIN_FILLER: &[&str] = &[
    "the", "and", "for", "with", "pro", "max", "plus", "mini", "new", "usb", "led", "pack",
    "packs", "set", "sets", "pcs", "piece", "pieces", "pair", "pairs", "box", "kit", "bundle",
    "count", "size", "large", "small", "medium", "big", "black", "white", "grey", "gray", "red",
    "blue", "green", "pink", "yellow", "purple", "brown", "beige", "navy", "silver", "gold",
    "women", "men", "kids", "unisex", "home", "office", "premium", "quality", "original",
    "genuine", "official", "gift", "free", "portable", "soft", "warm",
];

/// The product-noun table: each concept's Chinese entries and English words.
struct Nouns {
    /// (entry, concept), longest entries first.
    zh: Vec<(String, usize)>,
    en: Vec<(String, usize)>,
    /// Each concept's first Chinese entry (an English word's wider kinds come from it).
    first_zh: Vec<Option<String>>,
}

static NOUNS: LazyLock<Nouns> = LazyLock::new(|| {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    let mut first_zh = Vec::new();
    let lines = include_str!("../../data/product_nouns.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    for (concept, line) in lines.enumerate() {
        let (z, e) = line.split_once('|').unwrap_or((line, ""));
        first_zh.push(z.split_whitespace().next().map(str::to_lowercase));
        zh.extend(z.split_whitespace().map(|w| (w.to_lowercase(), concept)));
        en.extend(e.split_whitespace().map(|w| (w.to_lowercase(), concept)));
    }
    zh.sort_by_key(|(w, _)| std::cmp::Reverse(w.chars().count()));
    Nouns { zh, en, first_zh }
});

/// The kinds of thing a Chinese word names, narrowest first: the concepts of the table entries
/// it ends with, longest entry first (马克杯 → mug, cup; 杯子 → cup; 键盘 is no 盘).
fn zh_kinds(word: &str) -> Vec<usize> {
    let stem = word
        .strip_suffix('子')
        .or_else(|| word.strip_suffix('儿'))
        .filter(|s| !s.is_empty())
        .unwrap_or(word);
    let mut out = Vec::new();
    for (e, c) in &NOUNS.zh {
        if (word.ends_with(e.as_str()) || stem.ends_with(e.as_str())) && !out.contains(c) {
            out.push(*c);
        }
    }
    out
}

/// The kinds of thing an English word names (plural -s/-es dropped), narrowest first.
fn en_kinds(word: &str) -> Vec<usize> {
    let find = |w: &str| NOUNS.en.iter().find(|(e, _)| e == w).map(|&(_, c)| c);
    let Some(c) = find(word)
        .or_else(|| word.strip_suffix("es").and_then(find))
        .or_else(|| word.strip_suffix('s').and_then(find))
    else {
        return Vec::new();
    };
    let mut out = vec![c];
    if let Some(z) = &NOUNS.first_zh[c] {
        out.extend(zh_kinds(z).into_iter().filter(|k| *k != c));
    }
    out
}

/// Whether a message word of kinds `m` names an item head of kinds `t`: the narrowest kind of
/// either is a kind of the other (杯子 ↔ 保温杯 yes, mug ↔ 保温杯 no).
fn same_kind(m: &[usize], t: &[usize]) -> bool {
    m.first().is_some_and(|k| t.contains(k)) || t.first().is_some_and(|k| m.contains(k))
}

/// Latin words of two characters or more, each with its singular beside it ("vegetables" →
/// also "vegetable"), so that a plural names a title's singular and the reverse.
fn latin_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 2 && w.chars().any(|c| c.is_ascii_alphabetic()))
    {
        out.push(w.to_string());
        if let Some(stem) = singular(w) {
            out.push(stem.to_string());
        }
    }
    out
}

/// An English plural's singular (-es after s, x, z, ch, sh; else -s), for words of four
/// letters or more.
pub(crate) fn singular(w: &str) -> Option<&str> {
    if w.len() < 4 || !w.chars().all(|c| c.is_ascii_alphabetic()) || w.ends_with("ss") {
        return None;
    }
    let es = w
        .strip_suffix("es")
        .filter(|s| ["s", "x", "z", "ch", "sh"].iter().any(|e| s.ends_with(e)));
    es.or_else(|| w.strip_suffix('s'))
}

/// The table's Chinese nouns of two characters or more found in `text`, longest first.
fn table_words(text: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = NOUNS
        .zh
        .iter()
        .map(|(e, _)| e.as_str())
        .filter(|e| e.chars().count() >= 2 && text.contains(e))
        .collect();
    out.sort_by_key(|e| std::cmp::Reverse(e.len()));
    out.dedup();
    out
}

/// An English title up to the first word that starts what the item is for or comes with.
fn english_item_part(folded: &str) -> &str {
    [" for ", " with ", " compatible ", " fits ", " suitable "]
        .iter()
        .filter_map(|w| folded.find(w))
        .min()
        .map_or(folded, |at| &folded[..at])
}

fn cjk_bigrams(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    chars
        .windows(2)
        .filter(|w| w.iter().all(|&c| is_cjk(c)))
        .map(|w| w.iter().collect())
        .collect()
}

/// What a message says about products: its text without heat, and its product words.
#[derive(Debug, Clone, Default)]
pub struct Mention {
    /// Simplified, width-folded, lower-cased, heated words blanked.
    pub text: String,
    /// The kinds of each product word (table concepts, narrowest first).
    kinds: Vec<Vec<usize>>,
    latin: Vec<String>,
    /// The table's nouns found in it (洗碗机), so that a title's bare word inside one of them
    /// (洗碗 of 洗碗块) is not taken for the item.
    nouns: Vec<&'static str>,
}

impl Mention {
    /// Reads the product words of `text`. `ignore` are phrases that are not about the product
    /// (the consumer's shop names: 好杯子旗舰店 is not a cup).
    pub fn new(text: &str, ignore: &[&str]) -> Mention {
        let mut folded = fold_width(&simplify(text)).to_lowercase();
        for i in ignore {
            let i = fold_width(&simplify(i)).to_lowercase();
            if !i.trim().is_empty() {
                folded = folded.replace(&i, " ");
            }
        }
        // Blank the heat: 垃圾商家 is no 垃圾袋.
        let p = Prepared::new(&folded);
        let mut text = p.text.clone();
        let mut hits = lexicon::hits(&p.text, &p.words);
        hits.sort_by_key(|h| std::cmp::Reverse(h.start));
        for h in hits {
            if text.is_char_boundary(h.start) && text.is_char_boundary(h.end) {
                text.replace_range(h.start..h.end, &" ".repeat(h.end - h.start));
            }
        }
        let mut kinds = Vec::new();
        for w in segment::words(&text) {
            let kind = if w.chars().all(is_cjk) {
                zh_kinds(w)
            } else if w.chars().all(|c| c.is_ascii_alphabetic()) {
                en_kinds(w)
            } else {
                Vec::new()
            };
            if !kind.is_empty() && !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        // Nouns of the table the segmenter does not know as words (猫砂 read as 猫 + 砂).
        let nouns = table_words(&text);
        for w in &nouns {
            let kind = zh_kinds(w);
            if !kind.is_empty() && !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        let latin = latin_words(&text);
        Mention {
            text,
            kinds,
            latin,
            nouns,
        }
    }

    /// Whether the message names any kind of product at all.
    pub fn names_a_product(&self) -> bool {
        !self.kinds.is_empty()
    }
}

/// What an item title says it is.
#[derive(Debug, Clone)]
pub struct Title {
    /// The head word of each run of Chinese, with its kinds.
    heads: Vec<(String, Vec<usize>)>,
    /// English words naming a kind that only modify the head (screen in "screen protector"):
    /// they name the item at the strength of a shared Latin word, below a head's.
    modifiers: Vec<(String, Vec<usize>)>,
    /// Its other words of two characters or more (modifiers: 热水, 保温, 蓝牙).
    others: Vec<String>,
    bigrams: Vec<String>,
    latin: Vec<String>,
    folded: String,
}

impl Title {
    pub fn new(title: &str) -> Title {
        let folded = fold_width(&simplify(title)).to_lowercase();
        let mut heads = Vec::new();
        let mut others = Vec::new();
        for run in folded.split(|c: char| !is_cjk(c)).filter(|r| !r.is_empty()) {
            let words: Vec<&str> = segment::words(run)
                .into_iter()
                .filter(|w| !FILLER.contains(w))
                .collect();
            let head = words.iter().rposition(|w| !zh_kinds(w).is_empty());
            // No word of the run names a kind, but a table noun ends it (猫砂 segmented as
            // 猫 + 砂): that noun is the head.
            if head.is_none()
                && let Some(noun) = table_words(run).into_iter().rfind(|w| run.ends_with(w))
            {
                heads.push((noun.to_string(), zh_kinds(noun)));
            }
            let head = head.or_else(|| words.len().checked_sub(1));
            for (i, w) in words.iter().enumerate() {
                if Some(i) == head {
                    heads.push((w.to_string(), zh_kinds(w)));
                } else if w.chars().count() >= 2 {
                    others.push(w.to_string());
                }
            }
            // The shorter dictionary words inside the run (蓝牙耳机 → 蓝牙) are modifiers too.
            for w in segment::search_words(run) {
                if w.chars().count() >= 2
                    && !FILLER.contains(&w)
                    && !heads.iter().any(|(h, _)| h == w)
                    && !others.iter().any(|o| o == w)
                {
                    others.push(w.to_string());
                }
            }
        }
        let mut latin: Vec<String> = latin_words(&folded)
            .into_iter()
            .filter(|w| !LATIN_FILLER.contains(&w.as_str()))
            .collect();
        latin.dedup();
        // An English title: its words name kinds too, those before "for"/"with" (the item,
        // not what it fits: "Screen protector for smart watch" is a protector).
        // English compounds are head-final too: "screen protector" is a protector, so the last
        // kind word before "for"/"with" is the head and the others only modify it.
        let item_part = english_item_part(&folded);
        let head = latin_words(item_part)
            .into_iter()
            .rfind(|w| !en_kinds(w).is_empty());
        let mut modifiers = Vec::new();
        for w in &latin {
            let k = en_kinds(w);
            if k.is_empty() {
                continue;
            }
            if head.is_none() || head.as_ref() == Some(w) {
                heads.push((w.clone(), k));
            } else {
                modifiers.push((w.clone(), k));
            }
        }
        let mut bigrams = cjk_bigrams(&folded);
        bigrams.sort_unstable();
        bigrams.dedup();
        Title {
            heads,
            modifiers,
            others,
            bigrams,
            latin,
            folded,
        }
    }
}

/// Titles read so far: a consumer's orders come back turn after turn, and reading a title
/// (two jieba passes) costs more than scoring it. Bounded: emptied when full.
static TITLES: LazyLock<std::sync::Mutex<std::collections::HashMap<String, Arc<Title>>>> =
    LazyLock::new(Default::default);
const TITLES_KEPT: usize = 20_000;

/// `title` read, from the cache when it was read before.
pub fn title(text: &str) -> Arc<Title> {
    if let Some(t) = TITLES.lock().ok().and_then(|m| m.get(text).cloned()) {
        return t;
    }
    let t = Arc::new(Title::new(text));
    if let Ok(mut m) = TITLES.lock() {
        if m.len() >= TITLES_KEPT {
            m.clear();
        }
        m.insert(text.to_string(), t.clone());
    }
    t
}

/// How well a message names one title.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Score {
    /// [`EXACT`], [`KIND`], [`LATIN`] or 0: what names the item outright.
    pub strong: f32,
    /// Modifiers, bigrams and similarity: ranks, never decides alone.
    pub weak: f32,
}

impl Score {
    pub fn total(self) -> f32 {
        self.strong + self.weak
    }

    /// Whether the message names this item.
    pub fn names(self) -> bool {
        self.strong >= STRONG
    }
}

/// A sentence-similarity function (0–1) between a message and a title: one more weak signal,
/// for an embedding model once there is one.
pub type Similarity = fn(&str, &str) -> f32;

/// Scores messages against titles.
#[derive(Debug, Clone, Copy, Default)]
pub struct Matcher {
    pub similarity: Option<Similarity>,
}

impl Matcher {
    pub fn score(&self, m: &Mention, t: &Title) -> Score {
        let mut strong: f32 = 0.0;
        for (head, kind) in &t.heads {
            // The head said outright, unless only inside a noun of another kind (洗碗 of
            // 洗碗机 does not name 洗碗块).
            let inside_other = || {
                m.nouns.iter().any(|n| {
                    n.len() > head.len()
                        && n.contains(head.as_str())
                        && !zh_kinds(n).iter().any(|k| kind.contains(k))
                        && m.text.matches(head.as_str()).count() == m.text.matches(n).count()
                })
            };
            if head.chars().count() >= 2
                && head.chars().all(is_cjk)
                && m.text.contains(head)
                && !inside_other()
            {
                strong = strong.max(EXACT);
            }
            for mk in &m.kinds {
                if !mk.is_empty() && mk.first() == kind.first() {
                    strong = strong.max(NARROW_KIND);
                } else if same_kind(mk, kind) {
                    strong = strong.max(KIND);
                }
            }
        }
        if t.latin
            .iter()
            .any(|w| w.len() >= 3 && m.latin.contains(w) && en_kinds(w).is_empty())
            || t.modifiers
                .iter()
                .any(|(_, kind)| m.kinds.iter().any(|mk| same_kind(mk, kind)))
        {
            strong = strong.max(LATIN);
        }
        let mut weak = 0.0;
        for o in &t.others {
            if m.text.contains(o.as_str()) {
                weak += 0.5;
            }
        }
        for g in &t.bigrams {
            if m.text.contains(g.as_str()) {
                weak += 0.25;
            }
        }
        if let Some(sim) = self.similarity {
            weak += sim(&m.text, &t.folded).clamp(0.0, 1.0);
        }
        Score {
            strong,
            weak: weak.min(WEAK_CAP),
        }
    }
}

/// Every title of `products` that `text` names, best first, with its score (ties keep the
/// order given).
pub fn rank(text: &str, products: &[String]) -> Vec<(usize, Score)> {
    let m = Mention::new(text, &[]);
    let matcher = Matcher::default();
    let mut out: Vec<(usize, Score)> = products
        .iter()
        .enumerate()
        .map(|(i, p)| (i, matcher.score(&m, &title(p))))
        .filter(|(_, s)| s.names())
        .collect();
    out.sort_by(|a, b| b.1.total().total_cmp(&a.1.total()));
    out
}

/// The one title of `products` that `text` is about: the only one it names, or the one it
/// names clearly better than the rest (a stronger head, or a point more of weak signals).
/// `None` when none, or several alike (the dialogue then asks which).
pub fn match_product(text: &str, products: &[String]) -> Option<String> {
    let ranked = rank(text, products);
    best_of(&ranked).map(|i| products[i].clone())
}

/// The clear winner of a ranking, if there is one.
pub fn best_of(ranked: &[(usize, Score)]) -> Option<usize> {
    let (first, rest) = ranked.split_first()?;
    let clear = rest
        .iter()
        .all(|(_, s)| s.strong < first.1.strong || s.total() + 1.0 <= first.1.total());
    clear.then_some(first.0)
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
        assert_eq!(m("我买的杯子漏水").as_deref(), Some(t[0].as_str()));
        assert_eq!(
            m("the thermos cup I bought leaks").as_deref(),
            Some(t[0].as_str())
        );
        assert_eq!(m("保溫杯漏水").as_deref(), Some(t[0].as_str()));
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

    #[test]
    fn a_count_a_colour_or_packaging_in_a_title_is_no_product() {
        let t: Vec<String> = [
            "Easter Eggs Fillable Plastic 24 Pack with Stickers",
            "Black Ceramic Coffee Mug 350ml Gift Set",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            match_product("the battery pack I bought is nowhere near 20000", &t),
            None
        );
        assert_eq!(match_product("my black jacket lost a button", &t), None);
        assert_eq!(
            match_product("the mug cracked", &t).as_deref(),
            Some(t[1].as_str())
        );
    }

    #[test]
    fn a_modifier_or_an_insult_is_no_product() {
        let t: Vec<String> = ["电热水壶 1.7L 自动断电", "加厚垃圾袋 家用 100只"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(match_product("倒热水就从底部漏", &t), None);
        assert_eq!(match_product("垃圾商家骗子！！！", &t), None);
        assert_eq!(
            match_product("水壶底部漏水", &t).as_deref(),
            Some(t[0].as_str())
        );
        assert_eq!(
            match_product("the kettle leaks", &t).as_deref(),
            Some(t[0].as_str())
        );
        assert_eq!(
            match_product("垃圾袋一拎就破", &t).as_deref(),
            Some(t[1].as_str())
        );
        let bins: Vec<String> = [
            "Pedal Rubbish Bin 30L Stainless Steel with Lid",
            "Cordless Hair Dryer Ionic 1800W",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            match_product("What a rubbish seller, honestly", &bins),
            None
        );
        assert_eq!(match_product("垃圾賣家，氣死", &bins), None);
        assert_eq!(
            match_product("the rubbish bin's pedal snapped off", &bins).as_deref(),
            Some(bins[0].as_str())
        );
    }

    #[test]
    fn everyday_kinds_in_regional_and_english_names() {
        let t: Vec<String> = [
            "万代高达 RG 1/144 拼装模型 正版",
            "冰丝凉席三件套 夏季 可水洗 1.5m",
            "Apple Pencil 第二代 触控笔 磁吸",
            "Oversized Pullover Sweatshirt Fleece Lined",
            "厨房纸巾 吸油 6卷",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for (said, meant) in [
            ("我訂的鋼彈到現在都沒寄", 0),
            ("the gundam kit came with a broken arm", 0),
            ("高达缺了两个零件", 0),
            ("凉席有股怪味", 1),
            ("涼蓆邊都脫線了", 1),
            ("the sleeping mat smells odd", usize::MAX),
            ("手写笔连不上了", 2),
            ("my stylus stopped pairing", 2),
            ("嗰支筆用兩日就壞咗", 2),
            ("the hoodie came in the wrong size", 3),
        ] {
            let got = match_product(said, &t);
            if meant == usize::MAX {
                assert_eq!(got, None, "{said}");
            } else {
                assert_eq!(got.as_deref(), Some(t[meant].as_str()), "{said}");
            }
        }
    }

    #[test]
    fn two_alike_are_not_resolved_silently() {
        let t: Vec<String> = ["316不锈钢保温杯", "陶瓷马克杯 带盖"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(rank("杯子漏水", &t).len(), 2);
        assert_eq!(match_product("杯子漏水", &t), None);
        assert_eq!(
            match_product("保温杯漏水", &t).as_deref(),
            Some(t[0].as_str())
        );
        assert_eq!(
            match_product("the mug cracked", &t).as_deref(),
            Some(t[1].as_str())
        );
    }
}
