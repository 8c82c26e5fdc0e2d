//! Reports on the web: an IP notice, the counter-notice and the answer.

use reqwest::StatusCode;
use reqwest::header::COOKIE;

use super::{Browser, csrf};
use crate::both_backends;
use crate::helpers::*;

/// Reports on the web: a rights holder's IP notice with its proof, the merchant's counter-notice,
/// the rights holder's answer; each page only for who may see the report.
async fn report_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut h = Browser::new(&app);
    h.sign_in("buyer02").await;
    let (status, page, _) = h.get("/reports").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("href=\"/reports/new\""));
    // From an order, the form names its shop and the order.
    let (_, page, _) = h.get("/orders").await;
    let a6 = order("A6");
    let link = format!("/reports/new?shop=shop-a&amp;order={a6}");
    assert!(page.contains(&link), "{page}");
    let (status, page, _) = h.get(&link.replace("&amp;", "&")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("value=\"shop-a\"") && page.contains(&format!("value=\"{a6}\"")));
    let token = csrf(&page);
    let description = "该商品使用了我方注册商标“青山”图案，未经授权销售。";
    // An IP notice without the listing is refused on the form, which keeps what was typed.
    let (status, page, _) = h
        .post(
            "/reports/new",
            &[
                ("csrf", &token),
                ("shop_id", "shop-a"),
                ("report_kind", "ip_infringement"),
                ("description", description),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("id=\"error\"") && page.contains("侵权商品"),
        "{page}"
    );
    assert!(page.contains(description));
    let (status, _, loc) = h
        .post(
            "/reports/new",
            &[
                ("csrf", &token),
                ("shop_id", "shop-a"),
                ("report_kind", "ip_infringement"),
                ("listing", "青山牌保温杯 500ml"),
                ("order_no", &a6),
                ("description", description),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let path = loc.unwrap();
    assert!(path.starts_with("/reports/"), "{path}");
    let id = path["/reports/".len()..].to_owned();

    // The proof, uploaded from the page; the CSRF token comes first, as the page sends it.
    let form = reqwest::multipart::Form::new()
        .text("csrf", token.clone())
        .text("kind", "photo")
        .part(
            "file",
            reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("trademark.png"),
        );
    let r = h
        .http
        .post(format!("{}{path}/evidence", h.base))
        .header(COOKIE, h.cookie_header())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page, _) = h.get(&path).await;
    assert!(page.contains(&a6), "the rights holder sees their order");
    let sha = weiquan_domain::Sha256::of(PNG);
    assert!(page.contains(&format!("{path}/evidence/{sha}")), "{page}");
    assert!(page.contains("trademark.png"));
    assert!(
        !page.contains("id=\"legal-action\""),
        "nothing to answer yet"
    );
    let r = h
        .http
        .get(format!("{}{path}/evidence/{sha}", h.base))
        .header(COOKIE, h.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);

    // The merchant finds the notice, sees the proof, and counter-notifies.
    let mut m = Browser::new(&app);
    m.sign_in("seller01").await;
    let (_, page, _) = m.get("/reports").await;
    assert!(page.contains(&format!("href=\"{path}\"")), "{page}");
    assert!(
        !page.contains(&a6),
        "the rights holder's order would name them"
    );
    assert!(
        !page.contains("href=\"/reports/new\""),
        "merchants do not report"
    );
    let (status, page, _) = m.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("trademark.png") && page.contains("id=\"counter-notice\""));
    assert!(!page.contains(&a6), "{page}");
    let mtoken = csrf(&page);
    let act = format!("{path}/act");
    let (status, page, _) = m
        .post(
            &act,
            &[
                ("csrf", &mtoken),
                ("action", "counter_notice"),
                ("message", "短"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("id=\"error\""));
    let (status, _, _) = m
        .post(
            &act,
            &[
                ("csrf", &mtoken),
                ("action", "counter_notice"),
                ("message", "本店商品为青山品牌授权销售，授权书已上传。"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = m.get(&path).await;
    assert!(page.contains("id=\"restore-at\"") && !page.contains("id=\"counter-notice\""));

    // The rights holder sees the counter-notice and says they went to court: the listing stays down.
    let (_, page, _) = h.get(&path).await;
    assert!(page.contains("本店商品为青山品牌授权销售") && page.contains("id=\"legal-action\""));
    let (status, _, _) = h
        .post(
            &act,
            &[
                ("csrf", &token),
                ("action", "legal_action"),
                ("message", "已向某市市场监督管理局投诉，受理号 2026-001"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = h.get(&path).await;
    assert!(page.contains("保持下架"), "{page}");
    assert!(
        !page.contains("href=\"/cases/"),
        "the reporter is not shown the case"
    );

    // Staff follow it from the case; nobody else finds it, and only consumers and agents report.
    let mut r = Browser::new(&app);
    r.sign_in("regulator01").await;
    let (_, page, _) = r.get(&path).await;
    let case = page
        .split("href=\"/cases/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("staff see the case")
        .to_owned();
    let (_, page, _) = r.get(&format!("/cases/{case}")).await;
    assert!(page.contains(&format!("href=\"/reports/{id}\"")), "{page}");
    let mut other = Browser::new(&app);
    other.sign_in("buyer01").await;
    let (status, page, _) = other.get(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!page.contains(description));
    let (status, _, _) = other.get(&format!("{path}/evidence/{sha}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = m.get("/reports/new").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

both_backends!(report_pages,);
