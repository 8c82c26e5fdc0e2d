//! Collective complaints: many consumers complaining about the same issue at the same shop.
//!
//! A complaint's text becomes a set of tokens ([`tokens`]), the set a MinHash [`Signature`]
//! ([`minhash`]). Two complaints *share an issue* when they are about the same shop, were filed
//! within the window of each other, and their signatures' similarity (the estimated Jaccard
//! similarity of their token sets) is at least [`THRESHOLD`]. Clusters are the connected
//! components of "shares an issue"; a cluster counts once it has `min_consumers` distinct
//! consumers. LSH banding ([`Signature::band_keys`]) finds the candidates to compare.
//!
//! A complaint may also name its [`Subject`] (order item and category): two at one shop within
//! the window naming the same subject share an issue whatever their words ([`shares_issue`]),
//! and a bucket keyed by [`Subject::key`] next to the band buckets finds them.
//!
//! A signature also carries the complaint's meaning ([`Meaning`], a sentence embedding): a pair
//! model ([`Closeness`]) weighs it with what the subjects say, and a complaint joins by meaning
//! the one earlier complaint it is closest to ([`MEANING_WALK`] of its shop's latest).
//!
//! Both sides use it: the store computes a signature per filed complaint and compares it with
//! every complaint of the shop's window, newest first ([`ShopWindow`]: no index to write, which
//! keeps a filing cheap); `weiquan detect collective` runs [`cluster`] over a file;
//! [`CollectiveIndex`] is the banded version in memory, one complaint at a time.

mod index;
pub mod input;
pub mod labelled;
mod meaning;
pub mod minhash;
mod offline;
mod recent;
mod subject;
pub mod tokens;

pub use index::CollectiveIndex;
pub use meaning::{Meaning, encoder_vectors, ensure as ensure_meaning};
pub use minhash::{BANDS, HASHES, ROWS, Signature, THRESHOLD, VERSION, same_issue, similarity};
pub use offline::{Clustering, cluster, cluster_signed, signatures as offline_signatures};
pub use recent::{Recent, ShopWindow};
pub use subject::{Subject, SubjectKeys, category_key, product_key, shares_issue};

/// At most this many of a band's (or a subject's) earlier complaints (the latest within the window) are looked
/// at for a new one. A bucket holding more is a wave already found: the newest complaints in it
/// stand for the rest, and the work per complaint stays bounded however big a shop's waves get.
/// The index and the offline clusterer walk the same complaints, so they agree exactly.
pub const MAX_WALK: usize = 32;

/// One complaint as the clustering sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Complaint {
    pub id: String,
    pub shop: String,
    /// Who filed it; each complaint counts as its own consumer when absent.
    pub consumer: Option<String>,
    pub text: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// The order item and category it names, when known: complaints at one shop within the
    /// window naming the same one share an issue whatever their words ([`shares_issue`]).
    pub subject: Option<Subject>,
}

/// [`shares_issue`] at `need` agreeing hashes (`threshold_count(THRESHOLD)` makes it exactly
/// `shares_issue`): the pair check of [`CollectiveIndex`] and [`cluster`].
pub(crate) fn joins(
    a: &Signature,
    a_subject: Option<&Subject>,
    b: &Signature,
    b_subject: Option<&Subject>,
    need: u32,
) -> bool {
    pair_joins(
        a_subject.map(Subject::keys),
        b_subject.map(Subject::keys),
        a,
        b,
        need,
    )
}

/// The pair check of the words: unless the subjects are two items' goods
/// ([`subject::other_items`]), enough agreeing MinHash values. A complaint joins every earlier
/// one it shares an issue with this way; by meaning ([`meaning_value`], [`Votes`]) it joins the
/// one cluster whose members it is closest to on average. Naming one item and category is
/// evidence the meaning weighs, not a rule of its own: one listing's two problems filed under
/// one category are two issues (held-out groups E and F).
#[inline]
pub(crate) fn pair_joins(
    a_keys: Option<SubjectKeys>,
    b_keys: Option<SubjectKeys>,
    a: &Signature,
    b: &Signature,
    need: u32,
) -> bool {
    !subject::other_items(a_keys, b_keys)
        && !minhash::empty(&a.0)
        && !minhash::empty(&b.0)
        && minhash::agreeing(&a.0, &b.0) >= need
}

/// A complaint is compared by meaning with at most this many of its shop's latest complaints
/// within the window (the store, the index and the offline clusterer alike).
pub const MEANING_WALK: usize = 256;

