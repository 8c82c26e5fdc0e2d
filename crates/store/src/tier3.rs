//! Tiers 2 and 3 beyond one complaint: reports, cases, the points ledger and penalty ladder,
//! deadlines of things other than complaints, and the commitment monitors. The write
//! transactions are written once against [`Ops`] (SQL in [`crate::sql`]'s dialect), the reads
//! once against [`ReadSql`]; the decisions themselves are `weiquan_domain::tier3`'s.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use weiquan_domain::machine;
use weiquan_domain::policy::Penalty;
use weiquan_domain::records::{Commitments, OrderItem};
use weiquan_domain::tier3::{self as rules, *};
use weiquan_domain::*;

use crate::error::{Result, StoreError};
use crate::model::*;
use crate::ops::{Lock, Ops};
use crate::sql::{ReadSql, Val, vals};
use crate::time::{from_ms, to_ms};
use crate::workflow::{append_event, apply, start_stream};

/// A report (举报) to tier 3.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub id: i64,
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

/// A deadline of something other than a complaint.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectTimer {
    pub id: i64,
    /// `penalty:ID`, `report:ID` or `case:ID`.
    pub subject: String,
    pub kind: String,
    pub due_at: Timestamp,
}

const PENALTY_END: &str = "penalty_end";
const IP_RESTORE: &str = "ip_restore";
const CASE_EVIDENCE: &str = "case_evidence";
/// The scheduled brushing scan: one pending run at a time, whichever node claims it runs it.
pub const BRUSHING_SCAN: &str = "brushing_scan";
pub const BRUSHING_JOB: &str = "job:brushing";

fn shop_stream(shop: &ShopId) -> String {
    format!("shop:{shop}")
}
fn case_stream(id: i64) -> String {
    format!("case:{id}")
}
fn report_stream(id: i64) -> String {
    format!("report:{id}")
}

fn corrupt(what: &str) -> impl Fn(DomainError) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Cases

/// Opens a tier-3 case of this kind about the shop, or returns the open one: one open case per
/// shop and kind gathers every report, forward and block about it.
pub(crate) async fn open_or_join_case<O: Ops>(
    o: &mut O,
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
    let data =
        json!({"kind": kind, "shop_id": shop, "state": "open", "title": title, "details": details});
    start_stream(o, &case_stream(id), actor, "opened", &data, now).await?;
    Ok(id)
}

const CASE_COLUMNS: &str = "SELECT c.id, c.kind, c.shop_id, c.state, c.title, c.created_at, c.updated_at, c.details, c.outcome, s.merchant_id, \
     (SELECT MIN(t.due_at) FROM subject_timers t WHERE t.subject = 'case:' || CAST(c.id AS TEXT) AND t.kind = 'case_evidence' AND t.status = 'pending') \
     FROM cases c JOIN shops s ON s.id = c.shop_id";

