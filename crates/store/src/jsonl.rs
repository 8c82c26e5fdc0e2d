//! Importing JSON lines of shops or orders: one loop shared by `weiquan import` and the admin's
//! upload page. Each bad line is reported with its number and the reason, in the operator's
//! language; the good lines still land, in batches.

use std::io::BufRead;

use serde::de::DeserializeOwned;
use weiquan_domain::records::{OrderRecord, ShopRecord};
use weiquan_domain::{DomainError, Lang};

use crate::clock::Clock;
use crate::{ImportOutcome, Store, StoreError};

const BATCH: usize = 500;

/// What an import file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Shops,
    Orders,
}

/// What landed and what did not (line-numbered messages).
#[derive(Debug, Default)]
pub struct ImportReport {
    pub ok: u64,
    pub errors: Vec<String>,
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

/// Imports a JSON-lines file of `kind`; `progress` is called once per line read; each batch
/// lands at the clock's time. A store failure (not a bad record) stops the import with `Err`.
pub async fn import_jsonl(
    store: &dyn Store,
    clock: &dyn Clock,
    kind: ImportKind,
    file: impl BufRead,
    lang: Lang,
    progress: &(dyn Fn() + Sync),
) -> Result<ImportReport, StoreError> {
    match kind {
        ImportKind::Shops => {
            import::<ShopRecord, _>(file, lang, progress, |b| store.import_shops(b, clock.now()))
                .await
        }
        ImportKind::Orders => {
            import::<OrderRecord, _>(file, lang, progress, |b| {
                store.import_orders(b, clock.now())
            })
            .await
        }
    }
}

async fn import<R, F>(
    file: impl BufRead,
    lang: Lang,
    progress: &(dyn Fn() + Sync),
    submit: impl Fn(Vec<R>) -> F,
) -> Result<ImportReport, StoreError>
where
    R: DeserializeOwned,
    F: Future<Output = Result<ImportOutcome, StoreError>>,
{
    let mut report = ImportReport::default();
    let mut batch: Vec<R> = Vec::with_capacity(BATCH);
    let mut lines: Vec<usize> = Vec::with_capacity(BATCH);
    for (i, line) in file.lines().enumerate() {
        let n = i + 1;
        progress();
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
            Err(e) => report.errors.push(match lang {
                Lang::Zh => format!("line {n}: 无法解析：{e}"),
                Lang::En => format!("line {n}: cannot parse: {e}"),
            }),
        }
        if batch.len() == BATCH {
            let outcome = submit(std::mem::take(&mut batch)).await?;
            tally(&mut report, std::mem::take(&mut lines), outcome, lang);
        }
    }
    if !batch.is_empty() {
        let outcome = submit(batch).await?;
        tally(&mut report, lines, outcome, lang);
    }
    report.errors.sort_by_key(|e| {
        e.split(':')
            .next()
            .and_then(|l| l.trim_start_matches("line ").parse::<usize>().ok())
    });
    Ok(report)
}

fn tally(report: &mut ImportReport, lines: Vec<usize>, outcome: ImportOutcome, lang: Lang) {
    for (n, r) in lines.into_iter().zip(outcome) {
        match r {
            Ok(()) => report.ok += 1,
            Err(e) => report
                .errors
                .push(format!("line {n}: {}", describe(&e, lang))),
        }
    }
}
