//! The public jury in Chromium: tier 2 draws a panel from the complaint page, a juror reads the
//! case with identities hidden and votes through the form, the complaint shows the jury's ruling
//! and tier 2 reads the jurors' agreement page. Photographed in zh and en and at a phone's width.

use serde_json::json;
use weiquan_domain::{Role, Username};
use weiquan_store::NewUser;

use crate::helpers::{PASSWORD, TestApp, json_of, order};
use crate::page::{Run, Walk};

const VOLUNTEERS: [&str; 5] = ["juror01", "juror02", "juror03", "juror04", "juror05"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jury_in_chromium() {
    let mut r = Run::start("jury").await;
    let id = seed(&r.w.app).await;
    walk(&mut r.w, id).await;
    r.close().await;
}

/// Five volunteers a year old, and a complaint of buyer01's in tier 2 with a phone number and
/// its order number in its words.
async fn seed(app: &TestApp) -> i64 {
    let hash = tokio::task::spawn_blocking(|| weiquan_server::auth::hash_password(PASSWORD))
        .await
        .unwrap();
    app.store
        .ensure_users(
            VOLUNTEERS
                .iter()
                .map(|u| NewUser {
                    username: Username::parse(u).unwrap(),
                    role: Role::Consumer,
                    display_name: format!("评审{u}"),
                    password_hash: Some(hash.clone()),
                })
                .collect(),
            app.now() - chrono::Duration::days(365),
        )
        .await
        .unwrap();
    for u in VOLUNTEERS {
        let t = app.login(u).await;
        let r = app
            .http
            .put(app.url("/api/v1/me/settings"))
            .bearer_auth(&t)
            .json(&json!({"juror": true}))
            .send()
            .await
            .unwrap();
        json_of(r, reqwest::StatusCode::OK).await;
    }
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let agent = app.login("agent01").await;
    let mut body = crate::helpers::complaint_body(
        &order("A1"),
        json!({"kind": "refund", "amount_cents": 8900}),
    );
    body["description"] = json!(format!(
        "订单{}的保温杯杯底开裂漏水，请联系我 13812345678。",
        order("A1")
    ));
    let r = app.file(&buyer, body).await;
    let id = json_of(r, reqwest::StatusCode::CREATED).await["id"]
        .as_i64()
        .unwrap();
    for (who, body) in [
        (
            &seller,
            json!({"action": "reject", "message": "使用不当造成"}),
        ),
        (
            &buyer,
            json!({"action": "escalate", "reason": "商家拒绝处理"}),
        ),
        (
            &agent,
            json!({"action": "propose", "remedy": {"kind": "refund", "amount_cents": 4000}, "message": "建议退款40元"}),
        ),
        (
            &buyer,
            json!({"action": "escalate", "reason": "只退一半不合理"}),
        ),
    ] {
        app.act_ok(who, id, body).await;
    }
    id
}

async fn walk(w: &mut Walk, id: i64) {
    // Tier 2 draws a panel from the complaint page.
    w.sign_in("guard01").await;
    w.go(&format!("/complaints/{id}")).await;
    assert!(w.exists("#jury-send").await);
    w.shoot("jury-send").await;
    w.fill("#jury-partial", "40").await;
    w.click("#jury-send-button").await;
    assert!(w.exists("#jury-seats").await, "the panel's page for staff");
    w.shoot("jury-panel-staff").await;
    let url = w.b.current_url().await.unwrap();
    let jury: i64 = url.path().trim_start_matches("/jury/").parse().unwrap();
    w.sign_out().await;

    // Every juror drawn acts through the form: three uphold (the quorum), the others leave.
    let seats = w
        .app
        .store
        .jury(
            &weiquan_domain::Actor::new(weiquan_domain::UserId(1), Role::Protection),
            weiquan_domain::JuryId(jury),
            w.app.now(),
        )
        .await
        .unwrap()
        .seats
        .unwrap();
    for (i, seat) in seats.iter().enumerate() {
        let name = seat.juror.clone().unwrap();
        w.sign_in(&name).await;
        w.click("#nav-jury").await;
        w.shoot("jury-list").await;
        w.go(&format!("/jury/{jury}")).await;
        let case = w.text("#jury-case").await;
        assert!(case.contains("杯底开裂漏水"), "{case}");
        for hidden in [order("A1").as_str(), "13812345678", "buyer01"] {
            assert!(!case.contains(hidden), "{hidden} shown to a juror: {case}");
        }
        if i == 0 {
            w.shoot("jury-vote").await;
            w.shoot_phone("jury-vote").await;
            w.go(&format!("/jury/{jury}?lang=en")).await;
            assert!(w.text("h1").await.contains("Public jury"));
            w.go(&format!("/jury/{jury}?lang=zh")).await;
        }
        if i < 3 {
            w.tick("#outcome-uphold").await;
            w.fill("#jury-reason", "照片清楚显示杯底裂缝").await;
            w.click("#jury-vote-button").await;
            assert!(w.exists("#my-vote").await);
        } else {
            w.click("#jury-leave").await;
        }
        w.sign_out().await;
    }

    // The complaint shows the jury's ruling, cited as one, with its votes and reasons.
    w.sign_in("buyer01").await;
    w.go(&format!("/complaints/{id}")).await;
    assert!(w.text("#ruling-by").await.contains("大众评审团"));
    assert!(w.text("#ruling-rules").await.contains("大众评审裁决"));
    w.shoot("jury-ruling").await;
    w.go(&format!("/complaints/{id}?lang=en")).await;
    assert!(w.text("#ruling-rules").await.contains("public jury ruling"));
    assert!(w.text("#ruling-by").await.contains("the public jury"));
    w.go(&format!("/complaints/{id}?lang=zh")).await;
    w.sign_out().await;

    // Tier 2's page of jurors' records.
    w.sign_in("guard01").await;
    w.click("#nav-jury").await;
    assert!(w.exists("#jurors").await);
    w.shoot("jury-jurors").await;
    w.sign_out().await;
}
