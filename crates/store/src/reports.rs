//! Reports (举报) to tier 3: filed about a shop (they open or join its case), their files, the
//! IP notice → takedown → counter-notice → restore life, and who may know the reporter.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use weiquan_domain::delivery::WebhookEvent;
use weiquan_domain::tier3::{self as rules, *};
use weiquan_domain::*;

use crate::cases;
use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::events;
use crate::evidence::{self, Subject};
use crate::model::*;
use crate::outbox;
use crate::records::{self};
use crate::rows::bad;
use crate::sql::{Val, vals};
use crate::time::{from_ms, to_ms};
use crate::timers::{self, *};

/// A report (举报) to tier 3.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub id: ReportId,
    /// Shown to staff and to the reporter only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporter_id: Option<UserId>,
    pub shop_id: ShopId,
    pub kind: ReportKind,
    pub description: String,
    pub order_no: Option<String>,
    pub listing: Option<String>,
    pub channel: String,
    pub case_id: CaseId,
    #[schema(value_type = String)]
    pub state: ReportState,
    /// IP reports: when the listing is restored unless the rights holder acts.
    pub restore_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

// Set-based (each row of a listing reads its own pending deadline), so the deadline's subject
// is spelled in SQL as `Stream::Report` writes it; the API tests of `restore_at` fail if they part.
const REPORT_COLUMNS: &str = "SELECT r.id, r.reporter_id, r.shop_id, r.kind, r.description, r.order_no, r.listing, r.channel, r.case_id, r.state, \
     r.created_at, r.updated_at, s.merchant_id, \
     (SELECT MIN(t.due_at) FROM subject_timers t WHERE t.subject = 'report:' || CAST(r.id AS TEXT) AND t.kind = 'ip_restore' AND t.status = 'pending') \
     FROM reports r JOIN shops s ON s.id = r.shop_id";

/// A report row as `actor` may see it; `None` when they may not.
fn report_for(actor: &Actor, row: &[Val]) -> Result<Option<Report>> {
    let kind = ReportKind::parse(row[3].as_str()?).map_err(bad("report kind"))?;
    let reporter = UserId(row[1].int()?);
    let merchant = UserId(row[12].int()?);
    if !rules::can_view_report(actor, kind, reporter, merchant) {
        return Ok(None);
    }
    let shows_reporter = actor.role.is_staff() || actor.id == reporter;
    Ok(Some(Report {
        id: ReportId(row[0].int()?),
        reporter_id: shows_reporter.then_some(reporter),
        shop_id: ShopId::parse(row[2].as_str()?).map_err(bad("report shop"))?,
        kind,
        description: row[4].text()?,
        // The reporter's order would name them to the merchant.
        order_no: row[5].opt_text()?.filter(|_| shows_reporter),
        listing: row[6].opt_text()?,
        channel: row[7].text()?,
        case_id: CaseId(row[8].int()?),
        state: ReportState::parse(row[9].as_str()?)
            .ok_or_else(|| StoreError::Corrupt("report state".into()))?,
        restore_at: row[13].opt_int()?.map(from_ms).transpose()?,
        created_at: from_ms(row[10].int()?)?,
        updated_at: from_ms(row[11].int()?)?,
    }))
}

pub(crate) async fn read_report<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: ReportId,
) -> Result<Report> {
    Ok(read_report_and_reporter(o, actor, id).await?.0)
}

/// [`read_report`], and who reported it (for the store's own use: `actor` may not be told).
async fn read_report_and_reporter<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: ReportId,
) -> Result<(Report, UserId)> {
    let rows = o
        .query(&format!("{REPORT_COLUMNS} WHERE r.id = $1"), vals![id])
        .await?;
    let row = rows.first().ok_or_else(rules::not_found_report)?;
    let report = report_for(actor, row)?.ok_or_else(rules::not_found_report)?;
    Ok((report, UserId(row[1].int()?)))
}

/// Attaches a file (already in the blob store) to a report. Whoever may see the report may add
/// to it: the reporter, staff, and for an IP notice the merchant (a counter-notice's proof). The
/// same file twice is one piece of evidence; each new one is an event in the report's chain.
pub(crate) async fn add_report_evidence<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: ReportId,
    ev: crate::NewEvidence,
    quota: &weiquan_domain::policy::Uploads,
    now: Timestamp,
) -> Result<Evidence> {
    let rows = o
        .query(
            "SELECT r.kind, r.reporter_id, s.merchant_id FROM reports r JOIN shops s ON s.id = r.shop_id WHERE r.id = $1 FOR UPDATE",
            vals![id],
        )
        .await?;
    let row = rows.first().ok_or_else(rules::not_found_report)?;
    let kind = ReportKind::parse(row[0].as_str()?).map_err(bad("report kind"))?;
    if !rules::can_view_report(actor, kind, UserId(row[1].int()?), UserId(row[2].int()?)) {
        return Err(rules::not_found_report().into());
    }
    evidence::add(o, actor, Subject::Report(id), ev, quota, now).await
}

