//! The public jury's pages: a volunteer opts in on the settings page, tier 2 sends from the
//! complaint page, a juror reads the hidden case and votes (a bad vote comes back named), staff
//! read the seats and the jurors' agreement.

use reqwest::StatusCode;

use super::Browser;
use crate::both_backends;
use crate::helpers::*;
use crate::jury::{VOLUNTEERS, in_review, jury_app};

both_backends!(a_jury_is_clicked_through);

async fn a_jury_is_clicked_through(backend: Backend) {
    let app = jury_app(backend).await;
    // The settings page offers the checkbox to a consumer, and unticking it opts out.
    let mut v = Browser::new(&app);
    v.sign_in(VOLUNTEERS[0]).await;
    let (_, page, _) = v.get("/settings").await;
    assert!(
        page.contains("id=\"settings-juror\"") && page.contains(" checked"),
        "{page}"
    );
    let t = v.token("/settings").await;
    let (status, _, _) = v
        .post("/settings", &[("csrf", &t), ("lang", "zh"), ("email", "")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = v.get("/jury").await;
    assert!(page.contains("id=\"not-volunteering\""), "{page}");
    let (status, _, _) = v
        .post(
            "/settings",
            &[("csrf", &t), ("lang", "zh"), ("email", ""), ("juror", "on")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = v.get("/jury").await;
    assert!(page.contains("id=\"volunteering\""), "{page}");
    // A merchant is not offered it.
    let mut s = Browser::new(&app);
    s.sign_in("seller01").await;
    let (_, page, _) = s.get("/settings").await;
    assert!(!page.contains("settings-juror"));

    let id = in_review(&app).await;
    // A photo whose file name would give the buyer away.
    let buyer = app.login("buyer01").await;
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("buyer01-13812345678.png"),
        )
        .text("kind", "photo");
    let r = app
        .http
        .post(app.url(&format!("/api/v1/complaints/{id}/evidence")))
        .bearer_auth(&buyer)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let mut g = Browser::new(&app);
    g.sign_in("guard01").await;
    let (_, page, _) = g.get(&format!("/complaints/{id}")).await;
    assert!(
        page.contains("id=\"jury-send\""),
        "tier 2 is offered a jury"
    );
    let t = super::csrf(&page);
    let (status, _, loc) = g
        .post(
            &format!("/complaints/{id}/jury"),
            &[("csrf", &t), ("partial_amount", "40")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let panel_path = loc.unwrap();
    let (_, page, _) = g.get(&panel_path).await;
    assert!(page.contains("id=\"jury-seats\""), "staff see the seats");
    let (_, page, _) = g.get(&format!("/complaints/{id}")).await;
    assert!(page.contains("id=\"jury-sitting\"") && !page.contains("id=\"jury-send\""));

    // Whoever was drawn finds the panel on their page and reads the case, identities hidden.
    let jury: i64 = panel_path.trim_start_matches("/jury/").parse().unwrap();
    let seats = app
        .store
        .jury(&STAFF_T2, weiquan_domain::JuryId(jury), app.now())
        .await
        .unwrap()
        .seats
        .unwrap();
    let juror = seats[0].juror.clone().unwrap();
    let mut j = Browser::new(&app);
    j.sign_in(&juror).await;
    let (_, page, _) = j.get("/jury").await;
    assert!(page.contains(&format!("href=\"/jury/{jury}\"")), "{page}");
    let (status, page, _) = j.get(&panel_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"jury-case\"") && page.contains("保温杯漏水"));
    for hidden in [order("A1").as_str(), "buyer01", "seller01", "13812345678"] {
        assert!(!page.contains(hidden), "{hidden} on a juror's page");
    }
    // The photo is shown inline, numbered, not named, and fetched through the juror's panel.
    let photo = page
        .split(&format!("src=\"/jury/{jury}/evidence/"))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no photo on the juror's page: {page}"))
        .to_owned();
    let r = j
        .http
        .get(format!("{}/jury/{jury}/evidence/{photo}", j.base))
        .header(reqwest::header::COOKIE, j.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("content-disposition").is_none());
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
    assert!(page.contains("id=\"outcome-partial\""));
    // A reason too short: the form again, the field named, the choice kept.
    let t = super::csrf(&page);
    let (status, page, _) = j
        .post(
            &format!("{panel_path}/vote"),
            &[("csrf", &t), ("outcome", "partial"), ("reason", "好")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("理由应为")
            && page.contains("value=\"partial\" id=\"outcome-partial\" checked"),
        "{page}"
    );
    let (status, _, _) = j
        .post(
            &format!("{panel_path}/vote"),
            &[
                ("csrf", &t),
                ("outcome", "partial"),
                ("reason", "确有瑕疵但不影响使用"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = j.get(&panel_path).await;
    assert!(
        page.contains("id=\"my-vote\"") && !page.contains("id=\"jury-vote\""),
        "{page}"
    );
    // Someone not drawn finds no such panel.
    let other = VOLUNTEERS
        .iter()
        .find(|v| !seats.iter().any(|s| s.juror.as_deref() == Some(**v)))
        .unwrap();
    let mut o = Browser::new(&app);
    o.sign_in(other).await;
    let (status, _, _) = o.get(&panel_path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = o.get(&format!("/jury/{jury}/evidence/{photo}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Staff read every juror's record.
    let (_, page, _) = g.get("/jury").await;
    assert!(
        page.contains("id=\"jurors\"") && page.contains(&juror),
        "{page}"
    );
}

const STAFF_T2: weiquan_domain::Actor =
    weiquan_domain::Actor::new(weiquan_domain::UserId(6), weiquan_domain::Role::Protection);
