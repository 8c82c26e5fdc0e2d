//! Reports (举报) on the web: a consumer reports brushing, 炒信 or an infringing listing (an agent
//! forwards a caller's), and backs it with files; the merchant of an IP notice answers with a
//! counter-notice; the rights holder says they went to court. Everything goes through the same
//! store calls, and so the same permissions, as `/api/v1/reports`.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use weiquan_domain::tier3::{
    NewReport, ReportAction, ReportActionRequest, ReportRequest, ReportState,
};
use weiquan_domain::*;
use weiquan_store::{Event, Report};

use super::complaint::{EvidenceView, evidence_view};
use super::session::{CsrfForm, Web};
use super::{Ctx, Form, FormError, error_page, render};
use crate::AppState;
use crate::error::ApiError;
use crate::evidence::{self, Subject, Via};

#[derive(Deserialize)]
pub struct ListQuery {
    before: Option<String>,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    c: Ctx,
    reports: Vec<Report>,
    next: Option<String>,
    /// Consumers report for themselves, agents for a caller.
    may_report: bool,
}

impl ReportsPage {
    /// A merchant sees the IP notices against their shops (the nav's 「侵权通知」), so the page
    /// says so; everyone else sees reports.
    fn title(&self) -> &'static str {
        if self.c.is("merchant") {
            self.c.t("侵权通知", "IP notices")
        } else {
            self.c.t("举报", "Reports")
        }
    }
    fn heading(&self) -> &'static str {
        if self.c.is("merchant") {
            self.c
                .t("针对我的店铺的侵权通知", "IP notices against my shops")
        } else {
            self.c
                .t("举报（平台监管）", "Reports (platform regulation)")
        }
    }
    fn empty(&self) -> &'static str {
        if self.c.is("merchant") {
            self.c.t(
                "您的店铺没有收到侵权通知。",
                "No IP notices have been sent about your shops.",
            )
        } else {
            self.c.t("没有举报", "No reports")
        }
    }
    fn kind(&self, k: &ReportKind) -> &'static str {
        k.label(self.c.lang)
    }
    fn state(&self, s: &ReportState) -> &'static str {
        s.label(self.c.lang)
    }
}

fn may_report(c: &Ctx) -> bool {
    c.is("consumer") || c.is("cs_agent")
}

pub async fn list(
    State(state): State<AppState>,
    Web(c): Web,
    Query(q): Query<ListQuery>,
) -> Response {
    let before = match q.before.as_deref().map(str::parse::<i64>).transpose() {
        Ok(b) => b,
        Err(_) => return error_page(&c, ApiError::not_found()),
    };
    match state.store.reports(&c.actor(), before, 30).await {
        Ok(p) => render(&ReportsPage {
            may_report: may_report(&c),
            c,
            reports: p.items,
            next: p.next_cursor,
        }),
        Err(e) => error_page(&c, e.into()),
    }
}

#[derive(Template)]
#[template(path = "report_new.html")]
struct NewPage {
    c: Ctx,
    form: Form,
    error: Option<FormError>,
    kinds: Vec<(&'static str, &'static str)>,
}

impl NewPage {
    fn new(c: Ctx, form: Form) -> Self {
        let lang = c.lang;
        NewPage {
            c,
            form,
            error: None,
            kinds: ReportKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label(lang)))
                .collect(),
        }
    }
}

#[derive(Deserialize)]
pub struct NewQuery {
    shop: Option<String>,
    kind: Option<String>,
    order: Option<String>,
}

pub async fn new_form(Web(c): Web, Query(q): Query<NewQuery>) -> Response {
    if !may_report(&c) {
        return error_page(&c, forbidden());
    }
    let mut form = Form::default();
    form.set("shop_id", q.shop.unwrap_or_default());
    form.set("report_kind", q.kind.unwrap_or_default());
    form.set("order_no", q.order.unwrap_or_default());
    render(&NewPage::new(c, form))
}

fn forbidden() -> ApiError {
    DomainError::forbidden(
        "只有买家或代买家来电的客服可以举报",
        "only consumers, or customer service for a consumer who called, may report",
    )
    .into()
}

/// The form as the API's request, so that one parser reads both; the form calls the report's
/// kind `report_kind` (an upload's `kind` is the kind of evidence).
fn report_request(f: &Form) -> ReportRequest {
    ReportRequest {
        shop_id: f.opt("shop_id"),
        kind: f.opt("report_kind"),
        description: f.opt("description"),
        order_no: f.opt("order_no"),
        listing: f.opt("listing"),
        on_behalf_of: f.opt("on_behalf_of"),
    }
}

/// Names the form's fields as the form does.
fn form_error(e: impl Into<ApiError>, lang: Lang) -> (StatusCode, FormError) {
    let mut e = e.into();
    for f in &mut e.fields {
        if f.field == "kind" {
            f.field = "report_kind".into();
        }
    }
    (e.status, FormError::of(e, lang))
}

