//! Word segmentation: jieba with weiquan's domain dictionary, built once per process.

use std::sync::LazyLock;

// The segmenter's own types, for callers of `jieba()` (one jieba-rs in the workspace).
pub use jieba_rs::{Jieba, TokenizeMode};

/// The domain dictionary shipped in the crate (`data/dict.txt`).
const DOMAIN_DICT: &str = include_str!("../data/dict.txt");

static JIEBA: LazyLock<Jieba> = LazyLock::new(|| {
    let mut jieba = Jieba::new();
    for word in domain_words() {
        // `None` lets jieba pick a frequency high enough to keep the word whole.
        jieba.add_word(word, None, None);
    }
    jieba
});

/// The words of the domain dictionary.
pub fn domain_words() -> impl Iterator<Item = &'static str> {
    DOMAIN_DICT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The product nouns of the domain dictionary (its `# Products` section).
pub fn product_words() -> impl Iterator<Item = &'static str> {
    DOMAIN_DICT
        .lines()
        .map(str::trim)
        .skip_while(|l| *l != "# Products")
        .skip(1)
        .take_while(|l| !l.starts_with('#'))
        .filter(|l| !l.is_empty())
}

/// The shared segmenter (about 0.1 s to build in release, 0.3 s in debug; once per process).
pub fn jieba() -> &'static Jieba {
    &JIEBA
}

/// The words of `text` in order, whitespace dropped. The HMM is off: unknown words fall apart
/// into single characters, which the character n-grams of `features` cover anyway (with it on,
/// held-out intent accuracy did not change).
pub fn words(text: &str) -> Vec<&str> {
    JIEBA
        .cut(text, false)
        .into_iter()
        .map(|t| t.word)
        .filter(|w| !w.trim().is_empty())
        .collect()
}

/// The words of `text` for search: long words are also given as the shorter dictionary words
/// inside them (蓝牙耳机 → 蓝牙, 耳机, 蓝牙耳机).
pub fn search_words(text: &str) -> Vec<&str> {
    JIEBA
        .cut_for_search(text, false)
        .into_iter()
        .map(|t| t.word)
        .filter(|w| !w.trim().is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_words_stay_whole() {
        let w = words("七天无理由退货被拒，运费险也没赔，我要转人工");
        assert!(w.contains(&"七天无理由退货"), "{w:?}");
        assert!(w.contains(&"运费险"), "{w:?}");
        assert!(w.contains(&"转人工"), "{w:?}");
        let w = words("举报这家店刷单炒信，还有差评返现");
        for word in ["刷单", "炒信", "差评返现"] {
            assert!(w.contains(&word), "{w:?}");
        }
    }
}
