//! How a buyer points at one of their orders in their own words: what the words point at, and
//! what they rule out (「大的那辆，不是那个小伞车」, "the Philips one, not the brush heads",
//! "the double one from the other shop is fine").
//!
//! A reference is read clause by clause (split at punctuation, at 不是/而不是 inside a clause
//! and at "but"): a clause that opens with a negation (不是, 不要, 别, not, no, NOT) or says the
//! thing is fine (没问题, 好好的, "is fine", "came fine", "kept his") or was bought elsewhere
//! (「支架是另外一家买的」) rules its item out; the rest point at the item meant. [`distinctive`]
//! is the lexical half of telling items apart: the character bigrams, Latin words and numbers a
//! reply shares with one title, each counted by how few of the buyer's titles hold it (铁观音 in
//! one tea's title out of four tells it apart; 茶叶 in all of them tells nothing), so a brand, a
//! series or a size names an item the product-noun table does not know.

use weiquan_text::normalize::{fold_width, is_cjk};

use crate::fold::simplify;

/// What a reply points at and what it rules out, each as the reply's own clauses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reference {
    pub include: String,
    pub exclude: String,
}

/// Clause openings that rule the clause's item out.
const NEGATED: &[&str] = &[
    "不是",
    // Cantonese 唔係 (folded 唔系), 唔要, 唔使.
    "唔系",
    "唔係",
    "唔是",
    "唔要",
    "而不是",
    "并不是",
    "并非",
    "不要",
    "除了",
    "not ",
    "no ",
    "isn't ",
    "except ",
    "rather than ",
];

/// Predicates that say the clause's item is fine (so it is not the one complained about).
const FINE: &[&str] = &[
    "没问题",
    "冇问题",
    "冇事",
    "冇坏",
    "没事",
    "没毛病",
    "是好的",
    "好好的",
    "挺好",
    "正常",
    "没坏",
    "早就到了",
    "早到了",
    "is fine",
    "are fine",
    "was fine",
    "were fine",
    "is ok",
    "are ok",
    "came fine",
    "arrived fine",
    "already came",
    "already arrived",
    "came ages ago",
    "came long ago",
    "works fine",
    " kept ",
    // Bought elsewhere: another order, so not this one (「支架是另外一家买的」).
    "另外一家买的",
    "另一家买的",
    "别家买的",
    "别的店买的",
    "另外一个店买的",
    "另一个店买的",
    "bought elsewhere",
    "got elsewhere",
    "bought that elsewhere",
    "got that elsewhere",
    "from a different order",
    "another order",
];

impl Reference {
    pub fn new(text: &str) -> Reference {
        let folded = fold_width(&simplify(text)).to_lowercase();
        let mut marked = folded.clone();
        // 不是/而不是 inside a clause starts the part it rules out (「床头柜不是餐桌」).
        for w in [
            "而不是",
            "并不是",
            "不是",
            "唔系",
            "唔係",
            " but ",
            " rather than ",
        ] {
            marked = marked.replace(w, &format!("|{}", w.trim_start()));
        }
        let mut out = Reference::default();
        for clause in marked
            .split(|c: char| "|，,。；;！!？?\n、".contains(c) || c == '.')
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            let padded = format!(" {clause} ");
            let ruled_out = NEGATED.iter().any(|n| {
                let n = n.trim_end();
                clause.starts_with(n)
                    && !clause[n.len()..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic())
            }) || FINE.iter().any(|f| padded.contains(f));
            let side = if ruled_out {
                &mut out.exclude
            } else {
                &mut out.include
            };
            if !side.is_empty() {
                side.push('，');
            }
            side.push_str(clause);
        }
        out
    }
}

/// The tokens that can tell one title from another: Chinese character bigrams, Latin words of
/// two letters or more, and numbers of two digits or more (a size, a capacity, a model).
pub fn tokens(text: &str) -> Vec<String> {
    let folded = fold_width(&simplify(text)).to_lowercase();
    let chars: Vec<char> = folded.chars().collect();
    let mut out: Vec<String> = chars
        .windows(2)
        .filter(|w| w.iter().all(|&c| is_cjk(c)))
        .map(|w| w.iter().collect())
        .collect();
    out.extend(
        folded
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| w.len() >= 2 && !COMMON.contains(w))
            .flat_map(split_alnum),
    );
    out.sort_unstable();
    out.dedup();
    out
}

