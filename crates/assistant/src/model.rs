//! A multinomial logistic regression over sparse features (hashed words, or a dense sentence
//! embedding given as every index), trained by averaged SGD.
//!
//! Weights are stored feature-major (`w[bucket * classes + class]`), so scoring an utterance
//! touches one short contiguous row per feature. Training is deterministic: examples are
//! shuffled by a seeded SplitMix64, and the returned weights are the average of every SGD
//! iterate (Polyak–Ruppert averaging), which regularises as well as an L2 penalty would here
//! without touching every weight at every step.

use crate::features::{DIM, Sparse};

/// Training settings.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    pub epochs: usize,
    /// Initial learning rate; it decays as `lr / (1 + t / n)` with `n` the number of examples.
    pub learning_rate: f32,
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 12,
            learning_rate: 1.0,
            seed: 0x5EED_CAFE,
        }
    }
}

/// A trained linear model over `dim` inputs ([`DIM`] hashed buckets unless trained with
/// [`Linear::train_in`]) and `classes` classes.
#[derive(Debug, Clone)]
pub struct Linear {
    classes: usize,
    w: Vec<f32>,
}

/// SplitMix64: a tiny deterministic generator for shuffling.
#[derive(Debug)]
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

impl Linear {
    /// Trains on `(features, class)` pairs of hashed features.
    pub fn train(examples: &[(Sparse, usize)], classes: usize, opts: TrainOptions) -> Linear {
        Linear::train_in(examples, DIM, classes, opts)
    }

    /// Trains on `(features, class)` pairs whose indices are below `dim`.
    pub fn train_in(
        examples: &[(Sparse, usize)],
        dim: usize,
        classes: usize,
        opts: TrainOptions,
    ) -> Linear {
        assert!(classes >= 2, "a classifier needs two classes");
        let mut w = vec![0f32; dim * classes];
        // Sum of `step * update` for the averaging trick: avg = w - u / steps.
        let mut u = vec![0f32; dim * classes];
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let mut rng = SplitMix(opts.seed);
        let n = examples.len().max(1) as f32;
        let mut step = 1f32;
        let mut scores = vec![0f32; classes];
        let mut active: Vec<(usize, f32)> = Vec::with_capacity(classes);
        for _ in 0..opts.epochs {
            rng.shuffle(&mut order);
            for &k in &order {
                let (x, y) = &examples[k];
                score_into(&w, classes, x, &mut scores);
                softmax(&mut scores);
                let lr = opts.learning_rate / (1.0 + step / n);
                // Classes the model already rules out contribute nothing worth a pass.
                active.clear();
                for (c, p) in scores.iter().enumerate() {
                    let g = if c == *y { 1.0 - p } else { -p };
                    if g.abs() >= 1e-4 {
                        active.push((c, lr * g));
                    }
                }
                // Feature by feature, each one's classes side by side in memory: the same
                // updates as class by class, in a cache-friendly order.
                for (&i, &v) in x.idx.iter().zip(&x.val) {
                    let base = i as usize * classes;
                    for &(c, lr_g) in &active {
                        let d = lr_g * v;
                        w[base + c] += d;
                        u[base + c] += step * d;
                    }
                }
                step += 1.0;
            }
        }
        for (wi, ui) in w.iter_mut().zip(&u) {
            *wi -= ui / step;
        }
        Linear { classes, w }
    }

    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Class probabilities for `x` (softmax of the scores), written into `out`.
    pub fn probabilities(&self, x: &Sparse, out: &mut [f32]) {
        score_into(&self.w, self.classes, x, out);
        softmax(out);
    }

    /// The most probable class and its probability.
    pub fn predict(&self, x: &Sparse) -> (usize, f32) {
        let mut p = vec![0f32; self.classes];
        self.probabilities(x, &mut p);
        argmax(&p)
    }
}

fn score_into(w: &[f32], classes: usize, x: &Sparse, out: &mut [f32]) {
    out.iter_mut().for_each(|s| *s = 0.0);
    for (&i, &v) in x.idx.iter().zip(&x.val) {
        let row = &w[i as usize * classes..(i as usize + 1) * classes];
        for (s, wc) in out.iter_mut().zip(row) {
            *s += wc * v;
        }
    }
}

fn softmax(s: &mut [f32]) {
    let max = s.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in s.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    s.iter_mut().for_each(|v| *v /= sum);
}

/// Index and value of the largest element (the first on ties).
pub fn argmax(p: &[f32]) -> (usize, f32) {
    p.iter()
        .copied()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, v)| {
            if v > best.1 { (i, v) } else { best }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(idx: &[u32]) -> Sparse {
        let mut v = Sparse::from_pairs(idx.iter().map(|&i| (i, 1.0)).collect());
        v.normalize();
        v
    }

    #[test]
    fn learns_a_separable_problem_deterministically() {
        // Class = which of three "words" (buckets 10, 20, 30) is present; bucket 1 is noise.
        let mut data = vec![];
        for k in 0..60u32 {
            let c = (k % 3) as usize;
            data.push((x(&[1, 10 * (c as u32 + 1), 100 + k % 7]), c));
        }
        let m = Linear::train(&data, 3, TrainOptions::default());
        for c in 0..3 {
            let (p, conf) = m.predict(&x(&[10 * (c as u32 + 1)]));
            assert_eq!(p, c);
            assert!(conf > 0.5);
        }
        let again = Linear::train(&data, 3, TrainOptions::default());
        assert_eq!(m.w, again.w);
    }
}
