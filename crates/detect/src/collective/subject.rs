//! The structured half of "the same issue". A complaint names the order item it is about and a
//! category the consumer chose; two complaints at one shop within the window that name the same
//! product and category share an issue whatever words they use — unless each names problems the
//! lexicon knows and none of them is the other's (a listing's silent left earbud and its case that
//! will not charge are two issues) — and otherwise their words decide
//! ([`same_issue`](super::same_issue)). Words alone miss consumers who describe one defect in
//! words the lexicon does not know (BENCHMARKS.md, held-out group B); the product and category
//! are what a platform's own records say.

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
}

/// Whether two complaints at one shop, within the window of each other, share an issue.
pub fn shares_issue(
    a: &Signature,
    a_subject: Option<&Subject>,
    b: &Signature,
    b_subject: Option<&Subject>,
) -> bool {
    super::joins(a, a_subject, b, b_subject, threshold_count(THRESHOLD))
}

/// Whether two complaints naming one subject may share an issue by their problems
/// ([`Signature`]'s problem bits): yes unless both name problems and none in common. A problem
/// the lexicon does not know is no evidence either way.
pub(crate) fn problems_agree(a: u64, b: u64) -> bool {
    a == 0 || b == 0 || a & b != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_product_and_category_share_an_issue_whatever_the_words() {
        let a = Signature::of("盖子拧紧了还往外渗水");
        let b = Signature::of("用了三天杯底一圈有水珠");
        let cup = Subject::new("304不锈钢保温杯 500ml", "quality_defect");
        assert!(shares_issue(&a, Some(&cup), &b, Some(&cup)));
        let other = Subject::new("304不锈钢保温杯 500ml", "late_shipment");
        assert!(!shares_issue(&a, Some(&cup), &b, Some(&other)));
        assert!(!shares_issue(&a, None, &b, None));
        assert_eq!(
            cup.key(),
            Subject::new(" 304不锈钢保温杯 500ml", "quality_defect ").key()
        );
        assert_ne!(cup.key(), other.key());
    }

    #[test]
    fn one_listing_with_two_named_problems_is_two_issues() {
        let buds = Subject::new("TWS 蓝牙耳机", "quality_defect");
        let silent = Signature::of("左边耳机完全不出声");
        let charge = Signature::of("耳机仓充不进电，插上线也没反应");
        let both = Signature::of("左耳没声音，充电盒也充不进电");
        let unnamed = Signature::of("这副耳机有问题");
        assert_ne!(silent.1, 0);
        assert_eq!(silent.1 & charge.1, 0);
        assert!(!shares_issue(&silent, Some(&buds), &charge, Some(&buds)));
        // One problem in common, or one side naming none the lexicon knows: the subject decides.
        assert!(shares_issue(&silent, Some(&buds), &both, Some(&buds)));
        assert!(shares_issue(&charge, Some(&buds), &both, Some(&buds)));
        assert_eq!(unnamed.1, 0);
        assert!(shares_issue(&silent, Some(&buds), &unnamed, Some(&buds)));
        assert!(!shares_issue(&silent, None, &charge, None));
    }
}