pub async fn create(
    State(state): State<AppState>,
    Web(c): Web,
    CsrfForm(form): CsrfForm,
) -> Response {
    let lang = c.lang;
    let result = match NewReport::parse(&report_request(&form)) {
        Ok(r) => {
            state
                .store
                .file_report(&c.actor(), r, Channel::Web, state.clock.now())
                .await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(r) => {
            tracing::info!(report = %r.id, case = %r.case_id, kind = r.kind.as_str(), "reported on the web");
            Redirect::to(&format!("/reports/{}", r.id)).into_response()
        }
        Err(e) => {
            let (status, error) = form_error(e, lang);
            let mut p = NewPage::new(c, form);
            p.error = Some(error);
            let mut res = render(&p);
            *res.status_mut() = status;
            res
        }
    }
}

pub struct EventView {
    pub at: String,
    pub what: &'static str,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    c: Ctx,
    r: Report,
    events: Vec<EventView>,
    evidence: Vec<EvidenceView>,
    evidence_kinds: Vec<(&'static str, &'static str)>,
    /// Staff and the shop's merchant see the case the report joined.
    sees_case: bool,
    form: Form,
    error: Option<FormError>,
}

impl ReportPage {
    fn kind(&self) -> &'static str {
        self.r.kind.label(self.c.lang)
    }
    fn state(&self) -> &'static str {
        self.r.state.label(self.c.lang)
    }
    /// The merchant's counter-notice (Art. 43), while the listing is down on the notice.
    fn may_counter_notice(&self) -> bool {
        self.c.is("merchant") && self.r.state == ReportState::TakenDown
    }
    /// The rights holder's answer to a counter-notice, before the listing comes back.
    fn may_say_legal_action(&self) -> bool {
        self.c.is("consumer") && self.r.state == ReportState::CounterNoticed
    }
}

fn event_view(c: &Ctx, e: &Event) -> EventView {
    let mut parts = vec![];
    for k in ["statement", "note", "filename"] {
        if let Some(v) = e.data[k].as_str() {
            parts.push(v.to_owned());
        }
    }
    if let Some(t) = e.data["restore_at"]
        .as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
    {
        parts.push(format!(
            "{} {}",
            c.t("恢复上架时间", "restored on"),
            c.time(t.with_timezone(&chrono::Utc))
        ));
    }
    EventView {
        at: c.time(e.at),
        what: EventKind::label_of(&e.kind, c.lang),
        detail: parts.join(" · "),
    }
}

async fn show(
    state: &AppState,
    c: Ctx,
    id: ReportId,
    form: Form,
    error: Option<(StatusCode, FormError)>,
) -> Response {
    let actor = c.actor();
    let (r, events, files) = match (
        state.store.report(&actor, id).await,
        state.store.report_events(&actor, id).await,
        state.store.report_evidence_list(&actor, id).await,
    ) {
        (Ok(r), Ok(e), Ok(f)) => (r, e, f),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return error_page(&c, e.into()),
    };
    let (status, error) = match error {
        Some((s, e)) => (s, Some(e)),
        None => (StatusCode::OK, None),
    };
    let lang = c.lang;
    let base = format!("/reports/{id}");
    let page = ReportPage {
        events: events.iter().map(|e| event_view(&c, e)).collect(),
        evidence: files.iter().map(|e| evidence_view(&c, &base, e)).collect(),
        evidence_kinds: EvidenceKind::ALL
            .iter()
            .map(|x| (x.as_str(), x.label(lang)))
            .collect(),
        sees_case: actor.role.is_staff() || actor.role == Role::Merchant,
        r,
        c,
        form,
        error,
    };
    let mut res = render(&page);
    *res.status_mut() = status;
    res
}

pub async fn page(State(state): State<AppState>, Web(c): Web, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error_page(&c, ApiError::not_found());
    };
    show(&state, c, ReportId(id), Form::default(), None).await
}

pub async fn act(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<ReportId>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let lang = c.lang;
    let req = ReportActionRequest {
        action: form.opt("action"),
        message: form.opt("message"),
    };
    let result = match ReportAction::parse(&req) {
        Ok(a) => state
            .store
            .report_act(&c.actor(), id, a, state.clock.now())
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(r) => {
            tracing::info!(
                report = %id,
                state = r.state.as_str(),
                "report acted on the web"
            );
            Redirect::to(&format!("/reports/{id}")).into_response()
        }
        Err(e) if e.status == StatusCode::NOT_FOUND => error_page(&c, e),
        Err(e) => {
            let err = Some(form_error(e, lang));
            show(&state, c, id, form, err).await
        }
    }
}

pub async fn upload(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<ReportId>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let lang = c.lang;
    let actor = c.actor();
    let result = evidence::upload(
        &state,
        &actor,
        Subject::Report(id),
        Via::Page(&headers),
        multipart,
    )
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/reports/{id}#evidence")).into_response(),
        Err(e) if e.code == "csrf" || e.status == StatusCode::NOT_FOUND => error_page(&c, e),
        Err(e) => {
            let status = e.status;
            let err = Some((status, FormError::of(e, lang)));
            show(&state, c, id, Form::default(), err).await
        }
    }
}

/// A report's file, through the same permission check and headers as the API.
pub async fn evidence(
    State(state): State<AppState>,
    Web(c): Web,
    Path((id, sha)): Path<(ReportId, String)>,
) -> Response {
    let Ok(sha) = Sha256::parse(&sha) else {
        return error_page(&c, ApiError::not_found());
    };
    match state.store.report_evidence(&c.actor(), id, &sha).await {
        Ok((ev, bytes)) => evidence::evidence_response(&ev, bytes),
        Err(e) => error_page(&c, e.into()),
    }
}
