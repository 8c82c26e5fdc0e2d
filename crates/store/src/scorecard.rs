//! A shop's public scorecard (`docs/scorecard.md`): the facts `domain::scorecard` computes it
//! from, read in three steps — the shop with its penalties in force (`ledger::shop`, the same
//! read as its standing), its orders paid in each window (one statement over `orders_shop`), and
//! its complaints filed in the longest window plus those ruled in it that were filed before (one
//! statement over `complaints_shop_created`, an index holding every column it reads, and
//! `complaints_shop_ruled`). Each complaint's reply deadline, first answer, end of the shop's
//! turn, ruling and order's payment are columns the write path keeps (`records`), so nothing
//! walks events or timers, or joins the orders, here.

use weiquan_domain::policy::Penalty;
use weiquan_domain::scorecard::{self as card, ActivePenalty, ComplaintFacts, Facts, Scorecard};
use weiquan_domain::*;

use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::ledger;
use crate::sql::vals;
use crate::time::{from_ms, to_ms};

/// The complaint columns the arithmetic reads, after a first column saying which part of the
/// read found the row; `$1` the shop, `$2` the longest window's start, `$3` now.
const COMPLAINT_FACTS: &str = "c.created_at, c.reply_due_at, c.first_answer_at, c.reply_ended_at, c.resolved_at, \
     CASE WHEN c.reached_mediation OR c.reached_protection THEN 1 ELSE 0 END, c.ruling, c.ruled_at, c.order_paid_at, \
     CAST(c.order_no AS BIGINT) FROM complaints c WHERE c.shop_id = $1";

/// The shop's scorecard at `now`; `None` when there is no such shop.
pub(crate) async fn scorecard<C: Conn>(
    o: &mut Tx<'_, C>,
    shop: &ShopId,
    now: Timestamp,
) -> Result<Option<Scorecard>> {
    let Some(s) = ledger::shop(o, shop, now).await? else {
        return Ok(None);
    };
    let [short, long] = card::WINDOWS.map(|days| to_ms(card::window_start(now, days)));
    let counts = o
        .query_one(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN paid_at >= $2 THEN 1 ELSE 0 END), 0) \
             FROM orders WHERE shop_id = $1 AND paid_at >= $3 AND paid_at <= $4",
            vals![shop.as_str(), short, long, to_ms(now)],
        )
        .await?;
    let orders = [counts[1].int()?, counts[0].int()?];
    let rows = o
        .query(
            &format!(
                "SELECT 0, {COMPLAINT_FACTS} AND c.created_at >= $2 AND c.created_at <= $3 \
                 UNION ALL SELECT 1, {COMPLAINT_FACTS} AND c.ruled_at >= $2 AND c.ruled_at <= $3"
            ),
            vals![shop.as_str(), long, to_ms(now)],
        )
        .await?;
    let time = |v: Option<i64>| v.map(from_ms).transpose();
    let mut complaints = Vec::with_capacity(rows.len());
    for row in &rows {
        // The rulings' part is by `ruled_at` alone (so that it reads `complaints_shop_ruled`):
        // a row of it filed in the window is in the first part already.
        let (part, r) = (row[0].int()?, &row[1..]);
        if part == 1 && r[0].int()? >= long {
            continue;
        }
        let ruling = match (r[6].opt_text()?, r[7].opt_int()?) {
            (Some(d), Some(at)) => Some((
                Decision::parse(&d).map_err(|_| StoreError::Corrupt("ruling".into()))?,
                from_ms(at)?,
            )),
            _ => None,
        };
        complaints.push(ComplaintFacts {
            filed_at: from_ms(r[0].int()?)?,
            reply_due_at: time(r[1].opt_int()?)?,
            first_answer_at: time(r[2].opt_int()?)?,
            reply_ended_at: time(r[3].opt_int()?)?,
            resolved_at: time(r[4].opt_int()?)?,
            reached_staff: r[5].int()? != 0,
            ruling,
            order_paid_at: from_ms(r[8].int()?)?,
            // Order numbers are 18 digits: an i64 names each.
            order_key: r[9].int()?,
        });
    }
    let mut penalties = Vec::with_capacity(s.active_penalties.len());
    for p in &s.active_penalties {
        penalties.push(ActivePenalty {
            penalty: Penalty::parse(&p.penalty)
                .ok_or_else(|| StoreError::Corrupt("penalty kind".into()))?,
            starts_at: p.starts_at,
            ends_at: p.ends_at,
        });
    }
    let facts = Facts {
        now,
        orders,
        complaints,
        penalties,
    };
    Ok(Some(card::compute(s.id, &facts)))
}
