//! `weiquan bench intake`: complaints/s over HTTP against a durable SQLite store.
//!
//! The server runs as its own process (so its RSS is its own), on a fresh data dir seeded with
//! buyers and orders; `clients` concurrent HTTP clients each file complaints on their own
//! orders. The disk's fsync rate is measured in the same run, before and after the load.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::Utc;
use serde_json::json;
use weiquan_domain::records::{Commitments, OrderItem, OrderRecord, ShopRecord};
use weiquan_domain::*;
use weiquan_store::{NewUser, Store};

#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// File complaints over HTTP from concurrent clients against a durable SQLite store.
    Intake {
        /// Concurrent HTTP clients.
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Complaints to file in all.
        #[arg(long, default_value_t = 20_000)]
        complaints: usize,
        /// Data dir for the run (a fresh temporary one when absent).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
}

pub async fn run(cmd: BenchCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BenchCommand::Intake {
            clients,
            complaints,
            data_dir,
        } => intake(clients, complaints, data_dir).await,
    }
}

const PASSWORD: &str = "bench-password";

fn order_no(client: usize, i: usize) -> String {
    format!("2026{:04}{:010}", client, i)
}

/// Seeds `clients` buyers with `per_client` orders each.
async fn prepare(dir: &Path, clients: usize, per_client: usize) -> anyhow::Result<()> {
    let store = weiquan_store::sqlite::SqliteStore::open(dir, Policy::default()).await?;
    let hash =
        tokio::task::spawn_blocking(|| weiquan_server::auth::hash_password(PASSWORD)).await?;
    let users = (0..clients)
        .map(|c| NewUser {
            username: Username::parse(&format!("bench{c:03}")).expect("valid"),
            role: Role::Consumer,
            display_name: format!("压测买家{c}"),
            password_hash: Some(hash.clone()),
        })
        .collect();
    store.ensure_users(users).await?;
    let shops: Vec<ShopRecord> = (0..16)
        .map(|s| ShopRecord {
            id: ShopId::parse(&format!("bench-shop-{s:02}")).expect("valid"),
            name: format!("压测店铺{s}"),
            merchant: Username::parse(&format!("benchseller{:02}", s / 4)).expect("valid"),
            commitments: Commitments {
                seven_day_return: true,
                authentic_guarantee: s % 2 == 0,
                ship_within_hours: Some(48),
            },
        })
        .collect();
    store.import_shops(shops).await?;
    let paid = Utc::now() - chrono::Duration::days(10);
    let mut orders = Vec::with_capacity(clients * per_client);
    for c in 0..clients {
        for i in 0..per_client {
            orders.push(OrderRecord {
                order_no: OrderNo::parse(&order_no(c, i)).expect("valid"),
                buyer: Username::parse(&format!("bench{c:03}")).expect("valid"),
                shop_id: ShopId::parse(&format!("bench-shop-{:02}", (c + i) % 16)).expect("valid"),
                items: vec![OrderItem {
                    title: "304不锈钢保温杯 500ml".into(),
                    price_cents: Cents::new(5900).expect("valid"),
                    qty: 1,
                }],
                amount_cents: Cents::new(5900).expect("valid"),
                paid_at: paid,
                shipped_at: Some(paid + chrono::Duration::hours(20)),
                delivered_at: Some(paid + chrono::Duration::days(3)),
            });
        }
    }
    for chunk in orders.chunks(5000) {
        let outcome = store.import_orders(chunk.to_vec()).await?;
        if let Some(Err(e)) = outcome.into_iter().find(|r| r.is_err()) {
            bail!("bench order import failed: {e}");
        }
    }
    Ok(())
}

/// Writes and fsyncs 4 KiB repeatedly for `secs`: the disk's commit rate right now.
fn fsync_rate(dir: &Path, secs: f64) -> anyhow::Result<f64> {
    let path = dir.join("fsync-probe");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .open(&path)?;
    let buf = [7u8; 4096];
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed().as_secs_f64() < secs {
        f.write_all(&buf)?;
        f.sync_data()?;
        n += 1;
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    std::fs::remove_file(path)?;
    Ok(rate)
}

fn proc_kib(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| {
        l.strip_prefix(key)?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    })
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx] as f64 / 1000.0
}

