//! MinHash signatures over a complaint's tokens, and LSH band keys for finding candidates.
//!
//! Everything here is deterministic across processes, machines and versions of Rust: the token
//! hash is FNV-1a and the permutations come from a fixed seed, so a signature stored in a
//! database today still compares with one computed next year — as long as [`VERSION`] is the
//! same (it changes whenever the tokeniser, the lexicon or the hashing does; stored signatures
//! of another version must be recomputed from the text).

use super::meaning::Meaning;
use super::tokens;

/// Hash functions in a signature.
pub const HASHES: usize = 128;
/// Rows per LSH band; [`HASHES`] / `ROWS` bands.
pub const ROWS: usize = 2;
/// Bands per signature (one key each).
pub const BANDS: usize = HASHES / ROWS;
/// Two complaints share an issue when their estimated Jaccard similarity is at least this.
pub const THRESHOLD: f64 = 0.3;
/// Bumped whenever a signature of the same text would come out different.
pub const VERSION: u32 = 6;

/// The value of every hash of a text with no tokens; such a signature matches nothing.
const EMPTY: u32 = u32::MAX;

/// A MinHash signature: for each of [`HASHES`] hash functions, the least hash of any token;
/// which of the lexicon's problems the text names ([`tokens::problem_bits`]; 0 when none, or
/// when the signature was stored before the bits were); and what the text means
/// ([`Meaning`]; `None` for a signature made from token hashes alone, or stored before).
#[derive(Clone, PartialEq, Eq)]
pub struct Signature(pub [u32; HASHES], pub u64, pub Option<Meaning>);

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signature({:08x}…)", self.0[0])
    }
}

/// The permutations `h ↦ (a·h + b) >> 32` (multiply-shift over the 64-bit token hash).
static PERMUTATIONS: std::sync::LazyLock<[(u64, u64); HASHES]> = std::sync::LazyLock::new(|| {
    let mut state = 0x5745_4951_5541_4e31_u64; // "WEIQUAN1"
    std::array::from_fn(|_| (splitmix(&mut state) | 1, splitmix(&mut state)))
});

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a, finished with splitmix's mixer so that near tokens spread over all 64 bits.
pub fn token_hash(token: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325_u64;
    for b in token.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut s = h;
    splitmix(&mut s)
}

impl Signature {
    /// The signature of a complaint's text.
    pub fn of(text: &str) -> Signature {
        Signature::of_batch(&[text]).pop().expect("one in, one out")
    }

    /// The signatures of many texts (their meanings computed together: much cheaper a text
    /// than one at a time).
    pub fn of_batch(texts: &[&str]) -> Vec<Signature> {
        texts
            .iter()
            .zip(Meaning::of_batch(texts))
            .map(|(text, meaning)| {
                let features = tokens::features(text);
                let hashes: Vec<u64> = features.iter().map(|t| token_hash(t)).collect();
                let mut sig = Signature::of_hashes(&hashes);
                sig.1 = tokens::problem_bits(&features);
                sig.2 = Some(meaning);
                sig
            })
            .collect()
    }

    /// The signature of a set of token hashes.
    pub fn of_hashes(hashes: &[u64]) -> Signature {
        let perms = &*PERMUTATIONS;
        let mut sig = [EMPTY; HASHES];
        for &h in hashes {
            for (s, &(a, b)) in sig.iter_mut().zip(perms) {
                let v = (a.wrapping_mul(h).wrapping_add(b) >> 32) as u32;
                *s = (*s).min(v);
            }
        }
        // A real minimum of u32::MAX would read as "no tokens"; it cannot mislead by more
        // than one hash in 2^32.
        Signature(sig, 0, None)
    }

    /// Whether the text had no tokens (all numbers, punctuation or stop-words).
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&v| v == EMPTY)
    }

    /// Little-endian bytes for a BLOB / BYTEA column: the `4 × HASHES` of the hashes, the 8 of
    /// the problem bits, then the meaning's ([`Meaning::to_bytes`]) if any.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out: Vec<u8> = self.0.iter().flat_map(|v| v.to_le_bytes()).collect();
        out.extend(self.1.to_le_bytes());
        if let Some(m) = &self.2 {
            out.extend(m.to_bytes());
        }
        out
    }

    /// The inverse of [`to_bytes`](Self::to_bytes); `None` when the length is wrong. Bytes
    /// stored before the problem bits existed (the hashes alone) read with no problem bits.
    pub fn from_bytes(bytes: &[u8]) -> Option<Signature> {
        let (hashes, problems, meaning) = match bytes.len() {
            n if n == 4 * HASHES => (bytes, 0, None),
            n if n >= 4 * HASHES + 8 => {
                let (h, rest) = bytes.split_at(4 * HASHES);
                let (p, m) = rest.split_at(8);
                let meaning = match m {
                    [] => None,
                    m => Some(Meaning::from_bytes(m)?),
                };
                (h, u64::from_le_bytes(p.try_into().ok()?), meaning)
            }
            _ => return None,
        };
        let mut sig = [0u32; HASHES];
        for (s, c) in sig.iter_mut().zip(hashes.chunks_exact(4)) {
            *s = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        }
        Some(Signature(sig, problems, meaning))
    }

    /// One key per band (a hash of the band's index and rows). Two complaints are candidates
    /// when they share a key; store them in a table indexed by `(shop, key)`. A signature with
    /// no tokens has no keys.
    pub fn band_keys(&self) -> Vec<u64> {
        if self.is_empty() {
            return Vec::new();
        }
        self.0
            .chunks_exact(ROWS)
            .enumerate()
            .map(|(band, rows)| band_key(band, rows))
            .collect()
    }
}

pub(crate) fn band_key(band: usize, rows: &[u32]) -> u64 {
    let mut s = (band as u64) << 56;
    for &r in rows {
        s ^= u64::from(r);
        s = splitmix(&mut s);
    }
    s
}

/// The estimated Jaccard similarity of the two texts' token sets: the share of hash functions
/// whose minima agree. 0 when either text had no tokens.
pub fn similarity(a: &Signature, b: &Signature) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    agreeing(&a.0, &b.0) as f64 / HASHES as f64
}

/// How many positions agree (written so that it vectorises).
pub(crate) fn agreeing(a: &[u32; HASHES], b: &[u32; HASHES]) -> u32 {
    a.iter().zip(b).map(|(x, y)| u32::from(x == y)).sum()
}

/// Whether a signature's hashes are those of no tokens.
pub(crate) fn empty(a: &[u32; HASHES]) -> bool {
    a.iter().all(|&v| v == EMPTY)
}

/// Whether two signatures share an issue: [`similarity`] at least [`THRESHOLD`].
pub fn same_issue(a: &Signature, b: &Signature) -> bool {
    !a.is_empty() && !b.is_empty() && agreeing(&a.0, &b.0) >= threshold_count(THRESHOLD)
}

/// A similarity threshold as a count of agreeing hashes.
pub(crate) fn threshold_count(threshold: f64) -> u32 {
    (threshold * HASHES as f64 - 1e-9).ceil() as u32
}

/// The exact Jaccard similarity of two texts' token sets (for tests and tuning).
pub fn jaccard(a: &str, b: &str) -> f64 {
    let (a, b) = (tokens::features(a), tokens::features(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let inter = a.iter().filter(|t| b.binary_search(t).is_ok()).count();
    inter as f64 / (a.len() + b.len() - inter) as f64
}
