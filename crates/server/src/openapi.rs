//! `/api/openapi.json`, generated from the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api::{
    assistant, complaints, keys, marketplace, notifications, push, stats, tier3, webhooks,
};
use crate::auth;

#[derive(OpenApi)]
#[openapi(
    info(title = "weiquan", description = "Complaint and dispute resolution for an online marketplace. Errors are always {\"error\": {\"code\", \"message\", \"fields\"?}}, in the caller's language (Accept-Language, zh-CN by default)."),
    paths(
        auth::login, auth::register, auth::logout, auth::me,
        marketplace::orders, marketplace::shop, marketplace::penalties, stats::stats,
        tier3::cases, tier3::case, tier3::case_events, tier3::case_act,
        tier3::file_report, tier3::reports, tier3::report, tier3::report_events, tier3::report_act,
        tier3::upload_report_evidence, tier3::list_report_evidence, tier3::get_report_evidence,
        tier3::appeal_penalty, tier3::decide_penalty_appeal, tier3::shop_events,
        complaints::file, complaints::list, complaints::get, complaints::act,
        complaints::post_message, complaints::list_messages,
        complaints::upload_evidence, complaints::list_evidence, complaints::get_evidence, complaints::events,
        assistant::chat, assistant::session, assistant::handovers, assistant::take, assistant::agent_reply,
        notifications::list, notifications::mark_read, notifications::stream,
        notifications::settings, notifications::put_settings,
        push::put_order, push::remedy_executed, push::remedy_failed,
        keys::create, keys::list, keys::issue, keys::revoke,
        webhooks::list, webhooks::create, webhooks::get, webhooks::update, webhooks::rotate,
        webhooks::attempts, webhooks::dead, webhooks::replay,
    ),
    // Pushed down the chat WebSocket (`GET /api/v1/assistant/ws`) once a chat is handed over.
    components(schemas(assistant::AgentNews)),
    modifiers(&Bearer),
    tags((name = "auth"), (name = "complaints"), (name = "marketplace"), (name = "cases"), (name = "webhooks"), (name = "notifications"),
        (name = "marketplace API", description = "The marketplace's machines: API keys of service accounts (`Authorization: Bearer wqk_…`), every write under an `Idempotency-Key` (docs/marketplace.md)"))
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // A service account's API key, sent as a bearer token too.
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("wqk_…")
                    .description(Some(
                        "a service account's API key (`wqk_…`), created by an admin; scopes `orders:write`, `remedies:write`",
                    ))
                    .build(),
            ),
        );
    }
}

pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every schema the document refers to is in it (ids such as `ReportId` included).
    #[test]
    fn every_reference_resolves() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let schemas = &doc["components"]["schemas"];
        let mut refs = vec![];
        let mut stack = vec![&doc];
        while let Some(v) = stack.pop() {
            match v {
                serde_json::Value::Object(m) => {
                    if let Some(r) = m.get("$ref").and_then(|r| r.as_str()) {
                        refs.push(r.to_owned());
                    }
                    stack.extend(m.values());
                }
                serde_json::Value::Array(a) => stack.extend(a),
                _ => {}
            }
        }
        assert!(refs.iter().any(|r| r.ends_with("/ReportId")), "{refs:?}");
        for r in refs {
            let name = r.trim_start_matches("#/components/schemas/");
            assert!(schemas[name].is_object(), "{r} is not in the document");
        }
    }
}
