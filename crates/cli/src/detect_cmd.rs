//! `weiquan detect …` and `weiquan bench brushing`: brushing rings in order graphs
//! (see `weiquan_detect`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use serde_json::json;
use weiquan_detect::generate::{self, Camouflage, GenSpec, Ring};
use weiquan_detect::{DetectOptions, Detection, joint_accuracy};

#[derive(clap::Subcommand)]
pub enum DetectCommand {
    /// Find brushing rings (dense blocks) in an edges file; JSON on stdout.
    Brushing(BrushingArgs),
    /// Write a synthetic edges file with an injected ring.
    Generate {
        #[command(flatten)]
        gen_args: GenArgs,
        /// The edges file to write.
        #[arg(long)]
        out: PathBuf,
        /// Also write the ring's members as JSON here.
        #[arg(long)]
        truth: Option<PathBuf>,
    },
    /// Find collective complaints (same shop, same issue, within the window) in a JSON-lines
    /// file; `{"id","cluster"}` lines on stdout.
    Collective(crate::collective_cmd::CollectiveArgs),
    /// Pairwise precision and recall of collective clustering on a labelled set.
    CollectiveEval(crate::collective_cmd::EvalArgs),
}

#[derive(clap::Args)]
pub struct BrushingArgs {
    /// Lines `user,shop[,weight[,timestamp]]`; timestamps in unix seconds or RFC 3339.
    #[arg(long)]
    edges: PathBuf,
    /// How many blocks to find (each after removing the previous ones' edges).
    #[arg(long, default_value_t = 1)]
    blocks: usize,
    /// Time-aware detector over buyer × shop × day instead of FRAUDAR.
    #[arg(long)]
    time: bool,
    /// Threads for parsing (default: the machine's cores).
    #[arg(long)]
    threads: Option<usize>,
}

