//! Choosing among the numbered choices shown: 「第二个」, 「2」, "the second one", an order
//! number (or its last digits), or a product word that tells one choice from the others.

use crate::fold::simplify;
use crate::slots::cnnum::parse_int;
use crate::slots::product::{Matcher, Mention, title};
use crate::slots::reference::Reference;

use super::{Candidate, Context, OrderInfo, Session, refer};

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

/// Whether an answer to "which one" goes on with what happened rather than saying which (「下单
/// 时候页面明明写的全国包邮送货上门 我这是县城」): a story of some length that reads surely as a
/// complaint ([`STORY_SURE`]); a description of the item meant (「给孩子买的那张迪士尼的票」)
/// reads far less surely. Its meaning is near some title by chance, so it never picks an order
/// by meaning alone.
pub(super) fn tells_the_story(text: &str) -> bool {
    let (han, words) = crate::parts::content(text);
    (han >= 10 || words >= 8)
        && crate::parts::Parts::new(text)
            .category(super::MIN_CONFIDENCE)
            .is_some_and(|(_, p)| p >= STORY_SURE)
}

/// How sure the category model must be of an answer to "which one" for it to be more of the
/// story (stories told there read 0.89–0.99 on the seen sets, descriptions of an item 0.45–0.62).
const STORY_SURE: f32 = 0.8;

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
    pub(super) fn pick(&self, text: &str, ctx: &Context<'_>) -> Option<Candidate> {
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
        // A description of one of the items shown: what it points at and rules out, a price,
        // meaning (`refer`).
        let shown = self.shown_items(ctx);
        if !shown.is_empty()
            && let refer::Pointed::One(i) = refer::decide(&refer::scores(text, &shown, ctx, true))
        {
            return choices.get(i).cloned();
        }
        // A product word: here even a modifier (保温的那个) tells the choices apart.
        let said = Reference::new(text);
        let m = Mention::new(
            if said.include.is_empty() {
                text
            } else {
                &said.include
            },
            &[],
        );
        let matcher = Matcher::default();
        let mut scored: Vec<(f32, &Candidate)> = choices
            .iter()
            .filter_map(|c| {
                let item = c.item.as_deref()?;
                Some((matcher.score(&m, &title(item)).total(), c))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        if let [(best, c), rest @ ..] = scored.as_slice()
            && *best > 0.0
            && rest.iter().all(|(s, _)| s < best)
        {
            return Some((*c).clone());
        }
        // A product named but matching no choice is for the product search, not a time.
        self.pick_by_attribute(text, ctx)
            .or_else(|| (!m.names_a_product()).then(|| self.pick_by_time(text, ctx))?)
    }

    /// The items shown as choices, with their orders (empty when the choices are whole orders).
    pub(super) fn shown_items<'a>(&self, ctx: &Context<'a>) -> Vec<(&'a OrderInfo, &'a str)> {
        let items: Vec<(&'a OrderInfo, &'a str)> = self
            .choices
            .iter()
            .filter_map(|c| {
                let o = ctx.orders.iter().find(|o| o.order_no == c.order_no)?;
                let item = o
                    .items
                    .iter()
                    .find(|i| Some(i.as_str()) == c.item.as_deref())?;
                Some((o, item.as_str()))
            })
            .collect();
        if items.len() == self.choices.len() {
            items
        } else {
            Vec::new()
        }
    }

    /// The items shown that an answer points at, when it points at some of them but not one:
    /// the shorter list to ask about.
    pub(super) fn narrowed(&self, text: &str, ctx: &Context<'_>) -> Option<Vec<Candidate>> {
        let shown = self.shown_items(ctx);
        match refer::decide(&refer::scores(text, &shown, ctx, true)) {
            refer::Pointed::Several(close) if close.len() < self.choices.len() => Some(
                close
                    .into_iter()
                    .filter_map(|i| self.choices.get(i).cloned())
                    .collect(),
            ),
            _ => None,
        }
    }

    /// The one choice whose shop the answer names, or whose title alone holds a word of the
    /// answer that tells them apart: a colour in either language ("the black one" ↔ 黑色), a
    /// size or model number (43, XL).
    fn pick_by_attribute(&self, text: &str, ctx: &Context<'_>) -> Option<Candidate> {
        let l = simplify(text).to_lowercase();
        // The shop it was bought from, when only one choice is from there.
        let from_shop: Vec<&Candidate> = self
            .choices
            .iter()
            .filter(|c| {
                ctx.orders.iter().any(|o| {
                    o.order_no == c.order_no && super::orders::names_its_shop(text, o, ctx)
                })
            })
            .collect();
        if let [one] = from_shop.as_slice() {
            return Some((*one).clone());
        }
        let mut marks: Vec<String> = Vec::new();
        for w in l.split(|c: char| !c.is_alphanumeric()) {
            if let Some(zh) = COLOURS.iter().find(|(en, _)| *en == w).map(|(_, zh)| zh) {
                marks.push((*zh).to_string());
            }
            if (w.len() >= 2 && w.chars().all(|c| c.is_ascii_digit()))
                || (w.len() <= 3
                    && w.chars().all(|c| c.is_ascii_alphabetic())
                    && SIZES.contains(&w))
            {
                marks.push(w.to_string());
            }
        }
        for (_, zh) in COLOURS {
            if l.contains(&format!("{zh}色")) {
                marks.push((*zh).to_string());
            }
        }
        if marks.is_empty() {
            return None;
        }
        let titles: Vec<String> = self
            .choices
            .iter()
            .map(|c| {
                let t = match &c.item {
                    Some(i) => i.clone(),
                    None => ctx
                        .orders
                        .iter()
                        .find(|o| o.order_no == c.order_no)
                        .map(|o| o.items.join(" "))
                        .unwrap_or_default(),
                };
                simplify(&t).to_lowercase()
            })
            .collect();
        let hits: Vec<usize> = (0..titles.len())
            .filter(|&i| {
                marks.iter().any(|m| {
                    titles[i].contains(m.as_str())
                        && titles.iter().filter(|t| t.contains(m.as_str())).count() == 1
                })
            })
            .collect();
        match hits.as_slice() {
            [one] => self.choices.get(*one).cloned(),
            _ => None,
        }
    }

    /// The one choice paid within the time the answer names (「上个月买的那双」 → last month,
    /// "the one from last week", 「前天买的」 → that day, a day either side).
    fn pick_by_time(&self, text: &str, ctx: &Context<'_>) -> Option<Candidate> {
        let folded = simplify(text).to_lowercase();
        let has = |ws: &[&str]| ws.iter().any(|w| folded.contains(w));
        // A time names the order only as when it was bought (「上个月买的那双」, "the one from
        // early October"); 「上周三签收的」 tells when something else happened.
        if !has(&[
            "买",
            "下单",
            "下的单",
            "拍的",
            "付款",
            "付的",
            "订的",
            "bought",
            "ordered",
            "purchased",
            "paid",
            "from ",
            "got it",
        ]) {
            return None;
        }
        let from = crate::slots::time::incident_at(&folded, ctx.now)?;
        let day = has(&["日", "号", "天"]) || folded.chars().any(|c| c.is_ascii_digit());
        let (from, to) = if has(&["月", "month"]) && !day {
            (from, from + chrono::Duration::days(31))
        } else if has(&["周", "星期", "礼拜", "week"]) && !day {
            (from, from + chrono::Duration::days(7))
        } else {
            (
                from - chrono::Duration::days(1),
                from + chrono::Duration::days(2),
            )
        };
        let hits: Vec<&Candidate> = self
            .choices
            .iter()
            .filter(|c| {
                ctx.orders
                    .iter()
                    .find(|o| o.order_no == c.order_no)
                    .is_some_and(|o| o.paid_at >= from && o.paid_at < to)
            })
            .collect();
        match hits.as_slice() {
            [one] => Some((*one).clone()),
            _ => None,
        }
    }
}

