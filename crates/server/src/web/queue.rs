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

#[derive(Deserialize)]
pub struct QueueQuery {
    tier: Option<String>,
    state: Option<String>,
    /// "1": only major complaints (protection takes these over).
    major: Option<String>,
    cursor: Option<String>,
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
    let st = q
        .state
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| errs.take(weiquan_domain::State::parse(s)));
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
    let filter = ComplaintFilter {
        state: st,
        tier,
        shop_id: None,
        before_id,
        limit: 200,
    };
    let page = match state.store.complaints(&c.actor(), filter).await {
        Ok(p) => p,
        Err(e) => return error_page(&c, e.into()),
    };
    let consumer = c.is("consumer");
    let major_only = q.major.as_deref() == Some("1");
    let mut items: Vec<Complaint> = page
        .items
        .into_iter()
        .filter(|k| !major_only || (k.major && k.state.is_open()))
        .collect();
    // Those who answer work by deadline, overdue first; a consumer sees newest first.
    if !consumer {
        items.sort_by_key(|k| (k.deadline_at.is_none(), k.deadline_at, k.id.0));
    }
    let lang = c.lang;
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
            deadline_iso: k.deadline_at.map(|d| d.to_rfc3339()).unwrap_or_default(),
            remaining: k
                .deadline_at
                .map(|d| i18n::remaining(lang, c.now, d))
                .unwrap_or_default(),
            overdue: k.deadline_at.is_some_and(|d| d < c.now),
            no_deadline: k.deadline_at.is_none() && k.next_actor() == Some("protection"),
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
    let base = format!(
        "/complaints?tier={}{}",
        q.tier.as_deref().unwrap_or("all"),
        if major_only { "&major=1" } else { "" }
    );
    render(&QueuePage {
        tabs: if consumer { vec![] } else { tabs(&c, &q) },
        c,
        title,
        rows,
        next: page.next_cursor,
        base,
    })
}
