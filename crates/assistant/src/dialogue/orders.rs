//! Which order and item the consumer means: from an order number, from a choice among those
//! shown, or found from the product they name among the items of all their orders.

use super::labels::t;
use super::refer::{self, Pointed};
use super::{Candidate, Context, Kind, OrderInfo, Reply, Session};
use crate::slots::product::{Matcher, Mention, Score, best_of, title};
use crate::slots::reference::Reference;

/// How many matching items a question lists at most.
pub(super) const MAX_CHOICES: usize = 5;
/// A description the noun table does not know names an item only this strongly (two
/// distinctive bigrams: 铁观音 among teas; one, 热水 of 电热水壶, is a modifier and does not).
const NAMED_FLOOR: f32 = 3.0;

impl Session {
    pub(super) fn set_order(&mut self, no: &str, ctx: &Context<'_>) {
        let order = ctx.orders.iter().find(|o| o.order_no == no);
        if self.slots.order_no.as_deref() != Some(no) {
            self.slots.order_no = Some(no.to_string());
            // A product already named stays when the order holds it.
            let holds = |p: &String| order.is_some_and(|o| o.items.contains(p));
            if !self.slots.product.as_ref().is_some_and(holds) {
                self.slots.product = None;
            }
        }
        if let Some(o) = order {
            if let [only] = o.items.as_slice() {
                self.slots.product = Some(only.clone());
            }
            if self.kind == Kind::Report {
                self.slots.shop_id = Some(o.shop_id.clone());
            }
        }
    }

