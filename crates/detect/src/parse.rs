//! Reading `user,shop[,weight[,timestamp]]` lines: the whole file at once, split at newlines into
//! one chunk per core, each chunk parsed and interned on its own thread, then merged.

use std::fmt;
use std::path::Path;

use crate::intern::{Hashed, Interner};
pub use crate::time::{NO_DAY, day_name, day_of, parse_timestamp};

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

/// Reads and parses a whole edges file.
pub fn read_file(path: &Path, opts: ParseOptions) -> std::io::Result<Orders> {
    let data = std::fs::read(path)?;
    Ok(parse_bytes(&data, opts))
}

/// Parses edges text; never fails, bad lines are collected in [`Orders::errors`].
pub fn parse_bytes(data: &[u8], opts: ParseOptions) -> Orders {
    let bounds = chunk_bounds(data, opts.threads.max(1));
    let parts: Vec<Part<'_>> = std::thread::scope(|s| {
        let handles: Vec<_> = bounds
            .windows(2)
            .map(|w| {
                let chunk = &data[w[0]..w[1]];
                s.spawn(move || parse_chunk(chunk, opts.days))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("parser thread panicked"))
            .collect()
    });
    merge(parts, opts.days)
}

/// Chunk starts and the end: each boundary just after a newline.
fn chunk_bounds(data: &[u8], threads: usize) -> Vec<usize> {
    let mut bounds = vec![0];
    for t in 1..threads {
        let target = (data.len() * t / threads).max(*bounds.last().expect("non-empty"));
        let b = match memchr::memchr(b'\n', &data[target..]) {
            Some(i) => target + i + 1,
            None => data.len(),
        };
        bounds.push(b);
    }
    bounds.push(data.len());
    bounds.dedup();
    if bounds.len() == 1 {
        bounds.push(data.len());
    }
    bounds
}

struct Part<'a> {
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

/// A valid line, before interning.
struct Line<'a> {
    user: &'a [u8],
    shop: &'a [u8],
    user_hash: Hashed,
    shop_hash: Hashed,
    weight: Option<f64>,
    day: i32,
}

/// Lines interned together: their table slots are read first, all at once, so the cache misses
/// overlap instead of queueing one behind the other.
const BATCH: usize = 16;

fn parse_chunk(chunk: &[u8], days: bool) -> Part<'_> {
    let cap = memchr::memchr_iter(b'\n', chunk).count() + 1;
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
    let mut pos = 0;
    while pos < chunk.len() {
        let end = memchr::memchr(b'\n', &chunk[pos..]).map_or(chunk.len(), |i| pos + i);
        p.lines += 1;
        // Fields as byte ranges of the chunk.
        let mut at = [0usize; 3];
        let commas = find_commas(&chunk[pos..end], &mut at);
        let mut fields = [(0usize, 0usize); 4];
        let n = commas.unwrap_or(0);
        let mut start = pos;
        for (f, &c) in fields.iter_mut().zip(&at[..n]) {
            *f = (start, pos + c);
            start = pos + c + 1;
        }
        fields[n] = (start, end);
        let too_many = commas.is_none();
        let parsed = match too_many {
            true => Err(LineProblem::TooManyFields),
            false => parse_fields(chunk, &fields[..=n]),
        };
        pos = end + 1;
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

/// Positions of the commas of a line (at most three; `None` if more), found eight bytes at a
/// time: a line is a few words, and a byte loop cost more than the rest of the parse.
fn find_commas(line: &[u8], at: &mut [usize; 3]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = ONES * 0x7f;
    let mut n = 0;
    let mut push = |i: usize| {
        let slot = at.get_mut(n)?;
        *slot = i;
        n += 1;
        Some(())
    };
    let mut words = line.chunks_exact(8);
    let mut base = 0;
    for w in words.by_ref() {
        let x = u64::from_le_bytes(w.try_into().expect("8 bytes")) ^ (ONES * u64::from(b','));
        // High bit of each byte that was a comma (exact: no carry crosses a byte).
        let mut m = !(((x & LOW7) + LOW7) | x | LOW7);
        while m != 0 {
            push(base + (m.trailing_zeros() / 8) as usize)?;
            m &= m - 1;
        }
        base += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        if b == b',' {
            push(base + i)?;
        }
    }
    Some(n)
}

/// A valid line, `None` for a blank one, or what is wrong with it; `fields` are byte ranges of
/// `chunk`, at most four.
fn parse_fields<'a>(
    chunk: &'a [u8],
    fields: &[(usize, usize)],
) -> Result<Option<Line<'a>>, LineProblem> {
    let field = |i: usize| -> (usize, usize) {
        fields.get(i).map_or((0, 0), |&(a, b)| {
            let f = &chunk[a..b];
            let lead = f.len() - f.trim_ascii_start().len();
            let trail = f.len() - f.trim_ascii_end().len();
            (a + lead, (b - trail).max(a + lead))
        })
    };
    let bytes = |(a, b): (usize, usize)| &chunk[a..b];
    let (user, shop) = (field(0), field(1));
    if fields.len() < 2 {
        return match user.0 == user.1 {
            true => Ok(None),
            false => Err(LineProblem::MissingShop),
        };
    }
    if user.0 == user.1 {
        return Err(LineProblem::EmptyUser);
    }
    if shop.0 == shop.1 {
        return Err(LineProblem::EmptyShop);
    }
    if !(utf8(bytes(user)) && utf8(bytes(shop))) {
        return Err(LineProblem::NotUtf8);
    }
    let weight = match bytes(field(2)) {
        [] => None,
        w => Some(parse_weight(w).ok_or_else(|| LineProblem::BadWeight(lossy(w)))?),
    };
    let day = match bytes(field(3)) {
        [] => NO_DAY,
        t => day_of(parse_timestamp(t).ok_or_else(|| LineProblem::BadTimestamp(lossy(t)))?),
    };
    Ok(Some(Line {
        user: bytes(user),
        shop: bytes(shop),
        user_hash: Hashed::in_buf(chunk, user.0, user.1),
        shop_hash: Hashed::in_buf(chunk, shop.0, shop.1),
        weight,
        day,
    }))
}

fn utf8(b: &[u8]) -> bool {
    b.is_ascii() || std::str::from_utf8(b).is_ok()
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn parse_weight(b: &[u8]) -> Option<f64> {
    let w: f64 = std::str::from_utf8(b).ok()?.parse().ok()?;
    (w.is_finite() && w > 0.0).then_some(w)
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
