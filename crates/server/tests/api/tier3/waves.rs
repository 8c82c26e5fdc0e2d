//! Collective cases: a wave of similar complaints about one shop is one case.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use weiquan_domain::*;

use super::*;
use crate::both_backends;
use crate::helpers::*;

/// Six consumers, six wordings of one problem with one shop's cups, and one unrelated complaint.
const WAVE: [&str; 6] = [
    "保温杯盖子拧紧后还是漏水，倒过来水一直往外渗，杯子根本没法装水带出门。",
    "买的保温杯漏水，杯盖密封圈有问题，放在包里把东西都弄湿了。",
    "杯子装热水后从杯盖处漏水，密封不严，拧紧也没用。",
    "保温杯密封圈太松，一倒过来就漏水，质量太差了。",
    "收到的不锈钢保温杯杯盖漏水，水从缝隙里流出来。",
    "这个杯子的盖子封不住水，刚灌满开水就渗出来，还漏了一桌子。",
];

/// Orders 11.. for the wave's consumers `wave01`…, one each.
async fn import_wave_orders(store: &dyn weiquan_store::Store, n: u64) {
    let orders = (1..=n)
        .map(|i| {
            order_record(
                10 + i,
                &format!("wave{i:02}"),
                Duration::days(6),
                Some(Duration::hours(5)),
                Some(Duration::days(3)),
            )
        })
        .collect();
    assert!(
        store
            .import_orders(orders, Utc::now())
            .await
            .unwrap()
            .iter()
            .all(|r| r.is_ok())
    );
}

/// The `i`-th (from 0) wave consumer's complaint about their order, in `text` (the category
/// and product of [`complaint_body`] unless given), as it is once its wave was looked for.
async fn file_wave_complaint(
    store: &dyn weiquan_store::Store,
    i: usize,
    text: &str,
    category: Option<&str>,
    product: Option<&str>,
) -> weiquan_domain::Complaint {
    let (actor, filed) = file_unassigned(store, i, text, category, product).await;
    // Its wave is looked for after the filing commits; as the consumer then sees it.
    assign_waves(store, Utc::now()).await;
    store.complaint(&actor, filed.id).await.unwrap()
}

/// [`file_wave_complaint`]'s filing alone: its consumer and the filing's answer.
async fn file_unassigned(
    store: &dyn weiquan_store::Store,
    i: usize,
    text: &str,
    category: Option<&str>,
    product: Option<&str>,
) -> (Actor, weiquan_domain::Complaint) {
    let user = store
        .user_by_username(&format!("wave{:02}", i + 1))
        .await
        .unwrap()
        .unwrap();
    let mut body = complaint_body(
        &format!("2026110200000000{:02}", 11 + i),
        json!({"kind": "refund", "amount_cents": 8900}),
    );
    body["description"] = json!(text);
    if let Some(category) = category {
        body["category"] = json!(category);
    }
    if let Some(product) = product {
        body["product"] = json!(product);
    }
    let req: weiquan_domain::complaint::FileComplaintRequest =
        serde_json::from_value(body).unwrap();
    let filed = store
        .file_complaint(
            &user.actor(),
            NewComplaint::parse(&req).unwrap(),
            Channel::Web,
            Utc::now(),
        )
        .await
        .unwrap();
    (user.actor(), filed)
}

