//! `weiquan bench timers`: deadlines on PostgreSQL with several `weiquan serve` nodes killed and
//! restarted while they fire; each deadline must fire exactly once.

use std::io::BufRead;
use std::path::Path;
use std::process::{ExitCode, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::json;
use weiquan_domain::*;
use weiquan_store::{Clock as _, Store, SystemClock};

use crate::bench::{bench_db, order_no, prepare};

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

pub(crate) async fn timers(admin: &str, total: usize, nodes: usize) -> anyhow::Result<ExitCode> {
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
