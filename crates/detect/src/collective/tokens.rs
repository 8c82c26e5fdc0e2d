//! What a complaint is about, as a set of tokens: the issue lexicon's names for products and
//! problems, and jieba's words for the rest, with numbers, dates, punctuation and stop-words gone.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use weiquan_text::normalize::{fold_char, is_cjk};
use weiquan_text::segment;

const LEXICON: &str = include_str!("../../data/collective-lexicon.txt");

/// What a lexicon pattern stands for.
#[derive(Clone, Copy)]
struct Pattern {
    /// Index into `Lexicon::names`, or `None` for a stop-word.
    canon: Option<u32>,
    /// Latin patterns match whole words only (the start always; the end unless `prefix`).
    latin: bool,
    prefix: bool,
}

struct Lexicon {
    names: Vec<&'static str>,
    /// The names of problems (`[problems]` section), as against products and aspects, with
    /// their order in the section (their bit in [`problem_bits`]).
    problems: rustc_hash::FxHashMap<&'static str, u32>,
    patterns: Vec<Pattern>,
    automaton: AhoCorasick,
    /// Single-character and single Latin-word stop-words, dropped after segmentation.
    stop_words: rustc_hash::FxHashSet<&'static str>,
}

static LEX: LazyLock<Lexicon> = LazyLock::new(|| {
    let mut names = vec![];
    let mut problems = rustc_hash::FxHashMap::default();
    let mut in_problems = false;
    let mut patterns = vec![];
    let mut texts: Vec<String> = vec![];
    let mut stop_words = rustc_hash::FxHashSet::default();
    for line in LEXICON.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            in_problems = line == "[problems]";
            continue;
        }
        let (name, list) = line
            .split_once(':')
            .expect("lexicon line is NAME: variants");
        let name = name.trim();
        let stop = name == "!stop";
        let canon = (!stop).then(|| {
            names.push(name);
            if in_problems {
                let bit = problems.len() as u32;
                problems.insert(name, bit);
            }
            (names.len() - 1) as u32
        });
        let own = (!stop).then_some(name);
        for raw in own.into_iter().chain(list.split('|').map(str::trim)) {
            if raw.is_empty() {
                continue;
            }
            let prefix = raw.ends_with('*');
            let text = normalize(raw.trim_end_matches('*'));
            let text = text.trim();
            let latin = text.is_ascii();
            // A stop-word that segmentation keeps whole is dropped after it; only multi-character
            // Chinese ones and Latin phrases need the automaton (to win over shorter patterns
            // inside them, as 订单号 over 号).
            if stop && (text.chars().count() == 1 || (latin && !text.contains(' '))) {
                stop_words.insert(&*Box::leak(text.to_owned().into_boxed_str()));
                continue;
            }
            patterns.push(Pattern {
                canon,
                latin,
                prefix,
            });
            texts.push(text.to_owned());
        }
    }
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(&texts)
        .expect("lexicon patterns build");
    Lexicon {
        names,
        problems,
        patterns,
        automaton,
        stop_words,
    }
});

