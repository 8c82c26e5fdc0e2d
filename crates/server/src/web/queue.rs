//! Lists: the consumer's complaints, the merchant's queue, the tier-1 and tier-2 workbenches
//! (sorted by deadline, overdue first).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use weiquan_domain::*;
use weiquan_store::ComplaintFilter;

use super::session::Web;
use super::{Ctx, error_page, i18n, render};
use crate::AppState;

/// The queue's tab, filters and page, all in the URL (a GET form); paging keeps them.
#[derive(Deserialize, Default)]
pub struct QueueQuery {
    tier: Option<String>,
    #[serde(default)]
    state: String,
    /// "1": only major complaints (protection takes these over).
    major: Option<String>,
    #[serde(default)]
    category: String,
    #[serde(default)]
    shop: String,
    /// Part of the order number or the product.
    #[serde(default)]
    q: String,
    /// Filed on or after this day, and on or before `to` (China time, `YYYY-MM-DD`).
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    cursor: Option<String>,
}

impl QueueQuery {
    /// The tab and filters as a query string, for the next page's link.
    fn query(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("tier", self.tier.as_deref().unwrap_or("all"));
        if self.major.as_deref() == Some("1") {
            q.append_pair("major", "1");
        }
        for (k, v) in [
            ("state", &self.state),
            ("category", &self.category),
            ("shop", &self.shop),
            ("q", &self.q),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.trim().is_empty() {
                q.append_pair(k, v.trim());
            }
        }
        q.finish()
    }
    fn filtered(&self) -> bool {
        [
            &self.state,
            &self.category,
            &self.shop,
            &self.q,
            &self.from,
            &self.to,
        ]
        .iter()
        .any(|v| !v.trim().is_empty())
    }
}

/// A day in China time (`YYYY-MM-DD`) as its first instant; `next` the day after's.
fn day_start(field: &str, s: &str, next: bool) -> Result<Option<Timestamp>, DomainError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let day = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        DomainError::invalid(field, "日期格式应为 2026-05-04", "a date like 2026-05-04")
    })?;
    let day = if next {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    let cn = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    Ok(day
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(cn).single())
        .map(|t| t.with_timezone(&chrono::Utc)))
}

pub struct Row {
    pub id: i64,
    pub order_no: String,
    pub product: String,
    pub category: &'static str,
    pub state: &'static str,
    pub tier: &'static str,
    pub major: bool,
    pub next_actor: &'static str,
    pub deadline: String,
    pub deadline_iso: String,
    pub remaining: String,
    pub overdue: bool,
    /// Consumer protection reviews with no deadline of its own (DESIGN §3).
    pub no_deadline: bool,
    /// The payment system reported it could not pay the remedy (still due).
    pub payment_failed: bool,
    /// The shop's name (the merchant's queue, over several shops).
    pub shop: String,
    pub shop_id: String,
    /// The merchant has not answered yet: what a merchant must look at first.
    pub new: bool,
}

/// A tab of the queue page.
pub struct Tab {
    pub label: &'static str,
    pub href: &'static str,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    c: Ctx,
    title: &'static str,
    tabs: Vec<Tab>,
    rows: Vec<Row>,
    next: Option<String>,
    base: String,
    q: QueueQuery,
    states: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    /// The shop filter's choices (the merchant's queue): id and name.
    shops: Vec<(String, String)>,
    merchant: bool,
}

fn tabs(c: &Ctx, q: &QueueQuery) -> Vec<Tab> {
    let t = |zh, en| c.t(zh, en);
    let tier = q.tier.as_deref().unwrap_or("");
    let major = q.major.as_deref() == Some("1");
    let mut out = vec![Tab {
        label: t("全部", "all"),
        href: "/complaints?tier=all",
        active: tier == "all" && !major,
    }];
    for tr in Tier::ALL {
        out.push(Tab {
            label: tr.label(c.lang),
            href: match tr {
                Tier::Negotiation => "/complaints?tier=negotiation",
                Tier::CustomerService => "/complaints?tier=customer_service",
                Tier::ConsumerProtection => "/complaints?tier=consumer_protection",
            },
            active: tier == tr.as_str() && !major,
        });
    }
    if c.is("protection") || c.is("cs_agent") {
        out.push(Tab {
            label: t("重大投诉", "major"),
            href: "/complaints?tier=all&major=1",
            active: major,
        });
    }
    out
}

/// Each role's default view of the queue.
fn default_tier(role: Option<Role>) -> &'static str {
    match role {
        Some(Role::CsAgent) => "customer_service",
        Some(Role::Protection) => "consumer_protection",
        _ => "all",
    }
}

