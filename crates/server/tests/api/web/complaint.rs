//! One complaint's pages for each role that acts on it.

use reqwest::StatusCode;
use serde_json::json;

use super::Browser;
use crate::both_backends;
use crate::helpers::*;

async fn case_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let agent = app.login("agent01").await;
    let id = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    app.act_ok(
        &agent,
        id,
        json!({"action": "forward", "reason": "疑似售假，移交平台监管"}),
    )
    .await;
    let regulator = app.login("regulator01").await;
    let cases: serde_json::Value = app
        .get(&regulator, "/api/v1/cases")
        .await
        .json()
        .await
        .unwrap();
    let case = cases["items"][0]["id"].as_i64().expect("a case");

    let mut r = Browser::new(&app);
    r.sign_in("regulator01").await;
    let (status, page, _) = r.get("/cases").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("href=\"/cases/{case}\"")), "{page}");
    let (status, page, _) = r.get(&format!("/cases/{case}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("href=\"/complaints/{id}\"")),
        "its member"
    );
    // Its timeline names what happened in words, never by the event's code.
    assert!(page.contains("<b>立案</b>"), "{page}");
    assert!(!page.contains("<b>opened</b>"), "{page}");
    // Not for consumers, whatever the id.
    let mut b = Browser::new(&app);
    b.sign_in("buyer01").await;
    let (status, page, _) = b.get(&format!("/cases/{case}")).await;
    // A case a consumer may not see looks like no case at all.
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!page.contains(&format!("/complaints/{id}\"")));

    // The regulator works the case on its page: asks the merchant, who answers; a sanction
    // without a rule is refused with the form kept; then sanctioned, published.
    let path = format!("/cases/{case}");
    let act = format!("{path}/act");
    let token = r.token(&path).await;
    let (status, _, loc) = r
        .post(
            &act,
            &[
                ("csrf", &token),
                ("action", "request_evidence"),
                ("message", "请提供该商品的进货凭证和品牌授权"),
            ],
        )
        .await;
    assert_eq!(
        (status, loc.as_deref()),
        (StatusCode::SEE_OTHER, Some(path.as_str()))
    );
    let mut m = Browser::new(&app);
    m.sign_in("seller01").await;
    let mtoken = m.token(&path).await;
    let (_, page, _) = m.get(&path).await;
    assert!(page.contains("case-respond"), "the merchant is asked");
    assert!(!page.contains("form-sanction"), "and cannot decide");
    let (status, _, _) = m
        .post(
            &act,
            &[
                ("csrf", &mtoken),
                ("action", "respond"),
                ("message", "已上传品牌授权书和进货发票"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, page, _) = r
        .post(
            &act,
            &[
                ("csrf", &token),
                ("action", "sanction"),
                ("reasons", "品牌方鉴定为假货，授权书系伪造"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("品牌方鉴定为假货"), "the reasons are kept");
    assert!(page.contains("id=\"error\""));
    let rule = "《淘宝平台规则总则》第二十五条（正品保障）";
    let (status, _, _) = r
        .post(
            &act,
            &[
                ("csrf", &token),
                ("action", "sanction"),
                ("reasons", "品牌方鉴定为假货，授权书系伪造"),
                ("rule_refs", rule),
                ("points", "12"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = r.get(&path).await;
    assert!(
        page.contains("<b>商家已答复</b>") && page.contains("<b>已处罚</b>"),
        "{page}"
    );
    assert!(page.contains("id=\"outcome\"") && page.contains(rule));
    // The published outcome in words, never the stored record: no JSON keys, no codes.
    assert!(page.contains("<dd>已处罚</dd>"), "{page}");
    for raw in ["\"reasons\"", "rule_refs", "\"decision\"", "<pre"] {
        assert!(!page.contains(raw), "{raw} on the case page: {page}");
    }
    assert!(
        !page.contains("form-sanction"),
        "a decided case offers no more actions"
    );
    let (_, page, _) = r.get("/dashboard").await;
    assert!(page.contains("brushing-blocks") && page.contains("collective-waves"));
}

both_backends!(case_pages,);
