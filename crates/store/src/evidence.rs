//! The files attached to a complaint or to a report: one path for both subjects. Who may see or
//! add to a subject is its own module's check, made before these are called.

use serde_json::json;
use weiquan_domain::policy::Uploads;
use weiquan_domain::*;

use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::events;
use crate::model::*;
use crate::rows::*;
use crate::sql::{Val, vals};
use crate::time::to_ms;

/// What a file is attached to.
#[derive(Debug, Clone, Copy)]
pub enum Subject {
    Complaint(ComplaintId),
    Report(ReportId),
}

impl Subject {
    /// Its files' table, the column naming it there, and its id.
    fn table(self) -> (&'static str, &'static str, i64) {
        match self {
            Subject::Complaint(id) => ("evidence", "complaint_id", id.0),
            Subject::Report(id) => ("report_evidence", "report_id", id.0),
        }
    }

    fn stream(self) -> Stream {
        match self {
            Subject::Complaint(id) => Stream::Complaint(id),
            Subject::Report(id) => Stream::Report(id),
        }
    }

    fn no_such_file(self) -> StoreError {
        match self {
            Subject::Complaint(_) => StoreError::not_found(
                "这条投诉中没有这份证据",
                "no such evidence in this complaint",
            ),
            Subject::Report(_) => {
                StoreError::not_found("这条举报没有这份证据", "no such evidence on this report")
            }
        }
    }
}

pub(crate) const EVIDENCE_COLUMNS: &str =
    "sha256, size, content_type, kind, filename, uploaded_by, at";

pub(crate) async fn find<C: Conn>(
    tx: &mut Tx<'_, C>,
    subject: Subject,
    sha: &Sha256,
) -> Result<Option<Evidence>> {
    let (table, column, id) = subject.table();
    tx.query_opt(
        &format!("SELECT {EVIDENCE_COLUMNS} FROM {table} WHERE {column} = $1 AND sha256 = $2"),
        vals![id, sha.as_str()],
    )
    .await?
    .map(|r| EvidenceRow::from_row(r)?.try_into())
    .transpose()
}

/// One file, and its bytes when the database keeps them (a complaint's small platform records).
pub(crate) async fn get<C: Conn>(
    tx: &mut Tx<'_, C>,
    subject: Subject,
    sha: &Sha256,
) -> Result<(Evidence, Option<Vec<u8>>)> {
    let found = match subject {
        Subject::Complaint(id) => tx
            .query_opt(
                &format!(
                    "SELECT {EVIDENCE_COLUMNS}, inline_data FROM evidence WHERE complaint_id = $1 AND sha256 = $2"
                ),
                vals![id.0, sha.as_str()],
            )
            .await?
            .map(|mut r| -> Result<_> {
                // The bytes are the eighth column, after the evidence row's seven.
                let bytes = r.pop().map(Val::into_opt_bytes).transpose()?.flatten();
                Ok((EvidenceRow::from_row(r)?.try_into()?, bytes))
            })
            .transpose()?,
        Subject::Report(_) => find(tx, subject, sha).await?.map(|e| (e, None)),
    };
    found.ok_or_else(|| subject.no_such_file())
}

/// The bytes of a complaint's files that the database keeps (its frozen order), by digest.
pub(crate) async fn inline_files<C: Conn>(
    tx: &mut Tx<'_, C>,
    id: ComplaintId,
) -> Result<Vec<(String, Vec<u8>)>> {
    tx.query(
        "SELECT sha256, inline_data FROM evidence WHERE complaint_id = $1 AND inline_data IS NOT NULL ORDER BY sha256",
        vals![id.0],
    )
    .await?
    .into_iter()
    .map(|mut r| {
        let bytes = r.swap_remove(1).into_opt_bytes()?.unwrap_or_default();
        Ok((r.swap_remove(0).into_text()?, bytes))
    })
    .collect()
}

/// A subject's files, oldest first.
pub(crate) async fn list<C: Conn>(tx: &mut Tx<'_, C>, subject: Subject) -> Result<Vec<Evidence>> {
    let (table, column, id) = subject.table();
    let rows = tx
        .query(
            &format!(
                "SELECT {EVIDENCE_COLUMNS} FROM {table} WHERE {column} = $1 ORDER BY at, sha256"
            ),
            vals![id],
        )
        .await?;
    each(rows, |r| EvidenceRow::from_row(r)?.try_into())
}

