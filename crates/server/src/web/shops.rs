//! Shops on the web: a merchant's own shops, and any shop's standing. Staff and the shop's
//! merchant also see the violations behind its points (the store decides who), and the merchant
//! appeals a penalty in force from here, once (`tier3::check_penalty_appeal` decides when).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use weiquan_domain::policy::Penalty;
use weiquan_domain::tier3::{
    PenaltyAppealRequest, PenaltyAppealState, ShopStatus, ViolationKind, check_penalty_appeal,
};
use weiquan_domain::*;
use weiquan_store::{PenaltyRecord, Shop, ViolationRecord};

use super::session::{CsrfForm, Web};
use super::{Ctx, Form, FormError, error_page, render};
use crate::AppState;
use crate::error::ApiError;

/// A penalty in force, in words.
pub struct PenaltyView {
    pub id: i64,
    pub label: &'static str,
    pub from: String,
    pub until: Option<String>,
    /// Why: the violation that pushed the points over the step, when the viewer may see it.
    pub why: String,
    pub appeal: Option<&'static str>,
    pub may_appeal: bool,
}

/// One violation behind the points.
pub struct ViolationView {
    pub at: String,
    pub kind: &'static str,
    pub points: i64,
    pub compensation: Option<String>,
    /// (href, text) of what it came from: a complaint, a case, or an order (no page of its own).
    pub source: Option<(String, String)>,
    pub order_no: Option<String>,
}

/// One measure of the scorecard across its windows.
pub struct ScoreRow {
    pub id: &'static str,
    pub label: String,
    pub explanation: String,
    /// Per window: the value with its unit (or why there is none), what it is over, and
    /// whether it was rated.
    pub cells: Vec<(String, String, bool)>,
}

/// The shop's public scorecard, as the page shows it.
pub struct ScoreView {
    pub as_of: String,
    /// What the windows are and when a measure is rated, in one sentence.
    pub note: String,
    pub windows: Vec<String>,
    /// Per window: orders paid and complaints filed, in words.
    pub volume: Vec<String>,
    pub rows: Vec<ScoreRow>,
    pub penalties: ScoreRow,
}

fn score_view(c: &Ctx, card: &weiquan_domain::scorecard::Scorecard) -> ScoreView {
    use weiquan_domain::scorecard::count_words;
    let v = card.view(c.lang);
    let note = match c.lang {
        Lang::Zh => format!(
            "各项按截至此刻的近30天和近90天统计；同期订单不足 {} 单的比率、投诉不足 {} 起的比例和中位数不评级。",
            v.min_orders, v.min_complaints
        ),
        Lang::En => format!(
            "Each measure covers the last 30 and 90 days up to now; a rate over fewer than {} orders, and a share or median over fewer than {} complaints, is not rated.",
            v.min_orders, v.min_complaints
        ),
    };
    let volume = v
        .windows
        .iter()
        .map(|w| {
            format!(
                "{} · {}",
                count_words(w.orders, "单", "order", "orders", c.lang),
                count_words(w.complaints, "起投诉", "complaint", "complaints", c.lang)
            )
        })
        .collect();
    let rows = v.windows.first().map_or(vec![], |first| {
        (0..first.measures.len())
            .map(|i| ScoreRow {
                id: first.measures[i].measure.as_str(),
                label: first.measures[i].label.clone(),
                explanation: first.measures[i].explanation.clone(),
                cells: v
                    .windows
                    .iter()
                    .map(|w| {
                        let m = &w.measures[i];
                        // A count says what it is out of in its own words.
                        let over = match m.unit {
                            weiquan_domain::scorecard::Unit::Count => String::new(),
                            _ => m.sample_text.clone(),
                        };
                        (m.display.clone(), over, m.rated)
                    })
                    .collect(),
            })
            .collect()
    });
    let p = &v.active_penalties;
    ScoreView {
        as_of: c.time(v.as_of),
        note,
        windows: v.windows.iter().map(|w| w.title.clone()).collect(),
        volume,
        rows,
        penalties: ScoreRow {
            id: p.measure.as_str(),
            label: p.label.clone(),
            explanation: p.explanation.clone(),
            cells: vec![(p.display.clone(), String::new(), true)],
        },
    }
}

