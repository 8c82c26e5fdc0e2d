//! `weiquan import shops|orders FILE.jsonl`: operators load mirrored marketplace data.
//!
//! Each bad line is reported with its number and the reason; the good lines still land.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use serde::de::DeserializeOwned;
use weiquan_domain::records::{OrderRecord, ShopRecord};
use weiquan_domain::{DomainError, Lang};
use weiquan_store::{Store, StoreError};

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

const BATCH: usize = 500;

/// The operator's language: English when `LANG` says so, Chinese otherwise.
pub fn cli_lang() -> Lang {
    match std::env::var("LANG") {
        Ok(l) if l.starts_with("en") => Lang::En,
        _ => Lang::Zh,
    }
}

/// Explains why a record did not land, in the operator's language.
pub fn describe(e: &StoreError, lang: Lang) -> String {
    match e {
        StoreError::Domain(d @ DomainError::Invalid(fields)) => {
            let parts: Vec<String> = fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message.get(lang)))
                .collect();
            if parts.is_empty() {
                d.message(lang)
            } else {
                parts.join("; ")
            }
        }
        StoreError::Domain(d) => d.message(lang),
        StoreError::Conflict { zh, en, .. } => lang.pick(zh, en).to_owned(),
        other => other.to_string(),
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
    let report = match args.what {
        What::Shops => {
            import::<ShopRecord>(store.as_ref(), file, &bar, lang, |s, b| {
                Box::pin(s.import_shops(b))
            })
            .await?
        }
        What::Orders => {
            import::<OrderRecord>(store.as_ref(), file, &bar, lang, |s, b| {
                Box::pin(s.import_orders(b))
            })
            .await?
        }
    };
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

#[derive(Default)]
pub struct Report {
    pub ok: u64,
    pub errors: Vec<String>,
}

type Submit<'a, R> =
    fn(
        &'a dyn Store,
        Vec<R>,
    ) -> futures::future::BoxFuture<'a, Result<weiquan_store::ImportOutcome, StoreError>>;

/// Reads JSON lines, sends good records in batches and collects line-numbered errors.
pub async fn import<'a, R: DeserializeOwned + Send + 'static>(
    store: &'a dyn Store,
    file: impl std::io::Read,
    bar: &ProgressBar,
    lang: Lang,
    submit: Submit<'a, R>,
) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let mut batch: Vec<R> = Vec::with_capacity(BATCH);
    let mut lines: Vec<usize> = Vec::with_capacity(BATCH);
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let n = i + 1;
        bar.inc(1);
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                report.errors.push(format!("line {n}: {e}"));
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<R>(&line) {
            Ok(r) => {
                batch.push(r);
                lines.push(n);
            }
            Err(e) => {
                let msg = match lang {
                    Lang::Zh => format!("line {n}: 无法解析：{e}"),
                    Lang::En => format!("line {n}: cannot parse: {e}"),
                };
                report.errors.push(msg);
            }
        }
        if batch.len() == BATCH {
            flush(
                store,
                submit,
                std::mem::take(&mut batch),
                std::mem::take(&mut lines),
                &mut report,
                lang,
            )
            .await?;
        }
    }
    if !batch.is_empty() {
        flush(store, submit, batch, lines, &mut report, lang).await?;
    }
    report.errors.sort_by_key(|e| {
        e.split(':')
            .next()
            .and_then(|l| l.trim_start_matches("line ").parse::<usize>().ok())
    });
    Ok(report)
}

async fn flush<'a, R>(
    store: &'a dyn Store,
    submit: Submit<'a, R>,
    batch: Vec<R>,
    lines: Vec<usize>,
    report: &mut Report,
    lang: Lang,
) -> anyhow::Result<()> {
    let outcome = submit(store, batch).await?;
    for (n, r) in lines.into_iter().zip(outcome) {
        match r {
            Ok(()) => report.ok += 1,
            Err(e) => report
                .errors
                .push(format!("line {n}: {}", describe(&e, lang))),
        }
    }
    Ok(())
}
