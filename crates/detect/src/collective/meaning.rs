//! What a complaint means: its sentence embedding (`weiquan-embed`'s fast derived encoder)
//! projected onto the directions that tell one wave's cause from another's
//! ([`PROJECTION`]), kept as signed bytes so a stored signature stays small and two compare in
//! a few dozen integer multiplications. Words find the waves whose consumers say the same
//! thing; meaning finds those who say one thing differently (held-out group D: median pair
//! Jaccard 0.07).

use std::sync::LazyLock;

/// The encoder's dimensions.
const ENCODER_DIMS: usize = 512;
/// A meaning's dimensions.
pub const MEANING_DIMS: usize = 48;

/// The projection of the encoder's sentence vector onto [`MEANING_DIMS`] directions: a
/// regularised linear discriminant fitted on the labelled waves (`tools/fit_projection.py`),
/// so that one cause told in different symptoms lands close and two causes at one shop apart.
/// Raw, the encoder's cosine mostly says which trade and which words (held-out groups E–G:
/// pair AUC 0.71–0.74); projected, fitted without the group scored, 0.85–0.86.
const PROJECTION: &[u8] = include_bytes!("../../data/collective-projection.f32");

static PROJECTION_ROWS: LazyLock<Vec<f32>> = LazyLock::new(|| {
    assert_eq!(
        PROJECTION.len(),
        ENCODER_DIMS * MEANING_DIMS * 4,
        "collective-projection.f32 is 512 × MEANING_DIMS little-endian f32"
    );
    PROJECTION
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
});

/// `v` (an encoder vector) projected and made unit length (zero stays zero).
fn project(v: &[f32]) -> Vec<f32> {
    let rows = &*PROJECTION_ROWS;
    let mut out = vec![0f32; MEANING_DIMS];
    for (x, row) in v.iter().zip(rows.chunks_exact(MEANING_DIMS)) {
        for (o, w) in out.iter_mut().zip(row) {
            *o += x * w;
        }
    }
    let norm = out.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 && norm.is_finite() {
        out.iter_mut().for_each(|x| *x /= norm);
    }
    out
}

/// A unit vector, each component `q[i] × scale` (the largest one is ±127).
#[derive(Clone, PartialEq)]
pub struct Meaning {
    pub scale: f32,
    pub q: Box<[i8]>,
}

// `scale` is never NaN (`from_unit` and `from_bytes` refuse it), so equality is reflexive.
impl Eq for Meaning {}

impl std::fmt::Debug for Meaning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Meaning({} dims)", self.q.len())
    }
}

impl Meaning {
    /// The meaning of a text, from the process's shared encoder (see [`Meaning::of_batch`]).
    pub fn of(text: &str) -> Meaning {
        Meaning::of_batch(&[text]).pop().expect("one in, one out")
    }

    /// The meanings of many texts: `weiquan-embed`'s [`TokenEncoder`](weiquan_embed::TokenEncoder)
    /// (USE-multilingual-v3's sentence half over context-free token features: AUC 0.887 against
    /// the full encoder's 0.914 on the tuning waves, at 1/25 of its cost, BENCHMARKS.md), whose
    /// last layers run for a batch at once. The server and the tools check that the model is there when they
    /// start ([`ensure`]); a process that gets here without it stops with the error that names
    /// the fix, never falls back to words alone.
    pub fn of_batch(texts: &[&str]) -> Vec<Meaning> {
        encoder_vectors(texts)
            .iter()
            .map(|v| Meaning::from_unit(&project(v)))
            .collect()
    }

    /// Quantises a unit vector (all zeros stays all zeros: an empty text means nothing).
    pub fn from_unit(v: &[f32]) -> Meaning {
        let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
        if max == 0.0 || !max.is_finite() {
            return Meaning {
                scale: 0.0,
                q: vec![0; v.len()].into(),
            };
        }
        let scale = max / 127.0;
        Meaning {
            scale,
            q: v.iter().map(|x| (x / scale).round() as i8).collect(),
        }
    }

