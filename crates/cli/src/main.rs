//! The `weiquan` binary: one command, several subcommands.

mod assistant_cmd;
mod audit;
mod bench;
mod bench_bundle;
mod bench_calendar;
mod bench_chat;
mod bench_collective;
mod bench_embed;
mod bench_intake;
mod bench_pages;
mod bench_scorecard;
mod bench_timers;
mod bench_webhooks;
mod collective_cmd;
mod demo;
mod detect_cmd;
mod dialogue_eval;
mod export;
mod import;
mod model_cmd;
mod seed;
mod serve;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "weiquan",
    version,
    about = "维权 — complaint and dispute resolution for an online marketplace"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the data lives: a data dir (blobs, and the SQLite file unless a URL names another database).
#[derive(clap::Args, Clone, Debug)]
pub struct StoreArgs {
    /// Directory for the SQLite database and evidence files.
    #[arg(long, default_value = "./weiquan-data", env = "WEIQUAN_DATA_DIR")]
    pub data_dir: PathBuf,
    /// A PostgreSQL URL (postgres://…); SQLite inside the data dir when absent.
    #[arg(long, env = "WEIQUAN_DATABASE_URL")]
    pub database_url: Option<String>,
    /// PostgreSQL connections this process may hold; all nodes together must stay under the
    /// server's `max_connections`.
    #[arg(long, env = "WEIQUAN_DATABASE_CONNECTIONS", default_value_t = weiquan_store::postgres::DEFAULT_CONNECTIONS,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub database_connections: u32,
    /// Evidence in an S3-compatible bucket (`s3://BUCKET[/PREFIX]`, credentials and endpoint from
    /// `AWS_*`) instead of `DATA_DIR/blobs`; nodes sharing PostgreSQL should share this too.
    #[arg(long, env = "WEIQUAN_BLOB_URL")]
    pub blob_url: Option<String>,
    /// Policy file (TOML, DESIGN §4); the defaults when absent.
    #[arg(long, env = "WEIQUAN_POLICY")]
    pub policy: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web API (and the deadline loop).
    Serve(serve::ServeArgs),
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Import mirrored marketplace data from JSON lines.
    Import(import::ImportArgs),
    /// Copy a SQLite data dir into an empty PostgreSQL database, then verify the copy.
    Export(export::ExportArgs),
    /// Check the integrity of the records.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// 客服小蜜's language understanding, offline.
    Assistant {
        #[command(subcommand)]
        command: assistant_cmd::AssistantCommand,
    },
    /// Detection over marketplace data (brushing rings, collective complaints).
    Detect {
        #[command(subcommand)]
        command: detect_cmd::DetectCommand,
    },
    /// The sentence model: fetch it, install it offline, show where it is.
    Model {
        #[command(subcommand)]
        command: model_cmd::ModelCommand,
    },
    /// Benchmarks that measure the targets in BENCHMARKS.md.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // A report's in-process servers (one per dialogue) log only what went wrong; a server says
    // what it does.
    let quiet = matches!(
        &cli.command,
        Command::Assistant {
            command: assistant_cmd::AssistantCommand::DialogueEval { .. }
        }
    );
    let default = if quiet {
        "warn"
    } else {
        "info,sqlx=warn,tower_http=warn"
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WEIQUAN_LOG")
                .unwrap_or_else(|_| default.into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let result = rt.block_on(async move {
        match cli.command {
            Command::Serve(a) => serve::run(a).await,
            Command::Migrate { store } => serve::migrate(&store).await,
            Command::Import(a) => import::run(a).await,
            Command::Export(a) => export::run(a).await,
            Command::Audit { command } => audit::run(command).await,
            Command::Assistant { command } => assistant_cmd::run(command).await,
            Command::Detect { command } => detect_cmd::run(command).await,
            Command::Model { command } => model_cmd::run(command).await,
            Command::Bench { command } => bench::run(command).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误 / error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
