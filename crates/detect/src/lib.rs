#![doc = include_str!("../README.md")]

pub mod collective;
pub mod fraudar;
pub mod generate;
pub mod graph;
mod heap;
mod intern;
pub mod mzoom;
pub mod orders;
pub mod parse;
mod time;

use std::hash::Hash;
use std::path::Path;
use std::time::Instant;

use rustc_hash::FxHashSet;

pub use fraudar::fraudar;
pub use graph::{Bipartite, TooLarge};
pub use mzoom::{Tensor, mzoom};
pub use orders::{LineError, Names, Orders, ParseOptions, Purchase};

/// A dense block: sorted dense ids, day numbers (time-aware detector only) and its density.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Block {
    pub users: Vec<u32>,
    pub shops: Vec<u32>,
    pub days: Vec<i32>,
    pub score: f64,
}

/// Neumaier's compensated sum: the reported scores are recounts, not running totals.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExactSum {
    sum: f64,
    carry: f64,
}

impl ExactSum {
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        self.carry += if self.sum.abs() >= x.abs() {
            (self.sum - t) + x
        } else {
            (x - t) + self.sum
        };
        self.sum = t;
    }

    pub fn value(&self) -> f64 {
        self.sum + self.carry
    }
}

/// Precision, recall and F1 of a detected block against the truth.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Accuracy {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Joint accuracy over users and shops together (users and shops are counted apart, then
/// summed, as in the FRAUDAR paper's experiments).
pub fn joint_accuracy<T: Eq + Hash>(
    found_users: &[T],
    found_shops: &[T],
    true_users: &[T],
    true_shops: &[T],
) -> Accuracy {
    let hits = |found: &[T], truth: &[T]| {
        let t: FxHashSet<&T> = truth.iter().collect();
        found
            .iter()
            .collect::<FxHashSet<&T>>()
            .intersection(&t)
            .count()
    };
    let hit = hits(found_users, true_users) + hits(found_shops, true_shops);
    let found = found_users.len() + found_shops.len();
    let truth = true_users.len() + true_shops.len();
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let (precision, recall) = (ratio(hit, found), ratio(hit, truth));
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Accuracy {
        precision,
        recall,
        f1,
    }
}

/// What to detect.
#[derive(Debug, Clone, Copy)]
pub struct DetectOptions {
    pub blocks: usize,
    /// The time-aware detector (buyer × shop × day) instead of FRAUDAR.
    pub time: bool,
    pub threads: usize,
}

impl DetectOptions {
    fn parse(&self) -> ParseOptions {
        ParseOptions {
            days: self.time,
            threads: self.threads,
        }
    }
}

/// A block with its members' original names and days as `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NamedBlock {
    pub users: Vec<String>,
    pub shops: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<Vec<String>>,
    pub score: f64,
}

/// Seconds spent per stage.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Timings {
    pub parse: f64,
    pub build: f64,
    pub detect: f64,
}

#[derive(Debug)]
pub struct Detection {
    pub blocks: Vec<NamedBlock>,
    pub lines: u64,
    /// Valid lines.
    pub orders: usize,
    /// Distinct edges (FRAUDAR) or tensor entries (time-aware).
    pub entries: usize,
    pub errors: Vec<LineError>,
    pub error_count: u64,
    /// Lines the time-aware detector left out for having no timestamp.
    pub without_time: usize,
    pub timings: Timings,
}

#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error("读取 {path} 失败 / cannot read {path}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    TooLarge(#[from] TooLarge),
    #[error(
        "没有带时间的订单，无法按天检测 / no line has a timestamp; the time-aware detector needs them"
    )]
    NoTimestamps,
}

/// Reads an edges file and finds dense blocks, freeing each stage's memory before the next.
pub fn detect_file(path: &Path, opts: DetectOptions) -> Result<Detection, DetectError> {
    let t0 = Instant::now();
    let data = std::fs::read(path).map_err(|source| DetectError::Read {
        path: path.display().to_string(),
        source,
    })?;
    detect_bytes_since(&data, opts, t0)
}

/// Finds dense blocks in edges text (the lines of [`detect_file`]).
pub fn detect_bytes(data: &[u8], opts: DetectOptions) -> Result<Detection, DetectError> {
    detect_bytes_since(data, opts, Instant::now())
}

/// Finds dense blocks among typed purchases (the store's, for the scheduled scan): the same
/// detection as [`detect_bytes`] on the lines they would make, without printing and parsing them.
pub fn detect_purchases(
    purchases: &[Purchase<'_>],
    opts: DetectOptions,
) -> Result<Detection, DetectError> {
    let t0 = Instant::now();
    let orders = orders::from_purchases(purchases, opts.parse());
    detect_orders(orders, opts, t0)
}

fn detect_bytes_since(
    data: &[u8],
    opts: DetectOptions,
    t0: Instant,
) -> Result<Detection, DetectError> {
    detect_orders(parse::parse_bytes(data, opts.parse()), opts, t0)
}

/// Detection on interned orders; `t0` is when reading them began.
fn detect_orders(
    mut orders: Orders,
    opts: DetectOptions,
    t0: Instant,
) -> Result<Detection, DetectError> {
    let t1 = Instant::now();
    let n_orders = orders.len();
    let (blocks, entries, without_time, t2) = if opts.time {
        let t = Tensor::from_orders(&orders, opts.threads).expect("parsed with days")?;
        if t.n_entries() == 0 && n_orders > 0 {
            return Err(DetectError::NoTimestamps);
        }
        free_columns(&mut orders);
        let t2 = Instant::now();
        (mzoom(&t, opts.blocks), t.n_entries(), t.skipped, t2)
    } else {
        let g = Bipartite::from_orders(&orders, opts.threads)?;
        free_columns(&mut orders);
        let t2 = Instant::now();
        (fraudar(&g, opts.blocks), g.n_edges(), 0, t2)
    };
    let t3 = Instant::now();
    let blocks = blocks
        .into_iter()
        .map(|b| NamedBlock {
            users: b
                .users
                .iter()
                .map(|&u| orders.users.get(u).to_owned())
                .collect(),
            shops: b
                .shops
                .iter()
                .map(|&s| orders.shops.get(s).to_owned())
                .collect(),
            days: opts
                .time
                .then(|| b.days.iter().map(|&d| parse::day_name(d)).collect()),
            score: b.score,
        })
        .collect();
    Ok(Detection {
        blocks,
        lines: orders.lines,
        orders: n_orders,
        entries,
        errors: std::mem::take(&mut orders.errors),
        error_count: orders.error_count,
        without_time,
        timings: Timings {
            parse: (t1 - t0).as_secs_f64(),
            build: (t2 - t1).as_secs_f64(),
            detect: (t3 - t2).as_secs_f64(),
        },
    })
}

/// Drops the per-line arrays once the graph holds them; the names stay for the report.
fn free_columns(o: &mut Orders) {
    o.user = Vec::new();
    o.shop = Vec::new();
    o.weight = None;
    o.day = None;
}
