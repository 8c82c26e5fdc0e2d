//! `weiquan detect collective`'s input: JSON lines `{"id", "shop", "text", "created_at"}`, with
//! an optional `"consumer"`, optional `"product"` and `"category"` (together: the complaint's
//! [`Subject`]), and, for evaluation, `"label"` and `"heldout"`.

use std::fmt;
use std::io::BufRead;

use super::{Complaint, Subject};

/// A line that could not be read, with its 1-based number.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    pub line: u64,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    NotJson(String),
    /// A required field is missing, empty or of the wrong type.
    Field(&'static str),
    BadTime(String),
    NotUtf8,
    /// `"product"` without `"category"` or the other way round (the field given).
    HalfSubject(&'static str),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.line;
        match &self.problem {
            Problem::NotJson(e) => write!(
                f,
                "第 {n} 行不是 JSON 对象（{e}）/ line {n}: not a JSON object ({e})"
            ),
            Problem::Field(name @ ("id" | "consumer")) => write!(
                f,
                "第 {n} 行的 \"{name}\" 须为非空字符串或数字 / line {n}: \"{name}\" must be a non-empty string or a number"
            ),
            Problem::Field(name) => write!(
                f,
                "第 {n} 行缺少非空字符串 \"{name}\" / line {n}: \"{name}\" must be a non-empty string"
            ),
            Problem::BadTime(t) => write!(
                f,
                "第 {n} 行的 created_at 须为 RFC 3339 时间或 Unix 秒/毫秒：{t} / line {n}: created_at must be RFC 3339, unix seconds or unix milliseconds: {t}"
            ),
            Problem::NotUtf8 => write!(f, "第 {n} 行不是 UTF-8 / line {n}: not UTF-8"),
            Problem::HalfSubject(given) => write!(
                f,
                "第 {n} 行只有 \"{given}\"：\"product\" 与 \"category\" 须同时给出或都不给 / line {n}: \"{given}\" without the other: give both \"product\" and \"category\" or neither"
            ),
        }
    }
}

/// One line read: the id as it was written (string or number), the complaint, and the optional
/// evaluation fields.
#[derive(Debug, Clone)]
pub struct Line {
    pub id: serde_json::Value,
    pub complaint: Complaint,
    pub label: Option<String>,
    pub heldout: bool,
    /// `"group"`: `"heldout_c"` or `"heldout_d"`, the held-out groups naming their items.
    pub group: Option<String>,
}

/// Unix seconds below this are seconds, at or above it milliseconds (1e11 s is the year 5138;
/// 1e11 ms is 1973).
const MS_FROM: i64 = 100_000_000_000;

/// `created_at` as unix milliseconds: an RFC 3339 string, or a number of seconds or milliseconds.
pub fn parse_time(v: &serde_json::Value) -> Result<i64, String> {
    match v {
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(x) if x.abs() < MS_FROM => Ok(x * 1000),
            Some(x) => Ok(x),
            None => n
                .as_f64()
                .filter(|x| x.is_finite() && x.abs() < MS_FROM as f64)
                .map(|x| (x * 1000.0).round() as i64)
                .ok_or_else(|| n.to_string()),
        },
        serde_json::Value::String(s) => chrono::DateTime::parse_from_rfc3339(s.trim())
            .map(|d| d.timestamp_millis())
            .map_err(|_| format!("{s:?}")),
        other => Err(other.to_string()),
    }
}

fn id_string(v: Option<&serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn parse_line(n: u64, line: &str) -> Result<Line, InputError> {
    let err = |problem| InputError { line: n, problem };
    let v: serde_json::Value =
        serde_json::from_str(line).map_err(|e| err(Problem::NotJson(e.to_string())))?;
    let obj = v
        .as_object()
        .ok_or_else(|| err(Problem::NotJson("not an object".into())))?;
    let id = obj.get("id").cloned().unwrap_or(serde_json::Value::Null);
    let id_text = id_string(Some(&id)).ok_or_else(|| err(Problem::Field("id")))?;
    let text_field = |name: &'static str| match obj.get(name) {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        _ => Err(err(Problem::Field(name))),
    };
    let shop = text_field("shop")?;
    let text = text_field("text")?;
    let created_at = parse_time(obj.get("created_at").unwrap_or(&serde_json::Value::Null))
        .map_err(|t| err(Problem::BadTime(t)))?;
    let consumer = match obj.get("consumer") {
        None | Some(serde_json::Value::Null) => None,
        some => Some(id_string(some).ok_or_else(|| err(Problem::Field("consumer")))?),
    };
    let optional = |name: &'static str| match obj.get(name) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.as_str())),
        _ => Err(err(Problem::Field(name))),
    };
    let subject = match (optional("product")?, optional("category")?) {
        (Some(product), Some(category)) => Some(Subject::new(product, category)),
        (None, None) => None,
        (Some(_), None) => return Err(err(Problem::HalfSubject("product"))),
        (None, Some(_)) => return Err(err(Problem::HalfSubject("category"))),
    };
    let label = obj.get("label").and_then(|l| l.as_str()).map(str::to_owned);
    let heldout = obj
        .get("heldout")
        .and_then(|h| h.as_bool())
        .unwrap_or(false);
    let group = obj.get("group").and_then(|g| g.as_str()).map(str::to_owned);
    Ok(Line {
        id,
        complaint: Complaint {
            id: id_text,
            shop,
            consumer,
            text,
            created_at,
            subject,
        },
        label,
        heldout,
        group,
    })
}

