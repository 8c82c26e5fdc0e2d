//! The points ledger and the penalty ladder: a violation recorded → the shop's 12-month points →
//! each threshold crossed applies its penalty with an end; the shop's search weight and status
//! follow the penalties in force; a merchant's appeal and its decision.

use chrono::Duration;
use serde_json::{Value, json};
use weiquan_domain::delivery::WebhookEvent;
use weiquan_domain::policy::Penalty;
use weiquan_domain::tier3::{self as rules};
use weiquan_domain::*;

use crate::db::{Conn, Row, Tx};
use crate::error::{Result, StoreError};
use crate::events;
use crate::model::*;
use crate::outbox;
use crate::rows::{PenaltyRow, bad, each};
use crate::sql::vals;
use crate::time::to_ms;
use crate::timers::{self, *};

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
pub(crate) async fn record_violation<C: Conn>(
    o: &mut Tx<'_, C>,
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
    let stream = Stream::Shop(v.shop.clone());
    let data = json!({
        "violation_id": violation_id, "complaint_id": v.complaint, "case_id": v.case,
        "order_no": v.order_no, "kind": v.kind, "points": v.points,
        "compensation_cents": v.compensation, "reason": v.reason,
    });
    events::append(o, &stream, actor, EventKind::ViolationRecorded, &data, now).await?;

    let after = points(o, v.shop, now).await?;
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
            timers::insert_subject(o, &Stream::Penalty(PenaltyId(pid)), PENALTY_END, end, None)
                .await?;
        }
        let data = json!({
            "penalty_id": pid, "penalty": step.penalty, "threshold": threshold, "points": after,
            "search_weight": step.search_weight, "starts_at": now, "ends_at": ends,
            "violation_id": violation_id, "reason": reason,
        });
        events::append(o, &stream, actor, EventKind::PenaltyApplied, &data, now).await?;
    }
    refresh_standing(o, v.shop, now).await?;
    Ok(Some(violation_id))
}

/// Sets the shop's search weight and status from the penalties in force now.
pub(crate) async fn refresh_standing<C: Conn>(
    o: &mut Tx<'_, C>,
    shop: &ShopId,
    now: Timestamp,
) -> Result<()> {
    let rows = o
        .query(
            "SELECT penalty, search_weight FROM penalties WHERE shop_id = $1 AND lifted_at IS NULL AND starts_at <= $2 AND (ends_at IS NULL OR ends_at > $2)",
            vals![shop.as_str(), to_ms(now)],
        )
        .await?;
    let mut active = Vec::with_capacity(rows.len());
    for r in rows {
        let p = Penalty::parse(r[0].as_str()?)
            .ok_or_else(|| StoreError::Corrupt("penalty kind".into()))?;
        active.push((p, r[1].opt_real()?));
    }
    let (weight, status) = rules::standing(&active);
    let changed = o
        .exec(
            "UPDATE shops SET search_weight = $2, status = $3 WHERE id = $1 AND (search_weight IS DISTINCT FROM $2 OR status <> $3)",
            vals![shop.as_str(), weight, status.as_str()],
        )
        .await?;
    if changed > 0 {
        let data = json!({
            "shop_id": shop, "search_weight": weight, "status": status,
            "penalties": active.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        });
        let stream = Stream::Shop(shop.clone());
        outbox::webhook(o, &stream, WebhookEvent::ShopStandingChanged, data, now).await?;
    }
    Ok(())
}

/// The penalty, locked, with its shop's merchant: (shop, appeal, lifted, merchant).
async fn penalty_for_change<C: Conn>(
    o: &mut Tx<'_, C>,
    shop: &ShopId,
    id: PenaltyId,
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
pub(crate) async fn appeal_penalty<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    shop: &ShopId,
    id: PenaltyId,
    reason: String,
    now: Timestamp,
) -> Result<()> {
    let (appeal, lifted, merchant) = penalty_for_change(o, shop, id).await?;
    rules::check_penalty_appeal(actor, merchant, appeal.is_some(), lifted)?;
    let appeal = json!({"reason": reason, "at": now, "state": "pending"});
    o.exec(
        "UPDATE penalties SET appeal = $2 WHERE id = $1",
        vals![id, appeal.to_string()],
    )
    .await?;
    let data = json!({"penalty_id": id, "reason": reason});
    events::append(
        o,
        &Stream::Shop(shop.clone()),
        &actor.event_name(),
        EventKind::PenaltyAppealed,
        &data,
        now,
    )
    .await
}

/// Protection or a regulator decides a pending appeal: upheld, or overturned and lifted now.
pub(crate) async fn decide_penalty_appeal<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    shop: &ShopId,
    id: PenaltyId,
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
    events::append(
        o,
        &Stream::Shop(shop.clone()),
        &who,
        EventKind::PenaltyAppealDecided,
        &data,
        now,
    )
    .await?;
    if overturn && !lifted {
        lift_penalty(o, shop, id, "overturned_on_appeal", &who, now).await?;
    }
    Ok(())
}

async fn lift_penalty<C: Conn>(
    o: &mut Tx<'_, C>,
    shop: &ShopId,
    id: PenaltyId,
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
    timers::cancel_subject(o, &Stream::Penalty(id), PENALTY_END).await?;
    let data = json!({"penalty_id": id, "why": why});
    events::append(
        o,
        &Stream::Shop(shop.clone()),
        actor,
        EventKind::PenaltyLifted,
        &data,
        now,
    )
    .await?;
    refresh_standing(o, shop, now).await
}