/// A case row and the merchant of its shop.
fn case_of(row: &[Val], members: Vec<ComplaintId>, reports: Vec<i64>) -> Result<(Case, UserId)> {
    let details: Value = serde_json::from_str(&row[7].text()?).unwrap_or(Value::Null);
    let outcome = row[8]
        .opt_text()?
        .and_then(|t| serde_json::from_str(&t).ok());
    Ok((
        Case {
            id: CaseId(row[0].int()?),
            kind: row[1].text()?,
            shop_id: ShopId::parse(&row[2].text()?).map_err(corrupt("case shop"))?,
            state: row[3].text()?,
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

const MEMBERS: &str =
    "SELECT complaint_id FROM case_members WHERE case_id = $1 ORDER BY complaint_id";
const CASE_REPORTS: &str = "SELECT id FROM reports WHERE case_id = $1 ORDER BY id";

fn ids(rows: Vec<Vec<Val>>) -> Result<Vec<i64>> {
    rows.iter().map(|r| r[0].int()).collect()
}

/// Reads a case (members and reports included), whoever asks.
pub(crate) async fn read_case(db: &dyn ReadSql, id: i64) -> Result<Option<(Case, UserId)>> {
    let rows = db
        .read(&format!("{CASE_COLUMNS} WHERE c.id = $1"), vals![id])
        .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let members = ids(db.read(MEMBERS, vals![id]).await?)?
        .into_iter()
        .map(ComplaintId)
        .collect();
    let reports = ids(db.read(CASE_REPORTS, vals![id]).await?)?;
    case_of(row, members, reports).map(Some)
}

/// The case if the actor may see it, else not found.
pub(crate) async fn visible_case(db: &dyn ReadSql, actor: &Actor, id: i64) -> Result<Case> {
    match read_case(db, id).await? {
        Some((case, merchant)) if rules::can_view_case(actor, merchant) => Ok(case),
        _ => Err(rules::not_found_case().into()),
    }
}

/// Cases newest first: all of them for staff, a merchant's own shops' for a merchant.
pub(crate) async fn list_cases(
    db: &dyn ReadSql,
    actor: &Actor,
    state: Option<CaseState>,
    before: Option<i64>,
    limit: u32,
) -> Result<Page<Case>> {
    let merchant = match actor.role {
        r if r.is_staff() => None,
        Role::Merchant => Some(actor.id.0),
        _ => {
            return Err(DomainError::forbidden(
                "仅平台工作人员和涉事商家可以查看案件",
                "only platform staff and the merchant concerned may see cases",
            )
            .into());
        }
    };
    let rows = db
        .read(
            &format!(
                "{CASE_COLUMNS} WHERE ($1 IS NULL OR c.id < $1) AND ($2 IS NULL OR s.merchant_id = $2) \
                 AND (CAST($3 AS TEXT) IS NULL OR c.state = $3) ORDER BY c.id DESC LIMIT $4"
            ),
            vals![before, merchant, state.map(|s| s.as_str()), i64::from(limit)],
        )
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let id = row[0].int()?;
        let members = ids(db.read(MEMBERS, vals![id]).await?)?
            .into_iter()
            .map(ComplaintId)
            .collect();
        let reports = ids(db.read(CASE_REPORTS, vals![id]).await?)?;
        items.push(case_of(row, members, reports)?.0);
    }
    Ok(Page::of(items, limit, |c: &Case| c.id.to_string()))
}

pub(crate) async fn case_act<O: Ops>(
    o: &mut O,
    actor: &Actor,
    id: i64,
    action: CaseAction,
    now: Timestamp,
    policy: &Policy,
) -> Result<()> {
    let rows = o
        .query(
            "SELECT c.kind, c.state, c.shop_id, s.merchant_id, c.details FROM cases c JOIN shops s ON s.id = c.shop_id WHERE c.id = $1 FOR UPDATE",
            vals![id],
        )
        .await?;
    let row = rows.first().ok_or_else(rules::not_found_case)?;
    let merchant = UserId(row[3].int()?);
    if !rules::can_view_case(actor, merchant) {
        return Err(rules::not_found_case().into());
    }
    let shop = ShopId::parse(&row[2].text()?).map_err(corrupt("case shop"))?;
    let details: Value = serde_json::from_str(&row[4].text()?).unwrap_or(Value::Null);
    let subject = case_stream(id);
    let evidence_requested = !o
        .query(
            "SELECT id FROM subject_timers WHERE subject = $1 AND kind = $2 AND status = 'pending'",
            vals![subject.as_str(), CASE_EVIDENCE],
        )
        .await?
        .is_empty();
    let facts = CaseFacts {
        kind: CaseKind::parse(&row[0].text()?).map_err(corrupt("case kind"))?,
        state: CaseState::parse(&row[1].text()?).map_err(corrupt("case state"))?,
        merchant_id: merchant,
        evidence_requested,
    };
    let t = rules::decide_case(&facts, actor, &action, now, policy)?;
    let who = actor.event_name();
    o.exec(
        "UPDATE cases SET state = $2, outcome = COALESCE($3, outcome), updated_at = $4 WHERE id = $1",
        vals![id, t.state.as_str(), t.outcome.as_ref().map(|v| v.to_string()), to_ms(now)],
    )
    .await?;
    if t.cancel_evidence {
        cancel_subject_timers(o, &subject, CASE_EVIDENCE).await?;
    }
    if let Some(due) = t.evidence_due {
        insert_subject_timer(o, &subject, CASE_EVIDENCE, due).await?;
    }
    let mut data = t.data.clone();
    data["action"] = json!(action.name());
    data["state"] = json!(t.state);
    append_event(o, &subject, &who, t.event_kind, &data, now).await?;

    if let Some(plan) = &t.sanction {
        // A brushing block names every shop in it; each gets the points.
        let mut sanctioned = vec![shop.clone()];
        for s in details["shops"].as_array().into_iter().flatten() {
            if let Some(s) = s.as_str().and_then(|s| ShopId::parse(s).ok())
                && !sanctioned.contains(&s)
            {
                sanctioned.push(s);
            }
        }
        for s in &sanctioned {
            record_violation(
                o,
                ViolationInsert {
                    shop: s,
                    complaint: None,
                    case: Some(id),
                    order_no: None,
                    kind: plan.violation_kind,
                    points: plan.points,
                    compensation: None,
                    reason: &plan.reason,
                },
                &who,
                now,
                policy,
            )
            .await?;
        }
        if let Some(remedy) = &plan.remedy {
            // One ruling, every member: each open complaint is resolved with the remedy.
            let (refs, reason) = match &action {
                CaseAction::Sanction {
                    rule_refs, reasons, ..
                } => (rule_refs.clone(), reasons.clone()),
                _ => (vec![], String::new()),
            };
            let members = ids(o.query(MEMBERS, vals![id]).await?)?;
            for m in members {
                let Some(c) = o.complaint(ComplaintId(m), Some(Lock::Wait)).await? else {
                    continue;
                };
                if !c.state.is_open() {
                    continue;
                }
                let tr = machine::case_ruling(&c, id, remedy, &refs, &reason, now, policy)?;
                apply(o, tr, &who, Some(actor.id), now, policy).await?;
            }
        }
    }
    if t.outcome.is_some() {
        // The case is decided: its reports are too. An IP notice found groundless restores the
        // listing; one upheld keeps it down.
        let dismissed = t.state == CaseState::Dismissed;
        let reports = o
            .query(
                "SELECT id, state, listing FROM reports WHERE case_id = $1 AND state IN ('received', 'taken_down', 'counter_noticed') FOR UPDATE",
                vals![id],
            )
            .await?;
        for r in reports {
            let rid = r[0].int()?;
            let was = ReportState::parse(&r[1].text()?).unwrap_or(ReportState::Received);
            let ip = was != ReportState::Received;
            let restore = dismissed && ip;
            let to = match (ip, dismissed) {
                (true, true) => ReportState::Restored,
                (true, false) => ReportState::KeptDown,
                (false, _) => ReportState::Closed,
            };
            set_report_state(o, rid, to, now).await?;
            cancel_subject_timers(o, &report_stream(rid), IP_RESTORE).await?;
            let kind = if restore {
                "listing_restored"
            } else {
                "case_decided"
            };
            let data = json!({"case_id": id, "decision": t.state, "state": to});
            append_event(o, &report_stream(rid), &who, kind, &data, now).await?;
            if restore {
                let data = json!({"report_id": rid, "listing": r[2].opt_text()?});
                append_event(o, &shop_stream(&shop), &who, "listing_restored", &data, now).await?;
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reports

const REPORT_COLUMNS: &str = "SELECT r.id, r.reporter_id, r.shop_id, r.kind, r.description, r.order_no, r.listing, r.channel, r.case_id, r.state, \
     r.created_at, r.updated_at, s.merchant_id, \
     (SELECT MIN(t.due_at) FROM subject_timers t WHERE t.subject = 'report:' || CAST(r.id AS TEXT) AND t.kind = 'ip_restore' AND t.status = 'pending') \
     FROM reports r JOIN shops s ON s.id = r.shop_id";

/// A report row as `actor` may see it; `None` when they may not.
fn report_for(actor: &Actor, row: &[Val]) -> Result<Option<Report>> {
    let kind = ReportKind::parse(&row[3].text()?).map_err(corrupt("report kind"))?;
    let reporter = UserId(row[1].int()?);
    let merchant = UserId(row[12].int()?);
    if !rules::can_view_report(actor, kind, reporter, merchant) {
        return Ok(None);
    }
    let shows_reporter = actor.role.is_staff() || actor.id == reporter;
    Ok(Some(Report {
        id: row[0].int()?,
        reporter_id: shows_reporter.then_some(reporter),
        shop_id: ShopId::parse(&row[2].text()?).map_err(corrupt("report shop"))?,
        kind,
        description: row[4].text()?,
        order_no: row[5].opt_text()?,
        listing: row[6].opt_text()?,
        channel: row[7].text()?,
        case_id: CaseId(row[8].int()?),
        state: ReportState::parse(&row[9].text()?)
            .ok_or_else(|| StoreError::Corrupt("report state".into()))?,
        restore_at: row[13].opt_int()?.map(from_ms).transpose()?,
        created_at: from_ms(row[10].int()?)?,
        updated_at: from_ms(row[11].int()?)?,
    }))
}

pub(crate) async fn read_report(db: &dyn ReadSql, actor: &Actor, id: i64) -> Result<Report> {
    Ok(read_report_and_reporter(db, actor, id).await?.0)
}

/// [`read_report`], and who reported it (for the store's own use: `actor` may not be told).
async fn read_report_and_reporter(
    db: &dyn ReadSql,
    actor: &Actor,
    id: i64,
) -> Result<(Report, UserId)> {
    let rows = db
        .read(&format!("{REPORT_COLUMNS} WHERE r.id = $1"), vals![id])
        .await?;
    let row = rows.first().ok_or_else(rules::not_found_report)?;
    let report = report_for(actor, row)?.ok_or_else(rules::not_found_report)?;
    Ok((report, UserId(row[1].int()?)))
}

const REPORT_EVIDENCE: &str =
    "SELECT sha256, size, content_type, kind, filename, uploaded_by, at FROM report_evidence";

fn report_evidence_row(r: &[Val]) -> Result<Evidence> {
    crate::rows::EvidenceRow {
        sha256: r[0].text()?,
        size: r[1].int()?,
        content_type: r[2].text()?,
        kind: r[3].text()?,
        filename: r[4].opt_text()?,
        uploaded_by: r[5].opt_int()?,
        at: r[6].int()?,
    }
    .try_into()
}

/// Attaches a file (already in the blob store) to a report. Whoever may see the report may add
/// to it: the reporter, staff, and for an IP notice the merchant (a counter-notice's proof). The
/// same file twice is one piece of evidence; each new one is an event in the report's chain.
pub(crate) async fn add_report_evidence<O: Ops>(
    o: &mut O,
    actor: &Actor,
    id: i64,
    ev: crate::NewEvidence,
    now: Timestamp,
) -> Result<Evidence> {
    let rows = o
        .query(
            "SELECT r.kind, r.reporter_id, s.merchant_id FROM reports r JOIN shops s ON s.id = r.shop_id WHERE r.id = $1 FOR UPDATE",
            vals![id],
        )
        .await?;
    let row = rows.first().ok_or_else(rules::not_found_report)?;
    let kind = ReportKind::parse(&row[0].text()?).map_err(corrupt("report kind"))?;
    if !rules::can_view_report(actor, kind, UserId(row[1].int()?), UserId(row[2].int()?)) {
        return Err(rules::not_found_report().into());
    }
    let existing = o
        .query(
            &format!("{REPORT_EVIDENCE} WHERE report_id = $1 AND sha256 = $2"),
            vals![id, ev.sha256.to_string()],
        )
        .await?;
    if let Some(r) = existing.first() {
        return report_evidence_row(r);
    }
    let e = Evidence {
        sha256: ev.sha256,
        size: ev.size,
        content_type: ev.content_type,
        kind: ev.kind,
        filename: ev.filename,
        uploaded_by: Some(actor.id),
        at: now,
    };
    o.exec(
        "INSERT INTO report_evidence (report_id, sha256, kind, size, content_type, filename, uploaded_by, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        vals![
            id,
            e.sha256.to_string(),
            e.kind.as_str(),
            e.size,
            e.content_type.as_str(),
            e.filename.clone(),
            actor.id.0,
            to_ms(now)
        ],
    )
    .await?;
    let data = json!({"sha256": e.sha256, "kind": e.kind, "size": e.size, "content_type": e.content_type, "filename": e.filename});
    append_event(
        o,
        &report_stream(id),
        &actor.event_name(),
        "evidence_added",
        &data,
        now,
    )
    .await?;
    Ok(e)
}

/// A report's files, oldest first, for whoever may see the report.
pub(crate) async fn report_evidence_list(
    db: &dyn ReadSql,
    actor: &Actor,
    id: i64,
) -> Result<Vec<Evidence>> {
    let hidden = hidden_reporter(db, actor, id).await?;
    db.read(
        &format!("{REPORT_EVIDENCE} WHERE report_id = $1 ORDER BY at, sha256"),
        vals![id],
    )
    .await?
    .iter()
    .map(|r| {
        let mut e = report_evidence_row(r)?;
        if hidden.is_some() && e.uploaded_by == hidden {
            e.uploaded_by = None; // the reporter's, like the report itself, without their name
        }
        Ok(e)
    })
    .collect()
}

/// One of a report's files and its bytes (checked against its hash by the blob store).
pub(crate) async fn report_evidence(
    db: &dyn ReadSql,
    blobs: &crate::blob::BlobStore,
    actor: &Actor,
    id: i64,
    sha: &Sha256,
) -> Result<(Evidence, Vec<u8>)> {
    let hidden = hidden_reporter(db, actor, id).await?;
    let rows = db
        .read(
            &format!("{REPORT_EVIDENCE} WHERE report_id = $1 AND sha256 = $2"),
            vals![id, sha.to_string()],
        )
        .await?;
    let mut ev = report_evidence_row(rows.first().ok_or_else(|| {
        StoreError::not_found("这条举报没有这份证据", "no such evidence on this report")
    })?)?;
    if hidden.is_some() && ev.uploaded_by == hidden {
        ev.uploaded_by = None;
    }
    let bytes = blobs.get(sha).await?;
    Ok((ev, bytes))
}

/// Reports newest first: a consumer's own, the IP notices about a merchant's shops, or all.
pub(crate) async fn list_reports(
    db: &dyn ReadSql,
    actor: &Actor,
    before: Option<i64>,
    limit: u32,
) -> Result<Page<Report>> {
    let (reporter, merchant) = match actor.role {
        r if r.is_staff() => (None, None),
        Role::Merchant => (None, Some(actor.id.0)),
        _ => (Some(actor.id.0), None),
    };
    let rows = db
        .read(
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
pub(crate) async fn file_report<O: Ops>(
    o: &mut O,
    actor: &Actor,
    r: NewReport,
    channel: Channel,
    now: Timestamp,
) -> Result<i64> {
    let default_channel = rules::check_reporter(actor, &r)?;
    let channel = match (default_channel, channel) {
        (Channel::Web, Channel::Chat) => Channel::Chat,
        (c, _) => c,
    };
    let reporter = match &r.on_behalf_of {
        None => actor.id,
        Some(name) => match o.user_id_role(name.as_str()).await? {
            Some((id, role)) if role == Role::Consumer.as_str() => UserId(id),
            _ => {
                return Err(DomainError::invalid(
                    "on_behalf_of",
                    "找不到这位买家",
                    "no such consumer",
                )
                .into());
            }
        },
    };
    if o.shop_state(&r.shop_id).await?.is_none() {
        return Err(DomainError::invalid("shop_id", "找不到这家店铺", "no such shop").into());
    }
    if let Some(order_no) = &r.order_no {
        match o.order_state(order_no).await? {
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
    let case_id = open_or_join_case(o, &r.shop_id, kind, &title, &json!({}), &who, now).await?;
    let state = ReportState::initial(r.kind);
    let id = o
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
        .int()?;
    let data = json!({
        "kind": r.kind, "shop_id": r.shop_id, "description": r.description, "order_no": r.order_no,
        "listing": r.listing, "channel": channel, "case_id": case_id, "reporter_id": reporter, "state": state,
    });
    start_stream(o, &report_stream(id), &who, "reported", &data, now).await?;
    append_event(
        o,
        &case_stream(case_id),
        &who,
        "report_added",
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
        append_event(
            o,
            &shop_stream(&r.shop_id),
            &who,
            "listing_taken_down",
            &data,
            now,
        )
        .await?;
    }
    Ok(id)
}

async fn set_report_state<O: Ops>(
    o: &mut O,
    id: i64,
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

pub(crate) async fn report_act<O: Ops>(
    o: &mut O,
    actor: &Actor,
    id: i64,
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
    let kind = ReportKind::parse(&row[0].text()?).map_err(corrupt("report kind"))?;
    let facts = ReportFacts {
        reporter_id: UserId(row[1].int()?),
        merchant_id: UserId(row[2].int()?),
        state: ReportState::parse(&row[3].text()?)
            .ok_or_else(|| StoreError::Corrupt("report state".into()))?,
    };
    if !rules::can_view_report(actor, kind, facts.reporter_id, facts.merchant_id) {
        return Err(rules::not_found_report().into());
    }
    let t = rules::decide_report(&facts, actor, &action, now, policy)?;
    set_report_state(o, id, t.state, now).await?;
    let subject = report_stream(id);
    if t.cancel_restore {
        cancel_subject_timers(o, &subject, IP_RESTORE).await?;
    }
    if let Some(due) = t.restore_at {
        insert_subject_timer(o, &subject, IP_RESTORE, due).await?;
    }
    let mut data = t.data;
    data["state"] = json!(t.state);
    append_event(o, &subject, &actor.event_name(), t.event_kind, &data, now).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Violations, the points ledger and the penalty ladder

pub(crate) struct ViolationInsert<'a> {
    pub shop: &'a ShopId,
    pub complaint: Option<ComplaintId>,
    pub case: Option<i64>,
    pub order_no: Option<&'a OrderNo>,
    pub kind: &'a str,
    pub points: u32,
    pub compensation: Option<Cents>,
    pub reason: &'a str,
}

/// Records a violation against the shop and climbs the ladder: each threshold its 12-month
/// points cross applies that step's penalty, with an end the timers lift it at. `None` when a
/// monitor already recorded this kind for this order.
pub(crate) async fn record_violation<O: Ops>(
    o: &mut O,
    v: ViolationInsert<'_>,
    actor: &str,
    now: Timestamp,
    policy: &Policy,
) -> Result<Option<i64>> {
    let rows = o
        .query(
            "INSERT INTO violations (shop_id, complaint_id, case_id, order_no, kind, points, compensation_cents, reason, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING id",
            vals![
                v.shop.as_str(),
                v.complaint.map(|c| c.0),
                v.case,
                v.order_no.map(|o| o.as_str()),
                v.kind,
                v.points,
                v.compensation.map(|c| c.get()),
                v.reason,
                to_ms(now),
            ],
        )
        .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let violation_id = row[0].int()?;
    let stream = shop_stream(v.shop);
    let data = json!({
        "violation_id": violation_id, "complaint_id": v.complaint, "case_id": v.case,
        "order_no": v.order_no, "kind": v.kind, "points": v.points,
        "compensation_cents": v.compensation, "reason": v.reason,
    });
    append_event(o, &stream, actor, "violation_recorded", &data, now).await?;

    let since = now - Duration::days(rules::POINTS_WINDOW_DAYS);
    let after = o
        .query(
            "SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM violations WHERE shop_id = $1 AND at > $2",
            vals![v.shop.as_str(), to_ms(since)],
        )
        .await?[0][0]
        .int()?;
    let before = after - i64::from(v.points);
    for (threshold, step) in rules::crossings(policy, before, after) {
        let ends = step.days.map(|d| now + Duration::days(i64::from(d)));
        let reason = format!("12个月内累计扣{after}分，达到{threshold}分：{}", v.reason);
        let pid = o
            .query(
                "INSERT INTO penalties (shop_id, violation_id, penalty, search_weight, starts_at, ends_at, reason) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                vals![
                    v.shop.as_str(),
                    violation_id,
                    step.penalty.as_str(),
                    step.search_weight,
                    to_ms(now),
                    ends.map(to_ms),
                    reason.as_str(),
                ],
            )
            .await?[0][0]
            .int()?;
        if let Some(end) = ends {
            insert_subject_timer(o, &format!("penalty:{pid}"), PENALTY_END, end).await?;
        }
        let data = json!({
            "penalty_id": pid, "penalty": step.penalty, "threshold": threshold, "points": after,
            "search_weight": step.search_weight, "starts_at": now, "ends_at": ends,
            "violation_id": violation_id, "reason": reason,
        });
        append_event(o, &stream, actor, "penalty_applied", &data, now).await?;
    }
    refresh_standing(o, v.shop, now).await?;
    Ok(Some(violation_id))
}

/// Sets the shop's search weight and status from the penalties in force now.
async fn refresh_standing<O: Ops>(o: &mut O, shop: &ShopId, now: Timestamp) -> Result<()> {
    let rows = o
        .query(
            "SELECT penalty, search_weight FROM penalties WHERE shop_id = $1 AND lifted_at IS NULL AND starts_at <= $2 AND (ends_at IS NULL OR ends_at > $2)",
            vals![shop.as_str(), to_ms(now)],
        )
        .await?;
    let mut active = Vec::with_capacity(rows.len());
    for r in rows {
        let p = Penalty::parse(&r[0].text()?)
            .ok_or_else(|| StoreError::Corrupt("penalty kind".into()))?;
        active.push((p, r[1].opt_real()?));
    }
    let (weight, status) = rules::standing(&active);
    o.exec(
        "UPDATE shops SET search_weight = $2, status = $3 WHERE id = $1",
        vals![shop.as_str(), weight, status],
    )
    .await?;
    Ok(())
}

/// The penalty, locked, with its shop's merchant: (shop, appeal, lifted, merchant).
async fn penalty_for_change<O: Ops>(
    o: &mut O,
    shop: &ShopId,
    id: i64,
) -> Result<(Option<Value>, bool, UserId)> {
    let rows = o
        .query(
            "SELECT p.appeal, p.lifted_at, s.merchant_id FROM penalties p JOIN shops s ON s.id = p.shop_id WHERE p.id = $1 AND p.shop_id = $2 FOR UPDATE",
            vals![id, shop.as_str()],
        )
        .await?;
    let row = rows.first().ok_or_else(not_found_penalty)?;
    let appeal = row[0]
        .opt_text()?
        .and_then(|t| serde_json::from_str(&t).ok());
    Ok((appeal, row[1].opt_int()?.is_some(), UserId(row[2].int()?)))
}

fn not_found_penalty() -> DomainError {
    DomainError::not_found("找不到这项处罚", "no such penalty")
}

/// A merchant appeals a penalty on their shop, once.
pub(crate) async fn appeal_penalty<O: Ops>(
    o: &mut O,
    actor: &Actor,
    shop: &ShopId,
    id: i64,
    reason: String,
    now: Timestamp,
) -> Result<()> {
    let (appeal, lifted, merchant) = penalty_for_change(o, shop, id).await?;
    if actor.role != Role::Merchant || actor.id != merchant {
        return Err(DomainError::forbidden(
            "只有受处罚店铺的商家可以申诉",
            "only the penalised shop's merchant may appeal",
        )
        .into());
    }
    if appeal.is_some() {
        return Err(DomainError::conflict(
            "appeal_used",
            "每项处罚只能申诉一次",
            "a penalty can be appealed only once",
        )
        .into());
    }
    if lifted {
        return Err(DomainError::conflict(
            "invalid_state",
            "处罚已解除，无需申诉",
            "the penalty has been lifted already",
        )
        .into());
    }
    let appeal = json!({"reason": reason, "at": now, "state": "pending"});
    o.exec(
        "UPDATE penalties SET appeal = $2 WHERE id = $1",
        vals![id, appeal.to_string()],
    )
    .await?;
    let data = json!({"penalty_id": id, "reason": reason});
    append_event(
        o,
        &shop_stream(shop),
        &actor.event_name(),
        "penalty_appealed",
        &data,
        now,
    )
    .await
}

/// Protection or a regulator decides a pending appeal: upheld, or overturned and lifted now.
pub(crate) async fn decide_penalty_appeal<O: Ops>(
    o: &mut O,
    actor: &Actor,
    shop: &ShopId,
    id: i64,
    overturn: bool,
    reason: String,
    now: Timestamp,
) -> Result<()> {
    rules::check_appeal_decider(actor)?;
    let (appeal, lifted, _) = penalty_for_change(o, shop, id).await?;
    let Some(mut appeal) = appeal.filter(|a| a["state"] == "pending") else {
        return Err(DomainError::conflict(
            "invalid_state",
            "这项处罚没有待裁决的申诉",
            "this penalty has no pending appeal",
        )
        .into());
    };
    let decision = if overturn { "overturned" } else { "upheld" };
    appeal["state"] = json!(decision);
    appeal["decided_by"] = json!(actor.id);
    appeal["decision_reason"] = json!(reason);
    appeal["decided_at"] = json!(now);
    o.exec(
        "UPDATE penalties SET appeal = $2 WHERE id = $1",
        vals![id, appeal.to_string()],
    )
    .await?;
    let who = actor.event_name();
    let data = json!({"penalty_id": id, "decision": decision, "reason": reason});
    append_event(
        o,
        &shop_stream(shop),
        &who,
        "penalty_appeal_decided",
        &data,
        now,
    )
    .await?;
    if overturn && !lifted {
        lift_penalty(o, shop, id, "overturned_on_appeal", &who, now).await?;
    }
    Ok(())
}

async fn lift_penalty<O: Ops>(
    o: &mut O,
    shop: &ShopId,
    id: i64,
    why: &str,
    actor: &str,
    now: Timestamp,
) -> Result<()> {
    // Lifted early, it ends now: the published history says when it really ended.
    o.exec(
        "UPDATE penalties SET lifted_at = $2, ends_at = CASE WHEN ends_at IS NULL OR ends_at > $2 THEN $2 ELSE ends_at END WHERE id = $1 AND lifted_at IS NULL",
        vals![id, to_ms(now)],
    )
    .await?;
    cancel_subject_timers(o, &format!("penalty:{id}"), PENALTY_END).await?;
    let data = json!({"penalty_id": id, "why": why});
    append_event(o, &shop_stream(shop), actor, "penalty_lifted", &data, now).await?;
    refresh_standing(o, shop, now).await
}

// ---------------------------------------------------------------------------------------------
// Deadlines of penalties, reports and cases

async fn insert_subject_timer<O: Ops>(
    o: &mut O,
    subject: &str,
    kind: &str,
    due: Timestamp,
) -> Result<()> {
    o.exec(
        "INSERT INTO subject_timers (subject, kind, due_at) VALUES ($1, $2, $3)",
        vals![subject, kind, to_ms(due)],
    )
    .await?;
    Ok(())
}

async fn cancel_subject_timers<O: Ops>(o: &mut O, subject: &str, kind: &str) -> Result<()> {
    o.exec(
        "UPDATE subject_timers SET status = 'cancelled' WHERE subject = $1 AND kind = $2 AND status = 'pending'",
        vals![subject, kind],
    )
    .await?;
    Ok(())
}

pub(crate) async fn due_subject_timers(
    db: &dyn ReadSql,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<SubjectTimer>> {
    let rows = db
        .read(
            "SELECT id, subject, kind, due_at FROM subject_timers WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at LIMIT $2",
            vals![to_ms(now), i64::from(limit)],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(SubjectTimer {
                id: r[0].int()?,
                subject: r[1].text()?,
                kind: r[2].text()?,
                due_at: from_ms(r[3].int()?)?,
            })
        })
        .collect()
}

/// Fires one deadline if it is still pending; `false` if another node (or an action) got there
/// first.
pub(crate) async fn fire_subject_timer<O: Ops>(
    o: &mut O,
    t: &SubjectTimer,
    now: Timestamp,
    policy: &Policy,
) -> Result<bool> {
    let claimed = o
        .exec(
            "UPDATE subject_timers SET status = 'fired', fired_at = $2 WHERE id = $1 AND status = 'pending'",
            vals![t.id, to_ms(now)],
        )
        .await?;
    if claimed == 0 {
        return Ok(false);
    }
    if t.kind == BRUSHING_SCAN {
        // The next run is scheduled as this one is claimed: a node that dies mid-scan costs
        // one scan, never a stopped schedule. The caller runs the scan itself.
        let next = now + Duration::from_std(policy.brushing.every).expect("bounded");
        insert_job(o, &t.subject, BRUSHING_SCAN, next).await?;
        return Ok(true);
    }
    let (_, id) = t
        .subject
        .split_once(':')
        .and_then(|(k, id)| Some((k, id.parse::<i64>().ok()?)))
        .ok_or_else(|| StoreError::Corrupt(format!("timer subject {}", t.subject)))?;
    let actor = weiquan_domain::access::SYSTEM_ACTOR;
    match t.kind.as_str() {
        PENALTY_END => {
            let rows = o
                .query(
                    "SELECT shop_id, lifted_at FROM penalties WHERE id = $1 FOR UPDATE",
                    vals![id],
                )
                .await?;
            if let Some(r) = rows.first()
                && r[1].opt_int()?.is_none()
            {
                let shop = ShopId::parse(&r[0].text()?).map_err(corrupt("penalty shop"))?;
                o.exec(
                    "UPDATE penalties SET lifted_at = $2 WHERE id = $1",
                    vals![id, to_ms(now)],
                )
                .await?;
                let data = json!({"penalty_id": id, "why": "ended", "timer_id": t.id});
                append_event(o, &shop_stream(&shop), actor, "penalty_lifted", &data, now).await?;
                refresh_standing(o, &shop, now).await?;
            }
        }
        IP_RESTORE => {
            let rows = o
                .query(
                    "SELECT state, shop_id, listing FROM reports WHERE id = $1 FOR UPDATE",
                    vals![id],
                )
                .await?;
            if let Some(r) = rows.first()
                && let Some(tr) = ReportState::parse(&r[0].text()?).and_then(rules::restore_lapsed)
            {
                set_report_state(o, id, tr.state, now).await?;
                let data = json!({"state": tr.state, "timer_id": t.id});
                append_event(o, &report_stream(id), actor, tr.event_kind, &data, now).await?;
                let shop = ShopId::parse(&r[1].text()?).map_err(corrupt("report shop"))?;
                let data = json!({"report_id": id, "listing": r[2].opt_text()?});
                append_event(
                    o,
                    &shop_stream(&shop),
                    actor,
                    "listing_restored",
                    &data,
                    now,
                )
                .await?;
            }
        }
        CASE_EVIDENCE => {
            // Silence: the case is decided on what is held.
            let data = json!({"timer_id": t.id});
            append_event(o, &case_stream(id), actor, "evidence_lapsed", &data, now).await?;
        }
        other => {
            tracing::warn!(timer = t.id, kind = other, "unknown subject timer consumed");
        }
    }
    Ok(true)
}

// ---------------------------------------------------------------------------------------------
// Commitment monitors

/// Records the shipping promise in force when an order is imported.
pub(crate) async fn set_ship_by<O: Ops>(
    o: &mut O,
    order_no: &OrderNo,
    paid_at: Timestamp,
    commitments: &Commitments,
) -> Result<()> {
    if let Some(by) = rules::ship_by(paid_at, commitments.ship_within_hours) {
        o.exec(
            "UPDATE orders SET ship_by = $2 WHERE order_no = $1",
            vals![order_no.as_str(), to_ms(by)],
        )
        .await?;
    }
    Ok(())
}

/// Checks the orders whose promised shipping time has passed (each once, on any node): one
/// shipped late, or not shipped at all, is a `late_shipment` violation with the compensation
/// owed. Returns how many orders it checked.
pub(crate) async fn sweep_late_shipments<O: Ops>(
    o: &mut O,
    now: Timestamp,
    limit: u32,
    policy: &Policy,
) -> Result<usize> {
    let rows = o
        .query(
            "SELECT order_no, shop_id, ship_by, shipped_at, amount_cents FROM orders \
             WHERE late_checked = FALSE AND ship_by IS NOT NULL AND ship_by < $1 ORDER BY ship_by LIMIT $2",
            vals![to_ms(now), i64::from(limit)],
        )
        .await?;
    let mut checked = 0;
    for r in &rows {
        let order_no = OrderNo::parse(&r[0].text()?).map_err(corrupt("order"))?;
        let marked = o
            .exec(
                "UPDATE orders SET late_checked = TRUE WHERE order_no = $1 AND late_checked = FALSE",
                vals![order_no.as_str()],
            )
            .await?;
        if marked == 0 {
            continue;
        }
        checked += 1;
        let shop = ShopId::parse(&r[1].text()?).map_err(corrupt("order shop"))?;
        let ship_by = from_ms(r[2].int()?)?;
        let shipped = r[3].opt_int()?.map(from_ms).transpose()?;
        let amount = Cents::new(r[4].int()?).map_err(corrupt("order amount"))?;
        if let Some(late) = rules::late_shipment(ship_by, shipped, amount, now, policy) {
            let reason = format!(
                "订单 {order_no} 超过承诺发货时间 {} 小时（compensation {}）",
                late.hours_late, late.compensation
            );
            record_violation(
                o,
                ViolationInsert {
                    shop: &shop,
                    complaint: None,
                    case: None,
                    order_no: Some(&order_no),
                    kind: "late_shipment",
                    points: policy.points.late_shipment,
                    compensation: Some(late.compensation),
                    reason: &reason,
                },
                "system:monitor",
                now,
                policy,
            )
            .await?;
        }
    }
    Ok(checked)
}

/// The monitors that watch a complaint's actions: a refused eligible 7-day return, and a
/// counterfeit ruling on a shop with 正品保障. Runs in the action's transaction.
pub(crate) async fn after_action<O: Ops>(
    o: &mut O,
    c: &Complaint,
    action: &Action,
    actor: &str,
    now: Timestamp,
    policy: &Policy,
) -> Result<()> {
    let watched = match action {
        Action::Reject { .. } => c.claim.kind == ClaimKind::Return,
        // A ruling that names its own violation has sanctioned the shop already.
        Action::Rule {
            decision,
            violation,
            ..
        } => {
            c.category == Category::Counterfeit
                && *decision != Decision::Reject
                && violation.is_none()
        }
        _ => false,
    };
    if !watched {
        return Ok(());
    }
    let Some(shop) = o.shop_state(&c.shop_id).await? else {
        return Ok(());
    };
    let commitments: Commitments = serde_json::from_str(&shop.commitments)
        .map_err(|e| StoreError::Corrupt(format!("shop commitments: {e}")))?;
    let Some((order, _)) = o.order(&c.order_no).await? else {
        return Ok(());
    };
    let item: Option<&OrderItem> = rules::item_named(&order.items, &c.product);
    let (kind, points, compensation, reason) = match action {
        Action::Reject { .. } => {
            let delivered = order.delivered_at;
            if !rules::return_refusal_breaks_promise(
                commitments.seven_day_return,
                delivered,
                c.created_at,
                item,
            ) {
                return Ok(());
            }
            (
                "return_refused",
                policy.points.return_refused,
                None,
                format!("投诉 {}：拒绝符合条件的七天无理由退货", c.id),
            )
        }
        Action::Rule { fraud, .. } => {
            if !commitments.authentic_guarantee {
                return Ok(());
            }
            let price = item.map_or(order.amount_cents, |i| i.price_cents);
            let owed = rules::counterfeit_compensation(price, *fraud, policy);
            (
                "counterfeit",
                policy.points.counterfeit,
                Some(owed),
                format!("投诉 {}：裁定售假，正品保障赔付 {owed}", c.id),
            )
        }
        _ => return Ok(()),
    };
    record_violation(
        o,
        ViolationInsert {
            shop: &c.shop_id,
            complaint: Some(c.id),
            case: None,
            order_no: Some(&c.order_no),
            kind,
            points,
            compensation,
            reason: &reason,
        },
        actor,
        now,
        policy,
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reading chains

/// A stream's events in order.
pub(crate) async fn stream_events(db: &dyn ReadSql, stream: &str) -> Result<Vec<Event>> {
    let rows = db
        .read(
            "SELECT stream, seq, at, actor, kind, data, prev_hash, hash FROM events WHERE stream = $1 ORDER BY seq",
            vals![stream],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Event {
                stream: r[0].text()?,
                seq: r[1].int()?,
                at: from_ms(r[2].int()?)?,
                actor: r[3].text()?,
                kind: r[4].text()?,
                data: serde_json::from_str(&r[5].text()?)
                    .map_err(|e| StoreError::Corrupt(format!("event data: {e}")))?,
                prev_hash: r[6].text()?,
                hash: r[7].text()?,
            })
        })
        .collect()
}

pub(crate) async fn case_events(db: &dyn ReadSql, actor: &Actor, id: i64) -> Result<Vec<Event>> {
    visible_case(db, actor, id).await?;
    stream_events(db, &case_stream(id)).await
}

/// The report's chain. Who reported stays hidden from those the report hides it from (the
/// merchant of an IP notice): the reporter's own steps name them as `reporter`, and the filing's
/// `reporter_id` is left out (such events no longer match their hashes; `audit verify` checks
/// the stored ones).
pub(crate) async fn report_events(db: &dyn ReadSql, actor: &Actor, id: i64) -> Result<Vec<Event>> {
    let hidden = hidden_reporter(db, actor, id).await?;
    let mut events = stream_events(db, &report_stream(id)).await?;
    if let Some(reporter) = hidden {
        let name = Actor::new(reporter, Role::Consumer).event_name();
        for e in &mut events {
            if e.actor == name {
                e.actor = "reporter".into();
            }
            if let Some(d) = e.data.as_object_mut() {
                d.remove("reporter_id");
            }
        }
    }
    Ok(events)
}

/// Checks that `actor` may see the report, and returns its reporter when they may not know who
/// that is.
async fn hidden_reporter(db: &dyn ReadSql, actor: &Actor, id: i64) -> Result<Option<UserId>> {
    let (report, reporter) = read_report_and_reporter(db, actor, id).await?;
    Ok(report.reporter_id.is_none().then_some(reporter))
}

pub(crate) async fn shop_events(db: &dyn ReadSql, shop: &ShopId) -> Result<Vec<Event>> {
    stream_events(db, &shop_stream(shop)).await
}

// ---------------------------------------------------------------------------------------------
// The brushing scan

/// Seeds a scheduled job's next run unless one is pending (every node does this at start).
pub(crate) async fn insert_job<O: Ops>(
    o: &mut O,
    subject: &str,
    kind: &str,
    due: Timestamp,
) -> Result<()> {
    o.exec(
        "INSERT INTO subject_timers (subject, kind, due_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        vals![subject, kind, to_ms(due)],
    )
    .await?;
    Ok(())
}

/// One purchase for the brushing scan: buyer account, shop, when paid.
#[derive(Debug, Clone, PartialEq)]
pub struct Purchase {
    pub buyer: String,
    pub shop: String,
    pub paid_at: Timestamp,
}

pub(crate) async fn purchases(db: &dyn ReadSql, since: Timestamp) -> Result<Vec<Purchase>> {
    let rows = db
        .read(
            "SELECT u.username, o.shop_id, o.paid_at FROM orders o JOIN users u ON u.id = o.buyer_id WHERE o.paid_at >= $1",
            vals![to_ms(since)],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Purchase {
                buyer: r[0].text()?,
                shop: r[1].text()?,
                paid_at: from_ms(r[2].int()?)?,
            })
        })
        .collect()
}

/// A dense block the scan found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BrushingBlock {
    /// `fraudar` or `time` (the buyer × shop × day detector).
    pub detector: String,
    pub accounts: Vec<String>,
    pub shops: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<Vec<String>>,
    /// The detector's density score.
    pub score: f64,
    /// Share of the block's account × shop pairs that bought.
    pub fill: f64,
    /// `fill` over the same share in the whole window.
    pub lift: f64,
}

/// Most order numbers kept as a case's evidence.
const BLOCK_ORDERS: usize = 500;

fn in_list(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Turns a block into a tier-3 violation case with its accounts, shops, score and orders as
/// evidence — or into the evidence of the open case that reports or forwards already opened about
/// one of its shops; `None` when the same block (same accounts and shops) already has a case
/// within the window, open or decided.
pub(crate) async fn open_brushing_case<O: Ops>(
    o: &mut O,
    block: &BrushingBlock,
    since: Timestamp,
    now: Timestamp,
) -> Result<Option<i64>> {
    let mut accounts = block.accounts.clone();
    accounts.sort();
    let mut shops = block.shops.clone();
    shops.sort();
    let fingerprint = Sha256::of(format!("{}|{}", accounts.join(","), shops.join(",")).as_bytes());
    // Two nodes' scans finding the same block take turns here; the second sees the first's case.
    o.lock_key(&format!("brushing:{fingerprint}")).await?;
    let seen = o
        .query(
            "SELECT id FROM cases WHERE fingerprint = $1 AND created_at >= $2",
            vals![fingerprint.as_str(), to_ms(since)],
        )
        .await?;
    if !seen.is_empty() || shops.is_empty() {
        return Ok(None);
    }
    let mut params: Vec<Val> = vec![Val::Int(to_ms(since))];
    params.extend(accounts.iter().map(|a| Val::from(a.as_str())));
    params.extend(shops.iter().map(|s| Val::from(s.as_str())));
    let rows = o
        .query(
            &format!(
                "SELECT o.order_no, o.shop_id FROM orders o JOIN users u ON u.id = o.buyer_id                  WHERE o.paid_at >= $1 AND u.username IN ({}) AND o.shop_id IN ({}) ORDER BY o.paid_at",
                in_list(2, accounts.len()),
                in_list(2 + accounts.len(), shops.len())
            ),
            &params,
        )
        .await?;
    // The case is filed against the shop with most of the block's orders; every shop in the
    // block is sanctioned if it is confirmed.
    let mut per_shop: std::collections::BTreeMap<String, usize> = Default::default();
    for r in &rows {
        *per_shop.entry(r[1].text()?).or_default() += 1;
    }
    let main = per_shop
        .iter()
        .max_by_key(|(s, n)| (**n, std::cmp::Reverse((*s).clone())))
        .map_or_else(|| shops[0].clone(), |(s, _)| s.clone());
    let main = ShopId::parse(&main).map_err(corrupt("block shop"))?;
    let orders: Vec<String> = rows
        .iter()
        .take(BLOCK_ORDERS)
        .map(|r| r[0].text())
        .collect::<Result<_>>()?;
    let details = json!({
        "source": "brushing_scan", "detector": block.detector, "accounts": accounts, "shops": shops,
        "days": block.days, "score": block.score, "fill": block.fill, "lift": block.lift, "order_count": rows.len(), "orders": orders,
        "window_from": since,
    });
    let title = format!(
        "疑似刷单团伙：{} 个账号 × {} 家店铺",
        accounts.len(),
        shops.len()
    );
    // One open case per shop and kind: a case that reports or forwards opened about a shop of the
    // block (its main shop first), and that has no block yet, gathers this one.
    let mut params: Vec<Val> = vec![main.as_str().into()];
    params.extend(shops.iter().map(|s| Val::from(s.as_str())));
    let open = o
        .query(
            &format!(
                "SELECT id, details FROM cases WHERE kind = 'violation' AND state IN ('open', 'investigating') \
                 AND fingerprint IS NULL AND shop_id IN ({}) ORDER BY (shop_id = $1) DESC, id LIMIT 1 FOR UPDATE",
                in_list(2, shops.len())
            ),
            &params,
        )
        .await?;
    if let Some(row) = open.first() {
        let id = row[0].int()?;
        let mut merged: Value = serde_json::from_str(&row[1].text()?).unwrap_or_else(|_| json!({}));
        if !merged.is_object() {
            merged = json!({});
        }
        for (k, v) in details.as_object().expect("an object") {
            merged[k] = v.clone();
        }
        o.exec(
            "UPDATE cases SET details = $1, fingerprint = $2, title = $3, updated_at = $4 WHERE id = $5",
            vals![merged.to_string(), fingerprint.as_str(), title.as_str(), to_ms(now), id],
        )
        .await?;
        let data = json!({"title": title, "details": details});
        append_event(
            o,
            &case_stream(id),
            "system:brushing_scan",
            "block_found",
            &data,
            now,
        )
        .await?;
        return Ok(Some(id));
    }
    let id = o
        .query(
            "INSERT INTO cases (kind, shop_id, state, title, created_at, updated_at, details, fingerprint)              VALUES ('violation', $1, 'open', $2, $3, $3, $4, $5) RETURNING id",
            vals![main.as_str(), title.as_str(), to_ms(now), details.to_string(), fingerprint.as_str()],
        )
        .await?[0][0]
        .int()?;
    let data = json!({"kind": "violation", "shop_id": main, "state": "open", "title": title, "details": details});
    start_stream(
        o,
        &case_stream(id),
        "system:brushing_scan",
        "opened",
        &data,
        now,
    )
    .await?;
    Ok(Some(id))
}

/// The shop's listings that IP notices keep down now (the marketplace hides them).
pub(crate) async fn listings_down(db: &dyn ReadSql, shop: &ShopId) -> Result<Vec<String>> {
    let rows = db
        .read(
            "SELECT DISTINCT listing FROM reports WHERE shop_id = $1 AND kind = 'ip_infringement' \
             AND state IN ('taken_down', 'counter_noticed', 'kept_down') AND listing IS NOT NULL ORDER BY listing",
            vals![shop.as_str()],
        )
        .await?;
    rows.iter().map(|r| r[0].text()).collect()
}
