//! The structured half of "the same issue". A complaint names the order item it is about and a
//! category the consumer chose; two complaints at one shop within the window that name the same
//! product and category share an issue whatever words they use, and otherwise their words decide
//! ([`same_issue`](super::same_issue)). Words alone miss consumers who describe one defect in
//! words the lexicon does not know (BENCHMARKS.md, held-out group B); the product and category
//! are what a platform's own records say.

use super::minhash::{Signature, same_issue, token_hash};

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
    same_issue(a, b) || a_subject.is_some_and(|s| Some(s) == b_subject)
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
}
