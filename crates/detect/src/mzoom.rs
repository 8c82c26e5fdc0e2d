//! Dense blocks in the buyer × shop × day tensor (M-Zoom, Shin et al., PKDD 2016; D-Cube,
//! WSDM 2017), under arithmetic-average mass: `ρ(B) = mass(B) / ((|U| + |S| + |D|) / 3)`.
//!
//! Removing any one slice shrinks the denominator by the same amount, so the removal that keeps
//! the density highest is the slice of least mass, whatever its mode: the greedy peel removes
//! it (users before shops before days on ties, then the lowest index) and the best prefix is the
//! block. A ring whose orders bunch into a few days loses little when the other days go, while
//! honest orders spread over every day; that is what FRAUDAR, blind to time, cannot see.
//!
//! Masses are fixed point like FRAUDAR's degrees (exact updates, exact ties); counts of orders
//! are integers and stay exact.

use std::borrow::Cow;

use crate::fraudar::{fixed_scale, to_fixed};
use crate::graph::{TooLarge, compact, counting_ptr, dedup_by, per_row};
use crate::heap::MinHeap;
use crate::orders::Orders;
use crate::time::NO_DAY;
use crate::{Block, ExactSum};

/// Entries `(user, shop, day) → mass`, grouped by user; each user's entries sorted by
/// `(shop, day)` and distinct.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    pub n_users: usize,
    pub n_shops: usize,
    /// Dense day index → day number (days since 1970-01-01, CST), ascending.
    pub days: Vec<i32>,
    pub row_ptr: Vec<u32>,
    pub shop: Vec<u32>,
    pub day: Vec<u32>,
    /// Orders in the entry (summed weights when the input had weights).
    pub mass: Vec<f64>,
    /// Input lines left out for having no timestamp.
    pub skipped: usize,
}

impl Tensor {
    /// The tensor of the parsed lines; `None` when they were parsed without days.
    pub fn from_orders(o: &Orders, threads: usize) -> Option<Result<Self, TooLarge>> {
        let day = o.day.as_deref()?;
        Some(Self::build(
            o.users.len(),
            o.shops.len(),
            &o.user,
            &o.shop,
            day,
            o.weight.as_deref(),
            threads,
        ))
    }

    /// The tensor of parallel arrays; lines whose day is [`NO_DAY`] are skipped.
    pub fn build(
        n_users: usize,
        n_shops: usize,
        user: &[u32],
        shop: &[u32],
        day: &[i32],
        weight: Option<&[f64]>,
        threads: usize,
    ) -> Result<Self, TooLarge> {
        if user.len() >= u32::MAX as usize || n_users + n_shops >= u32::MAX as usize {
            return Err(TooLarge(user.len()));
        }
        let mut days: Vec<i32> = Vec::new();
        let (lo, hi) = day
            .iter()
            .filter(|&&d| d != NO_DAY)
            .fold((i32::MAX, i32::MIN), |(lo, hi), &d| (lo.min(d), hi.max(d)));
        let dense: Box<dyn Fn(i32) -> u32> = if lo > hi {
            Box::new(|_| 0)
        } else if (hi as i64 - lo as i64) < (1 << 22) {
            // A table over the span: one pass, no sort.
            let mut table = vec![u32::MAX; (hi as i64 - lo as i64 + 1) as usize];
            for &d in day.iter().filter(|&&d| d != NO_DAY) {
                table[(d - lo) as usize] = 0;
            }
            for (i, t) in table.iter_mut().enumerate() {
                if *t == 0 {
                    *t = days.len() as u32;
                    days.push(lo + i as i32);
                }
            }
            Box::new(move |d| table[(d - lo) as usize])
        } else {
            days = day.iter().copied().filter(|&d| d != NO_DAY).collect();
            days.sort_unstable();
            days.dedup();
            let sorted = days.clone();
            Box::new(move |d| sorted.binary_search(&d).expect("known day") as u32)
        };
        let mut ptr = vec![0u32; n_users + 1];
        let mut skipped = 0usize;
        for (&u, &d) in user.iter().zip(day) {
            if d == NO_DAY {
                skipped += 1;
            } else {
                ptr[u as usize + 1] += 1;
            }
        }
        for i in 0..n_users {
            ptr[i + 1] += ptr[i];
        }
        let mut cursor: Vec<u32> = ptr[..n_users].to_vec();
        let mut items = vec![(0u64, 0f64); user.len() - skipped];
        for (k, (&u, &d)) in user.iter().zip(day).enumerate() {
            if d != NO_DAY {
                let c = &mut cursor[u as usize];
                let key = (u64::from(shop[k]) << 32) | u64::from(dense(d));
                items[*c as usize] = (key, weight.map_or(1.0, |w| w[k]));
                *c += 1;
            }
        }
        drop(cursor);
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
        Ok(Tensor {
            n_users,
            n_shops,
            days,
            row_ptr,
            shop: items.iter().map(|x| (x.0 >> 32) as u32).collect(),
            day: items.iter().map(|x| x.0 as u32).collect(),
            mass: items.iter().map(|x| x.1).collect(),
            skipped,
        })
    }

