//! The scheduled brushing scan (issue: 刷单/炒信 found from order data): read the purchases of the
//! policy's window from the store, run FRAUDAR and the time-aware detector on them, and turn
//! each block over the policy's thresholds into a tier-3 violation case. One node runs each
//! scan: the run is a subject deadline claimed like any other.

use weiquan_detect::{DetectOptions, Detection, Purchase, detect_purchases};
use weiquan_domain::*;
use weiquan_store::{BrushingBlock, StoreError};

use crate::AppState;

/// What one scan did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanReport {
    pub purchases: usize,
    pub blocks: usize,
    pub cases: Vec<CaseId>,
}

/// Runs one scan now.
pub async fn scan(state: &AppState, now: Timestamp) -> Result<ScanReport, StoreError> {
    let p = state.store.policy().brushing.clone();
    let since = now - chrono::Duration::from_std(p.window).expect("policy bounds the window");
    let purchases = state.store.purchases(since).await?;
    let blocks = p.blocks as usize;
    let (purchases, found) = tokio::task::spawn_blocking(move || {
        // Each purchase weighs 1, so a pair's repeat purchases add up.
        let edges: Vec<Purchase<'_>> = purchases
            .iter()
            .map(|b| Purchase {
                buyer: &b.buyer,
                shop: &b.shop,
                weight: Some(1.0),
                at: Some(b.paid_at.timestamp()),
            })
            .collect();
        let run = |time| {
            detect_purchases(
                &edges,
                DetectOptions {
                    blocks,
                    time,
                    threads: 2,
                },
            )
        };
        let named = |d: Result<Detection, _>, detector: &str| -> Vec<BrushingBlock> {
            d.map(|d| d.blocks)
                .unwrap_or_default()
                .into_iter()
                .map(|b| BrushingBlock {
                    detector: detector.to_owned(),
                    accounts: b.users,
                    shops: b.shops,
                    days: b.days,
                    score: b.score,
                    fill: 0.0,
                    lift: 0.0,
                })
                .collect()
        };
        let mut all = named(run(false), "fraudar");
        all.extend(named(run(true), "time"));
        (purchases, all)
    })
    .await
    .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    // How dense each block is against the whole graph: the share of its account × shop pairs
    // that bought, over the same share in the window. Dense-subgraph detectors always return
    // their K densest blocks; on honest data those are barely denser than the background.
    let pairs: std::collections::HashSet<(&str, &str)> = purchases
        .iter()
        .map(|b| (b.buyer.as_str(), b.shop.as_str()))
        .collect();
    let buyers = purchases
        .iter()
        .map(|b| b.buyer.as_str())
        .collect::<std::collections::HashSet<_>>()
        .len();
    let shops = purchases
        .iter()
        .map(|b| b.shop.as_str())
        .collect::<std::collections::HashSet<_>>()
        .len();
    let global_fill = pairs.len() as f64 / ((buyers * shops).max(1)) as f64;
    let mut report = ScanReport {
        purchases: purchases.len(),
        blocks: found.len(),
        cases: vec![],
    };
    for mut block in found {
        let inside = block
            .accounts
            .iter()
            .flat_map(|a| block.shops.iter().map(move |s| (a.as_str(), s.as_str())))
            .filter(|pair| pairs.contains(pair))
            .count();
        block.fill = inside as f64 / ((block.accounts.len() * block.shops.len()).max(1)) as f64;
        block.lift = block.fill / global_fill.max(f64::MIN_POSITIVE);
        tracing::info!(detector = %block.detector, accounts = block.accounts.len(), shops = block.shops.len(),
            score = block.score, fill = block.fill, lift = block.lift, "brushing block");
        if block.fill < p.min_fill
            || block.lift < p.min_lift
            || block.accounts.len() < p.min_accounts as usize
        {
            continue;
        }
        if let Some(id) = state.store.open_brushing_case(&block, since, now).await? {
            tracing::info!(case = %id, accounts = block.accounts.len(), shops = block.shops.len(),
                score = block.score, detector = %block.detector, "brushing block opened a case");
            report.cases.push(id);
        }
    }
    Ok(report)
}
