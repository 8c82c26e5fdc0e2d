//! `weiquan audit verify`: recompute every event chain and every evidence hash.

use std::collections::HashMap;

use rusqlite::Connection;
use weiquan_domain::Sha256;
use weiquan_domain::chain::{EventBody, GENESIS, event_hash};

use crate::blob::BlobStore;
use crate::error::Result;
use crate::model::AuditReport;
use crate::rows::EventRow;

/// `Ok(Err(reason))` names the first broken record; `Err` is a failure to read at all.
pub(crate) fn verify(
    conn: &Connection,
    blobs: &BlobStore,
) -> Result<std::result::Result<AuditReport, String>> {
    let mut report = AuditReport::default();
    // Read in one transaction so that the chains and the rows are one consistent snapshot.
    let tx = conn.unchecked_transaction()?;
    let mut current: Option<(String, i64, String)> = None; // stream, last seq, last hash
    // The last state each complaint's chain records, checked against the complaint rows below.
    let mut chain_states: HashMap<i64, String> = HashMap::new();
    {
        let mut stmt = tx.prepare("SELECT id, stream, seq, at, actor, kind, data, prev_hash, hash FROM events ORDER BY stream, seq")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let r = EventRow::from_row(row)?;
            let at =
                |why: &str| format!("event {} (stream {}, seq {}): {why}", r.id, r.stream, r.seq);
            let (expect_seq, expect_prev) = match &current {
                Some((s, seq, hash)) if *s == r.stream => (seq + 1, hash.clone()),
                _ => {
                    report.streams += 1;
                    (1, GENESIS.to_owned())
                }
            };
            if r.seq != expect_seq {
                return Ok(Err(at(&format!(
                    "expected seq {expect_seq}; the chain has a gap"
                ))));
            }
            if r.prev_hash != expect_prev {
                return Ok(Err(at(
                    "prev_hash does not match the previous event's hash",
                )));
            }
            let Ok(data) = serde_json::from_str::<serde_json::Value>(&r.data) else {
                return Ok(Err(at("data is not valid JSON")));
            };
            let computed = event_hash(&EventBody {
                stream: &r.stream,
                seq: r.seq,
                at_ms: r.at,
                actor: &r.actor,
                kind: &r.kind,
                data: &data,
                prev_hash: &r.prev_hash,
            });
            if computed.as_str() != r.hash {
                return Ok(Err(at(
                    "hash does not match the event's content; the record was altered",
                )));
            }
            if let Some(id) = r
                .stream
                .strip_prefix("complaint:")
                .and_then(|s| s.parse::<i64>().ok())
                && let Some(to) = data.get("to").and_then(|v| v.as_str())
            {
                chain_states.insert(id, to.to_owned());
            }
            report.events += 1;
            current = Some((r.stream, r.seq, r.hash));
        }
    }

    {
        let mut stmt = tx.prepare("SELECT id, state FROM complaints ORDER BY id")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let (id, state): (i64, String) = (row.get(0)?, row.get(1)?);
            report.complaints += 1;
            match chain_states.get(&id) {
                Some(s) if *s == state => {}
                Some(s) => {
                    return Ok(Err(format!(
                        "complaint {id}: state {state:?} differs from its event chain ({s:?}); the record was altered"
                    )));
                }
                None => return Ok(Err(format!("complaint {id}: has no event chain"))),
            }
        }
    }

    let mut stmt = tx.prepare(
        "SELECT complaint_id, sha256, inline_data FROM evidence ORDER BY complaint_id, sha256",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let (cid, sha, inline): (i64, String, Option<Vec<u8>>) =
            (row.get(0)?, row.get(1)?, row.get(2)?);
        let Ok(parsed) = Sha256::parse(&sha) else {
            return Ok(Err(format!(
                "evidence {sha} of complaint {cid}: bad digest"
            )));
        };
        match inline {
            Some(bytes) if Sha256::of(&bytes) == parsed => {}
            Some(_) => {
                return Ok(Err(format!(
                    "evidence {sha} of complaint {cid}: content does not match its SHA-256"
                )));
            }
            None => {
                if let Err(e) = blobs.verify(&parsed) {
                    return Ok(Err(format!("complaint {cid}: {e}")));
                }
            }
        }
        report.blobs += 1;
    }
    Ok(Ok(report))
}