/// How close two complaints' meanings say they are. With both subjects known, a logistic model
/// over what the store knows of the pair weighs the cosine of their meanings with whether they
/// name one item, one category, and problems (the lexicon's) that agree or disagree — so one
/// issue filed under different categories, or on two items, can join while one item's two
/// problems stay apart; from the text alone, the cosine decides. A complaint joins the cluster
/// whose members score highest with it on average ([`Votes`]), at or above the least.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Closeness {
    /// Weights of [`PairEvidence::features`], then the bias.
    pub weights: [f32; PAIR_FEATURES + 1],
    /// Least average probability of one issue, the complaint naming its subject.
    pub least: f32,
    /// Least average cosine when it names none.
    pub text_only: f32,
}

/// What [`Closeness`] weighs.
pub const PAIR_FEATURES: usize = 8;

impl Closeness {
    /// Never joins by meaning (to compare with words and subjects alone).
    pub const NEVER: Closeness = Closeness {
        weights: [0.0; PAIR_FEATURES + 1],
        least: 2.0,
        text_only: 2.0,
    };

    /// The least average a complaint needs to join a cluster by meaning: [`Closeness::least`]
    /// when it names its subject (its values are probabilities), else [`Closeness::text_only`].
    pub fn least_for(&self, keys: Option<SubjectKeys>) -> f32 {
        if keys.is_some() {
            self.least
        } else {
            self.text_only
        }
    }

    /// The probability that a pair with both subjects known shares an issue.
    pub fn probability(&self, e: &PairEvidence) -> f32 {
        let x = e.features();
        let z: f32 = x.iter().zip(&self.weights).map(|(x, w)| x * w).sum::<f32>()
            + self.weights[PAIR_FEATURES];
        1.0 / (1.0 + (-z).exp())
    }
}

impl Default for Closeness {
    fn default() -> Self {
        // Fitted by `tools/fit_projection.py` on every labelled group written so far (tuning,
        // A–I; J is held out), each group's cosines from a projection fitted without it; the
        // least average with subjects chosen by leaving each group out of the projection and the
        // weights in turn (E–H at 0.5: precision 0.94–1.00); the text-alone one kept where the
        // older groups' precision holds (the tuning waves). A text-alone 0.65, chosen on I with
        // the projection fitted without it (recall 0.10–0.17 → 0.28–0.34), found nothing more on
        // J and lost precision there (BENCHMARKS.md, "Held-out group J"): not taken.
        Closeness {
            weights: [
                9.074, -0.917, 3.181, 1.705, 0.960, -0.829, 3.548, 1.543, -7.711,
            ],
            least: 0.5,
            text_only: 0.7,
        }
    }
}

/// What the store knows of a pair of complaints at one shop, both naming their subject.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairEvidence {
    pub cosine: f32,
    pub same_item: bool,
    pub same_category: bool,
    /// Both name problems the lexicon knows and share one / share none.
    pub problems_agree: bool,
    pub problems_disagree: bool,
    /// One category about the shop's conduct, not one item's goods (late shipment, refused
    /// returns…): a wave of those spans whatever items were ordered.
    pub same_conduct: bool,
    /// The estimated Jaccard similarity of their words.
    pub words: f32,
}

impl PairEvidence {
    pub fn features(&self) -> [f32; PAIR_FEATURES] {
        let f = |b: bool| if b { 1.0 } else { 0.0 };
        [
            self.cosine,
            self.cosine * f(self.same_item),
            f(self.same_item),
            f(self.same_category),
            f(self.problems_agree),
            f(self.problems_disagree),
            f(self.same_conduct),
            self.words,
        ]
    }

    /// The evidence of two signed complaints with their subjects' keys.
    pub fn of(
        a_keys: SubjectKeys,
        b_keys: SubjectKeys,
        a: &Signature,
        b: &Signature,
    ) -> Option<Self> {
        let (ma, mb) = (a.2.as_ref()?, b.2.as_ref()?);
        Some(PairEvidence {
            cosine: ma.cosine(mb),
            same_item: a_keys.product == b_keys.product,
            same_category: a_keys.category == b_keys.category,
            problems_agree: a.1 & b.1 != 0,
            problems_disagree: a.1 != 0 && b.1 != 0 && a.1 & b.1 == 0,
            same_conduct: a_keys.category == b_keys.category
                && a_keys.item.is_none()
                && b_keys.item.is_none(),
            words: minhash::similarity(a, b) as f32,
        })
    }
}

/// How strongly two complaints' meanings say they share an issue ([`Closeness`]): the model's
/// probability with both subjects known, else the cosine; `None` when either has no meaning.
#[inline]
pub(crate) fn meaning_value(
    a_keys: Option<SubjectKeys>,
    b_keys: Option<SubjectKeys>,
    a: &Signature,
    b: &Signature,
    closeness: &Closeness,
) -> Option<f32> {
    match (a_keys, b_keys) {
        (Some(x), Some(y)) => Some(closeness.probability(&PairEvidence::of(x, y, a, b)?)),
        _ => Some(a.2.as_ref()?.cosine(b.2.as_ref()?)),
    }
}

