//! The store's own invariants that the API cannot reach: a collective drain that rolls back
//! leaves the shop's window (a cache of `complaint_signatures`) ahead of the table and its
//! complaints queued, and the next drain must notice and read the window anew.

use chrono::Duration;
use serde_json::json;
use weiquan_domain::complaint::FileComplaintRequest;
use weiquan_domain::records::{OrderItem, OrderRecord, ShopRecord};
use weiquan_domain::*;

use super::*;
use crate::Store;
use crate::clock::{Clock as _, SystemClock};
use crate::db::Durability;

const SHOP: &str = "shop-w";
/// Order 8 is at another shop: drained in the same round as the shop's, in its own window.
const OTHER_SHOP: &str = "shop-x";

async fn fixture() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path(), Policy::default())
        .await
        .unwrap();
    store
        .import_shops(
            [SHOP, OTHER_SHOP]
                .iter()
                .map(|s| ShopRecord {
                    id: ShopId::parse(s).unwrap(),
                    name: "水杯店".into(),
                    merchant: Username::parse(&format!("seller-{s}")).unwrap(),
                    commitments: Default::default(),
                })
                .collect(),
            SystemClock.now(),
        )
        .await
        .unwrap();
    let orders = (1..=8)
        .map(|i| OrderRecord {
            order_no: OrderNo::parse(&format!("2026110300000000{i:02}")).unwrap(),
            buyer: Username::parse(&format!("w{i:02}")).unwrap(),
            shop_id: ShopId::parse(if i == 8 { OTHER_SHOP } else { SHOP }).unwrap(),
            items: vec![OrderItem {
                title: "保温杯".into(),
                price_cents: Cents::new(8900).unwrap(),
                qty: 1,
                return_exempt: None,
            }],
            amount_cents: Cents::new(8900).unwrap(),
            paid_at: SystemClock.now() - Duration::days(5),
            shipped_at: None,
            delivered_at: None,
        })
        .collect();
    assert!(
        store
            .import_orders(orders, SystemClock.now())
            .await
            .unwrap()
            .iter()
            .all(|r| r.is_ok())
    );
    (dir, store)
}

async fn filing(store: &SqliteStore, i: usize) -> (Actor, NewComplaint) {
    let user = store
        .user_by_username(&format!("w{i:02}"))
        .await
        .unwrap()
        .unwrap();
    let req: FileComplaintRequest = serde_json::from_value(json!({
        "order_no": format!("2026110300000000{i:02}"),
        "product": "保温杯",
        // Alternating categories: half the pairs meet through their words, not their subject.
        "category": if i.is_multiple_of(2) { "quality_defect" } else { "not_as_described" },
        "incident_at": (SystemClock.now() - Duration::days(1)).to_rfc3339(),
        "description": format!("保温杯盖子漏水，密封圈不严，倒过来就往外渗水（第{i}位）"),
        "claim": {"kind": "refund", "amount_cents": 8900},
    }))
    .unwrap();
    (user.actor(), NewComplaint::parse(&req).unwrap())
}

/// Assigns every queued complaint to its wave (what a node does right after each filing).
async fn drain(store: &SqliteStore) {
    while store.assign_collective(SystemClock.now()).await.unwrap() > 0 {}
}

