//! `weiquan audit verify`, backend-neutral: each backend streams its rows through a [`Checker`].

use std::collections::HashMap;

use weiquan_domain::chain::{EventBody, Walk, state_after};
use weiquan_domain::{Sha256, Stream};

use crate::blob::BlobStore;
use crate::db::{Conn, Tx};
use crate::error::Result;
use crate::events;
use crate::model::AuditReport;
use crate::rows::EventRow;

/// Checks chains, complaint states and evidence as their rows come by. Events must come ordered
/// by (stream, seq). Each method returns the first broken record as `Err`.
#[derive(Default)]
pub(crate) struct Checker {
    report: AuditReport,
    /// The chain being read.
    walk: Option<Walk>,
    /// The last state each complaint's chain records, checked against the complaint rows.
    chain_states: HashMap<i64, String>,
    /// Evidence kept as blobs, rehashed by `check_files` once the rows are read.
    /// With whose evidence it is ("complaint 7", "report 3").
    files: Vec<(String, Sha256)>,
}

impl Checker {
    pub(crate) fn event(&mut self, r: EventRow) -> Result<(), String> {
        let at = |why: &str| format!("event {} (stream {}, seq {}): {why}", r.id, r.stream, r.seq);
        if self.walk.as_ref().is_none_or(|w| w.stream() != r.stream) {
            self.report.streams += 1;
            self.walk = Some(Walk::new(&r.stream));
        }
        let walk = self.walk.as_mut().expect("set above");
        let data: serde_json::Value =
            serde_json::from_str(&r.data).map_err(|_| at("data is not valid JSON"))?;
        let body = EventBody {
            stream: &r.stream,
            seq: r.seq,
            at_ms: r.at,
            actor: &r.actor,
            kind: &r.kind,
            data: &data,
            prev_hash: &r.prev_hash,
        };
        walk.next(&body, &r.hash).map_err(|b| at(&b.en()))?;
        if let Ok(Stream::Complaint(id)) = Stream::parse(&r.stream)
            && let Some(to) = state_after(&data)
        {
            self.chain_states.insert(id.0, to.to_owned());
        }
        self.report.events += 1;
        Ok(())
    }

    pub(crate) fn complaint(&mut self, id: i64, state: &str) -> Result<(), String> {
        self.report.complaints += 1;
        match self.chain_states.get(&id) {
            Some(s) if s == state => Ok(()),
            Some(s) => Err(format!(
                "complaint {id}: state {state:?} differs from its event chain ({s:?}); the record was altered"
            )),
            None => Err(format!("complaint {id}: has no event chain")),
        }
    }

    /// Checks evidence kept in the database now; remembers blob evidence for `check_files`.
    pub(crate) fn evidence(
        &mut self,
        complaint: i64,
        sha: &str,
        inline: Option<&[u8]>,
    ) -> Result<(), String> {
        let parsed = Sha256::parse(sha)
            .map_err(|_| format!("evidence {sha} of complaint {complaint}: bad digest"))?;
        match inline {
            Some(bytes) if Sha256::of(bytes) == parsed => self.report.blobs += 1,
            Some(_) => {
                return Err(format!(
                    "evidence {sha} of complaint {complaint}: content does not match its SHA-256"
                ));
            }
            None => self.files.push((format!("complaint {complaint}"), parsed)),
        }
        Ok(())
    }

    /// Remembers a report's file for `check_files` (reports keep every file as a blob).
    pub(crate) fn report_evidence(&mut self, report: i64, sha: &str) -> Result<(), String> {
        let parsed = Sha256::parse(sha)
            .map_err(|_| format!("evidence {sha} of report {report}: bad digest"))?;
        self.files.push((format!("report {report}"), parsed));
        Ok(())
    }

    /// Rehashes every blob and returns the report.
    pub(crate) async fn check_files(mut self, blobs: &BlobStore) -> Result<AuditReport, String> {
        for (owner, sha) in std::mem::take(&mut self.files) {
            blobs
                .verify(&sha)
                .await
                .map_err(|e| format!("{owner}: {e}"))?;
            self.report.blobs += 1;
        }
        Ok(self.report)
    }
}

/// Events read a page at a time, so a large database is checked in bounded memory.
const PAGE: u32 = 5_000;

/// Walks every row the audit checks, in one snapshot; the caller then rehashes the blobs.
/// `Ok(Err(reason))` names the first broken record; `Err` is a failure to read at all.
pub(crate) async fn walk<C: Conn>(
    o: &mut Tx<'_, C>,
) -> Result<std::result::Result<Checker, String>> {
    let mut check = Checker::default();
    let mut after: Option<(String, i64)> = None;
    loop {
        let page = events::page_all(o, after.as_ref().map(|(s, q)| (s.as_str(), *q)), PAGE).await?;
        let full = page.len() == PAGE as usize;
        for r in page {
            after = Some((r.stream.clone(), r.seq));
            if let Err(e) = check.event(r) {
                return Ok(Err(e));
            }
        }
        if !full {
            break;
        }
    }
    for r in o
        .query("SELECT id, state FROM complaints ORDER BY id", &[])
        .await?
    {
        if let Err(e) = check.complaint(r[0].int()?, r[1].as_str()?) {
            return Ok(Err(e));
        }
    }
    let evidence = o
        .query(
            "SELECT complaint_id, sha256, inline_data FROM evidence ORDER BY complaint_id, sha256",
            &[],
        )
        .await?;
    for r in evidence {
        if let Err(e) = check.evidence(r[0].int()?, r[1].as_str()?, r[2].opt_bytes()?.as_deref()) {
            return Ok(Err(e));
        }
    }
    let files = o
        .query(
            "SELECT report_id, sha256 FROM report_evidence ORDER BY report_id, sha256",
            &[],
        )
        .await?;
    for r in files {
        if let Err(e) = check.report_evidence(r[0].int()?, r[1].as_str()?) {
            return Ok(Err(e));
        }
    }
    Ok(Ok(check))
}
