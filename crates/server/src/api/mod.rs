//! The JSON API under `/api/v1` (DESIGN §5).

pub mod assistant;
pub mod bundles;
pub mod complaints;
pub mod jury;
pub mod keys;
pub mod marketplace;
pub mod notifications;
pub mod push;
pub mod stats;
pub mod tier3;
pub mod webhooks;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, on};

use crate::{AppState, auth};

/// One method on one path under `/api/v1`.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub handler: MethodRouter<AppState>,
}

fn at<H: Handler<T, AppState>, T: 'static>(method: Method, path: &'static str, h: H) -> Route {
    let filter = MethodFilter::try_from(method.clone()).expect("a standard method");
    Route {
        method,
        path,
        handler: on(filter, h),
    }
}

/// Uploads take their own, larger body limit.
fn upload(mut r: Route, limit: usize) -> Route {
    r.handler = r.handler.layer(DefaultBodyLimit::max(limit));
    r
}

/// Every route the API serves: the router is built from this list, and the OpenAPI document's
/// test compares its paths with it.
pub fn routes(upload_limit: usize) -> Vec<Route> {
    use Method as M;
    vec![
        at(M::POST, "/auth/login", auth::login),
        at(M::POST, "/auth/register", auth::register),
        at(M::POST, "/auth/logout", auth::logout),
        at(M::GET, "/me", auth::me),
        at(M::GET, "/me/settings", notifications::settings),
        at(M::PUT, "/me/settings", notifications::put_settings),
        at(M::GET, "/notifications", notifications::list),
        at(M::POST, "/notifications/read", notifications::mark_read),
        at(M::GET, "/notifications/stream", notifications::stream),
        at(M::GET, "/orders", marketplace::orders),
        at(M::PUT, "/marketplace/orders/{order_no}", push::put_order),
        at(
            M::POST,
            "/marketplace/remedies/{id}/executed",
            push::remedy_executed,
        ),
        at(
            M::POST,
            "/marketplace/remedies/{id}/failed",
            push::remedy_failed,
        ),
        at(M::POST, "/service-accounts", keys::create),
        at(M::GET, "/service-accounts", keys::list),
        at(M::POST, "/service-accounts/{id}/keys", keys::issue),
        at(
            M::DELETE,
            "/service-accounts/{id}/keys/{key_id}",
            keys::revoke,
        ),
        at(M::GET, "/shops/{id}", marketplace::shop),
        at(M::GET, "/shops/{id}/penalties", marketplace::penalties),
        at(M::GET, "/shops/{id}/scorecard", marketplace::scorecard),
        at(M::GET, "/shops/{id}/events", tier3::shop_events),
        at(
            M::POST,
            "/shops/{id}/penalties/{penalty_id}/appeal",
            tier3::appeal_penalty,
        ),
        at(
            M::POST,
            "/shops/{id}/penalties/{penalty_id}/appeal/decision",
            tier3::decide_penalty_appeal,
        ),
        at(M::GET, "/cases", tier3::cases),
        at(M::GET, "/cases/{id}", tier3::case),
        at(M::GET, "/cases/{id}/events", tier3::case_events),
        at(M::POST, "/cases/{id}/actions", tier3::case_act),
        at(M::POST, "/reports", tier3::file_report),
        at(M::GET, "/reports", tier3::reports),
        at(M::GET, "/reports/{id}", tier3::report),
        at(M::GET, "/reports/{id}/events", tier3::report_events),
        at(M::POST, "/reports/{id}/actions", tier3::report_act),
        upload(
            at(
                M::POST,
                "/reports/{id}/evidence",
                tier3::upload_report_evidence,
            ),
            upload_limit,
        ),
        at(
            M::GET,
            "/reports/{id}/evidence",
            tier3::list_report_evidence,
        ),
        at(
            M::GET,
            "/reports/{id}/evidence/{sha256}",
            tier3::get_report_evidence,
        ),
        at(M::GET, "/stats", stats::stats),
        at(M::POST, "/assistant/chat", assistant::chat),
        at(M::GET, "/assistant/ws", assistant::ws),
        at(M::GET, "/assistant/sessions/{id}", assistant::session),
        at(M::GET, "/assistant/handovers", assistant::handovers),
        at(M::POST, "/assistant/handovers/{id}/take", assistant::take),
        at(
            M::POST,
            "/assistant/handovers/{id}/messages",
            assistant::agent_reply,
        ),
        at(M::POST, "/complaints", complaints::file),
        at(M::GET, "/complaints", complaints::list),
        at(M::GET, "/complaints/{id}", complaints::get),
        at(M::POST, "/complaints/{id}/actions", complaints::act),
        at(
            M::POST,
            "/complaints/{id}/messages",
            complaints::post_message,
        ),
        at(
            M::GET,
            "/complaints/{id}/messages",
            complaints::list_messages,
        ),
        upload(
            at(
                M::POST,
                "/complaints/{id}/evidence",
                complaints::upload_evidence,
            ),
            upload_limit,
        ),
        at(
            M::GET,
            "/complaints/{id}/evidence",
            complaints::list_evidence,
        ),
        at(
            M::GET,
            "/complaints/{id}/evidence/{sha256}",
            complaints::get_evidence,
        ),
        at(M::GET, "/complaints/{id}/events", complaints::events),
        at(M::POST, "/complaints/{id}/jury", jury::send),
        at(M::GET, "/juries", jury::mine),
        at(M::GET, "/juries/{id}", jury::get),
        at(M::POST, "/juries/{id}/vote", jury::vote),
        at(M::POST, "/juries/{id}/leave", jury::leave),
        at(M::GET, "/juries/{id}/events", jury::events),
        at(M::GET, "/juries/{id}/evidence/{sha256}", jury::file),
        at(M::GET, "/jurors", jury::jurors),
        at(M::POST, "/complaints/{id}/bundle", bundles::complaint),
        at(M::POST, "/cases/{id}/bundle", bundles::case),
        at(M::POST, "/shops/{id}/bundle", bundles::shop),
        at(M::POST, "/bundles", bundles::period_bundle),
        at(M::GET, "/webhooks/endpoints", webhooks::list),
        at(M::POST, "/webhooks/endpoints", webhooks::create),
        at(M::GET, "/webhooks/endpoints/{id}", webhooks::get),
        at(M::PUT, "/webhooks/endpoints/{id}", webhooks::update),
        at(M::POST, "/webhooks/endpoints/{id}/rotate", webhooks::rotate),
        at(
            M::GET,
            "/webhooks/endpoints/{id}/attempts",
            webhooks::attempts,
        ),
        at(M::GET, "/webhooks/dead", webhooks::dead),
        at(M::POST, "/webhooks/messages/{id}/replay", webhooks::replay),
    ]
}

/// The API's router, from [`routes`] (a path's methods merge into one).
pub fn router(upload_limit: usize) -> axum::Router<AppState> {
    routes(upload_limit)
        .into_iter()
        .fold(axum::Router::new(), |r, route| {
            r.route(route.path, route.handler)
        })
}
