//! The brushing scan's data: the purchases of a window, and a block found in them made a
//! tier-3 case (or joined to the open case of one of its shops).

use serde::Serialize;
use serde_json::{Value, json};
use weiquan_domain::*;

use crate::cases;
use crate::db::{Conn, Tx};
use crate::error::Result;
use crate::events;
use crate::rows::bad;
use crate::sql::{Val, placeholders, vals};
use crate::time::{from_ms, to_ms};

/// One purchase for the brushing scan: buyer account, shop, when paid.
#[derive(Debug, Clone, PartialEq)]
pub struct Purchase {
    pub buyer: String,
    pub shop: String,
    pub paid_at: Timestamp,
}

pub(crate) async fn purchases<C: Conn>(
    o: &mut Tx<'_, C>,
    since: Timestamp,
) -> Result<Vec<Purchase>> {
    let rows = o.query(
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

/// Turns a block into a tier-3 violation case with its accounts, shops, score and orders as
/// evidence — or into the evidence of the open case that reports or forwards already opened about
/// one of its shops; `None` when the same block (same accounts and shops) already has a case
/// within the window, open or decided.
pub(crate) async fn open_brushing_case<C: Conn>(
    o: &mut Tx<'_, C>,
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
                placeholders(2, accounts.len()),
                placeholders(2 + accounts.len(), shops.len())
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
    let main = ShopId::parse(&main).map_err(bad("block shop"))?;
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
                placeholders(2, shops.len())
            ),
            &params,
        )
        .await?;
    if let Some(row) = open.first() {
        let id = row[0].int()?;
        let mut merged: Value =
            serde_json::from_str(row[1].as_str()?).unwrap_or_else(|_| json!({}));
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
        events::append(
            o,
            &Stream::Case(CaseId(id)),
            "system:brushing_scan",
            EventKind::BlockFound,
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
    cases::start_case(
        o,
        id,
        CaseKind::Violation,
        &main,
        &title,
        &details,
        "system:brushing_scan",
        now,
    )
    .await?;
    Ok(Some(id))
}
