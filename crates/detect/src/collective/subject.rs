//! The structured half of "the same issue". A complaint names the order item it is about and a
//! category the consumer chose; two complaints at one shop within the window that name the same
//! product and category share an issue whatever words they use — unless each names problems the
//! lexicon knows and none of them is the other's (a listing's silent left earbud and its case that
//! will not charge are two issues) — and otherwise their words decide
//! ([`same_issue`](super::same_issue)). Words alone miss consumers who describe one defect in
//! words the lexicon does not know (BENCHMARKS.md, held-out group B); the product and category
//! are what a platform's own records say.
//!
//! The item also bounds the words: a complaint about the goods themselves
//! ([`Category::is_about_one_item`]) is about its item, so two such complaints about different
//! items never share an issue by their words (mould on one food and on another at one grocer are
//! two issues); complaints about the shop's conduct or counterfeits meet across items.

use weiquan_domain::Category;

use super::minhash::{Signature, THRESHOLD, threshold_count, token_hash};

/// The order item and the category of a complaint.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Subject {
    pub product: String,
    pub category: String,
}

impl Subject {
    pub fn new(product: &str, category: &str) -> Subject {
        Subject {
            product: product.trim().to_owned(),
            category: category.trim().to_owned(),
        }
    }

    /// A stable 64-bit key (the same on every machine and in every release), to index by.
    pub fn key(&self) -> u64 {
        token_hash(&format!("{}\u{1f}{}", self.product, self.category))
    }

    /// The item's stable key when the category is about one item
    /// ([`Category::is_about_one_item`]); `None` for the shop's conduct, counterfeits, and a
    /// category this build does not know.
    pub fn item_key(&self) -> Option<u64> {
        Category::parse(&self.category)
            .is_ok_and(Category::is_about_one_item)
            .then(|| token_hash(&self.product))
    }

    /// What the pair check compares, computed once.
    pub fn keys(&self) -> SubjectKeys {
        SubjectKeys {
            subject: self.key(),
            item: self.item_key(),
            product: product_key(&self.product),
            category: category_key(&self.category),
        }
    }
}

/// A [`Subject`] as the pair check compares it: by its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubjectKeys {
    /// [`Subject::key`].
    pub subject: u64,
    /// [`Subject::item_key`].
    pub item: Option<u64>,
    /// The order item's key whatever the category ([`product_key`]): what the meaning of two
    /// complaints is weighed against.
    pub product: u64,
    /// The category's key.
    pub category: u64,
}

/// A category's stable key.
pub fn category_key(category: &str) -> u64 {
    token_hash(category.trim())
}

/// An order item's stable key.
pub fn product_key(product: &str) -> u64 {
    token_hash(product.trim())
}

/// Whether the subjects say the complaints cannot share an issue by their words: both are about
/// the goods of one item each, and the items differ.
pub(crate) fn other_items(a: Option<SubjectKeys>, b: Option<SubjectKeys>) -> bool {
    matches!((a.and_then(|k| k.item), b.and_then(|k| k.item)), (Some(x), Some(y)) if x != y)
}

/// Whether two complaints at one shop, within the window of each other, share an issue by their
/// words (not two items' goods, and similar enough). Naming one subject is no rule of its own:
/// it is evidence the meaning weighs ([`Closeness`](super::Closeness)).
pub fn shares_issue(
    a: &Signature,
    a_subject: Option<&Subject>,
    b: &Signature,
    b_subject: Option<&Subject>,
) -> bool {
    super::joins(a, a_subject, b, b_subject, threshold_count(THRESHOLD))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_subject_is_evidence_not_an_issue_of_its_own() {
        // One listing, one category, two problems: the words do not join them, and naming
        // the same subject no longer does either (held-out groups E and F).
        let buds = Subject::new("TWS 蓝牙耳机", "quality_defect");
        let silent = Signature::of("左边耳机完全不出声");
        let charge = Signature::of("耳机仓充不进电，插上线也没反应");
        assert!(!shares_issue(&silent, Some(&buds), &charge, Some(&buds)));
        assert!(!shares_issue(&silent, None, &charge, None));
        // The same words still do, with or without subjects.
        let again = Signature::of("左边耳机完全不出声了");
        assert!(shares_issue(&silent, Some(&buds), &again, Some(&buds)));
        assert!(shares_issue(&silent, None, &again, None));
        assert_eq!(
            buds.key(),
            Subject::new(" TWS 蓝牙耳机", "quality_defect ").key()
        );
        assert_ne!(
            buds.key(),
            Subject::new("TWS 蓝牙耳机", "late_shipment").key()
        );
    }

    #[test]
    fn the_same_words_about_two_items_are_two_issues_when_about_the_goods() {
        let a = Signature::of("大米里有很多小虫子，米虫到处爬");
        let b = Signature::of("坚果里有小虫子，虫子到处爬");
        assert!(
            shares_issue(&a, None, &b, None),
            "the words alone join them"
        );
        let rice = Subject::new("东北大米 10斤", "quality_defect");
        let nuts = Subject::new("每日坚果礼包", "quality_defect");
        assert!(!shares_issue(&a, Some(&rice), &b, Some(&nuts)));
        // One side names no item, or one is about the shop's conduct: the words decide.
        assert!(shares_issue(&a, Some(&rice), &b, None));
        let nuts_refund = Subject::new("每日坚果礼包", "refund_not_received");
        assert!(shares_issue(&a, Some(&rice), &b, Some(&nuts_refund)));
        // Conduct and counterfeits are the shop's, whatever the item.
        let late = |item| Subject::new(item, "late_shipment");
        let x = Signature::of("拍下五天了还没发货，说好48小时内发");
        let y = Signature::of("付款五天还没发货，说好的48小时发货");
        assert!(shares_issue(
            &x,
            Some(&late("台灯")),
            &y,
            Some(&late("拖鞋"))
        ));
        let fake = |item| Subject::new(item, "counterfeit");
        let f = Signature::of("跑鞋是假货，防伪码查不到");
        let g = Signature::of("T恤是假货，防伪码查不到");
        assert!(shares_issue(
            &f,
            Some(&fake("跑鞋")),
            &g,
            Some(&fake("T恤"))
        ));
        assert_eq!(late("台灯").item_key(), None);
        assert_eq!(Subject::new("台灯", "no_such_category").item_key(), None);
        assert_eq!(
            rice.item_key(),
            Subject::new("东北大米 10斤", "not_as_described").item_key()
        );
    }
}
