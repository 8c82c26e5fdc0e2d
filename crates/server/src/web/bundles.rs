//! The bundle's download from the complaint, case and shop pages and the dashboard's period
//! (regulators and admins; `api::bundles` records and writes it). A refusal is a page.

use axum::extract::{Path, State};
use axum::response::Response;
use weiquan_domain::bundle::BundleScope;
use weiquan_domain::*;

use super::session::{CsrfForm, Web};
use super::{Ctx, error_page};
use crate::AppState;
use crate::api::bundles::{PeriodRequest, download, period as period_scope};
use crate::error::ApiError;

async fn send(state: &AppState, c: &Ctx, scope: BundleScope) -> Response {
    match download(state, &c.actor(), scope).await {
        Ok(r) => r,
        Err(e) => error_page(c, e),
    }
}

pub async fn complaint(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm,
) -> Response {
    send(&state, &c, BundleScope::Complaint(ComplaintId(id))).await
}

pub async fn case(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm,
) -> Response {
    send(&state, &c, BundleScope::Case(CaseId(id))).await
}

pub async fn shop(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm,
) -> Response {
    match ShopId::parse(&id) {
        Ok(id) => send(&state, &c, BundleScope::Shop(id)).await,
        Err(_) => error_page(&c, ApiError::from(access::not_found_shop())),
    }
}

pub async fn period(
    State(state): State<AppState>,
    Web(c): Web,
    CsrfForm(form): CsrfForm,
) -> Response {
    let p = PeriodRequest {
        from: form.get("from").to_owned(),
        to: form.get("to").to_owned(),
    };
    match access::check_export(&c.actor()).and_then(|()| period_scope(&p)) {
        Ok(scope) => send(&state, &c, scope).await,
        Err(e) => error_page(&c, ApiError::from(e)),
    }
}
