//! The public jury through the store on both backends: who the draw may seat (the party, a new
//! account, a buyer of the shop and a volunteer on another open panel of the shop are left out,
//! each counted on the panel's chain), a vote, the verdict as the complaint's ruling, and the
//! same answers on SQLite and PostgreSQL.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use serde_json::{Value, json};
use weiquan_domain::jury::{SendToJury, VoteRequest};
use weiquan_domain::records::{Commitments, OrderItem, OrderRecord, ShopRecord};
use weiquan_domain::*;
use weiquan_store::postgres::{PgStore, ScratchDatabase};
use weiquan_store::sqlite::SqliteStore;
use weiquan_store::{NewUser, Settings, Store, StoreError};

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 0).unwrap()
}

fn order_no(n: u64) -> OrderNo {
    OrderNo::parse(&format!("2026110100000000{n:02}")).unwrap()
}

const OLD: [&str; 5] = ["vol1", "vol2", "vol3", "vol4", "vol5"];

fn user(name: &str, role: Role) -> NewUser {
    NewUser {
        username: Username::parse(name).unwrap(),
        role,
        display_name: name.to_owned(),
        password_hash: None,
    }
}

async fn actor(s: &dyn Store, name: &str) -> Actor {
    s.user_by_username(name).await.unwrap().unwrap().actor()
}

async fn seed(s: &dyn Store) {
    // Volunteers a year old (one of them a buyer of the shop), then everyone else (and a
    // volunteer too new to sit) today.
    s.ensure_users(
        OLD.iter()
            .chain(&["buyer02"])
            .map(|n| user(n, Role::Consumer))
            .collect(),
        t0() - Duration::days(365),
    )
    .await
    .unwrap();
    let today = [
        ("buyer01", Role::Consumer),
        ("buyer02", Role::Consumer),
        ("newbie", Role::Consumer),
        ("seller01", Role::Merchant),
        ("guard01", Role::Protection),
    ];
    s.ensure_users(today.iter().map(|(n, r)| user(n, *r)).collect(), t0())
        .await
        .unwrap();
    let out = s
        .import_shops(
            vec![ShopRecord {
                id: ShopId::parse("shop-a").unwrap(),
                name: "保温杯旗舰店".into(),
                merchant: Username::parse("seller01").unwrap(),
                commitments: Commitments {
                    seven_day_return: true,
                    authentic_guarantee: true,
                    ship_within_hours: Some(48),
                },
            }],
            t0(),
        )
        .await
        .unwrap();
    assert!(out.iter().all(|r| r.is_ok()));
    let paid = t0() - Duration::days(10);
    let orders = [(1, "buyer01"), (2, "buyer01"), (3, "buyer02")]
        .iter()
        .map(|(n, b)| OrderRecord {
            order_no: order_no(*n),
            buyer: Username::parse(b).unwrap(),
            shop_id: ShopId::parse("shop-a").unwrap(),
            items: vec![OrderItem {
                title: "保温杯".into(),
                price_cents: Cents::new(8900).unwrap(),
                qty: 1,
                return_exempt: None,
            }],
            amount_cents: Cents::new(8900).unwrap(),
            paid_at: paid,
            shipped_at: Some(paid + Duration::hours(12)),
            delivered_at: Some(paid + Duration::days(2)),
        })
        .collect();
    let out = s.import_orders(orders, t0()).await.unwrap();
    assert!(out.iter().all(|r| r.is_ok()));
    for name in OLD.iter().chain(&["buyer01", "buyer02", "newbie"]) {
        let a = actor(s, name).await;
        let on = Settings {
            lang: Lang::Zh,
            email: None,
            juror: true,
        };
        s.set_settings(&a, on, t0()).await.unwrap();
    }
}

/// A complaint of buyer01's about order `n`, in protection review.
async fn in_review(s: &dyn Store, n: u64) -> ComplaintId {
    let buyer = actor(s, "buyer01").await;
    let seller = actor(s, "seller01").await;
    let new = NewComplaint {
        order_no: order_no(n),
        product: "保温杯".into(),
        category: Category::QualityDefect,
        incident_at: t0() - Duration::days(3),
        description: "杯底有裂缝，倒热水就漏。".into(),
        claim: Claim::parse("claim", "refund", Some(8900)).unwrap(),
        on_behalf_of: None,
    };
    let c = s
        .file_complaint(&buyer, new, Channel::Web, t0())
        .await
        .unwrap();
    let reject = Action::Reject {
        message: "不同意".into(),
    };
    s.act(&seller, c.id, reject, t0()).await.unwrap();
    let up = Action::Escalate { reason: None };
    let c = s.act(&buyer, c.id, up, t0()).await.unwrap();
    assert_eq!(c.state, State::ProtectionReview);
    c.id
}

