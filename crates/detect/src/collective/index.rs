//! The in-memory collective index: complaints arrive one at a time (or in time order, offline),
//! each is compared with the same shop's complaints within the window that share an LSH band
//! key, and joins their clusters; then, by meaning, the one cluster of its shop's latest
//! complaints it is closest to on average ([`Votes`]).

use rustc_hash::{FxHashMap, FxHashSet};

use super::minhash::{BANDS, HASHES, ROWS, Signature, threshold_count};
use super::{
    MAX_WALK, MEANING_WALK, Settings, Subject, SubjectKeys, UnionFind, Votes, bucket,
    meaning_value, pair_joins,
};

const NONE: u32 = u32::MAX;

/// Complaints by shop, with their clusters (connected components of "same issue").
pub struct CollectiveIndex {
    settings: Settings,
    shops: FxHashMap<String, u32>,
    consumers: FxHashMap<String, u32>,
    ids: Vec<String>,
    shop_of: Vec<u32>,
    at: Vec<i64>,
    consumer: Vec<u32>,
    sigs: Vec<Signature>,
    subjects: Vec<Option<SubjectKeys>>,
    /// Bucket → the newest complaint in it; `next[item * BANDS + band]` → the one before.
    heads: FxHashMap<u64, u32>,
    next: Vec<u32>,
    /// The same for the meaning: shop → its newest complaint with one; `shop_next[item]`.
    shop_heads: FxHashMap<u32, u32>,
    shop_next: Vec<u32>,
    uf: UnionFind,
    /// Per component root: its distinct consumers and its earliest member.
    members: FxHashMap<u32, (FxHashSet<u32>, u32)>,
    /// Whether every complaint came no earlier than the one before (buckets can then stop at the
    /// first complaint older than the window).
    ordered: bool,
    last_at: i64,
    /// Candidate comparisons made (for benchmarks).
    pub comparisons: u64,
    /// `settings.threshold` as agreeing hashes.
    need: u32,
}

impl CollectiveIndex {
    pub fn new(settings: Settings) -> Self {
        Self::with_capacity(settings, 0)
    }

