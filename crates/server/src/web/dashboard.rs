//! Tier 3: the regulator's cases and the dashboard of charts.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use weiquan_domain::*;
use weiquan_store::Case;

use axum::response::{IntoResponse, Redirect};

use super::session::{CsrfForm, Web};
use super::{Ctx, Form, FormError, error_page, render, rules};
use crate::AppState;
use crate::error::ApiError;

/// The cases' filters and page, in the URL (a GET form); the next page keeps them.
#[derive(Deserialize, Default)]
pub struct CasesQuery {
    before: Option<i64>,
    #[serde(default)]
    state: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    shop: String,
    /// Part of the title or the shop's id.
    #[serde(default)]
    q: String,
}

impl CasesQuery {
    fn filter_query(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("state", &self.state),
            ("kind", &self.kind),
            ("shop", &self.shop),
            ("q", &self.q),
        ] {
            if !v.trim().is_empty() {
                q.append_pair(k, v.trim());
            }
        }
        q.finish()
    }
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    c: Ctx,
    cases: Vec<Case>,
    next: Option<String>,
    q: CasesQuery,
    states: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
}

impl CasesPage {
    fn title(&self, k: &Case) -> String {
        case_title(k, self.c.lang)
    }
    fn kind(&self, k: &CaseKind) -> &'static str {
        k.label(self.c.lang)
    }
    fn state(&self, s: &CaseState) -> &'static str {
        s.label(self.c.lang)
    }
    fn next_href(&self, before: &str) -> String {
        let f = self.q.filter_query();
        if f.is_empty() {
            format!("/cases?before={before}")
        } else {
            format!("/cases?{f}&before={before}")
        }
    }
}

pub async fn cases(
    State(state): State<AppState>,
    Web(c): Web,
    Query(q): Query<CasesQuery>,
) -> Response {
    let mut errs = weiquan_domain::error::FieldErrors::new();
    let nonblank = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let query = weiquan_store::CaseQuery {
        state: nonblank(&q.state).and_then(|s| errs.take(CaseState::parse(&s))),
        kind: nonblank(&q.kind).and_then(|s| errs.take(CaseKind::parse(&s))),
        shop_id: nonblank(&q.shop).and_then(|s| errs.take(ShopId::parse(&s))),
        search: nonblank(&q.q),
        before: q.before,
        limit: 100,
    };
    if let Err(e) = errs.finish() {
        return error_page(&c, e.into());
    }
    // The store decides who sees which cases, as for the API's `/cases`.
    let lang = c.lang;
    match state.store.find_cases(&c.actor(), query).await {
        Ok(p) => render(&CasesPage {
            c,
            cases: p.items,
            next: p.next_cursor,
            q,
            states: CaseState::ALL
                .iter()
                .map(|s| (s.as_str(), s.label(lang)))
                .collect(),
            kinds: CaseKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label(lang)))
                .collect(),
        }),
        Err(e) => error_page(&c, e.into()),
    }
}

/// How many of a block's accounts or orders the case page lists.
const LIST_SHOWN: usize = 40;

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    c: Ctx,
    case: Case,
    events: Vec<weiquan_store::Event>,
    /// The merchant of the shop sees the request and answers; regulators decide.
    regulator: bool,
    merchant: bool,
    rules: Vec<(&'static str, &'static str)>,
    form: Form,
    error: Option<FormError>,
}

