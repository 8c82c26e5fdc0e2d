//! The intent by meaning: an utterance's sentence embedding (USE-multilingual-v3 through
//! `weiquan-embed`'s token feature encoder) is the input of a second softmax model, and its
//! probabilities are multiplied with the word model's (a product of experts, renormalised).
//! Words decide what they name exactly (concepts, set phrases); meaning carries the paraphrases
//! the corpus never wrote. How the settings were chosen: BENCHMARKS.md ("by meaning").

use weiquan_embed::TokenEncoder;

use crate::features::Sparse;
use crate::model::TrainOptions;

/// Inputs of the meaning model: the embedding's 512 numbers.
pub const DIM: usize = weiquan_embed::DIM;
/// The embedding has unit length; scaled up, SGD's steps suit it as they suit the word
/// features (cross-validated: 1 underfits, 6 no better).
pub const SCALE: f32 = 3.0;
/// Settings of the meaning model (a smaller step than the words': its inputs are all dense).
pub const MEANING_OPTIONS: TrainOptions = TrainOptions {
    epochs: 10,
    learning_rate: 0.25,
    seed: 0x5EED_CAFE,
};
/// The meaning model's exponent in the product (the words' is 1). Cross-validation gains up to
/// 0.4 and the held-out sets up to 0.75, but above 0.2 meaning outvotes words on messages that
/// carry an order number and a delivery date beside the problem (「订单…的置物架收到就是断的，
/// 11月20号到的货」 read as `not_as_described`), which the dialogue's tests catch.
pub const WEIGHT: f32 = 0.2;

/// The encoder, loaded from the model cache. Never fetches: a model not there is an error that
/// names `weiquan model fetch`.
pub fn encoder() -> Result<&'static TokenEncoder, weiquan_embed::Error> {
    TokenEncoder::cached()
}

/// The meaning model's inputs for many texts (the encoder's sentence half runs once a batch).
pub fn inputs<S: AsRef<str>>(encoder: &TokenEncoder, texts: &[S]) -> Vec<Sparse> {
    encoder
        .embed_batch(texts)
        .into_iter()
        .map(|v| Sparse {
            idx: (0..DIM as u32).collect(),
            val: v.into_iter().map(|x| x * SCALE).collect(),
        })
        .collect()
}

/// How many of the words' likeliest intents meaning may reorder.
pub const CANDIDATES: usize = 3;

/// Both readings in one: the words' [`CANDIDATES`] likeliest intents are weighed by
/// `meaning^WEIGHT`, every other intent by the smallest of those factors, and the result is
/// renormalised into `words`. Meaning reorders what words find plausible and never brings in a
/// reading words rule out: on a greeting or a vague answer («你们看着办吧», "hi, I have a problem
/// with my order") the embedding is confidently wrong (a status question, a wish for a person).
pub fn combine(words: &mut [f32], meaning: &[f32]) {
    let mut order: Vec<usize> = (0..words.len()).collect();
    order.sort_by(|&a, &b| words[b].total_cmp(&words[a]));
    let candidates = &order[..CANDIDATES.min(order.len())];
    // A floor keeps one model's near-certain "no" from being an absolute veto.
    let factor = |c: usize| meaning[c].max(1e-9).powf(WEIGHT);
    let rest = candidates
        .iter()
        .map(|&c| factor(c))
        .fold(f32::INFINITY, f32::min);
    let mut sum = 0.0;
    for (c, w) in words.iter_mut().enumerate() {
        let f = if candidates.contains(&c) {
            factor(c)
        } else {
            rest
        };
        *w = w.max(1e-9) * f;
        sum += *w;
    }
    words.iter_mut().for_each(|w| *w /= sum);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_product_agrees_where_both_agree_and_weighs_words_more() {
        let mut p = vec![0.7, 0.2, 0.1];
        combine(&mut p, &[0.6, 0.3, 0.1]);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(p[0] > 0.7, "{p:?}");
        // Equally sure of different classes: the words (the larger exponent) win.
        let mut q = vec![0.8, 0.2];
        combine(&mut q, &[0.2, 0.8]);
        assert!(q[0] > q[1], "{q:?}");
        // Words unsure, meaning sure: meaning decides.
        let mut r = vec![0.45, 0.55];
        combine(&mut r, &[0.9, 0.1]);
        assert!(r[0] > r[1], "{r:?}");
        // But not for an intent outside the words' likeliest: it gains nothing on them.
        let mut t = vec![0.3, 0.25, 0.25, 0.2];
        combine(&mut t, &[0.001, 0.001, 0.001, 0.997]);
        assert!(t[3] < t[1] && t[3] < t[0], "{t:?}");
    }
}
