//! `weiquan bench intake`: complaints/s over HTTP against a durable store (SQLite, or
//! PostgreSQL with one or more nodes).
//!
//! The server runs as its own process (so its RSS is its own), on a fresh data dir seeded with
//! buyers and orders; `clients` concurrent HTTP clients each file complaints on their own
//! orders. The disk's fsync rate is measured in the same run, before and after the load.
//!
//! A filing's wave is looked for after it commits (the server drains its filings as they
//! come): once the servers stop, what they left queued is drained here, and the result is
//! checked, not just the speed — how many complaints ended up in collective cases.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::json;
use weiquan_domain::*;
use weiquan_store::{Clock as _, Store, SystemClock};

use crate::bench::{PASSWORD, bench_db, fsync_rate, order_no, percentile, prepare, proc_kib};

pub(crate) async fn intake(
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
    // Intake counts once a complaint is in its wave: the servers keep draining after the last
    // answer, and the clock runs until they have assigned every complaint they took (or a
    // minute has passed; what is left then is drained below, after the servers stop).
    let assigned_s = match &result {
        Ok((ok, _, _, _, start)) => {
            let deadline = Instant::now() + std::time::Duration::from_secs(60);
            loop {
                if counter(&bases, "weiquan_collective_assigned_total").await? >= *ok as f64 {
                    break Some(start.elapsed().as_secs_f64());
                }
                if Instant::now() > deadline {
                    break None;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        }
        Err(_) => None,
    };
    let commits = counter(&bases, "weiquan_store_commits_total").await?;
    let writes = counter(&bases, "weiquan_store_writes_total").await?;
    let rss_peaks: Vec<f64> = children
        .iter()
        .filter_map(|c| proc_kib(c.id(), "VmHWM:"))
        .map(|k| k as f64 / 1024.0)
        .collect();
    for mut c in children {
        let _ = c.kill();
        let _ = c.wait();
    }
    let (ok, errors, elapsed, mut lat, _) = result?;
    let waves = waves(&dir, bench_db.as_ref().map(|db| db.url.as_str())).await?;
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
        "assigned_after_s": assigned_s,
        "complaints_assigned_per_s": assigned_s.map(|s| ok as f64 / s),
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
        "collective": waves,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// After the load (servers stopped): the complaints still awaiting their wave, drained here, and
/// how many complaints ended up in how many collective cases.
async fn waves(dir: &std::path::Path, pg: Option<&str>) -> anyhow::Result<serde_json::Value> {
    let store: Box<dyn Store> = match pg {
        Some(url) => Box::new(
            weiquan_store::postgres::PgStore::open(url, &dir.join("blobs"), Policy::default())
                .await?,
        ),
        None => Box::new(weiquan_store::sqlite::SqliteStore::open(dir, Policy::default()).await?),
    };
    let queued = store.collective_queued().await?;
    let start = Instant::now();
    while store.assign_collective(SystemClock.now()).await? > 0 {}
    let drain_s = start.elapsed().as_secs_f64();
    // Read as platform staff (every case).
    let staff = Actor {
        id: UserId(0),
        role: Role::Regulator,
        scopes: vec![],
    };
    let (mut cases, mut members) = (0usize, 0usize);
    let mut before = None;
    loop {
        let page = store.cases(&staff, None, before, 200).await?;
        for c in page.items.iter().filter(|c| c.kind == CaseKind::Collective) {
            cases += 1;
            members += c.members.len();
        }
        match page.next_cursor {
            Some(cursor) => before = Some(cursor.parse()?),
            None => break,
        }
    }
    Ok(json!({
        "queued_when_servers_stopped": queued,
        "drained_after_s": drain_s,
        "cases": cases,
        "complaints_in_cases": members,
        "still_queued": store.collective_queued().await?,
    }))
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
) -> anyhow::Result<(usize, usize, f64, Vec<u64>, Instant)> {
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
    Ok((all.len(), errors, elapsed, all, start))
}

/// A counter of `/metrics`, summed over the nodes.
async fn counter(bases: &[String], name: &str) -> anyhow::Result<f64> {
    let mut sum = 0.0;
    for base in bases {
        let metrics = reqwest::get(format!("{base}/metrics"))
            .await?
            .text()
            .await?;
        sum += metrics
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
            .unwrap_or(0.0);
    }
    Ok(sum)
}