async fn intake(
    clients: usize,
    total: usize,
    data_dir: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let tmp = tempfile::tempdir()?;
    let dir = data_dir.unwrap_or_else(|| tmp.path().join("data"));
    let per_client = total.div_ceil(clients);
    eprintln!(
        "preparing {clients} buyers × {per_client} orders in {}",
        dir.display()
    );
    prepare(&dir, clients, per_client).await?;

    let fsync_before = tokio::task::spawn_blocking({
        let dir = dir.clone();
        move || fsync_rate(&dir, 2.0)
    })
    .await??;

    let mut child = std::process::Command::new(std::env::current_exe()?)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&dir)
        .env("WEIQUAN_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting the server")?;
    let pid = child.id();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
    let base = line
        .trim()
        .strip_prefix("weiquan listening on ")
        .context("server did not report its address")?
        .to_owned();

    let result = load(&base, clients, per_client, total).await;
    let metrics = reqwest::get(format!("{base}/metrics"))
        .await?
        .text()
        .await?;
    let counter = |name: &str| -> f64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
            .unwrap_or(0.0)
    };
    let (commits, writes) = (
        counter("weiquan_store_commits_total "),
        counter("weiquan_store_writes_total "),
    );
    let rss_peak = proc_kib(pid, "VmHWM:");
    let rss_now = proc_kib(pid, "VmRSS:");
    let _ = child.kill();
    let _ = child.wait();
    let (ok, errors, elapsed, mut lat) = result?;

    let fsync_after = tokio::task::spawn_blocking({
        let dir = dir.clone();
        move || fsync_rate(&dir, 2.0)
    })
    .await??;
    lat.sort_unstable();
    let rate = ok as f64 / elapsed;
    let fsync = (fsync_before + fsync_after) / 2.0;
    let out = json!({
        "clients": clients,
        "complaints_ok": ok,
        "errors": errors,
        "seconds": elapsed,
        "complaints_per_s": rate,
        "p50_ms": percentile(&lat, 0.50),
        "p99_ms": percentile(&lat, 0.99),
        "max_ms": percentile(&lat, 1.0),
        "fsync_per_s_before": fsync_before,
        "fsync_per_s_after": fsync_after,
        "ratio_to_fsync": rate / fsync,
        "commits": commits,
        "writes_per_commit": writes / commits.max(1.0),
        "server_rss_peak_mib": rss_peak.map(|k| k as f64 / 1024.0),
        "server_rss_end_mib": rss_now.map(|k| k as f64 / 1024.0),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

async fn load(
    base: &str,
    clients: usize,
    per_client: usize,
    total: usize,
) -> anyhow::Result<(usize, usize, f64, Vec<u64>)> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let mut tokens = Vec::with_capacity(clients);
    for c in 0..clients {
        let r: serde_json::Value = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": format!("bench{c:03}"), "password": PASSWORD}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        tokens.push(r["token"].as_str().context("no token")?.to_owned());
    }
    let incident = (Utc::now() - chrono::Duration::days(2)).to_rfc3339();
    let start = Instant::now();
    let tasks: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(c, token)| {
            let http = http.clone();
            let base = base.to_owned();
            let incident = incident.clone();
            let n = per_client
                .min(total.saturating_sub(c * per_client))
                .max(if c * per_client < total { 1 } else { 0 });
            tokio::spawn(async move {
                let mut lat = Vec::with_capacity(n);
                let mut errors = 0usize;
                for i in 0..n {
                    let body = json!({
                        "order_no": order_no(c, i),
                        "product": "304不锈钢保温杯 500ml",
                        "category": "quality_defect",
                        "incident_at": incident,
                        "description": "收到的保温杯杯身有裂缝，倒入热水后从底部漏水，已拍照留证。",
                        "claim": {"kind": "refund", "amount_cents": 5900},
                    });
                    let t = Instant::now();
                    let r = http
                        .post(format!("{base}/api/v1/complaints"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await;
                    match r {
                        Ok(resp) if resp.status() == reqwest::StatusCode::CREATED => {
                            let _ = resp.bytes().await;
                            lat.push(t.elapsed().as_micros() as u64);
                        }
                        Ok(resp) => {
                            errors += 1;
                            if errors <= 3 {
                                eprintln!(
                                    "client {c}: {} {}",
                                    resp.status(),
                                    resp.text().await.unwrap_or_default()
                                );
                            }
                        }
                        Err(e) => {
                            errors += 1;
                            if errors <= 3 {
                                eprintln!("client {c}: {e}");
                            }
                        }
                    }
                }
                (lat, errors)
            })
        })
        .collect();
    let mut all = Vec::with_capacity(total);
    let mut errors = 0;
    for t in tasks {
        let (lat, e) = t.await?;
        all.extend(lat);
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    Ok((all.len(), errors, elapsed, all))
}
