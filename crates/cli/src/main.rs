//! The `weiquan` binary: one command, several subcommands.

mod audit;
mod bench;
mod demo;
mod import;
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
    /// A database URL; SQLite inside the data dir when absent. (PostgreSQL arrives with its own issue.)
    #[arg(long, env = "WEIQUAN_DATABASE_URL")]
    pub database_url: Option<String>,
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
    /// Check the integrity of the records.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Benchmarks that measure the targets in BENCHMARKS.md.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WEIQUAN_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let result = rt.block_on(async move {
        match cli.command {
            Command::Serve(a) => serve::run(a).await,
            Command::Migrate { store } => serve::migrate(&store).await,
            Command::Import(a) => import::run(a).await,
            Command::Audit { command } => audit::run(command).await,
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
