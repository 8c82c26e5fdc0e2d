//! The authorities' bundle (电子商务法 Art. 62): what a scope covers, how the archive's files
//! are named, the manifest the platform signs, and how a broken bundle is named. Pure: the store
//! writes and reads the archive (`docs/audit.md`).

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::lang::Lang;
use crate::stream::Stream;
use crate::types::{CaseId, ComplaintId, Sha256, ShopId, Timestamp};

/// The format's name, in every manifest: a verifier refuses one it does not know.
pub const FORMAT: &str = "weiquan-bundle/1";
/// The manifest: every other file with its SHA-256 and size, and every chain's head.
pub const MANIFEST: &str = "manifest.json";
/// The platform's Ed25519 signature over the manifest's bytes, and the key that made it.
pub const SIGNATURE: &str = "manifest.sig";
/// The signature's algorithm, as `manifest.sig` names it.
pub const ALGORITHM: &str = "ed25519";

/// What one export covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleScope {
    /// The complaint: its record, chain and files.
    Complaint(ComplaintId),
    /// The case, and each member complaint and report, with their files.
    Case(CaseId),
    /// The shop's record and chain, and every complaint, report and case about it.
    Shop(ShopId),
    /// Every complaint, report, case and shop whose chain has an event in `[from, to)`, each
    /// chain whole.
    Period { from: Timestamp, to: Timestamp },
}

/// The kinds of stream a period takes in: accounts, orders and penalties' deadlines are the
/// platform's bookkeeping, not what a period's complaints and cases are.
pub const PERIOD_STREAMS: &[&str] = &["complaint", "report", "case", "shop"];

impl BundleScope {
    /// A period; `from` must come before `to`.
    pub fn period(from: Timestamp, to: Timestamp) -> Result<Self, DomainError> {
        if from >= to {
            return Err(DomainError::invalid(
                "from",
                "开始时间须早于结束时间",
                "from must be before to",
            ));
        }
        Ok(BundleScope::Period { from, to })
    }

    /// Its name in the manifest and the export's event: `complaint:7`, `case:3`,
    /// `shop:shop-009`, `period:FROM/TO` (RFC 3339, UTC).
    pub fn name(&self) -> String {
        match self {
            BundleScope::Complaint(id) => Stream::Complaint(*id).to_string(),
            BundleScope::Case(id) => Stream::Case(*id).to_string(),
            BundleScope::Shop(id) => Stream::Shop(id.clone()).to_string(),
            BundleScope::Period { from, to } => {
                format!("period:{}/{}", rfc3339(*from), rfc3339(*to))
            }
        }
    }

    /// What it covers, in words.
    pub fn describe(&self, lang: Lang) -> String {
        let day = |t: &Timestamp| t.format("%Y-%m-%d %H:%M UTC").to_string();
        match (self, lang) {
            (BundleScope::Complaint(id), Lang::Zh) => format!("投诉 #{id}"),
            (BundleScope::Complaint(id), Lang::En) => format!("complaint #{id}"),
            (BundleScope::Case(id), Lang::Zh) => format!("案件 #{id}及其成员"),
            (BundleScope::Case(id), Lang::En) => format!("case #{id} and its members"),
            (BundleScope::Shop(id), Lang::Zh) => format!("店铺 {id}及其投诉、举报和案件"),
            (BundleScope::Shop(id), Lang::En) => {
                format!("shop {id} with its complaints, reports and cases")
            }
            (BundleScope::Period { from, to }, Lang::Zh) => {
                format!("{} 至 {} 期间的全部记录", day(from), day(to))
            }
            (BundleScope::Period { from, to }, Lang::En) => {
                format!("everything from {} to {}", day(from), day(to))
            }
        }
    }

