//! Evidence on a complaint's page: the upload form, read and checked, and the bytes for previews.

use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use weiquan_domain::*;

use super::show;
use crate::AppState;
use crate::error::ApiError;
use crate::evidence::{self, Subject, Via};
use crate::web::session::Web;
use crate::web::{Form, FormError, error_page};

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
    let result = evidence::upload(
        &state,
        &actor,
        Subject::Complaint(id),
        Via::Page(&headers),
        multipart,
    )
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/complaints/{id}#evidence")).into_response(),
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
        Ok((ev, bytes)) => evidence::evidence_response(&ev, bytes),
        Err(e) => error_page(&c, e.into()),
    }
}
