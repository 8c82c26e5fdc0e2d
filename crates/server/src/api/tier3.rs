//! Tier 3 and the shop's standing: reports (举报), violation cases and their actions, penalty
//! appeals, and a shop's published history.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use weiquan_domain::tier3::*;
use weiquan_domain::*;
use weiquan_store::*;

use super::complaints::{page_limit, parse_cursor};
use super::marketplace::shop_id;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::evidence::{self, Subject, Via};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    #[param(value_type = Option<CaseState>)]
    pub state: Option<String>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 50 by default.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CasePage {
    pub items: Vec<Case>,
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseQuery),
    responses((status = 200, body = CasePage, description = "every case for staff; a merchant's own shops' cases"), (status = 403)),
    security(("bearer" = [])))]
pub async fn cases(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<CaseQuery>,
) -> ApiResult<axum::Json<CasePage>> {
    let limit = page_limit(q.limit)?;
    let before = parse_cursor(q.cursor.as_deref())?;
    let st = q.state.as_deref().map(CaseState::parse).transpose()?;
    let page = state.store.cases(&user.actor(), st, before, limit).await?;
    Ok(axum::Json(CasePage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = Case), (status = 404)), security(("bearer" = [])))]
pub async fn case(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<Case>> {
    Ok(axum::Json(
        state.store.case(&user.actor(), CaseId(id)).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/events", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Event>), (status = 404)), security(("bearer" = [])))]
pub async fn case_events(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<Vec<Event>>> {
    Ok(axum::Json(
        state.store.case_events(&user.actor(), CaseId(id)).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/actions", tag = "cases", params(("id" = i64, Path)),
    request_body = CaseActionRequest,
    responses((status = 200, body = Case), (status = 403), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn case_act(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CaseActionRequest>,
) -> ApiResult<axum::Json<Case>> {
    let action = CaseAction::parse(&req)?;
    let name = action.name();
    let case = state
        .store
        .case_act(&user.actor(), CaseId(id), action, state.clock.now())
        .await?;
    tracing::info!(case = id, action = name, state = %case.state, "case acted");
    Ok(axum::Json(case))
}

#[utoipa::path(post, path = "/api/v1/reports", tag = "cases", request_body = ReportRequest,
    responses((status = 201, body = Report), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn file_report(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiJson(req): ApiJson<ReportRequest>,
) -> ApiResult<(StatusCode, axum::Json<Report>)> {
    let report = NewReport::parse(&req)?;
    let r = state
        .store
        .file_report(&user.actor(), report, Channel::Web, state.clock.now())
        .await?;
    tracing::info!(report = %r.id, case = %r.case_id, kind = r.kind.as_str(), "reported");
    Ok((StatusCode::CREATED, axum::Json(r)))
}

#[utoipa::path(post, path = "/api/v1/reports/{id}/evidence", tag = "cases", params(("id" = i64, Path)),
    request_body(content = super::complaints::EvidenceUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = Evidence, description = "the file, recorded in the report's chain"),
        (status = 404, description = "no such report, or not one the caller may see"),
        (status = 413), (status = 415), (status = 422)),
    security(("bearer" = [])))]
pub async fn upload_report_evidence(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<ReportId>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, axum::Json<Evidence>)> {
    let subject = Subject::Report(id);
    let ev = evidence::upload(&state, &user.actor(), subject, Via::Api, multipart).await?;
    Ok((StatusCode::CREATED, axum::Json(ev)))
}

#[utoipa::path(get, path = "/api/v1/reports/{id}/evidence", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = [Evidence]), (status = 404)), security(("bearer" = [])))]
pub async fn list_report_evidence(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<ReportId>,
) -> ApiResult<axum::Json<Vec<Evidence>>> {
    Ok(axum::Json(
        state.store.report_evidence_list(&user.actor(), id).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/reports/{id}/evidence/{sha256}", tag = "cases",
    params(("id" = i64, Path), ("sha256" = String, Path)),
    responses((status = 200, description = "the file's bytes"), (status = 404)), security(("bearer" = [])))]
pub async fn get_report_evidence(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath((id, sha)): ApiPath<(ReportId, String)>,
) -> ApiResult<axum::response::Response> {
    let sha = Sha256::parse(&sha).map_err(|_| ApiError::not_found())?;
    let (ev, bytes) = state.store.report_evidence(&user.actor(), id, &sha).await?;
    Ok(evidence::evidence_response(&ev, bytes))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReportPage {
    pub items: Vec<Report>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 50 by default.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/reports", tag = "cases", params(PageParams),
    responses((status = 200, body = ReportPage, description = "a consumer's own reports; the IP notices about a merchant's shops; all for staff")),
    security(("bearer" = [])))]
pub async fn reports(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<axum::Json<ReportPage>> {
    let limit = page_limit(q.limit)?;
    let before = parse_cursor(q.cursor.as_deref())?;
    let page = state.store.reports(&user.actor(), before, limit).await?;
    Ok(axum::Json(ReportPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = Report), (status = 404)), security(("bearer" = [])))]
pub async fn report(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<ReportId>,
) -> ApiResult<axum::Json<Report>> {
    Ok(axum::Json(state.store.report(&user.actor(), id).await?))
}

#[utoipa::path(get, path = "/api/v1/reports/{id}/events", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Event>), (status = 404)), security(("bearer" = [])))]
pub async fn report_events(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<ReportId>,
) -> ApiResult<axum::Json<Vec<Event>>> {
    Ok(axum::Json(
        state.store.report_events(&user.actor(), id).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/reports/{id}/actions", tag = "cases", params(("id" = i64, Path)),
    request_body = ReportActionRequest,
    responses((status = 200, body = Report), (status = 403), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn report_act(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<ReportId>,
    ApiJson(req): ApiJson<ReportActionRequest>,
) -> ApiResult<axum::Json<Report>> {
    let action = ReportAction::parse(&req)?;
    Ok(axum::Json(
        state
            .store
            .report_act(&user.actor(), id, action, state.clock.now())
            .await?,
    ))
}

/// An appeal's (or its decision's) reason, for the API and the shop page alike.
pub(crate) fn appeal_reason(r: &PenaltyAppealRequest) -> Result<String, DomainError> {
    match &r.reason {
        Some(s) => parse_text("reason", s, 5, 2000),
        None => Err(DomainError::invalid(
            "reason",
            "此项必填",
            "this field is required",
        )),
    }
}

#[utoipa::path(post, path = "/api/v1/shops/{id}/penalties/{penalty_id}/appeal", tag = "marketplace",
    params(("id" = String, Path), ("penalty_id" = i64, Path)), request_body = PenaltyAppealRequest,
    responses((status = 200, body = Vec<PenaltyRecord>), (status = 403), (status = 404), (status = 409, description = "`appeal_used`: appealed once already"), (status = 422)),
    security(("bearer" = [])))]
pub async fn appeal_penalty(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath((id, penalty)): ApiPath<(String, PenaltyId)>,
    ApiJson(req): ApiJson<PenaltyAppealRequest>,
) -> ApiResult<axum::Json<Vec<PenaltyRecord>>> {
    let shop = shop_id(&id)?;
    let reason = appeal_reason(&req)?;
    state
        .store
        .appeal_penalty(&user.actor(), &shop, penalty, reason, state.clock.now())
        .await?;
    Ok(axum::Json(state.store.penalties(&shop).await?))
}

#[utoipa::path(post, path = "/api/v1/shops/{id}/penalties/{penalty_id}/appeal/decision", tag = "marketplace",
    params(("id" = String, Path), ("penalty_id" = i64, Path)), request_body = PenaltyAppealRequest,
    responses((status = 200, body = Vec<PenaltyRecord>), (status = 403), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn decide_penalty_appeal(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath((id, penalty)): ApiPath<(String, PenaltyId)>,
    ApiJson(req): ApiJson<PenaltyAppealRequest>,
) -> ApiResult<axum::Json<Vec<PenaltyRecord>>> {
    let shop = shop_id(&id)?;
    let mut errors = error::FieldErrors::new();
    let reason = errors.take(appeal_reason(&req));
    let overturn = errors.take(match req.decision.as_deref() {
        Some("upheld") => Ok(false),
        Some("overturned") => Ok(true),
        _ => Err(DomainError::invalid(
            "decision",
            "裁决应为 upheld（维持）或 overturned（撤销）",
            "decision must be upheld or overturned",
        )),
    });
    errors.finish()?;
    state
        .store
        .decide_penalty_appeal(
            &user.actor(),
            &shop,
            penalty,
            overturn.expect("checked"),
            reason.expect("checked"),
            state.clock.now(),
        )
        .await?;
    Ok(axum::Json(state.store.penalties(&shop).await?))
}

#[utoipa::path(get, path = "/api/v1/shops/{id}/events", tag = "marketplace", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Event>, description = "the shop's published history: violations, penalties, appeals, takedowns"), (status = 404)))]
pub async fn shop_events(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<axum::Json<Vec<Event>>> {
    let shop = shop_id(&id)?;
    state
        .store
        .shop(&shop, state.clock.now())
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(axum::Json(state.store.shop_events(None, &shop).await?))
}
