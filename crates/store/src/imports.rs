//! The marketplace mirror kept up to date: shops and orders imported one record at a time, each
//! in its own savepoint so a bad one rolls back alone.

use serde_json::json;
use weiquan_domain::*;

use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::events;
use crate::model::*;
use crate::monitors;
use crate::records::{self};
use crate::time::to_ms;
use weiquan_domain::records::{OrderRecord, ShopRecord};

/// Creates the user unless the name is taken, and checks the one who has it plays `role`.
async fn ensure_role<C: Conn>(
    o: &mut Tx<'_, C>,
    field: &str,
    name: &Username,
    role: Role,
    now: Timestamp,
) -> Result<i64> {
    let u = NewUser {
        username: name.clone(),
        role,
        display_name: name.to_string(),
        password_hash: None,
    };
    records::insert_user_if_absent(o, &u, now).await?;
    let (id, has) = records::user_id_role(o, name.as_str())
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("user {name} vanished")))?;
    if has != role.as_str() {
        return Err(StoreError::Domain(DomainError::invalid(
            field,
            format!("用户 {name} 的角色是 {has}，不是{}", role.label(Lang::Zh)),
            format!("user {name} is a {has}, not a {role}"),
        )));
    }
    Ok(id)
}

/// One line of an import file.
enum Record {
    Shop(ShopRecord),
    Order(OrderRecord),
}

/// Imports records one by one, each in its own savepoint, so that a bad one rolls back alone.
async fn import_each<C: Conn>(
    o: &mut Tx<'_, C>,
    records: impl Iterator<Item = Record>,
    now: Timestamp,
) -> Result<ImportOutcome> {
    let mut out = Vec::new();
    for rec in records {
        o.savepoint().await?;
        let r = match rec {
            Record::Shop(s) => import_shop(o, s, now).await,
            Record::Order(r) => import_order(o, r, "system:import", now).await.map(|_| ()),
        };
        // A held insert that fails fails its record alone.
        let r = match r {
            Ok(()) => o.flush().await,
            e => e,
        };
        o.end_savepoint(r.is_ok()).await?;
        out.push(r);
    }
    Ok(out)
}

pub(crate) async fn import_shops<C: Conn>(
    o: &mut Tx<'_, C>,
    shops: Vec<ShopRecord>,
    now: Timestamp,
) -> Result<ImportOutcome> {
    import_each(o, shops.into_iter().map(Record::Shop), now).await
}

async fn import_shop<C: Conn>(o: &mut Tx<'_, C>, rec: ShopRecord, now: Timestamp) -> Result<()> {
    rec.validate()?;
    let merchant_id = ensure_role(o, "merchant", &rec.merchant, Role::Merchant, now).await?;
    let commitments = serde_json::to_string(&rec.commitments).expect("commitments serialize");
    let kind = match records::shop_state(o, &rec.id).await? {
        None => {
            records::insert_shop(o, &rec.id, &rec.name, merchant_id, &rec.commitments, now).await?;
            EventKind::ShopCreated
        }
        Some(s) if s.merchant_id != merchant_id => {
            return Err(DomainError::invalid(
                "merchant",
                "店铺已属于另一位商家，导入不能转让店铺",
                "the shop belongs to another merchant; an import cannot transfer it",
            )
            .into());
        }
        Some(s) if s.name == rec.name && s.commitments == commitments => return Ok(()),
        Some(_) => {
            records::update_shop(o, &rec.id, &rec.name, &rec.commitments, now).await?;
            EventKind::ShopUpdated
        }
    };
    let data = json!({"name": rec.name, "merchant": rec.merchant, "commitments": rec.commitments});
    events::append(
        o,
        &Stream::Shop(rec.id.clone()),
        "system:import",
        kind,
        &data,
        now,
    )
    .await
}

pub(crate) async fn import_orders<C: Conn>(
    o: &mut Tx<'_, C>,
    orders: Vec<OrderRecord>,
    now: Timestamp,
) -> Result<ImportOutcome> {
    import_each(o, orders.into_iter().map(Record::Order), now).await
}

/// What an order record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Landed {
    Created,
    Updated,
    Unchanged,
}

/// One order record, imported or pushed by the marketplace (`by` names who on its event): the
/// one place that decides what an order record may be and what it changes.
pub(crate) async fn import_order<C: Conn>(
    o: &mut Tx<'_, C>,
    rec: OrderRecord,
    by: &str,
    now: Timestamp,
) -> Result<Landed> {
    rec.validate()?;
    if records::shop_state(o, &rec.shop_id).await?.is_none() {
        return Err(DomainError::invalid(
            "shop_id",
            "店铺不存在，请先导入店铺",
            "no such shop; import the shops first",
        )
        .into());
    }
    let buyer_id = ensure_role(o, "buyer", &rec.buyer, Role::Consumer, now).await?;
    let shipped = rec.shipped_at.map(to_ms);
    let delivered = rec.delivered_at.map(to_ms);
    let kind = match records::order_state(o, &rec.order_no).await? {
        None => {
            records::insert_order(o, &rec, buyer_id).await?;
            let shop = records::shop_state(o, &rec.shop_id)
                .await?
                .expect("checked above");
            let commitments = shop.commitments()?;
            monitors::set_ship_by(o, &rec.order_no, rec.paid_at, &commitments).await?;
            EventKind::OrderImported
        }
        Some(s) if s.buyer_id != buyer_id || s.shop_id != rec.shop_id.as_str() => {
            return Err(DomainError::invalid(
                "order_no",
                "订单号已存在，且买家或店铺不同",
                "this order number exists with another buyer or shop",
            )
            .into());
        }
        Some(s) if s.shipped_at == shipped && s.delivered_at == delivered => {
            return Ok(Landed::Unchanged);
        }
        Some(_) => {
            // The marketplace reports shipping and delivery as they happen.
            records::update_order_shipping(o, &rec.order_no, shipped, delivered).await?;
            EventKind::OrderUpdated
        }
    };
    let data = json!({"buyer": rec.buyer, "shop_id": rec.shop_id, "amount_cents": rec.amount_cents,
        "paid_at": rec.paid_at, "shipped_at": rec.shipped_at, "delivered_at": rec.delivered_at, "items": rec.items});
    events::append(
        o,
        &Stream::Order(rec.order_no.clone()),
        by,
        kind,
        &data,
        now,
    )
    .await?;
    Ok(if kind == EventKind::OrderImported {
        Landed::Created
    } else {
        Landed::Updated
    })
}
