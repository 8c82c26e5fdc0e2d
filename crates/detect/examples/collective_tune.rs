//! Tuning aid for the collective lexicon and threshold, on the labelled set's *tuning* waves only
//! (the held-out ones are left out of everything it prints):
//! `cargo run --release -p weiquan-detect --example collective_tune [fp|fn|tokens]`.
use weiquan_detect::collective::{Settings, labelled, minhash, tokens};

fn main() {
    let set = labelled::labelled(1);
    let tune: Vec<_> = set
        .iter()
        .filter(|l| l.group == labelled::Group::Tuning)
        .collect();
    for t in [0.25, 0.3, 0.35, 0.4] {
        let settings = Settings {
            threshold: t,
            ..Settings::default()
        };
        let e = labelled::evaluate(&set, settings);
        println!(
            "threshold {t}: tuning P {:.3} R {:.3}",
            e.tuning.precision, e.tuning.recall
        );
    }
    let mode = std::env::args().nth(1).unwrap_or_default();
    let near = minhash::THRESHOLD;
    for (i, a) in tune.iter().enumerate() {
        if mode == "tokens" {
            println!("{:?} {:?}", a.label, tokens::features(&a.complaint.text));
        }
        for b in &tune[i + 1..] {
            if a.complaint.shop != b.complaint.shop {
                continue;
            }
            let j = minhash::jaccard(&a.complaint.text, &b.complaint.text);
            let same = a.label.is_some() && a.label == b.label;
            if mode == "fp" && !same && j >= near - 0.01 {
                println!(
                    "FP {j:.2} {:?} | {:?}\n   {} | {}",
                    a.label, b.label, a.complaint.text, b.complaint.text
                );
            }
            if mode == "fn" && same && j < near {
                println!(
                    "FN {j:.2} {:?}\n   {:?}\n   {:?}",
                    a.label,
                    tokens::features(&a.complaint.text),
                    tokens::features(&b.complaint.text)
                );
            }
        }
    }
}
