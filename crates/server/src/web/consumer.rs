//! The consumer's pages: orders, and filing a complaint from one.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use weiquan_domain::complaint::{ClaimRequest, FileComplaintRequest};
use weiquan_domain::*;
use weiquan_store::{Order, OrderQuery};

use super::session::{CsrfForm, Web};
use super::{Ctx, Form, FormError, error_page, render};
use crate::AppState;
use crate::error::ApiError;

/// The orders' search and page, in the URL (a GET form); the next page keeps the search.
#[derive(Deserialize, Default)]
pub struct PageQuery {
    before: Option<String>,
    /// Part of the order number, an item or the shop's name.
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "orders.html")]
struct OrdersPage {
    c: Ctx,
    orders: Vec<Order>,
    next: Option<String>,
    q: String,
}

impl OrdersPage {
    fn next_href(&self, before: &str) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if !self.q.trim().is_empty() {
            q.append_pair("q", self.q.trim());
        }
        q.append_pair("before", before);
        format!("/orders?{}", q.finish())
    }
}

pub async fn orders(
    State(state): State<AppState>,
    Web(c): Web,
    Query(q): Query<PageQuery>,
) -> Response {
    let before = match q.before.as_deref().map(OrderNo::parse).transpose() {
        Ok(b) => b,
        Err(e) => return error_page(&c, e.into()),
    };
    let query = OrderQuery {
        before,
        search: Some(q.q.trim().to_owned()).filter(|s| !s.is_empty()),
        shop_id: None,
        limit: 30,
    };
    match state.store.find_orders(&c.actor(), query).await {
        Ok(p) => render(&OrdersPage {
            c,
            orders: p.items,
            next: p.next_cursor,
            q: q.q,
        }),
        Err(e) => error_page(&c, e.into()),
    }
}

/// One order the viewer may see, through the same visibility as the listing: the largest
/// visible order number not above this one is this one, or it is not theirs.
async fn one_order(state: &AppState, c: &Ctx, order_no: &str) -> Result<Order, ApiError> {
    let not_found = || {
        ApiError::from(DomainError::not_found(
            "在您的订单中找不到这个订单号",
            "no such order among yours",
        ))
    };
    let no = OrderNo::parse(order_no).map_err(|_| not_found())?;
    let next: u64 = no.as_str().parse::<u64>().map_err(|_| not_found())? + 1;
    let bound = OrderNo::parse(&format!("{next:018}")).map_err(|_| not_found())?;
    let page = state.store.orders(&c.actor(), Some(&bound), 1).await?;
    page.items
        .into_iter()
        .find(|o| o.order_no == no)
        .ok_or_else(not_found)
}

#[derive(Template)]
#[template(path = "file.html")]
struct FilePage {
    c: Ctx,
    order: Order,
    form: Form,
    error: Option<FormError>,
    /// Advice before submitting: (heading, detail) pairs.
    warnings: Vec<String>,
    calm: Option<String>,
    categories: Vec<(&'static str, &'static str)>,
    claims: Vec<(&'static str, &'static str)>,
}

impl FilePage {
    fn new(c: Ctx, order: Order, form: Form) -> Self {
        let lang = c.lang;
        FilePage {
            c,
            order,
            form,
            error: None,
            warnings: vec![],
            calm: None,
            categories: Category::ALL
                .iter()
                .filter(|k| !k.is_report())
                .map(|k| (k.as_str(), k.label(lang)))
                .collect(),
            claims: ClaimKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label(lang)))
                .collect(),
        }
    }
}

pub async fn file_form(
    State(state): State<AppState>,
    Web(c): Web,
    Path(order_no): Path<String>,
) -> Response {
    let order = match one_order(&state, &c, &order_no).await {
        Ok(o) => o,
        Err(e) => return error_page(&c, e),
    };
    let mut form = Form::default();
    if let Some(item) = order.items.first() {
        form.set("product", item.title.clone());
    }
    form.set("claim_kind", "refund");
    render(&FilePage::new(c, order, form))
}

