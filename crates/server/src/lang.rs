//! The caller's language: `?lang=` first, then the `lang` cookie, then `Accept-Language`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use weiquan_domain::Lang;

pub fn request_lang(headers: &HeaderMap, query: Option<&str>) -> Lang {
    let explicit = |v: &str| match v {
        "en" => Some(Lang::En),
        "zh" => Some(Lang::Zh),
        _ => None,
    };
    if let Some(l) = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|kv| kv.strip_prefix("lang=").and_then(explicit))
    {
        return l;
    }
    if let Some(l) = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| kv.trim().strip_prefix("lang=").and_then(explicit))
    {
        return l;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

/// Extracts the request's language.
#[derive(Debug, Clone, Copy)]
pub struct ReqLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ReqLang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ReqLang(request_lang(&parts.headers, parts.uri.query())))
    }
}
