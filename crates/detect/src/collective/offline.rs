//! Clustering a whole file at once: signatures on every core, then per LSH band a sort by
//! (shop, band key) whose runs are the candidates, compared in time order within the window;
//! one more pass does the same by (shop, subject key) for the complaints naming a subject.

use std::time::Instant;

use rustc_hash::FxHashMap;

use super::minhash::{BANDS, ROWS, Signature, band_key, threshold_count};
use super::{
    Complaint, MAX_WALK, MEANING_WALK, Settings, Subject, SubjectKeys, UnionFind, bucket,
    meaning_score, pair_joins,
};

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
    let mut shops: FxHashMap<&str, u32> = FxHashMap::default();
    let shop: Vec<u32> = complaints
        .iter()
        .map(|c| {
            let next = shops.len() as u32;
            *shops.entry(c.shop.as_str()).or_insert(next)
        })
        .collect();
    // Positions in time order: the runs of a band are compared in it.
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by_key(|&i| (complaints[i as usize].created_at, i));
    let at: Vec<i64> = order
        .iter()
        .map(|&i| complaints[i as usize].created_at)
        .collect();
    let shop_at: Vec<u32> = order.iter().map(|&i| shop[i as usize]).collect();
    let sig_at: Vec<&Signature> = order.iter().map(|&i| &sigs[i as usize]).collect();
    let subject_at: Vec<Option<super::SubjectKeys>> = order
        .iter()
        .map(|&i| complaints[i as usize].subject.as_ref().map(Subject::keys))
        .collect();
    let signed: Vec<u32> = (0..n as u32)
        .filter(|&p| !sigs[order[p as usize] as usize].is_empty())
        .collect();
    let with_subject: Vec<u32> = (0..n as u32)
        .filter(|&p| subject_at[p as usize].is_some())
        .collect();
    let with_meaning: Vec<u32> = (0..n as u32)
        .filter(|&p| sig_at[p as usize].2.is_some())
        .collect();

    // Each thread takes every `threads`-th band (band `BANDS` being the subjects and `BANDS + 1`
    // the shop, for the meaning), keeps its own union–find and returns only the pairs that
    // joined two of its components: a spanning forest, at most n - 1 pairs.
    let threads = threads.clamp(1, BANDS + 2);
    let need = threshold_count(settings.threshold);
    let window = settings.window_ms;
    let (edges, comparisons) = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (at, shop_at, sig_at, subject_at) = (&at, &shop_at, &sig_at, &subject_at);
                let (signed, with_subject, with_meaning) = (&signed, &with_subject, &with_meaning);
                s.spawn(move || {
                    let mut uf = UnionFind::new(n);
                    let mut edges: Vec<(u32, u32)> = Vec::new();
                    let mut comparisons = 0u64;
                    let mut run: Vec<(u64, u32)> = Vec::with_capacity(n);
                    for band in (t..=BANDS + 1).step_by(threads) {
                        run.clear();
                        if band == BANDS + 1 {
                            run.extend(
                                with_meaning
                                    .iter()
                                    .map(|&p| (bucket(shop_at[p as usize], 0), p)),
                            );
                        } else if band == BANDS {
                            run.extend(with_subject.iter().map(|&p| {
                                let key = subject_at[p as usize].map_or(0, |k| k.subject);
                                (bucket(shop_at[p as usize], key), p)
                            }));
                        } else {
                            run.extend(signed.iter().map(|&p| {
                                let rows = &sig_at[p as usize].0[band * ROWS..(band + 1) * ROWS];
                                (bucket(shop_at[p as usize], band_key(band, rows)), p)
                            }));
                        }
                        run.sort_unstable();
                        if band == BANDS + 1 {
                            for group in run.chunk_by(|a, b| a.0 == b.0) {
                                comparisons += attach_by_meaning(
                                    group, at, shop_at, sig_at, subject_at, settings, &mut uf,
                                    &mut edges,
                                );
                            }
                            continue;
                        }
                        for group in run.chunk_by(|a, b| a.0 == b.0) {
                            for (j, &(_, pj)) in group.iter().enumerate().skip(1) {
                                for &(_, pi) in group[..j].iter().rev().take(MAX_WALK) {
                                    if at[pj as usize] - at[pi as usize] > window {
                                        break;
                                    }
                                    if shop_at[pi as usize] != shop_at[pj as usize] {
                                        continue;
                                    }
                                    let (ri, rj) = (uf.find(pi), uf.find(pj));
                                    if ri == rj {
                                        continue;
                                    }
                                    comparisons += 1;
                                    let (i, j) = (pi as usize, pj as usize);
                                    if pair_joins(
                                        subject_at[i],
                                        subject_at[j],
                                        sig_at[i],
                                        sig_at[j],
                                        need,
                                    ) {
                                        uf.union(ri, rj);
                                        edges.push((pi, pj));
                                    }
                                }
                            }
                        }
                    }
                    (edges, comparisons)
                })
            })
            .collect();
        let mut all = Vec::new();
        let mut comparisons = 0;
        for h in handles {
            let (e, c) = h.join().expect("band thread");
            all.extend(e);
            comparisons += c;
        }
        (all, comparisons)
    });
    let mut uf = UnionFind::new(n);
    for (a, b) in edges {
        let (ra, rb) = (uf.find(a), uf.find(b));
        if ra != rb {
            uf.union(ra, rb);
        }
    }

    // Distinct consumers per component; a complaint without one is its own consumer.
    let mut consumers: FxHashMap<&str, u32> = FxHashMap::default();
    let mut pairs: Vec<(u32, u64)> = (0..n)
        .map(|p| {
            let c = &complaints[order[p] as usize];
            let who = match &c.consumer {
                Some(name) => {
                    let next = consumers.len() as u64;
                    *consumers.entry(name.as_str()).or_insert(next as u32) as u64
                }
                None => (1 << 32) + p as u64,
            };
            (uf.find(p as u32), who)
        })
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut distinct: FxHashMap<u32, u32> = FxHashMap::default();
    for (root, _) in &pairs {
        *distinct.entry(*root).or_default() += 1;
    }
    // The earliest member of a component is its least position (positions are in time order).
    let mut first: FxHashMap<u32, u32> = FxHashMap::default();
    for p in 0..n as u32 {
        first.entry(uf.find(p)).or_insert(p);
    }
    let mut clusters = vec![None; n];
    for p in 0..n as u32 {
        let root = uf.find(p);
        if distinct[&root] as usize >= settings.min_consumers {
            clusters[order[p as usize] as usize] = Some(order[first[&root] as usize]);
        }
    }
    (clusters, comparisons)
}