fn window_ids(store: &SqliteStore) -> Vec<i64> {
    store
        .windows
        .lock()
        .get(SHOP)
        .map(|w| w.iter().map(|r| r.id).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_rolled_back_drain_leaves_the_shop_window_to_be_read_anew() {
    let (_dir, store) = fixture().await;
    let mut ids = vec![];
    for i in 1..=3 {
        let (actor, new) = filing(&store, i).await;
        let c = store
            .file_complaint(&actor, new, Channel::Web, SystemClock.now())
            .await
            .unwrap();
        ids.push(c.id.0);
    }
    assert!(
        window_ids(&store).is_empty(),
        "nothing assigned before the drain"
    );
    assert_eq!(store.collective_queued().await.unwrap(), 3);
    drain(&store).await;
    assert_eq!(window_ids(&store), ids);
    assert_eq!(store.collective_queued().await.unwrap(), 0);

    // The fourth consumer's complaint is filed; its drain runs, then fails: it rolls back.
    let (actor, new) = filing(&store, 4).await;
    let fourth = store
        .file_complaint(&actor, new, Channel::Web, SystemClock.now())
        .await
        .unwrap();
    let (policy, windows) = (store.policy.clone(), store.windows.clone());
    let shop = ShopId::parse(SHOP).unwrap();
    let failed = store
        .driver()
        .write(Durability::Durable, move |tx| {
            Box::pin(async move {
                let n = crate::collective::assign_shop(
                    tx,
                    &windows,
                    &shop,
                    16,
                    i64::MAX,
                    SystemClock.now(),
                    &policy,
                )
                .await?;
                assert_eq!(n, 1);
                Err::<(), _>(StoreError::Unavailable("rolled back on purpose".into()))
            })
        })
        .await;
    assert!(failed.is_err());
    // The window holds it (seq 4); the table does not, and it is still queued.
    assert_eq!(store.windows.upto(SHOP), Some(4));
    assert_eq!(window_ids(&store).len(), 4);
    assert_eq!(store.collective_queued().await.unwrap(), 1);
    ids.push(fourth.id.0);

    let (actor, new) = filing(&store, 8).await;
    let elsewhere = store
        .file_complaint(&actor, new, Channel::Web, SystemClock.now())
        .await
        .unwrap();
    for i in 5..=7 {
        let (actor, new) = filing(&store, i).await;
        let c = store
            .file_complaint(&actor, new, Channel::Web, SystemClock.now())
            .await
            .unwrap();
        ids.push(c.id.0);
    }
    // One round: both shops, the rolled-back complaint first.
    assert_eq!(store.assign_collective(SystemClock.now()).await.unwrap(), 5);
    assert_eq!(store.collective_queued().await.unwrap(), 0);
    assert!(!window_ids(&store).contains(&elsewhere.id.0));
    // The window is the table again: every filed complaint once, seqs 1..=7 without a gap.
    assert_eq!(window_ids(&store), ids);
    let seqs: Vec<(i64, i64)> = store
        .driver()
        .read
        .with(|c| {
            let mut st = c.prepare(
                "SELECT complaint_id, seq FROM complaint_signatures WHERE shop_id = ?1 ORDER BY seq",
            )?;
            let rows = st.query_map([SHOP], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .unwrap();
    assert_eq!(
        seqs,
        ids.iter().copied().zip(1..).collect::<Vec<_>>(),
        "one row each, in order"
    );
    // All seven are one wave: one case, every one of them linked to it.
    let mut cases = std::collections::BTreeSet::new();
    for id in &ids {
        let c = store
            .driver()
            .read
            .with(|c| {
                block_on(crate::records::complaint(
                    &mut Tx::new(c),
                    ComplaintId(*id),
                    None,
                ))
            })
            .unwrap()
            .unwrap();
        assert!(c.major, "{id}");
        cases.insert(c.collective_case_id.expect("linked"));
    }
    assert_eq!(cases.len(), 1, "{cases:?}");
}

/// Relaxed requests commit without an fsync (`synchronous=NORMAL`), durable ones with it
/// (`FULL`), however they arrive mixed in one batch; each keeps its own result.
#[tokio::test]
async fn relaxed_and_durable_writes_commit_apart_in_one_batch() {
    let (_dir, store) = fixture().await;
    let sync = |c: &mut rusqlite::Connection| -> Result<i64> {
        Ok(c.query_row("PRAGMA synchronous", [], |r| r.get(0))?)
    };
    let mut calls = vec![];
    for i in 0..40u32 {
        let w = store.driver().writer.clone();
        calls.push(tokio::spawn(async move {
            if i.is_multiple_of(2) {
                (true, w.run(sync).await.unwrap())
            } else {
                (false, w.run_relaxed(sync).await.unwrap())
            }
        }));
    }
    for call in calls {
        let (durable, level) = call.await.unwrap();
        // FULL is 2, NORMAL 1.
        assert_eq!(level, if durable { 2 } else { 1 }, "durable: {durable}");
    }
    // A relaxed request that fails rolls back alone; the writer is FULL again afterwards.
    let failed = store
        .driver()
        .writer
        .run_relaxed(|c| {
            c.execute("UPDATE users SET display_name = 'x'", [])?;
            Err::<(), _>(StoreError::Unavailable("rolled back on purpose".into()))
        })
        .await;
    assert!(failed.is_err());
    assert_eq!(store.driver().writer.run(sync).await.unwrap(), 2);
    let renamed: i64 = store
        .driver()
        .read
        .with(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM users WHERE display_name = 'x'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(renamed, 0);
}

/// Signatures stored by a release with another lexicon are signed again from their complaints
/// when a window is read, so a wave filed across an upgrade is still one wave.
#[tokio::test]
async fn signatures_of_another_release_are_signed_again_in_the_window() {
    let (_dir, store) = fixture().await;
    for i in 1..=4 {
        let (actor, new) = filing(&store, i).await;
        let c = store
            .file_complaint(&actor, new, Channel::Web, SystemClock.now())
            .await
            .unwrap();
        drain(&store).await;
        let c = store.complaint(&actor, c.id).await.unwrap();
        assert_eq!(c.collective_case_id, None);
    }
    // As an earlier release left them: another version, a signature of other words, no item key.
    let stale = hex::encode(weiquan_detect::collective::Signature::of("手机屏幕有坏点").to_bytes());
    store
        .driver()
        .writer
        .run(move |c| {
            c.execute(
                "UPDATE complaint_signatures SET version = ?1, signature = ?2, item_key = NULL",
                rusqlite::params![i64::from(weiquan_detect::collective::VERSION) - 1, stale],
            )?;
            Ok(())
        })
        .await
        .unwrap();
    // A restarted node: no windows in memory.
    store.windows.lock().clear();
    let (actor, new) = filing(&store, 5).await;
    let c = store
        .file_complaint(&actor, new, Channel::Web, SystemClock.now())
        .await
        .unwrap();
    assert_eq!(c.collective_case_id, None, "the filing's answer: not yet");
    drain(&store).await;
    let c = store.complaint(&actor, c.id).await.unwrap();
    assert!(
        c.collective_case_id.is_some(),
        "the fifth consumer makes the case"
    );
    assert_eq!(window_ids(&store).len(), 5);
}

/// A transaction's remembered stream heads follow its savepoints: a rolled-back record's
/// appends are forgotten (the next append reads the stored head again), a kept one's stay —
/// unless an enclosing savepoint rolls back too.
#[test]
fn remembered_heads_follow_savepoints() {
    use crate::db::Tx;
    let dir = tempfile::tempdir().unwrap();
    let mut conn = conn::open_writer(&dir.path().join("weiquan.db")).unwrap();
    let mut tx = Tx::new(&mut conn);
    let head = |n: i64| (n, format!("hash{n}"));
    futures::executor::block_on(async {
        tx.remember_head("a", head(1));
        tx.savepoint().await.unwrap();
        tx.remember_head("a", head(2));
        tx.remember_head("b", head(1));
        tx.end_savepoint(false).await.unwrap();
        assert_eq!(tx.known_head("a"), Some(&head(1)));
        assert_eq!(tx.known_head("b"), None);

        tx.savepoint().await.unwrap();
        tx.savepoint().await.unwrap();
        tx.remember_head("a", head(3));
        tx.remember_head("c", head(1));
        tx.end_savepoint(true).await.unwrap();
        assert_eq!(
            tx.known_head("a"),
            Some(&head(3)),
            "kept by the inner savepoint"
        );
        tx.remember_head("a", head(4));
        tx.end_savepoint(false).await.unwrap();
        assert_eq!(
            tx.known_head("a"),
            Some(&head(1)),
            "undone with the outer one"
        );
        assert_eq!(tx.known_head("c"), None);
    });
}
