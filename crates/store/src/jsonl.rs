//! Importing JSON lines of shops or orders: one loop shared by `weiquan import` and the admin's
//! upload page. Each bad line is reported with its number and the reason, in the operator's
//! language; the good lines still land, in batches.

use std::io::BufRead;

use serde::de::DeserializeOwned;
use weiquan_domain::records::{OrderRecord, ShopRecord};
use weiquan_domain::{Cents, DomainError, Lang, OrderNo, ShopId, Text, Username, parse_time};

use crate::clock::Clock;
use crate::{ImportOutcome, Store, StoreError};

const BATCH: usize = 500;

/// What an import file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Shops,
    Orders,
}

/// What landed and what did not.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub ok: u64,
    pub errors: Vec<ImportProblem>,
}

/// Why one line did not land: its number, the field (a record's key path such as
/// `items[0].price_cents`, for the reader to label) and the reason in the operator's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub line: usize,
    pub field: Option<String>,
    pub reason: String,
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "line {}: {field}: {}", self.line, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

/// Why a record did not land, one problem per bad field, in the operator's language.
pub fn describe(line: usize, e: &StoreError, lang: Lang) -> Vec<ImportProblem> {
    let one = |reason: String| {
        vec![ImportProblem {
            line,
            field: None,
            reason,
        }]
    };
    match e {
        StoreError::Domain(DomainError::Invalid(fields)) if !fields.is_empty() => fields
            .iter()
            .map(|f| ImportProblem {
                line,
                field: Some(f.field.clone()),
                reason: f.message.get(lang).to_owned(),
            })
            .collect(),
        StoreError::Domain(d) => one(d.message(lang)),
        StoreError::Conflict { zh, en, .. } => one(lang.pick(zh, en).to_owned()),
        other => one(other.to_string()),
    }
}

/// A line that is not a record, said without the parser's English: what is wrong and where.
fn unreadable<R: DeserializeOwned>(line: usize, text: &str, lang: Lang) -> ImportProblem {
    let value = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => v,
        Err(e) => {
            return ImportProblem {
                line,
                field: None,
                reason: match lang {
                    Lang::Zh => format!("不是有效的 JSON（第 {} 列附近）", e.column()),
                    Lang::En => format!("not valid JSON (near column {})", e.column()),
                },
            };
        }
    };
    let (field, reason) = match value {
        serde_json::Value::Object(_) => field_problem::<R>(value, lang),
        _ => (
            None,
            lang.pick("每行应是一个 JSON 对象", "each line is one JSON object")
                .to_owned(),
        ),
    };
    ImportProblem {
        line,
        field,
        reason,
    }
}

/// Which field of an object fails to read as a record, and why.
fn field_problem<R: DeserializeOwned>(
    value: serde_json::Value,
    lang: Lang,
) -> (Option<String>, String) {
    let e = match serde_path_to_error::deserialize::<_, R>(value.clone()) {
        Ok(_) => {
            let why = lang.pick("记录不完整或有误", "the record is incomplete or wrong");
            return (None, why.to_owned());
        }
        Err(e) => e,
    };
    let path = e.path().to_string();
    let inner = e.into_inner().to_string();
    let named = |prefix: &str| {
        inner
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned)
    };
    let within = |name: String| match path.as_str() {
        "." => name,
        p => format!("{p}.{name}"),
    };
    let at = (path != ".").then(|| path.clone());
    if let Some(name) = named("missing field `") {
        return (
            Some(within(name)),
            lang.pick("缺少此项", "missing").to_owned(),
        );
    }
    // What the file calls it is all there is to name it by.
    // (serde's path already ends in the unknown field's name.)
    if let Some(name) = named("unknown field `") {
        let name = if path == "." { name } else { path.clone() };
        let why = match lang {
            Lang::Zh => format!("多了一项“{name}”，这种记录没有这一项"),
            Lang::En => format!("“{name}” is not a field of this kind of record"),
        };
        return (None, why);
    }
    if let Some(why) = at.as_deref().and_then(|p| value_problem(&value, p)) {
        return (at, why.get(lang).to_owned());
    }
    let why = if inner.starts_with("invalid type") || inner.starts_with("invalid value") {
        lang.pick(
            "类型不对（例如应为数字或文字）",
            "of the wrong type (e.g. a number or a text)",
        )
    } else {
        lang.pick("取值不符合要求", "not an accepted value")
    };
    (at, why.to_owned())
}

/// The domain's own words on a value its type refused (serde keeps only its text): the value
/// at `path` parsed again by the field's parser.
fn value_problem(value: &serde_json::Value, path: &str) -> Option<Text> {
    let mut v = value;
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, i)) => (k, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        v = v.get(key)?;
        if let Some(i) = index {
            v = v.get(i)?;
        }
    }
    let leaf = path.rsplit('.').next()?;
    let refused = match (leaf, v) {
        ("order_no", serde_json::Value::String(s)) => OrderNo::parse(s).err(),
        ("id" | "shop_id", serde_json::Value::String(s)) => ShopId::parse(s).err(),
        ("buyer" | "merchant", serde_json::Value::String(s)) => Username::parse(s).err(),
        (l, serde_json::Value::Number(n)) if l.ends_with("_cents") => {
            Cents::parse_field(l, n.as_i64().unwrap_or(-1)).err()
        }
        ("paid_at" | "shipped_at" | "delivered_at", serde_json::Value::String(s)) => {
            parse_time(leaf, s).err()
        }
        _ => None,
    }?;
    refused.fields().first().map(|f| f.message.clone())
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
            Err(_) => {
                report.errors.push(ImportProblem {
                    line: n,
                    field: None,
                    reason: lang.pick("不是 UTF-8 文本", "not UTF-8 text").to_owned(),
                });
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
            Err(_) => report.errors.push(unreadable::<R>(n, &line, lang)),
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
    report.errors.sort_by_key(|e| e.line);
    Ok(report)
}

fn tally(report: &mut ImportReport, lines: Vec<usize>, outcome: ImportOutcome, lang: Lang) {
    for (n, r) in lines.into_iter().zip(outcome) {
        match r {
            Ok(()) => report.ok += 1,
            Err(e) => report.errors.extend(describe(n, &e, lang)),
        }
    }
}
