//! Cross-validation over the hand-written part of the corpus, the estimate to watch while the
//! corpus or the features change (`weiquan assistant eval` on a development set is for the end).
//!
//! ```sh
//! cargo run --release -p weiquan-assistant --example crossval            # 5 folds
//! cargo run --release -p weiquan-assistant --example crossval -- 10 -v   # 10 folds, list errors
//! ```
//!
//! Hand-written utterances are split into k folds; each fold is labelled by models trained on the
//! other folds plus every templated utterance (templates are never tested: they are easy).

use std::collections::{BTreeMap, HashSet};

use weiquan_assistant::corpus;
use weiquan_assistant::{Featurized, INTENT_OPTIONS, Models, Reading, TONE_OPTIONS};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let k: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(5).max(2);
    let verbose = args.iter().any(|a| a == "-v");
    let hand: HashSet<&str> = include_str!("../corpus/intents.jsonl")
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["source"] == "hand")
        .filter_map(|v| v["text"].as_str().map(|t| &*t.to_string().leak()))
        .collect();
    let examples = corpus::examples();
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let feats = Featurized::batch(&texts);
    let (mut n, mut intent_ok, mut tone_ok, mut toned) = (0usize, 0usize, 0usize, 0usize);
    // Each reading alone, to see what the other adds.
    let (mut words_ok, mut meaning_ok) = (0usize, 0usize);
    let mut confusions: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for fold in 0..k {
        let (mut train, mut train_feats, mut test) = (vec![], vec![], vec![]);
        for (i, (e, f)) in examples.iter().zip(&feats).enumerate() {
            let is_hand = hand.contains(e.text.as_str());
            if is_hand && i % k == fold {
                test.push((e, f));
            } else {
                train.push(e.clone());
                train_feats.push(f.clone());
            }
        }
        let m = Models::train_with(&train, &train_feats, INTENT_OPTIONS, TONE_OPTIONS);
        for (e, f) in test {
            n += 1;
            words_ok += usize::from(m.intent_by(f, Reading::Words).0 == e.intent);
            meaning_ok += usize::from(m.intent_by(f, Reading::Meaning).0 == e.intent);
            let (intent, _) = m.intent(f);
            if intent == e.intent {
                intent_ok += 1;
            } else {
                *confusions
                    .entry((e.intent.as_str(), intent.as_str()))
                    .or_default() += 1;
                if verbose {
                    println!("intent {} -> {intent}: {}", e.intent, e.text);
                }
            }
            if let Some(want) = e.tone {
                toned += 1;
                let tone = m.tone(f);
                if tone == want {
                    tone_ok += 1;
                } else if verbose {
                    println!("tone {want} -> {tone}: {}", e.text);
                }
            }
        }
    }
    let mut top: Vec<_> = confusions.into_iter().collect();
    top.sort_by_key(|b| std::cmp::Reverse(b.1));
    println!("main confusions (truth -> predicted):");
    for ((a, b), c) in top.iter().take(10) {
        println!("  {a} -> {b}: {c}");
    }
    println!(
        "{k}-fold over {n} hand-written utterances: intent {:.3}, tone {:.3}",
        intent_ok as f64 / n as f64,
        tone_ok as f64 / toned as f64
    );
    println!(
        "intent by words alone {:.3}, by meaning alone {:.3}",
        words_ok as f64 / n as f64,
        meaning_ok as f64 / n as f64
    );
}
