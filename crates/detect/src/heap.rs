//! An indexed 4-ary min-heap over `(key, tie, id)`: find-min O(1), pop and decrease-key
//! O(log n). Four children share a cache line, and the tree is half as deep as a binary one: at
//! millions of nodes each level below the cached top is a cache miss.
//!
//! Ties on the key go to the lower `tie` (the node's public id: the reference implementation's
//! min-tree walks to the leftmost minimum); `id` is where the caller keeps the node, which may
//! differ, for locality.

const ABSENT: u32 = u32::MAX;
const ARITY: usize = 4;

/// `(key, tie, id)`, ordered by `(key, tie)`; 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry(u64, u32, u32);

#[derive(Debug, Clone)]
pub struct MinHeap {
    heap: Vec<Entry>,
    pos: Vec<u32>,
}

impl MinHeap {
    /// A heap over ids `0..n` holding the `(id, key, tie)` of `items`; O(n), and no moves at all
    /// when they come sorted.
    pub fn new(n: usize, items: impl IntoIterator<Item = (u32, u64, u32)>) -> Self {
        let heap: Vec<Entry> = items
            .into_iter()
            .map(|(id, k, tie)| Entry(k, tie, id))
            .collect();
        let mut h = MinHeap {
            heap,
            pos: vec![ABSENT; n],
        };
        for (i, e) in h.heap.iter().enumerate() {
            h.pos[e.2 as usize] = i as u32;
        }
        for i in (0..h.heap.len().div_ceil(ARITY)).rev() {
            h.sift_down(i);
        }
        h
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Sum of all keys.
    pub fn key_sum(&self) -> u64 {
        self.heap.iter().map(|e| e.0).sum()
    }

    pub fn contains(&self, id: u32) -> bool {
        self.pos[id as usize] != ABSENT
    }

    /// Reads `id`'s entry and returns a word of it, only to have it in the cache for a coming
    /// [`MinHeap::decrease`]: touching a batch first lets the misses overlap.
    pub fn touch(&self, id: u32) -> u64 {
        match self.pos[id as usize] {
            ABSENT => 0,
            i => self.heap[i as usize].0,
        }
    }

    /// `(key, id)` of the minimum.
    pub fn peek(&self) -> Option<(u64, u32)> {
        self.heap.first().map(|e| (e.0, e.2))
    }

    /// Removes the minimum; `(key, id)`.
    pub fn pop(&mut self) -> Option<(u64, u32)> {
        let top = *self.heap.first()?;
        let last = self.heap.pop().expect("non-empty");
        self.pos[top.2 as usize] = ABSENT;
        if !self.heap.is_empty() {
            self.heap[0] = last;
            self.pos[last.2 as usize] = 0;
            self.sift_down(0);
        }
        Some((top.0, top.2))
    }

    /// Lowers `id`'s key by `by` (which must not exceed it).
    pub fn decrease(&mut self, id: u32, by: u64) {
        let i = self.pos[id as usize] as usize;
        debug_assert!(i != ABSENT as usize, "decrease of an absent id");
        self.heap[i].0 -= by;
        self.sift_up(i);
    }

    fn sift_up(&mut self, mut i: usize) {
        let item = self.heap[i];
        while i > 0 {
            let parent = (i - 1) / ARITY;
            let p = self.heap[parent];
            if p <= item {
                break;
            }
            self.heap[i] = p;
            self.pos[p.2 as usize] = i as u32;
            i = parent;
        }
        self.heap[i] = item;
        self.pos[item.2 as usize] = i as u32;
    }

    fn sift_down(&mut self, mut i: usize) {
        let n = self.heap.len();
        let item = self.heap[i];
        loop {
            let first = ARITY * i + 1;
            if first >= n {
                break;
            }
            let kids = &self.heap[first..(first + ARITY).min(n)];
            let (k, &child) = kids
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.cmp(b.1))
                .expect("at least one child");
            if item <= child {
                break;
            }
            let c = first + k;
            self.heap[i] = child;
            self.pos[child.2 as usize] = i as u32;
            i = c;
        }
        self.heap[i] = item;
        self.pos[item.2 as usize] = i as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_key_then_id_order_after_decreases() {
        let keys = [5u64, 3, 9, 3, 7, 1, 8];
        let mut h = MinHeap::new(
            8,
            keys.iter()
                .enumerate()
                .map(|(i, &k)| (i as u32, k, i as u32)),
        );
        h.decrease(2, 6); // 9 → 3
        h.decrease(6, 8); // 8 → 0
        let mut expect: Vec<(u64, u32)> =
            vec![(5, 0), (3, 1), (3, 2), (3, 3), (7, 4), (1, 5), (0, 6)];
        expect.sort();
        let got: Vec<_> = std::iter::from_fn(|| h.pop()).collect();
        assert_eq!(got, expect);
        assert!(!h.contains(3));
    }

    #[test]
    fn ties_go_to_the_lower_tie_not_the_lower_id() {
        let mut h = MinHeap::new(3, [(0, 7, 30), (1, 9, 10), (2, 7, 20)]);
        h.decrease(1, 2);
        let got: Vec<_> = std::iter::from_fn(|| h.pop()).collect();
        assert_eq!(got, vec![(7, 1), (7, 2), (7, 0)]);
    }
}
