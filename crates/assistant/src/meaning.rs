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

/// The process's encoder: the model fetched once into the cache (its SHA-256 checked) if it is
/// not there yet, so the README's test command sets itself up. A caller that must never download
/// (`weiquan assistant classify`) loads `TokenEncoder::cached()` first.
pub fn encoder() -> Result<&'static TokenEncoder, weiquan_embed::Error> {
    TokenEncoder::shared()
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

/// Both readings in one, written into `words`: the words' [`CANDIDATES`] likeliest intents are
/// ranked by `words · meaning^WEIGHT`, and take the words' own probabilities in that order;
/// every other intent keeps its probability. So meaning reorders what words find plausible but
/// never brings in a reading words rule out, and the confidence the dialogue's thresholds were
/// set on stays the words' (a product of the two runs far surer: on a greeting or a vague answer,
/// «你们看着办吧», "hi, I have a problem with my order", the embedding is confidently wrong).
pub fn combine(words: &mut [f32], meaning: &[f32]) {
    let mut order: Vec<usize> = (0..words.len()).collect();
    order.sort_by(|&a, &b| words[b].total_cmp(&words[a]));
    let candidates = &order[..CANDIDATES.min(order.len())];
    // A floor keeps one model's near-certain "no" from being an absolute veto.
    let score = |c: usize| words[c].max(1e-9) * meaning[c].max(1e-9).powf(WEIGHT);
    let mut reranked = candidates.to_vec();
    reranked.sort_by(|&a, &b| score(b).total_cmp(&score(a)));
    let values: Vec<f32> = candidates.iter().map(|&c| words[c]).collect();
    for (c, v) in reranked.into_iter().zip(values) {
        words[c] = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meaning_reorders_the_likeliest_and_keeps_the_words_confidence() {
        // Agreeing: nothing moves.
        let mut p = vec![0.7, 0.2, 0.1];
        combine(&mut p, &[0.6, 0.3, 0.1]);
        assert_eq!(p, vec![0.7, 0.2, 0.1]);
        // Equally sure of different classes: the words (the larger exponent) win.
        let mut q = vec![0.8, 0.2];
        combine(&mut q, &[0.2, 0.8]);
        assert_eq!(q, vec![0.8, 0.2]);
        // Words unsure, meaning sure: meaning decides, at the words' confidence.
        let mut r = vec![0.45, 0.55];
        combine(&mut r, &[0.9, 0.1]);
        assert_eq!(r, vec![0.55, 0.45]);
        // An intent outside the words' likeliest gains nothing, however sure meaning is.
        let mut t = vec![0.3, 0.25, 0.25, 0.2];
        combine(&mut t, &[0.001, 0.001, 0.001, 0.997]);
        assert_eq!(t[3], 0.2);
        assert!((t.iter().sum::<f32>() - 1.0).abs() < 1e-6);
    }
}
