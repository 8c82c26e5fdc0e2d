//! `weiquan export --to postgres://…`: move a SQLite data dir into PostgreSQL.

use std::path::PathBuf;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};

#[derive(clap::Args)]
pub struct ExportArgs {
    /// The PostgreSQL database to fill; it must be empty (migrations are applied).
    #[arg(long)]
    pub to: String,
    /// The data dir whose SQLite database is copied.
    #[arg(long, default_value = "./weiquan-data", env = "WEIQUAN_DATA_DIR")]
    pub data_dir: PathBuf,
}

pub async fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    crate::serve::check_postgres_url(&args.to)?;
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} rows ({per_sec}, {eta})")
            .expect("valid template"),
    );
    let report =
        weiquan_store::export::sqlite_to_postgres(&args.data_dir, &args.to, |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await;
    bar.finish_and_clear();
    let report = report.map_err(|e| anyhow::anyhow!("导出失败 / export failed: {e}"))?;
    for (table, n) in &report.rows {
        println!("{table:>14}: {n}");
    }
    println!(
        "导出完成并已校验 / exported and verified: {} rows, {} event chains, into {}",
        report.rows.values().sum::<u64>(),
        report.streams,
        crate::serve::redact(&args.to)
    );
    Ok(ExitCode::SUCCESS)
}
