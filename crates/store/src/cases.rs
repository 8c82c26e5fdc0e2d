//! Tier-3 cases: one open case per shop and kind gathers every report, forward, wave and
//! block about the shop; members, reports, and who may see a case.

use serde_json::{Value, json};
use weiquan_domain::delivery::WebhookEvent;
use weiquan_domain::tier3::{self as rules};
use weiquan_domain::*;

use crate::db::{Conn, Tx};
use crate::error::Result;
use crate::events;
use crate::model::*;
use crate::outbox;
use crate::rows::bad;
use crate::sql::{Val, vals};
use crate::time::{from_ms, to_ms};

/// Opens a tier-3 case of this kind about the shop, or returns the open one: one open case per
/// shop and kind gathers every report, forward and block about it.
pub(crate) async fn open_or_join_case<C: Conn>(
    o: &mut Tx<'_, C>,
    shop: &ShopId,
    kind: CaseKind,
    title: &str,
    details: &Value,
    actor: &str,
    now: Timestamp,
) -> Result<i64> {
    let open = o
        .query(
            "SELECT id FROM cases WHERE shop_id = $1 AND kind = $2 AND state IN ('open', 'investigating') ORDER BY id LIMIT 1 FOR UPDATE",
            vals![shop.as_str(), kind.as_str()],
        )
        .await?;
    if let Some(row) = open.first() {
        return row[0].int();
    }
    let id = o
        .query(
            "INSERT INTO cases (kind, shop_id, state, title, created_at, updated_at, details) VALUES ($1, $2, 'open', $3, $4, $4, $5) RETURNING id",
            vals![kind.as_str(), shop.as_str(), title, to_ms(now), details.to_string()],
        )
        .await?[0][0]
        .int()?;
    start_case(o, id, kind, shop, title, details, actor, now).await?;
    Ok(id)
}

/// Starts the chain of a case just inserted, and tells the marketplace (`case.opened`: the
/// shop and the kind; never who reported or what a sample complaint says).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn start_case<C: Conn>(
    o: &mut Tx<'_, C>,
    id: i64,
    kind: CaseKind,
    shop: &ShopId,
    title: &str,
    details: &Value,
    actor: &str,
    now: Timestamp,
) -> Result<()> {
    let stream = Stream::Case(CaseId(id));
    let data =
        json!({"kind": kind, "shop_id": shop, "state": "open", "title": title, "details": details});
    events::start(o, &stream, actor, EventKind::Opened, &data, now).await?;
    let data = json!({"case_id": id, "kind": kind, "shop_id": shop, "state": "open"});
    outbox::webhook(o, &stream, WebhookEvent::CaseOpened, data, now).await
}

// Set-based (each row of a listing reads its own pending deadline), so the deadline's subject
// is spelled in SQL as `Stream::Case` writes it; the API tests of `evidence_due_at` fail if they part.
const CASE_COLUMNS: &str = "SELECT c.id, c.kind, c.shop_id, c.state, c.title, c.created_at, c.updated_at, c.details, c.outcome, s.merchant_id, \
     (SELECT MIN(t.due_at) FROM subject_timers t WHERE t.subject = 'case:' || CAST(c.id AS TEXT) AND t.kind = 'case_evidence' AND t.status = 'pending') \
     FROM cases c JOIN shops s ON s.id = c.shop_id";

/// A case row and the merchant of its shop.
fn case_of(
    row: &[Val],
    members: Vec<ComplaintId>,
    reports: Vec<ReportId>,
) -> Result<(Case, UserId)> {
    let details: Value = serde_json::from_str(row[7].as_str()?).unwrap_or(Value::Null);
    let outcome = row[8]
        .opt_text()?
        .and_then(|t| serde_json::from_str(&t).ok());
    Ok((
        Case {
            id: CaseId(row[0].int()?),
            kind: CaseKind::parse(row[1].as_str()?).map_err(bad("case kind"))?,
            shop_id: ShopId::parse(row[2].as_str()?).map_err(bad("case shop"))?,
            state: CaseState::parse(row[3].as_str()?).map_err(bad("case state"))?,
            title: row[4].text()?,
            members,
            reports,
            details,
            outcome,
            evidence_due_at: row[10].opt_int()?.map(from_ms).transpose()?,
            created_at: from_ms(row[5].int()?)?,
            updated_at: from_ms(row[6].int()?)?,
        },
        UserId(row[9].int()?),
    ))
}

pub(crate) const MEMBERS: &str =
    "SELECT complaint_id FROM case_members WHERE case_id = $1 ORDER BY complaint_id";

const CASE_REPORTS: &str = "SELECT id FROM reports WHERE case_id = $1 ORDER BY id";

