//! FRAUDAR (Hooi et al., KDD 2016): greedy peeling of the buyer × shop graph under
//! column-weighted average degree, `g(S) = f(S) / (|users| + |shops|)`.
//!
//! Each edge into shop `j` weighs `1 / ln(d_j + 5)` (`d_j`: the shop's distinct buyers in the
//! graph the block is searched in), times the edge's multiplier when the input had weights.
//! The peel always removes the node whose removal costs least (its weighted degree within the
//! remaining set), buyers before shops on ties, then the lowest id — the order of the reference
//! implementation (rgmining/fraudar `export` v1.1). The best prefix of the peel is the block.
//!
//! Degrees are fixed-point integers (each edge weight rounded once to a multiple of `2^-c`), so
//! updating a degree is exact: the incremental degrees equal degrees recounted from scratch,
//! ties are real ties and the best prefix is found by exact comparison. The reported score is
//! recounted from the real weights with compensated summation.

use std::borrow::Cow;

use crate::graph::{Bipartite, counting_ptr};
use crate::heap::MinHeap;
use crate::{Block, ExactSum};

/// Heap entries read ahead of their updates.
const TOUCH: usize = 16;

/// Weights of the graph a block is searched in.
#[derive(Debug, Clone)]
pub struct Weights {
    /// `1 / ln(d_j + 5)` per shop.
    pub column: Vec<f64>,
    /// Multiplier taking real weights to fixed point (a power of two).
    pub scale: f64,
}

impl Weights {
    pub fn of(g: &Bipartite) -> Self {
        let column: Vec<f64> = g
            .shop_degrees()
            .into_iter()
            .map(|d| 1.0 / (f64::from(d) + 5.0).ln())
            .collect();
        let total: f64 = (0..g.n_edges())
            .map(|e| g.mult(e) * column[g.shops[e] as usize])
            .sum();
        Weights {
            column,
            scale: fixed_scale(total),
        }
    }

    /// The real weight of edge `e` (into shop `s`).
    pub fn real(&self, g: &Bipartite, e: usize, s: u32) -> f64 {
        g.mult(e) * self.column[s as usize]
    }

    /// The fixed-point weight of edge `e` (into shop `s`).
    pub fn fixed(&self, g: &Bipartite, e: usize, s: u32) -> u64 {
        to_fixed(self.real(g, e, s), self.scale)
    }
}

/// `2^c` with the largest `c ≤ 60` that keeps a sum of `total` below `2^61` (rounding each of up
/// to 2^32 terms adds at most 2^31).
pub(crate) fn fixed_scale(total: f64) -> f64 {
    let c = if total > 0.0 {
        (61.0 - total.log2().ceil()).min(60.0)
    } else {
        60.0
    };
    2f64.powi(c as i32)
}

pub(crate) fn to_fixed(x: f64, scale: f64) -> u64 {
    (x * scale).round() as u64
}

/// Up to `blocks` dense blocks, each found in the graph left after removing the edges of the
/// blocks before it. Stops early when no edge is left.
pub fn fraudar(g: &Bipartite, blocks: usize) -> Vec<Block> {
    let mut out = Vec::new();
    let mut cur = Cow::Borrowed(g);
    for b in 0..blocks {
        let Some(block) = best_block(&cur) else { break };
        if b + 1 < blocks {
            let mut users = vec![false; g.n_users];
            let mut shops = vec![false; g.n_shops];
            block.users.iter().for_each(|&u| users[u as usize] = true);
            block.shops.iter().for_each(|&s| shops[s as usize] = true);
            cur = Cow::Owned(cur.without_block(&users, &shops));
        }
        out.push(block);
    }
    out
}

/// The peel of one graph: removal order and where its best prefix ends.
#[derive(Debug, Clone)]
pub struct Peel {
    /// Removed nodes in order: users as `u`, shops as `n_users + s`.
    pub order: Vec<u32>,
    /// Removals before the best set (0: the whole graph).
    pub best_len: usize,
    /// Fixed-point edge weight sum and node count of the best set.
    pub best_mass: u64,
    pub best_nodes: u64,
}

/// The densest prefix set of the greedy peel, with its recounted score; `None` without edges.
pub fn best_block(g: &Bipartite) -> Option<Block> {
    let w = Weights::of(g);
    let peel = peel(g, &w)?;
    let mut in_user = vec![false; g.n_users];
    let mut in_shop = vec![false; g.n_shops];
    for u in 0..g.n_users as u32 {
        for e in g.row(u) {
            in_user[u as usize] = true;
            in_shop[g.shops[e] as usize] = true;
        }
    }
    for &v in &peel.order[..peel.best_len] {
        match (v as usize).checked_sub(g.n_users) {
            None => in_user[v as usize] = false,
            Some(s) => in_shop[s] = false,
        }
    }
    let users: Vec<u32> = (0..g.n_users as u32)
        .filter(|&u| in_user[u as usize])
        .collect();
    let shops: Vec<u32> = (0..g.n_shops as u32)
        .filter(|&s| in_shop[s as usize])
        .collect();
    let mut sum = ExactSum::default();
    for &u in &users {
        for e in g.row(u) {
            let s = g.shops[e];
            if in_shop[s as usize] {
                sum.add(w.real(g, e, s));
            }
        }
    }
    let score = sum.value() / (users.len() + shops.len()) as f64;
    Some(Block {
        users,
        shops,
        days: Vec::new(),
        score,
    })
}

