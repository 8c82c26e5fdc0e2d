//! `/api/v1/complaints`: filing, reading, acting, messages, evidence, the event chain.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use weiquan_domain::action::ActionRequest;
use weiquan_domain::complaint::FileComplaintRequest;
use weiquan_domain::*;
use weiquan_store::*;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::evidence::{self, Subject, Via};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};

/// A complaint as callers see it, with who has to act next.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ComplaintView {
    #[serde(flatten)]
    pub complaint: Complaint,
    /// consumer, merchant, cs_agent, protection or jury (a public jury is voting); absent once
    /// finished.
    pub next_actor: Option<&'static str>,
}

impl From<Complaint> for ComplaintView {
    fn from(c: Complaint) -> Self {
        ComplaintView {
            next_actor: c.next_actor(),
            complaint: c,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ComplaintPage {
    pub items: Vec<ComplaintView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(value_type = Option<weiquan_domain::State>)]
    pub state: Option<String>,
    #[param(value_type = Option<Tier>)]
    pub tier: Option<String>,
    /// Only this shop's (e.g. `shop-001`).
    pub shop_id: Option<String>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 50 by default.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// Parses a page size: 1–200, 50 by default.
pub fn page_limit(limit: Option<u32>) -> Result<u32, DomainError> {
    match limit {
        None => Ok(50),
        Some(n) if (1..=200).contains(&n) => Ok(n),
        Some(_) => Err(DomainError::invalid(
            "limit",
            "每页数量应在1到200之间",
            "limit must be between 1 and 200",
        )),
    }
}

pub fn parse_cursor(c: Option<&str>) -> Result<Option<i64>, DomainError> {
    c.map(|s| {
        s.parse::<i64>()
            .map_err(|_| DomainError::invalid("cursor", "分页游标无效", "invalid cursor"))
    })
    .transpose()
}

#[utoipa::path(post, path = "/api/v1/complaints", tag = "complaints", request_body = FileComplaintRequest,
    responses((status = 201, body = ComplaintView, description = "the complaint as filed; whether it joins a collective wave is decided right after the filing commits (normally within milliseconds), so `collective_case_id` and `major` show it on later reads, not here"),
        (status = 404, description = "no such order among yours"),
        (status = 409, description = "the order has a complaint in progress"), (status = 422)),
    security(("bearer" = [])))]
pub async fn file(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiJson(req): ApiJson<FileComplaintRequest>,
) -> ApiResult<(StatusCode, axum::Json<ComplaintView>)> {
    let new = NewComplaint::parse(&req)?;
    let channel = if new.on_behalf_of.is_some() {
        Channel::Phone
    } else {
        Channel::Api
    };
    let c = state
        .store
        .file_complaint(&user.actor(), new, channel, state.clock.now())
        .await?;
    state.metrics.complaints_filed.inc();
    tracing::info!(complaint = %c.id, "filed");
    Ok((StatusCode::CREATED, axum::Json(c.into())))
}

#[utoipa::path(get, path = "/api/v1/complaints", tag = "complaints", params(ListQuery),
    responses((status = 200, body = ComplaintPage)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<axum::Json<ComplaintPage>> {
    let mut errs = weiquan_domain::error::FieldErrors::new();
    let filter = ComplaintFilter {
        state: q
            .state
            .as_deref()
            .and_then(|s| errs.take(weiquan_domain::State::parse(s))),
        tier: q.tier.as_deref().and_then(|s| errs.take(Tier::parse(s))),
        shop_id: q
            .shop_id
            .as_deref()
            .and_then(|s| errs.take(ShopId::parse(s))),
        before_id: errs.take(parse_cursor(q.cursor.as_deref())).flatten(),
        limit: errs.take(page_limit(q.limit)).unwrap_or(50),
        ..Default::default()
    };
    errs.finish()?;
    let page = state.store.complaints(&user.actor(), filter).await?;
    Ok(axum::Json(ComplaintPage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(get, path = "/api/v1/complaints/{id}", tag = "complaints", params(("id" = i64, Path)),
    responses((status = 200, body = ComplaintView,
            headers(("ETag" = String, description = "the complaint's version, e.g. `\"7\"`: send it as `If-Match` with an action"))),
        (status = 404)), security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<(
    [(axum::http::HeaderName, String); 1],
    axum::Json<ComplaintView>,
)> {
    let (c, version) = state
        .store
        .complaint_at(&user.actor(), ComplaintId(id))
        .await?;
    Ok((
        [(axum::http::header::ETAG, format!("\"{version}\""))],
        axum::Json(c.into()),
    ))
}

#[utoipa::path(post, path = "/api/v1/complaints/{id}/actions", tag = "complaints",
    params(("id" = i64, Path),
        ("If-Match" = Option<String>, Header, description = "optional: the complaint's version the action was decided on (the `ETag` of `GET /complaints/{id}`, the `seq` of its last event), e.g. `\"7\"`; the same as the body's `version`")),
    request_body = ActionRequest,
    responses((status = 200, body = ComplaintView), (status = 403), (status = 404),
        (status = 409, description = "not possible in this state; `tier_order` when escalating too early; `stale_version` when the complaint changed after the given version (nothing done)"), (status = 422)),
    security(("bearer" = [])))]
pub async fn act(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    headers: axum::http::HeaderMap,
    ApiJson(req): ApiJson<ActionRequest>,
) -> ApiResult<axum::Json<ComplaintView>> {
    let version = match headers.get(axum::http::header::IF_MATCH) {
        Some(v) => Some(if_match(v)?),
        None => req.version,
    };
    let action = Action::parse(&req)?;
    let name = action.name();
    let c = state
        .store
        .act_at(
            &user.actor(),
            ComplaintId(id),
            action,
            version,
            state.clock.now(),
        )
        .await?;
    state.metrics.actions.inc();
    tracing::info!(
        complaint = id,
        action = name,
        state = c.state.as_str(),
        "acted"
    );
    Ok(axum::Json(c.into()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MessageRequest {
    pub body: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/complaints/{id}/messages", tag = "complaints", params(("id" = i64, Path)),
    request_body = MessageRequest, responses((status = 201, body = Message), (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn post_message(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<MessageRequest>,
) -> ApiResult<(StatusCode, axum::Json<Message>)> {
    let body = parse_text("body", req.body.as_deref().unwrap_or(""), 1, 2000)?;
    let m = state
        .store
        .add_message(&user.actor(), ComplaintId(id), body, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(m)))
}

#[utoipa::path(get, path = "/api/v1/complaints/{id}/messages", tag = "complaints", params(("id" = i64, Path)),
    responses((status = 200, body = [Message]), (status = 404)), security(("bearer" = [])))]
pub async fn list_messages(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<Vec<Message>>> {
    Ok(axum::Json(
        state.store.messages(&user.actor(), ComplaintId(id)).await?,
    ))
}

/// The multipart form of an upload, for the API description.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct EvidenceUpload {
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
    /// photo, video, chat_log, transaction_record or other.
    kind: String,
}

#[utoipa::path(post, path = "/api/v1/complaints/{id}/evidence", tag = "complaints", params(("id" = i64, Path)),
    request_body(content = EvidenceUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = Evidence), (status = 404), (status = 413), (status = 415), (status = 422)),
    security(("bearer" = [])))]
pub async fn upload_evidence(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, axum::Json<Evidence>)> {
    let subject = Subject::Complaint(ComplaintId(id));
    let ev = evidence::upload(&state, &user.actor(), subject, Via::Api, multipart).await?;
    Ok((StatusCode::CREATED, axum::Json(ev)))
}

#[utoipa::path(get, path = "/api/v1/complaints/{id}/evidence", tag = "complaints", params(("id" = i64, Path)),
    responses((status = 200, body = [Evidence]), (status = 404)), security(("bearer" = [])))]
pub async fn list_evidence(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<Vec<Evidence>>> {
    Ok(axum::Json(
        state
            .store
            .evidence_list(&user.actor(), ComplaintId(id))
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/complaints/{id}/evidence/{sha256}", tag = "complaints",
    params(("id" = i64, Path), ("sha256" = String, Path)),
    responses((status = 200, description = "the file's bytes"), (status = 404)), security(("bearer" = [])))]
pub async fn get_evidence(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath((id, sha)): ApiPath<(i64, String)>,
) -> ApiResult<Response> {
    let sha = Sha256::parse(&sha).map_err(|_| ApiError::not_found())?;
    let (ev, bytes) = state
        .store
        .evidence(&user.actor(), ComplaintId(id), &sha)
        .await?;
    Ok(evidence::evidence_response(&ev, bytes))
}

#[utoipa::path(get, path = "/api/v1/complaints/{id}/events", tag = "complaints", params(("id" = i64, Path)),
    responses((status = 200, body = [Event], description = "the complaint's hash chain, in order"), (status = 404)),
    security(("bearer" = [])))]
pub async fn events(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<Vec<Event>>> {
    Ok(axum::Json(
        state
            .store
            .complaint_events(&user.actor(), ComplaintId(id))
            .await?,
    ))
}

/// An `If-Match` version: `"7"`, `W/"7"` or `7`.
fn if_match(v: &axum::http::HeaderValue) -> Result<i64, DomainError> {
    v.to_str()
        .ok()
        .map(|s| s.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|n| *n >= 0)
        .ok_or_else(|| {
            DomainError::invalid(
                "version",
                "If-Match 应为投诉的版本号（其处理记录最后一条的序号），例如 \"7\"",
                "If-Match is the complaint's version (its last event's seq), e.g. \"7\"",
            )
        })
}
