//! The two drivers are one store: the same calls, at the same instants, leave the same records
//! and the same hash chains on SQLite and on PostgreSQL — filing, actions, deadlines firing,
//! forwarding to a case and the regulator's case actions, a report — without HTTP in between.
//!
//! Every time is an argument here, so the chains' hashes (which cover each event's time and data)
//! must agree to the bit; a statement that differs between the backends shows up as a diff.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use serde_json::{Value, json};
use weiquan_domain::records::{Commitments, OrderItem, OrderRecord, ShopRecord};
use weiquan_domain::tier3::{CaseAction, NewReport};
use weiquan_domain::*;
use weiquan_store::postgres::{PgStore, ScratchDatabase};
use weiquan_store::sqlite::SqliteStore;
use weiquan_store::{NewUser, Store};

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 0).unwrap()
}

fn admin_url() -> String {
    std::env::var("WEIQUAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

const USERS: [(&str, Role); 6] = [
    ("buyer01", Role::Consumer),
    ("buyer02", Role::Consumer),
    ("seller01", Role::Merchant),
    ("agent01", Role::CsAgent),
    ("guard01", Role::Protection),
    ("regulator01", Role::Regulator),
];

fn order_no(n: u64) -> OrderNo {
    OrderNo::parse(&format!("2026110100000000{n:02}")).unwrap()
}

async fn seed(store: &dyn Store) {
    store
        .ensure_users(
            USERS
                .iter()
                .map(|(u, r)| NewUser {
                    username: Username::parse(u).unwrap(),
                    role: *r,
                    display_name: u.to_string(),
                    password_hash: None,
                })
                .collect(),
            t0(),
        )
        .await
        .unwrap();
    let shop = ShopRecord {
        id: ShopId::parse("shop-a").unwrap(),
        name: "保温杯旗舰店".into(),
        merchant: Username::parse("seller01").unwrap(),
        commitments: Commitments {
            seven_day_return: true,
            authentic_guarantee: true,
            ship_within_hours: Some(48),
        },
    };
    let out = store.import_shops(vec![shop], t0()).await.unwrap();
    assert!(out.iter().all(|r| r.is_ok()), "{out:?}");
    let paid = t0() - Duration::days(10);
    let orders = (1..=3)
        .map(|n| OrderRecord {
            order_no: order_no(n),
            buyer: Username::parse(if n == 3 { "buyer02" } else { "buyer01" }).unwrap(),
            shop_id: ShopId::parse("shop-a").unwrap(),
            items: vec![OrderItem {
                title: "304不锈钢保温杯 500ml".into(),
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
    let out = store.import_orders(orders, t0()).await.unwrap();
    assert!(out.iter().all(|r| r.is_ok()), "{out:?}");
}

async fn actor(store: &dyn Store, name: &str) -> Actor {
    store.user_by_username(name).await.unwrap().unwrap().actor()
}

/// Fires every deadline due at `now`, as the server's loop does; returns how many fired.
async fn fire(store: &dyn Store, now: Timestamp) -> usize {
    let mut fired = 0;
    for t in store.due_timers(now, 100).await.unwrap() {
        fired += store.fire_timer(&t, now).await.unwrap() as usize;
    }
    for t in store.due_subject_timers(now, 100).await.unwrap() {
        if t.kind != weiquan_store::BRUSHING_SCAN {
            fired += store.fire_subject_timer(&t, now).await.unwrap() as usize;
        }
    }
    // Then the reminders of deadlines still pending, as the loop sends them.
    for r in store.due_reminders(now, 100).await.unwrap() {
        store.send_reminder(&r, now).await.unwrap();
    }
    fired
}

fn complaint(order: u64, claim: Claim) -> NewComplaint {
    NewComplaint {
        order_no: order_no(order),
        product: "保温杯".into(),
        category: Category::QualityDefect,
        incident_at: t0() - Duration::days(3),
        description: "保温杯收到第二天就漏水，倒热水从杯底渗出，已拍照留存。".into(),
        claim,
        on_behalf_of: None,
    }
}

fn refund(fen: i64) -> Claim {
    Claim {
        kind: ClaimKind::Refund,
        amount_cents: Some(Cents::new(fen).unwrap()),
    }
}

/// One life of each kind, through the store alone; returns everything a reader can see after.
async fn scenario(store: Arc<dyn Store>) -> Value {
    let s = store.as_ref();
    seed(s).await;
    let (buyer, buyer2, seller, agent, guard, regulator) = (
        actor(s, "buyer01").await,
        actor(s, "buyer02").await,
        actor(s, "seller01").await,
        actor(s, "agent01").await,
        actor(s, "guard01").await,
        actor(s, "regulator01").await,
    );
    let at = |minutes: i64| t0() + Duration::minutes(minutes);

    // A: refused, mediated, escalated, evidence asked and not given, ruled, not carried out.
    let a = s
        .file_complaint(&buyer, complaint(1, refund(8900)), Channel::Web, at(0))
        .await
        .unwrap()
        .id;
    s.add_message(&buyer, a, "杯底有裂纹，照片已上传".into(), at(1))
        .await
        .unwrap();
    let act = |who: &Actor, action: Action, m: i64| {
        let who = who.clone();
        let store = store.clone();
        async move { store.act(&who, a, action, at(m)).await.unwrap() }
    };
    act(
        &seller,
        Action::Reject {
            message: "使用不当造成".into(),
        },
        10,
    )
    .await;
    act(&buyer, Action::Escalate { reason: None }, 20).await;
    act(
        &agent,
        Action::Propose {
            remedy: refund(4000),
            message: "建议退一半".into(),
        },
        30,
    )
    .await;
    act(&buyer, Action::Escalate { reason: None }, 40).await;
    act(
        &guard,
        Action::RequestEvidence {
            from: Party::Merchant,
            message: "请提供出厂质检报告".into(),
        },
        50,
    )
    .await;
    assert_eq!(
        fire(s, at(50) + Duration::hours(49)).await,
        1,
        "evidence_turn"
    );
    let ruled_at = 50 + 49 * 60 + 10;
    act(
        &guard,
        Action::Rule {
            decision: Decision::Uphold,
            remedy: Some(refund(8900)),
            rule_refs: vec!["淘宝规则第56条".into()],
            reason: Some("商家未能举证".into()),
            violation: Some(machine::ViolationSpec {
                kind: "quality_defect".into(),
                points: 3,
            }),
            fraud: false,
        },
        ruled_at,
    )
    .await;
    // The ruling is not carried out: the platform pays; then the appeal window closes it.
    assert_eq!(fire(s, at(ruled_at) + Duration::hours(25)).await, 1);
    assert_eq!(fire(s, at(ruled_at) + Duration::days(8)).await, 1);

    // B: the merchant stays silent on an exchange; an agent forwards it to the regulator.
    let b = s
        .file_complaint(
            &buyer,
            complaint(
                2,
                Claim {
                    kind: ClaimKind::Exchange,
                    amount_cents: None,
                },
            ),
            Channel::Api,
            at(60),
        )
        .await
        .unwrap()
        .id;
    let b_lapse = at(60) + Duration::hours(49);
    assert!(fire(s, b_lapse).await >= 1, "merchant_reply");
    let b_now = s.complaint(&buyer, b).await.unwrap();
    assert_eq!(b_now.state, State::Mediation);
    s.act(
        &agent,
        b,
        Action::Forward {
            reason: "同款多人反映漏水".into(),
        },
        b_lapse + Duration::minutes(5),
    )
    .await
    .unwrap();
    let case = s
        .cases(&regulator, None, None, 10)
        .await
        .unwrap()
        .items
        .first()
        .expect("forwarding opened a case")
        .id;
    let case_at = b_lapse + Duration::hours(1);
    s.case_act(
        &regulator,
        case,
        CaseAction::Investigate { note: None },
        case_at,
    )
    .await
    .unwrap();
    s.case_act(
        &regulator,
        case,
        CaseAction::Sanction {
            reasons: "多起质量投诉属实".into(),
            rule_refs: vec!["淘宝规则第56条".into()],
            points: Some(12),
            remedy: None,
        },
        case_at + Duration::minutes(30),
    )
    .await
    .unwrap();

    // C: a report to tier 3 by another consumer.
    let report = s
        .file_report(
            &buyer2,
            NewReport {
                shop_id: ShopId::parse("shop-a").unwrap(),
                kind: ReportKind::FakeTransactions,
                description: "该店铺大量五星好评来自同一批新注册账号，疑似刷单。".into(),
                order_no: Some(order_no(3)),
                listing: None,
                on_behalf_of: None,
            },
            Channel::Web,
            case_at + Duration::hours(2),
        )
        .await
        .unwrap();

    // Penalties run out: their deadlines lift them.
    let later = case_at + Duration::days(40);
    fire(s, later).await;

    let shop = ShopId::parse("shop-a").unwrap();
    let mut out = json!({
        "a": s.complaint(&buyer, a).await.unwrap(),
        "a_events": s.complaint_events(&buyer, a).await.unwrap(),
        "a_messages": s.messages(&buyer, a).await.unwrap(),
        "b": s.complaint(&buyer, b).await.unwrap(),
        "b_events": s.complaint_events(&buyer, b).await.unwrap(),
        "case": s.case(&regulator, case).await.unwrap(),
        "case_events": s.case_events(&regulator, case).await.unwrap(),
        "report": s.report(&regulator, report.id).await.unwrap(),
        "report_events": s.report_events(&regulator, report.id).await.unwrap(),
        "shop": s.shop(&shop, later).await.unwrap(),
        "penalties": s.penalties(&shop).await.unwrap(),
        "shop_events": s.shop_events(Some(&regulator), &shop).await.unwrap(),
    });
    // Every user's inbox: the same notifications, in the same order, on both.
    for (name, _) in USERS {
        let who = actor(s, name).await;
        let page = s.notifications(&who, false, None, 200).await.unwrap();
        out[format!("inbox_{name}")] = serde_json::to_value(&page.items).unwrap();
    }
    // Row ids of messages and notifications come from each database's own sequence; they are
    // not the record.
    let inboxes: Vec<String> = USERS.iter().map(|(n, _)| format!("inbox_{n}")).collect();
    for key in inboxes.iter().map(String::as_str).chain(["a_messages"]) {
        for m in out[key].as_array_mut().unwrap() {
            m.as_object_mut().unwrap().remove("id");
        }
    }
    assert!(s.verify().await.unwrap().is_ok(), "audit verify");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_keep_the_same_records_and_chains() {
    let dir = tempfile::tempdir().unwrap();
    let policy = Policy::default();
    let max = weiquan_store::blob::DEFAULT_MAX_BLOB;
    let sqlite: Arc<dyn Store> = Arc::new(
        SqliteStore::open_with(dir.path(), policy.clone(), max)
            .await
            .unwrap(),
    );
    let admin = admin_url();
    let db = ScratchDatabase::create(&admin, "weiquan_parity")
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is needed for this test ({admin}): {e}"));
    let pg: Arc<dyn Store> = Arc::new(
        PgStore::open_with(&db.url, &dir.path().join("pg-blobs"), policy, max)
            .await
            .unwrap(),
    );
    let (lite, post) = (scenario(sqlite).await, scenario(pg).await);
    for key in lite.as_object().unwrap().keys() {
        assert_eq!(
            serde_json::to_string_pretty(&lite[key]).unwrap(),
            serde_json::to_string_pretty(&post[key]).unwrap(),
            "{key} differs between SQLite and PostgreSQL"
        );
    }
    // The scenario did reach what it is about.
    assert_eq!(lite["a"]["state"], "closed");
    assert_eq!(lite["a"]["progress"]["fulfilled_by"], "platform");
    assert_eq!(
        lite["b"]["state"], "protection_review",
        "mediation lapsed too"
    );
    assert_eq!(lite["case"]["state"], "sanctioned");
    assert!(lite["a_events"].as_array().unwrap().len() >= 10);
    assert!(!lite["penalties"].as_array().unwrap().is_empty());
    // The inboxes hold what the scenario did: the merchant told of the filing and the
    // penalty, reminded before answering; the consumer of the ruling.
    let kinds = |who: &str| -> Vec<String> {
        lite[format!("inbox_{who}")]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    let seller = kinds("seller01");
    for k in ["complaint_filed", "penalty_applied", "case_opened"] {
        assert!(seller.contains(&k.to_owned()), "{k} in {seller:?}");
    }
    assert!(kinds("buyer01").contains(&"ruled".to_owned()));
}
