//! The collective drain: complaints queued by their filings are assigned to their waves, a
//! shop's queue in one transaction (`collective::assign_shop`), several shops at once.

use futures::StreamExt;
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
                write!(s, |tx| collective::assign_shop(
                    tx, &windows, &shop, BATCH, now, &policy
                ))
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
