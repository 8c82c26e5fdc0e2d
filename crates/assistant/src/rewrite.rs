//! A calmer rewrite of a heated message that keeps every fact.
//!
//! The message is split into clauses at punctuation. A clause loses its insults, threats,
//! swearing and exasperation (the `lexicon` entries); a clause that was nothing but heat
//! (「垃圾商家」, 「气死我了」, "you scammers") goes, and so does a threat clause that carries no
//! fact (「我要曝光你们」). Only lexicon words and function words are ever removed: digits, amounts,
//! dates and product words are never in the lexicon, so they always survive (see the tests).
//! Runs of `！！！`/`???` become one mark, shouted English words are lower-cased, and the message
//! is framed politely in the language it was written in.

use std::ops::Range;

use weiquan_text::normalize::{fold_char, is_cjk};
use weiquan_text::segment;

use crate::lexicon::{self, Heat};
use crate::tone::punctuation_cues;

/// Characters and words that carry no fact when left alone in a clause.
const FUNCTION_WORDS: &[&str] = &[
    "商家", "卖家", "店家", "客服", "你们", "我们", "他们", "这些", "这帮", "这种", "这个", "那个",
    "什么", "真是", "简直", "就是", "一个", "一群", "一帮", "我", "你", "他", "她", "它", "们",
    "的", "了", "吧", "啊", "呢", "吗", "呀", "哦", "是", "就", "都", "要", "去", "把", "给", "让",
    "被", "这", "那", "个", "些", "家", "店", "再", "也", "还", "真", "太", "很", "么", "样", "一",
    "帮", "群", "死", "个", "说", "等", "着", "到", "会", "对",
];

const ENGLISH_FUNCTION_WORDS: &[&str] = &[
    "this",
    "is",
    "a",
    "an",
    "the",
    "you",
    "your",
    "you're",
    "are",
    "i",
    "we",
    "it",
    "it's",
    "what",
    "such",
    "so",
    "total",
    "complete",
    "bunch",
    "of",
    "absolute",
    "absolutely",
    "and",
    "shop",
    "store",
    "seller",
    "sellers",
    "service",
    "ever",
    "most",
    "just",
    "am",
    "be",
    "will",
    "to",
    "all",
    "people",
    "guys",
    "really",
    "very",
    "my",
    "me",
    "i'm",
    "im",
    "going",
    "gonna",
];

/// Trailing or leading leftovers trimmed from a clause that lost words.
const LEFTOVERS: &[&str] = &[
    "你们这些",
    "你们这帮",
    "你们这群",
    "这帮",
    "这些",
    "这群",
    "这种",
    "真是",
    "简直",
    "就是",
    "你们",
    "you're",
    "you",
    "such a",
    "a",
    "the",
    "are",
];

/// Where the message is written in Chinese (any Chinese character) or English.
fn is_chinese(text: &str) -> bool {
    text.chars().any(is_cjk)
}

fn is_separator(chars: &[char], i: usize) -> bool {
    let c = fold_char(chars[i]);
    match c {
        ',' | '!' | '?' | ';' | '\n' | '。' | '、' | '~' | '～' | '…' => true,
        // A full stop, but not the point of 59.9
        '.' => {
            let digit_before = i > 0 && chars[i - 1].is_ascii_digit();
            let digit_after = chars.get(i + 1).is_some_and(|c| c.is_ascii_digit());
            !(digit_before && digit_after)
        }
        _ => false,
    }
}

fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x1F300..=0x1FAFF | 0x2600..=0x27BF)
}

/// Does the clause carry a fact that must survive: a number, an amount, a date?
fn has_fact(clause: &str) -> bool {
    clause.chars().any(|c| {
        fold_char(c).is_ascii_digit() || "元块天月号日周零一二两三四五六七八九十百千万".contains(c)
    })
}

/// What is left of `clause` once heat, punctuation and function words are gone.
fn substance(clause: &str) -> usize {
    let lower = clause.to_lowercase();
    if is_chinese(&lower) {
        let mut rest = lower.clone();
        for w in FUNCTION_WORDS.iter().filter(|w| w.chars().count() > 1) {
            rest = rest.replace(w, "");
        }
        rest.chars()
            .filter(|c| is_cjk(*c) || c.is_ascii_alphanumeric())
            .filter(|c| !FUNCTION_WORDS.contains(&c.to_string().as_str()))
            .count()
    } else {
        lower
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '\''))
            .filter(|w| !w.is_empty() && !ENGLISH_FUNCTION_WORDS.contains(w))
            .count()
    }
}

/// Heat found in `clause`, as byte ranges of `clause`, with whether any is a threat.
fn heat_in(clause: &str) -> (Vec<Range<usize>>, bool) {
    // Folding keeps one char per char, so byte offsets are mapped through char indices.
    let folded: String = clause
        .chars()
        .map(|c| fold_char(c).to_ascii_lowercase())
        .collect();
    let words: Vec<Range<usize>> = segment::jieba()
        .cut(&folded, false)
        .into_iter()
        .map(|t| t.byte_start..t.byte_end)
        .collect();
    let to_orig = |fb: usize| -> usize {
        let ci = folded[..fb].chars().count();
        clause
            .char_indices()
            .nth(ci)
            .map_or(clause.len(), |(b, _)| b)
    };
    let hits = lexicon::hits(&folded, &words);
    let threat = hits.iter().any(|h| h.heat == Heat::Threat);
    let ranges = hits
        .iter()
        .map(|h| to_orig(h.start)..to_orig(h.end))
        .collect();
    (ranges, threat)
}

