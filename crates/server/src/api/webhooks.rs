//! Webhook endpoints for admins: register (the secret shown once), change, rotate the secret,
//! read the delivery log and the dead letters, replay one.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use weiquan_domain::delivery::WebhookEvent;
use weiquan_domain::*;
use weiquan_store::outbox::OutboxMessage;
use weiquan_store::webhooks::{DeliveryAttempt, EndpointInput, WebhookEndpoint};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::outbox::keys;

/// An endpoint to register or change.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct EndpointRequest {
    /// Where deliveries are POSTed: an http(s) URL.
    pub url: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// complaint.filed, complaint.state_changed, remedy.due, shop.standing_changed,
    /// listing.taken_down, listing.restored, case.opened.
    #[serde(default)]
    pub event_types: Option<Vec<String>>,
    /// Defaults to true.
    #[serde(default)]
    pub enabled: Option<bool>,
}

impl EndpointRequest {
    /// The endpoint, or every field that is wrong, in both languages.
    pub fn parse(&self) -> Result<EndpointInput, DomainError> {
        let mut errors = vec![];
        let url = self.url.as_deref().unwrap_or("").trim().to_owned();
        match reqwest::Url::parse(&url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => errors.push(FieldError::new(
                "url",
                "请填写以 http:// 或 https:// 开头的完整网址",
                "give a full URL starting with http:// or https://",
            )),
        }
        let description = self.description.as_deref().unwrap_or("").trim().to_owned();
        if description.chars().count() > 200 {
            errors.push(FieldError::new(
                "description",
                "说明最多200个字",
                "the description is at most 200 characters",
            ));
        }
        let mut event_types = vec![];
        for t in self.event_types.iter().flatten() {
            match WebhookEvent::parse(t) {
                Ok(e) if !event_types.contains(&e) => event_types.push(e),
                Ok(_) => {}
                Err(DomainError::Invalid(mut e)) => errors.append(&mut e),
                Err(_) => {}
            }
        }
        if event_types.is_empty() && errors.iter().all(|e| e.field != "event_types") {
            errors.push(FieldError::new(
                "event_types",
                "请至少选择一种事件类型",
                "choose at least one event type",
            ));
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        event_types.sort();
        Ok(EndpointInput {
            url,
            description,
            event_types,
            enabled: self.enabled.unwrap_or(true),
        })
    }
}

/// An endpoint and its signing secret: shown this once, never again.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EndpointWithSecret {
    pub endpoint: WebhookEndpoint,
    /// `whsec_…`: keep it in the receiver; weiquan shows it only now.
    pub secret: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadQuery {
    /// Only this endpoint's.
    pub endpoint_id: Option<i64>,
    /// At most 200 (default 50; larger ones count as 200).
    #[param(minimum = 0)]
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    /// At most 200 (default 50; larger ones count as 200).
    #[param(minimum = 0)]
    pub limit: Option<u32>,
}

fn limit(l: Option<u32>) -> u32 {
    l.unwrap_or(50).clamp(1, 200)
}

#[utoipa::path(get, path = "/api/v1/webhooks/endpoints", tag = "webhooks",
    responses((status = 200, body = Vec<WebhookEndpoint>), (status = 403)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Auth(user): Auth,
) -> ApiResult<axum::Json<Vec<WebhookEndpoint>>> {
    Ok(axum::Json(
        state.store.webhook_endpoints(&user.actor()).await?,
    ))
}

/// Registers an endpoint and makes its secret.
pub async fn register(
    state: &AppState,
    actor: &Actor,
    input: EndpointInput,
) -> Result<EndpointWithSecret, weiquan_store::StoreError> {
    let secret = keys::new_secret();
    let sealed = state.dispatcher.keys.seal(&secret);
    let endpoint = state
        .store
        .create_webhook_endpoint(actor, input, sealed, state.clock.now())
        .await?;
    tracing::info!(endpoint = endpoint.id, url = %endpoint.url, "webhook endpoint registered");
    Ok(EndpointWithSecret { endpoint, secret })
}

/// Rotates an endpoint's secret: the old one keeps signing beside it for the grace period.
pub async fn rotate_secret(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<EndpointWithSecret, weiquan_store::StoreError> {
    let secret = keys::new_secret();
    let sealed = state.dispatcher.keys.seal(&secret);
    let now = state.clock.now();
    let grace = chrono::Duration::from_std(state.store.policy().webhooks.rotation_grace)
        .unwrap_or(chrono::Duration::hours(24));
    let endpoint = state
        .store
        .rotate_webhook_secret(actor, id, sealed, now + grace, now)
        .await?;
    tracing::info!(endpoint = id, "webhook secret rotated");
    Ok(EndpointWithSecret { endpoint, secret })
}

#[utoipa::path(post, path = "/api/v1/webhooks/endpoints", tag = "webhooks", request_body = EndpointRequest,
    responses((status = 201, body = EndpointWithSecret, description = "the secret is shown only in this answer"), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiJson(req): ApiJson<EndpointRequest>,
) -> ApiResult<(StatusCode, axum::Json<EndpointWithSecret>)> {
    weiquan_domain::access::check_admin(&user.actor())?;
    let input = req.parse()?;
    let made = register(&state, &user.actor(), input).await?;
    Ok((StatusCode::CREATED, axum::Json(made)))
}

#[utoipa::path(get, path = "/api/v1/webhooks/endpoints/{id}", tag = "webhooks", params(("id" = i64, Path)),
    responses((status = 200, body = WebhookEndpoint), (status = 403), (status = 404)), security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<WebhookEndpoint>> {
    Ok(axum::Json(
        state.store.webhook_endpoint(&user.actor(), id).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/webhooks/endpoints/{id}", tag = "webhooks", params(("id" = i64, Path)),
    request_body = EndpointRequest,
    responses((status = 200, body = WebhookEndpoint, description = "enabling an endpoint clears the notice of why it was disabled"), (status = 403), (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<EndpointRequest>,
) -> ApiResult<axum::Json<WebhookEndpoint>> {
    weiquan_domain::access::check_admin(&user.actor())?;
    let input = req.parse()?;
    Ok(axum::Json(
        state
            .store
            .update_webhook_endpoint(&user.actor(), id, input, state.clock.now())
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/webhooks/endpoints/{id}/rotate", tag = "webhooks", params(("id" = i64, Path)),
    responses((status = 200, body = EndpointWithSecret, description = "the new secret, shown only now; the old one signs too until previous_secret_until"), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn rotate(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<EndpointWithSecret>> {
    Ok(axum::Json(rotate_secret(&state, &user.actor(), id).await?))
}

#[utoipa::path(get, path = "/api/v1/webhooks/endpoints/{id}/attempts", tag = "webhooks", params(("id" = i64, Path), LogQuery),
    responses((status = 200, body = Vec<DeliveryAttempt>, description = "the delivery log, newest first"), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn attempts(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<LogQuery>,
) -> ApiResult<axum::Json<Vec<DeliveryAttempt>>> {
    Ok(axum::Json(
        state
            .store
            .webhook_attempts(&user.actor(), id, limit(q.limit))
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/webhooks/dead", tag = "webhooks", params(DeadQuery),
    responses((status = 200, body = Vec<OutboxMessage>, description = "messages given up on, newest first, with the last response"), (status = 403)),
    security(("bearer" = [])))]
pub async fn dead(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<DeadQuery>,
) -> ApiResult<axum::Json<Vec<OutboxMessage>>> {
    Ok(axum::Json(
        state
            .store
            .dead_letters(&user.actor(), q.endpoint_id, limit(q.limit))
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/webhooks/messages/{id}/replay", tag = "webhooks", params(("id" = i64, Path)),
    responses((status = 200, body = OutboxMessage, description = "pending again from now, with the same message id"), (status = 403), (status = 404), (status = 409)),
    security(("bearer" = [])))]
pub async fn replay(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<OutboxMessage>> {
    Ok(axum::Json(
        state
            .store
            .replay_message(&user.actor(), id, state.clock.now())
            .await?,
    ))
}
