//! The buyer × shop graph in compressed sparse rows: duplicates merged, u32 ids throughout.

use crate::orders::Orders;

/// More edges than u32 offsets can address.
#[derive(Debug, thiserror::Error)]
#[error("输入过大：{0} 条边超过 u32 上限 / input too large: {0} edges exceed the u32 limit")]
pub struct TooLarge(pub usize);

/// Buyers are rows, shops columns; each row's shops are sorted and distinct.
#[derive(Debug, Clone, PartialEq)]
pub struct Bipartite {
    pub n_users: usize,
    pub n_shops: usize,
    /// `shops[row_ptr[u]..row_ptr[u + 1]]` are the shops of user `u`.
    pub row_ptr: Vec<u32>,
    pub shops: Vec<u32>,
    /// Summed line weights per edge; `None` when the input had no weight column (each edge then
    /// counts once, however often it was listed, as in the paper).
    pub mult: Option<Vec<f64>>,
}

impl Bipartite {
    /// The graph of the parsed lines (duplicates merged, weights summed).
    pub fn from_orders(o: &Orders, threads: usize) -> Result<Self, TooLarge> {
        Self::build(
            o.users.len(),
            o.shops.len(),
            &o.user,
            &o.shop,
            o.weight.as_deref(),
            threads,
        )
    }

    /// The graph of parallel arrays of users, shops and optional weights.
    pub fn build(
        n_users: usize,
        n_shops: usize,
        user: &[u32],
        shop: &[u32],
        weight: Option<&[f64]>,
        threads: usize,
    ) -> Result<Self, TooLarge> {
        if user.len() >= u32::MAX as usize || n_users + n_shops >= u32::MAX as usize {
            return Err(TooLarge(user.len()));
        }
        let ptr = counting_ptr(n_users, user);
        let g = match weight {
            None => {
                let mut items = scatter(&ptr, user, |k| shop[k]);
                let lens = per_row(&ptr, &mut items, threads, |seg| {
                    seg.sort_unstable();
                    dedup_by(seg, |a, b| *a == *b)
                });
                let row_ptr = compact(&ptr, &lens, &mut items);
                Bipartite {
                    n_users,
                    n_shops,
                    row_ptr,
                    shops: items,
                    mult: None,
                }
            }
            Some(w) => {
                let mut items = scatter(&ptr, user, |k| (shop[k], w[k]));
                let lens = per_row(&ptr, &mut items, threads, |seg| {
                    seg.sort_unstable_by_key(|x| x.0);
                    dedup_by(seg, |a, b| {
                        let same = a.0 == b.0;
                        if same {
                            a.1 += b.1;
                        }
                        same
                    })
                });
                let row_ptr = compact(&ptr, &lens, &mut items);
                let (shops, mult) = items.into_iter().unzip();
                Bipartite {
                    n_users,
                    n_shops,
                    row_ptr,
                    shops,
                    mult: Some(mult),
                }
            }
        };
        Ok(g)
    }

    pub fn n_edges(&self) -> usize {
        self.shops.len()
    }

    pub fn row(&self, u: u32) -> std::ops::Range<usize> {
        self.row_ptr[u as usize] as usize..self.row_ptr[u as usize + 1] as usize
    }

    /// Edge `e`'s multiplier (1 when unweighted).
    pub fn mult(&self, e: usize) -> f64 {
        self.mult.as_ref().map_or(1.0, |m| m[e])
    }

    /// Number of distinct buyers of each shop.
    pub fn shop_degrees(&self) -> Vec<u32> {
        let mut d = vec![0u32; self.n_shops];
        for &s in &self.shops {
            d[s as usize] += 1;
        }
        d
    }

    /// The graph without the edges between `users` and `shops` (membership masks).
    pub fn without_block(&self, users: &[bool], shops: &[bool]) -> Bipartite {
        let mut row_ptr = Vec::with_capacity(self.row_ptr.len());
        let mut out_shops = Vec::with_capacity(self.shops.len());
        let mut out_mult = self.mult.as_ref().map(|m| Vec::with_capacity(m.len()));
        row_ptr.push(0);
        for u in 0..self.n_users as u32 {
            for e in self.row(u) {
                let s = self.shops[e];
                if users[u as usize] && shops[s as usize] {
                    continue;
                }
                out_shops.push(s);
                if let (Some(om), Some(m)) = (&mut out_mult, &self.mult) {
                    om.push(m[e]);
                }
            }
            row_ptr.push(out_shops.len() as u32);
        }
        Bipartite {
            n_users: self.n_users,
            n_shops: self.n_shops,
            row_ptr,
            shops: out_shops,
            mult: out_mult,
        }
    }
}