    /// The cosine of the two texts' embeddings (0 when either means nothing or the sizes differ).
    pub fn cosine(&self, other: &Meaning) -> f32 {
        if self.q.len() != other.q.len() {
            return 0.0;
        }
        let dot: i32 = self
            .q
            .iter()
            .zip(other.q.iter())
            .map(|(&a, &b)| i32::from(a) * i32::from(b))
            .sum();
        dot as f32 * self.scale * other.scale
    }

    /// `scale` (4 bytes, little-endian), then the components.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.scale.to_le_bytes().to_vec();
        out.extend(self.q.iter().map(|&b| b as u8));
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Meaning> {
        let (scale, q) = bytes.split_first_chunk::<4>()?;
        let scale = f32::from_le_bytes(*scale);
        (scale.is_finite() && scale >= 0.0).then(|| Meaning {
            scale,
            q: q.iter().map(|&b| b as i8).collect(),
        })
    }
}

/// The encoder's vectors of complaint texts, before the projection: what [`Meaning::of_batch`]
/// projects and what the projection is fitted on (`examples/meaning_dump.rs`), one function so
/// the fit sees exactly what serving does.
pub fn encoder_vectors(texts: &[&str]) -> Vec<Vec<f32>> {
    let encoder = weiquan_embed::TokenEncoder::shared().unwrap_or_else(|e| panic!("{e}"));
    let cleaned: Vec<String> = texts.iter().map(|t| without_long_numbers(t)).collect();
    encoder.embed_batch(&cleaned)
}

/// The text with its runs of five or more digits (order and tracking numbers) left out: which
/// order a complaint is about does not change what it is about.
fn without_long_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars().map(weiquan_text::normalize::fold_char) {
        if c.is_ascii_digit() {
            run.push(c);
            continue;
        }
        if run.len() < 5 {
            out.push_str(&run);
        }
        run.clear();
        out.push(c);
    }
    if run.len() < 5 {
        out.push_str(&run);
    }
    out
}

/// Loads the shared encoder (fetching the model if it is not cached): the error names the fix.
pub fn ensure() -> Result<(), String> {
    weiquan_embed::TokenEncoder::shared()
        .map(drop)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_numbers_are_left_out() {
        assert_eq!(
            without_long_numbers("订单 20260305123456：水壶漏水3天，花了１２９元"),
            "订单 :水壶漏水3天,花了129元"
        );
    }

    #[test]
    fn the_projection_gives_unit_meanings_of_its_dimensions() {
        let v: Vec<f32> = (0..ENCODER_DIMS)
            .map(|i| ((i * 7 % 13) as f32 - 6.0) / 100.0)
            .collect();
        let p = project(&v);
        assert_eq!(p.len(), MEANING_DIMS);
        let norm: f32 = p.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "{norm}");
        assert!(project(&[0.0; ENCODER_DIMS]).iter().all(|&x| x == 0.0));
    }

    #[test]
    fn quantised_cosine_is_close_to_the_float_one() {
        let a: Vec<f32> = (0..256).map(|i| (i * 7 % 13) as f32 - 6.0).collect();
        let b: Vec<f32> = (0..256).map(|i| (i * 5 % 11) as f32 - 4.0).collect();
        let unit = |v: &[f32]| {
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.iter().map(|x| x / n).collect::<Vec<_>>()
        };
        let (a, b) = (unit(&a), unit(&b));
        let exact: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        let (qa, qb) = (Meaning::from_unit(&a), Meaning::from_unit(&b));
        assert!(
            (qa.cosine(&qb) - exact).abs() < 0.01,
            "{} vs {exact}",
            qa.cosine(&qb)
        );
        assert!((qa.cosine(&qa) - 1.0).abs() < 0.01);
        assert_eq!(Meaning::from_bytes(&qa.to_bytes()), Some(qa.clone()));
        let zero = Meaning::from_unit(&[0.0; 8]);
        assert_eq!(zero.cosine(&zero), 0.0);
        assert_eq!(qa.cosine(&zero), 0.0);
    }
}