/// What each backend answers, with ids and seeds left out.
async fn scenario(s: Arc<dyn Store>) -> Vec<Value> {
    let s = s.as_ref();
    seed(s).await;
    let guard = actor(s, "guard01").await;
    let mut out = vec![];
    let first = in_review(s, 1).await;
    let send = SendToJury {
        both_sides_agree: false,
        partial_remedy: None,
    };
    let panel = s
        .send_to_jury(&guard, first, send.clone(), t0())
        .await
        .unwrap();
    let events = s.jury_events(&guard, panel.id).await.unwrap();
    let drawn = &events[0].data;
    out.push(
        json!({"excluded": drawn["excluded"], "pool": drawn["pool"].as_array().unwrap().len()}),
    );
    let mut names = vec![];
    for seat in panel.seats.as_ref().unwrap() {
        names.push(seat.juror.clone().unwrap());
    }
    assert!(names.iter().all(|n| OLD.contains(&n.as_str())), "{names:?}");
    // The two volunteers left cannot fill a second panel of the same shop.
    let second = in_review(s, 2).await;
    match s.send_to_jury(&guard, second, send, t0()).await {
        Err(StoreError::Domain(e)) => out.push(json!(e.code())),
        Err(StoreError::Conflict { code, .. }) => out.push(json!(code)),
        other => panic!("a second panel of the shop: {other:?}"),
    }
    // Two uphold, one rejects: the majority rules.
    for (name, outcome) in names.iter().zip(["uphold", "reject", "uphold"]) {
        let a = actor(s, name).await;
        let vote = VoteRequest {
            outcome: Some(outcome.into()),
            reason: Some("照片显示有裂缝".into()),
        };
        s.jury_vote(&a, panel.id, vote, t0() + Duration::hours(1))
            .await
            .unwrap();
    }
    let after = s.jury(&guard, panel.id, t0()).await.unwrap();
    out.push(json!({"state": after.state, "decision": after.decision, "tally": after.tally}));
    let c = s.complaint(&guard, first).await.unwrap();
    let r = c.progress.resolution.unwrap();
    out.push(json!({"state": c.state, "decision": r.decision, "refs": r.rule_refs.len(), "jury": c.progress.jury}));
    s.verify().await.unwrap().expect("intact chains");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panel_is_drawn_and_decides_alike_on_both_backends() {
    let dir = tempfile::tempdir().unwrap();
    let policy = Policy::from_toml(
        "[jury]\npanel_size = 3\nquorum = 2\nmin_account_days = 30\n[major]\ncategories = [\"quality_defect\"]\n",
    )
    .unwrap();
    let max = weiquan_store::blob::DEFAULT_MAX_BLOB;
    let sqlite: Arc<dyn Store> = Arc::new(
        SqliteStore::open_with(dir.path(), policy.clone(), max)
            .await
            .unwrap(),
    );
    let admin = std::env::var("WEIQUAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let db = ScratchDatabase::create(&admin, "weiquan_jury")
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is needed for this test ({admin}): {e}"));
    let pg: Arc<dyn Store> = Arc::new(
        PgStore::open_with(&db.url, &dir.path().join("pg-blobs"), policy, max)
            .await
            .unwrap(),
    );
    let lite = scenario(sqlite).await;
    let post = scenario(pg).await;
    assert_eq!(lite, post, "the backends answer alike");
    assert_eq!(
        lite[0],
        json!({"excluded": {"party": 1, "too_new": 1, "ordered_from_shop": 1}, "pool": 5})
    );
    assert_eq!(lite[1], json!("not_enough_jurors"));
    assert_eq!(
        lite[2],
        json!({"state": "decided", "decision": "uphold", "tally": {"uphold": 2, "partial": 0, "reject": 1}})
    );
    assert_eq!(
        lite[3],
        json!({"state": "resolved", "decision": "uphold", "refs": 1, "jury": null})
    );
}