    /// The order meant when the text names the shop it came from and the consumer bought from
    /// that shop only once ("the jerk running SoundWave's customer chat", 「小鹿家居那家」).
    fn order_of_named_shop<'a>(&self, text: &str, ctx: &Context<'a>) -> Option<&'a OrderInfo> {
        let mut named = ctx.orders.iter().filter(|o| names_its_shop(text, o, ctx));
        let first = named.next()?;
        named.next().is_none().then_some(first)
    }

    pub(super) fn order<'a>(&self, ctx: &Context<'a>) -> Option<&'a OrderInfo> {
        let no = self.slots.order_no.as_ref()?;
        ctx.orders.iter().find(|o| &o.order_no == no)
    }

    /// Finds the item `text` names among the items of every order (or of the order already
    /// chosen). One clear match is taken and said (「已为您匹配订单…」); several alike become
    /// the choices to ask about; a product that none of the orders holds is said too. When the
    /// product-noun table names none, or several alike, the reply's other signals decide
    /// (`refer`: distinctive words, what it rules out, a price, meaning when `choosing`, i.e.
    /// answering the question about the order).
    pub(super) fn resolve_product(
        &mut self,
        text: &str,
        ctx: &Context<'_>,
        reply: &mut Reply,
        choosing: bool,
    ) {
        let shops: Vec<&str> = ctx.orders.iter().map(|o| o.shop_name.as_str()).collect();
        if let Some(current) = self.slots.product.clone() {
            self.corrected_item(text, &current, &shops, ctx, reply);
            return;
        }
        // A shop named that sold the consumer one order decides it, whatever the words beside
        // the name look like (an insult, a product the order does not list). A report names the
        // shop it is about; the listing it reports is asked, not taken from an order.
        if self.kind == Kind::Complaint
            && self.slots.order_no.is_none()
            && let Some(o) = self.order_of_named_shop(text, ctx)
            && let Some(item) = self.item_meant(o, text)
        {
            self.take_item(o, &item, ctx, reply);
            return;
        }
        // The words that point at the item, not those that rule one out (「不是那个小伞车」).
        let said = Reference::new(text);
        let m = Mention::new(
            if said.include.is_empty() {
                text
            } else {
                &said.include
            },
            &shops,
        );
        let matcher = Matcher::default();
        let pairs: Vec<(&OrderInfo, &String)> = ctx
            .orders
            .iter()
            .filter(|o| {
                self.slots
                    .order_no
                    .as_ref()
                    .is_none_or(|n| n == &o.order_no)
            })
            .flat_map(|o| o.items.iter().map(move |i| (o, i)))
            .collect();
        let mut ranked: Vec<(usize, Score)> = pairs
            .iter()
            .enumerate()
            .map(|(i, (_, item))| (i, matcher.score(&m, &title(item))))
            .filter(|(_, s)| s.names())
            .collect();
        ranked.sort_by(|a, b| b.1.total().total_cmp(&a.1.total()));
        let lang = self.lang;
        if ranked.is_empty() {
            // No noun of the table: a word only one title holds, a price, meaning when asked.
            let all: Vec<(&OrderInfo, &str)> =
                pairs.iter().map(|(o, i)| (*o, i.as_str())).collect();
            let by_meaning = choosing && !super::pick::tells_the_story(text);
            let s = refer::scores(text, &all, ctx, by_meaning);
            match refer::decide(&s) {
                Pointed::One(i)
                    if s.score[i] >= NAMED_FLOOR
                        || (by_meaning && s.by_meaning[i] >= refer::MEANING_NAMES) =>
                {
                    self.take_item(pairs[i].0, pairs[i].1, ctx, reply);
                    return;
                }
                Pointed::Several(close) if choosing => {
                    self.choices = close
                        .into_iter()
                        .take(MAX_CHOICES)
                        .map(|i| Candidate {
                            order_no: pairs[i].0.order_no.clone(),
                            item: Some(pairs[i].1.clone()),
                        })
                        .collect();
                    return;
                }
                _ => {}
            }
            if self.slots.order_no.is_none() && m.names_a_product() && !ctx.orders.is_empty() {
                reply.text.push_str(&t(
                    lang,
                    "在您的订单里没有找到您说的这件商品。",
                    "I could not find that product among your orders. ",
                ));
            }
            return;
        }
        if let Some(i) = best_of(&ranked) {
            let (o, item) = pairs[i];
            self.take_item(o, item, ctx, reply);
            return;
        }
        // Several alike: the ones as strong as the best, told apart by the reply's other
        // signals, else asked about.
        let top = ranked[0].1;
        let alike: Vec<usize> = ranked
            .iter()
            .filter(|(_, s)| s.strong >= top.strong && s.total() + 1.0 > top.total())
            .map(|&(i, _)| i)
            .collect();
        let cands: Vec<(&OrderInfo, &str)> = alike
            .iter()
            .map(|&i| (pairs[i].0, pairs[i].1.as_str()))
            .collect();
        let close: Vec<usize> = match refer::decide(&refer::scores(text, &cands, ctx, choosing)) {
            Pointed::One(k) => {
                let i = alike[k];
                self.take_item(pairs[i].0, pairs[i].1, ctx, reply);
                return;
            }
            Pointed::Several(close) => close.into_iter().map(|k| alike[k]).collect(),
            Pointed::Nothing => alike,
        };
        self.choices = close
            .into_iter()
            .take(MAX_CHOICES)
            .map(|i| Candidate {
                order_no: pairs[i].0.order_no.clone(),
                item: Some(pairs[i].1.clone()),
            })
            .collect();
        // The same item bought more than once: the product is known, the order is asked.
        if let Some(first) = self.choices.first().and_then(|c| c.item.clone())
            && self.choices.iter().all(|c| c.item.as_ref() == Some(&first))
        {
            self.slots.product = Some(first);
        }
    }

    /// The item of `o` that `text` names, or its only item.
    fn item_meant(&self, o: &OrderInfo, text: &str) -> Option<String> {
        if let [only] = o.items.as_slice() {
            return Some(only.clone());
        }
        let m = Mention::new(text, &[]);
        let matcher = Matcher::default();
        o.items
            .iter()
            .map(|i| (i, matcher.score(&m, &title(i))))
            .filter(|(_, s)| s.names())
            .max_by(|a, b| a.1.total().total_cmp(&b.1.total()))
            .map(|(i, _)| i.clone())
    }

    /// 「拖把那单，不是垃圾袋」, "the desk, not the chair" once an item was taken: the item taken
    /// ruled out and one other named is a correction, whatever was being asked.
    fn corrected_item(
        &mut self,
        text: &str,
        current: &str,
        shops: &[&str],
        ctx: &Context<'_>,
        reply: &mut Reply,
    ) {
        // Only an order ruled out in so many words (「不是」, "not the"): "no training wheels, no
        // bell" tells what is missing from the item taken.
        let l = crate::fold::simplify(text).to_lowercase();
        let rules_out = [
            "不是",
            "唔系",
            "not the ",
            "not that ",
            "not my ",
            "isn't the ",
        ]
        .iter()
        .any(|w| l.contains(w));
        let said = Reference::new(text);
        if !rules_out || said.exclude.is_empty() || said.include.is_empty() {
            return;
        }
        let matcher = Matcher::default();
        if !matcher
            .score(&Mention::new(&said.exclude, shops), &title(current))
            .names()
        {
            return;
        }
        let m = Mention::new(&said.include, shops);
        let mut named: Vec<(f32, &OrderInfo, &String)> = ctx
            .orders
            .iter()
            .flat_map(|o| o.items.iter().map(move |i| (o, i)))
            .filter(|(_, i)| i.as_str() != current)
            .map(|(o, i)| (matcher.score(&m, &title(i)), o, i))
            .filter(|(s, _, _)| s.names())
            .map(|(s, o, i)| (s.total(), o, i))
            .collect();
        named.sort_by(|a, b| b.0.total_cmp(&a.0));
        if let [(best, o, item), rest @ ..] = named.as_slice()
            && rest.first().is_none_or(|(next, _, _)| next < best)
        {
            self.slots.order_no = None;
            self.slots.product = None;
            self.take_item(o, item, ctx, reply);
        }
    }

    /// Takes `item` of order `o` as the one meant, and says which order that is.
    fn take_item(&mut self, o: &OrderInfo, item: &str, ctx: &Context<'_>, reply: &mut Reply) {
        if self.slots.order_no.is_none() {
            self.set_order(&o.order_no, ctx);
            reply.text.push_str(&t(
                self.lang,
                format!("已为您匹配订单 {}（{}）。", o.order_no, item),
                format!("I matched order {} ({}). ", o.order_no, item),
            ));
        }
        self.slots.product = Some(item.to_string());
        self.choices.clear();
    }

    /// Takes the choice `text` picks among those shown; whether it picked one.
    /// When it picks none but points at fewer of the items shown, those are the choices now.
    pub(super) fn take_choice(&mut self, text: &str, ctx: &Context<'_>, reply: &mut Reply) -> bool {
        let Some(c) = self.pick(text, ctx) else {
            if let Some(close) = self.narrowed(text, ctx) {
                self.choices = close;
                return true;
            }
            return false;
        };
        self.set_order(&c.order_no, ctx);
        if let Some(item) = &c.item {
            self.slots.product = Some(item.clone());
        }
        self.choices.clear();
        let what = self.slots.product.clone().unwrap_or_default();
        reply.text.push_str(&t(
            self.lang,
            if what.is_empty() {
                format!("好的，是订单 {}。", c.order_no)
            } else {
                format!("好的，是订单 {}（{}）。", c.order_no, what)
            },
            if what.is_empty() {
                format!("Order {} it is. ", c.order_no)
            } else {
                format!("Order {} ({}) it is. ", c.order_no, what)
            },
        ));
        true
    }
}

