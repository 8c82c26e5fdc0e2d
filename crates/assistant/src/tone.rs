//! Tone features: the heated lexicon, punctuation and shouting, plus the words themselves at a
//! low weight. A binary logistic regression over them (trained with the intents, see
//! `classifier`) decides `calm` or `emotional`.

use crate::features::{Prepared, Sparse, hash};
use crate::lexicon;

/// English words written in capitals without shouting.
const ACRONYMS: &[&str] = &[
    "SKU", "USB", "LED", "LCD", "OLED", "APP", "CEO", "USA", "VIP", "SIM", "GPS", "DIY", "PDF",
    "NFC", "HDMI", "SSD", "CPU", "GPU", "RAM", "ID", "OK", "TV", "PC", "UPS", "DHL", "EMS", "SF",
    "QQ", "VAT", "FAQ", "ASAP", "RMB", "CNY", "USD", "AM", "PM", "XL", "XXL", "XS",
];

/// Whether a word in capitals is an acronym rather than shouting.
pub fn is_acronym(word: &str) -> bool {
    ACRONYMS.contains(&word)
}

/// The tone features of an utterance; `folded` is the width-folded text with its case kept.
pub fn tone_features(folded: &str, p: &Prepared) -> Sparse {
    let mut pairs = vec![(hash(b'T', &["bias"]), 1.0)];
    let mut groups = [0u32; 4];
    for h in lexicon::hits(&p.text, &p.words) {
        pairs.push((hash(b'e', &[h.entry]), 1.0));
        groups[h.heat as usize] += 1;
    }
    for (g, n) in groups.iter().enumerate() {
        if *n > 0 {
            let name = [
                lexicon::Heat::Insult,
                lexicon::Heat::Threat,
                lexicon::Heat::Exasperation,
                lexicon::Heat::Profanity,
            ][g]
                .name();
            pairs.push((hash(b'g', &[name]), 1.0));
            if *n > 1 {
                pairs.push((hash(b'g', &[name, "many"]), 1.0));
            }
        }
    }
    for cue in punctuation_cues(folded) {
        pairs.push((hash(b'p', &[cue]), 1.0));
    }
    for w in p.words() {
        if w.chars().any(|c| c.is_alphanumeric()) {
            pairs.push((hash(b'u', &[w]), 0.3));
        }
    }
    Sparse::from_pairs(pairs)
}

/// Punctuation and shouting cues of `folded` (width folded, case kept).
pub fn punctuation_cues(folded: &str) -> Vec<&'static str> {
    let mut cues = vec![];
    let bangs = folded.matches('!').count();
    let longest_bang_run = longest_run(folded, &['!']);
    let longest_q_run = longest_run(folded, &['?']);
    if bangs >= 1 {
        cues.push("bang");
    }
    if bangs >= 2 {
        cues.push("bang2");
    }
    if longest_bang_run >= 2 || bangs >= 3 {
        cues.push("bangs");
    }
    if longest_bang_run >= 3 {
        cues.push("bang_run3");
    }
    if longest_q_run >= 2 {
        cues.push("questions");
    }
    if folded.contains("?!") || folded.contains("!?") {
        cues.push("interrobang");
    }
    if folded.contains("。。") || folded.contains("……") || folded.contains("...") {
        cues.push("ellipsis");
    }
    if folded
        .chars()
        .any(|c| matches!(c, '😡' | '🤬' | '😤' | '💢' | '👎' | '🖕'))
    {
        cues.push("angry_emoji");
    }
    let letters = folded.chars().filter(|c| c.is_ascii_alphabetic()).count();
    let upper = folded.chars().filter(|c| c.is_ascii_uppercase()).count();
    if letters >= 6 && upper * 10 >= letters * 7 {
        cues.push("shout");
    }
    let caps_words = folded
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_uppercase()))
        .filter(|w| !is_acronym(w))
        .count();
    if caps_words >= 1 {
        cues.push("caps_word");
    }
    if caps_words >= 2 {
        cues.push("caps_words");
    }
    cues
}

fn longest_run(text: &str, set: &[char]) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in text.chars() {
        if set.contains(&c) {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation_cues_see_shouting() {
        assert!(punctuation_cues("退钱!!!").contains(&"bang_run3"));
        assert!(punctuation_cues("WHERE IS MY REFUND").contains(&"shout"));
        assert!(!punctuation_cues("My USB cable broke").contains(&"caps_word"));
        assert!(punctuation_cues("请问怎么投诉？").is_empty());
    }
}
