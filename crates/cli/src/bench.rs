//! `weiquan bench`: the benchmarks' command line, and what they share (a seeded store, the
//! disk's fsync rate, a process's memory, percentiles). One file per benchmark: `bench_intake`,
//! `bench_timers`, `bench_pages`, `bench_chat`, `bench_collective`, `bench_embed`, `bench_calendar`, `bench_scorecard`; brushing and classify live
//! with their commands.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
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
    /// The outbox dispatcher: deliveries/s to a local webhook receiver, and the delay from an
    /// event's commit to its receipt (see `bench_webhooks`).
    Webhooks(crate::bench_webhooks::BenchArgs),
    /// Sentence embeddings: the full and the static encoder's sentences/s on one core, memory,
    /// and what the static one keeps (see `bench_embed`).
    Embed(crate::bench_embed::BenchArgs),
    /// The authorities' bundle of one shop with many complaints and much evidence: export time,
    /// rate and peak memory, and the same for verifying it (see `bench_bundle`).
    AuditExport(crate::bench_bundle::BenchArgs),
    /// Business-time deadlines on the China calendar: computations/s on one core (see
    /// `bench_calendar`).
    Calendar(crate::bench_calendar::BenchArgs),
    /// The public scorecard of a shop with 100,000 orders and thousands of complaints: the
    /// API's and the page's p50/p99 (see `bench_scorecard`).
    Scorecard(crate::bench_scorecard::BenchArgs),
}

pub async fn run(cmd: BenchCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BenchCommand::Intake {
            clients,
            complaints,
            data_dir,
            postgres,
            nodes,
        } => crate::bench_intake::intake(clients, complaints, data_dir, postgres, nodes).await,
        BenchCommand::Timers {
            postgres,
            complaints,
            nodes,
        } => crate::bench_timers::timers(&postgres, complaints, nodes).await,
        BenchCommand::Brushing(args) => crate::detect_cmd::bench(args).await,
        BenchCommand::Collective(args) => crate::bench_collective::run(args),
        BenchCommand::Classify(args) => crate::assistant_cmd::bench(args).await,
        BenchCommand::Pages(args) => crate::bench_pages::run(args).await,
        BenchCommand::Chat(args) => crate::bench_chat::run(args).await,
        BenchCommand::Webhooks(args) => crate::bench_webhooks::run(args).await,
        BenchCommand::Embed(args) => crate::bench_embed::run(args).await,
        BenchCommand::Calendar(args) => crate::bench_calendar::run(args).await,
        BenchCommand::AuditExport(args) => crate::bench_bundle::run(args).await,
        BenchCommand::Scorecard(args) => crate::bench_scorecard::run(args).await,
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

/// A database of the bench's own, dropped afterwards.
pub(crate) async fn bench_db(
    admin: &str,
) -> anyhow::Result<weiquan_store::postgres::ScratchDatabase> {
    crate::serve::check_postgres_url(admin)?;
    weiquan_store::postgres::ScratchDatabase::create(admin, "weiquan_bench")
        .await
        .context("creating the bench database")
}
