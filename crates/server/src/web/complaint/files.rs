//! Evidence on a complaint's page: the upload form, read and checked, and the bytes for previews.

use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use weiquan_domain::*;
use weiquan_store::NewEvidence;

use super::show;
use crate::AppState;
use crate::error::{ApiError, too_large};
use crate::web::session::{Web, check_csrf, session_secret};
use crate::web::{Form, FormError, error_page};

/// Reads the upload form: `csrf` first (checked before the file is read), then `kind`, `file`.
pub(super) async fn read_upload(
    state: &AppState,
    headers: &HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(Vec<u8>, Option<String>, EvidenceKind), ApiError> {
    let bad_form = |_: axum::extract::multipart::MultipartError| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_multipart",
            "上传的表单格式有误",
            "the upload form is malformed",
        )
    };
    let mut multipart = multipart.map_err(|_| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "请以 multipart/form-data 上传，字段为 file 和 kind",
            "upload as multipart/form-data with fields file and kind",
        )
    })?;
    let limit = state.store.blobs().max_size();
    let mut checked = false;
    let (mut file, mut filename, mut kind) = (None, None, None);
    while let Some(mut field) = multipart.next_field().await.map_err(bad_form)? {
        match field.name() {
            Some("csrf") => {
                let t = field.text().await.map_err(bad_form)?;
                check_csrf(session_secret(headers), &t)?;
                checked = true;
            }
            _ if !checked => check_csrf(None, "")?,
            Some("kind") => kind = Some(field.text().await.map_err(bad_form)?),
            Some("file") => {
                filename = field
                    .file_name()
                    .filter(|n| !n.is_empty())
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
                file = Some(buf).filter(|b| !b.is_empty());
            }
            _ => {}
        }
    }
    if !checked {
        check_csrf(None, "")?;
    }
    let mut errs = weiquan_domain::error::FieldErrors::new();
    let kind = match kind.as_deref() {
        Some(k) => errs.take(EvidenceKind::parse(k)),
        None => None,
    };
    if file.is_none() {
        errs.push(FieldError::new(
            "file",
            "请选择要上传的文件",
            "choose a file to upload",
        ));
    }
    errs.finish()?;
    Ok((
        file.expect("checked"),
        filename,
        kind.unwrap_or(EvidenceKind::Other),
    ))
}

/// Reads the upload form, checks what the file really is, and keeps its bytes in the blob store.
pub(in crate::web) async fn store_upload(
    state: &AppState,
    headers: &HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<NewEvidence, ApiError> {
    let (bytes, filename, kind) = read_upload(state, headers, multipart).await?;
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

pub async fn upload(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<i64>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let lang = c.lang;
    let id = ComplaintId(id);
    let actor = c.actor();
    let result = async {
        // Refuse before reading the body, as the API does.
        let k = state.store.complaint(&actor, id).await?;
        access::check_contribute(&actor, &k)?;
        let ev = store_upload(&state, &headers, multipart).await?;
        state
            .store
            .add_evidence(&actor, id, ev, state.clock.now())
            .await?;
        Ok::<_, ApiError>(())
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&format!("/complaints/{id}#evidence")).into_response(),
        Err(e) if e.code == "csrf" || e.status == StatusCode::NOT_FOUND => error_page(&c, e),
        Err(e) => {
            let status = e.status;
            show(
                &state,
                c,
                id,
                Form::default(),
                Some((status, FormError::of(e, lang))),
            )
            .await
        }
    }
}

/// Evidence bytes for previews, through the same permission check and headers as the API.
pub async fn evidence(
    State(state): State<AppState>,
    Web(c): Web,
    Path((id, sha)): Path<(i64, String)>,
) -> Response {
    let Ok(sha) = Sha256::parse(&sha) else {
        return error_page(&c, ApiError::not_found());
    };
    match state
        .store
        .evidence(&c.actor(), ComplaintId(id), &sha)
        .await
    {
        Ok((ev, bytes)) => crate::api::complaints::evidence_response(&ev, bytes),
        Err(e) => error_page(&c, e.into()),
    }
}