    pub fn n_entries(&self) -> usize {
        self.shop.len()
    }

    pub fn row(&self, u: u32) -> std::ops::Range<usize> {
        self.row_ptr[u as usize] as usize..self.row_ptr[u as usize + 1] as usize
    }

    /// The tensor without the entries inside the block given by membership masks.
    pub fn without_block(&self, users: &[bool], shops: &[bool], days: &[bool]) -> Tensor {
        let mut t = Tensor {
            row_ptr: vec![0],
            shop: Vec::new(),
            day: Vec::new(),
            mass: Vec::new(),
            days: self.days.clone(),
            ..*self
        };
        for u in 0..self.n_users as u32 {
            for e in self.row(u) {
                let (s, d) = (self.shop[e], self.day[e]);
                if !(users[u as usize] && shops[s as usize] && days[d as usize]) {
                    t.shop.push(s);
                    t.day.push(d);
                    t.mass.push(self.mass[e]);
                }
            }
            t.row_ptr.push(t.shop.len() as u32);
        }
        t
    }
}

/// Up to `blocks` dense blocks, each found after removing the entries of the blocks before it.
/// Block days are day numbers.
pub fn mzoom(t: &Tensor, blocks: usize) -> Vec<Block> {
    let mut out = Vec::new();
    let mut cur = Cow::Borrowed(t);
    for b in 0..blocks {
        let Some((block, masks)) = best_block(&cur) else {
            break;
        };
        if b + 1 < blocks {
            cur = Cow::Owned(cur.without_block(&masks[0], &masks[1], &masks[2]));
        }
        out.push(block);
    }
    out
}

const MODES: usize = 3;
/// Entries read ahead of their removal.
const TOUCH: usize = 16;

