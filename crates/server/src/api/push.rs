//! The marketplace talks back: its machines, signed in with API keys, push orders and confirm
//! remedies paid (or not), every write under an `Idempotency-Key` (`docs/marketplace.md`).

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;
use weiquan_domain::chain::canonical_json;
use weiquan_domain::records::OrderRecord;
use weiquan_domain::*;
use weiquan_store::{Idempotency, KeyHolder, MarketWrite};

use crate::AppState;
use crate::auth::token_hash;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, bearer_token};

/// Every API key starts with this, so a leaked one is recognisable (secret scanners, logs).
pub const KEY_PREFIX: &str = "wqk_";

/// The service account behind `Authorization: Bearer wqk_…`: 401 without a key, or with one
/// that is unknown or revoked.
pub struct ServiceAuth(pub KeyHolder);

impl FromRequestParts<AppState> for ServiceAuth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(key) = bearer_token(&parts.headers) else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "请在 Authorization: Bearer 头中提供接口密钥（wqk_…）",
                "send an API key (wqk_…) in the Authorization: Bearer header",
            ));
        };
        match state
            .store
            .api_key_holder(&token_hash(key), state.clock.now())
            .await?
        {
            Some(holder) => Ok(ServiceAuth(holder)),
            None => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_api_key",
                "接口密钥无效或已被吊销",
                "the API key is unknown or has been revoked",
            )),
        }
    }
}

/// The `Idempotency-Key` header, required on every marketplace write: 1–255 visible ASCII
/// characters (a UUID is usual).
pub struct IdempotencyKey(pub String);

pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(v) = parts.headers.get(IDEMPOTENCY_HEADER) else {
            let mut e = ApiError::new(
                StatusCode::BAD_REQUEST,
                "idempotency_key_required",
                "每个写请求都要带 Idempotency-Key 头",
                "every write needs an Idempotency-Key header",
            );
            e.fields.push(FieldError::new(
                IDEMPOTENCY_HEADER,
                "缺少幂等键（例如一个 UUID）",
                "missing; send a unique key per request, e.g. a UUID",
            ));
            return Err(e);
        };
        let key = v.to_str().unwrap_or_default().trim();
        if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            let mut e = ApiError::new(
                StatusCode::BAD_REQUEST,
                "idempotency_key_invalid",
                "Idempotency-Key 应为1到255个可见 ASCII 字符",
                "the Idempotency-Key must be 1 to 255 visible ASCII characters",
            );
            e.fields.push(FieldError::new(
                IDEMPOTENCY_HEADER,
                "应为1到255个可见 ASCII 字符",
                "1 to 255 visible ASCII characters",
            ));
            return Err(e);
        }
        Ok(IdempotencyKey(key.to_owned()))
    }
}

/// The request as the idempotency check compares it: method, path and the body's canonical
/// JSON (key order and spacing do not make two requests different).
fn request_hash(method: &str, path: &str, body: &Value) -> String {
    let mut text = format!("{method} {path}\n");
    canonical_json(body, &mut text);
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()))
}

/// Reads a JSON body into `T`; a field of the wrong shape is a 422 naming it.
fn parse_body<T: serde::de::DeserializeOwned>(body: Value) -> ApiResult<T> {
    serde_path_to_error::deserialize::<_, T>(body).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        // serde names a missing or unknown field only in its message: `missing field `x``.
        let named = ["missing field `", "unknown field `"]
            .iter()
            .find_map(|p| inner.strip_prefix(p))
            .and_then(|rest| rest.split('`').next());
        let field = match (path.as_str(), named) {
            (".", Some(name)) => name.to_owned(),
            (".", None) => "body".to_owned(),
            (p, Some(name)) => format!("{p}.{name}"),
            (p, None) => p.to_owned(),
        };
        ApiError::from(DomainError::Invalid(vec![FieldError::new(
            field,
            format!("格式或取值不对：{inner}"),
            format!("wrong shape or value: {inner}"),
        )]))
    })
}

async fn run(
    state: &AppState,
    holder: &KeyHolder,
    key: IdempotencyKey,
    hash: String,
    write: MarketWrite,
) -> ApiResult<Response> {
    let idem = Idempotency {
        key: key.0,
        request_hash: hash,
    };
    let answer = state
        .store
        .market_write(&holder.actor(), write, idem, state.clock.now())
        .await?;
    let status = StatusCode::from_u16(answer.status).map_err(|_| ApiError::internal())?;
    let mut res = (status, axum::Json(answer.body)).into_response();
    if answer.replayed {
        res.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(res)
}

#[utoipa::path(put, path = "/api/v1/marketplace/orders/{order_no}", tag = "marketplace API",
    params(("order_no" = String, Path, description = "18 digits"),
        ("Idempotency-Key" = String, Header, description = "required; one per distinct request, kept 24 hours")),
    request_body(content = Object, description = "an order record as in `weiquan import orders` (`docs/import.md`); `order_no` may be left out (the path's) and must equal the path's if given"),
    responses(
        (status = 201, description = "created: {\"order\", \"result\": \"created\"}"),
        (status = 200, description = "updated or unchanged: {\"order\", \"result\"}; a replay answers the first answer again, with `Idempotent-Replayed: true`"),
        (status = 400, description = "no Idempotency-Key"),
        (status = 401, description = "no API key, or an unknown or revoked one"),
        (status = 403, description = "the key's account lacks `orders:write`"),
        (status = 409, description = "a concurrent write; try again"),
        (status = 422, description = "a field is wrong (named in `fields`), or the Idempotency-Key was used for another request")),
    security(("api_key" = [])))]