/// A report's files, oldest first, for whoever may see the report.
pub(crate) async fn report_evidence_list<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: ReportId,
) -> Result<Vec<Evidence>> {
    let hidden = hidden_reporter(o, actor, id).await?;
    let files = evidence::list(o, Subject::Report(id)).await?;
    Ok(files.into_iter().map(|e| unnamed(hidden, e)).collect())
}

/// One of a report's files, for whoever may see the report (its bytes are the blob store's).
pub(crate) async fn report_evidence<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: ReportId,
    sha: &Sha256,
) -> Result<Evidence> {
    let hidden = hidden_reporter(o, actor, id).await?;
    let (ev, _) = evidence::get(o, Subject::Report(id), sha).await?;
    Ok(unnamed(hidden, ev))
}

/// A file the hidden reporter added, like the report itself, without their name.
fn unnamed(hidden: Option<UserId>, mut e: Evidence) -> Evidence {
    if hidden.is_some() && e.uploaded_by == hidden {
        e.uploaded_by = None;
    }
    e
}

/// Reports newest first: a consumer's own, the IP notices about a merchant's shops, or all.
pub(crate) async fn list_reports<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    before: Option<i64>,
    limit: u32,
) -> Result<Page<Report>> {
    let (reporter, merchant) = match actor.role {
        r if r.is_staff() => (None, None),
        Role::Merchant => (None, Some(actor.id.0)),
        _ => (Some(actor.id.0), None),
    };
    let rows = o.query(
            &format!(
                "{REPORT_COLUMNS} WHERE ($1 IS NULL OR r.id < $1) AND ($2 IS NULL OR r.reporter_id = $2) \
                 AND ($3 IS NULL OR (s.merchant_id = $3 AND r.kind = 'ip_infringement')) ORDER BY r.id DESC LIMIT $4"
            ),
            vals![before, reporter, merchant, i64::from(limit)],
        )
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        items.extend(report_for(actor, row)?);
    }
    Ok(Page::of(items, limit, |r: &Report| r.id.to_string()))
}

/// Files a report and opens or joins the tier-3 case about the shop; an IP notice takes the
/// listing down at once and is forwarded to the merchant (电子商务法 Art. 42).
pub(crate) async fn file_report<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    r: NewReport,
    channel: Channel,
    now: Timestamp,
) -> Result<ReportId> {
    let default_channel = rules::check_reporter(actor, &r)?;
    let channel = match (default_channel, channel) {
        (Channel::Web, Channel::Chat) => Channel::Chat,
        (c, _) => c,
    };
    let reporter = match &r.on_behalf_of {
        None => actor.id,
        Some(name) => match records::consumer_id(o, name.as_str()).await? {
            Some(id) => id,
            None => {
                return Err(DomainError::invalid(
                    "on_behalf_of",
                    "找不到这位买家",
                    "no such consumer",
                )
                .into());
            }
        },
    };
    if records::shop_state(o, &r.shop_id).await?.is_none() {
        return Err(DomainError::invalid("shop_id", "找不到这家店铺", "no such shop").into());
    }
    if let Some(order_no) = &r.order_no {
        match records::order_state(o, order_no).await? {
            Some(st) if st.shop_id == r.shop_id.as_str() => {}
            _ => {
                return Err(DomainError::invalid(
                    "order_no",
                    "该订单不存在或不属于这家店铺",
                    "no such order at this shop",
                )
                .into());
            }
        }
    }
    let who = actor.event_name();
    let kind = r.case_kind();
    let title = match kind {
        CaseKind::Ip => format!("店铺 {} 知识产权投诉", r.shop_id),
        _ => format!("店铺 {} 违规线索", r.shop_id),
    };
    let case_id =
        cases::open_or_join_case(o, &r.shop_id, kind, &title, &json!({}), &who, now).await?;
    let state = ReportState::initial(r.kind);
    let id = ReportId(o
        .query(
            "INSERT INTO reports (reporter_id, filed_by, shop_id, kind, description, order_no, listing, channel, case_id, state, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
            vals![
                reporter.0,
                actor.id.0,
                r.shop_id.as_str(),
                r.kind.as_str(),
                r.description.as_str(),
                r.order_no.as_ref().map(|o| o.as_str()),
                r.listing.as_deref(),
                channel.as_str(),
                case_id,
                state.as_str(),
                to_ms(now),
            ],
        )
        .await?[0][0]
        .int()?);
    let data = json!({
        "kind": r.kind, "shop_id": r.shop_id, "description": r.description, "order_no": r.order_no,
        "listing": r.listing, "channel": channel, "case_id": case_id, "reporter_id": reporter, "state": state,
    });
    events::start(
        o,
        &Stream::Report(id),
        &who,
        EventKind::Reported,
        &data,
        now,
    )
    .await?;
    events::append(
        o,
        &Stream::Case(CaseId(case_id)),
        &who,
        EventKind::ReportAdded,
        &json!({"report_id": id, "kind": r.kind}),
        now,
    )
    .await?;
    o.exec(
        "UPDATE cases SET updated_at = $2 WHERE id = $1",
        vals![case_id, to_ms(now)],
    )
    .await?;
    if state == ReportState::TakenDown {
        let data = json!({"report_id": id, "listing": r.listing});
        let stream = Stream::Shop(r.shop_id.clone());
        events::append(o, &stream, &who, EventKind::ListingTakenDown, &data, now).await?;
        // Why, without who: the marketplace never learns the rights holder's account.
        let data = json!({
            "shop_id": r.shop_id, "listing": r.listing, "report_id": id, "report_kind": r.kind,
        });
        outbox::webhook(o, &stream, WebhookEvent::ListingTakenDown, data, now).await?;
    }
    Ok(id)
}