impl CasePage {
    fn claim(&self, k: &str) -> &'static str {
        ClaimKind::label_of(k, self.c.lang)
    }
    fn kind(&self) -> &'static str {
        self.case.kind.label(self.c.lang)
    }
    fn state(&self) -> &'static str {
        self.case.state.label(self.c.lang)
    }
    /// What a collective wave is about, in words (a brushing block has `block`).
    fn wave(&self) -> Vec<(&'static str, String)> {
        let d = &self.case.details;
        if d["source"] != "collective" {
            return vec![];
        }
        let l = self.c.lang;
        let text = |k: &str| d[k].as_str().unwrap_or("").to_owned();
        vec![
            (l.pick("商品", "Product"), text("product")),
            (
                l.pick("投诉类型", "Category"),
                Category::label_of(d["category"].as_str().unwrap_or(""), l).to_owned(),
            ),
            (l.pick("典型描述", "A typical complaint"), text("sample")),
        ]
    }
    /// The published outcome, one labelled line a fact; never the stored JSON itself.
    fn outcome(&self) -> Vec<(&'static str, String)> {
        let Some(o) = &self.case.outcome else {
            return vec![];
        };
        let l = self.c.lang;
        let mut out = vec![];
        if let Some(d) = o["decision"].as_str() {
            out.push((
                l.pick("结果", "Decision"),
                CaseState::label_of(d, l).to_owned(),
            ));
        }
        if let Some(r) = o["reasons"].as_str() {
            out.push((l.pick("理由", "Reasons"), r.to_owned()));
        }
        if let Some(refs) = o["rule_refs"].as_array().filter(|a| !a.is_empty()) {
            let refs: Vec<&str> = refs
                .iter()
                .filter_map(|v| v.as_str())
                .map(|r| rules::label(r, l))
                .collect();
            out.push((l.pick("依据", "Rules"), refs.join(l.pick("；", "; "))));
        }
        if let Some(p) = o["points"].as_i64() {
            out.push((l.pick("扣分", "Points"), p.to_string()));
        }
        if let Some(kind) = o["remedy"]["kind"].as_str() {
            let mut r = ClaimKind::label_of(kind, l).to_owned();
            if let Some(a) = o["remedy"]["amount_cents"]
                .as_i64()
                .and_then(|a| Cents::new(a).ok())
            {
                r.push_str(&format!(" {a}"));
            }
            out.push((l.pick("每位成员的补救", "Remedy for every member"), r));
        }
        if let Some(at) = o["at"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        {
            out.push((
                l.pick("时间", "At"),
                self.c.time(at.with_timezone(&chrono::Utc)),
            ));
        }
        out
    }
    fn open(&self) -> bool {
        matches!(self.case.state, CaseState::Open | CaseState::Investigating)
    }
    fn collective(&self) -> bool {
        self.case.kind == CaseKind::Collective
    }
    fn title(&self) -> String {
        case_title(&self.case, self.c.lang)
    }
    /// A brushing block: its figures, one line each (label, value), and its accounts, shops,
    /// days and sample orders as lists (label, items).
    fn block(&self) -> Vec<(&'static str, String)> {
        let d = &self.case.details;
        if d["source"] != "brushing_scan" {
            return vec![];
        }
        let num = |k: &str| d[k].as_f64().map(|v| format!("{v:.2}")).unwrap_or_default();
        let l = self.c.lang;
        let mut out = vec![(
            l.pick("检测方法", "Detector"),
            match d["detector"].as_str() {
                Some("time") => l.pick("按日期的稠密块", "dense block over days"),
                _ => l.pick("稠密子图检测", "dense-subgraph detection"),
            }
            .to_owned(),
        )];
        if let Some(t) = d["window_from"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        {
            out.push((
                l.pick("扫描起点", "Scanned from"),
                self.c.time(t.with_timezone(&chrono::Utc)),
            ));
        }
        out.extend([
            (l.pick("密度得分", "Density score"), num("score")),
            (l.pick("成交占比", "Fill"), num("fill")),
            (l.pick("高于全局倍数", "Lift over the window"), num("lift")),
            (
                l.pick("订单数", "Orders"),
                d["order_count"].as_i64().unwrap_or(0).to_string(),
            ),
        ]);
        out
    }
    /// A list's heading with its size, and the first few items (the rest counted).
    fn list_head(&self, label: &str, items: &[String]) -> String {
        match self.c.lang {
            Lang::Zh => format!("{label}（{}）", items.len()),
            Lang::En => format!("{label} ({})", items.len()),
        }
    }
    fn list_more(&self, items: &[String]) -> String {
        match items.len().checked_sub(LIST_SHOWN) {
            None | Some(0) => String::new(),
            Some(n) => match self.c.lang {
                Lang::Zh => format!("等，另有 {n} 项"),
                Lang::En => format!("and {n} more"),
            },
        }
    }
    fn block_lists(&self) -> Vec<(&'static str, Vec<String>)> {
        let d = &self.case.details;
        if d["source"] != "brushing_scan" {
            return vec![];
        }
        let list = |k: &str| -> Vec<String> {
            d[k].as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| match v {
                            serde_json::Value::String(s) => Some(s.clone()),
                            serde_json::Value::Number(n) => Some(n.to_string()),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let l = self.c.lang;
        vec![
            (l.pick("账号", "Accounts"), list("accounts")),
            (l.pick("店铺", "Shops"), list("shops")),
            (l.pick("日期", "Days"), list("days")),
            (l.pick("订单（样本）", "Orders (a sample)"), list("orders")),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect()
    }
    fn event_kind(&self, e: &weiquan_store::Event) -> &'static str {
        weiquan_domain::EventKind::label_of(&e.kind, self.c.lang)
    }
    fn event_line(&self, e: &weiquan_store::Event) -> String {
        let mut parts = vec![];
        for k in ["message", "reasons", "note", "reason"] {
            // A wave's member is recorded with its source's code, not with words.
            if let Some(v) = e.data[k].as_str().filter(|v| *v != "collective") {
                parts.push(v.to_owned());
            }
        }
        if let Some(refs) = e.data["rule_refs"].as_array() {
            let l = self.c.lang;
            let refs: Vec<&str> = refs
                .iter()
                .filter_map(|v| v.as_str())
                .map(|r| rules::label(r, l))
                .collect();
            if !refs.is_empty() {
                parts.push(refs.join(l.pick("；", "; ")));
            }
        }
        if let Some(id) = e.data["complaint_id"].as_i64() {
            parts.push(format!("{} #{id}", self.c.lang.pick("投诉", "complaint")));
        }
        if let Some(id) = e.data["report_id"].as_i64() {
            parts.push(format!("{} #{id}", self.c.lang.pick("举报", "report")));
        }
        parts.join(" · ")
    }
}

pub async fn case(State(state): State<AppState>, Web(c): Web, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error_page(&c, ApiError::not_found());
    };
    show_case(&state, c, CaseId(id), Form::default(), None).await
}

async fn show_case(
    state: &AppState,
    c: Ctx,
    id: CaseId,
    form: Form,
    error: Option<(axum::http::StatusCode, FormError)>,
) -> Response {
    let actor = c.actor();
    // The store decides who sees the case (staff, the shop's merchant), as for the API.
    let (case, events) = match (
        state.store.case(&actor, id).await,
        state.store.case_events(&actor, id).await,
    ) {
        (Ok(k), Ok(e)) => (k, e),
        (Err(e), _) | (_, Err(e)) => return error_page(&c, e.into()),
    };
    let (status, error) = match error {
        Some((s, e)) => (s, Some(e)),
        None => (axum::http::StatusCode::OK, None),
    };
    let page = CasePage {
        regulator: actor.role == Role::Regulator,
        merchant: actor.role == Role::Merchant,
        c,
        case,
        events,
        rules: rules::RULES.to_vec(),
        form,
        error,
    };
    let mut r = render(&page);
    *r.status_mut() = status;
    r
}

/// The form of a case action as the API's request, so that the same parser reads both.
fn case_request(f: &Form) -> Result<weiquan_domain::tier3::CaseActionRequest, DomainError> {
    let mut errs = weiquan_domain::error::FieldErrors::new();
    let refs = f.all("rule_refs");
    if refs.iter().any(|r| !rules::is_known(r)) {
        errs.push(FieldError::new(
            "rule_refs",
            "只能引用列表中的规则",
            "cite rules from the list only",
        ));
    }
    let points = match f.opt("points") {
        None => None,
        Some(p) => errs.take(p.parse::<u32>().map_err(|_| {
            DomainError::invalid("points", "扣分应为整数", "points must be a whole number")
        })),
    };
    let remedy = f
        .opt("remedy_kind")
        .map(|kind| weiquan_domain::complaint::ClaimRequest {
            kind: Some(kind),
            amount_cents: errs
                .take(super::yuan_to_cents(
                    "remedy.amount_cents",
                    f.get("remedy_amount"),
                ))
                .flatten(),
        });
    errs.finish()?;
    Ok(weiquan_domain::tier3::CaseActionRequest {
        action: f.opt("action"),
        message: f.opt("message"),
        reasons: f.opt("reasons"),
        rule_refs: Some(refs),
        points,
        remedy,
    })
}

pub async fn case_act(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let lang = c.lang;
    let id = CaseId(id);
    let action = match case_request(&form)
        .and_then(|r| weiquan_domain::tier3::CaseAction::parse(&r))
    {
        Ok(a) => a,
        Err(e) => {
            let e = ApiError::from(e);
            let status = e.status;
            return show_case(&state, c, id, form, Some((status, FormError::of(e, lang)))).await;
        }
    };
    let name = action.name();
    match state
        .store
        .case_act(&c.actor(), id, action, state.clock.now())
        .await
    {
        Ok(k) => {
            tracing::info!(case = %id, action = name, state = %k.state, "case acted on the web");
            Redirect::to(&format!("/cases/{id}")).into_response()
        }
        Err(e) => {
            let e = ApiError::from(e);
            let status = e.status;
            show_case(&state, c, id, form, Some((status, FormError::of(e, lang)))).await
        }
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
    /// Brushing blocks the scan turned into cases, and collective waves (the latest of each).
    blocks: Vec<Case>,
    waves: Vec<Case>,
    /// Shops with a penalty in force (a monitor's or a sanction's), most points first.
    penalised: Vec<weiquan_store::Shop>,
}

impl DashboardPage {
    fn state(&self, s: &CaseState) -> &'static str {
        s.label(self.c.lang)
    }
    fn block_size(&self, k: &Case) -> String {
        let n = |f: &str| k.details[f].as_array().map_or(0, Vec::len);
        format!("{} × {}", n("accounts"), n("shops"))
    }
    fn number(&self, v: &serde_json::Value) -> String {
        v.as_f64().map(|x| format!("{x:.2}")).unwrap_or_default()
    }
    fn hours(&self, h: &Option<f64>) -> String {
        h.map(|h| format!("{h:.1}")).unwrap_or_else(|| "—".into())
    }
    fn penalties(&self, s: &weiquan_store::Shop) -> String {
        let l = self.c.lang;
        s.active_penalties
            .iter()
            .map(|p| {
                weiquan_domain::policy::Penalty::parse(&p.penalty)
                    .map_or(l.pick("处罚", "penalty"), |x| x.label(l))
            })
            .collect::<Vec<_>>()
            .join(l.pick("、", ", "))
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
    let cat_label = |k: &str| Category::parse(k).map(|cat| cat.label(lang)).unwrap_or("?");
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
        shops.push((short(&name, 12), s.count));
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
            t.label(lang).to_owned(),
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
    let recent = match state.store.cases(&c.actor(), None, None, 200).await {
        Ok(p) => p.items,
        Err(e) => return error_page(&c, e.into()),
    };
    let blocks = recent
        .iter()
        .filter(|k| k.details["source"] == "brushing_scan")
        .take(10)
        .cloned()
        .collect();
    let waves = recent
        .into_iter()
        .filter(|k| k.kind == CaseKind::Collective)
        .take(10)
        .collect();
    let penalised = match state.store.penalised_shops(&c.actor(), c.now, 10).await {
        Ok(s) => s,
        Err(e) => return error_page(&c, e.into()),
    };
    render(&DashboardPage {
        penalised,
        blocks,
        waves,
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

/// A case's title in the page's language, said from what the case holds (the stored title is
/// Chinese and, for a wave, counts the consumers only at the moment it opened).
pub fn case_title(k: &Case, lang: Lang) -> String {
    let d = &k.details;
    let n = |f: &str| d[f].as_array().map_or(0, Vec::len);
    match d["source"].as_str() {
        Some("collective") => {
            let product = d["product"].as_str().unwrap_or("");
            let category = Category::label_of(d["category"].as_str().unwrap_or(""), lang);
            match lang {
                Lang::Zh => format!("集体投诉：{product}（{category}）"),
                Lang::En => format!("Collective complaint: {product} ({category})"),
            }
        }
        Some("brushing_scan") => match lang {
            Lang::Zh => format!(
                "疑似刷单团伙：{} 个账号 × {} 家店铺",
                n("accounts"),
                n("shops")
            ),
            Lang::En => format!(
                "Suspected brushing ring: {} accounts × {} shops",
                n("accounts"),
                n("shops")
            ),
        },
        _ => match k.kind {
            CaseKind::Ip => lang.pick("知识产权投诉", "IP infringement notices"),
            CaseKind::Violation => lang.pick("违规线索", "Leads of violations"),
            CaseKind::Collective => lang.pick("集体投诉", "Collective complaint"),
        }
        .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A wave's title is said from its issue, in the page's language; how many it holds is
    /// its members, counted when shown (the stored title froze the count at opening).
    #[test]
    fn a_wave_s_title_is_its_issue_in_the_page_s_language() {
        let now = chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        let case = Case {
            id: CaseId(1),
            kind: CaseKind::Collective,
            shop_id: ShopId::parse("shop-009").unwrap(),
            state: CaseState::Open,
            title: "店铺 shop-009 集体投诉：5 位消费者反映同一问题".into(),
            members: (1..=6).map(ComplaintId).collect(),
            reports: vec![],
            details: serde_json::json!({"source": "collective", "product": "保温杯",
                "category": "quality_defect", "cluster": 3, "sample": "漏水"}),
            outcome: None,
            evidence_due_at: None,
            created_at: now,
            updated_at: now,
        };
        assert_eq!(
            case_title(&case, Lang::En),
            "Collective complaint: 保温杯 (quality defect)"
        );
        assert_eq!(case_title(&case, Lang::Zh), "集体投诉：保温杯（质量问题）");
        let mut block = case.clone();
        block.kind = CaseKind::Violation;
        block.details = serde_json::json!({"source": "brushing_scan",
            "accounts": ["a", "b", "c"], "shops": ["s"]});
        assert_eq!(
            case_title(&block, Lang::En),
            "Suspected brushing ring: 3 accounts × 1 shops"
        );
    }
}
