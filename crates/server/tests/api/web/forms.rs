//! Every page's inputs are labelled, and every successful form POST answers 303 to a page
//! that GETs (so a reload never posts again and the browser never rests at a POST address).

use reqwest::StatusCode;
use serde_json::json;

use super::{Browser, csrf};
use crate::both_backends;
use crate::helpers::*;

/// The form controls of a page that no `<label>` (around it or `for` its id) nor `aria-label`
/// names, as their opening tags.
fn unlabelled(page: &str) -> Vec<String> {
    let tags: Vec<&str> = page
        .split('<')
        .skip(1)
        .map(|t| t.split('>').next().unwrap_or(""))
        .collect();
    let attr = |tag: &str, name: &str| -> Option<String> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[at..].split('"').next().unwrap_or("").to_owned())
    };
    let fors: Vec<String> = tags
        .iter()
        .filter(|t| t.starts_with("label"))
        .filter_map(|t| attr(t, "for"))
        .collect();
    let mut depth = 0i32;
    let mut out = vec![];
    for t in tags {
        let name = t
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        match name {
            "label" => depth += 1,
            "/label" => depth -= 1,
            "input" | "select" | "textarea" => {
                let ty = attr(t, "type").unwrap_or_default();
                if matches!(ty.as_str(), "hidden" | "submit" | "button") {
                    continue;
                }
                let named = depth > 0
                    || attr(t, "aria-label").is_some_and(|l| !l.trim().is_empty())
                    || attr(t, "aria-labelledby").is_some()
                    || attr(t, "id").is_some_and(|id| fors.contains(&id));
                if !named {
                    out.push(format!("<{t}>"));
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn the_label_check_sees_what_it_should() {
    assert!(
        unlabelled(r#"<label>A <input name="a"></label><input type="hidden" name="h">"#).is_empty()
    );
    assert!(unlabelled(r#"<label for="x">A</label><select id="x"></select>"#).is_empty());
    assert!(unlabelled(r#"<input name="q" aria-label="search">"#).is_empty());
    assert_eq!(
        unlabelled(r#"<p><input name="bare"></p>"#),
        [r#"<input name="bare">"#]
    );
}

/// Every page each role reaches, in both languages.
async fn every_input_is_labelled(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let id = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    let id2 = app
        .file_ok(
            &buyer,
            "A2",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    app.act_ok(
        &seller,
        id2,
        json!({"action": "reject", "message": "使用不当"}),
    )
    .await;
    let a3 = order("A3");
    let pages: &[(&str, Vec<String>)] = &[
        (
            "buyer01",
            vec![
                "/orders".into(),
                format!("/orders/{a3}/complain"),
                "/complaints".into(),
                format!("/complaints/{id}"),
                format!("/complaints/{id2}"),
                "/chat".into(),
                "/reports".into(),
                "/reports/new".into(),
                "/notifications".into(),
                "/settings".into(),
            ],
        ),
        (
            "seller01",
            vec![
                "/complaints".into(),
                format!("/complaints/{id}"),
                "/shops".into(),
                "/shops/shop-a".into(),
            ],
        ),
        (
            "agent01",
            vec!["/complaints".into(), format!("/complaints/{id2}")],
        ),
        (
            "guard01",
            vec!["/complaints?tier=all".into(), format!("/complaints/{id}")],
        ),
        (
            "regulator01",
            vec!["/cases".into(), "/dashboard".into(), "/reports".into()],
        ),
        (
            "admin",
            vec![
                "/admin/users".into(),
                "/admin/import".into(),
                "/admin/policy".into(),
                "/admin/keys".into(),
                "/admin/webhooks".into(),
            ],
        ),
    ];
    let mut missing = vec![];
    let mut anon = Browser::new(&app);
    for lang in ["zh", "en"] {
        let (_, page, _) = anon.get(&format!("/login?lang={lang}")).await;
        for t in unlabelled(&page) {
            missing.push(format!("/login: {t}"));
        }
    }
    for (user, paths) in pages {
        let mut b = Browser::new(&app);
        b.sign_in(user).await;
        for path in paths {
            for lang in ["zh", "en"] {
                let sep = if path.contains('?') { '&' } else { '?' };
                let (status, page, _) = b.get(&format!("{path}{sep}lang={lang}")).await;
                assert_eq!(status, StatusCode::OK, "{user} {path}");
                for t in unlabelled(&page) {
                    missing.push(format!("{user} {path} ({lang}): {t}"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "inputs without a label:\n{}",
        missing.join("\n")
    );
}

/// Posts a form and expects 303 to a page that answers 200.
async fn see_other(b: &mut Browser, path: &str, form: &[(&str, &str)]) -> String {
    let answer = b.post(path, form).await;
    followed(b, path, answer).await
}

/// A form's answer is 303 to a page that answers 200.
async fn followed(
    b: &mut Browser,
    path: &str,
    (status, page, to): (StatusCode, String, Option<String>),
) -> String {
    assert_eq!(status, StatusCode::SEE_OTHER, "POST {path}: {page}");
    let to = to.unwrap_or_else(|| panic!("POST {path} says where to go"));
    let (status, _, _) = b.get(to.split('#').next().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "POST {path} → GET {to}");
    to
}

/// Each form a person posts, with good values. The only answers that are not a 303 show a
/// secret once (a new API key, a webhook's signing secret) or an import's line-by-line report:
/// neither belongs in an address to come back to.
async fn successful_posts_see_other(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut c = Browser::new(&app);
    c.sign_in("buyer01").await;
    let t = c.token("/orders").await;
    let a1 = order("A1");
    let incident = (app.now() - chrono::Duration::days(1))
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    // The complaint form is multipart (its files go with it).
    let complain = format!("/orders/{a1}/complain");
    let answer = c
        .post_multipart(
            &complain,
            &[
                ("csrf", &t),
                ("product", "304不锈钢保温杯 500ml"),
                ("category", "quality_defect"),
                ("incident_at", &incident),
                (
                    "description",
                    "收到的保温杯杯身有一道裂缝，倒入热水后从底部漏水，已拍照留证。",
                ),
                ("claim_kind", "refund"),
                ("claim_amount", "89"),
                ("confirmed", "on"),
            ],
            None,
        )
        .await;
    let to = followed(&mut c, &complain, answer).await;
    let id: i64 = to
        .trim_start_matches("/complaints/")
        .split(['#', '?'])
        .next()
        .unwrap()
        .parse()
        .unwrap();
    see_other(
        &mut c,
        &format!("/complaints/{id}/message"),
        &[("csrf", &t), ("body", "杯底有裂纹")],
    )
    .await;
    see_other(&mut c, "/chat", &[("csrf", &t), ("text", "我买的杯子漏水")]).await;
    see_other(
        &mut c,
        "/reports/new",
        &[
            ("csrf", &t),
            ("shop_id", "shop-a"),
            ("report_kind", "fake_transactions"),
            (
                "description",
                "该店铺大量同一批账号下单好评，疑似刷单炒信，请平台核查。",
            ),
        ],
    )
    .await;
    see_other(
        &mut c,
        "/settings",
        &[("csrf", &t), ("lang", "zh"), ("email", "")],
    )
    .await;
    see_other(&mut c, "/notifications/read", &[("csrf", &t), ("all", "1")]).await;

    let mut m = Browser::new(&app);
    m.sign_in("seller01").await;
    let t = m.token("/complaints").await;
    see_other(
        &mut m,
        &format!("/complaints/{id}/act"),
        // Granting the claim ends the complaint: its box is ticked.
        &[("csrf", &t), ("action", "accept"), ("confirm", "1")],
    )
    .await;

    let mut a = Browser::new(&app);
    a.sign_in("admin").await;
    let (_, page, _) = a.get("/admin/users").await;
    let t = csrf(&page);
    see_other(
        &mut a,
        "/admin/users",
        &[
            ("csrf", &t),
            ("username", "agent09"),
            ("display_name", "客服九号"),
            ("role", "cs_agent"),
            ("password", "a-strong-password"),
        ],
    )
    .await;
    let agent = app
        .store
        .user_by_username("agent09")
        .await
        .unwrap()
        .unwrap();
    let base = format!("/admin/users/{}", agent.id);
    see_other(
        &mut a,
        &format!("{base}/role"),
        &[("csrf", &t), ("role", "protection")],
    )
    .await;
    see_other(
        &mut a,
        &format!("{base}/password"),
        &[("csrf", &t), ("password", "temporary-42x")],
    )
    .await;
    see_other(
        &mut a,
        &format!("{base}/disabled"),
        &[("csrf", &t), ("disabled", "1")],
    )
    .await;
    see_other(
        &mut a,
        &format!("{base}/disabled"),
        &[("csrf", &t), ("disabled", "0")],
    )
    .await;
    see_other(&mut a, "/logout", &[("csrf", &t)]).await;
}

both_backends!(every_input_is_labelled, successful_posts_see_other,);