    /// The archive's file name: `weiquan-bundle-complaint-7-20260501T101500Z.tar`.
    pub fn file_name(&self, at: Timestamp) -> String {
        let what = match self {
            BundleScope::Complaint(id) => format!("complaint-{id}"),
            BundleScope::Case(id) => format!("case-{id}"),
            BundleScope::Shop(id) => format!("shop-{id}"),
            BundleScope::Period { from, to } => format!(
                "period-{}-{}",
                from.format("%Y%m%dT%H%M%SZ"),
                to.format("%Y%m%dT%H%M%SZ")
            ),
        };
        format!("weiquan-bundle-{what}-{}.tar", at.format("%Y%m%dT%H%M%SZ"))
    }
}

fn rfc3339(t: Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A file of the archive, by what it holds. Paths are made and read back only here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// `records/KIND/ID.json`: a complaint, report, case or shop as the store keeps it.
    Record(Stream),
    /// `chains/KIND/ID.jsonl`: the stream's events, one JSON object a line, from seq 1.
    Chain(Stream),
    /// `evidence/SHA256`: a file's bytes, once however many subjects hold it.
    Evidence(Sha256),
    Manifest,
    Signature,
}

impl Part {
    pub fn path(&self) -> String {
        match self {
            Part::Record(s) => format!("records/{}/{}.json", s.kind(), stream_id(s)),
            Part::Chain(s) => format!("chains/{}/{}.jsonl", s.kind(), stream_id(s)),
            Part::Evidence(sha) => format!("evidence/{sha}"),
            Part::Manifest => MANIFEST.to_owned(),
            Part::Signature => SIGNATURE.to_owned(),
        }
    }

    /// What a path names; `None` for a path no bundle holds.
    pub fn parse(path: &str) -> Option<Part> {
        match path {
            MANIFEST => return Some(Part::Manifest),
            SIGNATURE => return Some(Part::Signature),
            _ => {}
        }
        if let Some(sha) = path.strip_prefix("evidence/") {
            return Sha256::parse(sha).ok().map(Part::Evidence);
        }
        let (dir, rest) = path.split_once('/')?;
        let (kind, file) = rest.split_once('/')?;
        let stream = |id: &str| Stream::parse(&format!("{kind}:{id}")).ok();
        let part = match dir {
            "records" => Part::Record(stream(file.strip_suffix(".json")?)?),
            "chains" => Part::Chain(stream(file.strip_suffix(".jsonl")?)?),
            _ => return None,
        };
        // Only the spelling this module writes: `records/complaint/07.json` is not complaint 7's.
        (part.path() == path).then_some(part)
    }
}

/// The part of a stream's name after the `:`.
fn stream_id(s: &Stream) -> String {
    let name = s.to_string();
    name[s.kind().len() + 1..].to_owned()
}

/// One line of a chain file: an event as stored, `at` in milliseconds since the epoch, so that
/// `chain::event_hash` recomputes its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainLine {
    pub stream: String,
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub kind: String,
    pub data: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

impl ChainLine {
    pub fn body(&self) -> crate::chain::EventBody<'_> {
        crate::chain::EventBody {
            stream: &self.stream,
            seq: self.seq,
            at_ms: self.at,
            actor: &self.actor,
            kind: &self.kind,
            data: &self.data,
            prev_hash: &self.prev_hash,
        }
    }
}

/// An event named by its place in a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRef {
    pub stream: String,
    pub seq: i64,
    pub hash: String,
}

/// A chain in the bundle: how many events and the last one's hash, as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub stream: String,
    pub events: i64,
    pub head: String,
}

/// A file in the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub sha256: String,
    pub size: u64,
    /// For a piece of evidence: the streams that hold it (`complaint:7`, `report:2`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub of: Vec<String>,
}

/// What the platform signs: the scope, who exported it and when (the export's own event), every
/// chain's head and every other file of the archive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub scope: String,
    pub exported_at: DateTime<Utc>,
    pub exported_by: String,
    /// The event that records this export on the exporter's account chain.
    pub export_event: EventRef,
    pub chains: Vec<ChainHead>,
    pub entries: Vec<Entry>,
}