/// A new complaint's [`meaning_value`]s with the latest complaints of its shop, summed per
/// cluster: it joins the cluster it is closest to *on average* (average linkage), when that
/// average reaches the least ([`Closeness::least_for`]). One close member does not pull a
/// complaint into a wave whose other members say something else, so waves do not chain into
/// each other through the one complaint worded between them.
pub(crate) struct Votes<K> {
    /// Each value with its cluster and the order it was met in (newest first: ties go to the
    /// newest). Summed per cluster only at the end, by a sort: a walk meets up to
    /// [`MEANING_WALK`] clusters, most of them of one complaint.
    values: Vec<(K, f32, u32)>,
}

impl<K: Ord + Copy> Votes<K> {
    pub fn new() -> Self {
        Votes {
            values: Vec::with_capacity(MEANING_WALK),
        }
    }

    pub fn add(&mut self, cluster: K, value: f32) {
        let n = self.values.len() as u32;
        self.values.push((cluster, value, n));
    }

    /// The cluster with the highest mean at or above `least` (of equals, the one met first).
    pub fn best(&mut self, least: f32) -> Option<K> {
        // Stable: a cluster's values keep the order met, so its first is its run's first and
        // its sum is the same in every run.
        self.values.sort_by_key(|&(k, _, _)| k);
        let mut best: Option<(f32, u32, K)> = None;
        for run in self.values.chunk_by(|a, b| a.0 == b.0) {
            let mean = run.iter().map(|&(_, v, _)| v).sum::<f32>() / run.len() as f32;
            let (k, _, first) = run[0];
            let better = best.is_none_or(|(b, f, _)| mean > b || (mean == b && first < f));
            if mean >= least && better {
                best = Some((mean, first, k));
            }
        }
        best.map(|(_, _, k)| k)
    }
}

/// Mixes a shop into a bucket key (a band key or a [`Subject::key`]).
pub(crate) fn bucket(shop: u32, key: u64) -> u64 {
    key ^ (u64::from(shop).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// How many consumers make a collective complaint, and how close in time they must be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub min_consumers: usize,
    pub window_ms: i64,
    /// Least similarity of two complaints sharing an issue ([`THRESHOLD`] by default).
    pub threshold: f64,
    /// How close their meanings must be.
    pub closeness: Closeness,
}

impl Default for Settings {
    /// DESIGN §4's defaults: 5 consumers within 30 days.
    fn default() -> Self {
        Settings {
            min_consumers: 5,
            window_ms: 30 * 24 * 3600 * 1000,
            threshold: THRESHOLD,
            closeness: Closeness::default(),
        }
    }
}

/// Union–find with path halving and union by size.
#[derive(Debug, Default, Clone)]
pub(crate) struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    pub fn with_capacity(n: usize) -> Self {
        UnionFind {
            parent: Vec::with_capacity(n),
            size: Vec::with_capacity(n),
        }
    }

    pub fn push(&mut self) {
        self.parent.push(self.parent.len() as u32);
        self.size.push(1);
    }

    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    /// Joins two roots; returns the new root.
    pub fn union(&mut self, a: u32, b: u32) -> u32 {
        let (big, small) = if self.size[a as usize] >= self.size[b as usize] {
            (a, b)
        } else {
            (b, a)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        big
    }
}

/// Pairwise precision and recall of a clustering against labels (`None`: in no cluster). A
/// pair counts when both complaints are in one cluster.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PairScores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub true_pairs: u64,
    pub found_pairs: u64,
    pub correct_pairs: u64,
}

fn pairs<'a>(counts: impl Iterator<Item = &'a u64>) -> u64 {
    counts.map(|c| c * (c - 1) / 2).sum()
}

