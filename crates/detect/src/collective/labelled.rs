//! The labelled set the project ships (`data/collective-seeds.txt`), and complaints generated
//! from it for benchmarks.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::Complaint;

const SEEDS: &str = include_str!("../../data/collective-seeds.txt");

/// 2026-01-01T00:00:00+08:00 in unix milliseconds.
pub const START_MS: i64 = 1_767_196_800_000;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// One hand-written line of the seed file.
#[derive(Debug, Clone)]
pub struct Seed {
    /// `Some(wave key)` for a wave's line, `None` for a complaint sharing no issue.
    pub wave: Option<&'static str>,
    pub shop: &'static str,
    pub heldout: bool,
    pub text: &'static str,
}

/// The seed file's lines.
pub fn seeds() -> Vec<Seed> {
    let mut out = vec![];
    let mut current: Option<(Option<&'static str>, &'static str, bool)> = None;
    for line in SEEDS.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(head) = line.strip_prefix('@') {
            let parts: Vec<&str> = head.split_whitespace().collect();
            current = Some(match parts.as_slice() {
                ["wave", key, shop] => (Some(*key), *shop, false),
                ["wave", key, shop, "heldout"] => (Some(*key), *shop, true),
                ["other", shop] => (None, *shop, false),
                _ => panic!("bad seed header {line:?}"),
            });
            continue;
        }
        let (wave, shop, heldout) = current.expect("a seed line under a header");
        out.push(Seed {
            wave,
            shop,
            heldout,
            text: line,
        });
    }
    out
}

/// A complaint of the labelled set.
#[derive(Debug, Clone)]
pub struct Labelled {
    pub complaint: Complaint,
    /// The wave it belongs to (`shop/key`), `None` for one in no wave.
    pub label: Option<String>,
    pub heldout: bool,
}

/// The labelled set: every seed line once, as a different consumer; a wave's complaints within
/// ten days of each other, at a random start within 90 days; some texts with an order number or
/// a date added, as real complaints have them. The same `seed` gives the same set.
pub fn labelled(seed: u64) -> Vec<Labelled> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut wave_start: std::collections::HashMap<&str, i64> = Default::default();
    seeds()
        .into_iter()
        .enumerate()
        .map(|(n, s)| {
            let at = match s.wave {
                Some(key) => {
                    let start = *wave_start
                        .entry(key)
                        .or_insert_with(|| START_MS + rng.random_range(0..80) * DAY_MS);
                    start + rng.random_range(0..10 * DAY_MS)
                }
                None => START_MS + rng.random_range(0..90 * DAY_MS),
            };
            let text = decorate(s.text, at, &mut rng);
            Labelled {
                complaint: Complaint {
                    id: format!("L{n:04}"),
                    shop: s.shop.to_owned(),
                    consumer: None,
                    text,
                    created_at: at,
                },
                label: s.wave.map(|k| format!("{}/{k}", s.shop)),
                heldout: s.heldout,
            }
        })
        .collect()
}

/// Adds an order number, a date or both, the way people write them, to a third of the texts.
fn decorate(text: &str, at: i64, rng: &mut StdRng) -> String {
    let english = text.is_ascii();
    let order: u64 = rng.random_range(1_000_000_000_000..10_000_000_000_000);
    let day = chrono::DateTime::from_timestamp_millis(at - rng.random_range(1..6) * DAY_MS)
        .map(|d| d.date_naive())
        .unwrap_or_default();
    match (rng.random_range(0..6), english) {
        (0, false) => format!("订单号{order}，{text}"),
        (1, false) => format!("{}买的，{text}", day.format("%-m月%-d日")),
        (2, false) => format!("{text}。订单{order}，{}下单", day.format("%Y-%m-%d")),
        (0, true) => format!("Order #{order}: {text}"),
        (1, true) => format!("{text} (ordered on {})", day.format("%Y-%m-%d")),
        _ => text.to_owned(),
    }
}

/// Things people add that say nothing about the issue.
const FILLERS: [&str; 10] = [
    "真的很生气，",
    "希望平台尽快处理。",
    "已经联系过客服了，",
    "请给个说法！",
    "第一次在这家买东西，",
    "要求退款。",
    "please help, ",
    "太失望了。",
    "麻烦小二介入一下，",
    "不想再等了。",
];