/// `manifest.sig`: the signature over `manifest.json`'s bytes and the public key that made it,
/// both hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureFile {
    pub algorithm: String,
    pub public_key: String,
    pub signature: String,
}

/// The first thing wrong with a bundle: the archive's file, and the stream and seq when it is an
/// event; what is wrong in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub file: String,
    pub stream: Option<String>,
    pub seq: Option<i64>,
    pub zh: String,
    pub en: String,
}

impl Broken {
    pub fn file(file: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Broken {
            file: file.to_owned(),
            stream: None,
            seq: None,
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// An event's fault: its stream and seq named too.
    pub fn event(file: &str, stream: &str, seq: i64, zh: String, en: String) -> Self {
        Broken {
            stream: Some(stream.to_owned()),
            seq: Some(seq),
            ..Broken::file(file, zh, en)
        }
    }

    /// The whole finding in one language.
    pub fn text(&self, lang: Lang) -> String {
        let place = match (lang, &self.stream, self.seq) {
            (Lang::Zh, Some(s), Some(q)) => format!("（事件流 {s}，序号 {q}）"),
            (Lang::En, Some(s), Some(q)) => format!(" (stream {s}, seq {q})"),
            _ => String::new(),
        };
        match lang {
            Lang::Zh => format!("文件 {}{place}：{}", self.file, self.zh),
            Lang::En => format!("file {}{place}: {}", self.file, self.en),
        }
    }
}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.text(Lang::Zh), self.text(Lang::En))
    }
}

impl std::error::Error for Broken {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ReportId;

    #[test]
    fn every_part_reads_back_as_written() {
        let sha = Sha256::of(b"x");
        for part in [
            Part::Record(Stream::Complaint(ComplaintId(7))),
            Part::Chain(Stream::Case(CaseId(3))),
            Part::Chain(Stream::Report(ReportId(2))),
            Part::Record(Stream::Shop(ShopId::parse("shop-009").unwrap())),
            Part::Evidence(sha),
            Part::Manifest,
            Part::Signature,
        ] {
            assert_eq!(Part::parse(&part.path()), Some(part.clone()), "{part:?}");
        }
        assert_eq!(
            Part::Chain(Stream::Complaint(ComplaintId(7))).path(),
            "chains/complaint/7.jsonl"
        );
        for bad in [
            "records/complaint/07.json",
            "records/complaint/7.jsonl",
            "chains/cart/1.jsonl",
            "evidence/abc",
            "../manifest.json",
            "records/complaint/7.json/x",
        ] {
            assert_eq!(Part::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_period_runs_forwards_and_is_named_in_utc() {
        let t = |s: &str| crate::types::parse_time("t", s).unwrap();
        let p = BundleScope::period(
            t("2026-05-01T00:00:00+08:00"),
            t("2026-06-01T00:00:00+08:00"),
        )
        .unwrap();
        assert_eq!(
            p.name(),
            "period:2026-04-30T16:00:00.000Z/2026-05-31T16:00:00.000Z"
        );
        assert!(BundleScope::period(t("2026-05-01T00:00:00Z"), t("2026-05-01T00:00:00Z")).is_err());
        assert_eq!(
            BundleScope::Complaint(ComplaintId(7)).file_name(t("2026-05-01T10:15:00Z")),
            "weiquan-bundle-complaint-7-20260501T101500Z.tar"
        );
    }

    #[test]
    fn a_finding_names_its_place_in_both_languages() {
        let b = Broken::event(
            "chains/complaint/7.jsonl",
            "complaint:7",
            3,
            "哈希不符".into(),
            "hash differs".into(),
        );
        assert_eq!(
            b.to_string(),
            "文件 chains/complaint/7.jsonl（事件流 complaint:7，序号 3）：哈希不符 / \
             file chains/complaint/7.jsonl (stream complaint:7, seq 3): hash differs"
        );
    }
}
