//! The commitment monitors: the shipping promise recorded per order and swept when it passes
//! (late shipment), and the checks run in a complaint action's transaction (a refused eligible
//! 7-day return, a counterfeit ruling under 正品保障).

use weiquan_domain::records::{Commitments, OrderItem};
use weiquan_domain::tier3::{self as rules};
use weiquan_domain::*;

use crate::db::{Conn, Tx};
use crate::error::Result;
use crate::ledger::{ViolationInsert, record_violation};
use crate::records::{self};
use crate::rows::bad;
use crate::sql::vals;
use crate::time::{from_ms, to_ms};

/// Records the shipping promise in force when an order is imported.
pub(crate) async fn set_ship_by<C: Conn>(
    o: &mut Tx<'_, C>,
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
pub(crate) async fn sweep_late_shipments<C: Conn>(
    o: &mut Tx<'_, C>,
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
        let order_no = OrderNo::parse(r[0].as_str()?).map_err(bad("order"))?;
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
        let shop = ShopId::parse(r[1].as_str()?).map_err(bad("order shop"))?;
        let ship_by = from_ms(r[2].int()?)?;
        let shipped = r[3].opt_int()?.map(from_ms).transpose()?;
        let amount = Cents::new(r[4].int()?).map_err(bad("order amount"))?;
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
pub(crate) async fn after_action<C: Conn>(
    o: &mut Tx<'_, C>,
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
    let Some(shop) = records::shop_state(o, &c.shop_id).await? else {
        return Ok(());
    };
    let commitments = shop.commitments()?;
    let Some((order, _)) = records::order(o, &c.order_no).await? else {
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