async fn a_wave_of_similar_complaints_is_one_collective_case(backend: Backend) {
    let app = spawn_app(backend).await;
    let store = app.store.as_ref();
    import_wave_orders(store, 7).await;
    let mut ids = vec![];
    for (i, text) in WAVE
        .iter()
        .chain(["下单一周了商家还没有发货，催了好几次都说在安排，也不给个准信。"].iter())
        .enumerate()
    {
        let category = (i == 6).then_some("late_shipment");
        let c = file_wave_complaint(store, i, text, category, None).await;
        // Once its wave is looked for (right after the filing), the fifth opens the case, the
        // sixth joins it, and both are linked and major.
        assert_eq!(c.major, (4..6).contains(&i), "{i}");
        assert_eq!(c.collective_case_id.is_some(), (4..6).contains(&i), "{i}");
        ids.push(c.id.0);
    }
    let regulator = app.login("regulator01").await;
    let cases = json_of(
        app.get(&regulator, "/api/v1/cases?state=open").await,
        StatusCode::OK,
    )
    .await;
    let collective: Vec<&Value> = cases["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "collective")
        .collect();
    assert_eq!(collective.len(), 1, "{cases}");
    let case = collective[0];
    let members: Vec<i64> = case["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_i64().unwrap())
        .collect();
    assert_eq!(
        members,
        ids[..6].to_vec(),
        "the six, not the late-shipping one"
    );
    let agent = app.login("agent01").await;
    for id in &ids[..6] {
        let c = json_of(
            app.get(&agent, &format!("/api/v1/complaints/{id}")).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(c["major"], true);
        assert_eq!(c["collective_case_id"], case["id"]);
    }
    let c = json_of(
        app.get(&agent, &format!("/api/v1/complaints/{}", ids[6]))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["major"], false);
    let case_id = case["id"].as_i64().unwrap();
    // Its page counts the six (the fifth opened it, the sixth joined), in the page's language:
    // the stored title froze "5 位消费者" when it opened.
    assert!(case["title"].as_str().unwrap().contains("5 位消费者"));
    for (lang, title) in [
        ("zh", "集体投诉：304不锈钢保温杯 500ml（质量问题）"),
        (
            "en",
            "Collective complaint: 304不锈钢保温杯 500ml (quality defect)",
        ),
    ] {
        let page = app
            .http
            .get(app.url(&format!("/cases/{case_id}?lang={lang}")))
            .header(reqwest::header::COOKIE, format!("wq_session={regulator}"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let page = page.text().await.unwrap();
        assert!(page.contains(title), "{page}");
        assert!(page.contains("<dd id=\"member-count\">6</dd>"), "{page}");
        assert!(
            !page.contains("5 位消费者") && !page.contains("{\""),
            "{page}"
        );
    }
    let events = json_of(
        app.get(&regulator, &format!("/api/v1/cases/{case_id}/events"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "regulators_notified")
    );

    // One ruling: six remedies, one sanction.
    let c = json_of(
        app.post(&regulator, &format!("/api/v1/cases/{case_id}/actions"),
            json!({"action": "sanction", "reasons": "同批次保温杯杯盖密封圈缺陷，商家未召回", "rule_refs": ["淘宝规则 第五十二条"],
                   "remedy": {"kind": "refund", "amount_cents": 8900}}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["state"], "sanctioned");
    for id in &ids[..6] {
        let c = json_of(
            app.get(&agent, &format!("/api/v1/complaints/{id}")).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(c["state"], "resolved", "{c}");
        assert_eq!(
            c["progress"]["resolution"]["remedy"]["amount_cents"], 8900,
            "{c}"
        );
    }
    let c = json_of(
        app.get(&agent, &format!("/api/v1/complaints/{}", ids[6]))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["state"], "awaiting_merchant");
    let events = store
        .shop_events(Some(&STAFF), &ShopId::parse("shop-a").unwrap())
        .await
        .unwrap();
    let sanctions: Vec<&Value> = events
        .iter()
        .filter(|e| e.kind == "violation_recorded")
        .map(|e| &e.data)
        .collect();
    assert_eq!(sanctions.len(), 1, "{sanctions:?}");
    assert_eq!(sanctions[0]["kind"], "collective");
    assert_eq!(sanctions[0]["points"], 12);
}

/// Five consumers whose orders of different items the shop has not shipped.
const NOT_SHIPPED: [(&str, &str); 5] = [
    (
        "LED护眼台灯",
        "拍下五天了商家还没发货，说好48小时内发货，催了也不发。",
    ),
    (
        "加厚收纳箱",
        "付款五天了还没发货，页面写的48小时内发货，客服只说在安排。",
    ),
    (
        "棉麻拖鞋",
        "下单快一周商家还没有发货，承诺48小时内发货，催了两次没用。",
    ),
    (
        "长柄雨伞",
        "五天了还是待发货，说好48小时内发货的，商家一直拖着不发。",
    ),
    (
        "编织数据线",
        "48小时内发货是骗人的，拍下五天了还没发货，催发货也不理。",
    ),
];

/// One problem told by the consumers of two items (a cup lid that leaks, on the shop's two cups)
/// is one wave by its meaning (issue 18: one cause can hit several of a shop's items); the
/// shop's conduct is one issue on any item: five consumers not sent five different things make
/// one case, and not the cups' case.
async fn one_problem_on_two_items_is_one_wave_and_so_is_the_shops_conduct(backend: Backend) {
    let app = spawn_app(backend).await;
    let store = app.store.as_ref();
    import_wave_orders(store, 11).await;
    let mut cups = None;
    for (i, text) in WAVE.iter().enumerate() {
        let product = ["304不锈钢保温杯 500ml", "儿童吸管水杯 300ml"][i % 2];
        let c = file_wave_complaint(store, i, text, None, Some(product)).await;
        // The fifth consumer makes it a case; the sixth joins it.
        assert_eq!(c.collective_case_id.is_some(), i >= 4, "{i}: {text}");
        if i >= 4 {
            assert!(
                cups.is_none() || cups == c.collective_case_id,
                "{i}: one case"
            );
            cups = c.collective_case_id;
        }
    }
    for (k, (product, text)) in NOT_SHIPPED.iter().enumerate() {
        let c = file_wave_complaint(store, 6 + k, text, Some("late_shipment"), Some(product)).await;
        assert_eq!(c.collective_case_id.is_some(), k == 4, "{k}: {text}");
        if k == 4 {
            assert_ne!(
                c.collective_case_id, cups,
                "the shop's conduct is another issue"
            );
        }
    }
}

/// The node that took the filings assigns them as they commit, with no deadline loop and no
/// call from the test: the API shows the link once it is made (the test polls for it).
async fn filings_are_assigned_right_after_they_commit(backend: Backend) {
    let app = spawn_app(backend).await;
    let store = app.store.as_ref();
    import_wave_orders(store, 6).await;
    let mut ids = vec![];
    for (i, text) in WAVE.iter().enumerate() {
        let (_, c) = file_unassigned(store, i, text, None, None).await;
        assert_eq!(c.collective_case_id, None, "the answer: not yet");
        ids.push(c.id.0);
    }
    let agent = app.login("agent01").await;
    for id in &ids {
        let mut polls = 0;
        loop {
            let c = json_of(
                app.get(&agent, &format!("/api/v1/complaints/{id}")).await,
                StatusCode::OK,
            )
            .await;
            if !c["collective_case_id"].is_null() {
                assert_eq!(c["major"], true);
                break;
            }
            polls += 1;
            assert!(polls < 2000, "complaint {id} never joined its wave");
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }
    assert_eq!(store.collective_queued().await.unwrap(), 0);
}

both_backends!(
    a_wave_of_similar_complaints_is_one_collective_case,
    one_problem_on_two_items_is_one_wave_and_so_is_the_shops_conduct,
    filings_are_assigned_right_after_they_commit,
);

/// Two nodes on one PostgreSQL database take turns filing one wave: each node's window of the
/// shop catches up with the other's filings, so the wave is one case with every member.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wave_filed_through_two_nodes_is_one_case() {
    let app = spawn_app(Backend::Postgres).await;
    let db = app._db.as_ref().expect("a PostgreSQL app has its database");
    let other = weiquan_store::postgres::PgStore::open(
        &db.url,
        &app._dir.path().join("blobs"),
        Policy::default(),
    )
    .await
    .unwrap();
    let nodes: [&dyn weiquan_store::Store; 2] = [app.store.as_ref(), &other];
    import_wave_orders(app.store.as_ref(), 6).await;
    let mut ids = vec![];
    for (i, text) in WAVE.iter().enumerate() {
        // Another category for one filing on each node: those two join through their words.
        let category = (i == 1 || i == 4).then_some("not_as_described");
        let c = file_wave_complaint(nodes[i % 2], i, text, category, None).await;
        ids.push(c.id.0);
    }
    let regulator = app
        .store
        .user_by_username("regulator01")
        .await
        .unwrap()
        .unwrap()
        .actor();
    let mut cases = std::collections::BTreeSet::new();
    for id in &ids {
        let c = app
            .store
            .complaint(&regulator, ComplaintId(*id))
            .await
            .unwrap();
        assert!(c.major, "{id}");
        cases.insert(c.collective_case_id.expect("linked to the wave's case"));
    }
    assert_eq!(cases.len(), 1, "{cases:?}");
}

/// A node that files without draining (here a second store, no server): the filings answer at
/// once, unlinked, and stay queued; the other node's deadline loop assigns the whole wave in one
/// round (one transaction for the shop), with the outcome of filings assigned one by one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_filings_are_assigned_by_the_deadline_loop_in_one_round() {
    let app = spawn_app(Backend::Postgres).await;
    let db = app._db.as_ref().expect("a PostgreSQL app has its database");
    let other = weiquan_store::postgres::PgStore::open(
        &db.url,
        &app._dir.path().join("blobs"),
        Policy::default(),
    )
    .await
    .unwrap();
    import_wave_orders(app.store.as_ref(), 7).await;
    let late = "下单一周了商家还没有发货，催了好几次都说在安排，也不给个准信。";
    let mut ids = vec![];
    for (i, text) in WAVE.iter().chain([late].iter()).enumerate() {
        let category = (i == 6).then_some("late_shipment");
        let (_, c) = file_unassigned(&other, i, text, category, None).await;
        // The answer says nothing of a wave yet.
        assert_eq!((c.major, c.collective_case_id), (false, None), "{i}");
        ids.push(c.id.0);
    }
    assert_eq!(app.store.collective_queued().await.unwrap(), 7);
    assert!(app.fire().await >= 7);
    assert_eq!(app.store.collective_queued().await.unwrap(), 0);
    let regulator = app
        .store
        .user_by_username("regulator01")
        .await
        .unwrap()
        .unwrap()
        .actor();
    let mut cases = std::collections::BTreeSet::new();
    for id in &ids[..6] {
        let c = app
            .store
            .complaint(&regulator, ComplaintId(*id))
            .await
            .unwrap();
        assert!(c.major, "{id}");
        cases.insert(c.collective_case_id.expect("linked to the wave's case"));
    }
    assert_eq!(cases.len(), 1, "{cases:?}");
    let case = app
        .store
        .case(&regulator, *cases.first().unwrap())
        .await
        .unwrap();
    let members: Vec<i64> = case.members.iter().map(|m| m.0).collect();
    assert_eq!(
        members,
        ids[..6].to_vec(),
        "the six, not the late-shipping one"
    );
    let c = app
        .store
        .complaint(&regulator, ComplaintId(ids[6]))
        .await
        .unwrap();
    assert_eq!((c.major, c.collective_case_id), (false, None));
    // Nothing is left for a second round.
    assert_eq!(app.assign_waves().await, 0);
}
