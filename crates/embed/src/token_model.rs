//! "USE without context": the full network's sentence half over each piece's features taken
//! alone. The expensive half of USE-multilingual-v3 is per token (the embedding's projection and
//! three n-gram convolution branches, ~1.7M multiply-adds a token); its sentence half is a sum
//! over tokens, a linear projection and a small DAN. Here each piece's token features are
//! computed once, as if the piece stood alone (`<s> piece </s>`), and projected; a sentence sums
//! its pieces' rows and runs the DAN exactly. What is lost is the n-gram context; what is kept
//! is the network's non-linear reading of the whole sentence, which a mean of per-piece
//! sentence vectors ([`crate::StaticEncoder`]) does not have (BENCHMARKS.md compares the three).
//!
//! Derived once, deterministically, cached in the model dir as `tokens-v1.bin` (int8 rows with a
//! scale each, stamped with the wheel's hash), like the static table.

use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use ndarray::Array2;

use crate::encoder::{DIM, Encoder};
use crate::error::Result;
use crate::static_model::cached_table;
use crate::tokenizer::{BOS, EOS, Tokenizer};

pub const FILE: &str = "tokens-v1.bin";
const MAGIC: &[u8; 8] = b"WQTOKENS";
/// Pieces per unit of work in the derivation.
const CHUNK: usize = 128;
/// Sentences per pass through the DAN: its weights (~4 MB) stream through the cache once for
/// all of them.
const BATCH: usize = 256;

pub struct TokenEncoder {
    encoder: &'static Encoder,
    tokenizer: Tokenizer,
    /// Row `id`: piece `id`'s projected features, int8 times `scales[id]`.
    rows: Vec<i8>,
    scales: Vec<f32>,
}

impl std::fmt::Debug for TokenEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenEncoder")
            .field("pieces", &self.scales.len())
            .finish()
    }
}

static SHARED: OnceLock<TokenEncoder> = OnceLock::new();
static SHARED_INIT: Mutex<()> = Mutex::new(());

impl TokenEncoder {
    /// The process's one encoder: the model fetched and the table derived first if needed.
    pub fn shared() -> Result<&'static TokenEncoder> {
        crate::model::shared(&SHARED, &SHARED_INIT, |dir| {
            TokenEncoder::load(dir, Encoder::shared()?)
        })
    }

    /// [`TokenEncoder::shared`] from the cache only: a model not fetched is
    /// [`crate::Error::Missing`] (naming `weiquan model fetch`); nothing is downloaded. The
    /// table is still derived from the cached model when it is not there yet.
    pub fn cached() -> Result<&'static TokenEncoder> {
        crate::model::shared_cached(&SHARED, &SHARED_INIT, |dir| {
            TokenEncoder::load(dir, Encoder::cached()?)
        })
    }

    /// Loads the table from `dir`, deriving it first (under the dir's lock, so processes
    /// starting together derive once) when it is absent or from another wheel.
    pub fn load(dir: &Path, encoder: &'static Encoder) -> Result<TokenEncoder> {
        let (tokenizer, (rows, scales)) =
            cached_table(dir, MAGIC, FILE, |threads| Ok(derive(encoder, threads)))?;
        Ok(TokenEncoder {
            encoder,
            tokenizer,
            rows,
            scales,
        })
    }

    /// One sentence: 512 numbers of unit length.
    pub fn embed(&self, text: &str) -> Vec<f32> {
        self.embed_batch(&[text]).pop().expect("one in, one out")
    }

    /// Many sentences, the DAN run for up to [`BATCH`] at a time.
    pub fn embed_batch<S: AsRef<str>>(&self, texts: &[S]) -> Vec<Vec<f32>> {
        let mut out = Vec::with_capacity(texts.len());
        for part in texts.chunks(BATCH) {
            let mut sums = Array2::<f32>::zeros((part.len(), DIM));
            let mut lens = Vec::with_capacity(part.len());
            for (i, t) in part.iter().enumerate() {
                let ids = self.tokenizer.encode(t.as_ref());
                let mut acc = sums.row_mut(i);
                let acc = acc.as_slice_mut().expect("standard layout");
                for &id in &ids {
                    let id = id as usize;
                    let s = self.scales[id];
                    for (a, &q) in acc.iter_mut().zip(&self.rows[id * DIM..(id + 1) * DIM]) {
                        *a += s * f32::from(q);
                    }
                }
                lens.push(ids.len());
            }
            out.extend(self.encoder.head_projected(sums, &lens));
        }
        out
    }
}

/// Every piece's projected features, `threads` at a time over fixed chunks (so the result does
/// not depend on the thread count); `<s>` and `</s>` as they stand in `<s> </s>`. Prints
/// progress to stderr.
pub fn derive(encoder: &Encoder, threads: usize) -> Vec<f32> {
    let n = encoder.tokenizer().vocab_size();
    let chunks = n.div_ceil(CHUNK);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let start = Instant::now();
    eprintln!(
        "派生逐词特征表 / deriving the token feature table: {n} pieces on {threads} threads (once; cached in the model dir)"
    );
    let mut out = vec![0f32; n * DIM];
    let parts: Vec<Vec<(usize, Array2<f32>)>> = std::thread::scope(|s| {
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
                            .map(|p| vec![BOS, p as u32, EOS])
                            .collect();
                        let feats = encoder.token_features(&ids);
                        // The middle row of each three.
                        let middle = feats.select(
                            ndarray::Axis(0),
                            &(0..ids.len()).map(|k| 3 * k + 1).collect::<Vec<_>>(),
                        );
                        mine.push((c, encoder.project(&middle)));
                        if c.is_multiple_of((chunks / 10).max(1)) {
                            eprintln!(
                                "  {}% ({:.0} s)",
                                c * 100 / chunks,
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
    for (c, rows) in parts.into_iter().flatten() {
        for (k, r) in rows.rows().into_iter().enumerate() {
            let p = c * CHUNK + k;
            out[p * DIM..(p + 1) * DIM].copy_from_slice(r.as_slice().expect("standard layout"));
        }
    }
    let ends = encoder.project(&encoder.token_features(&[vec![BOS, EOS]]));
    for (id, r) in [(BOS, 0), (EOS, 1)] {
        let id = id as usize;
        out[id * DIM..(id + 1) * DIM]
            .copy_from_slice(ends.row(r).as_slice().expect("standard layout"));
    }
    out
}
