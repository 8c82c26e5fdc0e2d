//! `weiquan bench webhooks`: the dispatcher's throughput to a local receiver, and a webhook's
//! delay from its event's commit to the receiver.
//!
//! One store (SQLite by default, or a fresh PostgreSQL database), one endpoint subscribed to
//! `complaint.filed`, a receiver on 127.0.0.1 that answers 204 at once. Two phases:
//! *backlog* — complaints filed with no dispatcher running, then the dispatcher started and
//! timed until every message has arrived (deliveries/s); *paced* — complaints filed at a steady
//! rate while the dispatcher runs, each one's delay from the filing's commit (its answer) to
//! the receiver (p50, p99).

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::bail;
use weiquan_domain::delivery::WebhookEvent;
use weiquan_domain::*;
use weiquan_server::AppState;
use weiquan_server::outbox::{Keyring, keys};
use weiquan_store::webhooks::EndpointInput;
use weiquan_store::{Clock as _, NewUser, Store, SystemClock};

use crate::bench::{bench_db, order_no, percentile, prepare};

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Messages delivered from a backlog.
    #[arg(long, default_value_t = 20_000)]
    backlog: usize,
    /// Messages written at a steady rate while the dispatcher runs.
    #[arg(long, default_value_t = 10_000)]
    paced: usize,
    /// Events per second in the paced phase.
    #[arg(long, default_value_t = 1000)]
    rate: u32,
    /// How often the dispatcher looks for due messages.
    #[arg(long, default_value = "50ms", value_parser = crate::serve::parse_duration)]
    interval: Duration,
    /// Run against PostgreSQL: a server's URL (a fresh database is created and dropped).
    #[arg(long)]
    postgres: Option<String>,
}

/// When each complaint's webhook arrived.
type Arrivals = Arc<Mutex<HashMap<i64, Instant>>>;

async fn receiver(arrivals: Arrivals) -> anyhow::Result<String> {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let arrivals = arrivals.clone();
            async move {
                let now = Instant::now();
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&body)
                    && let Some(id) = v["data"]["complaint_id"].as_i64()
                {
                    arrivals.lock().unwrap().entry(id).or_insert(now);
                }
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}

/// Files complaint `i` (buyer `i % clients`, that buyer's next order); returns its id.
async fn file(
    store: &dyn Store,
    actors: &[Actor],
    clients: usize,
    i: usize,
) -> anyhow::Result<i64> {
    let now = SystemClock.now();
    let new = NewComplaint {
        order_no: OrderNo::parse(&order_no(i % clients, i / clients)).expect("valid"),
        product: "304不锈钢保温杯 500ml".into(),
        category: Category::QualityDefect,
        incident_at: now - chrono::Duration::days(1),
        description: "杯身有裂缝，倒入热水后漏水。".into(),
        claim: Claim {
            kind: ClaimKind::Refund,
            amount_cents: Some(Cents::new(5900).expect("valid")),
        },
        on_behalf_of: None,
    };
    Ok(store
        .file_complaint(&actors[i % clients], new, Channel::Api, now)
        .await?
        .id
        .0)
}

pub async fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    const CLIENTS: usize = 64;
    let total = args.backlog + args.paced;
    if total == 0 || args.rate == 0 {
        bail!("--backlog/--paced and --rate must be positive");
    }
    let tmp = tempfile::tempdir()?;
    let db = match &args.postgres {
        Some(admin) => Some(bench_db(admin).await?),
        None => None,
    };
    let store: Arc<dyn Store> = match &db {
        Some(db) => Arc::new(
            weiquan_store::postgres::PgStore::open(
                &db.url,
                &tmp.path().join("blobs"),
                Policy::default(),
            )
            .await?,
        ),
        None => {
            Arc::new(weiquan_store::sqlite::SqliteStore::open(tmp.path(), Policy::default()).await?)
        }
    };
    eprintln!("preparing {total} orders");
    prepare(store.as_ref(), CLIENTS, total.div_ceil(CLIENTS)).await?;
    let mut actors = Vec::with_capacity(CLIENTS);
    for c in 0..CLIENTS {
        let u = store
            .user_by_username(&format!("bench{c:03}"))
            .await?
            .expect("seeded");
        actors.push(u.actor());
    }
    let admin = store
        .create_user(
            NewUser {
                username: Username::parse("benchadmin").expect("valid"),
                role: Role::Admin,
                display_name: "压测管理员".into(),
                password_hash: None,
            },
            SystemClock.now(),
        )
        .await?
        .actor();
    let arrivals: Arrivals = Arc::default();
    let url = receiver(arrivals.clone()).await?;
    let keyring = Keyring::ephemeral();
    let input = EndpointInput {
        url,
        description: "bench".into(),
        event_types: vec![WebhookEvent::ComplaintFiled],
        enabled: true,
    };
    store
        .create_webhook_endpoint(
            &admin,
            input,
            keyring.seal(&keys::new_secret()),
            SystemClock.now(),
        )
        .await?;
    let state = AppState::new(store.clone()).with_webhook_key(keyring);

    // Backlog: written first, then delivered as fast as the dispatcher goes.
    eprintln!("backlog: filing {} complaints", args.backlog);
    let actors = Arc::new(actors);
    let mut tasks = vec![];
    for w in 0..CLIENTS {
        let (store, actors) = (store.clone(), actors.clone());
        let n = args.backlog;
        tasks.push(tokio::spawn(async move {
            let mut i = w;
            while i < n {
                file(store.as_ref(), &actors, CLIENTS, i).await?;
                i += CLIENTS;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let started = Instant::now();
    let dispatcher = tokio::spawn(weiquan_server::outbox::run(state.clone(), args.interval));
    while arrivals.lock().unwrap().len() < args.backlog {
        if started.elapsed() > Duration::from_secs(600) {
            bail!("the backlog was not delivered within 10 minutes");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let secs = started.elapsed().as_secs_f64();
    let throughput = args.backlog as f64 / secs;

    // Paced: a steady rate of events; each one's delay from its commit to its arrival.
    eprintln!("paced: {} complaints at {}/s", args.paced, args.rate);
    let committed: Arc<Mutex<HashMap<i64, Instant>>> = Arc::default();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(args.rate)));
    let mut tasks = vec![];
    for i in args.backlog..total {
        tick.tick().await;
        let (store, actors, committed) = (store.clone(), actors.clone(), committed.clone());
        tasks.push(tokio::spawn(async move {
            let id = file(store.as_ref(), &actors, CLIENTS, i).await?;
            committed.lock().unwrap().insert(id, Instant::now());
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let waiting = Instant::now();
    while arrivals.lock().unwrap().len() < total {
        if waiting.elapsed() > Duration::from_secs(120) {
            bail!("paced messages were not all delivered within 2 minutes");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    dispatcher.abort();
    let arrivals = arrivals.lock().unwrap();
    let mut delays: Vec<u64> = committed
        .lock()
        .unwrap()
        .iter()
        .map(|(id, at)| arrivals[id].saturating_duration_since(*at).as_micros() as u64)
        .collect();
    delays.sort_unstable();
    let backend = if db.is_some() { "postgres" } else { "sqlite" };
    println!(
        "webhooks ({backend}): backlog {} delivered in {secs:.2}s = {throughput:.0} deliveries/s",
        args.backlog
    );
    println!(
        "webhooks ({backend}): paced {} at {}/s, commit→receipt delay p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        args.paced,
        args.rate,
        percentile(&delays, 0.50),
        percentile(&delays, 0.99),
        percentile(&delays, 1.0),
    );
    drop(db);
    Ok(ExitCode::SUCCESS)
}
