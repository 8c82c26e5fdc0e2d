//! `weiquan audit verify`: recompute every event chain and every evidence hash.

use futures::TryStreamExt;
use sqlx::SqlitePool;
use weiquan_domain::Sha256;
use weiquan_domain::chain::{EventBody, GENESIS, event_hash};

use super::rows::EventRow;
use crate::blob::BlobStore;
use crate::error::{Result, StoreError};
use crate::model::AuditReport;

/// `Ok(Err(reason))` names the first broken record; `Err` is a failure to read at all.
pub(crate) async fn verify(
    pool: &SqlitePool,
    blobs: &BlobStore,
) -> Result<std::result::Result<AuditReport, String>> {
    let mut report = AuditReport::default();
    let mut rows = sqlx::query_as::<_, EventRow>(
        "SELECT id, stream, seq, at, actor, kind, data, prev_hash, hash FROM events ORDER BY stream, seq",
    )
    .fetch(pool);
    let mut current: Option<(String, i64, String)> = None; // stream, last seq, last hash
    // The last state each complaint's chain records, checked against the complaint rows below.
    let mut chain_states: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
    while let Some(r) = rows.try_next().await? {
        let at = |why: &str| format!("event {} (stream {}, seq {}): {why}", r.id, r.stream, r.seq);
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
        let data: serde_json::Value = match serde_json::from_str(&r.data) {
            Ok(d) => d,
            Err(_) => return Ok(Err(at("data is not valid JSON"))),
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
        current = Some((r.stream.clone(), r.seq, r.hash.clone()));
    }
    drop(rows);

    let states: Vec<(i64, String)> = sqlx::query_as("SELECT id, state FROM complaints ORDER BY id")
        .fetch_all(pool)
        .await?;
    for (id, state) in states {
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

    let evidence: Vec<(i64, String, Option<Vec<u8>>)> = sqlx::query_as(
        "SELECT complaint_id, sha256, inline_data FROM evidence ORDER BY complaint_id, sha256",
    )
    .fetch_all(pool)
    .await?;
    let blobs = blobs.clone();
    let checked = tokio::task::spawn_blocking(move || -> std::result::Result<u64, String> {
        let mut n = 0;
        for (cid, sha, inline) in evidence {
            let parsed = Sha256::parse(&sha)
                .map_err(|_| format!("evidence {sha} of complaint {cid}: bad digest"))?;
            match inline {
                Some(bytes) if Sha256::of(&bytes) == parsed => {}
                Some(_) => {
                    return Err(format!(
                        "evidence {sha} of complaint {cid}: content does not match its SHA-256"
                    ));
                }
                None => blobs
                    .verify(&parsed)
                    .map_err(|e| format!("complaint {cid}: {e}"))?,
            }
            n += 1;
        }
        Ok(n)
    })
    .await
    .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    match checked {
        Ok(n) => report.blobs = n,
        Err(e) => return Ok(Err(e)),
    }
    Ok(Ok(report))
}
