//! `weiquan serve` and `weiquan migrate`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use weiquan_domain::Policy;
use weiquan_server::AppState;
use weiquan_store::blob::{BlobStore, DEFAULT_MAX_BLOB};
use weiquan_store::postgres::PgStore;
use weiquan_store::sqlite::SqliteStore;
use weiquan_store::{Clock, FileClock, Store, SystemClock};

use crate::StoreArgs;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub platform_key: crate::audit::KeyArgs,
    /// Address to listen on; port 0 picks a free port (printed on start).
    #[arg(long, default_value = "127.0.0.1:8080", env = "WEIQUAN_LISTEN")]
    pub listen: SocketAddr,
    /// Seed a demo marketplace (once; later starts leave it as it is) and print its accounts.
    #[arg(long)]
    pub demo: bool,
    /// How often the deadline loop looks for due timers, e.g. "1s" or "200ms".
    #[arg(long, default_value = "1s", value_parser = humantime_duration)]
    pub timer_interval: Duration,
    /// For drills and tests: read the time from FILE (one RFC 3339 time, e.g.
    /// 2026-05-01T09:00:00Z) instead of the system clock, again whenever it is asked; write a
    /// later time into the file to make deadlines fall due. See docs/time.md.
    #[arg(long, value_name = "FILE")]
    pub clock: Option<PathBuf>,
    /// Browsers reach the site over HTTPS (weiquan behind a TLS-terminating proxy): cookies are
    /// then always Secure and named `__Host-…` (README, "Behind HTTPS").
    #[arg(long, env = "WEIQUAN_HTTPS")]
    pub https: bool,
    /// Makes /metrics private: it answers only `Authorization: Bearer TOKEN` (401 otherwise).
    /// Without it, /metrics is open to whoever reaches the listener.
    #[arg(long, env = "WEIQUAN_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
}

fn humantime_duration(s: &str) -> Result<Duration, String> {
    parse_duration(s)
}

/// Parses "200ms", "1s", "2m".
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num.parse().map_err(|_| format!("invalid duration {s:?}"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" | "" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        _ => Err(format!("invalid duration {s:?}; use ms, s or m")),
    }
}

pub fn load_policy(path: Option<&std::path::Path>) -> anyhow::Result<Policy> {
    match path {
        None => Ok(Policy::default()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read policy file {}", p.display()))?;
            // Holiday files are named relative to the policy file.
            let dir = p.parent().unwrap_or(std::path::Path::new("."));
            Policy::from_toml_with(&text, |file| {
                std::fs::read_to_string(dir.join(file)).map_err(|e| e.to_string())
            })
            .map_err(|e| anyhow::anyhow!("{}: {} / {}", p.display(), e.zh, e.en))
        }
    }
}

/// Opens the store the flags name.
pub async fn open_store(args: &StoreArgs) -> anyhow::Result<Arc<dyn Store>> {
    let policy = load_policy(args.policy.as_deref())?;
    if let Some(url) = &args.database_url {
        check_postgres_url(url)?;
        // Blobs stay under the data dir (object storage is a later change).
        let blob_dir = args.data_dir.join("blobs");
        let store = PgStore::open_pooled(
            url,
            &blob_dir,
            policy,
            DEFAULT_MAX_BLOB,
            args.database_connections,
        )
        .await
        .with_context(|| format!("cannot open the PostgreSQL store at {}", redact(url)))?;
        return Ok(match blobs(args)? {
            Some(b) => Arc::new(store.with_blobs(b)),
            None => Arc::new(store),
        });
    }
    let store = SqliteStore::open(&args.data_dir, policy)
        .await
        .with_context(|| format!("cannot open the store in {}", args.data_dir.display()))?;
    Ok(match blobs(args)? {
        Some(b) => Arc::new(store.with_blobs(b)),
        None => Arc::new(store),
    })
}

/// The blob store `--blob-url` names, if any.
fn blobs(args: &StoreArgs) -> anyhow::Result<Option<BlobStore>> {
    match &args.blob_url {
        None => Ok(None),
        Some(url) if url.starts_with("s3://") => {
            Ok(Some(BlobStore::open_s3(url, DEFAULT_MAX_BLOB)?))
        }
        Some(url) => bail!("--blob-url 只支持 s3://… / --blob-url takes an s3:// URL, got {url:?}"),
    }
}

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let clock: Arc<dyn Clock> = match &args.clock {
        Some(path) => Arc::new(FileClock::open(path).map_err(anyhow::Error::msg)?),
        None => Arc::new(SystemClock),
    };
    // The sentence model the collective waves read meaning with: fetched into the cache on a
    // first start (its hash checked); without it the server does not start. Loading it (and
    // deriving its tables the first time) happens beside the listening server, as 小蜜's
    // training does: a node that restarts is back at once.
    tokio::task::spawn_blocking(weiquan_embed::ensure_model).await??;
    // 小蜜's models read the sentence model: train them now (~1 s), so that a model that cannot
    // be loaded stops the server with its fix named, and no consumer's turn waits for training.
    tokio::task::spawn_blocking(weiquan_assistant::try_models).await??;
    tokio::task::spawn_blocking(|| {
        if let Err(e) = weiquan_detect::collective::ensure_meaning() {
            tracing::error!("{e}");
        }
    });
    let store = open_store(&args.store).await?;
    if args.demo {
        crate::seed::seed_demo(store.as_ref(), clock.as_ref(), &args.store.data_dir).await?;
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    // Scripts (the benchmarks, the tests) read this line to learn the port.
    println!("weiquan listening on http://{addr}");
    // Webhook secrets are sealed with a key kept beside the data (or in WEIQUAN_WEBHOOK_KEY,
    // which nodes sharing a PostgreSQL database must all have).
    let keys = weiquan_server::outbox::Keyring::load(&args.store.data_dir)
        .context("cannot read or make the webhook key (webhook.key in --data-dir)")?;
    // Bundles for the authorities are signed with the platform key (docs/audit.md).
    let platform_key = args.platform_key.load(&args.store.data_dir)?;
    let mut state = AppState::new(store)
        .with_clock(clock)
        .with_webhook_key(keys)
        .with_platform_key(platform_key)
        .with_metrics_token(args.metrics_token.clone());
    state.https = args.https;
    tokio::select! {
        r = weiquan_server::serve(state, listener, Some(args.timer_interval)) => r?,
        _ = tokio::signal::ctrl_c() => eprintln!("shutting down"),
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn migrate(args: &StoreArgs) -> anyhow::Result<ExitCode> {
    match &args.database_url {
        Some(url) => {
            check_postgres_url(url)?;
            PgStore::migrate(url).await?;
            println!("migrations applied to {}", redact(url));
        }
        None => {
            SqliteStore::migrate(&args.data_dir).await?;
            println!("migrations applied in {}", args.data_dir.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn check_postgres_url(url: &str) -> anyhow::Result<()> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        bail!(
            "--database-url 只支持 PostgreSQL（postgres://…）；SQLite 放在 --data-dir 中 / --database-url takes a postgres:// URL; SQLite lives in --data-dir"
        );
    }
    Ok(())
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].find(':') {
            Some(c) => format!("{}:***{}", &url[..s + 3 + c], &url[at..]),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}
