//! Shops and tier-3 pages on the web: a merchant's own shops with the violations behind their
//! points and the appeal of a penalty; cases in the page's language; the IP notices page.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Browser, csrf};
use crate::both_backends;
use crate::helpers::*;

const RULE: &str = "《淘宝平台规则总则》第三十条（虚假交易）";

/// A brushing report about shop-a, sanctioned with `points` citing [`RULE`]: the case.
async fn sanctioned(app: &TestApp, points: u32) -> Value {
    let buyer = app.login("buyer01").await;
    let regulator = app.login("regulator01").await;
    let r = json_of(
        app.post(
            &buyer,
            "/api/v1/reports",
            json!({"shop_id": "shop-a", "kind": "fake_transactions",
                   "description": "这家店大量五星好评都来自同一批新注册账号，评价内容雷同，疑似刷单。"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let case = r["case_id"].as_i64().unwrap();
    json_of(
        app.post(
            &regulator,
            &format!("/api/v1/cases/{case}/actions"),
            json!({"action": "sanction", "reasons": "经核查存在虚假交易", "rule_refs": [RULE], "points": points}),
        )
        .await,
        StatusCode::OK,
    )
    .await
}

/// No raw JSON, Debug strings or sub-second timestamps reach a person.
fn no_internals(page: &str) {
    assert!(!page.contains("{\""), "raw JSON on the page: {page}");
    assert!(
        !page.contains("Some("),
        "a Debug string on the page: {page}"
    );
    let nanos = regex_lite(page);
    assert!(
        nanos.is_none(),
        "a machine timestamp on the page: {nanos:?}"
    );
}

/// An RFC 3339 time with fractions of a second (`…:05.123456789Z`), if the page has one.
fn regex_lite(page: &str) -> Option<String> {
    let b = page.as_bytes();
    (0..b.len().saturating_sub(12)).find_map(|i| {
        let w = &b[i..i + 12];
        let digits = |r: std::ops::Range<usize>| r.into_iter().all(|j| w[j].is_ascii_digit());
        (w[2] == b':' && w[5] == b'.' && digits(0..2) && digits(3..5) && digits(6..12))
            .then(|| String::from_utf8_lossy(w).into_owned())
    })
}

async fn merchants_see_their_shops_the_violations_and_appeal(backend: Backend) {
    let app = spawn_app(backend).await;
    let case = sanctioned(&app, 12).await;
    let case_id = case["id"].as_i64().unwrap();

    let mut m = Browser::new(&app);
    m.sign_in("seller01").await;
    let (status, page, _) = m.get("/shops").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("我的店铺") && page.contains("id=\"shop-shop-a\""));
    assert!(!page.contains("shop-b"), "only the shops the account runs");
    // The violation behind the points, by its label, with its case.
    assert!(
        page.contains("扣分明细") && page.contains("虚假交易"),
        "{page}"
    );
    assert!(page.contains(&format!("href=\"/cases/{case_id}\"")));
    assert!(page.contains("申诉这项处罚"));
    no_internals(&page);
    // In English: no stored Chinese sentence for the penalty, the labels in English.
    let (_, en, _) = m.get("/shops?lang=en").await;
    assert!(
        en.contains("My shops") && en.contains("fake transactions"),
        "{en}"
    );
    assert!(en.contains("traffic limited"), "{en}");
    assert!(!en.contains("累计扣"), "{en}");
    no_internals(&en);

    // The appeal: refused with a reason too short, kept on the form; then made, once.
    let penalty = app.get_public("/api/v1/shops/shop-a").await;
    let penalty = json_of(penalty, StatusCode::OK).await["active_penalties"][0]["id"]
        .as_i64()
        .unwrap();
    let action = format!("/shops/shop-a/penalties/{penalty}/appeal");
    let token = csrf(&page);
    let (status, page, _) = m.post(&action, &[("csrf", &token), ("reason", "冤")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("id=\"error\"") && page.contains("冤"),
        "{page}"
    );
    let (status, _, loc) = m
        .post(
            &action,
            &[
                ("csrf", &token),
                ("reason", "订单均为真实交易，已提交物流凭证。"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some(&*format!("/shops#penalty-{penalty}")));
    let (_, page, _) = m.get("/shops?lang=en").await;
    assert!(page.contains("appeal pending"), "{page}");
    assert!(!page.contains(&action), "appealed once: no second form");
    let (status, _, _) = m
        .post(
            &action,
            &[("csrf", &token), ("reason", "再次申诉，请重新核查。")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Another merchant sees the public standing only, and their own shops.
    let mut other = Browser::new(&app);
    other.sign_in("seller02").await;
    let (status, page, _) = other.get("/shops/shop-a").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("限制流量") && !page.contains("扣分明细"),
        "{page}"
    );
    assert!(!page.contains("/appeal"));
    // The shop's public record: both windows, each measure explained, the penalty in force.
    assert!(
        page.contains("店铺服务记录") && page.contains("id=\"scorecard\""),
        "{page}"
    );
    assert!(page.contains("近30天") && page.contains("近90天"));
    assert!(page.contains("订单太少，暂不评级（6 单，至少需要 100 单）"));
    assert!(page.contains("同期支付的订单数折算为每1,000单的数量"));
    let row = &page[page.find("id=\"score-active_penalties\"").unwrap()..];
    assert!(row[..row.find("</tr>").unwrap()].contains("1 项：限制流量"));
    no_internals(&page);
    let (_, en, _) = other.get("/shops/shop-a?lang=en").await;
    assert!(en.contains("<h3>The shop&#39;s record</h3>"), "{en}");
    assert!(en.contains("last 90 days") && en.contains("median time to first answer"));
    assert!(en.contains("too few orders to rate (6 orders; at least 100 needed)"));
    assert!(!en.contains("近30天") && !en.contains("暂不评级"));
    no_internals(&en);
    let (_, page, _) = other.get("/shops").await;
    assert!(page.contains("id=\"shop-shop-b\"") && !page.contains("id=\"shop-shop-a\""));
    // A regulator sees the breakdown of any shop, and the dashboard lists it as penalised.
    let mut r = Browser::new(&app);
    r.sign_in("regulator01").await;
    let (_, page, _) = r.get("/shops/shop-a").await;
    assert!(
        page.contains("扣分明细") && !page.contains("/appeal"),
        "{page}"
    );
    let (_, page, _) = r.get("/dashboard").await;
    let at = page
        .find("id=\"penalised-shops\"")
        .expect("the penalised shops");
    assert!(page[at..].contains("href=\"/shops/shop-a\""));
    // A consumer runs no shops.
    let mut b = Browser::new(&app);
    b.sign_in("buyer01").await;
    let (status, _, _) = b.get("/shops").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn case_pages_speak_the_page_language(backend: Backend) {
    let app = spawn_app(backend).await;
    let case = sanctioned(&app, 3).await;
    let id = case["id"].as_i64().unwrap();
    let mut r = Browser::new(&app);
    r.sign_in("regulator01").await;
    let (status, zh, _) = r.get(&format!("/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(zh.contains("违规线索") && zh.contains(RULE), "{zh}");
    no_internals(&zh);
    let (_, en, _) = r.get(&format!("/cases/{id}?lang=en")).await;
    assert!(en.contains("Leads of violations"), "{en}");
    assert!(
        en.contains("Platform General Rules art. 30: fake transactions"),
        "{en}"
    );
    // The stored Chinese title is not the page's.
    assert!(!en.contains("违规线索") && !en.contains(RULE), "{en}");
    no_internals(&en);
    let (_, list, _) = r.get("/cases?lang=en").await;
    assert!(list.contains("Leads of violations") && !list.contains("违规线索"));
}

async fn the_ip_notices_page_says_what_it_is(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut m = Browser::new(&app);
    m.sign_in("seller02").await;
    let (status, page, _) = m.get("/reports").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<title>侵权通知"), "{page}");
    assert!(page.contains("您的店铺没有收到侵权通知"), "{page}");
    assert!(!page.contains("没有举报") && !page.contains("<table"));
    let (_, en, _) = m.get("/reports?lang=en").await;
    assert!(en.contains("<title>IP notices") && en.contains("No IP notices"));
}

both_backends!(
    merchants_see_their_shops_the_violations_and_appeal,
    case_pages_speak_the_page_language,
    the_ip_notices_page_says_what_it_is,
);
