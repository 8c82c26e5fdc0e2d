//! `weiquan audit verify` on SQLite: one read transaction, rows streamed through the checker.

use rusqlite::Connection;

use crate::audit::Checker;
use crate::error::Result;
use crate::rows::EventRow;

/// Checks the rows in one read transaction; the caller then rehashes the blobs.
/// `Ok(Err(reason))` names the first broken record; `Err` is a failure to read at all.
pub(crate) fn verify(conn: &Connection) -> Result<std::result::Result<Checker, String>> {
    let tx = conn.unchecked_transaction()?;
    let mut check = Checker::default();
    let mut stmt = tx.prepare("SELECT id, stream, seq, at, actor, kind, data, prev_hash, hash FROM events ORDER BY stream, seq")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        if let Err(e) = check.event(EventRow::from_row(row)?) {
            return Ok(Err(e));
        }
    }
    let mut stmt = tx.prepare("SELECT id, state FROM complaints ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        if let Err(e) = check.complaint(row.get(0)?, &row.get::<_, String>(1)?) {
            return Ok(Err(e));
        }
    }
    let mut stmt = tx.prepare(
        "SELECT complaint_id, sha256, inline_data FROM evidence ORDER BY complaint_id, sha256",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let inline: Option<Vec<u8>> = row.get(2)?;
        if let Err(e) = check.evidence(row.get(0)?, &row.get::<_, String>(1)?, inline.as_deref()) {
            return Ok(Err(e));
        }
    }
    let mut stmt =
        tx.prepare("SELECT report_id, sha256 FROM report_evidence ORDER BY report_id, sha256")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        if let Err(e) = check.report_evidence(row.get(0)?, &row.get::<_, String>(1)?) {
            return Ok(Err(e));
        }
    }
    Ok(Ok(check))
}
