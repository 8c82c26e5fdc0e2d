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
        "dismissed" => ("不予处罚", "dismissed"),
        _ => ("其他", "other"),
    };
    lang.pick(zh, en)
}

pub async fn cases(
    State(state): State<AppState>,
    Web(c): Web,
    Query(q): Query<CasesQuery>,
) -> Response {
    // The store decides who sees which cases, as for the API's `/cases`.
    match state.store.cases(&c.actor(), None, q.before, 100).await {
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
    /// What the case is about (a brushing block, a collective wave), as stored.
    fn details(&self) -> String {
        pretty(&self.case.details)
    }
    fn outcome(&self) -> Option<String> {
        self.case.outcome.as_ref().map(pretty)
    }
}

fn pretty(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        v => serde_json::to_string_pretty(v).unwrap_or_default(),
    }
}

pub async fn case(State(state): State<AppState>, Web(c): Web, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error_page(&c, ApiError::not_found());
    };
    match state.store.case(&c.actor(), CaseId(id)).await {
        Ok(case) => render(&CasePage { c, case }),
        Err(e) => error_page(&c, e.into()),
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    c: Ctx,
    stats: weiquan_store::Stats,
    per_day: String,
    top_shops: String,
    sla: String,
    /// (label, count) per category, for the table under the charts.
    categories: Vec<(&'static str, i64)>,
    from: String,
    to: String,
}

impl DashboardPage {
    fn hours(&self, h: &Option<f64>) -> String {
        h.map(|h| format!("{h:.1}")).unwrap_or_else(|| "—".into())
    }
    fn percent(&self, r: &Option<f64>) -> String {
        r.map(|r| format!("{:.0}%", r * 100.0))
            .unwrap_or_else(|| "—".into())
    }
}

#[derive(Deserialize)]
pub struct DashboardQuery {
    from: Option<String>,
    to: Option<String>,
}

/// The regulator's dashboard: `Store::stats` (staff only, decided there) drawn as SVG charts.
pub async fn dashboard(
    State(state): State<AppState>,
    Web(c): Web,
    Query(q): Query<DashboardQuery>,
) -> Response {
    let params = crate::api::stats::StatsParams {
        from: q.from.filter(|s| !s.is_empty()),
        to: q.to.filter(|s| !s.is_empty()),
        shop_id: None,
    };
    let query = match crate::api::stats::stats_query(&params, c.now) {
        Ok(q) => q,
        Err(e) => return error_page(&c, e.into()),
    };
    let stats = match state.store.stats(&c.actor(), query).await {
        Ok(s) => s,
        Err(e) => return error_page(&c, e.into()),
    };
    let lang = c.lang;
    let cat_label = |k: &str| {
        Category::parse(k)
            .map(|cat| super::i18n::category(lang, cat))
            .unwrap_or("?")
    };
    // Days of the period in China time, and the five biggest categories (the rest as "other").
    let cn = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    let (first, last) = (
        stats.from.with_timezone(&cn).date_naive(),
        (stats.to - chrono::Duration::milliseconds(1))
            .with_timezone(&cn)
            .date_naive(),
    );
    let days: Vec<chrono::NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
    let top: Vec<&str> = stats
        .by_category
        .iter()
        .take(5)
        .map(|c| c.key.as_str())
        .collect();
    let mut series: Vec<(String, Vec<i64>)> = top
        .iter()
        .map(|k| (cat_label(k).to_owned(), vec![0; days.len()]))
        .collect();
    let mut other = vec![0i64; days.len()];
    for d in &stats.per_day {
        let Some(i) = days.iter().position(|x| *x == d.day) else {
            continue;
        };
        match top.iter().position(|k| *k == d.category) {
            Some(s) => series[s].1[i] += d.count,
            None => other[i] += d.count,
        }
    }
    if other.iter().any(|v| *v > 0) {
        series.push((c.t("其他", "other").to_owned(), other));
    }
    let mut shops = vec![];
    for s in stats.top_shops.iter().take(10) {
        let name = match ShopId::parse(&s.key) {
            Ok(id) => match state.store.shop(&id, c.now).await {
                Ok(Some(shop)) => shop.name,
                Ok(None) => s.key.clone(),
                Err(e) => return error_page(&c, e.into()),
            },
            Err(_) => s.key.clone(),
        };
        shops.push((short(&name, 8), s.count));
    }
    let sla: Vec<(String, i64, i64)> = [
        Tier::Negotiation,
        Tier::CustomerService,
        Tier::ConsumerProtection,
    ]
    .iter()
    .map(|t| {
        let d = stats.deadlines_by_tier.iter().find(|d| d.key == t.as_str());
        (
            super::i18n::tier(lang, *t).to_owned(),
            d.map_or(0, |d| d.due),
            d.map_or(0, |d| d.missed),
        )
    })
    .collect();
    let charts = (
        super::charts::per_day(
            c.t("每日投诉（按类型）", "Complaints per day, by category"),
            &days,
            &series,
            lang,
        ),
        super::charts::bars(
            c.t("投诉最多的店铺", "Shops with the most complaints"),
            &shops,
            c.t("件数", "complaints"),
        ),
        super::charts::share_bars(
            c.t(
                "各层级期限：到期与超时",
                "Deadlines by tier: due and missed",
            ),
            &sla,
            c.t("到期", "due"),
            c.t("超时", "missed"),
        ),
    );
    let (per_day, top_shops, sla) = match charts {
        (Ok(a), Ok(b), Ok(d)) => (a, b, d),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            tracing::error!(error = %e, "drawing a chart");
            return error_page(&c, ApiError::internal());
        }
    };
    let categories = stats
        .by_category
        .iter()
        .map(|x| (cat_label(&x.key), x.count))
        .collect();
    render(&DashboardPage {
        from: first.to_string(),
        to: last.to_string(),
        c,
        per_day,
        top_shops,
        sla,
        categories,
        stats,
    })
}

/// A name cut to `n` characters for an axis label.
fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}