pub async fn put_order(
    State(state): State<AppState>,
    ServiceAuth(holder): ServiceAuth,
    key: IdempotencyKey,
    ApiPath(order_no): ApiPath<String>,
    ApiJson(mut body): ApiJson<Value>,
) -> ApiResult<Response> {
    let path = format!("/api/v1/marketplace/orders/{order_no}");
    let hash = request_hash("PUT", &path, &body);
    access::check_scope(&holder.actor(), Scope::OrdersWrite)?;
    let no = OrderNo::parse(&order_no)?;
    let Some(obj) = body.as_object_mut() else {
        return Err(DomainError::invalid(
            "body",
            "请求体应为一个订单对象",
            "the body must be an order object",
        )
        .into());
    };
    match obj.get("order_no") {
        None => {
            obj.insert("order_no".into(), Value::String(no.to_string()));
        }
        Some(v) if v.as_str() == Some(no.as_str()) => {}
        Some(_) => {
            return Err(DomainError::invalid(
                "order_no",
                "请求体中的订单号与路径中的不一致",
                "the body's order_no differs from the one in the path",
            )
            .into());
        }
    }
    let rec: OrderRecord = parse_body(body)?;
    run(&state, &holder, key, hash, MarketWrite::Order(rec)).await
}

/// The payment system paid the remedy.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemedyExecuted {
    /// What was paid, e.g. the payment's transaction number (up to 500 characters).
    #[serde(default)]
    pub note: Option<String>,
}

/// The payment system could not pay the remedy.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemedyFailed {
    /// Why (1–500 characters), as staff will read it.
    pub reason: String,
}

fn complaint_id(id: &str) -> ApiResult<ComplaintId> {
    id.parse::<i64>()
        .map(ComplaintId)
        .map_err(|_| ApiError::not_found())
}

#[utoipa::path(post, path = "/api/v1/marketplace/remedies/{id}/executed", tag = "marketplace API",
    params(("id" = i64, Path, description = "the complaint whose remedy was paid"),
        ("Idempotency-Key" = String, Header, description = "required; one per distinct request, kept 24 hours")),
    request_body = RemedyExecuted,
    responses(
        (status = 200, body = Complaint, description = "carried out, as the merchant's `fulfil`; a replay answers the first answer again"),
        (status = 400, description = "no Idempotency-Key"),
        (status = 401, description = "no API key, or an unknown or revoked one"),
        (status = 403, description = "the key's account lacks `remedies:write`"),
        (status = 404, description = "no such complaint"),
        (status = 409, description = "no remedy is due on this complaint"),
        (status = 422, description = "a field is wrong, or the Idempotency-Key was used for another request")),
    security(("api_key" = [])))]
pub async fn remedy_executed(
    State(state): State<AppState>,
    ServiceAuth(holder): ServiceAuth,
    key: IdempotencyKey,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Response> {
    let hash = request_hash(
        "POST",
        &format!("/api/v1/marketplace/remedies/{id}/executed"),
        &body,
    );
    access::check_scope(&holder.actor(), Scope::RemediesWrite)?;
    let complaint = complaint_id(&id)?;
    let req: RemedyExecuted = parse_body(body)?;
    let note = req
        .note
        .map(|n| parse_text("note", &n, 0, 500))
        .transpose()?;
    let write = MarketWrite::RemedyExecuted { complaint, note };
    run(&state, &holder, key, hash, write).await
}

#[utoipa::path(post, path = "/api/v1/marketplace/remedies/{id}/failed", tag = "marketplace API",
    params(("id" = i64, Path, description = "the complaint whose remedy could not be paid"),
        ("Idempotency-Key" = String, Header, description = "required; one per distinct request, kept 24 hours")),
    request_body = RemedyFailed,
    responses(
        (status = 200, body = Complaint, description = "recorded on the complaint (event `remedy_payment_failed`); the remedy stays due"),
        (status = 400, description = "no Idempotency-Key"),
        (status = 401, description = "no API key, or an unknown or revoked one"),
        (status = 403, description = "the key's account lacks `remedies:write`"),
        (status = 404, description = "no such complaint"),
        (status = 409, description = "no remedy is due on this complaint"),
        (status = 422, description = "`reason` missing or too long, or the Idempotency-Key was used for another request")),
    security(("api_key" = [])))]
pub async fn remedy_failed(
    State(state): State<AppState>,
    ServiceAuth(holder): ServiceAuth,
    key: IdempotencyKey,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Response> {
    let hash = request_hash(
        "POST",
        &format!("/api/v1/marketplace/remedies/{id}/failed"),
        &body,
    );
    access::check_scope(&holder.actor(), Scope::RemediesWrite)?;
    let complaint = complaint_id(&id)?;
    let req: RemedyFailed = parse_body(body)?;
    let reason = parse_text("reason", &req.reason, 1, 500)?;
    let write = MarketWrite::RemedyFailed { complaint, reason };
    run(&state, &holder, key, hash, write).await
}
