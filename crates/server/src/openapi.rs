//! `/api/openapi.json`, generated from the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api::{
    assistant, bundles, complaints, jury, keys, marketplace, notifications, push, stats, tier3,
    webhooks,
};
use crate::auth;

#[derive(OpenApi)]
#[openapi(
    info(title = "weiquan", description = "Complaint and dispute resolution for an online marketplace. Errors are always {\"error\": {\"code\", \"message\", \"fields\"?}}, in the caller's language (Accept-Language, zh-CN by default)."),
    paths(
        auth::login, auth::register, auth::logout, auth::me,
        marketplace::orders, marketplace::shop, marketplace::penalties, marketplace::scorecard, stats::stats,
        tier3::cases, tier3::case, tier3::case_events, tier3::case_act,
        tier3::file_report, tier3::reports, tier3::report, tier3::report_events, tier3::report_act,
        tier3::upload_report_evidence, tier3::list_report_evidence, tier3::get_report_evidence,
        tier3::appeal_penalty, tier3::decide_penalty_appeal, tier3::shop_events,
        complaints::file, complaints::list, complaints::get, complaints::act,
        complaints::post_message, complaints::list_messages,
        complaints::upload_evidence, complaints::list_evidence, complaints::get_evidence, complaints::events,
        assistant::chat, assistant::ws, assistant::session, assistant::handovers, assistant::take, assistant::agent_reply,
        notifications::list, notifications::mark_read, notifications::stream,
        notifications::settings, notifications::put_settings,
        push::put_order, push::remedy_executed, push::remedy_failed,
        keys::create, keys::list, keys::issue, keys::revoke,
        webhooks::list, webhooks::create, webhooks::get, webhooks::update, webhooks::rotate,
        webhooks::attempts, webhooks::dead, webhooks::replay,
        bundles::complaint, bundles::case, bundles::shop, bundles::period_bundle,
        jury::send, jury::mine, jury::get, jury::vote, jury::leave, jury::file, jury::events,
        jury::jurors,
    ),
    // Pushed down the chat WebSocket (`GET /api/v1/assistant/ws`) once a chat is handed over.
    components(schemas(assistant::AgentNews, ErrorBody, ErrorDetail)),
    modifiers(&Bearer, &Errors),
    tags((name = "auth"), (name = "complaints"), (name = "marketplace"), (name = "cases"), (name = "webhooks"), (name = "notifications"),
        (name = "jury", description = "The public jury (大众评审): volunteers drawn at random judge a complaint with identities hidden; the majority becomes tier 2's ruling (docs/jury.md)"),
        (name = "audit", description = "The authorities' bundle (电子商务法 Art. 62): a signed tar archive of records, chains and evidence for regulators and admins (docs/audit.md)"),
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

/// Every error's body.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ErrorDetail {
    /// Stable, for programs: e.g. `validation`, `not_found`, `unauthenticated`.
    code: String,
    /// For people, in the caller's language.
    message: String,
    /// For `validation`: each bad field's message.
    fields: Option<std::collections::BTreeMap<String, String>>,
}

/// The errors every operation of a shape can answer, said once here rather than on each handler:
/// 401 where it needs a sign-in, 403 on a signed-in write, 409 on any write, 404 for a path naming
/// nothing, 422 for a bad query, and 400, 413, 415, 422 for a body that is not what it should be.
/// Each error response gets the envelope's schema and a description.
struct Errors;

impl Modify for Errors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                (false, &mut item.get),
                (true, &mut item.put),
                (true, &mut item.post),
                (true, &mut item.delete),
                (true, &mut item.patch),
            ];
            for (write, op) in ops
                .into_iter()
                .filter_map(|(w, op)| Some((w, op.as_mut()?)))
            {
                let params = op.parameters.as_deref().unwrap_or_default();
                let in_path = params.iter().any(|p| p.parameter_in == ParameterIn::Path);
                let in_query = params.iter().any(|p| p.parameter_in == ParameterIn::Query);
                let signed_in = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let mut add = vec![];
                if signed_in {
                    add.push(401);
                }
                // Every write checks who may make it first (domain::access).
                if signed_in && write {
                    add.push(403);
                }
                // On PostgreSQL a write that meets a deadlock or a serialisation failure answers
                // 409 `concurrent_update` (reload and try again).
                if write {
                    add.push(409);
                }
                if in_path {
                    add.push(404);
                }
                if in_query {
                    add.push(422);
                }
                if op.request_body.is_some() {
                    add.extend([400, 413, 415, 422]);
                }
                for status in add {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| ResponseBuilder::new().build().into());
                }
                for (status, response) in op.responses.responses.iter_mut() {
                    let utoipa::openapi::RefOr::T(r) = response else {
                        continue;
                    };
                    let Some(code) = status.parse::<u16>().ok().filter(|c| *c >= 400) else {
                        continue;
                    };
                    if r.description.is_empty() {
                        r.description = default_description(code).to_owned();
                    }
                    if r.content.is_empty() {
                        let schema = Ref::from_schema_name("ErrorBody");
                        r.content.insert(
                            "application/json".to_owned(),
                            ContentBuilder::new().schema(Some(schema)).build(),
                        );
                    }
                }
            }
        }
    }
}

