//! The authorities' bundle over HTTP (电子商务法 Art. 62; `docs/audit.md`): regulators and
//! admins download a complaint's, a case's, a shop's or a period's archive. The export is
//! recorded before the first byte leaves; the archive is streamed as it is written, and a
//! failure half-way breaks the download rather than end it as if complete.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::io::AsyncReadExt;
use weiquan_domain::bundle::BundleScope;
use weiquan_domain::*;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, Auth};

/// How much of the archive waits between the writer and the connection.
const PIPE: usize = 256 * 1024;

/// Records the export and answers with its archive, streamed.
pub(crate) async fn download(
    state: &AppState,
    actor: &Actor,
    scope: BundleScope,
) -> ApiResult<Response> {
    let ticket = state
        .store
        .begin_export(actor, scope, state.clock.now())
        .await?;
    let (mut writing, reading) = tokio::io::duplex(PIPE);
    let (done, outcome) = tokio::sync::oneshot::channel();
    let (store, key, t) = (
        state.store.clone(),
        state.platform_key.clone(),
        ticket.clone(),
    );
    tokio::spawn(async move {
        let written = store.write_bundle(&t, &key, &mut writing).await;
        if let Err(e) = &written {
            tracing::error!(scope = %t.scope().name(), "bundle export failed: {e}");
        }
        let _ = done.send(written.is_ok());
    });
    let chunks = futures::stream::unfold(
        (reading, Some(outcome)),
        |(mut reading, outcome)| async move {
            let mut buf = vec![0u8; 64 * 1024];
            match reading.read(&mut buf).await {
                Ok(0) => match outcome?.await {
                    Ok(true) => None,
                    _ => Some((
                        Err(std::io::Error::other("the bundle could not be completed")),
                        (reading, None),
                    )),
                },
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(Bytes::from(buf)), (reading, outcome)))
                }
                Err(e) => Some((Err(e), (reading, None))),
            }
        },
    );
    let mut res = Body::from_stream(chunks).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-tar"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{}\"", ticket.file_name()))
            .map_err(|_| ApiError::not_found())?,
    );
    Ok(res)
}

#[utoipa::path(post, path = "/api/v1/complaints/{id}/bundle", tag = "audit", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/x-tar", description = "the complaint's bundle: its record, chain and evidence, with the signed manifest")),
    security(("bearer" = [])))]
pub async fn complaint(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    download(
        &state,
        &user.actor(),
        BundleScope::Complaint(ComplaintId(id)),
    )
    .await
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/bundle", tag = "audit", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/x-tar", description = "the case's bundle, its member complaints and reports included")),
    security(("bearer" = [])))]
pub async fn case(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    download(&state, &user.actor(), BundleScope::Case(CaseId(id))).await
}

#[utoipa::path(post, path = "/api/v1/shops/{id}/bundle", tag = "audit", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/x-tar", description = "the shop's bundle: its record and chain, and every complaint, report and case about it")),
    security(("bearer" = [])))]
pub async fn shop(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    let id = ShopId::parse(&id).map_err(|_| access::not_found_shop())?;
    download(&state, &user.actor(), BundleScope::Shop(id)).await
}

/// A period to export.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PeriodRequest {
    /// Start: a day (Asia/Shanghai) or an RFC 3339 time.
    pub from: String,
    /// End, exclusive.
    pub to: String,
}

/// The period a request names; refuses an inverted one.
pub fn period(p: &PeriodRequest) -> Result<BundleScope, DomainError> {
    let mut errors = error::FieldErrors::new();
    let from = errors.take(parse_day_or_time("from", &p.from));
    let to = errors.take(parse_day_or_time("to", &p.to));
    errors.finish()?;
    BundleScope::period(from.expect("checked"), to.expect("checked"))
}

#[utoipa::path(post, path = "/api/v1/bundles", tag = "audit", request_body = PeriodRequest,
    responses((status = 200, content_type = "application/x-tar", description = "every complaint, report, case and shop with an event in the period, each chain whole")),
    security(("bearer" = [])))]
pub async fn period_bundle(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiJson(p): ApiJson<PeriodRequest>,
) -> ApiResult<Response> {
    let actor = user.actor();
    // Who may export is told before what is wrong with the period.
    access::check_export(&actor)?;
    download(&state, &actor, period(&p)?).await
}
