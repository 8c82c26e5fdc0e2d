//! Evidence over HTTP, one path for the API and the pages, for complaints and reports alike: the
//! upload refused early, read, checked and kept; the file served back.

use axum::body::Body;
use axum::extract::Multipart;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use weiquan_domain::*;
use weiquan_store::{Evidence, NewEvidence};

use crate::AppState;
use crate::error::{ApiError, too_large};
use crate::web::session::{check_csrf, session_secret};

/// What a file is attached to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Subject {
    Complaint(ComplaintId),
    Report(ReportId),
}

/// Who sends the upload form: an API client, or a page (its CSRF token first, and a form whose
/// empty file input and missing kind mean "no file" and "other").
#[derive(Debug, Clone, Copy)]
pub(crate) enum Via<'a> {
    Api,
    Page(&'a HeaderMap),
}

/// Attaches an uploaded file to the subject: refused before the body is read when `actor` may
/// not add to it or its quota is used up, so nobody fills the disk through someone else's
/// complaint or report, nor with uploads that would be refused.
pub(crate) async fn upload(
    state: &AppState,
    actor: &Actor,
    subject: Subject,
    via: Via<'_>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Evidence, ApiError> {
    let to = match subject {
        Subject::Complaint(id) => weiquan_store::EvidenceSubject::Complaint(id),
        Subject::Report(id) => weiquan_store::EvidenceSubject::Report(id),
    };
    if let Err(e) = state.store.may_upload(actor, to).await {
        // Refused before anything is kept, but the file is read to its end and dropped: a
        // client still sending it when the connection closed would get a broken pipe instead
        // of this answer. The body limit bounds what is read.
        if let Ok(mut m) = multipart {
            while let Ok(Some(mut field)) = m.next_field().await {
                while let Ok(Some(_)) = field.chunk().await {}
            }
        }
        return Err(e.into());
    }
    let ev = read_upload(state, via, multipart).await?;
    let now = state.clock.now();
    Ok(match subject {
        Subject::Complaint(id) => state.store.add_evidence(actor, id, ev, now).await?,
        Subject::Report(id) => state.store.add_report_evidence(actor, id, ev, now).await?,
    })
}

/// Reads an upload (multipart: `file`, `kind`, and a page's `csrf` first, checked before the
/// file is read), checks what the file is, and puts its bytes in the blob store.
async fn read_upload(
    state: &AppState,
    via: Via<'_>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<NewEvidence, ApiError> {
    let page = matches!(via, Via::Page(_));
    let mut multipart = multipart.map_err(|_| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "请以 multipart/form-data 上传，字段为 file 和 kind",
            "upload as multipart/form-data with fields file and kind",
        )
    })?;
    let limit = state.store.blobs().max_size();
    let bad_form = |_: MultipartError| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_multipart",
            "上传的表单格式有误",
            if page {
                "the upload form is malformed"
            } else {
                "the multipart form is malformed"
            },
        )
    };
    // An API client has no CSRF token to give.
    let mut checked = !page;
    let (mut file, mut filename, mut kind): (Option<Vec<u8>>, Option<String>, Option<String>) =
        (None, None, None);
    while let Some(mut field) = multipart.next_field().await.map_err(bad_form)? {
        match (field.name(), via) {
            (Some("csrf"), Via::Page(headers)) => {
                let t = field.text().await.map_err(bad_form)?;
                check_csrf(session_secret(state, headers), &t)?;
                checked = true;
            }
            _ if !checked => check_csrf(None, "")?,
            (Some("kind"), _) => kind = Some(field.text().await.map_err(bad_form)?),
            (Some("file"), _) => {
                filename = field
                    .file_name()
                    .filter(|n| !(page && n.is_empty()))
                    .map(|n| n.chars().take(200).collect());
                let mut buf = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        too_large(limit)
                    } else {
                        bad_form(e)
                    }
                })? {
                    if (buf.len() + chunk.len()) as u64 > limit {
                        return Err(too_large(limit));
                    }
                    buf.extend_from_slice(&chunk);
                }
                file = Some(buf).filter(|b| !(page && b.is_empty()));
            }
            _ => {}
        }
    }
    if !checked {
        check_csrf(None, "")?;
    }
    let mut errs = weiquan_domain::error::FieldErrors::new();
    let kind = match kind {
        Some(k) => errs.take(EvidenceKind::parse(&k)),
        None if page => Some(EvidenceKind::Other),
        None => {
            errs.push(FieldError::new(
                "kind",
                "请选择证据类型",
                "kind is required",
            ));
            None
        }
    };
    if file.is_none() {
        errs.push(FieldError::new(
            "file",
            "请选择要上传的文件",
            if page {
                "choose a file to upload"
            } else {
                "file is required"
            },
        ));
    }
    errs.finish()?;
    keep(
        state,
        file.expect("checked"),
        kind.expect("checked"),
        filename,
    )
    .await
}

/// A file's bytes checked for what they are and put in the blob store.
async fn keep(
    state: &AppState,
    bytes: Vec<u8>,
    kind: EvidenceKind,
    filename: Option<String>,
) -> Result<NewEvidence, ApiError> {
    let content_type = weiquan_store::blob::sniff(&bytes, kind)?;
    let size = bytes.len() as i64;
    let sha = state.store.blobs().clone().put(bytes).await?;
    Ok(NewEvidence {
        sha256: sha,
        size,
        content_type: content_type.to_owned(),
        kind,
        filename,
    })
}

/// A file already read from a larger form (the complaint form's evidence).
pub(crate) struct ReadFile {
    pub bytes: Vec<u8>,
    pub filename: Option<String>,
    pub kind: EvidenceKind,
}

/// Attaches a file read with another form to a complaint, through the same checks and quotas
/// as an upload of its own.
pub(crate) async fn attach(
    state: &AppState,
    actor: &Actor,
    id: ComplaintId,
    file: ReadFile,
) -> Result<Evidence, ApiError> {
    let limit = state.store.blobs().max_size();
    if file.bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    state
        .store
        .may_upload(actor, weiquan_store::EvidenceSubject::Complaint(id))
        .await?;
    let ev = keep(state, file.bytes, file.kind, file.filename).await?;
    Ok(state
        .store
        .add_evidence(actor, id, ev, state.clock.now())
        .await?)
}

/// An evidence file as a response: its own type, never run as a page of ours, cached forever
/// (its address names its hash).
pub(crate) fn evidence_response(ev: &Evidence, bytes: Vec<u8>) -> Response {
    let mut res = Body::from(bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&ev.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    // Uploaded bytes never run as a page of ours.
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'; img-src 'self'; media-src 'self'"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&format!("\"{}\"", ev.sha256)).expect("hex is a valid header"),
    );
    res
}
