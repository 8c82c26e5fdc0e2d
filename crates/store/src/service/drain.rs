//! The collective drain: complaints queued by their filings are assigned to their waves, a
//! shop's queue in one transaction (`collective::assign_shop`), several shops at once.

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
    let results: Vec<Result<usize>> = futures::stream::iter(shops)
        .map(|shop| {
            let (windows, policy) = (s.windows.clone(), s.policy.clone());
            async move {
                let shop = weiquan_domain::ShopId::parse(&shop)?;
                // Signed before the transaction, so that the encoder runs beside the writer.
                let key = shop.as_str().to_owned();
                let texts = read!(s, Point, |tx| collective::queued_texts(tx, &key, BATCH))?;
                let ids: Vec<i64> = texts.iter().map(|(id, _)| *id).collect();
                let signed = tokio::task::spawn_blocking(move || {
                    let refs: Vec<&str> = texts.iter().map(|(_, t)| t.as_str()).collect();
                    let sigs = Signature::of_batch(&refs);
                    texts.iter().map(|(id, _)| *id).zip(sigs).collect::<Vec<_>>()
                })
                .await
                .map_err(|e| crate::StoreError::Corrupt(format!("signing failed: {e}")))?;
                windows.presign(signed);
                let w = windows.clone();
                let r = write!(s, |tx| collective::assign_shop(
                    tx, &w, &shop, BATCH, now, &policy
                ));
                windows.forget_presigned(&ids);
                r
            }
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let mut n = 0;
    for r in results {
        n += r?;
    }
    Ok(n)
}
