//! Clustering a whole file at once: signatures on every core, then each shop's complaints in
//! time order through a [`CollectiveIndex`] — shops are independent (every bucket and the
//! meaning's walk are keyed by shop), so each thread takes its share of the shops. The offline
//! clusters are the index's, and so the store's, by construction: average linkage by meaning
//! depends on the clusters as they stood when each complaint came, which only an in-order pass
//! knows.

use std::time::Instant;

use rustc_hash::FxHashMap;

use super::minhash::Signature;
use super::{CollectiveIndex, Complaint, Settings};

/// The result of [`cluster`].
#[derive(Debug, Clone)]
pub struct Clustering {
    /// Per complaint (input order): the index of its cluster's earliest complaint (by time, then
    /// input order), or `None` when its component has fewer than `min_consumers` consumers.
    pub clusters: Vec<Option<u32>>,
    /// Seconds spent computing signatures, and comparing.
    pub signature_s: f64,
    pub compare_s: f64,
    /// Candidate pairs compared.
    pub comparisons: u64,
}

/// Signatures of many texts on `threads` threads.
pub fn signatures(texts: &[&str], threads: usize) -> Vec<Signature> {
    let threads = threads.max(1);
    let chunk = texts.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let parts: Vec<_> = texts
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.chunks(256)
                        .flat_map(Signature::of_batch)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|h| h.join().expect("signature thread"))
            .collect()
    })
}

/// Clusters complaints (see the module docs of `collective` for what a cluster is).
pub fn cluster(complaints: &[Complaint], settings: Settings, threads: usize) -> Clustering {
    let t0 = Instant::now();
    let texts: Vec<&str> = complaints.iter().map(|c| c.text.as_str()).collect();
    let sigs = signatures(&texts, threads);
    let t1 = Instant::now();
    let (clusters, comparisons) = cluster_signed(complaints, &sigs, settings, threads);
    Clustering {
        clusters,
        signature_s: (t1 - t0).as_secs_f64(),
        compare_s: t1.elapsed().as_secs_f64(),
        comparisons,
    }
}

/// [`cluster`] with the signatures already computed (`sigs[i]` is `complaints[i]`'s).
pub fn cluster_signed(
    complaints: &[Complaint],
    sigs: &[Signature],
    settings: Settings,
    threads: usize,
) -> (Vec<Option<u32>>, u64) {
    let n = complaints.len();
    assert_eq!(sigs.len(), n);
    assert!(n < u32::MAX as usize, "at most 2^32 - 2 complaints");
    let threads = threads.max(1);
    // Shops dealt to threads largest first, each to the thread with the fewest complaints so
    // far (shop sizes are skewed: dealt in turn, one thread got the largest shops and the other
    // waited); each thread's complaints in time order (then input order, which breaks ties the
    // way the index's earliest member does). A shop's clusters do not depend on its thread.
    let mut sizes: FxHashMap<&str, u32> = FxHashMap::default();
    for c in complaints {
        *sizes.entry(c.shop.as_str()).or_default() += 1;
    }
    let mut by_size: Vec<(&str, u32)> = sizes.into_iter().collect();
    by_size.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut load = vec![0u64; threads];
    let mut shops: FxHashMap<&str, usize> = FxHashMap::default();
    for (shop, n) in by_size {
        let part = (0..threads)
            .min_by_key(|&t| (load[t], t))
            .expect("a thread");
        load[part] += u64::from(n);
        shops.insert(shop, part);
    }
    let mut parts: Vec<Vec<u32>> = vec![Vec::new(); threads];
    for (i, c) in complaints.iter().enumerate() {
        parts[shops[c.shop.as_str()]].push(i as u32);
    }
    for part in &mut parts {
        part.sort_by_key(|&i| (complaints[i as usize].created_at, i));
    }
    // Per thread: (complaint, its cluster's earliest complaint) and the comparisons made.
    type Found = (Vec<(u32, Option<u32>)>, u64);
    let results: Vec<Found> = std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .iter()
            .map(|part| {
                s.spawn(move || {
                    let mut index = CollectiveIndex::with_capacity(settings, part.len());
                    for &i in part {
                        let c = &complaints[i as usize];
                        let own;
                        let consumer = match &c.consumer {
                            Some(name) => name.as_str(),
                            // No consumer: its own, a name no consumer has.
                            None => {
                                own = format!("\u{1f}{i}");
                                own.as_str()
                            }
                        };
                        index.insert(
                            "",
                            &c.shop,
                            consumer,
                            &sigs[i as usize],
                            c.subject.as_ref(),
                            c.created_at,
                        );
                    }
                    let found = (0..part.len() as u32)
                        .map(|k| {
                            (
                                part[k as usize],
                                index.earliest_of(k).map(|f| part[f as usize]),
                            )
                        })
                        .collect();
                    (found, index.comparisons)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("clustering thread"))
            .collect()
    });
    let mut clusters = vec![None; n];
    let mut comparisons = 0;
    for (found, c) in results {
        comparisons += c;
        for (i, cluster) in found {
            clusters[i as usize] = cluster;
        }
    }
    (clusters, comparisons)
}
