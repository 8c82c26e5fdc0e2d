//! Tuning aid for the meaning's thresholds ([`Closeness`]), on the labelled set's *tuning* waves
//! only (nothing of a held-out group is read):
//! `cargo run --release -p weiquan-detect --example meaning_tune [pairs]`.
//!
//! Prints the tuning waves' pairwise precision and recall over a grid of thresholds, with
//! subjects (the store's case) and from text alone; `pairs` first compares the three encoders
//! of `weiquan-embed` on the tuning waves' pairs at one shop: how well a cosine separates pairs
//! of one wave from the others (AUC), and what each costs a text. The pair model's weights and
//! the meaning's projection are fitted by `tools/fit_projection.py`.
use std::time::Instant;

use weiquan_detect::collective::{Closeness, Settings, labelled};
use weiquan_embed::{Encoder, StaticEncoder, TokenEncoder, cosine};

fn quantiles(mut v: Vec<f32>) -> String {
    v.sort_by(f32::total_cmp);
    let q = |p: f64| v[((v.len() - 1) as f64 * p) as usize];
    format!("p10 {:.3} p50 {:.3} p90 {:.3}", q(0.1), q(0.5), q(0.9))
}

/// The cosines of pairs at one shop that `keep` keeps, of one wave and not, and how often one of
/// the first scores above one of the second (AUC).
fn separation(
    set: &[labelled::Labelled],
    vecs: &[Vec<f32>],
    keep: impl Fn(
        &weiquan_detect::collective::Complaint,
        &weiquan_detect::collective::Complaint,
    ) -> bool,
) -> (f64, Vec<f32>, Vec<f32>) {
    let (mut same, mut other) = (vec![], vec![]);
    for i in 0..set.len() {
        for j in i + 1..set.len() {
            let (a, b) = (&set[i].complaint, &set[j].complaint);
            if a.shop != b.shop || !keep(a, b) {
                continue;
            }
            let c = cosine(&vecs[i], &vecs[j]);
            if set[i].label.is_some() && set[i].label == set[j].label {
                same.push(c);
            } else {
                other.push(c);
            }
        }
    }
    let mut hits = 0f64;
    for x in &same {
        for y in &other {
            hits += match x.partial_cmp(y) {
                Some(std::cmp::Ordering::Greater) => 1.0,
                Some(std::cmp::Ordering::Equal) => 0.5,
                _ => 0.0,
            };
        }
    }
    let auc = hits / (same.len() * other.len()).max(1) as f64;
    (auc, same, other)
}

fn compare_encoders(set: &[labelled::Labelled]) {
    let texts: Vec<&str> = set.iter().map(|l| l.complaint.text.as_str()).collect();
    // Loaded (and derived, the first time) before anything is timed.
    Encoder::shared().unwrap().embed("预热");
    TokenEncoder::shared().unwrap().embed("预热");
    StaticEncoder::shared().unwrap().embed("预热");
    let per_text = |t: Instant| t.elapsed().as_secs_f64() * 1e6 / texts.len() as f64;
    let t = Instant::now();
    let full = Encoder::shared().unwrap().embed_batch(&texts);
    let full_us = per_text(t);
    let t = Instant::now();
    let tokens = TokenEncoder::shared().unwrap().embed_batch(&texts);
    let tokens_us = per_text(t);
    let t = Instant::now();
    let fixed = StaticEncoder::shared().unwrap().embed_batch(&texts);
    let static_us = per_text(t);
    for (name, vecs, us) in [
        ("full", &full, full_us),
        ("token features", &tokens, tokens_us),
        ("static", &fixed, static_us),
    ] {
        let (auc, same, other) = separation(set, vecs, |_, _| true);
        println!(
            "{name}: AUC {auc:.3}, {us:.0} µs a text (batched) · same wave {} · other {}",
            quantiles(same),
            quantiles(other)
        );
    }
}

fn main() {
    let tuning = |set: Vec<labelled::Labelled>| -> Vec<labelled::Labelled> {
        set.into_iter()
            .filter(|l| l.group == labelled::Group::Tuning)
            .collect()
    };
    let with = tuning(labelled::labelled_with_subjects(1));
    let without = tuning(labelled::labelled(1));
    if std::env::args().nth(1).as_deref() == Some("pairs") {
        compare_encoders(&without);
    }
    if std::env::args().nth(1).as_deref() == Some("dev") {
        dev_pairs();
        return;
    }
    let score = |set: &[labelled::Labelled], closeness: Closeness| {
        let e = labelled::evaluate(
            set,
            Settings {
                closeness,
                ..Settings::default()
            },
        );
        (e.tuning.precision, e.tuning.recall)
    };
    let (p, r) = score(&with, Closeness::NEVER);
    println!("tuning waves, words and subjects only: P {p:.3} R {r:.3}");
    let (p, r) = score(&without, Closeness::NEVER);
    println!("tuning waves, words only (text alone): P {p:.3} R {r:.3}");
    let (p, r) = score(&with, Closeness::default());
    println!("tuning waves, with meaning: P {p:.3} R {r:.3}");
    let (p, r) = score(&without, Closeness::default());
    println!("tuning waves, with meaning, text alone: P {p:.3} R {r:.3}");
}

/// Development only (groups C, D and E were scored with the first rule and are no longer
/// held out for the next; F is): separation of same-wave pairs from the rest at one shop, by the
/// cosine of the texts and of the texts with their item's direction taken out.
#[allow(dead_code)]
pub fn dev_pairs() {
    let set: Vec<labelled::Labelled> = labelled::labelled_with_subjects(1)
        .into_iter()
        .filter(|l| {
            l.group != labelled::Group::Tuning
                && !is_held_out(l.group)
                && l.complaint.subject.is_some()
        })
        .collect();
    let te = TokenEncoder::shared().unwrap();
    let texts: Vec<&str> = set.iter().map(|l| l.complaint.text.as_str()).collect();
    let items: Vec<&str> = set
        .iter()
        .map(|l| l.complaint.subject.as_ref().unwrap().product.as_str())
        .collect();
    let plain = te.embed_batch(&texts);
    let item_v = te.embed_batch(&items);
    let residual: Vec<Vec<f32>> = plain
        .iter()
        .zip(&item_v)
        .map(|(m, t)| {
            let d: f32 = m.iter().zip(t).map(|(a, b)| a * b).sum();
            let r: Vec<f32> = m.iter().zip(t).map(|(a, b)| a - d * b).collect();
            let n = r.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
            r.iter().map(|x| x / n).collect()
        })
        .collect();
    for (name, vecs) in [("plain", &plain), ("item removed", &residual)] {
        for scope in ["same item", "other items", "all"] {
            let (auc, same, other) = separation(&set, vecs, |a, b| {
                let same_item =
                    a.subject.as_ref().unwrap().product == b.subject.as_ref().unwrap().product;
                scope == "all" || (scope == "same item") == same_item
            });
            if same.is_empty() || other.is_empty() {
                continue;
            }
            println!(
                "{name} / {scope}: AUC {auc:.3} ({} same, {} other) · same {} · other {}",
                same.len(),
                other.len(),
                quantiles(same),
                quantiles(other)
            );
        }
    }
}

/// Groups never looked at while developing (the newest, written before the refitted projection
/// was scored).
fn is_held_out(g: labelled::Group) -> bool {
    g == labelled::Group::HeldoutM
}
