//! Synthetic order graphs with injected brushing rings, deterministic from a seed.
//!
//! Background: `edges` orders, each from a uniformly random buyer at a shop drawn by Zipf
//! popularity (shop `j` with weight `1 / (j + 1)^zipf`), at a uniformly random second of a
//! `days`-day window. A ring is `buyers × shops` members (drawn from the existing accounts, so
//! they also have honest orders), each pair an order with probability `density`; its orders
//! fall in a `burst_days` window when given. Camouflage follows the paper's experiments: each
//! ring buyer also orders from `round(density × shops)` honest shops, uniformly (`random`) or by
//! popularity (`biased`).

use std::io::Write;

use rand::rngs::StdRng;
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};

use crate::time::{SECS_PER_DAY, day_of};

/// 2026-01-01 00:00 China Standard Time.
pub const DEFAULT_START: i64 = 1_767_196_800;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Camouflage {
    None,
    Random,
    Biased,
}

impl std::str::FromStr for Camouflage {
    type Err = GenError;
    fn from_str(s: &str) -> Result<Self, GenError> {
        match s {
            "none" => Ok(Camouflage::None),
            "random" => Ok(Camouflage::Random),
            "biased" => Ok(Camouflage::Biased),
            other => Err(GenError(format!(
                "伪装须为 none、random 或 biased：{other:?} / camouflage must be none, random or biased: {other:?}"
            ))),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ring {
    pub buyers: u32,
    pub shops: u32,
    pub density: f64,
    pub camouflage: Camouflage,
    /// All ring orders within this many days.
    pub burst_days: Option<u32>,
    /// Orders per ring pair (brushing repeats purchases to inflate sales counts).
    pub repeat: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GenSpec {
    pub buyers: u32,
    pub shops: u32,
    /// Background orders.
    pub edges: u64,
    /// Zipf exponent of shop popularity.
    pub zipf: f64,
    /// Zipf exponent of buyer activity (0: every buyer alike).
    pub buyer_zipf: f64,
    pub days: u32,
    /// Unix seconds of the window's start.
    pub start: i64,
    pub rings: Vec<Ring>,
    pub seed: u64,
}

impl GenSpec {
    /// Buyer ids in use: the honest ones, then each ring's own.
    pub fn total_buyers(&self) -> u32 {
        self.buyers + self.rings.iter().map(|r| r.buyers).sum::<u32>()
    }

    /// A background of `edges` orders with buyers and shops in proportion (10 orders per buyer
    /// and 50 per shop on average over 90 days), shop Zipf exponent 1; no ring.
    pub fn with_edges(edges: u64, seed: u64) -> Self {
        GenSpec {
            buyers: (edges / 10).max(1) as u32,
            shops: (edges / 50).max(2) as u32,
            edges,
            zipf: 1.0,
            buyer_zipf: 0.0,
            days: 90,
            start: DEFAULT_START,
            rings: Vec::new(),
            seed,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct GenError(pub String);

/// One order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    pub user: u32,
    pub shop: u32,
    pub ts: i64,
}

/// Who is in an injected ring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RingTruth {
    pub users: Vec<u32>,
    pub shops: Vec<u32>,
    /// Day numbers of the burst window (empty without a burst).
    pub days: Vec<i32>,
}

pub fn user_name(u: u32) -> String {
    format!("u{u}")
}

pub fn shop_name(s: u32) -> String {
    format!("s{s}")
}

impl GenSpec {
    /// Whether the spec can be generated, and if not, what to change.
    pub fn check(&self) -> Result<(), GenError> {
        check(self)
    }
}

fn check(spec: &GenSpec) -> Result<(), GenError> {
    let bad = |zh: &str, en: &str| Err(GenError(format!("{zh} / {en}")));
    if spec.buyers == 0 || spec.shops == 0 || spec.days == 0 {
        return bad(
            "买家、店铺、天数须大于 0",
            "buyers, shops and days must be positive",
        );
    }
    if ![spec.zipf, spec.buyer_zipf]
        .iter()
        .all(|z| z.is_finite() && *z >= 0.0)
    {
        return bad(
            "Zipf 指数须为非负数",
            "the Zipf exponent must be non-negative",
        );
    }
    for r in &spec.rings {
        if r.shops >= spec.shops || r.buyers == 0 || r.shops == 0 {
            return bad(
                "团伙须非空，且店铺少于总店铺数",
                "a ring must be non-empty and have fewer shops than there are",
            );
        }
        if !(0.0..=1.0).contains(&r.density) {
            return bad("密度须在 0 到 1 之间", "density must be between 0 and 1");
        }
        if r.burst_days.is_some_and(|d| d == 0 || d > spec.days) {
            return bad(
                "集中天数须在 1 到总天数之间",
                "burst days must be between 1 and the window's days",
            );
        }
    }
    Ok(())
}

/// Draws from a Zipf law over `0..n` in O(1) (Vose's alias method).
struct Zipf {
    prob: Vec<f64>,
    alias: Vec<u32>,
}

impl Zipf {
    fn new(n: u32, s: f64) -> Self {
        let w: Vec<f64> = (0..n).map(|j| 1.0 / f64::from(j + 1).powf(s)).collect();
        let total: f64 = w.iter().sum();
        let mut prob: Vec<f64> = w.iter().map(|x| x * f64::from(n) / total).collect();
        let mut alias: Vec<u32> = (0..n).collect();
        let (mut small, mut large): (Vec<u32>, Vec<u32>) =
            (0..n).partition(|&j| prob[j as usize] < 1.0);
        while let (Some(&l), Some(&g)) = (small.last(), large.last()) {
            small.pop();
            alias[l as usize] = g;
            prob[g as usize] -= 1.0 - prob[l as usize];
            if prob[g as usize] < 1.0 {
                large.pop();
                small.push(g);
            }
        }
        // Leftovers are 1 up to rounding.
        for j in small.into_iter().chain(large) {
            prob[j as usize] = 1.0;
        }
        Zipf { prob, alias }
    }

    fn sample(&self, rng: &mut StdRng) -> u32 {
        let j = rng.random_range(0..self.prob.len());
        if rng.random::<f64>() < self.prob[j] {
            j as u32
        } else {
            self.alias[j]
        }
    }
}

/// Emits every order (background first, then each ring with its camouflage) and returns the
/// rings' members.
pub fn generate(spec: &GenSpec, mut emit: impl FnMut(Order)) -> Result<Vec<RingTruth>, GenError> {
    check(spec)?;
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let zipf = Zipf::new(spec.shops, spec.zipf);
    let buyers = Zipf::new(spec.buyers, spec.buyer_zipf);
    let span = i64::from(spec.days) * SECS_PER_DAY;
    for _ in 0..spec.edges {
        emit(Order {
            user: buyers.sample(&mut rng),
            shop: zipf.sample(&mut rng),
            ts: spec.start + rng.random_range(0..span),
        });
    }
    let mut truths = Vec::with_capacity(spec.rings.len());
    let mut fresh = spec.buyers;
    for r in &spec.rings {
        // Dedicated accounts: whatever else they buy is the camouflage.
        let users: Vec<u32> = (fresh..fresh + r.buyers).collect();
        fresh += r.buyers;
        let mut shops: Vec<u32> = sample(&mut rng, spec.shops as usize, r.shops as usize)
            .into_iter()
            .map(|i| i as u32)
            .collect();
        shops.sort_unstable();
        let (from, len) = match r.burst_days {
            Some(d) => {
                let first = rng.random_range(0..=spec.days - d);
                (
                    spec.start + i64::from(first) * SECS_PER_DAY,
                    i64::from(d) * SECS_PER_DAY,
                )
            }
            None => (spec.start, span),
        };
        let mut in_ring = vec![false; spec.shops as usize];
        shops.iter().for_each(|&s| in_ring[s as usize] = true);
        let camo = (r.density * f64::from(r.shops)).round() as usize;
        for &u in &users {
            for &s in &shops {
                if rng.random::<f64>() < r.density {
                    for _ in 0..r.repeat.max(1) {
                        emit(Order {
                            user: u,
                            shop: s,
                            ts: from + rng.random_range(0..len),
                        });
                    }
                }
            }
            // Camouflage: distinct honest shops, at honest times.
            let mut picked = Vec::with_capacity(camo);
            while r.camouflage != Camouflage::None
                && picked.len() < camo.min(in_ring.len() - shops.len())
            {
                let s = match r.camouflage {
                    Camouflage::Biased => zipf.sample(&mut rng),
                    _ => rng.random_range(0..spec.shops),
                };
                if !in_ring[s as usize] && !picked.contains(&s) {
                    picked.push(s);
                    emit(Order {
                        user: u,
                        shop: s,
                        ts: spec.start + rng.random_range(0..span),
                    });
                }
            }
        }
        let days = match r.burst_days {
            Some(_) => (0..len / SECS_PER_DAY)
                .map(|k| day_of(from + k * SECS_PER_DAY))
                .collect(),
            None => Vec::new(),
        };
        truths.push(RingTruth { users, shops, days });
    }
    Ok(truths)
}

/// Writes `user,shop,,timestamp` lines (no weight: each line is one order).
pub fn write_edges(spec: &GenSpec, out: impl Write) -> std::io::Result<Vec<RingTruth>> {
    let mut w = std::io::BufWriter::with_capacity(1 << 20, out);
    let mut err = None;
    let truths = generate(spec, |o| {
        if err.is_none()
            && let Err(e) = writeln!(w, "u{},s{},,{}", o.user, o.shop, o.ts)
        {
            err = Some(e);
        }
    })
    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    if let Some(e) = err {
        return Err(e);
    }
    w.flush()?;
    Ok(truths)
}
