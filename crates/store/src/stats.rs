//! `GET /stats`: the figures consumer-protection staff refine policy with, computed by SQL that
//! both backends run through `db::Tx` (written once here).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use weiquan_domain::*;

use crate::db::{Conn, Tx};
use crate::error::Result;
use crate::sql::Val;
use crate::time::to_ms;

/// Which complaints the figures cover: filed in `[from, to)`, optionally about one shop.
#[derive(Debug, Clone)]
pub struct StatsQuery {
    pub from: Timestamp,
    pub to: Timestamp,
    pub shop_id: Option<ShopId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Stats {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub shop_id: Option<ShopId>,
    pub total: i64,
    pub by_category: Vec<Count>,
    pub by_tier: Vec<Count>,
    pub by_state: Vec<Count>,
    /// The 20 shops with most complaints.
    pub top_shops: Vec<Count>,
    /// Complaints per day (Asia/Shanghai) and category.
    pub per_day: Vec<DayCount>,
    pub resolution: ResolutionTimes,
    /// Deadlines that fell to someone to meet (merchant reply, mediation, evidence, executing a
    /// ruling), by the tier they belong to: how many came due and how many lapsed.
    pub deadlines_by_tier: Vec<DeadlineShare>,
    /// The merchant's own deadlines (reply, executing a ruling), per merchant.
    pub deadlines_by_merchant: Vec<DeadlineShare>,
    pub escalation: Escalation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Count {
    pub key: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DayCount {
    pub day: NaiveDate,
    pub category: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ResolutionTimes {
    /// Complaints filed in the period that reached `resolved`.
    pub resolved: i64,
    /// Hours from filing to resolution (nearest rank).
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DeadlineShare {
    pub key: String,
    /// Deadlines that came due or were met (pending ones are not counted).
    pub due: i64,
    pub missed: i64,
    pub missed_share: Option<f64>,
}

/// Tier 1 → tier 2: of the complaints that reached mediation, how many went on to protection.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Escalation {
    pub reached_tier1: i64,
    pub escalated_to_tier2: i64,
    pub rate: Option<f64>,
}

/// Every statistics query returns rows of this one shape: two text keys and a number.
type Row = (String, String, i64);

/// Runs one statistics query through the backend-neutral reader.
async fn rows<C: Conn>(o: &mut Tx<'_, C>, sql: &str, params: &[Val]) -> Result<Vec<Row>> {
    o.query(sql, params)
        .await?
        .iter()
        .map(|r| Ok((r[0].text()?, r[1].text()?, r[2].int()?)))
        .collect()
}

/// The filter every query starts with; `$1`, `$2`, `$3` are from, to, shop.
const F: &str =
    "c.created_at >= $1 AND c.created_at < $2 AND (CAST($3 AS TEXT) IS NULL OR c.shop_id = $3)";
const SHANGHAI_MS: i64 = 8 * 3_600_000;
const DAY_MS: i64 = 86_400_000;
/// The deadlines someone must meet; `consumer_reply` and `appeal_window` are windows of choice.
/// A deadline is missed when it fired at the `due_at` `Policy::due` stored, so breaches follow the
/// same calendar as the deadline itself, its reminders and the pages' countdown.
const SLA_KINDS: &str = "'merchant_reply', 'mediation', 'evidence_turn', 'execute_ruling'";
const MERCHANT_KINDS: &str = "'merchant_reply', 'execute_ruling'";

fn counts(rows: Vec<Row>) -> Vec<Count> {
    rows.into_iter()
        .map(|(key, _, count)| Count { key, count })
        .collect()
}

fn single(rows: Vec<Row>) -> i64 {
    rows.first().map_or(0, |r| r.2)
}

fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Rows of (key, status, n) → due and missed per key, the most missed first.
fn deadline_shares(rows: Vec<Row>, key: impl Fn(&str) -> String) -> Vec<DeadlineShare> {
    let mut by: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for (k, status, n) in rows {
        let e = by.entry(key(&k)).or_default();
        e.0 += n;
        if status == "fired" {
            e.1 += n;
        }
    }
    let mut out: Vec<DeadlineShare> = by
        .into_iter()
        .map(|(key, (due, missed))| DeadlineShare {
            key,
            due,
            missed,
            missed_share: share(missed, due),
        })
        .collect();
    out.sort_by(|a, b| b.missed.cmp(&a.missed).then(a.key.cmp(&b.key)));
    out
}

pub(crate) async fn compute<C: Conn>(o: &mut Tx<'_, C>, q: &StatsQuery) -> Result<Stats> {
    let base = [
        Val::Int(to_ms(q.from)),
        Val::Int(to_ms(q.to)),
        Val::from(q.shop_id.as_ref().map(|s| s.as_str().to_owned())),
    ];
    let grouped = |col: &str| {
        format!(
            "SELECT c.{col}, '', COUNT(*) FROM complaints c WHERE {F} GROUP BY c.{col} ORDER BY 3 DESC, 1"
        )
    };
    let total = single(
        rows(
            o,
            &format!("SELECT '', '', COUNT(*) FROM complaints c WHERE {F}"),
            &base,
        )
        .await?,
    );
    let by_category = counts(rows(o, &grouped("category"), &base).await?);
    let by_tier = counts(rows(o, &grouped("tier"), &base).await?);
    let by_state = counts(rows(o, &grouped("state"), &base).await?);
    let top_shops = counts(
        rows(o,
            &format!("SELECT c.shop_id, '', COUNT(*) FROM complaints c WHERE {F} GROUP BY c.shop_id ORDER BY 3 DESC, 1 LIMIT 20"),
            &base,
        )
        .await?,
    );
    let per_day = rows(
        o,
        &format!(
            "SELECT CAST((c.created_at + {SHANGHAI_MS}) / {DAY_MS} AS TEXT), c.category, COUNT(*) \
                 FROM complaints c WHERE {F} GROUP BY 1, 2 ORDER BY 1, 2"
        ),
        &base,
    )
    .await?
    .into_iter()
    .filter_map(|(day, category, count)| {
        let n: i64 = day.parse().ok()?;
        let day = DateTime::from_timestamp(n * DAY_MS / 1000, 0)?.date_naive();
        Some(DayCount {
            day,
            category,
            count,
        })
    })
    .collect();

    let resolved_filter = format!("FROM complaints c WHERE {F} AND c.resolved_at IS NOT NULL");
    let resolved = single(
        rows(
            o,
            &format!("SELECT '', '', COUNT(*) {resolved_filter}"),
            &base,
        )
        .await?,
    );
    let mut rank = async |p: f64| -> Result<Option<f64>> {
        if resolved == 0 {
            return Ok(None);
        }
        // Nearest rank: the smallest value with at least p of the values at or below it.
        let offset = ((p * resolved as f64).ceil() as i64 - 1).clamp(0, resolved - 1);
        let mut params = base.to_vec();
        params.push(Val::Int(offset));
        let rows = rows(o,
                &format!("SELECT '', '', c.resolved_at - c.created_at {resolved_filter} ORDER BY 3 LIMIT 1 OFFSET $4"),
                &params,
            )
            .await?;
        Ok(rows.first().map(|r| r.2 as f64 / 3_600_000.0))
    };
    let resolution = ResolutionTimes {
        resolved,
        median_hours: rank(0.5).await?,
        p90_hours: rank(0.9).await?,
    };

    let by_tier_rows = rows(o,
            &format!(
                "SELECT t.kind, t.status, COUNT(*) FROM timers t JOIN complaints c ON c.id = t.complaint_id \
                 WHERE {F} AND t.status <> 'pending' AND t.kind IN ({SLA_KINDS}) GROUP BY 1, 2"
            ),
            &base,
        )
        .await?;
    let deadlines_by_tier = deadline_shares(by_tier_rows, |kind| {
        TimerKind::parse(kind)
            .map_or(kind, |k| k.sla_tier().as_str())
            .to_owned()
    });
    let by_merchant_rows = rows(o,
            &format!(
                "SELECT u.username, t.status, COUNT(*) FROM timers t JOIN complaints c ON c.id = t.complaint_id \
                 JOIN shops s ON s.id = c.shop_id JOIN users u ON u.id = s.merchant_id \
                 WHERE {F} AND t.status <> 'pending' AND t.kind IN ({MERCHANT_KINDS}) GROUP BY 1, 2"
            ),
            &base,
        )
        .await?;
    let deadlines_by_merchant = deadline_shares(by_merchant_rows, str::to_owned);

    let reached_tier1 = single(
        rows(
            o,
            &format!("SELECT '', '', COUNT(*) FROM complaints c WHERE {F} AND c.reached_mediation"),
            &base,
        )
        .await?,
    );
    let escalated_to_tier2 = single(
        rows(o,
            &format!("SELECT '', '', COUNT(*) FROM complaints c WHERE {F} AND c.reached_mediation AND c.reached_protection"),
            &base,
        )
        .await?,
    );
    Ok(Stats {
        from: q.from,
        to: q.to,
        shop_id: q.shop_id.clone(),
        total,
        by_category,
        by_tier,
        by_state,
        top_shops,
        per_day,
        resolution,
        deadlines_by_tier,
        deadlines_by_merchant,
        escalation: Escalation {
            reached_tier1,
            escalated_to_tier2,
            rate: share(escalated_to_tier2, reached_tier1),
        },
    })
}
