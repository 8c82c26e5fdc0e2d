//! Writes the labelled set (with subjects, seed 1) as JSON lines for analysis outside Rust:
//! group, shop, wave, item, category, named problems, the encoder's vector as serving computes it ([`encoder_vectors`]), and the words'
//! MinHash similarity to every earlier complaint of the same shop.
//! `cargo run --release -p weiquan-detect --example meaning_dump > labelled.jsonl`
use std::io::Write;

use weiquan_detect::collective::{Signature, encoder_vectors, labelled, similarity};

fn main() {
    let set = labelled::labelled_with_subjects(1);
    let texts: Vec<&str> = set.iter().map(|l| l.complaint.text.as_str()).collect();
    let sigs = Signature::of_batch(&texts);
    let tokens = encoder_vectors(&texts);
    let out = std::io::stdout();
    let mut out = out.lock();
    for (i, l) in set.iter().enumerate() {
        let words: Vec<(usize, f64)> = (0..i)
            .filter(|&j| set[j].complaint.shop == l.complaint.shop)
            .map(|j| (j, similarity(&sigs[i], &sigs[j])))
            .filter(|&(_, s)| s > 0.0)
            .collect();
        let subject = l.complaint.subject.as_ref();
        let line = serde_json::json!({
            "group": l.group,
            "shop": l.complaint.shop,
            "wave": l.label,
            "at": l.complaint.created_at,
            "text": l.complaint.text,
            "item": subject.map(|s| s.product.clone()),
            "category": subject.map(|s| s.category.clone()),
            "problems": sigs[i].1,
            "token": tokens[i].iter().map(|x| (x * 1e4).round() / 1e4).collect::<Vec<_>>(),
            "words": words,
        });
        writeln!(out, "{line}").unwrap();
    }
}
