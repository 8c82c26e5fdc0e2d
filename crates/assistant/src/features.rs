//! Sparse hashed features of an utterance for the linear models.
//!
//! Namespaces (each hashed with its own seed into one space of [`DIM`] buckets):
//! jieba word unigrams and bigrams (a bigram does not cross punctuation), a crude English stem
//! for Latin words, character 1–3-grams over runs of Chinese characters, and the concept classes
//! of `concepts` (synonyms across both languages). Values are term
//! counts scaled to unit length, so a long message weighs no more than a short one.

use std::ops::Range;

use weiquan_text::normalize::{self, is_cjk, is_punct};
use weiquan_text::segment;

use crate::concepts;

/// Number of hash buckets (2^18): the corpus has a few tens of thousands of distinct features.
pub const DIM: usize = 1 << 18;
const MASK: u32 = (DIM as u32) - 1;

/// A sparse vector: sorted unique bucket indices with their values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sparse {
    pub idx: Vec<u32>,
    pub val: Vec<f32>,
}

impl Sparse {
    /// Builds a vector from (bucket, value) pairs, summing repeated buckets.
    pub fn from_pairs(mut pairs: Vec<(u32, f32)>) -> Sparse {
        pairs.sort_unstable_by_key(|p| p.0);
        let mut out = Sparse::default();
        for (i, v) in pairs {
            if out.idx.last() == Some(&i) {
                *out.val.last_mut().expect("same length") += v;
            } else {
                out.idx.push(i);
                out.val.push(v);
            }
        }
        out
    }

    /// Scales the vector to unit Euclidean length (no-op when empty).
    pub fn normalize(&mut self) {
        let norm = self.val.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            self.val.iter_mut().for_each(|v| *v /= norm);
        }
    }

    pub fn len(&self) -> usize {
        self.idx.len()
    }

    pub fn is_empty(&self) -> bool {
        self.idx.is_empty()
    }
}

/// FNV-1a over the namespace seed and the bytes of the parts, joined by a separator.
pub fn hash(ns: u8, parts: &[&str]) -> u32 {
    let mut h: u32 = 0x811c_9dc5 ^ u32::from(ns).wrapping_mul(0x0100_0193);
    for (k, part) in parts.iter().enumerate() {
        if k > 0 {
            h = (h ^ 0x1f).wrapping_mul(0x0100_0193);
        }
        for &b in part.as_bytes() {
            h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
    }
    // A final avalanche so that near-identical strings spread over the buckets.
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h & MASK
}

/// The text with its order-number mentions left out (「订单202611151234567890的…」, "order
/// #402270116643895021"): any matter may name its order, so neither reading of the intent
/// should learn from one (a line of one intent that happens to carry a number pulled others
/// that do towards it).
pub fn without_order_numbers(text: &str) -> std::borrow::Cow<'_, str> {
    static ORDER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)(?:订单编号|订单号|訂單編號|訂單號|订单|訂單|单号|單號|order\s*(?:number|no\.?)?)?\s*[:：#＃]?\s*[0-9０-９]{18}",
        )
        .expect("order-number pattern compiles")
    });
    ORDER.replace_all(text, " ")
}

/// An utterance prepared once for every model: the model text and its words.
#[derive(Debug)]
pub struct Prepared {
    /// Width folded, lower-cased, digits replaced (see [`normalize::for_model`]).
    pub text: String,
    /// Byte ranges of the jieba words in `text`, whitespace dropped.
    pub words: Vec<Range<usize>>,
}

impl Prepared {
    pub fn new(raw: &str) -> Prepared {
        let text = normalize::for_model(raw);
        let words = segment::jieba()
            .cut(&text, false)
            .into_iter()
            .filter(|t| !t.word.trim().is_empty())
            .map(|t| t.byte_start..t.byte_end)
            .collect();
        Prepared { text, words }
    }

    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.words.iter().map(|r| &self.text[r.clone()])
    }
}

fn is_punct_word(w: &str) -> bool {
    w.chars().all(is_punct)
}