pub(crate) fn ids(rows: Vec<Vec<Val>>) -> Result<Vec<i64>> {
    rows.iter().map(|r| r[0].int()).collect()
}

/// Reads a case (members and reports included), whoever asks.
pub(crate) async fn read_case<C: Conn>(
    o: &mut Tx<'_, C>,
    id: i64,
) -> Result<Option<(Case, UserId)>> {
    let rows = o
        .query(&format!("{CASE_COLUMNS} WHERE c.id = $1"), vals![id])
        .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let members = ids(o.query(MEMBERS, vals![id]).await?)?
        .into_iter()
        .map(ComplaintId)
        .collect();
    let reports = ids(o.query(CASE_REPORTS, vals![id]).await?)?
        .into_iter()
        .map(ReportId)
        .collect();
    case_of(row, members, reports).map(Some)
}

/// The case if the actor may see it, else not found.
pub(crate) async fn visible_case<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: i64,
) -> Result<Case> {
    match read_case(o, id).await? {
        Some((case, merchant)) if rules::can_view_case(actor, merchant) => Ok(case),
        _ => Err(rules::not_found_case().into()),
    }
}

/// Cases newest first: all of them for staff, a merchant's own shops' for a merchant.
pub(crate) async fn list_cases<C: Conn>(
    o: &mut Tx<'_, C>,
    merchant: Option<UserId>,
    q: &CaseQuery,
) -> Result<Page<Case>> {
    let merchant = merchant.map(|m| m.0);
    let limit = q.limit;
    let rows = o.query(
            &format!(
                "{CASE_COLUMNS} WHERE ($1 IS NULL OR c.id < $1) AND ($2 IS NULL OR s.merchant_id = $2) \
                 AND (CAST($3 AS TEXT) IS NULL OR c.state = $3) AND (CAST($5 AS TEXT) IS NULL OR c.kind = $5) \
                 AND (CAST($6 AS TEXT) IS NULL OR c.shop_id = $6) \
                 AND (CAST($7 AS TEXT) IS NULL OR LOWER(c.title) LIKE $7 ESCAPE '\\' OR c.shop_id LIKE $7 ESCAPE '\\') \
                 ORDER BY c.id DESC LIMIT $4"
            ),
            vals![
                q.before,
                merchant,
                q.state.map(|s| s.as_str()),
                i64::from(limit),
                q.kind.map(|k| k.as_str()),
                q.shop_id.as_ref().map(|s| s.as_str()),
                q.search.as_deref().map(crate::records::like_pattern),
            ],
        )
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let id = row[0].int()?;
        let members = ids(o.query(MEMBERS, vals![id]).await?)?
            .into_iter()
            .map(ComplaintId)
            .collect();
        let reports = ids(o.query(CASE_REPORTS, vals![id]).await?)?
            .into_iter()
            .map(ReportId)
            .collect();
        items.push(case_of(row, members, reports)?.0);
    }
    Ok(Page::of(items, limit, |c: &Case| c.id.to_string()))
}

pub(crate) async fn case_events<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: i64,
) -> Result<Vec<Event>> {
    visible_case(o, actor, id).await?;
    let stream = Stream::Case(CaseId(id));
    if actor.role.is_staff() {
        return events::read_as(o, &stream, access::Reader::Full).await;
    }
    // The shop's merchant: whoever reported into the case stays unnamed.
    let reporters: Vec<UserId> = ids(o
        .query(
            "SELECT DISTINCT reporter_id FROM reports WHERE case_id = $1",
            vals![id],
        )
        .await?)?
    .into_iter()
    .map(UserId)
    .collect();
    events::read_as(
        o,
        &stream,
        access::Reader::Merchant {
            reporters: &reporters,
        },
    )
    .await
}

/// Links a complaint to a case; `false` when it is a member already.
/// Links a complaint to a case, once, with the case's `member_added` event; `false` if it was
/// already a member.
pub(crate) async fn add_member<C: Conn>(
    o: &mut Tx<'_, C>,
    case_id: i64,
    complaint: ComplaintId,
    reason: &str,
    by: Option<UserId>,
    actor: &str,
    now: Timestamp,
) -> Result<bool> {
    let added = o
        .exec(
            "INSERT INTO case_members (case_id, complaint_id, reason, added_by, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            vals![case_id, complaint.0, reason, by.map(|u| u.0), to_ms(now)],
        )
        .await?;
    if added > 0 {
        o.defer(
            "UPDATE cases SET updated_at = $2 WHERE id = $1",
            vals![case_id, to_ms(now)],
        )
        .await?;
        let data = json!({"complaint_id": complaint, "reason": reason});
        events::append(
            o,
            &Stream::Case(CaseId(case_id)),
            actor,
            EventKind::MemberAdded,
            &data,
            now,
        )
        .await?;
    }
    Ok(added > 0)
}
