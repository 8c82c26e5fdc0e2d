//! Concept classes (`data/concepts.txt`): domain words that mean the same thing, in Chinese and
//! English, fire one shared feature, so the model generalises from a word it has seen to its
//! synonyms, and from Chinese training utterances to English ones.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use weiquan_text::normalize;

const CONCEPTS: &str = include_str!("../data/concepts.txt");

struct Entry {
    concept: usize,
    /// Latin entries match whole words only (the start always; the end unless `prefix`).
    latin: bool,
    prefix: bool,
}

struct Index {
    names: Vec<&'static str>,
    entries: Vec<Entry>,
    automaton: AhoCorasick,
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let mut names = vec![];
    let mut entries = vec![];
    let mut patterns: Vec<String> = vec![];
    for line in CONCEPTS.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, list) = line.split_once(':').expect("concept line is NAME: entries");
        names.push(name.trim());
        for raw in list.split('|').map(str::trim).filter(|e| !e.is_empty()) {
            let prefix = raw.ends_with('*');
            // The text is matched in its model form (digits become placeholders), so are entries.
            let entry = normalize::for_model(raw.trim_end_matches('*'));
            entries.push(Entry {
                concept: names.len() - 1,
                latin: entry.is_ascii(),
                prefix,
            });
            patterns.push(entry);
        }
    }
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(&patterns)
        .expect("concept patterns build");
    Index {
        names,
        entries,
        automaton,
    }
});

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// The names of the concepts present in `text` (model form: see `normalize::for_model`), each
/// once, in no particular order.
pub fn concepts_in(text: &str) -> Vec<&'static str> {
    let index = &*INDEX;
    let bytes = text.as_bytes();
    let mut seen = vec![false; index.names.len()];
    for m in index.automaton.find_overlapping_iter(text) {
        let e = &index.entries[m.pattern().as_usize()];
        if seen[e.concept] {
            continue;
        }
        if e.latin {
            let starts_word = m.start() == 0 || !is_word_byte(bytes[m.start() - 1]);
            let ends_word = m.end() == bytes.len() || !is_word_byte(bytes[m.end()]);
            if !starts_word || (!e.prefix && !ends_word) {
                continue;
            }
        }
        seen[e.concept] = true;
    }
    seen.iter()
        .enumerate()
        .filter(|(_, s)| **s)
        .map(|(i, _)| index.names[i])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concepts(text: &str) -> Vec<&'static str> {
        let mut c = concepts_in(&normalize::for_model(text));
        c.sort_unstable();
        c
    }

    #[test]
    fn synonyms_and_languages_share_a_concept() {
        assert!(concepts("这是高仿的").contains(&"FAKE"));
        assert!(concepts("it's a knockoff").contains(&"FAKE"));
        assert!(concepts("they refunded half").contains(&"MONEY_BACK"));
        assert!(concepts("说好48小时发货").contains(&"SLOW_SHIP"));
        // Whole words only for Latin entries: "bad" is not "ad", "status" is not "stat".
        assert!(!concepts("a bad day").contains(&"AD"));
        assert!(concepts("").is_empty());
    }

    #[test]
    fn a_promise_the_listing_makes_is_advertising() {
        // A bonus, a gift with the order, a health or lab claim, in any script or language
        // (traditional characters folded first, as the dialogue does).
        for text in [
            "标题写着买一送一，只寄来一罐",
            "详情页说临床验证，还写着医生推荐",
            "頁面寫買就送保溫袋，結果冇送",
            "商品頁寫「醫師推薦」，根本找不到是哪位醫師",
            "the page says clinically proven to ease back pain",
            "it was sold as dermatologist tested with a free upgrade to the big kit",
            "the bonus charger they listed never came",
        ] {
            assert!(
                concepts(&crate::fold::simplify(text)).contains(&"AD"),
                "{text}"
            );
        }
        // Proof of an order or a gift card is no claim of the listing.
        assert!(!concepts("i proved i paid with the receipt").contains(&"AD"));
    }
}
