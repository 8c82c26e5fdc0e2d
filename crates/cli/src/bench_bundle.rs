//! `weiquan bench audit-export`: the authorities' bundle of one shop with many complaints and a
//! large amount of evidence (generated once into a data dir), on SQLite: the export's time and
//! rate and the process's peak memory while it runs (the peak is reset after seeding, so the
//! seeding's buffers do not count), then the same for verifying the file.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use futures::StreamExt;
use weiquan_domain::bundle::BundleScope;
use weiquan_domain::records::{Commitments, OrderItem, OrderRecord, ShopRecord};
use weiquan_domain::*;
use weiquan_store::bundle::PlatformKey;
use weiquan_store::sqlite::SqliteStore;
use weiquan_store::{Clock as _, NewEvidence, NewUser, Store, SystemClock};

use crate::bench::proc_kib;

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Complaints about the exported shop.
    #[arg(long, default_value_t = 10_000)]
    complaints: usize,
    /// Evidence in all, in MiB, as files of `--file-mib` each spread over the complaints.
    #[arg(long, default_value_t = 1024)]
    evidence_mib: usize,
    #[arg(long, default_value_t = 4)]
    file_mib: usize,
    /// Data dir, kept: seeded on the first run, exported again on later ones (a fresh
    /// temporary one when absent).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

const SHOP: &str = "bench-export";
const BUYERS: usize = 100;

pub async fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let tmp = tempfile::tempdir()?;
    let dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| tmp.path().to_owned());
    let store = SqliteStore::open(&dir, Policy::default()).await?;
    let shop = ShopId::parse(SHOP).expect("valid");
    if store.shop(&shop, SystemClock.now()).await?.is_none() {
        let started = Instant::now();
        seed(&store, &args).await?;
        eprintln!("seeded in {:.1} s", started.elapsed().as_secs_f64());
    } else {
        eprintln!("{} already seeded: exporting again", dir.display());
    }
    let regulator = store
        .user_by_username("benchregulator")
        .await?
        .context("the seeded regulator")?
        .actor();
    let key = PlatformKey::ephemeral();
    let path = dir.join("bundle.tar");

    reset_peak();
    let started = Instant::now();
    let ticket = store
        .begin_export(&regulator, BundleScope::Shop(shop), SystemClock.now())
        .await?;
    let file = tokio::fs::File::create(&path).await?;
    let mut out = tokio::io::BufWriter::with_capacity(256 * 1024, file);
    let summary = store.write_bundle(&ticket, &key, &mut out).await?;
    out.into_inner().sync_all().await?;
    let export_s = started.elapsed().as_secs_f64();
    let export_peak = peak_mib();
    let mib = summary.bytes as f64 / (1024.0 * 1024.0);
    println!(
        "export: {} records, {} chains, {} events, {} evidence files; {:.0} MiB archive in {:.1} s ({:.0} MiB/s); peak RSS {:.0} MiB",
        summary.records,
        summary.chains,
        summary.events,
        summary.evidence,
        mib,
        export_s,
        mib / export_s,
        export_peak
    );

    reset_peak();
    let started = Instant::now();
    let reader = std::io::BufReader::with_capacity(256 * 1024, std::fs::File::open(&path)?);
    let checked =
        tokio::task::spawn_blocking(move || weiquan_store::bundle::verify(reader, None)).await?;
    let verify_s = started.elapsed().as_secs_f64();
    match checked {
        Ok(v) => println!(
            "verify-bundle: {} chains, {} events, {} evidence files intact in {:.1} s ({:.0} MiB/s); peak RSS {:.0} MiB",
            v.chains,
            v.events,
            v.evidence,
            verify_s,
            mib / verify_s,
            peak_mib()
        ),
        Err(b) => bail!("the bundle did not verify: {b}"),
    }
    std::fs::remove_file(&path)?;
    Ok(ExitCode::SUCCESS)
}

/// Forgets the process's peak resident set so far (Linux: `clear_refs` 5).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn peak_mib() -> f64 {
    proc_kib(std::process::id(), "VmHWM:").unwrap_or(0) as f64 / 1024.0
}

async fn seed(store: &SqliteStore, args: &BenchArgs) -> anyhow::Result<()> {
    let now = SystemClock.now();
    let mut users: Vec<NewUser> = (0..BUYERS)
        .map(|b| NewUser {
            username: Username::parse(&format!("exportbuyer{b:03}")).expect("valid"),
            role: Role::Consumer,
            display_name: format!("买家{b}"),
            password_hash: None,
        })
        .collect();
    for (name, role) in [
        ("exportseller", Role::Merchant),
        ("benchregulator", Role::Regulator),
    ] {
        users.push(NewUser {
            username: Username::parse(name).expect("valid"),
            role,
            display_name: name.into(),
            password_hash: None,
        });
    }
    store.ensure_users(users, now).await?;
    store
        .import_shops(
            vec![ShopRecord {
                id: ShopId::parse(SHOP).expect("valid"),
                name: "导出压测店铺".into(),
                merchant: Username::parse("exportseller").expect("valid"),
                commitments: Commitments {
                    seven_day_return: true,
                    authentic_guarantee: true,
                    ship_within_hours: Some(48),
                },
            }],
            now,
        )
        .await?;
    let paid = now - chrono::Duration::days(10);
    let orders: Vec<OrderRecord> = (0..args.complaints)
        .map(|i| OrderRecord {
            order_no: OrderNo::parse(&format!("2026{i:014}")).expect("valid"),
            buyer: Username::parse(&format!("exportbuyer{:03}", i % BUYERS)).expect("valid"),
            shop_id: ShopId::parse(SHOP).expect("valid"),
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
        })
        .collect();
    for chunk in orders.chunks(5000) {
        store.import_orders(chunk.to_vec(), now).await?;
    }
    let mut buyers = Vec::with_capacity(BUYERS);
    for b in 0..BUYERS {
        let name = format!("exportbuyer{b:03}");
        let user = store
            .user_by_username(&name)
            .await?
            .context("a seeded buyer")?;
        buyers.push(user.actor());
    }
    let filed: Vec<ComplaintId> = futures::stream::iter(0..args.complaints)
        .map(|i| {
            let who = buyers[i % BUYERS].clone();
            async move {
                let new = NewComplaint {
                    order_no: OrderNo::parse(&format!("2026{i:014}")).expect("valid"),
                    product: "保温杯".into(),
                    category: Category::QualityDefect,
                    incident_at: now - chrono::Duration::days(2),
                    description: format!("第{i}号订单的保温杯漏水，已拍照留证。"),
                    claim: Claim {
                        kind: ClaimKind::Refund,
                        amount_cents: Some(Cents::new(5900).expect("valid")),
                    },
                    on_behalf_of: None,
                };
                store
                    .file_complaint(&who, new, Channel::Web, now)
                    .await
                    .map(|c| c.id)
            }
        })
        .buffered(64)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    let files = (args.evidence_mib / args.file_mib.max(1)).max(1);
    let size = args.file_mib * 1024 * 1024;
    for k in 0..files {
        let i = k * filed.len() / files;
        let bytes = pseudo_random(k as u64, size);
        let sha = store.blobs().put(bytes).await?;
        let ev = NewEvidence {
            sha256: sha,
            size: size as i64,
            content_type: "video/mp4".into(),
            kind: EvidenceKind::Video,
            filename: Some(format!("unboxing-{k}.mp4")),
        };
        store
            .add_evidence(&buyers[i % BUYERS], filed[i], ev, now)
            .await?;
    }
    Ok(())
}

/// Bytes no two files share (xorshift64), so each is stored once.
fn pseudo_random(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}