/// Words a shop's name is made of that say nothing of which shop it is.
const GENERIC_SHOP_WORDS: &[&str] = &[
    "官方旗舰店",
    "旗舰店",
    "专营店",
    "专卖店",
    "官方",
    "自营",
    "小铺",
    "小店",
    "店铺",
    "生活馆",
    "工作室",
    "馆",
    "店",
    "铺",
    "official",
    "store",
    "shop",
    "flagship",
    "mall",
    "outlet",
    "studio",
    "co",
    "co.",
    "ltd",
    "the",
];

/// Whether `text` names the shop order `o` came from, and not a brand the consumer's items carry
/// (「网易严选的」 beside 网易严选乳胶枕, "the Lego set" beside LEGO Official Store's LEGO kits:
/// the product's name, not the shop's).
pub(super) fn names_its_shop(text: &str, o: &OrderInfo, ctx: &Context<'_>) -> bool {
    let keys = shop_keys(&o.shop_name);
    names_shop(text, &o.shop_name, &keys)
        && !ctx.orders.iter().flat_map(|x| &x.items).any(|item| {
            let item = crate::fold::simplify(item).to_lowercase();
            keys.iter().any(|k| item.contains(k.as_str()))
        })
}

/// The words of a shop's name that say which shop it is, lower case: what is left without its
/// generic words (小鹿家居生活馆 → 小鹿家居, "SoundWave Official" → soundwave), and an English
/// name's brand word written in camel case ("SoundPeak Audio Flagship" → soundpeak).
fn shop_keys(name: &str) -> Vec<String> {
    let n = crate::fold::simplify(name).to_lowercase();
    let is_han = |c: char| weiquan_text::normalize::is_cjk(c);
    let mut keys = vec![];
    if n.chars().any(is_han) {
        let mut core = n.clone();
        for w in GENERIC_SHOP_WORDS.iter().filter(|w| w.chars().any(is_han)) {
            if let Some(rest) = core.strip_suffix(w) {
                core = rest.to_string();
            }
        }
        if core.chars().count() >= 2 && core != n {
            keys.push(core);
        }
        return keys;
    }
    let words: Vec<&str> = n.split_whitespace().collect();
    let core: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !GENERIC_SHOP_WORDS.contains(w))
        .collect();
    let phrase = core.join(" ");
    if core.len() < words.len() && phrase.len() >= 4 {
        keys.push(phrase);
    }
    // A made-up brand word (SoundWave, PowerMax): a capital inside the word.
    if let Some(w) = name.split_whitespace().next()
        && w.len() >= 5
        && w.chars().skip(1).any(|c| c.is_ascii_uppercase())
        && w.chars().any(|c| c.is_ascii_lowercase())
        && !keys.contains(&w.to_lowercase())
    {
        keys.push(w.to_lowercase());
    }
    keys
}