/// Folds width, lower-cases ASCII and blanks out numbers (order numbers, dates, prices,
/// quantities) with a following date or time unit (`3月5日`, `10点`), so that no number and no
/// date can make two complaints look alike.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_digit = false;
    for c in text.chars().map(fold_char) {
        if c.is_ascii_digit() {
            after_digit = true;
            continue;
        }
        if after_digit {
            after_digit = false;
            out.push(' ');
            if matches!(
                c,
                '年' | '月' | '日' | '号' | '点' | '时' | '分' | '秒' | '.' | '-' | '/' | ':'
            ) {
                continue;
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'\''
}

/// The tokens of `text`, in order, with repeats (see [`features`] for the set).
pub fn tokens(text: &str) -> Vec<String> {
    let lex = &*LEX;
    let text = normalize(text);
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut gap_start = 0;
    for m in lex.automaton.find_iter(&text) {
        let p = lex.patterns[m.pattern().as_usize()];
        if p.latin {
            let starts_word = m.start() == 0 || !is_word_byte(bytes[m.start() - 1]);
            let ends_word = m.end() == bytes.len() || !is_word_byte(bytes[m.end()]);
            if !starts_word || (!p.prefix && !ends_word) {
                continue;
            }
        }
        gap(&text[gap_start..m.start()], lex, &mut out);
        if let Some(c) = p.canon {
            out.push(lex.names[c as usize].to_owned());
        }
        gap_start = if p.prefix {
            // The rest of the word is the pattern's ending (`leak*` takes all of "leaking").
            m.end()
                + bytes[m.end()..]
                    .iter()
                    .take_while(|b| is_word_byte(**b))
                    .count()
        } else {
            m.end()
        };
    }
    gap(&text[gap_start..], lex, &mut out);
    out
}

/// Text between lexicon matches: jieba's words, English words stemmed, stop-words and
/// punctuation dropped.
fn gap(text: &str, lex: &Lexicon, out: &mut Vec<String>) {
    if text.trim().is_empty() {
        return;
    }
    for word in segment::words(text) {
        let word = word.trim_matches(|c: char| c == '\'' || c == '-');
        if word.is_empty() || lex.stop_words.contains(word) {
            continue;
        }
        if word.is_ascii() {
            if !word
                .bytes()
                .all(|b| b.is_ascii_alphabetic() || b == b'\'' || b == b'-')
                || word.len() < 2
            {
                continue;
            }
            out.push(stem(word));
        } else if word.chars().any(is_cjk) {
            out.push(word.to_owned());
        }
    }
}

/// A light English stemmer: plural and verb endings, so "leaks" and "leaked" meet.
fn stem(word: &str) -> String {
    let w = word.trim_end_matches("'s");
    let cut = |suffix: &str, min: usize| {
        w.strip_suffix(suffix)
            .filter(|s| s.len() >= min)
            .map(str::to_owned)
    };
    cut("ing", 4)
        .or_else(|| cut("ed", 4))
        .or_else(|| {
            w.strip_suffix("ies")
                .filter(|s| s.len() >= 3)
                .map(|s| format!("{s}y"))
        })
        .or_else(|| {
            w.strip_suffix('s')
                .filter(|s| s.len() >= 3 && !s.ends_with('s') && !s.ends_with('u'))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| w.to_owned())
}

/// How many times a problem's name counts against a product's or another word's.
pub const PROBLEM_WEIGHT: usize = 3;

/// The distinct tokens of `text`, sorted: what a signature is computed from. A problem named by
/// the lexicon counts [`PROBLEM_WEIGHT`] times (as `name`, `name#2`, …), so that two complaints
/// about one product at one shop need more than the product in common: the Jaccard similarity
/// of these sets is a weighted Jaccard similarity of the tokens.
pub fn features(text: &str) -> Vec<String> {
    let lex = &*LEX;
    let mut t = tokens(text);
    t.sort_unstable();
    t.dedup();
    let extra: Vec<String> = t
        .iter()
        .filter(|w| lex.problems.contains_key(w.as_str()))
        .flat_map(|w| (2..=PROBLEM_WEIGHT).map(move |k| format!("{w}#{k}")))
        .collect();
    t.extend(extra);
    t.sort_unstable();
    t
}

/// The lexicon's problems among `features` ([`features`]' output), one bit each (the 65th
/// problem shares the first's bit, and so on: a shared bit can only make two complaints look
/// like they share a problem, never the reverse).
pub fn problem_bits(features: &[String]) -> u64 {
    let lex = &*LEX;
    features
        .iter()
        .filter_map(|w| lex.problems.get(w.as_str()))
        .fold(0, |bits, &i| bits | 1 << (i % 64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_dates_and_units_go() {
        let words = |t: &str| {
            normalize(t)
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            words("订单２０２６０３０５１２３４ 3月5日买的"),
            ["订单", "买的"]
        );
        assert_eq!(words("2026-03-05 10:30 下单"), ["下单"]);
        assert_eq!(words("Ordered 16GB"), ["ordered", "gb"]);
    }

    #[test]
    fn synonyms_in_either_language_meet() {
        let a = features("左边耳机完全不出声");
        let b = features("The left earbud makes no sound at all");
        for t in ["耳机", "左", "无声"] {
            assert!(a.iter().any(|x| x == t), "{a:?}");
            assert!(b.iter().any(|x| x == t), "{b:?}");
        }
        assert!(features("it is leaking").contains(&"漏".to_owned()));
    }

    #[test]
    fn stop_words_and_order_numbers_carry_nothing() {
        assert!(features("订单号 20260305123456，我的订单，商家客服").is_empty());
        assert_eq!(stem("wheels"), "wheel");
        assert_eq!(stem("batteries"), "battery");
        assert_eq!(stem("glass"), "glass");
    }
}