/// Colour words in English and the character that says them in a Chinese title.
const COLOURS: &[(&str, &str)] = &[
    ("black", "黑"),
    ("white", "白"),
    ("red", "红"),
    ("pink", "粉"),
    ("blue", "蓝"),
    ("green", "绿"),
    ("grey", "灰"),
    ("gray", "灰"),
    ("yellow", "黄"),
    ("purple", "紫"),
    ("brown", "棕"),
    ("orange", "橙"),
    ("silver", "银"),
    ("gold", "金"),
    ("beige", "米"),
];

/// Clothing sizes that tell two listings of one item apart.
const SIZES: &[&str] = &["xs", "xl", "xxl", "xxxl"];

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

    #[test]
    fn an_answer_that_goes_on_with_the_story_is_told_from_one_that_says_which() {
        for story in [
            "下单时候页面明明写的全国包邮送货上门 我这是县城又不是什么山沟",
            "still no money back and now it's the holiday so nobody answers at all",
        ] {
            assert!(tells_the_story(story), "{story}");
        }
        for which in [
            "螢幕本體，1299那台，支架是另外一家買的",
            "给孩子买的那张迪士尼的票",
            "the serum, not the shampoo",
            "大的那辆，不是那个小伞车",
        ] {
            assert!(!tells_the_story(which), "{which}");
        }
    }
}