pub struct ShopView {
    pub shop: Shop,
    /// Its public scorecard (`docs/scorecard.md`).
    pub score: ScoreView,
    pub status: &'static str,
    pub weight: String,
    pub penalties: Vec<PenaltyView>,
    /// `None` when the viewer may not see them (the public standing only).
    pub violations: Option<Vec<ViolationView>>,
}

#[derive(Template)]
#[template(path = "shop.html")]
struct ShopPage {
    c: Ctx,
    title: &'static str,
    /// The merchant's own list (its empty state differs from a shop's page).
    mine: bool,
    shops: Vec<ShopView>,
    /// The appeal form that failed, with its penalty, to show the error beside it.
    appeal_form: Option<(i64, Form)>,
    error: Option<FormError>,
}

impl ShopPage {
    fn appeal_reason(&self, id: &i64) -> &str {
        match &self.appeal_form {
            Some((p, f)) if p == id => f.get("reason"),
            _ => "",
        }
    }
}

fn violation_view(c: &Ctx, v: &ViolationRecord) -> ViolationView {
    let source = match (v.complaint_id, v.case_id) {
        (Some(k), _) => Some((
            format!("/complaints/{k}"),
            format!("{} #{k}", c.t("投诉", "complaint")),
        )),
        (None, Some(k)) => Some((
            format!("/cases/{k}"),
            format!("{} #{k}", c.t("案件", "case")),
        )),
        (None, None) => None,
    };
    ViolationView {
        at: c.time(v.at),
        kind: ViolationKind::label_of(&v.kind, c.lang),
        points: v.points,
        compensation: v.compensation.map(|a| a.to_string()),
        source,
        order_no: v.order_no.clone(),
    }
}

fn penalty_view(
    c: &Ctx,
    shop: &Shop,
    p: &PenaltyRecord,
    violations: Option<&[ViolationRecord]>,
) -> PenaltyView {
    let appeal = p
        .appeal
        .as_ref()
        .map(|a| PenaltyAppealState::label_of(a["state"].as_str().unwrap_or(""), c.lang));
    // The stored reason is Chinese; the page says it from the violation behind it instead.
    let step = c.t(
        "12个月内累计扣分达到处罚线",
        "12-month points reached a step",
    );
    let why = match violations.and_then(|vs| vs.iter().find(|v| v.penalties.contains(&p.id))) {
        Some(v) => {
            let kind = ViolationKind::label_of(&v.kind, c.lang);
            match c.lang {
                Lang::Zh => format!("{step}（违规：{kind}，{}）", c.time(v.at)),
                Lang::En => format!("{step} (violation: {kind}, {})", c.time(v.at)),
            }
        }
        None => step.to_owned(),
    };
    PenaltyView {
        id: p.id.0,
        label: Penalty::parse(&p.penalty).map_or(c.t("处罚", "penalty"), |x| x.label(c.lang)),
        from: c.time(p.starts_at),
        until: p.ends_at.map(|e| c.time(e)),
        why,
        appeal,
        // Shown by the rule the store applies when the merchant appeals.
        may_appeal: c.user.is_some()
            && check_penalty_appeal(&c.actor(), shop.merchant_id, p.appeal.is_some(), false)
                .is_ok(),
    }
}

