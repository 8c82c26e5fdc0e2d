//! `weiquan bench chat`: 客服小蜜's turn latency over HTTP against a real server.
//!
//! The server runs as its own process on a fresh data dir (SQLite, durable) seeded with one
//! buyer per session. Each of `sessions` concurrent sessions plays a whole conversation again
//! and again — a complaint from 「我买的杯子漏水」 through the questions to the confirmation
//! that files it (with its transcript as evidence), a status question, a rules question, a
//! heated message and its rewrite — pausing `think_ms` (uniformly 0–2×, mean `think_ms`)
//! between turns like a person typing. Every turn's latency is recorded, filing turns apart.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rand::Rng;
use serde_json::{Value, json};

use crate::bench::{PASSWORD, fsync_rate, order_no, percentile, prepare, proc_kib};

#[derive(clap::Args)]
pub struct Args {
    /// Concurrent chat sessions (one buyer each).
    #[arg(long, default_value_t = 100)]
    pub sessions: usize,
    /// Conversations each session plays (each files one complaint on its own order).
    #[arg(long, default_value_t = 5)]
    pub conversations: usize,
    /// Mean pause between a reply and the next message, in milliseconds (0: closed loop).
    #[arg(long, default_value_t = 200)]
    pub think_ms: u64,
    /// Data dir for the run (a fresh temporary one when absent).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

/// One conversation; `{order}` is the session's order number for this round.
const SCRIPT: &[&str] = &[
    "我买的杯子漏水",
    "订单号{order}",
    "倒满热水以后杯底一直往外渗水，桌子都湿了",
    "昨天",
    "退款",
    "59元",
    "确认",
    "我的投诉现在处理到哪一步了？",
    "七天无理由退货是什么规则？",
    "垃圾商家！！！杯子又漏了，骗子！！！",
    "好",
    "取消",
];

pub async fn run(a: Args) -> anyhow::Result<ExitCode> {
    if a.sessions == 0 || a.conversations == 0 {
        bail!("--sessions and --conversations must be at least 1");
    }
    let tmp = tempfile::tempdir()?;
    let dir = a
        .data_dir
        .clone()
        .unwrap_or_else(|| tmp.path().join("data"));
    eprintln!(
        "preparing {} buyers × {} orders",
        a.sessions, a.conversations
    );
    {
        let store =
            weiquan_store::sqlite::SqliteStore::open(&dir, weiquan_domain::Policy::default())
                .await?;
        prepare(&store, a.sessions, a.conversations).await?;
    }
    let fsync = tokio::task::spawn_blocking({
        let dir = dir.clone();
        move || fsync_rate(&dir, 2.0)
    })
    .await??;
    let (mut child, base) = start_server(&dir)?;
    let result = drive(&base, &a).await;
    let rss = proc_kib(child.id(), "VmHWM:").map(|k| k as f64 / 1024.0);
    let _ = child.kill();
    let _ = child.wait();
    let (mut turns, mut filing, mut other, errors, elapsed) = result?;
    turns.sort_unstable();
    filing.sort_unstable();
    other.sort_unstable();
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let out = json!({
        "store": "sqlite",
        "sessions": a.sessions,
        "conversations_per_session": a.conversations,
        "think_ms_mean": a.think_ms,
        "turns": turns.len(),
        "errors": errors,
        "seconds": elapsed,
        "turns_per_s": turns.len() as f64 / elapsed,
        "p50_ms": percentile(&turns, 0.50),
        "p90_ms": percentile(&turns, 0.90),
        "p99_ms": percentile(&turns, 0.99),
        "max_ms": percentile(&turns, 1.0),
        "other_turns_p50_ms": percentile(&other, 0.50),
        "other_turns_p99_ms": percentile(&other, 0.99),
        "filing_turns": filing.len(),
        "filing_p50_ms": percentile(&filing, 0.50),
        "filing_p99_ms": percentile(&filing, 0.99),
        "server_rss_peak_mib": rss,
        "cpus": cpus,
        "fsync_per_s_before": fsync,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Starts `weiquan serve` on the data dir; the child and its base URL once it listens.
fn start_server(dir: &std::path::Path) -> anyhow::Result<(std::process::Child, String)> {
    let mut child = std::process::Command::new(std::env::current_exe()?)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .env("WEIQUAN_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting a server")?;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
    let base = line
        .trim()
        .strip_prefix("weiquan listening on ")
        .context("the server did not report its address")?
        .to_owned();
    Ok((child, base))
}

/// Every turn's latency (µs), the filing turns', the others', errors, seconds.
type Outcome = (Vec<u64>, Vec<u64>, Vec<u64>, usize, f64);

async fn drive(base: &str, a: &Args) -> anyhow::Result<Outcome> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(a.sessions)
        .build()?;
    let mut tokens = Vec::with_capacity(a.sessions);
    for c in 0..a.sessions {
        let r: Value = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": format!("bench{c:03}"), "password": PASSWORD}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        tokens.push(r["token"].as_str().context("no token")?.to_owned());
    }
    // One turn each before the clock starts: connections open, the server warm.
    for t in &tokens {
        http.post(format!("{base}/api/v1/assistant/chat"))
            .bearer_auth(t)
            .json(&json!({"text": "你好"}))
            .send()
            .await?
            .error_for_status()?;
    }
    let start = Instant::now();
    let tasks: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(c, token)| {
            let (http, base) = (http.clone(), base.to_owned());
            let (rounds, think) = (a.conversations, a.think_ms);
            tokio::spawn(async move {
                let (mut lat, mut filing, mut other, mut errors) =
                    (Vec::new(), Vec::new(), Vec::new(), 0usize);
                for round in 0..rounds {
                    let mut session: Option<String> = None;
                    for step in SCRIPT {
                        if think > 0 {
                            let ms = rand::rng().random_range(0..=2 * think);
                            tokio::time::sleep(Duration::from_millis(ms)).await;
                        }
                        let text = step.replace("{order}", &order_no(c, round));
                        let mut body = json!({ "text": text });
                        if let Some(s) = &session {
                            body["session_id"] = json!(s);
                        }
                        let t = Instant::now();
                        let r = http
                            .post(format!("{base}/api/v1/assistant/chat"))
                            .bearer_auth(&token)
                            .json(&body)
                            .send()
                            .await;
                        let v: Option<Value> = match r {
                            Ok(resp) if resp.status().is_success() => resp.json().await.ok(),
                            Ok(resp) => {
                                if errors < 3 {
                                    eprintln!(
                                        "session {c}: {} {}",
                                        resp.status(),
                                        resp.text().await.unwrap_or_default()
                                    );
                                }
                                None
                            }
                            Err(e) => {
                                if errors < 3 {
                                    eprintln!("session {c}: {e}");
                                }
                                None
                            }
                        };
                        let us = t.elapsed().as_micros() as u64;
                        let Some(v) = v else {
                            errors += 1;
                            continue;
                        };
                        lat.push(us);
                        if *step != "确认" {
                            other.push(us);
                        } else if v["complaint_id"].is_i64() {
                            filing.push(us);
                        } else {
                            errors += 1;
                            if errors <= 3 {
                                eprintln!("session {c}: not filed: {}", v["reply"]);
                            }
                        }
                        session = v["session_id"].as_str().map(str::to_owned);
                    }
                }
                (lat, filing, other, errors)
            })
        })
        .collect();
    let (mut all, mut filed, mut others, mut errors) = (Vec::new(), Vec::new(), Vec::new(), 0);
    for t in tasks {
        let (lat, f, o, e) = t.await?;
        all.extend(lat);
        filed.extend(f);
        others.extend(o);
        errors += e;
    }
    Ok((all, filed, others, errors, start.elapsed().as_secs_f64()))
}