/// The greedy peel under weights `w`; `None` when the graph has no edges.
///
/// Buyers are kept in the order of their starting degree (then id), so that the peel, which
/// removes them roughly in that order, reads their shops and heap entries walking forwards in
/// memory rather than at random; the heap still breaks ties by the public id.
pub fn peel(g: &Bipartite, w: &Weights) -> Option<Peel> {
    if g.n_edges() == 0 {
        return None;
    }
    let nu = g.n_users;
    // Fixed-point weight per edge: per shop when unweighted (all its edges weigh the same).
    let col_fixed: Vec<u64> = w.column.iter().map(|&x| to_fixed(x, w.scale)).collect();
    let edge_fixed: Option<Vec<u64>> = g.mult.as_ref().map(|_| {
        (0..g.n_edges())
            .map(|e| w.fixed(g, e, g.shops[e]))
            .collect()
    });
    let fixed = |e: usize, s: u32| -> u64 {
        match &edge_fixed {
            Some(f) => f[e],
            None => col_fixed[s as usize],
        }
    };
    let row_deg: Vec<u64> = (0..nu as u32)
        .map(|u| g.row(u).map(|e| fixed(e, g.shops[e])).sum())
        .collect();
    let mut order: Vec<u32> = (0..nu as u32).filter(|&u| !g.row(u).is_empty()).collect();
    order.sort_unstable_by_key(|&u| (row_deg[u as usize], u));

    // Rows in that order (`r` below is a position in it), then the columns over them. Rows are
    // copied reading the graph forwards and writing at random, which stalls less than the
    // other way round.
    let mut rank = vec![0u32; nu];
    let mut row_ptr = Vec::with_capacity(order.len() + 1);
    row_ptr.push(0u32);
    for (r, &u) in order.iter().enumerate() {
        rank[u as usize] = r as u32;
        row_ptr.push(row_ptr[r] + g.row(u).len() as u32);
    }
    let mut row_shop = vec![0u32; g.n_edges()];
    let mut row_fixed = vec![0u64; if edge_fixed.is_some() { g.n_edges() } else { 0 }];
    for u in (0..nu as u32).filter(|&u| !g.row(u).is_empty()) {
        let (src, at) = (g.row(u), row_ptr[rank[u as usize] as usize] as usize);
        row_shop[at..at + src.len()].copy_from_slice(&g.shops[src.clone()]);
        if let Some(f) = &edge_fixed {
            row_fixed[at..at + src.len()].copy_from_slice(&f[src]);
        }
    }
    drop(rank);
    let weight_at = |k: usize, s: u32| match &edge_fixed {
        Some(_) => row_fixed[k],
        None => col_fixed[s as usize],
    };
    let col_ptr = counting_ptr(g.n_shops, &row_shop);
    let mut cursor: Vec<u32> = col_ptr[..g.n_shops].to_vec();
    let mut col_row = vec![0u32; g.n_edges()];
    let mut col_weight = vec![0u64; if edge_fixed.is_some() { g.n_edges() } else { 0 }];
    let mut col_deg = vec![0u64; g.n_shops];
    for r in 0..order.len() {
        for k in row_ptr[r] as usize..row_ptr[r + 1] as usize {
            let s = row_shop[k];
            let c = &mut cursor[s as usize];
            col_row[*c as usize] = r as u32;
            if !col_weight.is_empty() {
                col_weight[*c as usize] = row_fixed[k];
            }
            *c += 1;
            col_deg[s as usize] += weight_at(k, s);
        }
    }
    drop(cursor);

    // Already sorted: building the heap moves nothing.
    let mut rows = MinHeap::new(
        order.len(),
        order
            .iter()
            .enumerate()
            .map(|(r, &u)| (r as u32, row_deg[u as usize], u)),
    );
    let mut cols = MinHeap::new(
        g.n_shops,
        (0..g.n_shops as u32)
            .filter(|&s| col_ptr[s as usize] < col_ptr[s as usize + 1])
            .map(|s| (s, col_deg[s as usize], s)),
    );
    drop((row_deg, col_deg));

    let mut mass: u64 = rows.key_sum();
    let mut nodes = (rows.len() + cols.len()) as u64;
    let mut p = Peel {
        order: Vec::with_capacity(nodes as usize),
        best_len: 0,
        best_mass: mass,
        best_nodes: nodes,
    };
    while let (Some((rk, r)), Some((ck, c))) = (rows.peek(), cols.peek()) {
        if rk <= ck {
            rows.pop();
            mass -= rk;
            let (a, b) = (
                row_ptr[r as usize] as usize,
                row_ptr[r as usize + 1] as usize,
            );
            for (k, &s) in (a..b).zip(&row_shop[a..b]) {
                if cols.contains(s) {
                    cols.decrease(s, weight_at(k, s));
                }
            }
            p.order.push(order[r as usize]);
        } else {
            cols.pop();
            mass -= ck;
            let (start, end) = (
                col_ptr[c as usize] as usize,
                col_ptr[c as usize + 1] as usize,
            );
            // A popular shop's buyers are scattered over the heap: touch a batch of their
            // entries first, so that the misses overlap.
            for from in (start..end).step_by(TOUCH) {
                let batch = from..(from + TOUCH).min(end);
                let touched = batch.clone().fold(0, |acc, k| acc ^ rows.touch(col_row[k]));
                std::hint::black_box(touched);
                for k in batch {
                    let r = col_row[k];
                    if rows.contains(r) {
                        let f = match &edge_fixed {
                            Some(_) => col_weight[k],
                            None => col_fixed[c as usize],
                        };
                        rows.decrease(r, f);
                    }
                }
            }
            p.order.push(nu as u32 + c);
        }
        nodes -= 1;
        if u128::from(mass) * u128::from(p.best_nodes) > u128::from(p.best_mass) * u128::from(nodes)
        {
            p.best_len = p.order.len();
            p.best_mass = mass;
            p.best_nodes = nodes;
        }
    }
    Some(p)
}
