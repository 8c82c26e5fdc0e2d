//! The token feature model against the full encoder it is derived from.

use weiquan_embed::{Encoder, TokenEncoder, cosine};

fn complaints() -> Vec<String> {
    include_str!("../data/complaints.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn it_keeps_the_full_encoders_reading_of_a_sentence_in_part() {
    let tokens = TokenEncoder::shared().expect("the model (weiquan model fetch)");
    let full = Encoder::shared().expect("the model");
    let texts = complaints();
    assert!(texts.len() >= 200, "{}", texts.len());
    let t = tokens.embed_batch(&texts);
    let f = full.embed_batch(&texts);
    let mean = t.iter().zip(&f).map(|(a, b)| cosine(a, b)).sum::<f32>() / texts.len() as f32;
    // Measured 0.69 on the collective tuning waves (BENCHMARKS.md); a floor against
    // regressions, far above what an unrelated vector scores (~0).
    assert!(mean > 0.6, "mean cosine to the full encoder {mean}");
    for v in &t {
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "{norm}");
    }
    // A batch reads each sentence as it would alone.
    for (text, batched) in texts.iter().zip(&t).take(20) {
        let alone = tokens.embed(text);
        assert!(cosine(&alone, batched) > 0.99999, "{text}");
    }
}
