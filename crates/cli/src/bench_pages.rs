//! `weiquan bench pages`: every role's main pages on the demo marketplace, rendered by the real
//! router in-process (no network), so the time measured is the server's: session lookup, store
//! reads, template rendering (and the charts). Reports p50/p99 per page and each page's weight
//! (its HTML plus the stylesheet and script it loads; images excluded).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;
use weiquan_domain::*;
use weiquan_store::{Clock as _, ComplaintFilter, Store, SystemClock};

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Renders of each page.
    #[arg(long, default_value_t = 50)]
    pub iterations: usize,
    /// Run on PostgreSQL (a fresh database is created on this server and dropped afterwards).
    #[arg(long)]
    pub postgres: Option<String>,
    /// Print the results as JSON too.
    #[arg(long)]
    pub json: bool,
}

/// Targets (the issue's): server time and weight of each page.
const TARGET_MS: f64 = 50.0;
const TARGET_KB: f64 = 200.0;

pub async fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile::tempdir()?;
    let mut scratch = None;
    let store: Arc<dyn Store> = match &args.postgres {
        Some(admin) => {
            let db = weiquan_store::postgres::ScratchDatabase::create(admin, "weiquan_bench_pages")
                .await
                .context("creating a scratch database")?;
            let s = weiquan_store::postgres::PgStore::open(
                &db.url,
                &dir.path().join("blobs"),
                Policy::default(),
            )
            .await?;
            scratch = Some(db);
            Arc::new(s)
        }
        None => {
            Arc::new(weiquan_store::sqlite::SqliteStore::open(dir.path(), Policy::default()).await?)
        }
    };
    eprintln!("seeding the demo marketplace…");
    crate::seed::seed_demo(store.as_ref(), &SystemClock, dir.path()).await?;
    let app = weiquan_server::app(weiquan_server::AppState::new(store.clone()));

    // One session per role, made directly (the bench measures pages, not password hashing).
    let staff = |name: &str| {
        let store = store.clone();
        let name = name.to_owned();
        async move {
            store
                .user_by_username(&name)
                .await?
                .with_context(|| format!("demo user {name} missing"))
        }
    };
    let agent = staff("agent01").await?;
    let all = store
        .complaints(
            &agent.actor(),
            ComplaintFilter {
                limit: 1,
                ..Default::default()
            },
        )
        .await?;
    let Some(k) = all.items.first() else {
        bail!("the demo has no complaints");
    };
    let order = store
        .orders(&Actor::new(k.consumer_id, Role::Consumer), None, 1)
        .await?
        .items
        .into_iter()
        .next()
        .context("the consumer has no orders")?;
    let mut sessions = vec![];
    for (who, id) in [
        ("consumer", k.consumer_id),
        ("merchant", k.merchant_id),
        ("cs_agent", agent.id),
        ("protection", staff("guard01").await?.id),
        ("regulator", staff("regulator01").await?.id),
        ("admin", staff("admin").await?.id),
    ] {
        let token = format!("bench-{who}-{}", rand::random::<u64>());
        store
            .create_session(
                id,
                &weiquan_server::auth::token_hash(&token),
                SystemClock.now(),
                SystemClock.now() + chrono::Duration::hours(1),
            )
            .await?;
        sessions.push((who, token));
    }
    let token = |who: &str| {
        sessions
            .iter()
            .find(|(w, _)| *w == who)
            .map(|(_, t)| t.clone())
            .expect("a session per role")
    };
    let id = k.id;
    let pages: Vec<(&str, String)> = vec![
        ("consumer", "/orders".into()),
        ("consumer", "/complaints".into()),
        ("consumer", format!("/complaints/{id}")),
        ("consumer", format!("/orders/{}/complain", order.order_no)),
        ("merchant", "/complaints".into()),
        ("merchant", format!("/complaints/{id}")),
        ("merchant", "/shops".into()),
        ("cs_agent", "/complaints".into()),
        ("cs_agent", "/complaints?tier=all".into()),
        ("cs_agent", format!("/complaints/{id}")),
        ("protection", "/complaints?tier=all&major=1".into()),
        ("regulator", "/dashboard".into()),
        ("regulator", "/cases".into()),
        ("admin", "/admin/users".into()),
        ("admin", "/admin/policy".into()),
    ];

    let get = |path: &str, token: Option<&str>| {
        let mut r = Request::get(path);
        if let Some(t) = token {
            r = r.header(header::COOKIE, format!("wq_session={t}"));
        }
        r.body(Body::empty()).expect("a request")
    };
    let mut assets = 0usize;
    for path in ["/static/app.css", "/static/app.js"] {
        let res = app.clone().oneshot(get(path, None)).await?;
        assets += axum::body::to_bytes(res.into_body(), usize::MAX)
            .await?
            .len();
    }

    println!(
        "{:<11} {:<38} {:>8} {:>8} {:>9}",
        "role", "page", "p50 ms", "p99 ms", "KB"
    );
    let mut rows = vec![];
    let mut ok = true;
    for (who, path) in &pages {
        let t = token(who);
        let mut times = Vec::with_capacity(args.iterations);
        let mut bytes = 0;
        for i in 0..args.iterations + 3 {
            let start = Instant::now();
            let res = app.clone().oneshot(get(path, Some(&t))).await?;
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), usize::MAX).await?;
            let took = start.elapsed().as_micros() as u64;
            if status != StatusCode::OK {
                bail!("{who} {path}: {status}: {}", String::from_utf8_lossy(&body));
            }
            bytes = body.len();
            if i >= 3 {
                times.push(took); // the first renders warm caches
            }
        }
        times.sort_unstable();
        let p50 = percentile(&times, 0.5);
        let p99 = percentile(&times, 0.99);
        let kb = (bytes + assets) as f64 / 1024.0;
        ok &= p99 <= TARGET_MS && kb <= TARGET_KB;
        println!("{who:<11} {path:<38} {p50:>8.2} {p99:>8.2} {kb:>9.1}");
        rows.push(serde_json::json!({
            "role": who, "page": path, "p50_ms": p50, "p99_ms": p99,
            "html_bytes": bytes, "weight_kb": kb,
        }));
    }
    println!(
        "targets: ≤ {TARGET_MS} ms server time (p99), ≤ {TARGET_KB} KB per page (HTML + CSS + JS = {:.1} KB of assets)",
        assets as f64 / 1024.0
    );
    if args.json {
        println!("{}", serde_json::json!({"pages": rows}));
    }
    drop(app);
    drop(store);
    drop(scratch); // drops the scratch database
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        eprintln!("a page missed a target");
        ExitCode::FAILURE
    })
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx] as f64 / 1000.0
}