pub async fn complaints(
    State(state): State<AppState>,
    Web(c): Web,
    Query(mut q): Query<QueueQuery>,
) -> Response {
    if q.tier.is_none() {
        q.tier = Some(default_tier(c.role()).to_owned());
    }
    let mut errs = weiquan_domain::error::FieldErrors::new();
    let tier = match q.tier.as_deref() {
        Some("all") | None => None,
        Some(t) => errs.take(Tier::parse(t)),
    };
    let st = Some(q.state.trim())
        .filter(|s| !s.is_empty())
        .and_then(|s| errs.take(weiquan_domain::State::parse(s)));
    let category = Some(q.category.trim())
        .filter(|s| !s.is_empty())
        .and_then(|s| errs.take(Category::parse(s)));
    let shop_id = Some(q.shop.trim())
        .filter(|s| !s.is_empty())
        .and_then(|s| errs.take(ShopId::parse(s)));
    let filed_from = errs.take(day_start("from", &q.from, false)).flatten();
    let filed_before = errs.take(day_start("to", &q.to, true)).flatten();
    let before_id = match q.cursor.as_deref().map(str::parse::<i64>).transpose() {
        Ok(b) => b,
        Err(_) => {
            errs.push(FieldError::new("cursor", "分页游标无效", "invalid cursor"));
            None
        }
    };
    if let Err(e) = errs.finish() {
        return error_page(&c, e.into());
    }
    let major_only = q.major.as_deref() == Some("1");
    let filter = ComplaintFilter {
        state: st,
        tier,
        shop_id,
        category,
        major_open: major_only,
        search: Some(q.q.trim().to_owned()).filter(|s| !s.is_empty()),
        filed_from,
        filed_before,
        before_id,
        limit: 200,
    };
    let page = match state.store.complaints(&c.actor(), filter).await {
        Ok(p) => p,
        Err(e) => return error_page(&c, e.into()),
    };
    let consumer = c.is("consumer");
    let merchant = c.is("merchant");
    let mut items: Vec<Complaint> = page.items;
    // Those who answer work by deadline, overdue first; a consumer sees newest first.
    if !consumer {
        items.sort_by_key(|k| (k.deadline_at.is_none(), k.deadline_at, k.id.0));
    }
    let lang = c.lang;
    // A merchant's queue spans their shops: each shop's name, read once.
    let mut shop_names: Vec<(String, String)> = vec![];
    if merchant {
        let mut ids: Vec<ShopId> = items.iter().map(|k| k.shop_id.clone()).collect();
        if let Ok(s) = ShopId::parse(q.shop.trim()) {
            ids.push(s);
        }
        ids.sort();
        ids.dedup();
        for id in ids {
            match state.store.shop(&id, c.now).await {
                Ok(Some(s)) => shop_names.push((s.id.to_string(), s.name)),
                Ok(None) => {}
                Err(e) => return error_page(&c, e.into()),
            }
        }
    }
    let policy = state.store.policy();
    let countdown = |k: &Complaint| {
        Some(i18n::countdown(
            lang,
            policy,
            k.deadline_kind()?,
            c.now,
            k.deadline_at?,
        ))
    };
    let rows = items
        .iter()
        .map(|k| Row {
            id: k.id.0,
            order_no: k.order_no.to_string(),
            product: k.product.clone(),
            category: k.category.label(lang),
            state: k.state.label(lang),
            tier: k.tier.label(lang),
            major: k.major,
            payment_failed: k.remedy_due() && k.progress.payment_failed.is_some(),
            next_actor: k.next_actor_label(lang).unwrap_or("—"),
            deadline: k.deadline_at.map(|d| c.time(d)).unwrap_or_default(),
            deadline_iso: countdown(k).map(|x| x.iso).unwrap_or_default(),
            remaining: countdown(k).map(|x| x.text).unwrap_or_default(),
            overdue: k.deadline_at.is_some_and(|d| d < c.now),
            no_deadline: k.deadline_at.is_none() && k.next_actor() == Some("protection"),
            shop: shop_names
                .iter()
                .find(|(id, _)| *id == k.shop_id.as_str())
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| k.shop_id.to_string()),
            shop_id: k.shop_id.to_string(),
            new: k.state == weiquan_domain::State::AwaitingMerchant,
        })
        .collect();
    let title = match c.role() {
        Some(Role::Consumer) => c.t("我的投诉", "My complaints"),
        Some(Role::Merchant) => c.t(
            "待处理投诉（按期限）",
            "Complaints about my shops, by deadline",
        ),
        Some(Role::CsAgent) => c.t("客服工作台", "Customer-service workbench"),
        Some(Role::Protection) => c.t("消费者保障工作台", "Consumer-protection workbench"),
        _ => c.t("投诉", "Complaints"),
    };
    let base = format!("/complaints?{}", q.query());
    render(&QueuePage {
        tabs: if consumer { vec![] } else { tabs(&c, &q) },
        title,
        rows,
        next: page.next_cursor,
        base,
        states: weiquan_domain::State::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(lang)))
            .collect(),
        categories: Category::ALL
            .iter()
            .map(|k| (k.as_str(), k.label(lang)))
            .collect(),
        shops: shop_names,
        merchant,
        q,
        c,
    })
}
