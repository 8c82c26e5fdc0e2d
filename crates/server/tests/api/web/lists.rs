//! The lists' search and filters: a GET form whose values stay in the URL and in the next
//! page's link; the merchant's queue names each complaint's shop and marks the unanswered.

use reqwest::StatusCode;
use serde_json::json;

use super::Browser;
use crate::both_backends;
use crate::helpers::*;

async fn queue_filters(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let a1 = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    let a2 = app
        .file_ok(
            &buyer,
            "A2",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    // The merchant answers one: it is no longer new.
    app.act_ok(&seller, a2, json!({"action": "accept"})).await;

    let mut m = Browser::new(&app);
    m.sign_in("seller01").await;
    let (status, page, _) = m.get("/complaints").await;
    assert_eq!(status, StatusCode::OK);
    // A shop column with the shop's name, and "new" on the unanswered one only.
    assert!(page.contains("shop-a 旗舰店"), "{page}");
    let row = |id: i64| {
        let at = page.find(&format!("data-id=\"{id}\"")).unwrap();
        page[at..].split("</td>").next().unwrap().to_owned()
    };
    assert!(row(a1).contains("new-complaint"), "{}", row(a1));
    assert!(!row(a2).contains("new-complaint"), "{}", row(a2));
    // The filter form is a GET form whose values come back in it.
    assert!(page.contains("id=\"queue-filters\""));
    let order_a2 = order("A2");
    let (_, page, _) = m
        .get(&format!("/complaints?tier=all&q={}", &order_a2[10..]))
        .await;
    assert!(page.contains(&format!("data-id=\"{a2}\"")), "{page}");
    assert!(!page.contains(&format!("data-id=\"{a1}\"")), "{page}");
    assert!(
        page.contains(&format!("value=\"{}\"", &order_a2[10..])),
        "{page}"
    );
    let (_, page, _) = m.get("/complaints?tier=all&state=awaiting_merchant").await;
    assert!(
        page.contains(&format!("data-id=\"{a1}\"")) && !page.contains(&format!("data-id=\"{a2}\""))
    );
    let (_, page, _) = m.get("/complaints?tier=all&shop=shop-b").await;
    assert!(!page.contains("complaint-link"), "{page}");
    let (_, page, _) = m.get("/complaints?tier=all&category=counterfeit").await;
    assert!(!page.contains("complaint-link"), "{page}");
    // Dates in China time: filed today is in today's range, not in yesterday's.
    let today = app
        .now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive();
    let (_, page, _) = m
        .get(&format!("/complaints?tier=all&from={today}&to={today}"))
        .await;
    assert!(page.contains(&format!("data-id=\"{a1}\"")), "{page}");
    let yesterday = today.pred_opt().unwrap();
    let (_, page, _) = m.get(&format!("/complaints?tier=all&to={yesterday}")).await;
    assert!(!page.contains("complaint-link"), "{page}");
    // A bad filter is a field error, not an empty list.
    let (status, _, _) = m.get("/complaints?tier=all&from=yesterday").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = m.get("/complaints?tier=all&category=nonsense").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Staff: the major tab filters in the store, and a search narrows it further.
    let mut g = Browser::new(&app);
    g.sign_in("guard01").await;
    let (_, page, _) = g.get("/complaints?tier=all&major=1").await;
    assert!(!page.contains("complaint-link"), "nothing major: {page}");
    let (_, page, _) = g.get("/complaints?tier=all&q=%E4%BF%9D%E6%B8%A9").await;
    assert!(page.contains(&format!("data-id=\"{a1}\"")), "{page}");
    assert!(
        !page.contains("new-complaint"),
        "the marker is the merchant's"
    );
}

both_backends!(queue_filters,);

/// The consumer's orders searched by number, item or shop; the regulator's cases by kind,
/// state, shop and title — each in the URL, each in one statement of the store.
async fn orders_and_cases_filters(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut c = Browser::new(&app);
    c.sign_in("buyer01").await;
    let (_, page, _) = c.get("/orders?q=shop-b").await;
    assert!(page.contains(&order("B1")), "{page}");
    assert!(!page.contains(&order("A1")), "{page}");
    assert!(
        page.contains("value=\"shop-b\""),
        "the search stays in its box"
    );
    let a3 = order("A3");
    let (_, page, _) = c.get(&format!("/orders?q={}", &a3[12..])).await;
    assert!(page.contains(&a3) && !page.contains(&order("A1")), "{page}");
    let (_, page, _) = c.get("/orders?q=%E4%BF%9D%E6%B8%A9%E6%9D%AF").await;
    assert!(
        page.contains(&order("A1")) && page.contains(&order("B1")),
        "by item"
    );
    let (_, page, _) = c.get("/orders?q=nothing-like-this").await;
    assert!(page.contains("没有符合条件的订单"), "{page}");

    // Two reports open two cases, one per shop.
    let t = c.token("/reports/new").await;
    for shop in ["shop-a", "shop-b"] {
        let (status, page, _) = c
            .post(
                "/reports/new",
                &[
                    ("csrf", &t),
                    ("shop_id", shop),
                    ("report_kind", "fake_transactions"),
                    (
                        "description",
                        "该店铺大量同一批账号下单好评，疑似刷单炒信，请平台核查。",
                    ),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    }
    let mut r = Browser::new(&app);
    r.sign_in("regulator01").await;
    let (_, page, _) = r.get("/cases").await;
    assert_eq!(page.matches("href=\"/cases/").count(), 2, "{page}");
    assert!(page.contains("id=\"case-filters\""));
    let (_, page, _) = r.get("/cases?shop=shop-b").await;
    assert_eq!(page.matches("href=\"/cases/").count(), 1, "{page}");
    assert!(page.contains("href=\"/shops/shop-b\"") && !page.contains("href=\"/shops/shop-a\""));
    let (_, page, _) = r.get("/cases?kind=ip").await;
    assert_eq!(page.matches("href=\"/cases/").count(), 0, "{page}");
    let (_, page, _) = r.get("/cases?state=open&q=shop-a").await;
    assert_eq!(page.matches("href=\"/cases/").count(), 1, "{page}");
    let (status, _, _) = r.get("/cases?state=nonsense").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

both_backends!(orders_and_cases_filters,);