/// `n` complaints for benchmarks: each a seed line (wave or not) with an order number or date
/// and sometimes a filler phrase, about one of `shops` shops drawn by Zipf popularity
/// (`1/(j+1)`), at a uniformly random time within `days` days. Same issue at the same busy shop
/// within the window clusters, as it would.
pub fn synthetic(n: usize, shops: usize, days: i64, seed: u64) -> Vec<Complaint> {
    let seeds = seeds();
    let mut rng = StdRng::seed_from_u64(seed);
    let shops = shops.max(1);
    // Zipf by inverse transform over the cumulative weights.
    let mut cumulative = Vec::with_capacity(shops);
    let mut total = 0.0;
    for j in 0..shops {
        total += 1.0 / (j as f64 + 1.0);
        cumulative.push(total);
    }
    (0..n)
        .map(|i| {
            let s = &seeds[rng.random_range(0..seeds.len())];
            let u = rng.random_range(0.0..total);
            let shop = cumulative.partition_point(|&c| c < u).min(shops - 1);
            let at = START_MS + rng.random_range(0..days.max(1) * DAY_MS);
            let mut text = decorate(s.text, at, &mut rng);
            if rng.random_range(0..3) == 0 {
                let f = FILLERS[rng.random_range(0..FILLERS.len())];
                if f.ends_with('，') || f.ends_with(", ") {
                    text.insert_str(0, f);
                } else {
                    text.push_str(f);
                }
            }
            Complaint {
                id: format!("G{i}"),
                shop: format!("shop{shop}"),
                consumer: None,
                text,
                created_at: at,
            }
        })
        .collect()
}

/// Pairwise scores of the clustering on the labelled set: on the waves used while tuning, on
/// the held-out waves (each with all the complaints in no wave), and on everything.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Evaluation {
    pub complaints: usize,
    pub waves: usize,
    pub heldout_waves: usize,
    pub min_consumers: usize,
    pub tuning: super::PairScores,
    pub heldout: super::PairScores,
    pub all: super::PairScores,
    /// Waves found together in one cluster (the precision lost is theirs).
    pub merged: Vec<[String; 2]>,
    /// Waves with members outside their largest cluster, and how many.
    pub split: Vec<(String, usize)>,
}

/// Clusters `set` as one input and scores it.
pub fn evaluate(set: &[Labelled], settings: super::Settings) -> Evaluation {
    let complaints: Vec<Complaint> = set.iter().map(|l| l.complaint.clone()).collect();
    let found = super::cluster(&complaints, settings, 2).clusters;
    let score = |keep: &dyn Fn(&Labelled) -> bool| {
        let (truth, got): (Vec<_>, Vec<_>) = set
            .iter()
            .zip(&found)
            .filter(|(l, _)| keep(l))
            .map(|(l, f)| (l.label.clone(), *f))
            .unzip();
        super::pair_scores(&truth, &got)
    };
    let waves = |heldout: bool| {
        let mut w: Vec<&str> = set
            .iter()
            .filter(|l| l.heldout == heldout)
            .filter_map(|l| l.label.as_deref())
            .collect();
        w.sort_unstable();
        w.dedup();
        w.len()
    };
    let mut by_cluster: std::collections::BTreeMap<u32, std::collections::BTreeSet<&str>> =
        Default::default();
    let mut by_wave: std::collections::BTreeMap<&str, Vec<Option<u32>>> = Default::default();
    for (l, f) in set.iter().zip(&found) {
        if let (Some(f), Some(label)) = (f, &l.label) {
            by_cluster.entry(*f).or_default().insert(label);
        }
        if let Some(label) = &l.label {
            by_wave.entry(label).or_default().push(*f);
        }
    }
    let mut merged: Vec<[String; 2]> = by_cluster
        .values()
        .flat_map(|labels| {
            let l: Vec<&str> = labels.iter().copied().collect();
            let mut pairs = vec![];
            for i in 0..l.len() {
                for j in i + 1..l.len() {
                    pairs.push([l[i].to_owned(), l[j].to_owned()]);
                }
            }
            pairs
        })
        .collect();
    merged.sort();
    merged.dedup();
    let split = by_wave
        .into_iter()
        .filter_map(|(wave, found)| {
            let mut counts: std::collections::BTreeMap<Option<u32>, usize> = Default::default();
            for f in &found {
                *counts.entry(*f).or_default() += 1;
            }
            let best = counts
                .iter()
                .filter(|(k, _)| k.is_some())
                .map(|(_, v)| *v)
                .max()
                .unwrap_or(0);
            (best < found.len()).then(|| (wave.to_owned(), found.len() - best))
        })
        .collect();
    Evaluation {
        merged,
        split,
        complaints: set.len(),
        waves: waves(false),
        heldout_waves: waves(true),
        min_consumers: settings.min_consumers,
        tuning: score(&|l| !l.heldout),
        heldout: score(&|l| l.heldout || l.label.is_none()),
        all: score(&|_| true),
    }
}
