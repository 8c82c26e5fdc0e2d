//! `weiquan bench intake`: complaints/s over HTTP against a durable store (SQLite, or
//! PostgreSQL with one or more nodes).
//!
//! The server runs as its own process (so its RSS is its own), on a fresh data dir seeded with
//! buyers and orders; `clients` concurrent HTTP clients each file complaints on their own
//! orders. The disk's fsync rate is measured in the same run, before and after the load.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::json;
use weiquan_domain::records::{Commitments, OrderItem, OrderRecord, ShopRecord};
use weiquan_domain::*;
use weiquan_store::{Clock as _, NewUser, Store, SystemClock};

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
        /// Run against PostgreSQL instead: a server's URL (a fresh database is created on it for
        /// the run and dropped afterwards).
        #[arg(long)]
        postgres: Option<String>,
        /// `weiquan serve` nodes sharing the store (PostgreSQL only); clients are spread over them.
        #[arg(long, default_value_t = 1)]
        nodes: usize,
    },
    /// Deadlines on PostgreSQL with several nodes killed and restarted while they fire: each must
    /// fire exactly once.
    Timers {
        /// A PostgreSQL server's URL (a fresh database is created for the run and dropped).
        #[arg(long)]
        postgres: String,
        #[arg(long, default_value_t = 1000)]
        complaints: usize,
        #[arg(long, default_value_t = 3)]
        nodes: usize,
    },
    /// Brushing detection end to end on generated graphs (see `detect_cmd`).
    Brushing(crate::detect_cmd::BenchArgs),
    /// The assistant's classifier throughput (see `assistant_cmd`).
    Classify(crate::assistant_cmd::BenchArgs),
    /// Each role's web pages on the demo data: server time and weight (see `bench_pages`).
    Pages(crate::bench_pages::BenchArgs),
    /// 客服小蜜's chat turns over HTTP from concurrent sessions (see `bench_chat`).
    Chat(crate::bench_chat::Args),
    /// Collective-complaint clustering: assignment with many stored, and offline (see
    /// `bench_collective`).
    Collective(crate::bench_collective::BenchArgs),
}

pub async fn run(cmd: BenchCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BenchCommand::Intake {
            clients,
            complaints,
            data_dir,
            postgres,
            nodes,
        } => intake(clients, complaints, data_dir, postgres, nodes).await,
        BenchCommand::Timers {
            postgres,
            complaints,
            nodes,
        } => timers(&postgres, complaints, nodes).await,
        BenchCommand::Brushing(args) => crate::detect_cmd::bench(args).await,
        BenchCommand::Collective(args) => crate::bench_collective::run(args),
        BenchCommand::Classify(args) => crate::assistant_cmd::bench(args).await,
        BenchCommand::Pages(args) => crate::bench_pages::run(args).await,
        BenchCommand::Chat(args) => crate::bench_chat::run(args).await,
    }
}

pub(crate) const PASSWORD: &str = "bench-password";

pub(crate) fn order_no(client: usize, i: usize) -> String {
    format!("2026{:04}{:010}", client, i)
}

/// Seeds `clients` buyers with `per_client` orders each.
pub(crate) async fn prepare(
    store: &dyn Store,
    clients: usize,
    per_client: usize,
) -> anyhow::Result<()> {
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
    store.ensure_users(users, SystemClock.now()).await?;
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
    store.import_shops(shops, SystemClock.now()).await?;
    let paid = SystemClock.now() - chrono::Duration::days(10);
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
                    return_exempt: None,
                }],
                amount_cents: Cents::new(5900).expect("valid"),
                paid_at: paid,
                shipped_at: Some(paid + chrono::Duration::hours(20)),
                delivered_at: Some(paid + chrono::Duration::days(3)),
            });
        }
    }
    for chunk in orders.chunks(5000) {
        let outcome = store
            .import_orders(chunk.to_vec(), SystemClock.now())
            .await?;
        if let Some(Err(e)) = outcome.into_iter().find(|r| r.is_err()) {
            bail!("bench order import failed: {e}");
        }
    }
    Ok(())
}

