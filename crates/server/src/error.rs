//! The one error envelope: `{"error": {"code", "message", "fields"?}}`, in the caller's language.
//!
//! Handlers return [`ApiError`]; it travels out as a response extension and the [`envelope`]
//! middleware renders it once the request's language is known. Responses that left axum's own
//! machinery as errors (unknown route, wrong method, body too large) get the same envelope.

use std::collections::BTreeMap;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use weiquan_domain::{DomainError, ErrorKind, FieldError, Lang, Text};
use weiquan_store::{Fault, StoreError};

use crate::lang::request_lang;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: Text,
    pub fields: Vec<FieldError>,
    /// Seconds for a `Retry-After` header (429, 503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            code,
            message: Text::new(zh, en),
            fields: vec![],
            retry_after: None,
        }
    }
    /// The same error, telling the client when to try again.
    pub fn retry_after(self, secs: u64) -> Self {
        ApiError {
            retry_after: Some(secs.max(1)),
            ..self
        }
    }
    /// Too many attempts: 429 with `Retry-After`.
    pub fn rate_limited(secs: u64, zh: &str, en: &str) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", zh, en).retry_after(secs)
    }
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "请先登录",
            "sign in first",
        )
    }
    pub fn forbidden(zh: &str, en: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", zh, en)
    }
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "找不到请求的内容",
            "nothing here",
        )
    }
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "服务器出错了，请稍后再试",
            "something went wrong on our side; please try again later",
        )
    }
    /// A passing fault (the database out of reach, shutting down): 503, try again shortly.
    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "服务暂时不可用，请稍后再试",
            "the service is briefly unavailable; please try again shortly",
        )
        .retry_after(5)
    }
    /// Storage is full: 507; nothing was saved.
    pub fn storage_full() -> Self {
        Self::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "storage_full",
            "存储空间已满，这次没有保存，请稍后再试",
            "storage is full and nothing was saved; please try again later",
        )
        .retry_after(60)
    }
    /// The default envelope for an error status that carried none.
    pub fn for_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::not_found(),
            StatusCode::METHOD_NOT_ALLOWED => Self::new(
                status,
                "method_not_allowed",
                "不支持这个请求方法",
                "this method is not allowed here",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => Self::new(
                status,
                "too_large",
                "请求内容过大",
                "the request body is too large",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::new(
                status,
                "unsupported_media_type",
                "不支持的内容类型",
                "unsupported content type",
            ),
            StatusCode::UNAUTHORIZED => Self::unauthenticated(),
            StatusCode::SERVICE_UNAVAILABLE => Self::unavailable(),
            StatusCode::INSUFFICIENT_STORAGE => Self::storage_full(),
            StatusCode::TOO_MANY_REQUESTS => Self::new(
                status,
                "rate_limited",
                "请求过于频繁，请稍后再试",
                "too many requests; try again later",
            ),
            s if s.is_client_error() => Self::new(s, "bad_request", "请求有误", "bad request"),
            _ => Self::internal(),
        }
    }

    fn body(&self, lang: Lang) -> serde_json::Value {
        let mut err = json!({"code": self.code, "message": self.message.get(lang)});
        if !self.fields.is_empty() {
            let fields: BTreeMap<&str, &str> = self
                .fields
                .iter()
                .map(|f| (f.field.as_str(), f.message.get(lang)))
                .collect();
            err["fields"] = json!(fields);
        }
        json!({ "error": err })
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let status = match e.kind() {
            ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
        };
        ApiError {
            status,
            code: e.code(),
            message: Text::new(e.message(Lang::Zh), e.message(Lang::En)),
            fields: e.fields().to_vec(),
            retry_after: None,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Domain(d) => d.into(),
            StoreError::Conflict { code, zh, en } => {
                ApiError::new(StatusCode::CONFLICT, code, zh, en)
            }
            StoreError::UnsupportedMedia { zh, en } => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                zh,
                en,
            ),
            StoreError::TooLarge { limit, .. } => too_large(limit),
            other => match other.fault() {
                Some(Fault::Unavailable) => {
                    tracing::warn!(error = %other, "store unavailable");
                    ApiError::unavailable()
                }
                Some(Fault::Full) => {
                    tracing::error!(error = %other, "storage full");
                    ApiError::storage_full()
                }
                None => {
                    tracing::error!(error = %other, "store failure");
                    ApiError::internal()
                }
            },
        }
    }
}

pub fn too_large(limit: u64) -> ApiError {
    let mib = limit as f64 / (1024.0 * 1024.0);
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!("文件过大，单个文件不能超过 {mib:.0} MiB"),
        format!("the file is too large; the limit is {mib:.0} MiB"),
    )
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = self.status.into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res.extensions_mut().insert(self);
        res
    }
}

/// Renders every error response as the envelope, in the request's language.
pub async fn envelope(req: Request, next: Next) -> Response {
    let lang = request_lang(req.headers(), req.uri().query());
    let mut res = next.run(req).await;
    let err = match res.extensions_mut().remove::<ApiError>() {
        Some(e) => e,
        None if res.status().is_client_error() || res.status().is_server_error() => {
            // JSON already in the envelope, or an HTML error page of the web UI: as it is.
            let own = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
                v.as_bytes().starts_with(b"application/json")
                    || v.as_bytes().starts_with(b"text/html")
            });
            if own {
                return res;
            }
            ApiError::for_status(res.status())
        }
        None => return res,
    };
    let mut out = (err.status, axum::Json(err.body(lang))).into_response();
    for (k, v) in res.headers() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(if lang == Lang::En { "en" } else { "zh-CN" }),
    );
    out
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    fn status(e: StoreError) -> (StatusCode, Option<u64>) {
        let a = ApiError::from(e);
        (a.status, a.retry_after)
    }

    #[test]
    fn faults_answer_503_or_507_with_retry_after() {
        let sqlite = |code| {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(code),
                None,
            ))
        };
        let full = (StatusCode::INSUFFICIENT_STORAGE, Some(60));
        let busy = (StatusCode::SERVICE_UNAVAILABLE, Some(5));
        assert_eq!(status(sqlite(rusqlite::ffi::SQLITE_FULL)), full);
        assert_eq!(status(sqlite(rusqlite::ffi::SQLITE_BUSY)), busy);
        assert_eq!(
            status(StoreError::Io(std::io::Error::from_raw_os_error(28))),
            full
        );
        assert_eq!(status(StoreError::Full("blob store".into())), full);
        assert_eq!(
            status(StoreError::Postgres(sqlx::Error::PoolTimedOut)),
            busy
        );
        assert_eq!(
            status(StoreError::Postgres(sqlx::Error::Io(
                std::io::ErrorKind::ConnectionRefused.into()
            ))),
            busy
        );
        assert_eq!(
            status(StoreError::Unavailable("writer stopped".into())),
            busy
        );
        // A bug stays a 500.
        assert_eq!(
            status(sqlite(rusqlite::ffi::SQLITE_MISMATCH)),
            (StatusCode::INTERNAL_SERVER_ERROR, None)
        );
        assert_eq!(
            status(StoreError::Corrupt("x".into())),
            (StatusCode::INTERNAL_SERVER_ERROR, None)
        );
    }
}
