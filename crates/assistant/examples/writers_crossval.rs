//! Leave one writer out: what the seen held-out utterance sets would add to the corpus.
//!
//! ```sh
//! cargo run --release -p weiquan-assistant --example writers_crossval
//! ```
//!
//! Each scored set in the corpus (`eval/utterances-heldout*.jsonl`, one independent writer
//! each) is labelled twice: by models trained on the rest of the corpus alone, and by models
//! trained on that plus every *other* scored set. The difference estimates what more writers teach the intent
//! model about a writer it has not read.

use std::collections::BTreeMap;

use weiquan_assistant::corpus::{self, Example};
use weiquan_assistant::{Featurized, INTENT_OPTIONS, Models, TONE_OPTIONS};

fn main() {
    // The corpus names each scored set's lines by their file (`build_corpus.py`'s SEEN_SETS,
    // the one list); the rest is the corpus a writer left out is compared against.
    let mut base: Vec<Example> = vec![];
    let mut names: BTreeMap<String, ()> = BTreeMap::new();
    for line in include_str!("../corpus/intents.jsonl").lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a corpus line");
        match v["source"].as_str() {
            Some(s) if s.starts_with("utterances-heldout") => {
                names.insert(s.to_string(), ());
            }
            _ => base.extend(corpus::parse(line).expect("a corpus line")),
        }
    }
    let base_texts: Vec<&str> = base.iter().map(|e| e.text.as_str()).collect();
    let base_feats = Featurized::batch(&base_texts);
    let sets: Vec<(String, Vec<Example>, Vec<Featurized>)> = names
        .into_keys()
        .map(|name| {
            let path = format!("{}/eval/{name}.jsonl", env!("CARGO_MANIFEST_DIR"));
            let jsonl = std::fs::read_to_string(&path).expect("a scored set");
            let ex = corpus::parse(&jsonl).expect("a scored set parses");
            let texts: Vec<&str> = ex.iter().map(|e| e.text.as_str()).collect();
            let feats = Featurized::batch(&texts);
            (name, ex, feats)
        })
        .collect();
    let alone = Models::train_with(&base, &base_feats, INTENT_OPTIONS, TONE_OPTIONS);
    let (mut sum_alone, mut sum_more, mut n) = (0usize, 0usize, 0usize);
    for (k, (name, test, test_feats)) in sets.iter().enumerate() {
        let mut train: Vec<Example> = base.clone();
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
            "{name}: corpus alone {:.3}, with the other sets {:.3}",
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
