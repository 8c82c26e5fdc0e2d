//! The consumer's pages: orders, and filing a complaint from one.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use weiquan_domain::complaint::{ClaimRequest, FileComplaintRequest};
use weiquan_domain::*;
use weiquan_store::{Order, OrderQuery};

use super::session::{Web, check_csrf, session_secret};
use super::{Ctx, Form, FormError, error_page, render};
use crate::AppState;
use crate::error::ApiError;
use crate::evidence::{self, ReadFile};

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
    /// Files chosen with a form shown again are not sent back by the browser: choose again.
    files_dropped: bool,
    evidence_kinds: Vec<(&'static str, &'static str)>,
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
            files_dropped: false,
            evidence_kinds: EvidenceKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label(lang)))
                .collect(),
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
    if let Some(res) = open_complaint(&c, &order) {
        return res;
    }
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

/// The order's complaint in progress, as the store listed it: a second is not offered.
fn open_complaint(c: &Ctx, order: &Order) -> Option<Response> {
    let id = order.open_complaint?;
    let message = c.t(
        "这个订单已有一条进行中的投诉，请在原投诉中继续处理",
        "this order already has a complaint in progress; continue in that one",
    );
    let mut res = render(&OpenPage { c, message, id });
    *res.status_mut() = StatusCode::CONFLICT;
    Some(res)
}

#[derive(Template)]
#[template(
    source = r#"{% extends "base.html" %}
{% block title %}{{ c.t("提交投诉", "File a complaint") }}{% endblock %}
{% block content %}
<h1>{{ c.t("提交投诉", "File a complaint") }}</h1>
<div class="error" id="error" role="alert"><p>{{ message }}</p>
<p><a href="/complaints/{{ id }}" id="open-complaint">{{ c.t("查看进行中的投诉", "Go to the complaint in progress") }} #{{ id }}</a></p></div>
{% endblock %}"#,
    ext = "html"
)]
struct OpenPage<'a> {
    c: &'a Ctx,
    message: &'a str,
    id: ComplaintId,
}

/// The complaint form as sent: its fields, and the evidence files chosen with it (read to
/// the blob limit; a bigger file is noted and dropped, so the typed text is never lost).
struct Filed {
    form: Form,
    files: Vec<ReadFile>,
    too_big: bool,
}

async fn read_filing(
    state: &AppState,
    headers: &HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Filed, ApiError> {
    let malformed = || {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_multipart",
            "上传的表单格式有误",
            "the upload form is malformed",
        )
    };
    let bad = |_: axum::extract::multipart::MultipartError| malformed();
    // Our page sends multipart; anything else did not come from it.
    let Ok(mut mp) = multipart else {
        return Err(check_csrf(None, "").expect_err("no secret never matches"));
    };
    let limit = state.store.blobs().max_size();
    let mut out = Filed {
        form: Form::default(),
        files: vec![],
        too_big: false,
    };
    let mut checked = false;
    while let Ok(Some(mut field)) = mp.next_field().await {
        let name = field.name().unwrap_or("").to_owned();
        if name == "csrf" {
            let t = field.text().await.map_err(bad)?;
            check_csrf(session_secret(state, headers), &t)?;
            checked = true;
            continue;
        }
        if !checked {
            check_csrf(None, "")?;
        }
        if name != "evidence" {
            let v = field.text().await.map_err(bad)?;
            out.form.add(&name, v);
            continue;
        }
        let filename: Option<String> = field
            .file_name()
            .filter(|n| !n.is_empty())
            .map(|n| n.chars().take(200).collect());
        let mut buf = Vec::new();
        let mut over = false;
        // A body over the route's limit ends the read: what came before it is kept.
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) if !over && (buf.len() + chunk.len()) as u64 <= limit => {
                    buf.extend_from_slice(&chunk)
                }
                Ok(Some(_)) => over = true,
                Ok(None) => break,
                // Cut off (over the route's limit): the file did not arrive whole.
                Err(_) => {
                    over = true;
                    break;
                }
            }
        }
        if over {
            out.too_big = true;
        } else if !buf.is_empty() {
            out.files.push(ReadFile {
                bytes: buf,
                filename,
                kind: EvidenceKind::Other,
            });
        }
    }
    if !checked {
        check_csrf(None, "")?;
    }
    let kind = EvidenceKind::parse(out.form.get("evidence_kind")).unwrap_or(EvidenceKind::Other);
    for f in &mut out.files {
        f.kind = kind;
    }
    Ok(out)
}

pub async fn file(
    State(state): State<AppState>,
    Web(c): Web,
    Path(order_no): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let order = match one_order(&state, &c, &order_no).await {
        Ok(o) => o,
        Err(e) => return error_page(&c, e),
    };
    if let Some(res) = open_complaint(&c, &order) {
        return res;
    }
    let lang = c.lang;
    let Filed {
        form,
        files,
        too_big,
    } = match read_filing(&state, &headers, multipart).await {
        Ok(f) => f,
        Err(e) => return error_page(&c, e),
    };
    let had_files = too_big || !files.is_empty();
    if too_big {
        let mut p = FilePage::new(c, order, form);
        p.files_dropped = true;
        p.error = Some(FormError::of(
            crate::error::too_large(state.store.blobs().max_size()),
            lang,
        ));
        let mut res = render(&p);
        *res.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        return res;
    }
    let new = match parse_form(&order, &form) {
        Ok(n) => n,
        Err(e) => {
            let mut p = FilePage::new(c, order, form);
            p.files_dropped = had_files;
            p.error = Some(FormError::of(e, lang));
            let mut res = render(&p);
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
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
            p.files_dropped = had_files;
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
            let id = complaint.id;
            // The filing stands whatever becomes of its files: one refused is said on its page.
            for f in files {
                if let Err(e) = evidence::attach(&state, &c.actor(), id, f).await {
                    return super::complaint::with_error(&state, c, id, e).await;
                }
            }
            Redirect::to(&format!("/complaints/{id}")).into_response()
        }
        Err(e) => {
            let e = ApiError::from(e);
            let status = e.status;
            let mut p = FilePage::new(c, order, form);
            p.files_dropped = had_files;
            p.error = Some(FormError::of(e, lang));
            let mut res = render(&p);
            *res.status_mut() = status;
            res
        }
    }
}
