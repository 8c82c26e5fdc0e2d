//! Cross-validation of the claim reader over its corpus (`corpus/claims.jsonl`): each fold read
//! by models trained on the others, by words alone, meaning alone and both at several weights.
//!
//! ```sh
//! cargo run --release -p weiquan-assistant --example claims_crossval          # 5 folds
//! cargo run --release -p weiquan-assistant --example claims_crossval -- 10 -v # 10 folds, errors
//! ```

use weiquan_assistant::claims::{self, CLASSES, ClaimFeatures, ClaimModel, LEAST};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let k: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(5).max(2);
    let verbose = args.iter().any(|a| a == "-v");
    let ex = claims::examples();
    let texts: Vec<&str> = ex.iter().map(|e| e.text.as_str()).collect();
    let feats = ClaimFeatures::try_batch(&texts).expect("the sentence model");
    // Weights of meaning: 0 is words alone; f32::INFINITY stands for meaning alone.
    let weights = [0.0f32, 0.25, 0.5, 1.0, 2.0, f32::INFINITY];
    let mut right = vec![0usize; weights.len()];
    // At the shipped weight: claims taken at LEAST, and of those how many right.
    let (mut taken, mut taken_right, mut claims_total) = (0usize, 0usize, 0usize);
    let (mut phrases_right, mut both_right, mut model_first_right) = (0usize, 0usize, 0usize);
    for fold in 0..k {
        let (mut train, mut train_feats, mut test) = (vec![], vec![], vec![]);
        for (i, (e, f)) in ex.iter().zip(&feats).enumerate() {
            if i % k == fold {
                test.push((e, f));
            } else {
                train.push(e.clone());
                train_feats.push(f.clone());
            }
        }
        let m = ClaimModel::train(&train, &train_feats);
        for (e, f) in test {
            for (w, ok) in weights.iter().zip(&mut right) {
                let p = if w.is_infinite() {
                    m.by_meaning(f)
                } else {
                    m.probabilities(f, *w)
                };
                let (i, _) = weiquan_assistant::model::argmax(&p);
                *ok += usize::from(i == e.class);
            }
            // The phrases first (`slots::claim`), as the dialogue reads an asked answer.
            let phrase = weiquan_assistant::slots::claim(&e.text).map(|c| c.kind);
            phrases_right += usize::from(phrase == CLASSES[e.class]);
            let (kind, p) = m.read(f);
            let both = phrase.or((p >= LEAST).then_some(kind).flatten());
            both_right += usize::from(both == CLASSES[e.class]);
            let model_first = if p >= LEAST { kind } else { phrase };
            model_first_right += usize::from(model_first == CLASSES[e.class]);
            claims_total += usize::from(CLASSES[e.class].is_some());
            if kind.is_some() && p >= LEAST {
                taken += 1;
                if CLASSES[e.class] == kind {
                    taken_right += 1;
                } else if verbose {
                    println!("{:?} -> {kind:?} ({p:.2}): {}", CLASSES[e.class], e.text);
                }
            }
        }
    }
    let n = ex.len() as f64;
    for (w, ok) in weights.iter().zip(&right) {
        let name = if w.is_infinite() {
            "meaning alone".to_string()
        } else if *w == 0.0 {
            "words alone".to_string()
        } else {
            format!("words x meaning^{w}")
        };
        println!(
            "{k}-fold over {} lines, {name}: {:.3}",
            ex.len(),
            *ok as f64 / n
        );
    }
    println!(
        "phrases alone (slots::claim, no claim = none): {:.3}; phrases, then the model at p >= {LEAST}: {:.3}",
        phrases_right as f64 / n,
        both_right as f64 / n
    );
    println!(
        "the model at p >= {LEAST}, else the phrases: {:.3}",
        model_first_right as f64 / n
    );
    println!(
        "shipped (weight {}, taken at p >= {LEAST}): {taken} lines read as a claim ({claims_total} are claims), precision {:.3}, recall {:.3}",
        claims::WEIGHT,
        taken_right as f64 / taken.max(1) as f64,
        taken_right as f64 / claims_total.max(1) as f64
    );
}
