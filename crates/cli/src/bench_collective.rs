//! `weiquan bench collective`: collective clustering at scale, on complaints generated from the
//! labelled set's seeds (`weiquan_detect::collective::labelled::synthetic`).

use std::process::ExitCode;
use std::time::Instant;

use serde_json::json;
use weiquan_detect::collective::{
    self, CollectiveIndex, MAX_WALK, Recent, Settings, ShopWindow, Signature, labelled,
};

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Complaints to store (and to cluster offline).
    #[arg(long, default_value_t = 1_000_000)]
    complaints: usize,
    /// New complaints assigned one at a time after the stored ones (the latest in time).
    #[arg(long, default_value_t = 10_000)]
    assign: usize,
    /// Shops, drawn by Zipf popularity (default: complaints / 50).
    #[arg(long)]
    shops: Option<usize>,
    /// Days the complaints span.
    #[arg(long, default_value_t = 365)]
    days: i64,
    /// Threads for the offline run (default: the machine's cores).
    #[arg(long)]
    threads: Option<usize>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Every complaint names an order item and a category, as the store's do (the structured
    /// rule and the item bound in play), instead of text alone.
    #[arg(long)]
    subjects: bool,
    /// Also write the stored complaints here as `weiquan detect collective` input (JSON lines),
    /// to time the command end to end.
    #[arg(long)]
    write: Option<std::path::PathBuf>,
}

fn rss_mib(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| {
        let kib: f64 = l
            .strip_prefix(key)?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kib / 1024.0)
    })
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