async fn shop_view(state: &AppState, c: &Ctx, shop: Shop) -> Result<ShopView, ApiError> {
    // The store answers "not found" to whoever may not see the violations: they see the
    // public standing only.
    let violations = match state.store.violations(&c.actor(), &shop.id).await {
        Ok(v) => Some(v),
        Err(e) => {
            let e = ApiError::from(e);
            if e.status != StatusCode::NOT_FOUND {
                return Err(e);
            }
            None
        }
    };
    let viewer = c.user.as_ref().map(|u| u.actor());
    let card = state
        .store
        .scorecard(viewer.as_ref(), &shop.id, c.now)
        .await?;
    Ok(ShopView {
        score: score_view(c, &card),
        status: ShopStatus::label_of(&shop.status, c.lang),
        weight: format!("{:.2}", shop.search_weight),
        penalties: shop
            .active_penalties
            .iter()
            .map(|p| penalty_view(c, &shop, p, violations.as_deref()))
            .collect(),
        violations: violations.map(|vs| vs.iter().map(|v| violation_view(c, v)).collect()),
        shop,
    })
}

async fn views(state: &AppState, c: &Ctx, shops: Vec<Shop>) -> Result<Vec<ShopView>, ApiError> {
    let mut out = Vec::with_capacity(shops.len());
    for s in shops {
        out.push(shop_view(state, c, s).await?);
    }
    Ok(out)
}

/// A merchant's shops: those they run (the store lists them), each with its standing.
pub async fn mine(State(state): State<AppState>, Web(c): Web) -> Response {
    show_mine(&state, c, None).await
}

async fn show_mine(
    state: &AppState,
    c: Ctx,
    error: Option<(StatusCode, i64, Form, FormError)>,
) -> Response {
    let shops = match state.store.my_shops(&c.actor(), c.now).await {
        Ok(s) => s,
        Err(e) => return error_page(&c, e.into()),
    };
    let shops = match views(state, &c, shops).await {
        Ok(v) => v,
        Err(e) => return error_page(&c, e),
    };
    let (status, appeal_form, error) = match error {
        Some((s, p, f, e)) => (s, Some((p, f)), Some(e)),
        None => (StatusCode::OK, None, None),
    };
    let mut r = render(&ShopPage {
        title: c.t("我的店铺", "My shops"),
        mine: true,
        c,
        shops,
        appeal_form,
        error,
    });
    *r.status_mut() = status;
    r
}

/// Any shop's standing.
pub async fn shop(State(state): State<AppState>, Web(c): Web, Path(id): Path<String>) -> Response {
    let Ok(id) = ShopId::parse(&id) else {
        return error_page(&c, ApiError::not_found());
    };
    let shop = match state.store.shop(&id, c.now).await {
        Ok(Some(s)) => s,
        Ok(None) => return error_page(&c, ApiError::not_found()),
        Err(e) => return error_page(&c, e.into()),
    };
    match shop_view(&state, &c, shop).await {
        Ok(v) => render(&ShopPage {
            title: c.t("店铺信誉", "Shop standing"),
            mine: false,
            c,
            shops: vec![v],
            appeal_form: None,
            error: None,
        }),
        Err(e) => error_page(&c, e),
    }
}

/// The merchant appeals a penalty on their shop, with the same parser and store call as the API.
pub async fn appeal(
    State(state): State<AppState>,
    Web(c): Web,
    Path((id, penalty)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let Ok(shop) = ShopId::parse(&id) else {
        return error_page(&c, ApiError::not_found());
    };
    let req = PenaltyAppealRequest {
        reason: form.opt("reason"),
        decision: None,
    };
    let result = match crate::api::tier3::appeal_reason(&req) {
        Ok(reason) => state
            .store
            .appeal_penalty(
                &c.actor(),
                &shop,
                PenaltyId(penalty),
                reason,
                state.clock.now(),
            )
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => {
            tracing::info!(shop = %shop, penalty, "penalty appealed on the web");
            Redirect::to(&format!("/shops#penalty-{penalty}")).into_response()
        }
        Err(e) if e.status == StatusCode::NOT_FOUND => error_page(&c, e),
        Err(e) => {
            let lang = c.lang;
            let status = e.status;
            show_mine(
                &state,
                c,
                Some((status, penalty, form, FormError::of(e, lang))),
            )
            .await
        }
    }
}
