//! `weiquan import shops|orders FILE.jsonl`: operators load mirrored marketplace data.
//!
//! Each bad line is reported with its number and the reason; the good lines still land.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use weiquan_domain::Lang;
use weiquan_store::SystemClock;
use weiquan_store::jsonl::{ImportKind, import_jsonl};

use crate::StoreArgs;

#[derive(clap::Args)]
pub struct ImportArgs {
    /// What the file holds.
    #[arg(value_enum)]
    pub what: What,
    /// JSON lines, one record each (see docs/import.md).
    pub file: PathBuf,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum What {
    Shops,
    Orders,
}

/// The operator's language: English when `LANG` says so, Chinese otherwise.
pub fn cli_lang() -> Lang {
    match std::env::var("LANG") {
        Ok(l) if l.starts_with("en") => Lang::En,
        _ => Lang::Zh,
    }
}

pub async fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let store = crate::serve::open_store(&args.store).await?;
    let lang = cli_lang();
    let file = std::fs::File::open(&args.file)
        .with_context(|| format!("cannot open {}", args.file.display()))?;
    let total = std::io::BufReader::new(std::fs::File::open(&args.file)?)
        .lines()
        .count() as u64;
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} {msg} ({per_sec}, {eta})")
            .expect("valid template"),
    );
    let kind = match args.what {
        What::Shops => ImportKind::Shops,
        What::Orders => ImportKind::Orders,
    };
    let report = import_jsonl(
        store.as_ref(),
        &SystemClock,
        kind,
        std::io::BufReader::new(file),
        lang,
        &|| bar.inc(1),
    )
    .await?;
    bar.finish_and_clear();
    for line in &report.errors {
        eprintln!("{line}");
    }
    let summary = match lang {
        Lang::Zh => format!(
            "导入完成：{} 条成功，{} 条有误",
            report.ok,
            report.errors.len()
        ),
        Lang::En => format!(
            "imported {} records; {} had errors",
            report.ok,
            report.errors.len()
        ),
    };
    println!("{summary}");
    Ok(if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
