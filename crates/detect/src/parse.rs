//! Reading `user,shop[,weight[,timestamp]]` lines: the whole file at once, split at newlines into
//! one chunk per core, each chunk parsed on its own thread and interned as it goes
//! ([`crate::orders`], the same interning as typed purchases), then merged.

use std::path::Path;

use crate::intern::Hashed;
use crate::orders::{Line, LineProblem, Orders, ParseOptions, Part, in_parts, part};
pub use crate::time::{NO_DAY, day_name, day_of, parse_timestamp};

/// Reads and parses a whole edges file.
pub fn read_file(path: &Path, opts: ParseOptions) -> std::io::Result<Orders> {
    let data = std::fs::read(path)?;
    Ok(parse_bytes(&data, opts))
}

/// Parses edges text; never fails, bad lines are collected in [`Orders::errors`].
pub fn parse_bytes(data: &[u8], opts: ParseOptions) -> Orders {
    let bounds = chunk_bounds(data, opts.threads.max(1));
    let chunks = bounds.windows(2).map(|w| &data[w[0]..w[1]]).collect();
    in_parts(chunks, opts.days, |chunk| parse_chunk(chunk, opts.days))
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

fn parse_chunk(chunk: &[u8], days: bool) -> Part<'_> {
    let cap = memchr::memchr_iter(b'\n', chunk).count() + 1;
    let mut pos = 0;
    let lines = std::iter::from_fn(move || {
        if pos >= chunk.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &chunk[pos..]).map_or(chunk.len(), |i| pos + i);
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
        Some(parsed)
    });
    part(lines, cap, days)
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