/// A shop's points within the ladder's window (12 months) before `now`.
async fn points<C: Conn>(o: &mut Tx<'_, C>, shop: &ShopId, now: Timestamp) -> Result<i64> {
    let since = now - Duration::days(rules::POINTS_WINDOW_DAYS);
    o.query_one(
        "SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM violations WHERE shop_id = $1 AND at > $2",
        vals![shop.as_str(), to_ms(since)],
    )
    .await?[0]
        .int()
}

const PENALTY_COLUMNS: &str = "id, penalty, search_weight, starts_at, ends_at, reason, appeal";

/// A shop with its 12-month points and the penalties in force at `now`.
pub(crate) async fn shop<C: Conn>(
    o: &mut Tx<'_, C>,
    id: &ShopId,
    now: Timestamp,
) -> Result<Option<Shop>> {
    let Some(r) = o
        .query_opt(
            "SELECT id, name, merchant_id, commitments, search_weight, status FROM shops WHERE id = $1",
            vals![id.as_str()],
        )
        .await?
    else {
        return Ok(None);
    };
    let points = points(o, id, now).await?;
    let rows = o
        .query(
            &format!(
                "SELECT {PENALTY_COLUMNS} FROM penalties WHERE shop_id = $1 AND lifted_at IS NULL \
                 AND starts_at <= $2 AND (ends_at IS NULL OR ends_at > $2) ORDER BY starts_at"
            ),
            vals![id.as_str(), to_ms(now)],
        )
        .await?;
    Ok(Some(Shop {
        id: ShopId::parse(r[0].as_str()?).map_err(bad("shop id"))?,
        name: r[1].text()?,
        merchant_id: UserId(r[2].int()?),
        commitments: crate::rows::json("shop commitments", r[3].as_str()?)?,
        points,
        search_weight: r[4].real()?,
        status: r[5].text()?,
        active_penalties: each(rows, |r| PenaltyRow::from_row(r)?.try_into())?,
    }))
}

/// Every penalty of the shop, newest first.
pub(crate) async fn penalties<C: Conn>(
    o: &mut Tx<'_, C>,
    id: &ShopId,
) -> Result<Vec<PenaltyRecord>> {
    let rows = o
        .query(
            &format!(
                "SELECT {PENALTY_COLUMNS} FROM penalties WHERE shop_id = $1 ORDER BY starts_at DESC"
            ),
            vals![id.as_str()],
        )
        .await?;
    each(rows, |r| PenaltyRow::from_row(r)?.try_into())
}

/// Every violation on the shop's record, newest first, each with the penalties it triggered.
pub(crate) async fn violations<C: Conn>(
    o: &mut Tx<'_, C>,
    shop: &ShopId,
) -> Result<Vec<ViolationRecord>> {
    let rows = o
        .query(
            "SELECT id, kind, points, compensation_cents, complaint_id, case_id, order_no, at \
             FROM violations WHERE shop_id = $1 ORDER BY at DESC, id DESC",
            vals![shop.as_str()],
        )
        .await?;
    let triggered = o
        .query(
            "SELECT violation_id, id FROM penalties WHERE shop_id = $1 ORDER BY id",
            vals![shop.as_str()],
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id = r[0].int()?;
        let mut penalties = vec![];
        for p in &triggered {
            if p[0].int()? == id {
                penalties.push(PenaltyId(p[1].int()?));
            }
        }
        out.push(ViolationRecord {
            id,
            kind: r[1].text()?,
            points: r[2].int()?,
            compensation: r[3]
                .opt_int()?
                .map(Cents::new)
                .transpose()
                .map_err(bad("violation compensation"))?,
            complaint_id: r[4].opt_int()?.map(ComplaintId),
            case_id: r[5].opt_int()?.map(CaseId),
            order_no: r[6].opt_text()?,
            at: crate::time::from_ms(r[7].int()?)?,
            penalties,
        });
    }
    Ok(out)
}

/// The shops named by the first column of `ids`, each with its standing at `now`.
async fn shops_of<C: Conn>(o: &mut Tx<'_, C>, ids: &[Row], now: Timestamp) -> Result<Vec<Shop>> {
    let mut out = Vec::with_capacity(ids.len());
    for r in ids {
        let id = ShopId::parse(r[0].as_str()?).map_err(bad("shop id"))?;
        if let Some(s) = shop(o, &id, now).await? {
            out.push(s);
        }
    }
    Ok(out)
}

/// The shops a merchant runs, by id, each with its standing at `now`.
pub(crate) async fn merchant_shops<C: Conn>(
    o: &mut Tx<'_, C>,
    merchant: UserId,
    now: Timestamp,
) -> Result<Vec<Shop>> {
    let ids = o
        .query(
            "SELECT id FROM shops WHERE merchant_id = $1 ORDER BY id",
            vals![merchant],
        )
        .await?;
    shops_of(o, &ids, now).await
}

/// The shops with a penalty in force at `now` (at most `limit`), most points first.
pub(crate) async fn penalised_shops<C: Conn>(
    o: &mut Tx<'_, C>,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<Shop>> {
    let ids = o
        .query(
            "SELECT DISTINCT shop_id FROM penalties WHERE lifted_at IS NULL AND starts_at <= $1 \
             AND (ends_at IS NULL OR ends_at > $1) ORDER BY shop_id",
            vals![to_ms(now)],
        )
        .await?;
    let mut out = shops_of(o, &ids, now).await?;
    out.sort_by(|a, b| b.points.cmp(&a.points).then_with(|| a.id.cmp(&b.id)));
    out.truncate(limit as usize);
    Ok(out)
}
