//! `weiquan bench embed`: sentences/s on one core for the full encoder and the static one, the
//! memory each adds, and what the static one keeps of the full (see `weiquan-embed`).

use std::process::ExitCode;
use std::time::Instant;

use weiquan_embed::eval::{agreement, sentences};
use weiquan_embed::{Encoder, StaticEncoder};

use crate::bench::proc_kib;

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Sentences to embed with each model (the measuring set, repeated).
    #[arg(long, default_value_t = 5000)]
    n: usize,
}

pub async fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    tokio::task::spawn_blocking(move || bench(args)).await?
}

fn rss_mib() -> f64 {
    proc_kib(std::process::id(), "VmRSS:").unwrap_or(0) as f64 / 1024.0
}

fn bench(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let dir = weiquan_embed::ensure_model()?;
    let set = sentences();
    let texts: Vec<&str> = set.iter().copied().cycle().take(args.n.max(1)).collect();
    let chars = texts.iter().map(|t| t.chars().count()).sum::<usize>() as f64 / texts.len() as f64;
    println!(
        "{} sentences ({} distinct, {chars:.1} characters on average), one thread",
        texts.len(),
        set.len()
    );
    let base = rss_mib();
    let t = Instant::now();
    let full = Encoder::load(&dir)?;
    let load_full = t.elapsed().as_secs_f64();
    let rss_full = rss_mib() - base;
    let t = Instant::now();
    let fast = StaticEncoder::load(&dir)?;
    let load_fast = t.elapsed().as_secs_f64();
    let rss_fast = rss_mib() - base - rss_full;

    let t = Instant::now();
    for s in &texts {
        std::hint::black_box(full.embed(s));
    }
    let full_one = texts.len() as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    std::hint::black_box(full.embed_batch(&texts));
    let full_batch = texts.len() as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    for s in &texts {
        std::hint::black_box(fast.embed(s));
    }
    let fast_one = texts.len() as f64 / t.elapsed().as_secs_f64();

    println!(
        "full encoder:   {full_one:>9.0} sentences/s one at a time, {full_batch:>9.0}/s in batches ({:.3} ms each); load {load_full:.2} s, +{rss_full:.0} MiB resident",
        1e3 / full_one
    );
    println!(
        "static encoder: {fast_one:>9.0} sentences/s one at a time ({:.4} ms each); load {load_fast:.2} s, +{rss_fast:.0} MiB resident",
        1e3 / fast_one
    );
    let a = agreement(&full.embed_batch(&set), &fast.embed_batch(&set));
    println!(
        "static vs full on {} complaints: mean cosine {:.3}, same nearest neighbour {:.1} %",
        set.len(),
        a.mean_cosine,
        a.nearest_neighbour * 100.0
    );
    println!(
        "process peak resident: {:.0} MiB",
        proc_kib(std::process::id(), "VmHWM:").unwrap_or(0) as f64 / 1024.0
    );
    Ok(ExitCode::SUCCESS)
}
