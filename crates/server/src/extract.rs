//! Extractors whose rejections speak the error envelope.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use weiquan_store::User;

use crate::AppState;
use crate::auth::token_hash;
use crate::error::ApiError;

/// JSON body: 415 without a JSON content type, 400 for malformed JSON, 422 for a wrong shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请以 JSON 发送（Content-Type: application/json）",
                "send JSON (Content-Type: application/json)",
            )),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_json",
                format!("JSON 格式错误：{}", e.body_text()),
                format!("malformed JSON: {}", e.body_text()),
            )),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                format!("字段类型不对：{}", e.body_text()),
                format!("a field has the wrong type: {}", e.body_text()),
            )),
            Err(JsonRejection::BytesRejection(e))
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    "请求内容过大",
                    "the request body is too large",
                ))
            }
            Err(e) => Err(ApiError::new(
                e.status(),
                "bad_request",
                format!("请求有误：{}", e.body_text()),
                format!("bad request: {}", e.body_text()),
            )),
        }
    }
}

/// Path parameters: one that does not parse names nothing that exists.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|_: PathRejection| ApiError::not_found())
    }
}

/// Query string: a malformed one is a 422.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e: QueryRejection| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation",
                    format!("查询参数有误：{}", e.body_text()),
                    format!("bad query parameters: {}", e.body_text()),
                )
            })
    }
}

/// The signed-in user, from `Authorization: Bearer TOKEN`.
pub struct Auth(pub User);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let Some(token) = header
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
        else {
            return Err(ApiError::unauthenticated());
        };
        match state
            .store
            .session_user(&token_hash(token), state.clock.now())
            .await?
        {
            Some(user) => Ok(Auth(user)),
            None => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "session_expired",
                "登录已失效，请重新登录",
                "your session has expired or is invalid; sign in again",
            )),
        }
    }
}

/// The token of an `Authorization: Bearer TOKEN` header.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}