pub fn run(a: BenchArgs) -> anyhow::Result<ExitCode> {
    let threads = crate::collective_cmd::threads(a.threads);
    let settings = Settings::default();
    let shops = a.shops.unwrap_or(a.complaints / 50).max(1);
    let g0 = Instant::now();
    let n = a.complaints + a.assign;
    let mut all = if a.subjects {
        labelled::synthetic_with_subjects(n, shops, a.days, a.seed)
    } else {
        labelled::synthetic(n, shops, a.days, a.seed)
    };
    all.sort_by_key(|c| c.created_at);
    let fresh = all.split_off(a.complaints);
    let stored = all;
    let generate_s = g0.elapsed().as_secs_f64();
    if let Some(path) = &a.write {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
        for c in &stored {
            let mut row =
                json!({"id": c.id, "shop": c.shop, "text": c.text, "created_at": c.created_at});
            if let Some(s) = &c.subject {
                row["product"] = json!(s.product);
                row["category"] = json!(s.category);
            }
            serde_json::to_writer(&mut f, &row)?;
            f.write_all(b"\n")?;
        }
        f.flush()?;
    }

    // What the store does per filed complaint: tokenise, sign, band keys.
    let sample = &fresh[..fresh.len().min(10_000)];
    // Build the segmenter and the lexicon first: once per process, not per complaint.
    Signature::of(&stored[0].text);
    let t = Instant::now();
    let mut keys = 0;
    for c in sample {
        keys += Signature::of(&c.text).band_keys().len();
    }
    let per_signature_us = t.elapsed().as_secs_f64() * 1e6 / sample.len().max(1) as f64;

    // Offline.
    let hwm_reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let t = Instant::now();
    let offline = collective::cluster(&stored, settings, threads);
    let offline_s = t.elapsed().as_secs_f64();
    let offline_peak = rss_mib("VmHWM:");
    let in_clusters = offline.clusters.iter().filter(|c| c.is_some()).count();
    let mut cluster_ids: Vec<u32> = offline.clusters.iter().flatten().copied().collect();
    cluster_ids.sort_unstable();
    cluster_ids.dedup();

    // Online: the stored complaints into the index (signatures computed on every core first),
    // then each new one assigned from its text.
    let texts: Vec<&str> = stored.iter().map(|c| c.text.as_str()).collect();
    let sigs = collective::offline_signatures(&texts, threads);
    let rss_before = rss_mib("VmRSS:");
    let t = Instant::now();
    let mut index = CollectiveIndex::with_capacity(settings, stored.len() + fresh.len());
    for (c, s) in stored.iter().zip(&sigs) {
        index.insert(&c.id, &c.shop, &c.id, s, c.subject.as_ref(), c.created_at);
    }
    let build_s = t.elapsed().as_secs_f64();

    // The store's way: each shop's window of signatures, compared in full with a new complaint
    // (newest first, stopping at MAX_WALK matches), then the new one pushed.
    let subject_key = |c: &collective::Complaint| c.subject.as_ref().map(collective::Subject::keys);
    // Each member carries its cluster (the offline one; a new complaint takes its first
    // match's, without the store's merges: the cost, not the clusters, is measured here).
    let mut windows: std::collections::HashMap<&str, ShopWindow> = Default::default();
    let mut cluster_of: std::collections::HashMap<i64, i64> = Default::default();
    let last_at = stored.last().map_or(0, |c| c.created_at);
    for (seq, (c, sig)) in stored.iter().zip(&sigs).enumerate() {
        if c.created_at >= last_at - settings.window_ms {
            let cluster = offline.clusters[seq].map_or(seq as i64, i64::from);
            cluster_of.insert(seq as i64, cluster);
            windows.entry(c.shop.as_str()).or_default().push(Recent {
                seq: seq as i64 + 1,
                id: seq as i64,
                at: c.created_at,
                subject: subject_key(c),
                sig: sig.clone(),
                cluster,
            });
        }
    }
    drop(sigs);
    let in_windows: usize = windows.values().map(ShopWindow::len).sum();
    let widest = windows.values().map(ShopWindow::len).max().unwrap_or(0);
    let window_mib = windows.values().map(ShopWindow::bytes).sum::<usize>() as f64 / 1048576.0;
    let mut w_times = Vec::with_capacity(fresh.len());
    let mut w_joined = 0;
    for (i, c) in fresh.iter().enumerate() {
        let t = Instant::now();
        let sig = Signature::of(&c.text);
        let since = c.created_at - settings.window_ms;
        let w = windows.entry(c.shop.as_str()).or_default();
        let found = w.matches(&sig, subject_key(c), since, MAX_WALK, &settings);
        let seq = (stored.len() + i) as i64 + 1;
        let cluster = found
            .first()
            .and_then(|id| cluster_of.get(id).copied())
            .unwrap_or(seq);
        cluster_of.insert(seq, cluster);
        w.push(Recent {
            seq,
            id: seq,
            at: c.created_at,
            subject: subject_key(c),
            sig,
            cluster,
        });
        w.forget_before(since);
        w_times.push(t.elapsed().as_secs_f64() * 1e6);
        w_joined += usize::from(!found.is_empty());
    }
    let w_mean = w_times.iter().sum::<f64>() / w_times.len().max(1) as f64;
    w_times.sort_by(f64::total_cmp);
    let index_mib = rss_mib("VmRSS:").zip(rss_before).map(|(a, b)| a - b);
    // The index and the offline run find the same clusters.
    let online: Vec<Option<String>> = index.clusters();
    let agreement = collective::pair_scores(&online, &offline.clusters);
    let comparisons_before = index.comparisons;
    let mut times = Vec::with_capacity(fresh.len());
    let mut joined = 0;
    for c in &fresh {
        let t = Instant::now();
        let got = index
            .assign(
                &c.id,
                &c.shop,
                &c.id,
                &c.text,
                c.subject.as_ref(),
                c.created_at,
            )
            .is_some();
        times.push(t.elapsed().as_secs_f64() * 1e6);
        joined += usize::from(got);
    }
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    times.sort_by(f64::total_cmp);
    let out = json!({
        "complaints": a.complaints,
        "subjects": a.subjects,
        "shops": shops,
        "days": a.days,
        "threads": threads,
        "generate_s": generate_s,
        "per_complaint_store_work_us": per_signature_us,
        "band_keys_per_complaint": keys as f64 / sample.len().max(1) as f64,
        "offline": {
            "seconds": offline_s,
            "signature_s": offline.signature_s,
            "compare_s": offline.compare_s,
            "comparisons": offline.comparisons,
            "clusters": cluster_ids.len(),
            "complaints_in_clusters": in_clusters,
            "peak_rss_mib": offline_peak,
            "peak_rss_reset": hwm_reset,
        },
        "online": {
            "stored": index.len() - fresh.len(),
            "build_s": build_s,
            "index_rss_mib": index_mib,
            "agreement_with_offline": agreement,
            "assigned": fresh.len(),
            "assigned_into_a_cluster": joined,
            "assign_us": {
                "mean": mean,
                "p50": quantile(&times, 0.5),
                "p99": quantile(&times, 0.99),
                "max": times.last().copied().unwrap_or(0.0),
            },
            "comparisons_per_assign": (index.comparisons - comparisons_before) as f64 / fresh.len().max(1) as f64,
        },
        "store_windows": {
            "complaints_in_windows": in_windows,
            "widest_window": widest,
            "windows_mib": window_mib,
            "assigned": fresh.len(),
            "assigned_with_a_match": w_joined,
            "assign_us": {
                "mean": w_mean,
                "p50": quantile(&w_times, 0.5),
                "p99": quantile(&w_times, 0.99),
                "max": w_times.last().copied().unwrap_or(0.0),
            },
        },
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}
