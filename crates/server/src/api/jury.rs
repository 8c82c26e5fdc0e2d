//! The public jury (大众评审, `docs/jury.md`): tier 2 sends a complaint to a panel; jurors list
//! their panels, read the case with identities hidden, vote with a reason, or leave; staff read
//! a panel, its chain, and jurors' agreement with final outcomes.

use axum::extract::State;
use axum::http::StatusCode;
use weiquan_domain::jury::{SendRequest, SendToJury, VoteRequest};
use weiquan_domain::*;
use weiquan_store::*;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, Auth};

#[utoipa::path(post, path = "/api/v1/complaints/{id}/jury", tag = "jury", params(("id" = i64, Path)),
    request_body = SendRequest,
    responses((status = 201, body = JuryView, description = "the panel drawn, as tier 2 sees it; its jurors are invited"),
        (status = 403, description = "only a consumer-protection specialist sends a complaint to a jury"),
        (status = 404),
        (status = 409, description = "not possible now: not in protection review, a jury already sat, the policy does not allow it (`jury_not_eligible`, `jury_needs_consent`, `jury_disabled`), evidence pending, or too few eligible volunteers (`not_enough_jurors`)"),
        (status = 422)),
    security(("bearer" = [])))]
pub async fn send(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<SendRequest>,
) -> ApiResult<(StatusCode, axum::Json<JuryView>)> {
    let send = SendToJury::parse(&req)?;
    let panel = state
        .store
        .send_to_jury(&user.actor(), ComplaintId(id), send, state.clock.now())
        .await?;
    tracing::info!(complaint = id, jury = %panel.id, "sent to a jury");
    Ok((StatusCode::CREATED, axum::Json(panel)))
}

#[utoipa::path(get, path = "/api/v1/juries", tag = "jury",
    responses((status = 200, body = [JurorPanel], description = "the panels the caller was drawn for, newest first"),
        (status = 403, description = "only consumers sit on juries")),
    security(("bearer" = [])))]
pub async fn mine(
    State(state): State<AppState>,
    Auth(user): Auth,
) -> ApiResult<axum::Json<Vec<JurorPanel>>> {
    Ok(axum::Json(state.store.my_juries(&user.actor()).await?))
}

#[utoipa::path(get, path = "/api/v1/juries/{id}", tag = "jury", params(("id" = i64, Path)),
    responses((status = 200, body = JuryView, description = "a juror: the case with identities hidden and their own vote (the tally once closed); tier 2 and admins: every seat"),
        (status = 404, description = "no such panel, or not one the caller sits on")),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<JuryView>> {
    Ok(axum::Json(
        state
            .store
            .jury(&user.actor(), JuryId(id), state.clock.now())
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/juries/{id}/vote", tag = "jury", params(("id" = i64, Path)),
    request_body = VoteRequest,
    responses((status = 200, body = JuryView, description = "the vote counted; when it was the last one due the panel has closed"),
        (status = 403, description = "the caller left this panel"),
        (status = 404, description = "the caller is not a juror of this panel"),
        (status = 409, description = "`already_voted`, `vote_closed` (the deadline, named, has passed) or `jury_closed`"),
        (status = 422)),
    security(("bearer" = [])))]
pub async fn vote(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<VoteRequest>,
) -> ApiResult<axum::Json<JuryView>> {
    let panel = state
        .store
        .jury_vote(&user.actor(), JuryId(id), req, state.clock.now())
        .await?;
    tracing::info!(jury = id, state = %panel.state, "juror voted");
    Ok(axum::Json(panel))
}

#[utoipa::path(post, path = "/api/v1/juries/{id}/leave", tag = "jury", params(("id" = i64, Path)),
    responses((status = 200, body = JuryView),
        (status = 403, description = "the caller already left"),
        (status = 404, description = "the caller is not a juror of this panel"),
        (status = 409, description = "`already_voted`, `vote_closed` or `jury_closed`")),
    security(("bearer" = [])))]
pub async fn leave(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<JuryView>> {
    Ok(axum::Json(
        state
            .store
            .jury_leave(&user.actor(), JuryId(id), state.clock.now())
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/juries/{id}/evidence/{sha256}", tag = "jury",
    params(("id" = i64, Path), ("sha256" = String, Path)),
    responses((status = 200, description = "the file's bytes, of its own type, without its name"),
        (status = 404, description = "no such file among those a juror may see (the order snapshot and chat transcripts are never shown), or not the caller's panel")),
    security(("bearer" = [])))]
pub async fn file(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath((id, sha)): ApiPath<(i64, String)>,
) -> ApiResult<axum::response::Response> {
    let sha = Sha256::parse(&sha).map_err(|_| crate::error::ApiError::not_found())?;
    let (ev, bytes) = state
        .store
        .jury_file(&user.actor(), JuryId(id), &sha)
        .await?;
    Ok(crate::evidence::evidence_response(&ev, bytes))
}

#[utoipa::path(get, path = "/api/v1/juries/{id}/events", tag = "jury", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Event>, description = "the panel's chain: the draw (seed and pool, to re-run it), votes, verdict"),
        (status = 404)),
    security(("bearer" = [])))]
pub async fn events(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<Vec<Event>>> {
    Ok(axum::Json(
        state.store.jury_events(&user.actor(), JuryId(id)).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/jurors", tag = "jury",
    responses((status = 200, body = [JurorRecord], description = "every volunteer's record and agreement with final outcomes"),
        (status = 403)),
    security(("bearer" = [])))]
pub async fn jurors(
    State(state): State<AppState>,
    Auth(user): Auth,
) -> ApiResult<axum::Json<Vec<JurorRecord>>> {
    Ok(axum::Json(
        state.store.juror_agreement(&user.actor()).await?,
    ))
}