/// Removes `ranges` (possibly overlapping) from `s`.
fn remove_ranges(s: &str, mut ranges: Vec<Range<usize>>) -> String {
    ranges.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    for r in ranges {
        if r.start > at {
            out.push_str(&s[at..r.start]);
        }
        at = at.max(r.end);
    }
    out.push_str(&s[at.min(s.len())..]);
    out
}

/// Particles left dangling at the start of a clause that lost its first words (「坑爹的净水器」).
const LEADING_PARTICLES: &[&str] = &["的", "了", "啊", "吧"];

fn trim_leftovers(mut s: String) -> String {
    loop {
        let t = s.trim_start();
        match LEADING_PARTICLES.iter().find(|p| t.starts_with(*p)) {
            Some(p) => s = t[p.len()..].to_string(),
            None => break,
        }
    }
    loop {
        let t = s.trim().to_string();
        let mut changed = false;
        let mut next = t.clone();
        for w in LEFTOVERS {
            let lw = next.to_lowercase();
            if lw.starts_with(w) && (!w.is_ascii() || lw[w.len()..].starts_with(' ')) {
                next = next[w.len()..].to_string();
                changed = true;
            } else if lw.ends_with(w) && (!w.is_ascii() || lw[..lw.len() - w.len()].ends_with(' '))
            {
                next.truncate(next.len() - w.len());
                changed = true;
            }
        }
        s = next;
        if !changed || s.trim() == t {
            return s.trim().to_string();
        }
    }
}

/// Lower-cases shouted words (all capitals, no digits, not an acronym) in shouted text.
fn unshout(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let shouted = word.len() >= 2
            && word.chars().all(|c| c.is_ascii_uppercase() || c == '\'')
            && !crate::tone::is_acronym(word);
        if shouted {
            out.push_str(&word.to_lowercase());
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || (c == '\'' && !word.is_empty()) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// A calmer rewrite of `text` that keeps its facts, in its language, framed politely.
pub fn calm_rewrite(text: &str) -> String {
    let zh = is_chinese(text);
    let body = calm_body(text);
    if zh {
        if body.is_empty() {
            return "您好，我对这次购物很不满意，希望尽快帮我处理，谢谢。".to_string();
        }
        let greeted = ["您好", "你好", "客服", "亲"]
            .iter()
            .any(|g| body.starts_with(g));
        let prefix = if greeted { "" } else { "您好，" };
        format!("{prefix}{body}麻烦尽快帮我处理，谢谢。")
    } else {
        if body.is_empty() {
            return "Hello, I am not satisfied with this purchase. Could you please help me resolve it? Thank you.".to_string();
        }
        let lower = body.to_ascii_lowercase();
        let greeted = ["hello", "hi ", "hi,", "dear"]
            .iter()
            .any(|g| lower.starts_with(g));
        let body = if greeted {
            let mut c = body.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        } else {
            format!("Hello, {body}")
        };
        format!("{body} Could you please help me resolve this? Thank you.")
    }
}

/// The calmer wording of `text` without the polite frame: its clauses with the heat removed,
/// empty when it was heat alone (「垃圾商家骗子！！！」).
pub fn calm_body(text: &str) -> String {
    let zh = is_chinese(text);
    let shouting = punctuation_cues(&text.chars().map(fold_char).collect::<String>())
        .iter()
        .any(|c| *c == "shout" || *c == "caps_word");
    let chars: Vec<char> = text.chars().filter(|c| !is_emoji(*c)).collect();
    // Clauses and the mark that ends each.
    let mut clauses: Vec<(String, char)> = vec![];
    let mut cur = String::new();
    let mut i = 0;
    while i < chars.len() {
        if is_separator(&chars, i) {
            let mut mark = ',';
            while i < chars.len() && is_separator(&chars, i) {
                mark = match fold_char(chars[i]) {
                    '?' => '?',
                    '!' | '。' | '.' | '\n' | '…' if mark != '?' => '.',
                    _ => mark,
                };
                i += 1;
            }
            clauses.push((std::mem::take(&mut cur), mark));
        } else {
            cur.push(chars[i]);
            i += 1;
        }
    }
    if !cur.trim().is_empty() {
        clauses.push((cur, '.'));
    }
    let mut kept: Vec<(String, char)> = vec![];
    for (clause, mark) in clauses {
        // The mark is part of some heat ("Seriously?"): look for it with the mark in place.
        let clause = if mark == '?' {
            format!("{clause}?")
        } else {
            clause
        };
        let (heat, threat) = heat_in(&clause);
        let clause = if heat.is_empty() {
            clause.trim_end_matches('?').to_string()
        } else {
            clause
        };
        if heat.is_empty() {
            if !clause.trim().is_empty() {
                kept.push((clause.trim().to_string(), mark));
            }
            continue;
        }
        if threat && !has_fact(&clause) {
            continue;
        }
        let rest = remove_ranges(&clause, heat);
        if substance(&rest) <= 1 && !has_fact(&rest) {
            continue;
        }
        let rest = trim_leftovers(rest.trim_end_matches('?').to_string());
        if !rest.is_empty() {
            kept.push((rest, mark));
        }
    }
    let mut body = String::new();
    for (k, (clause, mark)) in kept.iter().enumerate() {
        let clause = if shouting {
            unshout(clause)
        } else {
            clause.clone()
        };
        body.push_str(&clause);
        let last = k + 1 == kept.len();
        body.push_str(match (zh, *mark, last) {
            (true, '?', _) => "？",
            (true, '.', _) | (true, _, true) => "。",
            (true, _, _) => "，",
            (false, '?', _) => "? ",
            (false, '.', _) | (false, _, true) => ". ",
            (false, _, _) => ", ",
        });
    }
    body.trim().to_string()
}

#[cfg(test)]
mod tests;