/// Strips the commonest English inflections, so `refunded`/`refunds`/`refunding` share a stem.
pub fn stem(word: &str) -> &str {
    for suffix in ["ing", "ed", "es", "s", "ly"] {
        if let Some(s) = word.strip_suffix(suffix)
            && s.len() >= 3
        {
            // `shipped`/`shipping` → `ship`: drop a doubled final consonant.
            let b = s.as_bytes();
            if suffix.len() > 1
                && b[b.len() - 1] == b[b.len() - 2]
                && !b"aeiousl".contains(&b[b.len() - 1])
            {
                return &s[..s.len() - 1];
            }
            return s;
        }
    }
    word
}

/// The intent features of a prepared utterance.
pub fn intent_features(p: &Prepared) -> Sparse {
    let mut pairs: Vec<(u32, f32)> = Vec::with_capacity(4 * p.text.len() / 3 + 16);
    pairs.push((hash(b'B', &["bias"]), 1.0));
    let mut prev: Option<&str> = None;
    for w in p.words() {
        if is_punct_word(w) {
            prev = None;
            continue;
        }
        pairs.push((hash(b'w', &[w]), 1.0));
        if w.bytes().all(|b| b.is_ascii_alphabetic()) && w.len() > 3 {
            pairs.push((hash(b's', &[stem(w)]), 1.0));
        }
        pairs.push((hash(b'b', &[prev.unwrap_or("^"), w]), 1.0));
        prev = Some(w);
    }
    char_ngrams(&p.text, &mut pairs);
    for concept in concepts::concepts_in(&p.text) {
        pairs.push((hash(b'k', &[concept]), 1.0));
    }
    let mut v = Sparse::from_pairs(pairs);
    v.normalize();
    v
}

/// Character 1–3-grams over each run of Chinese characters (digit placeholders inside a run
/// count as characters: `0天` is a useful bigram).
fn char_ngrams(text: &str, pairs: &mut Vec<(u32, f32)>) {
    let mut run: Vec<(usize, usize)> = Vec::new(); // (byte start, byte end) of each char
    let flush = |run: &mut Vec<(usize, usize)>, pairs: &mut Vec<(u32, f32)>| {
        for i in 0..run.len() {
            for n in 1..=3 {
                if i + n <= run.len() {
                    let gram = &text[run[i].0..run[i + n - 1].1];
                    if n == 1 && !gram.chars().all(is_cjk) {
                        continue;
                    }
                    pairs.push((hash(b'c', &[gram]), 1.0));
                }
            }
        }
        run.clear();
    };
    for (i, c) in text.char_indices() {
        if is_cjk(c) || ((c == '0' || c == '#') && !run.is_empty()) {
            run.push((i, i + c.len_utf8()));
        } else if (c == '0' || c == '#') && text[i + 1..].chars().next().is_some_and(is_cjk) {
            run.push((i, i + 1));
        } else {
            flush(&mut run, pairs);
        }
    }
    flush(&mut run, pairs);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_sums_and_normalizes() {
        let mut v = Sparse::from_pairs(vec![(5, 1.0), (2, 1.0), (5, 1.0)]);
        assert_eq!(v.idx, vec![2, 5]);
        assert_eq!(v.val, vec![1.0, 2.0]);
        v.normalize();
        assert!((v.val.iter().map(|x| x * x).sum::<f32>() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn numbers_and_width_do_not_change_features() {
        let a = intent_features(&Prepared::new("订单202505041234567890还没发货！"));
        let b = intent_features(&Prepared::new(
            "订单３１２３４５６７８９０１２３４５６７８还没发货!",
        ));
        assert_eq!(a, b);
        let c = intent_features(&Prepared::new("Still NOT shipped"));
        let d = intent_features(&Prepared::new("still not shipped"));
        assert_eq!(c, d);
    }

    #[test]
    fn stems_english() {
        assert_eq!(stem("refunded"), "refund");
        assert_eq!(stem("shipping"), "ship");
        assert_eq!(stem("shipped"), "ship");
        assert_eq!(stem("is"), "is");
    }
}
