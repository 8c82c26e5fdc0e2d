//! Leave one writer out: what the seen held-out utterance sets would add to the corpus.
//!
//! ```sh
//! cargo run --release -p weiquan-assistant --example writers_crossval
//! ```
//!
//! Each seen set (`eval/utterances-heldout*.jsonl`, one independent writer each) is labelled
//! twice: by models trained on the shipped corpus alone, and by models trained on the corpus
//! plus every *other* seen set. The difference estimates what more writers teach the intent
//! model about a writer it has not read.

use weiquan_assistant::corpus::{self, Example};
use weiquan_assistant::{Featurized, INTENT_OPTIONS, Models, TONE_OPTIONS};

const SETS: [(&str, &str); 7] = [
    ("1", include_str!("../eval/utterances-heldout.jsonl")),
    ("2", include_str!("../eval/utterances-heldout-2.jsonl")),
    ("3", include_str!("../eval/utterances-heldout-3.jsonl")),
    ("4", include_str!("../eval/utterances-heldout-4.jsonl")),
    ("5", include_str!("../eval/utterances-heldout-5.jsonl")),
    ("6", include_str!("../eval/utterances-heldout-6.jsonl")),
    ("7", include_str!("../eval/utterances-heldout-7.jsonl")),
];

fn main() {
    let base = corpus::examples();
    let base_texts: Vec<&str> = base.iter().map(|e| e.text.as_str()).collect();
    let base_feats = Featurized::batch(&base_texts);
    let sets: Vec<(&str, Vec<Example>, Vec<Featurized>)> = SETS
        .iter()
        .map(|(name, jsonl)| {
            let ex = corpus::parse(jsonl).expect("a seen set parses");
            let texts: Vec<&str> = ex.iter().map(|e| e.text.as_str()).collect();
            let feats = Featurized::batch(&texts);
            (*name, ex, feats)
        })
        .collect();
    let alone = Models::train_with(base, &base_feats, INTENT_OPTIONS, TONE_OPTIONS);
    let (mut sum_alone, mut sum_more, mut n) = (0usize, 0usize, 0usize);
    for (k, (name, test, test_feats)) in sets.iter().enumerate() {
        let mut train: Vec<Example> = base.to_vec();
        let mut feats: Vec<Featurized> = base_feats.clone();
        for (j, (_, ex, f)) in sets.iter().enumerate() {
            if j != k {
                train.extend(ex.iter().cloned());
                feats.extend(f.iter().cloned());
            }
        }
        let more = Models::train_with(&train, &feats, INTENT_OPTIONS, TONE_OPTIONS);
        let right = |m: &Models| {
            test.iter()
                .zip(test_feats)
                .filter(|(e, f)| m.intent(f).0 == e.intent)
                .count()
        };
        let (a, b) = (right(&alone), right(&more));
        println!(
            "set {name}: corpus alone {:.3}, with the other six sets {:.3}",
            a as f64 / test.len() as f64,
            b as f64 / test.len() as f64
        );
        sum_alone += a;
        sum_more += b;
        n += test.len();
    }
    println!(
        "all: corpus alone {:.3}, with the others {:.3} ({n} utterances)",
        sum_alone as f64 / n as f64,
        sum_more as f64 / n as f64
    );
}