/// Parses the form with the API's parser; a bad amount joins the other field errors.
fn parse_form(order: &Order, f: &Form) -> Result<NewComplaint, DomainError> {
    let amount = weiquan_domain::error::FieldErrors::new();
    let mut errs = amount;
    let amount_cents = errs
        .take(super::yuan_to_cents(
            "claim.amount_cents",
            f.get("claim_amount"),
        ))
        .flatten();
    let req = FileComplaintRequest {
        order_no: Some(order.order_no.to_string()),
        product: f.opt("product"),
        category: f.opt("category"),
        incident_at: f.opt("incident_at").map(|s| super::local_to_rfc3339(&s)),
        description: f.opt("description"),
        claim: Some(ClaimRequest {
            kind: f.opt("claim_kind"),
            amount_cents,
        }),
        on_behalf_of: None,
    };
    match (NewComplaint::parse(&req), errs.finish()) {
        (Ok(n), Ok(())) => Ok(n),
        (Err(DomainError::Invalid(mut a)), Err(DomainError::Invalid(b))) => {
            a.extend(b);
            Err(DomainError::Invalid(a))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// The seed's advice on a good complaint, checked with 客服小蜜's understanding: a heated tone
/// or a description that says too little gets a warning before it is sent.
fn advice(
    lang: Lang,
    description: &str,
    products: &[String],
    now: Timestamp,
) -> (Vec<String>, Option<String>) {
    let a = weiquan_assistant::analyze(description, now, products);
    let mut w = vec![];
    let mut calm = None;
    if a.tone == weiquan_assistant::Tone::Emotional {
        w.push(lang.pick(
            "描述的语气比较激动。平和、具体的描述更容易被商家和客服理解，处理也更快。下面是一个更平和的写法，可以参考修改：",
            "The description sounds heated. A calm, factual account is easier for the merchant and the staff to act on. Here is a calmer version you may use:",
        ).to_owned());
        calm = Some(weiquan_assistant::calm_rewrite(description));
    }
    let chars = description.chars().count();
    if chars < 20 || a.intent_confidence < 0.3 {
        w.push(lang.pick(
            "描述有些笼统。请写清楚：哪件商品、什么时候、发生了什么（例如“5月4日收到的保温杯漏水，倒热水后杯底渗水”），以及希望怎么处理。",
            "The description is vague. Say which item, when, and what happened (e.g. “the flask delivered on 4 May leaks from the bottom when filled with hot water”), and what you want done.",
        ).to_owned());
    }
    (w, calm)
}

pub async fn file(
    State(state): State<AppState>,
    Web(c): Web,
    Path(order_no): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let order = match one_order(&state, &c, &order_no).await {
        Ok(o) => o,
        Err(e) => return error_page(&c, e),
    };
    let lang = c.lang;
    let new = match parse_form(&order, &form) {
        Ok(n) => n,
        Err(e) => {
            let mut p = FilePage::new(c, order, form);
            p.error = Some(FormError::of(e, lang));
            let mut res = render(&p);
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            return res;
        }
    };
    if form.get("confirmed") != "1" {
        let products: Vec<String> = order.items.iter().map(|i| i.title.clone()).collect();
        let (desc, now) = (new.description.clone(), c.now);
        let (warnings, calm) =
            tokio::task::spawn_blocking(move || advice(lang, &desc, &products, now))
                .await
                .unwrap_or_default();
        if !warnings.is_empty() {
            let mut p = FilePage::new(c, order, form);
            p.warnings = warnings;
            p.calm = calm;
            return render(&p);
        }
    }
    match state
        .store
        .file_complaint(&c.actor(), new, Channel::Web, state.clock.now())
        .await
    {
        Ok(complaint) => {
            state.metrics.complaints_filed.inc();
            tracing::info!(complaint = %complaint.id, "filed on the web");
            Redirect::to(&format!("/complaints/{}", complaint.id)).into_response()
        }
        Err(e) => {
            let e = ApiError::from(e);
            let status = e.status;
            let mut p = FilePage::new(c, order, form);
            p.error = Some(FormError::of(e, lang));
            let mut res = render(&p);
            *res.status_mut() = status;
            res
        }
    }
}
