//! The collective drain: complaints queued by their filings are assigned to their waves, a
//! shop's queue in one transaction (`collective::assign_shop`), several shops at once.

use std::collections::HashMap;

use futures::StreamExt;
use weiquan_detect::collective::Signature;
use weiquan_domain::Timestamp;

use super::Service;
use crate::collective;
use crate::db::{Driver, Read};
use crate::error::Result;

/// Shops taken in one round, and complaints of one shop in one transaction.
const SHOPS: u32 = 64;
const BATCH: u32 = 256;
/// Shops drained at once (each holds a connection and the shop's lock).
const PARALLEL: usize = 4;

/// One round of [`crate::Store::assign_collective`].
pub(super) async fn collective<D: Driver>(s: &Service<D>, now: Timestamp) -> Result<usize> {
    let shops = read!(s, Point, |tx| collective::queued_shops(tx, SHOPS))?;
    // Their complaints signed first, together and beside the writer: the sentence encoder's
    // last layers cost about as much for one text as for a batch.
    let wanted = shops.clone();
    let texts = read!(s, Point, |tx| collective::queued_texts(tx, &wanted, BATCH))?;
    let ids: Vec<i64> = texts.iter().map(|(id, _, _)| *id).collect();
    let mut upto: HashMap<String, i64> = HashMap::new();
    for (id, _, shop) in &texts {
        let last = upto.entry(shop.clone()).or_default();
        *last = (*last).max(*id);
    }
    let signed = tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = texts.iter().map(|(_, t, _)| t.as_str()).collect();
        let sigs = Signature::of_batch(&refs);
        texts
            .iter()
            .map(|(id, _, _)| *id)
            .zip(sigs)
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| crate::StoreError::Corrupt(format!("signing failed: {e}")))?;
    s.windows.presign(signed);
    // Each shop's drain takes what was signed for it; what was queued since waits for the next
    // round (a filing wakes it), rather than being signed one at a time on the writer.
    let results: Vec<Result<usize>> = futures::stream::iter(shops)
        .filter_map(|shop| {
            let last = upto.get(&shop).copied();
            async move { last.map(|last| (shop, last)) }
        })
        .map(|(shop, last)| {
            let (windows, policy) = (s.windows.clone(), s.policy.clone());
            async move {
                let shop = weiquan_domain::ShopId::parse(&shop)?;
                write!(s, |tx| collective::assign_shop(
                    tx, &windows, &shop, BATCH, last, now, &policy
                ))
            }
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    // Those another node's drain assigned meanwhile were not used.
    s.windows.forget_presigned(&ids);
    let mut n = 0;
    for r in results {
        n += r?;
    }
    Ok(n)
}