/// Writes and fsyncs 4 KiB repeatedly for `secs`: the disk's commit rate right now.
pub(crate) fn fsync_rate(dir: &Path, secs: f64) -> anyhow::Result<f64> {
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

pub(crate) fn proc_kib(pid: u32, key: &str) -> Option<u64> {
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

pub(crate) fn percentile(sorted: &[u64], p: f64) -> f64 {
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
    postgres: Option<String>,
    nodes: usize,
) -> anyhow::Result<ExitCode> {
    if nodes == 0 || (nodes > 1 && postgres.is_none()) {
        bail!("--nodes > 1 needs --postgres: SQLite serves from one machine");
    }
    let tmp = tempfile::tempdir()?;
    let dir = data_dir.unwrap_or_else(|| tmp.path().join("data"));
    let per_client = total.div_ceil(clients);
    let bench_db = match &postgres {
        Some(admin) => Some(bench_db(admin).await?),
        None => None,
    };
    eprintln!("preparing {clients} buyers × {per_client} orders");
    {
        let store: Box<dyn Store> = match &bench_db {
            Some(db) => Box::new(
                weiquan_store::postgres::PgStore::open(
                    &db.url,
                    &dir.join("blobs"),
                    Policy::default(),
                )
                .await?,
            ),
            None => {
                Box::new(weiquan_store::sqlite::SqliteStore::open(&dir, Policy::default()).await?)
            }
        };
        prepare(store.as_ref(), clients, per_client).await?;
    }

    let fsync_before = tokio::task::spawn_blocking({
        let dir = dir.clone();
        move || fsync_rate(&dir, 2.0)
    })
    .await??;
    let pg_commits = match &bench_db {
        Some(db) => Some(pg_commit_rate(&db.url, clients, 2.0).await?),
        None => None,
    };

    let mut children = Vec::with_capacity(nodes);
    let mut bases = Vec::with_capacity(nodes);
    for n in 0..nodes {
        let mut cmd = std::process::Command::new(std::env::current_exe()?);
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(if nodes == 1 {
                dir.clone()
            } else {
                dir.join(format!("node{n}"))
            });
        if let Some(db) = &bench_db {
            cmd.args(["--database-url", &db.url]);
        }
        let mut child = cmd
            .env("WEIQUAN_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting a server")?;
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
        bases.push(
            line.trim()
                .strip_prefix("weiquan listening on ")
                .context("server did not report its address")?
                .to_owned(),
        );
        children.push(child);
    }

    let result = load(&bases, clients, per_client, total).await;
    let (mut commits, mut writes) = (0.0, 0.0);
    for base in &bases {
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
        commits += counter("weiquan_store_commits_total ");
        writes += counter("weiquan_store_writes_total ");
    }
    let rss_peaks: Vec<f64> = children
        .iter()
        .filter_map(|c| proc_kib(c.id(), "VmHWM:"))
        .map(|k| k as f64 / 1024.0)
        .collect();
    for mut c in children {
        let _ = c.kill();
        let _ = c.wait();
    }
    let (ok, errors, elapsed, mut lat) = result?;
    let fsync_after = tokio::task::spawn_blocking({
        let dir = dir.clone();
        move || fsync_rate(&dir, 2.0)
    })
    .await??;
    drop(bench_db);
    lat.sort_unstable();
    let rate = ok as f64 / elapsed;
    let fsync = (fsync_before + fsync_after) / 2.0;
    let out = json!({
        "store": if postgres.is_some() { "postgres" } else { "sqlite" },
        "nodes": nodes,
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
        "postgres_commits_per_s": pg_commits,
        "commits": commits,
        "writes_per_commit": writes / f64::max(commits, 1.0),
        "server_rss_peak_mib": rss_peaks,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// PostgreSQL's own commit rate here: `conns` connections committing one-row inserts for `secs`.
async fn pg_commit_rate(url: &str, conns: usize, secs: f64) -> anyhow::Result<f64> {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(conns as u32)
        .connect(url)
        .await?;
    sqlx::query("CREATE TABLE IF NOT EXISTS bench_commit_probe (id BIGSERIAL PRIMARY KEY, v BIGINT NOT NULL)").execute(&pool).await?;
    let start = Instant::now();
    let tasks: Vec<_> = (0..conns)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut n = 0u64;
                while start.elapsed().as_secs_f64() < secs {
                    if sqlx::query("INSERT INTO bench_commit_probe (v) VALUES (1)")
                        .execute(&pool)
                        .await
                        .is_ok()
                    {
                        n += 1;
                    }
                }
                n
            })
        })
        .collect();
    let mut total = 0;
    for t in tasks {
        total += t.await?;
    }
    sqlx::query("DROP TABLE bench_commit_probe")
        .execute(&pool)
        .await?;
    Ok(total as f64 / start.elapsed().as_secs_f64())
}

async fn load(
    bases: &[String],
    clients: usize,
    per_client: usize,
    total: usize,
) -> anyhow::Result<(usize, usize, f64, Vec<u64>)> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let mut tokens = Vec::with_capacity(clients);
    for c in 0..clients {
        let base = &bases[c % bases.len()];
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
    let incident = (SystemClock.now() - chrono::Duration::days(2)).to_rfc3339();
    let start = Instant::now();
    let tasks: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(c, token)| {
            let http = http.clone();
            let base = bases[c % bases.len()].clone();
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

/// Starts one `weiquan serve` node and returns it once it listens.
fn start_node(dir: &Path, extra: &[&str]) -> anyhow::Result<std::process::Child> {
    let mut child = std::process::Command::new(std::env::current_exe()?)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--timer-interval",
            "100ms",
            "--data-dir",
        ])
        .arg(dir)
        .args(extra)
        .env("WEIQUAN_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting a server")?;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
    if !line.starts_with("weiquan listening on ") {
        bail!("a node did not start");
    }
    Ok(child)
}

async fn timers(admin: &str, total: usize, nodes: usize) -> anyhow::Result<ExitCode> {
    const DUE_IN: u64 = 15;
    let db = bench_db(admin).await?;
    let tmp = tempfile::tempdir()?;
    let policy_file = tmp.path().join("policy.toml");
    std::fs::write(
        &policy_file,
        format!("[deadlines]\nmerchant_reply = \"{DUE_IN}s\"\n"),
    )?;
    let policy = Policy::from_toml(&std::fs::read_to_string(&policy_file)?)
        .map_err(|e| anyhow::anyhow!(e.en))?;
    let store =
        weiquan_store::postgres::PgStore::open(&db.url, &tmp.path().join("blobs"), policy).await?;
    let clients = 20usize;
    let per = total.div_ceil(clients);
    prepare(&store, clients, per).await?;
    eprintln!("filing {total} complaints");
    let incident = SystemClock.now() - chrono::Duration::days(1);
    let mut filed = 0usize;
    for c in 0..clients {
        let user = store
            .user_by_username(&format!("bench{c:03}"))
            .await?
            .context("bench user")?;
        let jobs: Vec<_> = (0..per.min(total - filed))
            .map(|i| {
                let new = NewComplaint {
                    order_no: OrderNo::parse(&order_no(c, i)).expect("valid"),
                    product: "304不锈钢保温杯 500ml".into(),
                    category: Category::QualityDefect,
                    incident_at: incident,
                    description: "收到的保温杯杯身有裂缝，倒入热水后从底部漏水，已拍照留证。"
                        .into(),
                    claim: Claim {
                        kind: ClaimKind::Refund,
                        amount_cents: Some(Cents::new(5900).expect("valid")),
                    },
                    on_behalf_of: None,
                };
                let (store, actor) = (&store, user.actor());
                async move {
                    store
                        .file_complaint(&actor, new, Channel::Api, SystemClock.now())
                        .await
                }
            })
            .collect();
        for r in futures::future::join_all(jobs).await {
            r?;
            filed += 1;
        }
        if filed == total {
            break;
        }
    }
    let due = Instant::now() + std::time::Duration::from_secs(DUE_IN);
    let p = policy_file.to_str().context("utf-8 path")?.to_owned();
    let args = ["--database-url", db.url.as_str(), "--policy", p.as_str()];
    let mut running: Vec<std::process::Child> = (0..nodes)
        .map(|n| start_node(&tmp.path().join(format!("node{n}")), &args))
        .collect::<anyhow::Result<_>>()?;
    tokio::time::sleep(due.saturating_duration_since(Instant::now())).await;
    let start = Instant::now();
    let mut restarts = 0;
    let pool = store.pool();
    loop {
        let pending: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM timers WHERE kind = 'merchant_reply' AND status = 'pending'",
        )
        .fetch_one(pool)
        .await?;
        if pending == 0 {
            break;
        }
        if start.elapsed().as_secs() > 300 {
            bail!("{pending} deadlines still pending after 300 s");
        }
        // Kill one node (SIGKILL) every 300 ms and bring it back.
        let k = restarts % nodes;
        let _ = running[k].kill();
        let _ = running[k].wait();
        running[k] = start_node(&tmp.path().join(format!("node{k}")), &args)?;
        restarts += 1;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    let elapsed = start.elapsed().as_secs_f64();
    for mut c in running {
        let _ = c.kill();
        let _ = c.wait();
    }
    let fired: Vec<(String, i64)> = sqlx::query_as(
        "SELECT stream, COUNT(*) FROM events WHERE kind = 'merchant_reply_lapsed' GROUP BY stream",
    )
    .fetch_all(pool)
    .await?;
    let twice = fired.iter().filter(|(_, n)| *n > 1).count();
    let audit = weiquan_store::Store::verify(&store).await?;
    let out = json!({
        "complaints": total,
        "nodes": nodes,
        "fired": fired.len(),
        "fired_twice": twice,
        "seconds_from_due_to_all_fired": elapsed,
        "node_restarts": restarts,
        "audit": audit.is_ok(),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(if fired.len() == total && twice == 0 && audit.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A database of the bench's own, dropped afterwards.
async fn bench_db(admin: &str) -> anyhow::Result<weiquan_store::postgres::ScratchDatabase> {
    crate::serve::check_postgres_url(admin)?;
    weiquan_store::postgres::ScratchDatabase::create(admin, "weiquan_bench")
        .await
        .context("creating the bench database")
}