fn default_description(status: u16) -> &'static str {
    match status {
        400 => "malformed JSON or form",
        401 => "not signed in, or the session has expired",
        403 => "the caller may not do this",
        404 => "nothing here the caller may see",
        409 => {
            "not possible in the current state, or a concurrent update (`concurrent_update`: reload and try again)"
        }
        413 => "the body is too large",
        415 => "not the content type the operation takes",
        422 => "a field or query parameter is invalid; `fields` names each",
        429 => "too many attempts; try again later",
        _ => "an error",
    }
}

pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use utoipa::openapi::path::{Operation, ParameterIn};

    use super::*;

    fn operations(doc: &utoipa::openapi::OpenApi) -> Vec<(&'static str, &str, &Operation)> {
        let mut ops = vec![];
        for (path, item) in &doc.paths.paths {
            let methods = [
                ("GET", &item.get),
                ("PUT", &item.put),
                ("POST", &item.post),
                ("DELETE", &item.delete),
                ("PATCH", &item.patch),
                ("HEAD", &item.head),
                ("OPTIONS", &item.options),
            ];
            for (m, op) in methods {
                if let Some(op) = op {
                    ops.push((m, path.as_str(), op));
                }
            }
        }
        ops
    }

    /// The document and the router cannot drift: every route served under `/api/v1` is
    /// documented, with its method, and nothing else is.
    #[test]
    fn documents_exactly_the_routes_served() {
        let doc = ApiDoc::openapi();
        let documented: BTreeSet<(String, String)> = operations(&doc)
            .into_iter()
            .map(|(m, p, _)| (m.to_owned(), p.to_owned()))
            .collect();
        let served: BTreeSet<(String, String)> = crate::api::routes(0)
            .iter()
            .map(|r| (r.method.to_string(), format!("/api/v1{}", r.path)))
            .collect();
        let missing: Vec<_> = served.difference(&documented).collect();
        let extra: Vec<_> = documented.difference(&served).collect();
        assert!(missing.is_empty(), "served but not documented: {missing:?}");
        assert!(extra.is_empty(), "documented but not served: {extra:?}");
    }

    /// Each operation's path parameters are exactly its path's `{…}` segments (a filter is a
    /// query parameter, not a path one).
    #[test]
    fn path_parameters_match_the_path() {
        let doc = ApiDoc::openapi();
        for (m, path, op) in operations(&doc) {
            let segments: BTreeSet<&str> = path
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                .collect();
            let declared: BTreeSet<&str> = op
                .parameters
                .iter()
                .flatten()
                .filter(|p| p.parameter_in == ParameterIn::Path)
                .map(|p| p.name.as_str())
                .collect();
            assert_eq!(segments, declared, "{m} {path}");
        }
    }

    /// Where an operation can answer 401, 404, 415 or 422 for its shape, the document says so,
    /// with the error envelope's schema.
    #[test]
    fn errors_are_documented_by_shape() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let op = |path: &str, m: &str| doc["paths"][path][m].clone();
        let codes = |o: &serde_json::Value| -> BTreeSet<String> {
            o["responses"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        let list = op("/api/v1/complaints", "get");
        assert!(codes(&list).is_superset(&["401", "422"].map(String::from).into()));
        let act = op("/api/v1/complaints/{id}/actions", "post");
        for c in ["400", "401", "404", "413", "415", "422"] {
            assert!(codes(&act).contains(c), "{c} missing on complaint actions");
        }
        assert_eq!(
            act["responses"]["415"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody"
        );
        // The public shop history needs no sign-in.
        assert!(!codes(&op("/api/v1/shops/{id}/events", "get")).contains("401"));
    }

    /// Enums are documented by the names on the wire (`quality_defect`), not Rust's.
    #[test]
    fn enums_carry_wire_names() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let values = |name: &str| doc["components"]["schemas"][name]["enum"].clone();
        assert_eq!(values("Role")[0], "consumer");
        assert_eq!(values("Category")[0], "quality_defect");
        assert_eq!(values("ClaimKind")[0], "refund");
        assert_eq!(values("CaseState")[0], "open");
    }

    /// Filters name their allowed values and page sizes their range.
    #[test]
    fn filters_carry_enums_and_ranges() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let params = doc["paths"]["/api/v1/complaints"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .clone();
        let param = |n: &str| params.iter().find(|p| p["name"] == n).unwrap().clone();
        assert_eq!(param("limit")["schema"]["minimum"], 1);
        assert_eq!(param("limit")["schema"]["maximum"], 200);
        let state = param("state")["schema"].to_string();
        assert!(state.contains("#/components/schemas/State"), "{state}");
        let states = doc["components"]["schemas"]["State"]["enum"]
            .as_array()
            .unwrap();
        assert!(states.iter().any(|s| s == "awaiting_merchant"));
    }

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