/// The generated graph: background and one ring.
#[derive(clap::Args)]
pub struct GenArgs {
    /// Background orders.
    #[arg(long, default_value_t = 1_000_000)]
    edges: u64,
    /// Buyers (default: edges / 10).
    #[arg(long)]
    buyers: Option<u32>,
    /// Shops (default: edges / 50).
    #[arg(long)]
    shops: Option<u32>,
    /// Ring size, buyers x shops (e.g. 200x100); none when absent.
    #[arg(long)]
    ring: Option<String>,
    /// Probability that a ring buyer orders from a ring shop.
    #[arg(long, default_value_t = 0.5)]
    density: f64,
    /// Ring buyers' honest-looking orders: none, random or biased (popular shops).
    #[arg(long, default_value = "none")]
    camouflage: String,
    /// Put all ring orders within this many days.
    #[arg(long)]
    burst_days: Option<u32>,
    /// Orders per ring pair (repeat purchases).
    #[arg(long, default_value_t = 1)]
    repeat: u32,
    /// Zipf exponent of shop popularity.
    #[arg(long, default_value_t = 1.0)]
    zipf: f64,
    /// Days the orders span.
    #[arg(long, default_value_t = 90)]
    days: u32,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

impl GenArgs {
    fn spec(&self) -> anyhow::Result<GenSpec> {
        let mut spec = GenSpec::with_edges(self.edges, self.seed);
        spec.buyers = self.buyers.unwrap_or(spec.buyers);
        spec.shops = self.shops.unwrap_or(spec.shops);
        spec.zipf = self.zipf;
        spec.days = self.days;
        if let Some(ring) = &self.ring {
            let (a, b) = ring
                .split_once(['x', 'X', '×'])
                .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
                .with_context(|| {
                    format!("团伙规模应写作 AxB，如 200x100：{ring:?} / ring size must be AxB, e.g. 200x100: {ring:?}")
                })?;
            spec.rings.push(Ring {
                buyers: a,
                shops: b,
                density: self.density,
                camouflage: self.camouflage.parse::<Camouflage>()?,
                burst_days: self.burst_days,
                repeat: self.repeat,
            });
        }
        spec.check()?;
        Ok(spec)
    }
}

#[derive(clap::Args)]
pub struct BenchArgs {
    #[command(flatten)]
    gen_args: GenArgs,
    #[arg(long, default_value_t = 1)]
    blocks: usize,
    /// Time-aware detector instead of FRAUDAR.
    #[arg(long)]
    time: bool,
    #[arg(long)]
    threads: Option<usize>,
    /// Write the generated file here and keep it (default: a temporary directory).
    #[arg(long)]
    file: Option<PathBuf>,
}

fn threads(t: Option<usize>) -> usize {
    t.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

pub async fn run(cmd: DetectCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        DetectCommand::Brushing(a) => brushing(a),
        DetectCommand::Collective(a) => crate::collective_cmd::collective(a),
        DetectCommand::CollectiveEval(a) => crate::collective_cmd::eval(a),
        DetectCommand::Generate {
            gen_args,
            out,
            truth,
        } => {
            let spec = gen_args.spec()?;
            let truths = write_file(&spec, &out)?;
            if let Some(path) = truth {
                std::fs::write(&path, serde_json::to_vec_pretty(&truth_json(&truths))?)
                    .with_context(|| format!("写入 {0} 失败 / cannot write {0}", path.display()))?;
            }
            eprintln!("已写入 / wrote {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn brushing(a: BrushingArgs) -> anyhow::Result<ExitCode> {
    let d = detect(&a)?;
    report_problems(&d);
    println!("{}", serde_json::to_string_pretty(&blocks_json(&d))?);
    Ok(ExitCode::SUCCESS)
}

fn detect(a: &BrushingArgs) -> anyhow::Result<Detection> {
    if a.blocks == 0 {
        anyhow::bail!("--blocks 至少为 1 / --blocks must be at least 1");
    }
    Ok(weiquan_detect::detect_file(
        &a.edges,
        DetectOptions {
            blocks: a.blocks,
            time: a.time,
            threads: threads(a.threads),
        },
    )?)
}

/// `{"blocks": [{"users", "shops", ["days",] "score"}]}`.
fn blocks_json(d: &Detection) -> serde_json::Value {
    json!({ "blocks": d.blocks })
}

/// Bad lines and left-out lines, on stderr.
fn report_problems(d: &Detection) {
    for e in &d.errors {
        eprintln!("{e}");
    }
    if d.error_count > d.errors.len() as u64 {
        eprintln!(
            "……另有 {0} 行错误 / … and {0} more bad lines",
            d.error_count - d.errors.len() as u64
        );
    }
    if d.error_count > 0 {
        eprintln!(
            "跳过 {0} 行错误（共 {1} 行）/ skipped {0} bad lines of {1}",
            d.error_count, d.lines
        );
    }
    if d.without_time > 0 {
        eprintln!(
            "{0} 行没有时间，未参与按天检测 / {0} lines without a timestamp were left out of the time-aware detector",
            d.without_time
        );
    }
}

fn write_file(spec: &GenSpec, out: &Path) -> anyhow::Result<Vec<generate::RingTruth>> {
    let f = std::fs::File::create(out)
        .with_context(|| format!("创建 {0} 失败 / cannot create {0}", out.display()))?;
    generate::write_edges(spec, f)
        .with_context(|| format!("写入 {0} 失败 / cannot write {0}", out.display()))
}

fn truth_json(truths: &[generate::RingTruth]) -> serde_json::Value {
    json!({ "rings": truths.iter().map(|t| json!({
        "users": t.users.iter().map(|&u| generate::user_name(u)).collect::<Vec<_>>(),
        "shops": t.shops.iter().map(|&s| generate::shop_name(s)).collect::<Vec<_>>(),
        "days": t.days.iter().map(|&d| weiquan_detect::parse::day_name(d)).collect::<Vec<_>>(),
    })).collect::<Vec<_>>() })
}

fn proc_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| {
        l.strip_prefix(key)?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    })
}

pub async fn bench(args: BenchArgs) -> anyhow::Result<ExitCode> {
    if args.blocks == 0 {
        anyhow::bail!("--blocks 至少为 1 / --blocks must be at least 1");
    }
    let spec = args.gen_args.spec()?;
    let tmp = tempfile::tempdir()?;
    let path = args
        .file
        .clone()
        .unwrap_or_else(|| tmp.path().join("edges.csv"));
    let g0 = Instant::now();
    let truths = write_file(&spec, &path)?;
    let generate_s = g0.elapsed().as_secs_f64();
    let file_bytes = std::fs::metadata(&path)?.len();
    // Start the peak-RSS count afresh (Linux ≥ 4.0), so it is the detector's, not the generator's.
    let hwm_reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let rss_before = proc_kib("VmRSS:");

    let start = Instant::now();
    let d = weiquan_detect::detect_file(
        &path,
        DetectOptions {
            blocks: args.blocks,
            time: args.time,
            threads: threads(args.threads),
        },
    )?;
    let seconds = start.elapsed().as_secs_f64();
    let peak = proc_kib("VmHWM:");
    report_problems(&d);

    let accuracy = truths.first().zip(d.blocks.first()).map(|(t, b)| {
        let users: Vec<String> = t.users.iter().map(|&u| generate::user_name(u)).collect();
        let shops: Vec<String> = t.shops.iter().map(|&s| generate::shop_name(s)).collect();
        joint_accuracy(&b.users, &b.shops, &users, &shops)
    });
    let ring = spec.rings.first();
    let out = json!({
        "background_edges": spec.edges,
        "buyers": spec.buyers,
        "shops": spec.shops,
        "ring": ring.map(|r| format!("{}x{}", r.buyers, r.shops)),
        "density": ring.map(|r| r.density),
        "camouflage": ring.map(|_| args.gen_args.camouflage.clone()),
        "burst_days": ring.and_then(|r| r.burst_days),
        "repeat": ring.map(|r| r.repeat),
        "detector": if args.time { "time-aware (M-Zoom)" } else { "FRAUDAR" },
        "lines": d.lines,
        "file_mib": file_bytes as f64 / 1048576.0,
        "distinct_entries": d.entries,
        "generate_s": generate_s,
        "seconds": seconds,
        "parse_s": d.timings.parse,
        "build_s": d.timings.build,
        "detect_s": d.timings.detect,
        "peak_rss_mib": peak.map(|k| k as f64 / 1024.0),
        "peak_rss_reset": hwm_reset,
        "rss_before_mib": rss_before.map(|k| k as f64 / 1024.0),
        "peak_bytes_per_line": peak.map(|k| (k * 1024) as f64 / d.lines.max(1) as f64),
        "blocks": d.blocks.iter().map(|b| json!({
            "users": b.users.len(),
            "shops": b.shops.len(),
            "days": b.days,
            "score": b.score,
        })).collect::<Vec<_>>(),
        "accuracy": accuracy,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gen_args(ring: Option<&str>) -> GenArgs {
        GenArgs {
            edges: 20_000,
            buyers: None,
            shops: None,
            ring: ring.map(str::to_owned),
            density: 0.6,
            camouflage: "random".into(),
            burst_days: Some(2),
            repeat: 2,
            zipf: 1.0,
            days: 90,
            seed: 5,
        }
    }

    #[test]
    fn ring_sizes_parse_and_bad_ones_say_how_to_write_them() {
        let spec = gen_args(Some("30×15")).spec().unwrap();
        assert_eq!((spec.rings[0].buyers, spec.rings[0].shops), (30, 15));
        assert_eq!(spec.rings[0].camouflage, Camouflage::Random);
        let err = gen_args(Some("30-15")).spec().unwrap_err().to_string();
        assert!(err.contains("AxB") && err.contains("团伙"), "{err}");
        let mut bad = gen_args(Some("30x15"));
        bad.camouflage = "sneaky".into();
        assert!(
            bad.spec()
                .unwrap_err()
                .to_string()
                .contains("camouflage must be")
        );
    }

    #[test]
    fn brushing_reports_the_ring_by_name_with_days_only_when_time_aware() {
        let dir = tempfile::tempdir().unwrap();
        let edges = dir.path().join("edges.csv");
        let truths = write_file(&gen_args(Some("40x20")).spec().unwrap(), &edges).unwrap();
        let mut args = BrushingArgs {
            edges,
            blocks: 2,
            time: false,
            threads: Some(2),
        };
        let v = blocks_json(&detect(&args).unwrap());
        let blocks = v["blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), 2);
        let users: Vec<&str> = blocks[0]["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u.as_str().unwrap())
            .collect();
        let expect: Vec<String> = truths[0]
            .users
            .iter()
            .map(|&u| generate::user_name(u))
            .collect();
        let hits = users
            .iter()
            .filter(|u| expect.iter().any(|e| e == *u))
            .count();
        assert!(hits * 10 >= expect.len() * 9, "{hits} of {}", expect.len());
        assert!(blocks[0]["score"].as_f64().unwrap() > 0.0);
        assert!(blocks[0].get("days").is_none());

        args.time = true;
        let v = blocks_json(&detect(&args).unwrap());
        let days = v["blocks"][0]["days"].as_array().unwrap();
        assert!(!days.is_empty() && days.len() <= 2, "{days:?}");

        args.blocks = 0;
        assert!(detect(&args).is_err());
        args.blocks = 1;
        args.edges = dir.path().join("missing.csv");
        let err = detect(&args).unwrap_err().to_string();
        assert!(err.contains("读取") && err.contains("cannot read"), "{err}");
    }
}