/// The densest prefix of the peel with its recounted score, and its membership masks per mode.
fn best_block(t: &Tensor) -> Option<(Block, [Vec<bool>; MODES])> {
    if t.n_entries() == 0 {
        return None;
    }
    let n = [t.n_users, t.n_shops, t.days.len()];
    let scale = fixed_scale(t.mass.iter().sum());
    let fixed = |e: usize| to_fixed(t.mass[e], scale);

    // Entries of each shop and each day; users' entries are their rows.
    let incidence = |key: &[u32], n: usize| {
        let ptr = counting_ptr(n, key);
        let mut cursor: Vec<u32> = ptr[..n].to_vec();
        let mut ids = vec![0u32; key.len()];
        for (e, &k) in key.iter().enumerate() {
            ids[cursor[k as usize] as usize] = e as u32;
            cursor[k as usize] += 1;
        }
        (ptr, ids)
    };
    let (shop_ptr, shop_ids) = incidence(&t.shop, n[1]);
    let (day_ptr, day_ids) = incidence(&t.day, n[2]);
    let mut entry_user = vec![0u32; t.n_entries()];
    let mut slice_mass = [vec![0u64; n[0]], vec![0u64; n[1]], vec![0u64; n[2]]];
    for u in 0..t.n_users as u32 {
        for e in t.row(u) {
            entry_user[e] = u;
            let f = fixed(e);
            slice_mass[0][u as usize] += f;
            slice_mass[1][t.shop[e] as usize] += f;
            slice_mass[2][t.day[e] as usize] += f;
        }
    }
    let ptrs = [&t.row_ptr, &shop_ptr, &day_ptr];
    let mut heaps: [MinHeap; MODES] = std::array::from_fn(|m| {
        MinHeap::new(
            n[m],
            (0..n[m] as u32)
                .filter(|&i| ptrs[m][i as usize] < ptrs[m][i as usize + 1])
                .map(|i| (i, slice_mass[m][i as usize], i)),
        )
    });
    drop(slice_mass);

    let mut alive = vec![true; t.n_entries()];
    let mut mass = heaps[0].key_sum();
    let mut size: u64 = heaps.iter().map(|h| h.len() as u64).sum();
    let mut order: Vec<(u8, u32)> = Vec::with_capacity(size as usize);
    let (mut best_len, mut best_mass, mut best_size) = (0usize, mass, size);
    while heaps.iter().all(|h| !h.is_empty()) {
        let (m, (key, idx)) = (0..MODES)
            .map(|m| (m, heaps[m].peek().expect("non-empty")))
            .min_by_key(|&(m, (k, _))| (k, m))
            .expect("three modes");
        heaps[m].pop();
        mass -= key;
        let kill = |e: usize, alive: &mut [bool], heaps: &mut [MinHeap; MODES]| {
            if !alive[e] {
                return;
            }
            alive[e] = false;
            let f = fixed(e);
            // An alive entry's three slices are all still in the peel.
            let coords = [entry_user[e], t.shop[e], t.day[e]];
            for (o, &c) in coords.iter().enumerate() {
                if o != m {
                    heaps[o].decrease(c, f);
                }
            }
        };
        let i = idx as usize;
        let ids = match m {
            0 => {
                // A user's entries are contiguous: nothing to gather.
                t.row(idx).for_each(|e| kill(e, &mut alive, &mut heaps));
                &[][..]
            }
            1 => &shop_ids[shop_ptr[i] as usize..shop_ptr[i + 1] as usize],
            _ => &day_ids[day_ptr[i] as usize..day_ptr[i + 1] as usize],
        };
        // A shop's or a day's entries are scattered: read a batch of them first, so that the
        // misses overlap; whether they are alive first (late in the peel most are not), then
        // the rest of the live ones.
        for batch in ids.chunks(TOUCH) {
            let live = batch
                .iter()
                .fold(0u32, |acc, &e| acc + u32::from(alive[e as usize]));
            let touched = batch
                .iter()
                .filter(|&&e| live > 0 && alive[e as usize])
                .fold(u64::from(live), |acc, &e| {
                    let e = e as usize;
                    acc ^ u64::from(entry_user[e] ^ t.shop[e] ^ t.day[e]) ^ t.mass[e].to_bits()
                });
            std::hint::black_box(touched);
            for &e in batch {
                kill(e as usize, &mut alive, &mut heaps);
            }
        }
        order.push((m as u8, idx));
        size -= 1;
        if u128::from(mass) * u128::from(best_size) > u128::from(best_mass) * u128::from(size) {
            (best_len, best_mass, best_size) = (order.len(), mass, size);
        }
    }

    let mut masks: [Vec<bool>; MODES] =
        std::array::from_fn(|m| (0..n[m]).map(|i| ptrs[m][i] < ptrs[m][i + 1]).collect());
    for &(m, i) in &order[..best_len] {
        masks[m as usize][i as usize] = false;
    }
    let mut sum = ExactSum::default();
    for u in (0..t.n_users as u32).filter(|&u| masks[0][u as usize]) {
        for e in t.row(u) {
            if masks[1][t.shop[e] as usize] && masks[2][t.day[e] as usize] {
                sum.add(t.mass[e]);
            }
        }
    }
    let members =
        |m: usize| -> Vec<u32> { (0..n[m] as u32).filter(|&i| masks[m][i as usize]).collect() };
    let (users, shops) = (members(0), members(1));
    let days: Vec<i32> = members(2).iter().map(|&d| t.days[d as usize]).collect();
    let score = 3.0 * sum.value() / (users.len() + shops.len() + days.len()) as f64;
    let block = Block {
        users,
        shops,
        days,
        score,
    };
    Some((block, masks))
}
