//! Choosing among the numbered choices shown: 「第二个」, 「2」, "the second one", an order
//! number (or its last digits), or a product word that tells one choice from the others.

use crate::fold::simplify;
use crate::slots::cnnum::parse_int;
use crate::slots::product::{Matcher, Mention, title};

use super::{Candidate, Session};

/// Words around a number that picks (「第二个」, 「2号」, "the second one", "number 2").
const AROUND: &[&str] = &[
    "第", "个", "笔", "件", "号", "那", "这", "吧", "的", "是", "订单", "商品", "选", "就", "要",
    "the ", "number", "no.", "#", "option", "order", "one", "it's", "it is", "choose", "pick",
    "please",
];

const ENGLISH: &[(&str, usize)] = &[
    ("first", 1),
    ("1st", 1),
    ("second", 2),
    ("2nd", 2),
    ("third", 3),
    ("3rd", 3),
    ("fourth", 4),
    ("4th", 4),
    ("fifth", 5),
    ("5th", 5),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
];

/// The 1-based position an answer names, if it is nothing but a position.
pub(super) fn ordinal(text: &str) -> Option<usize> {
    let mut s = format!(" {} ", simplify(text).to_lowercase());
    for w in AROUND {
        s = s.replace(w, " ");
    }
    let s: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && !"，。！？、,.!?~～".contains(*c))
        .collect();
    if s.is_empty() {
        return None;
    }
    if let Some(&(_, n)) = ENGLISH.iter().find(|(w, _)| *w == s) {
        return Some(n);
    }
    if s.len() <= 2 && s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok();
    }
    if s.chars().count() <= 2 {
        return parse_int(&s).and_then(|n| usize::try_from(n).ok());
    }
    None
}

impl Session {
    /// The choice `text` picks, if it picks exactly one.
    pub(super) fn pick(&self, text: &str) -> Option<Candidate> {
        let choices = &self.choices;
        if choices.is_empty() {
            return None;
        }
        if let Some(n) = ordinal(text) {
            return n.checked_sub(1).and_then(|i| choices.get(i)).cloned();
        }
        // An order number, or its last four digits or more.
        let digits: Vec<&str> = text
            .split(|c: char| !c.is_ascii_digit())
            .filter(|d| d.len() >= 4)
            .collect();
        for d in digits {
            let hits: Vec<&Candidate> =
                choices.iter().filter(|c| c.order_no.ends_with(d)).collect();
            if let [one] = hits.as_slice() {
                return Some((*one).clone());
            }
        }
        // A product word: here even a modifier (保温的那个) tells the choices apart.
        let m = Mention::new(text, &[]);
        let matcher = Matcher::default();
        let mut scored: Vec<(f32, &Candidate)> = choices
            .iter()
            .filter_map(|c| {
                let item = c.item.as_deref()?;
                Some((matcher.score(&m, &title(item)).total(), c))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        match scored.as_slice() {
            [(best, c), rest @ ..] if *best > 0.0 && rest.iter().all(|(s, _)| s < best) => {
                Some((*c).clone())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_positions() {
        assert_eq!(ordinal("第二个"), Some(2));
        assert_eq!(ordinal("2"), Some(2));
        assert_eq!(ordinal("第2个吧"), Some(2));
        assert_eq!(ordinal("第一笔"), Some(1));
        assert_eq!(ordinal("the second one"), Some(2));
        assert_eq!(ordinal("#3"), Some(3));
        assert_eq!(ordinal("第三個"), Some(3));
        assert_eq!(ordinal("202611151234567890"), None);
        assert_eq!(ordinal("保温杯"), None);
        assert_eq!(ordinal("昨天"), None);
    }
}