/// Row offsets of a counting sort by `key`.
pub(crate) fn counting_ptr(n: usize, key: &[u32]) -> Vec<u32> {
    let mut ptr = vec![0u32; n + 1];
    for &k in key {
        ptr[k as usize + 1] += 1;
    }
    for i in 0..n {
        ptr[i + 1] += ptr[i];
    }
    ptr
}

/// Item `item(k)` of line `k` placed in row `key[k]`, rows in line order.
pub(crate) fn scatter<T: Copy + Default>(
    ptr: &[u32],
    key: &[u32],
    item: impl Fn(usize) -> T,
) -> Vec<T> {
    let mut cursor: Vec<u32> = ptr[..ptr.len() - 1].to_vec();
    let mut items = vec![T::default(); key.len()];
    for (k, &r) in key.iter().enumerate() {
        let c = &mut cursor[r as usize];
        items[*c as usize] = item(k);
        *c += 1;
    }
    items
}

/// Keeps the first of each run of equal neighbours (`same(kept, next)` may merge `next` into
/// `kept`); returns the kept length.
pub(crate) fn dedup_by<T: Copy>(seg: &mut [T], mut same: impl FnMut(&mut T, &T) -> bool) -> usize {
    if seg.is_empty() {
        return 0;
    }
    let mut w = 0;
    for r in 1..seg.len() {
        let next = seg[r];
        if !same(&mut seg[w], &next) {
            w += 1;
            seg[w] = next;
        }
    }
    w + 1
}

/// Runs `f` on every row's items, rows split over `threads` by item count; returns the lengths
/// `f` reports.
pub(crate) fn per_row<T: Send>(
    ptr: &[u32],
    items: &mut [T],
    threads: usize,
    f: impl Fn(&mut [T]) -> usize + Sync,
) -> Vec<u32> {
    let n = ptr.len() - 1;
    let m = items.len();
    let mut lens = vec![0u32; n];
    let threads = threads.clamp(1, n.max(1));
    let mut cuts: Vec<usize> = (1..threads)
        .map(|t| {
            ptr.partition_point(|&p| (p as usize) < m * t / threads)
                .min(n)
        })
        .collect();
    cuts.push(n);
    std::thread::scope(|s| {
        let (mut rest_items, mut rest_lens) = (items, &mut lens[..]);
        let mut prev = 0usize;
        let f = &f;
        for &cut in &cuts {
            let cut = cut.max(prev);
            let (mine, other) =
                std::mem::take(&mut rest_items).split_at_mut((ptr[cut] - ptr[prev]) as usize);
            let (my_lens, other_lens) = std::mem::take(&mut rest_lens).split_at_mut(cut - prev);
            let (base, rows) = (ptr[prev] as usize, prev..cut);
            s.spawn(move || {
                for (k, r) in rows.enumerate() {
                    let seg = &mut mine[ptr[r] as usize - base..ptr[r + 1] as usize - base];
                    my_lens[k] = f(seg) as u32;
                }
            });
            (rest_items, rest_lens, prev) = (other, other_lens, cut);
        }
    });
    lens
}

/// Moves each row's first `lens[r]` items together; returns the new offsets.
pub(crate) fn compact<T: Copy>(ptr: &[u32], lens: &[u32], items: &mut Vec<T>) -> Vec<u32> {
    let mut out = Vec::with_capacity(ptr.len());
    out.push(0u32);
    let mut w = 0usize;
    for (r, &len) in lens.iter().enumerate() {
        let start = ptr[r] as usize;
        items.copy_within(start..start + len as usize, w);
        w += len as usize;
        out.push(w as u32);
    }
    items.truncate(w);
    items.shrink_to_fit();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_duplicates_and_sums_weights() {
        let user = [1, 0, 1, 1, 0];
        let shop = [2, 0, 2, 0, 0];
        let g = Bipartite::build(2, 3, &user, &shop, None, 2).unwrap();
        assert_eq!(g.row_ptr, vec![0, 1, 3]);
        assert_eq!(g.shops, vec![0, 0, 2]);
        let w = [1.0, 2.0, 0.5, 4.0, 1.0];
        let g = Bipartite::build(2, 3, &user, &shop, Some(&w), 3).unwrap();
        assert_eq!(g.shops, vec![0, 0, 2]);
        assert_eq!(g.mult, Some(vec![3.0, 4.0, 1.5]));
        assert_eq!(g.shop_degrees(), vec![2, 0, 1]);
    }
}
