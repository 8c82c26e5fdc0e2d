//! Orders as the detectors take them: ids interned to dense `u32`s in order of first appearance,
//! one column per field. Lines read from an edges file (`parse`) and purchases handed over typed
//! ([`from_purchases`]) go through the same interning, in parts built in parallel and merged.

use std::fmt;

use crate::intern::{Hashed, Interner};
use crate::time::{NO_DAY, day_of};

/// Bad lines kept with their text; the rest are only counted (a garbage file must not cost
/// memory proportional to its size).
pub const MAX_REPORTED_ERRORS: usize = 1000;

/// What was wrong with one input line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineProblem {
    MissingShop,
    EmptyUser,
    EmptyShop,
    TooManyFields,
    NotUtf8,
    BadWeight(String),
    BadTimestamp(String),
}

/// A bad line: 1-based line number and the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub problem: LineProblem,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.line;
        match &self.problem {
            LineProblem::MissingShop => write!(f, "第 {n} 行缺少店铺 / line {n}: no shop field"),
            LineProblem::EmptyUser => write!(f, "第 {n} 行用户为空 / line {n}: empty user"),
            LineProblem::EmptyShop => write!(f, "第 {n} 行店铺为空 / line {n}: empty shop"),
            LineProblem::TooManyFields => write!(
                f,
                "第 {n} 行字段过多（最多 4 个）/ line {n}: more than 4 fields (user,shop,weight,timestamp)"
            ),
            LineProblem::NotUtf8 => write!(f, "第 {n} 行不是 UTF-8 / line {n}: not UTF-8"),
            LineProblem::BadWeight(w) => write!(
                f,
                "第 {n} 行权重须为正数：{w:?} / line {n}: weight must be a positive number: {w:?}"
            ),
            LineProblem::BadTimestamp(t) => write!(
                f,
                "第 {n} 行时间须为 Unix 秒或 RFC 3339：{t:?} / line {n}: timestamp must be unix seconds or RFC 3339: {t:?}"
            ),
        }
    }
}

/// Interned ids: dense index → original string, stored in one arena.
#[derive(Debug, Clone, Default)]
pub struct Names {
    buf: String,
    ends: Vec<usize>,
}

impl Names {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.buf[start..self.ends[i]]
    }

    pub fn push(&mut self, name: &str) -> u32 {
        self.buf.push_str(name);
        self.ends.push(self.buf.len());
        (self.ends.len() - 1) as u32
    }
}

/// Every valid line, in file order, with ids interned in order of first appearance.
#[derive(Debug, Clone, Default)]
pub struct Orders {
    pub users: Names,
    pub shops: Names,
    pub user: Vec<u32>,
    pub shop: Vec<u32>,
    /// Present when any line gave a weight; lines without one weigh 1.
    pub weight: Option<Vec<f64>>,
    /// Present when asked for: the day (CST) of each line, or [`NO_DAY`].
    pub day: Option<Vec<i32>>,
    /// Lines read, blank and bad ones included.
    pub lines: u64,
    /// The first [`MAX_REPORTED_ERRORS`] bad lines.
    pub errors: Vec<LineError>,
    pub error_count: u64,
}

impl Orders {
    pub fn len(&self) -> usize {
        self.user.len()
    }

    pub fn is_empty(&self) -> bool {
        self.user.is_empty()
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ParseOptions {
    /// Keep each line's day (needed by the time-aware detector).
    pub days: bool,
    /// Chunks parsed in parallel.
    pub threads: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            days: false,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

/// One purchase handed over typed (by the server's scan, from the store), read as an edges
/// file's line would be: ids as they are (no trimming), the same checks and the same interning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Purchase<'a> {
    pub buyer: &'a str,
    pub shop: &'a str,
    /// Positive; `None` counts 1. When no purchase has one, the graph is binary (see the README).
    pub weight: Option<f64>,
    /// Unix seconds; `None` leaves the purchase out of the time-aware detector.
    pub at: Option<i64>,
}

impl<'a> Purchase<'a> {
    fn line(&self) -> Result<Line<'a>, LineProblem> {
        let (user, shop) = (self.buyer.as_bytes(), self.shop.as_bytes());
        if user.is_empty() {
            return Err(LineProblem::EmptyUser);
        }
        if shop.is_empty() {
            return Err(LineProblem::EmptyShop);
        }
        if let Some(w) = self.weight.filter(|w| !(w.is_finite() && *w > 0.0)) {
            return Err(LineProblem::BadWeight(w.to_string()));
        }
        Ok(Line {
            user,
            shop,
            user_hash: Hashed::of(user),
            shop_hash: Hashed::of(shop),
            weight: self.weight,
            day: self.at.map_or(NO_DAY, day_of),
        })
    }
}

/// Interns typed purchases on `opts.threads` threads; never fails: a bad purchase (an empty id,
/// a weight not positive) is reported in [`Orders::errors`] at its 1-based position, and skipped.
pub fn from_purchases(purchases: &[Purchase<'_>], opts: ParseOptions) -> Orders {
    let per = purchases.len().div_ceil(opts.threads.max(1)).max(1);
    let mut chunks: Vec<&[Purchase<'_>]> = purchases.chunks(per).collect();
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    in_parts(chunks, opts.days, |c| {
        part(c.iter().map(|p| p.line().map(Some)), c.len(), opts.days)
    })
}

/// One part per chunk, each built on its own thread, merged in chunk order: ids come out the same
/// whatever the number of threads.
pub(crate) fn in_parts<'a, C: Send>(
    chunks: Vec<C>,
    days: bool,
    build: impl Fn(C) -> Part<'a> + Sync,
) -> Orders {
    let build = &build;
    let parts: Vec<Part<'a>> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|c| s.spawn(move || build(c)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("parser thread panicked"))
            .collect()
    });
    merge(parts, days)
}