/// Records a file; `inline` keeps its bytes in the database (a complaint's only).
pub(crate) async fn insert<C: Conn>(
    tx: &mut Tx<'_, C>,
    subject: Subject,
    ev: &Evidence,
    inline: Option<&[u8]>,
) -> Result<()> {
    let (table, column, id) = subject.table();
    let fields = vals![
        id,
        ev.sha256.as_str(),
        ev.kind.as_str(),
        ev.size,
        ev.content_type.as_str(),
        ev.filename.as_deref(),
        ev.uploaded_by.map(|u| u.0),
        to_ms(ev.at),
    ];
    let columns = "sha256, kind, size, content_type, filename, uploaded_by, at";
    match inline {
        None => {
            tx.defer(
                &format!(
                    "INSERT INTO {table} ({column}, {columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                ),
                fields,
            )
            .await?
        }
        Some(bytes) => {
            let mut with = fields.to_vec();
            with.push(crate::sql::Val::from(Some(bytes)));
            tx.defer(
                &format!(
                    "INSERT INTO {table} ({column}, {columns}, inline_data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                ),
                &with,
            )
            .await?
        }
    };
    Ok(())
}

/// Files and bytes so far, per subject and per uploader (over both subjects' tables), against
/// the policy's quotas; one more of `size` bytes must fit in both.
pub(crate) async fn check_quota<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    subject: Subject,
    size: i64,
    quota: &Uploads,
) -> Result<()> {
    let (table, column, id) = subject.table();
    let row = o
        .query(
            &format!(
                // SUM over BIGINT is NUMERIC on PostgreSQL: cast back.
                "SELECT (SELECT COUNT(*) FROM {table} WHERE {column} = $1 AND uploaded_by IS NOT NULL), \
                 (SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM {table} WHERE {column} = $1 AND uploaded_by IS NOT NULL), \
                 (SELECT COUNT(*) FROM evidence WHERE uploaded_by = $2) \
                 + (SELECT COUNT(*) FROM report_evidence WHERE uploaded_by = $2), \
                 (SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM evidence WHERE uploaded_by = $2) \
                 + (SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM report_evidence WHERE uploaded_by = $2)"
            ),
            vals![id, actor.id.0],
        )
        .await?;
    let row = row
        .first()
        .ok_or_else(|| StoreError::Corrupt("quota".into()))?;
    let n = |i: usize| row[i].int().map(|v| v.max(0) as u64);
    let (files, bytes, user_files, user_bytes) = (n(0)?, n(1)?, n(2)?, n(3)?);
    let size = size.max(0) as u64;
    let mib = |b: u64| b.div_ceil(1024 * 1024);
    if files >= quota.files_per_subject as u64 {
        return Err(StoreError::conflict(
            "upload_quota",
            format!("这里最多只能上传 {} 个文件", quota.files_per_subject),
            format!(
                "at most {} files can be uploaded here",
                quota.files_per_subject
            ),
        ));
    }
    if bytes + size > quota.bytes_per_subject() {
        return Err(StoreError::conflict(
            "upload_quota",
            format!(
                "这里的文件合计不能超过 {} MiB（已用 {} MiB）",
                quota.mib_per_subject,
                mib(bytes)
            ),
            format!(
                "the files here may total at most {} MiB ({} MiB used)",
                quota.mib_per_subject,
                mib(bytes)
            ),
        ));
    }
    if user_files >= quota.files_per_user as u64 || user_bytes + size > quota.bytes_per_user() {
        return Err(StoreError::conflict(
            "upload_quota",
            format!(
                "您上传的文件已达上限（{} 个、{} MiB）",
                quota.files_per_user, quota.mib_per_user
            ),
            format!(
                "you have reached your upload limit ({} files, {} MiB)",
                quota.files_per_user, quota.mib_per_user
            ),
        ));
    }
    Ok(())
}

/// Attaches a file (already in the blob store) that `actor` may add to the subject. The same
/// file twice is one piece of evidence; each new one is an event in the subject's chain.
pub(crate) async fn add<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    subject: Subject,
    ev: crate::NewEvidence,
    quota: &Uploads,
    now: Timestamp,
) -> Result<Evidence> {
    if let Some(existing) = find(o, subject, &ev.sha256).await? {
        return Ok(existing);
    }
    check_quota(o, actor, subject, ev.size, quota).await?;
    let ev = Evidence {
        sha256: ev.sha256,
        size: ev.size,
        content_type: ev.content_type,
        kind: ev.kind,
        filename: ev.filename,
        uploaded_by: Some(actor.id),
        at: now,
    };
    insert(o, subject, &ev, None).await?;
    let data = json!({"sha256": ev.sha256, "kind": ev.kind, "size": ev.size, "content_type": ev.content_type, "filename": ev.filename});
    events::append(
        o,
        &subject.stream(),
        &actor.event_name(),
        EventKind::EvidenceAdded,
        &data,
        now,
    )
    .await?;
    Ok(ev)
}