/// Reads JSON lines; blank lines are skipped, bad ones returned apart (the rest is still read).
pub fn read_lines(reader: impl BufRead) -> std::io::Result<(Vec<Line>, Vec<InputError>)> {
    let mut lines = vec![];
    let mut errors = vec![];
    for (i, raw) in reader.split(b'\n').enumerate() {
        let n = i as u64 + 1;
        let raw = raw?;
        let Ok(text) = std::str::from_utf8(&raw) else {
            errors.push(InputError {
                line: n,
                problem: Problem::NotUtf8,
            });
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        match parse_line(n, text) {
            Ok(l) => lines.push(l),
            Err(e) => errors.push(e),
        }
    }
    Ok((lines, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_three_forms() {
        let ms = 1_767_196_800_000;
        assert_eq!(
            parse_time(&serde_json::json!("2026-01-01T00:00:00+08:00")),
            Ok(ms)
        );
        assert_eq!(parse_time(&serde_json::json!(1_767_196_800)), Ok(ms));
        assert_eq!(parse_time(&serde_json::json!(ms)), Ok(ms));
        assert!(parse_time(&serde_json::json!("yesterday")).is_err());
        assert!(parse_time(&serde_json::Value::Null).is_err());
    }

    #[test]
    fn bad_lines_are_named_and_skipped() {
        let input = concat!(
            "{\"id\":\"a\",\"shop\":\"s\",\"text\":\"耳机没声音\",\"created_at\":1767196800}\n",
            "\n",
            "not json\n",
            "{\"id\":\"b\",\"shop\":\"s\",\"created_at\":1767196800}\n",
            "{\"id\":7,\"shop\":\"s\",\"text\":\"x\",\"created_at\":\"soon\"}\n",
            "{\"id\":8,\"shop\":\"s\",\"text\":\"x\",\"created_at\":1767196800,\"consumer\":\"c1\"}\n",
            "{\"id\":9,\"shop\":\"s\",\"text\":\"x\",\"created_at\":1767196800,\"product\":\" 保温杯 \",\"category\":\"quality_defect\"}\n",
            "{\"id\":10,\"shop\":\"s\",\"text\":\"x\",\"created_at\":1767196800,\"product\":\"保温杯\"}\n",
            "{\"id\":11,\"shop\":\"s\",\"text\":\"x\",\"created_at\":1767196800,\"product\":\"保温杯\",\"category\":7}\n",
            "{\"id\":12,\"shop\":\"s\",\"text\":\"x\",\"created_at\":1767196800,\"product\":null,\"category\":null}\n",
        );
        let (lines, errors) = read_lines(input.as_bytes()).unwrap();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[1].id, serde_json::json!(8));
        assert_eq!(lines[1].complaint.consumer.as_deref(), Some("c1"));
        assert_eq!(lines[1].complaint.subject, None);
        assert_eq!(
            lines[2].complaint.subject,
            Some(Subject::new("保温杯", "quality_defect"))
        );
        assert_eq!(lines[3].complaint.subject, None);
        let lines_of: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines_of, [3, 4, 5, 8, 9]);
        let half = errors[3].to_string();
        assert!(
            half.contains("第 8 行") && half.contains("\"category\""),
            "{half}"
        );
        assert!(errors[4].to_string().contains("\"category\""));
        let msg = errors[1].to_string();
        assert!(msg.contains("第 4 行") && msg.contains("\"text\""), "{msg}");
        assert!(errors[2].to_string().contains("created_at"));
    }
}