    pub fn with_capacity(settings: Settings, n: usize) -> Self {
        // Reserved up front so that no assignment pays for a rehash of millions of entries.
        let mut heads = FxHashMap::default();
        heads.reserve(n * BANDS);
        let mut members = FxHashMap::default();
        members.reserve(n);
        let mut consumers = FxHashMap::default();
        consumers.reserve(n);
        CollectiveIndex {
            settings,
            shops: FxHashMap::default(),
            consumers,
            ids: Vec::with_capacity(n),
            shop_of: Vec::with_capacity(n),
            at: Vec::with_capacity(n),
            consumer: Vec::with_capacity(n),
            sigs: Vec::with_capacity(n),
            subjects: Vec::with_capacity(n),
            heads,
            next: Vec::with_capacity(n * BANDS),
            shop_heads: FxHashMap::default(),
            shop_next: Vec::with_capacity(n),
            uf: UnionFind::with_capacity(n),
            members,
            ordered: true,
            last_at: i64::MIN,
            comparisons: 0,
            need: threshold_count(settings.threshold),
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Files a complaint: tokenises `text`, computes its signature and [`insert`](Self::insert)s it.
    pub fn assign(
        &mut self,
        id: &str,
        shop: &str,
        consumer: &str,
        text: &str,
        subject: Option<&Subject>,
        at: i64,
    ) -> Option<&str> {
        let sig = Signature::of(text);
        self.insert(id, shop, consumer, &sig, subject, at)
    }

    /// Adds a complaint whose signature is known; returns its cluster — the id of the cluster's
    /// earliest complaint — once the cluster has `min_consumers` distinct consumers, else `None`.
    pub fn insert(
        &mut self,
        id: &str,
        shop: &str,
        consumer: &str,
        sig: &Signature,
        subject: Option<&Subject>,
        at: i64,
    ) -> Option<&str> {
        let item = self.ids.len() as u32;
        let shop = intern(&mut self.shops, shop);
        let consumer = intern(&mut self.consumers, consumer);
        self.ordered &= at >= self.last_at;
        self.last_at = self.last_at.max(at);
        self.ids.push(id.to_owned());
        self.shop_of.push(shop);
        self.at.push(at);
        self.consumer.push(consumer);
        self.sigs.push(sig.clone());
        let keys = subject.map(Subject::keys);
        self.subjects.push(keys);
        self.uf.push();
        self.members
            .insert(item, (FxHashSet::from_iter([consumer]), item));
        self.next.resize(self.next.len() + BANDS, NONE);
        self.shop_next.push(NONE);
        let bands = sig.band_keys();
        debug_assert!(bands.is_empty() || bands.len() == BANDS);
        for (band, key) in bands.into_iter().enumerate() {
            let slot = self.heads.entry(bucket(shop, key)).or_insert(NONE);
            let other = std::mem::replace(slot, item);
            self.next[item as usize * BANDS + band] = other;
            self.walk(item, other, band);
        }
        if sig.2.is_some() {
            let slot = self.shop_heads.entry(shop).or_insert(NONE);
            let other = std::mem::replace(slot, item);
            self.shop_next[item as usize] = other;
            self.attach_by_meaning(item, other);
        }
        self.cluster_of(item)
    }

    /// Compares `item` with the latest [`MAX_WALK`] complaints within the window of one band's
    /// bucket, starting at `other` and following the band's chain.
    #[inline]
    fn walk(&mut self, item: u32, mut other: u32, band: usize) {
        let need = self.need;
        let window = self.settings.window_ms;
        let (at, shop) = (self.at[item as usize], self.shop_of[item as usize]);
        let mut walked = 0;
        while other != NONE && walked < MAX_WALK {
            let o = other as usize;
            let too_old = at - self.at[o] > window;
            if too_old && self.ordered {
                break;
            }
            walked += usize::from(!too_old);
            // Same shop is almost certain (the bucket is keyed by it) but not guaranteed.
            if !too_old
                && self.at[o] - at <= window
                && self.shop_of[o] == shop
                && self.uf.find(other) != self.uf.find(item)
            {
                self.comparisons += 1;
                let i = item as usize;
                if pair_joins(
                    self.subjects[o],
                    self.subjects[i],
                    &self.sigs[o],
                    &self.sigs[i],
                    need,
                ) {
                    self.union(other, item);
                }
            }
            other = self.next[o * BANDS + band];
        }
    }

    /// Joins `item` to the cluster of its shop's latest [`MEANING_WALK`] complaints within the
    /// window (from `other`, along the shop's chain) that its meaning is closest to on average.
    fn attach_by_meaning(&mut self, item: u32, mut other: u32) {
        let window = self.settings.window_ms;
        let i = item as usize;
        let at = self.at[i];
        let mut votes = Votes::new();
        let mut walked = 0;
        while other != NONE && walked < MEANING_WALK {
            let o = other as usize;
            let too_old = at - self.at[o] > window;
            if too_old && self.ordered {
                break;
            }
            if !too_old && self.at[o] - at <= window {
                walked += 1;
                self.comparisons += 1;
                if let Some(value) = meaning_value(
                    self.subjects[i],
                    self.subjects[o],
                    &self.sigs[i],
                    &self.sigs[o],
                    &self.settings.closeness,
                ) {
                    votes.add(self.uf.find(other), value);
                }
            }
            other = self.shop_next[o];
        }
        let least = self.settings.closeness.least_for(self.subjects[i]);
        if let Some(root) = votes.best(least) {
            self.union(root, item);
        }
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.uf.find(a), self.uf.find(b));
        if ra == rb {
            return;
        }
        let root = self.uf.union(ra, rb);
        let gone = if root == ra { rb } else { ra };
        let (mut g_consumers, g_first) = self.members.remove(&gone).expect("a root has members");
        let (consumers, first) = self.members.get_mut(&root).expect("a root has members");
        // The smaller set goes into the larger: each consumer moves O(log n) times in all.
        if g_consumers.len() > consumers.len() {
            std::mem::swap(consumers, &mut g_consumers);
        }
        consumers.extend(g_consumers);
        if self.at[g_first as usize] < self.at[*first as usize]
            || (self.at[g_first as usize] == self.at[*first as usize] && g_first < *first)
        {
            *first = g_first;
        }
    }

    /// The cluster of the `item`-th complaint inserted, if it has enough consumers.
    fn cluster_of(&mut self, item: u32) -> Option<&str> {
        let first = self.earliest_of(item)?;
        Some(self.ids[first as usize].as_str())
    }

    /// The earliest member (its insertion number) of the `item`-th complaint's cluster, if the
    /// cluster has enough consumers.
    pub(crate) fn earliest_of(&mut self, item: u32) -> Option<u32> {
        let root = self.uf.find(item);
        let (consumers, first) = &self.members[&root];
        (consumers.len() >= self.settings.min_consumers).then_some(*first)
    }

    /// The cluster of every complaint inserted so far, in insertion order (`None` when its
    /// component has fewer than `min_consumers` distinct consumers).
    pub fn clusters(&mut self) -> Vec<Option<String>> {
        (0..self.ids.len() as u32)
            .map(|i| self.cluster_of(i).map(str::to_owned))
            .collect()
    }
}

fn intern(map: &mut FxHashMap<String, u32>, name: &str) -> u32 {
    if let Some(&v) = map.get(name) {
        return v;
    }
    let v = map.len() as u32;
    map.insert(name.to_owned(), v);
    v
}

const _: () = assert!(HASHES.is_multiple_of(ROWS));
