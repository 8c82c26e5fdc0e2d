//! The lists' searches and filters run in SQL, one statement each, with the same answers on
//! SQLite and PostgreSQL; a disabled account is nobody to every way in.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use weiquan_domain::records::{Commitments, OrderItem, OrderRecord, ShopRecord};
use weiquan_domain::*;
use weiquan_store::postgres::{PgStore, ScratchDatabase};
use weiquan_store::sqlite::SqliteStore;
use weiquan_store::{
    ComplaintFilter, NewApiKey, NewServiceAccount, NewUser, RoleFilter, Store, UserQuery,
};

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 0).unwrap()
}

fn order_no(n: u64) -> OrderNo {
    OrderNo::parse(&format!("2026110100000000{n:02}")).unwrap()
}

async fn seed(s: &dyn Store) {
    let users = [
        ("buyer01", Role::Consumer, "张三"),
        ("buyer_x", Role::Consumer, "李四"),
        ("seller01", Role::Merchant, "卖家一"),
        ("seller02", Role::Merchant, "卖家二"),
        ("agent01", Role::CsAgent, "Agent Wang"),
        ("guard01", Role::Protection, "Guard Li"),
        ("guard02", Role::Protection, "Guard Zhao"),
        ("admin", Role::Admin, "Admin"),
    ];
    s.ensure_users(
        users
            .iter()
            .map(|(u, r, d)| NewUser {
                username: Username::parse(u).unwrap(),
                role: *r,
                display_name: d.to_string(),
                password_hash: Some("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA".into()),
            })
            .collect(),
        t0(),
    )
    .await
    .unwrap();
    let shop = |id: &str, name: &str, m: &str| ShopRecord {
        id: ShopId::parse(id).unwrap(),
        name: name.into(),
        merchant: Username::parse(m).unwrap(),
        commitments: Commitments {
            seven_day_return: true,
            authentic_guarantee: true,
            ship_within_hours: Some(48),
        },
    };
    let out = s
        .import_shops(
            vec![
                shop("shop-a", "保温杯旗舰店", "seller01"),
                shop("shop-c", "茶具小店", "seller01"),
                shop("shop-b", "别家店", "seller02"),
            ],
            t0(),
        )
        .await
        .unwrap();
    assert!(out.iter().all(|r| r.is_ok()));
    let paid = t0() - Duration::days(10);
    let shops = ["shop-a", "shop-a", "shop-c", "shop-b"];
    let orders = (1..=4)
        .map(|n| OrderRecord {
            order_no: order_no(n),
            buyer: Username::parse("buyer01").unwrap(),
            shop_id: ShopId::parse(shops[n as usize - 1]).unwrap(),
            items: vec![OrderItem {
                title: "商品".into(),
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
    assert!(out.iter().all(|r| r.is_ok()), "{out:?}");
}

async fn actor(s: &dyn Store, name: &str) -> Actor {
    s.user_by_username(name).await.unwrap().unwrap().actor()
}

/// Every list's answers, as names, for comparing the backends.
async fn scenario(store: Arc<dyn Store>) -> Vec<(String, Vec<String>)> {
    let s = store.as_ref();
    seed(s).await;
    let (buyer, seller, admin) = (
        actor(s, "buyer01").await,
        actor(s, "seller01").await,
        actor(s, "admin").await,
    );
    // Four complaints a day apart: a cup, a cup (counterfeit, major), a teapot, another shop's.
    let filings = [
        (1, "保温杯", Category::QualityDefect),
        (2, "保温杯 Pro", Category::Counterfeit),
        (3, "紫砂Teapot", Category::NotAsDescribed),
        (4, "100%_纯棉", Category::QualityDefect),
    ];
    for (i, (n, product, category)) in filings.into_iter().enumerate() {
        s.file_complaint(
            &buyer,
            NewComplaint {
                order_no: order_no(n),
                product: product.into(),
                category,
                incident_at: t0() - Duration::days(3),
                description: "收到后发现问题，已拍照留存，请商家处理。".into(),
                claim: Claim {
                    kind: ClaimKind::Refund,
                    amount_cents: Some(Cents::new(8900).unwrap()),
                },
                on_behalf_of: None,
            },
            Channel::Web,
            t0() + Duration::days(i as i64),
        )
        .await
        .unwrap();
    }
    let mut out = vec![];
    let complaints = |name: &str, who: &Actor, f: ComplaintFilter| {
        let (name, who, store) = (name.to_owned(), who.clone(), store.clone());
        async move {
            let page = store
                .complaints(&who, ComplaintFilter { limit: 50, ..f })
                .await
                .unwrap();
            let names = page.items.iter().map(|k| k.product.clone()).collect();
            (name, names)
        }
    };
    out.push(complaints("all", &buyer, ComplaintFilter::default()).await);
    out.push(
        complaints(
            "search product, any case",
            &buyer,
            ComplaintFilter {
                search: Some("teapot".into()),
                ..Default::default()
            },
        )
        .await,
    );
    out.push(
        complaints(
            "search order number",
            &buyer,
            ComplaintFilter {
                search: Some("000002".into()),
                ..Default::default()
            },
        )
        .await,
    );
    out.push(
        complaints(
            "search literal percent",
            &buyer,
            ComplaintFilter {
                search: Some("%_".into()),
                ..Default::default()
            },
        )
        .await,
    );
    out.push(
        complaints(
            "category",
            &buyer,
            ComplaintFilter {
                category: Some(Category::QualityDefect),
                ..Default::default()
            },
        )
        .await,
    );
    out.push(
        complaints(
            "major open",
            &buyer,
            ComplaintFilter {
                major_open: true,
                ..Default::default()
            },
        )
        .await,
    );
    out.push(
        complaints(
            "filed on day two and three",
            &buyer,
            ComplaintFilter {
                filed_from: Some(t0() + Duration::days(1)),
                filed_before: Some(t0() + Duration::days(2) + Duration::hours(1)),
                ..Default::default()
            },
        )
        .await,
    );
    out.push(
        complaints(
            "merchant's own, one shop",
            &seller,
            ComplaintFilter {
                shop_id: Some(ShopId::parse("shop-c").unwrap()),
                ..Default::default()
            },
        )
        .await,
    );
    out.push(complaints("merchant's own", &seller, ComplaintFilter::default()).await);

    let users = |name: &str, q: UserQuery| {
        let (name, admin, store) = (name.to_owned(), admin.clone(), store.clone());
        async move {
            let page = store.users(&admin, q).await.unwrap();
            let names = page
                .items
                .iter()
                .map(|a| a.user.username.to_string())
                .chain(page.next_cursor.map(|c| format!("next:{}", !c.is_empty())))
                .collect();
            (name, names)
        }
    };
    let q = |search: Option<&str>, role: Option<RoleFilter>, limit: u32| UserQuery {
        search: search.map(str::to_owned),
        role,
        after: None,
        limit,
    };
    out.push(users("all users", q(None, None, 50)).await);
    out.push(users("staff", q(None, Some(RoleFilter::Staff), 50)).await);
    out.push(
        users(
            "one role",
            q(None, Some(RoleFilter::Role(Role::Protection)), 50),
        )
        .await,
    );
    out.push(users("display name, any case", q(Some("GUARD z"), None, 50)).await);
    out.push(users("chinese display name", q(Some("卖家"), None, 50)).await);
    out.push(users("underscore is a letter", q(Some("r_"), None, 50)).await);
    out.push(
        users(
            "a page of one",
            q(Some("guard"), Some(RoleFilter::Staff), 1),
        )
        .await,
    );
    out
}

async fn disabling(s: &dyn Store) {
    let admin = actor(s, "admin").await;
    let agent = actor(s, "agent01").await;
    s.create_session(agent.id, "tok", t0(), t0() + Duration::days(1))
        .await
        .unwrap();
    let svc = s
        .create_service_account(
            &admin,
            NewServiceAccount {
                username: Username::parse("shop-system").unwrap(),
                display_name: "订单系统".into(),
                scopes: vec![Scope::OrdersWrite],
            },
            NewApiKey {
                hash: "keyhash".into(),
                prefix: "wq_1".into(),
            },
            t0(),
        )
        .await
        .unwrap();
    assert!(s.session_user("tok", t0()).await.unwrap().is_some());
    assert!(s.api_key_holder("keyhash", t0()).await.unwrap().is_some());
    s.set_disabled(&admin, agent.id, true, t0()).await.unwrap();
    s.set_disabled(&admin, svc.id, true, t0()).await.unwrap();
    // The session is gone, the key dead, the password refused (no hash to check against).
    assert!(s.session_user("tok", t0()).await.unwrap().is_none());
    assert!(s.api_key_holder("keyhash", t0()).await.unwrap().is_none());
    let (_, hash) = s.user_for_login("agent01").await.unwrap().unwrap();
    assert!(hash.is_none());
    let listed = s
        .users(
            &admin,
            UserQuery {
                search: Some("agent01".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(listed.items[0].disabled_at, Some(t0()));
    // Enabled again, the key works again (it was never revoked); the session stays ended.
    s.set_disabled(&admin, svc.id, false, t0()).await.unwrap();
    s.set_disabled(&admin, agent.id, false, t0()).await.unwrap();
    assert!(s.api_key_holder("keyhash", t0()).await.unwrap().is_some());
    assert!(s.session_user("tok", t0()).await.unwrap().is_none());
    assert!(
        s.user_for_login("agent01")
            .await
            .unwrap()
            .unwrap()
            .1
            .is_some()
    );
    // A reset sets the new hash and ends sessions.
    s.create_session(agent.id, "tok2", t0(), t0() + Duration::days(1))
        .await
        .unwrap();
    s.reset_password(&admin, agent.id, "new-hash".into(), t0())
        .await
        .unwrap();
    assert!(s.session_user("tok2", t0()).await.unwrap().is_none());
    assert_eq!(
        s.user_for_login("agent01")
            .await
            .unwrap()
            .unwrap()
            .1
            .as_deref(),
        Some("new-hash")
    );
    // Service accounts have no password; an admin never disables themselves; only admins act.
    assert!(
        s.reset_password(&admin, svc.id, "x".into(), t0())
            .await
            .is_err()
    );
    assert!(s.set_disabled(&admin, admin.id, true, t0()).await.is_err());
    assert!(s.set_disabled(&agent, admin.id, true, t0()).await.is_err());
    // Each change is on the account's chain, which verifies.
    s.verify().await.unwrap().expect("intact chains");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_filter_in_sql_alike_on_both_backends() {
    let dir = tempfile::tempdir().unwrap();
    let policy = Policy::default();
    let max = weiquan_store::blob::DEFAULT_MAX_BLOB;
    let sqlite: Arc<dyn Store> = Arc::new(
        SqliteStore::open_with(dir.path(), policy.clone(), max)
            .await
            .unwrap(),
    );
    let admin = std::env::var("WEIQUAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let db = ScratchDatabase::create(&admin, "weiquan_lists")
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is needed for this test ({admin}): {e}"));
    let pg: Arc<dyn Store> = Arc::new(
        PgStore::open_with(&db.url, &dir.path().join("pg-blobs"), policy, max)
            .await
            .unwrap(),
    );
    let lite = scenario(sqlite.clone()).await;
    let post = scenario(pg.clone()).await;
    assert_eq!(lite, post, "the backends answer alike");
    let get = |name: &str| -> Vec<&str> {
        lite.iter()
            .find(|(n, _)| n == name)
            .unwrap()
            .1
            .iter()
            .map(String::as_str)
            .collect()
    };
    assert_eq!(
        get("all"),
        ["100%_纯棉", "紫砂Teapot", "保温杯 Pro", "保温杯"]
    );
    assert_eq!(get("search product, any case"), ["紫砂Teapot"]);
    assert_eq!(get("search order number"), ["保温杯 Pro"]);
    assert_eq!(get("search literal percent"), ["100%_纯棉"]);
    assert_eq!(get("category"), ["100%_纯棉", "保温杯"]);
    assert_eq!(get("major open"), ["保温杯 Pro"]);
    assert_eq!(
        get("filed on day two and three"),
        ["紫砂Teapot", "保温杯 Pro"]
    );
    assert_eq!(get("merchant's own, one shop"), ["紫砂Teapot"]);
    assert_eq!(
        get("merchant's own"),
        ["紫砂Teapot", "保温杯 Pro", "保温杯"]
    );
    assert_eq!(
        get("staff"),
        ["agent01", "guard01", "guard02", "admin"],
        "no consumers, merchants"
    );
    assert_eq!(get("one role"), ["guard01", "guard02"]);
    assert_eq!(get("display name, any case"), ["guard02"]);
    assert_eq!(get("chinese display name"), ["seller01", "seller02"]);
    assert_eq!(get("underscore is a letter"), ["buyer_x"]);
    assert_eq!(get("a page of one"), ["guard01", "next:true"]);
    assert_eq!(get("all users").len(), 8);
    disabling(sqlite.as_ref()).await;
    disabling(pg.as_ref()).await;
}