/// "230ml" → "230", "ml"; "cw2288" → "cw", "2288": a number and its unit are two tokens; a
/// plural also gives its singular.
fn split_alnum(w: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    for c in w.chars() {
        if !cur.is_empty()
            && cur.chars().last().is_some_and(|p| p.is_ascii_digit()) != c.is_ascii_digit()
        {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    out.push(cur);
    if let Some(stem) = crate::slots::product::singular(w) {
        out.push(stem.to_string());
    }
    out.retain(|t| t.len() >= 2 && !COMMON.contains(&t.as_str()));
    out
}

/// Latin words too common in listings and replies to tell items apart.
const COMMON: &[&str] = &[
    "the", "and", "for", "with", "one", "ones", "that", "this", "not", "from", "my", "it", "of",
    "in", "on", "to", "is", "pro", "max", "plus", "new", "set", "pack", "pcs",
];

/// How distinctly `reply` names each of `titles`: for every token the reply shares with a title,
/// one over the number of titles that hold it (a token all titles share tells nothing apart).
pub fn distinctive(reply: &str, titles: &[Vec<String>]) -> Vec<f32> {
    let said = tokens(reply);
    titles
        .iter()
        .map(|t| {
            said.iter()
                .filter(|w| t.binary_search(w).is_ok())
                .map(|w| {
                    let df = titles.iter().filter(|o| o.binary_search(w).is_ok()).count();
                    1.0 / df.max(1) as f32
                })
                .sum()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_points_at_one_and_rules_out_another() {
        let r = Reference::new("大的那辆，能躺的，不是那个小伞车");
        assert_eq!(r.include, "大的那辆，能躺的");
        assert_eq!(r.exclude, "不是那个小伞车");
        let r = Reference::new("床头柜不是餐桌");
        assert_eq!(
            (r.include.as_str(), r.exclude.as_str()),
            ("床头柜", "不是餐桌")
        );
        let r = Reference::new("the Philips one. not the brush heads, NOT my kid's one");
        assert_eq!(r.include, "the philips one");
        assert!(r.exclude.contains("brush heads") && r.exclude.contains("kid's"));
        let r = Reference::new("the single one. the double one from the other shop is fine");
        assert_eq!(r.include, "the single one");
        let r = Reference::new("贵的那个 紫色的，便宜的松下没问题");
        assert!(r.exclude.contains("松下"), "{r:?}");
        // Cantonese: 唔係 rules out, 冇問題 says it is fine.
        let r = Reference::new("飛利浦嗰部，唔係嗰支牙刷");
        assert!(r.exclude.contains("牙刷"), "{r:?}");
        assert!(!r.include.contains("牙刷"), "{r:?}");
        let r = Reference::new("大嗰個風扇，細嗰個冇問題");
        assert!(r.exclude.contains("细"), "{r:?}");
        // Bought at another shop: another order.
        let r = Reference::new("螢幕本體，1299那台，支架是另外一家買的");
        assert!(
            r.exclude.contains("支架") && !r.include.contains("支架"),
            "{r:?}"
        );
        let r = Reference::new("the monitor itself, the arm I bought elsewhere");
        assert!(r.exclude.contains("arm"), "{r:?}");
        // "nothing" and "note" are no negation.
        let r = Reference::new("nothing works, note the date");
        assert_eq!(r.exclude, "");
    }

    #[test]
    fn a_token_all_titles_share_tells_nothing() {
        let titles: Vec<Vec<String>> = [
            "安溪铁观音乌龙茶 礼盒装",
            "正山小种红茶 礼盒",
            "高山绿茶 茶叶",
        ]
        .iter()
        .map(|t| tokens(t))
        .collect();
        let s = distinctive("铁观音那个礼盒", &titles);
        assert!(s[0] > s[1] && s[1] > 0.0 && s[2] == 0.0, "{s:?}");
        let titles: Vec<Vec<String>> = ["SK-II神仙水230ml", "SK-II面霜80g"]
            .iter()
            .map(|t| tokens(t))
            .collect();
        let s = distinctive("230毫升那瓶", &titles);
        assert!(s[0] > 0.9 && s[1] == 0.0, "{s:?}");
    }
}
