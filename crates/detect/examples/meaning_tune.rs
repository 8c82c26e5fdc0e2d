//! Tuning aid for the meaning's thresholds ([`Closeness`]), on the labelled set's *tuning* waves
//! only (nothing of a held-out group is read):
//! `cargo run --release -p weiquan-detect --example meaning_tune [pairs]`.
//!
//! Prints the tuning waves' pairwise precision and recall over a grid of thresholds, with
//! subjects (the store's case) and from text alone; `pairs` first compares the three encoders
//! of `weiquan-embed` on the tuning waves' pairs at one shop: how well a cosine separates pairs
//! of one wave from the others (AUC), and what each costs a text.
use std::time::Instant;

use weiquan_detect::collective::{
    Closeness, PAIR_FEATURES, PairEvidence, Settings, Signature, Subject, labelled,
};
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
    if std::env::args().nth(1).as_deref() == Some("fit") {
        fit();
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

/// The development set for the pair model: every group but the newest held-out one.
fn development(set: Vec<labelled::Labelled>) -> Vec<labelled::Labelled> {
    set.into_iter().filter(|l| !is_held_out(l.group)).collect()
}

/// Groups never looked at while fitting (the newest, written before the projected meaning was
/// scored). The weights in `Closeness::default` come from `tools/fit_projection.py`, whose
/// cosines for each group are from a projection fitted without it; this fit's are in-sample.
fn is_held_out(g: labelled::Group) -> bool {
    g == labelled::Group::HeldoutH
}

/// Fits the pair model on the development set (logistic regression, full-batch gradient
/// descent), then prints the clusters' scores over a grid of decision thresholds.
fn fit() {
    let set = development(labelled::labelled_with_subjects(1));
    let texts: Vec<&str> = set.iter().map(|l| l.complaint.text.as_str()).collect();
    let sigs = Signature::of_batch(&texts);
    let keys: Vec<_> = set
        .iter()
        .map(|l| l.complaint.subject.as_ref().map(Subject::keys))
        .collect();
    let (mut xs, mut ys) = (vec![], vec![]);
    for i in 0..set.len() {
        for j in i + 1..set.len() {
            if set[i].complaint.shop != set[j].complaint.shop {
                continue;
            }
            let (Some(a), Some(b)) = (keys[i], keys[j]) else {
                continue;
            };
            let Some(e) = PairEvidence::of(a, b, &sigs[i], &sigs[j]) else {
                continue;
            };
            xs.push(e.features());
            ys.push(set[i].label.is_some() && set[i].label == set[j].label);
        }
    }
    let n = xs.len() as f64;
    let pos = ys.iter().filter(|&&y| y).count();
    println!("{} pairs, {pos} of one wave", xs.len());
    let mut w = [0f64; PAIR_FEATURES + 1];
    for _ in 0..20_000 {
        let mut g = [0f64; PAIR_FEATURES + 1];
        for (x, &y) in xs.iter().zip(&ys) {
            let z: f64 =
                x.iter().zip(&w).map(|(x, w)| *x as f64 * w).sum::<f64>() + w[PAIR_FEATURES];
            let err = 1.0 / (1.0 + (-z).exp()) - if y { 1.0 } else { 0.0 };
            for k in 0..PAIR_FEATURES {
                g[k] += err * x[k] as f64;
            }
            g[PAIR_FEATURES] += err;
        }
        for k in 0..=PAIR_FEATURES {
            w[k] -= 2.0 * (g[k] / n + 1e-3 * w[k]);
        }
    }
    let weights: Vec<f32> = w.iter().map(|&v| v as f32).collect();
    println!("weights {weights:.3?}");
    let weights: [f32; PAIR_FEATURES + 1] = weights.try_into().unwrap();
    let with = development(labelled::labelled_with_subjects(1));
    let without = development(labelled::labelled(1));
    // Scores on the development groups (seen while fitting: not a measure of new data).
    let report = |label: String, set: &[labelled::Labelled], closeness: Closeness| {
        let e = labelled::evaluate(
            set,
            Settings {
                closeness,
                ..Settings::default()
            },
        );
        let pr = |p: &weiquan_detect::collective::PairScores| {
            format!("{:.3}/{:.3}", p.precision, p.recall)
        };
        println!(
            "{label}: all {} · C {} · D {} · E {} · tuning {}",
            pr(&e.all),
            pr(&e.heldout_c),
            pr(&e.heldout_d),
            pr(&e.heldout_e),
            pr(&e.tuning)
        );
        if std::env::var("SHOW").is_ok() {
            println!("  merged {:?}\n  split {:?}", e.merged, e.split);
        }
    };
    for least in [0.4f32, 0.5, 0.6, 0.7, 0.8, 0.9] {
        let c = Closeness {
            weights,
            least,
            text_only: 2.0,
        };
        report(format!("least {least}"), &with, c);
    }
    for text_only in [0.6f32, 0.65, 0.7, 0.75, 0.8] {
        let c = Closeness {
            weights,
            least: 2.0,
            text_only,
        };
        report(format!("text alone, cosine ≥ {text_only}"), &without, c);
    }
}