pub fn pair_scores<A: Eq + std::hash::Hash, B: Eq + std::hash::Hash>(
    truth: &[Option<A>],
    found: &[Option<B>],
) -> PairScores {
    use rustc_hash::FxHashMap;
    assert_eq!(truth.len(), found.len());
    let mut t: FxHashMap<&A, u64> = FxHashMap::default();
    let mut f: FxHashMap<&B, u64> = FxHashMap::default();
    let mut both: FxHashMap<(&A, &B), u64> = FxHashMap::default();
    for (a, b) in truth.iter().zip(found) {
        if let Some(a) = a {
            *t.entry(a).or_default() += 1;
        }
        if let Some(b) = b {
            *f.entry(b).or_default() += 1;
        }
        if let (Some(a), Some(b)) = (a, b) {
            *both.entry((a, b)).or_default() += 1;
        }
    }
    let (true_pairs, found_pairs, correct_pairs) =
        (pairs(t.values()), pairs(f.values()), pairs(both.values()));
    let ratio = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let precision = ratio(correct_pairs, found_pairs);
    let recall = ratio(correct_pairs, true_pairs);
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    PairScores {
        precision,
        recall,
        f1,
        true_pairs,
        found_pairs,
        correct_pairs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pair_check_is_shares_issue_at_the_threshold() {
        let need = minhash::threshold_count(THRESHOLD);
        let texts = [
            "电水壶底部漏水，桌子上全是水",
            "the electric kettle leaks from the bottom",
            "电水壶的颜色发的是白色，我买的是绿色",
            "订单号 2026-03-05 123456789",
        ];
        let subjects = [
            None,
            Some(Subject::new("电水壶", "quality_defect")),
            Some(Subject::new("电水壶", "not_as_described")),
        ];
        for a in texts {
            for b in texts {
                for sa in &subjects {
                    for sb in &subjects {
                        let (x, y) = (Signature::of(a), Signature::of(b));
                        assert_eq!(
                            joins(&x, sa.as_ref(), &y, sb.as_ref(), need),
                            shares_issue(&x, sa.as_ref(), &y, sb.as_ref()),
                            "{a} {sa:?} | {b} {sb:?}"
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod meaning_tests {
    use super::*;

    fn evidence(cosine: f32) -> PairEvidence {
        PairEvidence {
            cosine,
            same_item: true,
            same_category: false,
            problems_agree: false,
            problems_disagree: false,
            same_conduct: false,
            words: 0.0,
        }
    }

    #[test]
    fn the_pair_model_reads_its_evidence_the_right_way_round() {
        let c = Closeness::default();
        // Closer meanings, and each piece of agreeing evidence, make one issue likelier; named
        // problems that disagree make it less likely.
        for (lo, hi) in [(0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.0)] {
            assert!(c.probability(&evidence(lo)) < c.probability(&evidence(hi)));
        }
        let base = evidence(0.5);
        let p = c.probability(&base);
        for better in [
            PairEvidence {
                same_category: true,
                ..base
            },
            PairEvidence {
                problems_agree: true,
                ..base
            },
            PairEvidence { words: 0.5, ..base },
        ] {
            assert!(c.probability(&better) > p, "{better:?}");
        }
        assert!(
            c.probability(&PairEvidence {
                problems_disagree: true,
                ..base
            }) < p
        );
        assert!(
            c.probability(&PairEvidence {
                same_item: false,
                ..base
            }) < p
        );
        assert!(Closeness::NEVER.probability(&evidence(1.0)) < Closeness::NEVER.least);
    }

    #[test]
    fn one_text_joins_itself_by_meaning_and_an_unrelated_one_does_not() {
        let c = Closeness::default();
        let cup = Subject::new("304不锈钢保温杯 500ml", "quality_defect");
        let cup_other = Subject::new("304不锈钢保温杯 500ml", "not_as_described");
        let a = Signature::of("杯子盖子拧紧了还是一直往外渗水，桌子上全湿了");
        let b = Signature::of("The seller never shipped my order and stopped answering messages");
        let value = |x: Option<&Subject>, y: Option<&Subject>, p: &Signature, q: &Signature| {
            meaning_value(x.map(Subject::keys), y.map(Subject::keys), p, q, &c).unwrap()
        };
        let least = |x: Option<&Subject>| c.least_for(x.map(Subject::keys));
        // The same words under another category: one issue by meaning.
        assert!(value(Some(&cup), Some(&cup_other), &a, &a) >= least(Some(&cup)));
        // The same subject with unrelated words: not one issue.
        assert!(value(Some(&cup), Some(&cup), &a, &b) < least(Some(&cup)));
        assert!(value(None, None, &a, &a) >= least(None));
        assert!(value(None, None, &a, &b) < least(None));
        let nothing = Signature(a.0, a.1, None);
        assert_eq!(meaning_value(None, None, &a, &nothing, &c), None);
    }

    #[test]
    fn a_complaint_joins_the_cluster_closest_on_average_not_its_one_closest_member() {
        let mut v = Votes::new();
        // Cluster 1 has one very close member among far ones; cluster 2 is close throughout.
        for (k, x) in [(1, 0.95), (2, 0.6), (1, 0.1), (2, 0.55), (1, 0.1)] {
            v.add(k, x);
        }
        assert_eq!(v.best(0.5), Some(2));
        assert_eq!(v.best(0.6), None);
        // Equal averages: the first met (the newest).
        let mut tie = Votes::new();
        tie.add(7, 0.8);
        tie.add(3, 0.8);
        assert_eq!(tie.best(0.5), Some(7));
        let mut tie = Votes::new();
        tie.add(3, 0.8);
        tie.add(7, 0.8);
        assert_eq!(tie.best(0.5), Some(3));
        assert_eq!(Votes::<i64>::new().best(0.0), None);
    }
}