/// A listing an IP notice kept down is back: the shop's chain says so, and the marketplace is
/// told (`listing.restored`).
pub(crate) async fn listing_restored<C: Conn>(
    o: &mut Tx<'_, C>,
    shop: &ShopId,
    report: ReportId,
    listing: Option<String>,
    actor: &str,
    now: Timestamp,
) -> Result<()> {
    let stream = Stream::Shop(shop.clone());
    let data = json!({"report_id": report, "listing": listing});
    events::append(o, &stream, actor, EventKind::ListingRestored, &data, now).await?;
    let data = json!({"shop_id": shop, "listing": listing, "report_id": report});
    outbox::webhook(o, &stream, WebhookEvent::ListingRestored, data, now).await
}

pub(crate) async fn set_report_state<C: Conn>(
    o: &mut Tx<'_, C>,
    id: ReportId,
    s: ReportState,
    now: Timestamp,
) -> Result<()> {
    o.exec(
        "UPDATE reports SET state = $2, updated_at = $3 WHERE id = $1",
        vals![id, s.as_str(), to_ms(now)],
    )
    .await?;
    Ok(())
}

pub(crate) async fn report_act<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: ReportId,
    action: ReportAction,
    now: Timestamp,
    policy: &Policy,
) -> Result<()> {
    let rows = o
        .query(
            "SELECT r.kind, r.reporter_id, s.merchant_id, r.state, r.shop_id, r.listing FROM reports r JOIN shops s ON s.id = r.shop_id WHERE r.id = $1 FOR UPDATE",
            vals![id],
        )
        .await?;
    let row = rows.first().ok_or_else(rules::not_found_report)?;
    let kind = ReportKind::parse(row[0].as_str()?).map_err(bad("report kind"))?;
    let facts = ReportFacts {
        reporter_id: UserId(row[1].int()?),
        merchant_id: UserId(row[2].int()?),
        state: ReportState::parse(row[3].as_str()?)
            .ok_or_else(|| StoreError::Corrupt("report state".into()))?,
    };
    if !rules::can_view_report(actor, kind, facts.reporter_id, facts.merchant_id) {
        return Err(rules::not_found_report().into());
    }
    let t = rules::decide_report(&facts, actor, &action, now, policy)?;
    set_report_state(o, id, t.state, now).await?;
    let subject = Stream::Report(id);
    if t.cancel_restore {
        timers::cancel_subject(o, &subject, IP_RESTORE).await?;
    }
    if let Some(due) = t.restore_at {
        let remind = policy.next_reminder(
            weiquan_domain::policy::DeadlineKind::IpCounterNotice,
            due,
            now,
        );
        timers::insert_subject(o, &subject, IP_RESTORE, due, remind).await?;
    }
    let mut data = t.data;
    data["state"] = json!(t.state);
    events::append(o, &subject, &actor.event_name(), t.event_kind, &data, now).await?;
    Ok(())
}

/// The report's chain. Who reported stays hidden from those the report hides it from (the
/// merchant of an IP notice), as `access::event_view` decides.
pub(crate) async fn report_events<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: ReportId,
) -> Result<Vec<Event>> {
    let hidden = hidden_reporter(o, actor, id).await?;
    let reporters: Vec<UserId> = hidden.into_iter().collect();
    let reader = if reporters.is_empty() {
        access::Reader::Full
    } else {
        access::Reader::Merchant {
            reporters: &reporters,
        }
    };
    events::read_as(o, &Stream::Report(id), reader).await
}

/// Checks that `actor` may see the report, and returns its reporter when they may not know who
/// that is.
async fn hidden_reporter<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: ReportId,
) -> Result<Option<UserId>> {
    let (report, reporter) = read_report_and_reporter(o, actor, id).await?;
    Ok(report.reporter_id.is_none().then_some(reporter))
}

/// The shop's listings that IP notices keep down now (the marketplace hides them).
pub(crate) async fn listings_down<C: Conn>(
    o: &mut Tx<'_, C>,
    shop: &ShopId,
) -> Result<Vec<String>> {
    let rows = o.query(
            "SELECT DISTINCT listing FROM reports WHERE shop_id = $1 AND kind = 'ip_infringement' \
             AND state IN ('taken_down', 'counter_noticed', 'kept_down') AND listing IS NOT NULL ORDER BY listing",
            vals![shop.as_str()],
        )
        .await?;
    rows.iter().map(|r| r[0].text()).collect()
}