/// The meaning's pass over one shop's complaints in time order: each joins the one of its latest
/// [`MEANING_WALK`] within the window that its meaning is closest to, as the store's window does
/// ([`ShopWindow::matches`](super::ShopWindow::matches)). Returns the comparisons made.
#[allow(clippy::too_many_arguments)]
fn attach_by_meaning(
    group: &[(u64, u32)],
    at: &[i64],
    shop_at: &[u32],
    sig_at: &[&Signature],
    subject_at: &[Option<SubjectKeys>],
    settings: Settings,
    uf: &mut UnionFind,
    edges: &mut Vec<(u32, u32)>,
) -> u64 {
    let mut comparisons = 0;
    for (j, &(_, pj)) in group.iter().enumerate().skip(1) {
        let mut best: Option<(f32, u32)> = None;
        let mut walked = 0;
        for &(_, pi) in group[..j].iter().rev() {
            if at[pj as usize] - at[pi as usize] > settings.window_ms || walked >= MEANING_WALK {
                break;
            }
            if shop_at[pi as usize] != shop_at[pj as usize] {
                continue;
            }
            walked += 1;
            comparisons += 1;
            let (i, k) = (pi as usize, pj as usize);
            if let Some(score) = meaning_score(
                subject_at[k],
                subject_at[i],
                sig_at[k],
                sig_at[i],
                &settings.closeness,
            ) && best.is_none_or(|(b, _)| score > b)
            {
                best = Some((score, pi));
            }
        }
        if let Some((_, pi)) = best {
            let (ri, rj) = (uf.find(pi), uf.find(pj));
            if ri != rj {
                uf.union(ri, rj);
                edges.push((pi, pj));
            }
        }
    }
    comparisons
}
