//! Tier 3: the regulator's cases and the dashboard of charts.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use weiquan_domain::*;
use weiquan_store::Case;

use super::session::Web;
use super::{Ctx, error_page, render};
use crate::AppState;
use crate::error::ApiError;

#[derive(Deserialize)]
pub struct CasesQuery {
    before: Option<i64>,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    c: Ctx,
    cases: Vec<Case>,
    next: Option<String>,
}

impl CasesPage {
    fn kind(&self, k: &str) -> &'static str {
        case_kind(self.c.lang, k)
    }
    fn state(&self, s: &str) -> &'static str {
        case_state(self.c.lang, s)
    }
}

pub fn case_kind(lang: Lang, k: &str) -> &'static str {
    let (zh, en) = match k {
        "violation" => ("违规", "violation"),
        "collective" => ("集体投诉", "collective complaint"),
        "ip" => ("知识产权", "IP infringement"),
        _ => ("其他", "other"),
    };
    lang.pick(zh, en)
}

pub fn case_state(lang: Lang, s: &str) -> &'static str {
    let (zh, en) = match s {
        "open" => ("待处理", "open"),
        "investigating" => ("调查中", "investigating"),
        "sanctioned" => ("已处罚", "sanctioned"),
        "dismissed" => ("已驳回", "dismissed"),
        _ => ("其他", "other"),
    };
    lang.pick(zh, en)
}

/// Tier-3 cases: the same check as the API's `/cases`.
fn staff_only(c: &Ctx) -> Result<(), ApiError> {
    crate::api::marketplace::require_case_reader(c.me())
}

pub async fn cases(
    State(state): State<AppState>,
    Web(c): Web,
    Query(q): Query<CasesQuery>,
) -> Response {
    if let Err(e) = staff_only(&c) {
        return error_page(&c, e);
    }
    match state.store.cases(q.before, 100).await {
        Ok(p) => render(&CasesPage {
            c,
            cases: p.items,
            next: p.next_cursor,
        }),
        Err(e) => error_page(&c, e.into()),
    }
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    c: Ctx,
    case: Case,
}

impl CasePage {
    fn kind(&self) -> &'static str {
        case_kind(self.c.lang, &self.case.kind)
    }
    fn state(&self) -> &'static str {
        case_state(self.c.lang, &self.case.state)
    }
}

pub async fn case(State(state): State<AppState>, Web(c): Web, Path(id): Path<String>) -> Response {
    if let Err(e) = staff_only(&c) {
        return error_page(&c, e);
    }
    let Ok(id) = id.parse::<i64>() else {
        return error_page(&c, ApiError::not_found());
    };
    match state.store.case(CaseId(id)).await {
        Ok(Some(case)) => render(&CasePage { c, case }),
        Ok(None) => error_page(&c, ApiError::not_found()),
        Err(e) => error_page(&c, e.into()),
    }
}