/// Whether `text` names the shop `name` whose [`shop_keys`] are `keys`: the whole name, or a key
/// (in English as whole words: "the official page" names no "SoundWave Official").
fn names_shop(text: &str, name: &str, keys: &[String]) -> bool {
    let l = crate::fold::simplify(text).to_lowercase();
    let n = crate::fold::simplify(name).to_lowercase();
    if n.chars().count() >= 2 && l.contains(&n) {
        return true;
    }
    keys.iter().any(|k| {
        l.match_indices(k.as_str()).any(|(at, _)| {
            let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            !k.is_ascii()
                || (!latin(l[..at].chars().next_back()) && !latin(l[at + k.len()..].chars().next()))
        })
    })
}

#[cfg(test)]
mod shop_tests {
    use super::{names_shop, shop_keys};

    fn named(text: &str, shop: &str) -> bool {
        names_shop(text, shop, &shop_keys(shop))
    }

    #[test]
    fn a_shop_is_named_by_its_distinctive_words() {
        for (text, shop) in [
            (
                "Can someone deal with the jerk running SoundWave's customer chat?",
                "SoundWave Official",
            ),
            (
                "my headphones from SoundPeak died",
                "SoundPeak Audio Flagship",
            ),
            ("小鹿家居那家的毯子", "小鹿家居生活馆"),
            ("療癒香氛小舖那筆", "療癒香氛小舖"),
            (
                "the stuff from island spice trading",
                "Island Spice Trading",
            ),
        ] {
            assert!(named(text, shop), "{text} / {shop}");
        }
        for (text, shop) in [
            ("I take them daily", "Daily Dose Vitamins"),
            ("买了个家居用品", "小鹿家居生活馆"),
            ("the official page says so", "SoundWave Official"),
            ("店里说没货", "好物店"),
        ] {
            assert!(!named(text, shop), "{text} / {shop}");
        }
    }
}