pub(crate) struct Part<'a> {
    users: Interner<'a>,
    shops: Interner<'a>,
    user: Vec<u32>,
    shop: Vec<u32>,
    weight: Option<Vec<f64>>,
    day: Vec<i32>,
    lines: u64,
    errors: Vec<LineError>,
    error_count: u64,
}

/// A valid line (or purchase), before interning.
pub(crate) struct Line<'a> {
    pub(crate) user: &'a [u8],
    pub(crate) shop: &'a [u8],
    pub(crate) user_hash: Hashed,
    pub(crate) shop_hash: Hashed,
    pub(crate) weight: Option<f64>,
    pub(crate) day: i32,
}

/// Lines interned together: their table slots are read first, all at once, so the cache misses
/// overlap instead of queueing one behind the other.
const BATCH: usize = 16;

/// Interns `lines`, one item per input line: a line, a blank one (`None`) or what is wrong with
/// it; `cap` is how many there may be.
pub(crate) fn part<'a>(
    lines: impl Iterator<Item = Result<Option<Line<'a>>, LineProblem>>,
    cap: usize,
    days: bool,
) -> Part<'a> {
    let mut p = Part {
        users: Interner::new(),
        shops: Interner::new(),
        user: Vec::with_capacity(cap),
        shop: Vec::with_capacity(cap),
        weight: None,
        day: Vec::with_capacity(if days { cap } else { 0 }),
        lines: 0,
        errors: Vec::new(),
        error_count: 0,
    };
    let mut batch: Vec<Line<'_>> = Vec::with_capacity(BATCH);
    for parsed in lines {
        p.lines += 1;
        match parsed {
            Ok(Some(l)) => {
                batch.push(l);
                if batch.len() == BATCH {
                    p.push(&mut batch, days);
                }
            }
            Ok(None) => {}
            Err(problem) => {
                p.push(&mut batch, days);
                p.error_count += 1;
                if p.errors.len() < MAX_REPORTED_ERRORS {
                    p.errors.push(LineError {
                        line: p.lines,
                        problem,
                    });
                }
            }
        }
    }
    p.push(&mut batch, days);
    p
}

impl<'a> Part<'a> {
    /// Interns and appends the batch's lines, in order.
    fn push(&mut self, batch: &mut Vec<Line<'a>>, days: bool) {
        let touched = batch.iter().fold(0u64, |acc, l| {
            acc ^ self.users.touch(&l.user_hash) ^ self.shops.touch(&l.shop_hash)
        });
        std::hint::black_box(touched);
        for l in batch.drain(..) {
            self.user.push(self.users.intern(l.user, &l.user_hash));
            self.shop.push(self.shops.intern(l.shop, &l.shop_hash));
            match (l.weight, &mut self.weight) {
                (Some(w), Some(ws)) => ws.push(w),
                (Some(w), slot @ None) => {
                    let mut ws = Vec::with_capacity(self.user.capacity());
                    ws.resize(self.user.len() - 1, 1.0);
                    ws.push(w);
                    *slot = Some(ws);
                }
                (None, Some(ws)) => ws.push(1.0),
                (None, None) => {}
            }
            if days {
                self.day.push(l.day);
            }
        }
    }
}

fn merge(mut parts: Vec<Part<'_>>, days: bool) -> Orders {
    let rest = parts.split_off(1);
    let first = parts.pop().expect("at least one chunk");
    let total: usize = first.user.len() + rest.iter().map(|p| p.user.len()).sum::<usize>();
    let any_weight = first.weight.is_some() || rest.iter().any(|p| p.weight.is_some());
    let mut users = first.users;
    let mut shops = first.shops;
    let mut user = first.user;
    let mut shop = first.shop;
    let mut day = first.day;
    let mut weight = any_weight.then(|| first.weight.unwrap_or_else(|| vec![1.0; user.len()]));
    let mut errors = first.errors;
    let mut error_count = first.error_count;
    let mut lines = first.lines;
    user.reserve_exact(total - user.len());
    shop.reserve_exact(total - shop.len());
    if days {
        day.reserve_exact(total - day.len());
    }
    if let Some(w) = &mut weight {
        w.reserve_exact(total - w.len());
    }
    for p in rest {
        // Later chunks' ids map onto the first's: the order of first appearance survives.
        let (ru, rs) = (
            users.intern_all(&p.users.keys),
            shops.intern_all(&p.shops.keys),
        );
        user.extend(p.user.iter().map(|&u| ru[u as usize]));
        shop.extend(p.shop.iter().map(|&s| rs[s as usize]));
        if days {
            day.extend_from_slice(&p.day);
        }
        if let Some(w) = &mut weight {
            match &p.weight {
                Some(pw) => w.extend_from_slice(pw),
                None => w.resize(w.len() + p.user.len(), 1.0),
            }
        }
        errors.extend(
            p.errors
                .into_iter()
                .map(|e| LineError {
                    line: e.line + lines,
                    ..e
                })
                .take(MAX_REPORTED_ERRORS.saturating_sub(errors.len())),
        );
        error_count += p.error_count;
        lines += p.lines;
    }
    let names = |i: Interner<'_>| {
        let mut n = Names {
            buf: String::with_capacity(i.keys.iter().map(|k| k.len()).sum()),
            ends: Vec::with_capacity(i.keys.len()),
        };
        for k in i.keys {
            n.push(std::str::from_utf8(k).expect("checked UTF-8"));
        }
        n
    };
    Orders {
        users: names(users),
        shops: names(shops),
        user,
        shop,
        weight,
        day: days.then_some(day),
        lines,
        errors,
        error_count,
    }
}
