//! Leave one writer out: what the scored held-out dialogues' claim answers would add to the claim
//! corpus.
//!
//! ```sh
//! cargo run --release -p weiquan-assistant --example claims_writers
//! ```
//!
//! Each scored dialogue set (`eval/dialogues-heldout*.jsonl`, one independent writer each)
//! gives its buyers' answers to the claim question, labelled with the dialogue's claim (`none`
//! when it has none). Each set's answers are read by the claim model trained on the corpus alone,
//! and by one trained on the corpus plus the other sets' answers.

use weiquan_assistant::claims::{self, CLASSES, ClaimExample, ClaimFeatures, ClaimModel};

fn main() {
    let sets: Vec<(&str, Vec<ClaimExample>)> = weiquan_assistant::corpus::SEEN_DIALOGUE_SETS
        .iter()
        .map(|(name, jsonl)| {
            (
                *name,
                claims::answers_of(jsonl).expect("a scored set parses"),
            )
        })
        .collect();
    let base = claims::corpus_examples();
    let feats_of = |ex: &[ClaimExample]| {
        let texts: Vec<&str> = ex.iter().map(|e| e.text.as_str()).collect();
        ClaimFeatures::try_batch(&texts).expect("the sentence model")
    };
    let base_feats = feats_of(&base);
    let set_feats: Vec<Vec<ClaimFeatures>> = sets.iter().map(|(_, ex)| feats_of(ex)).collect();
    let alone = ClaimModel::train(&base, &base_feats);
    let (mut sum_alone, mut sum_more, mut n) = (0usize, 0usize, 0usize);
    for (k, (name, test)) in sets.iter().enumerate() {
        let (mut train, mut feats) = (base.clone(), base_feats.clone());
        for (j, (_, ex)) in sets.iter().enumerate() {
            if j != k {
                train.extend(ex.iter().cloned());
                feats.extend(set_feats[j].iter().cloned());
            }
        }
        let more = ClaimModel::train(&train, &feats);
        let right = |m: &ClaimModel| {
            test.iter()
                .zip(&set_feats[k])
                .filter(|(e, f)| m.read(f).0 == CLASSES[e.class])
                .count()
        };
        let (a, b) = (right(&alone), right(&more));
        println!(
            "set {name}: corpus alone {:.3}, with the other sets {:.3} ({} answers)",
            a as f64 / test.len() as f64,
            b as f64 / test.len() as f64,
            test.len()
        );
        sum_alone += a;
        sum_more += b;
        n += test.len();
    }
    println!(
        "all: corpus alone {:.3}, with the others {:.3} ({n} answers)",
        sum_alone as f64 / n as f64,
        sum_more as f64 / n as f64
    );
}
