//! The admin's pages: accounts and imports.

use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::json;

use super::Browser;
use crate::both_backends;
use crate::helpers::*;

async fn admin_accounts(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut b = Browser::new(&app);
    b.sign_in("admin").await;
    let token = b.token("/admin/users").await;
    let (status, page, _) = b
        .post(
            "/admin/users",
            &[
                ("csrf", &token),
                ("username", "agent07"),
                ("display_name", "客服七号"),
                ("role", "cs_agent"),
                ("password", "a-strong-password"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("已创建账号 agent07"), "{page}");
    // The new account signs in with its password and works as tier 1.
    let r = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "agent07", "password": "a-strong-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let user: serde_json::Value = r.json().await.unwrap();
    assert_eq!(user["user"]["role"], "cs_agent");
    let id = user["user"]["id"].as_i64().unwrap();

    let before = app.store.verify().await.unwrap().expect("an intact audit");
    // A role change, recorded; consumers stay consumers; nobody demotes themselves.
    let (status, page, _) = b
        .post(
            &format!("/admin/users/{id}/role"),
            &[("csrf", &token), ("role", "protection")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let u = app
        .store
        .user_by_username("agent07")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.role, weiquan_domain::Role::Protection);
    // Recorded on the account's own chain, which the audit walks like any other.
    let after = app.store.verify().await.unwrap().expect("an intact audit");
    assert_eq!(after.streams, before.streams + 1, "stream account:{id}");
    let buyer = app
        .store
        .user_by_username("buyer01")
        .await
        .unwrap()
        .unwrap();
    let (status, page, _) = b
        .post(
            &format!("/admin/users/{}/role", buyer.id),
            &[("csrf", &token), ("role", "admin")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("买家和卖家账号来自交易平台"));
    let me = app.store.user_by_username("admin").await.unwrap().unwrap();
    let (status, _, _) = b
        .post(
            &format!("/admin/users/{}/role", me.id),
            &[("csrf", &token), ("role", "regulator")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Short passwords and consumer accounts are refused with the field named.
    let (status, page, _) = b
        .post(
            "/admin/users",
            &[
                ("csrf", &token),
                ("username", "x1"),
                ("display_name", "x"),
                ("role", "consumer"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("密码长度应为8到128个字符") && page.contains("只能创建客服"));

    // A non-admin cannot change roles, even with a valid form.
    let mut g = Browser::new(&app);
    g.sign_in("guard01").await;
    let t = g.token("/complaints").await;
    let (status, _, _) = g
        .post(
            &format!("/admin/users/{id}/role"),
            &[("csrf", &t), ("role", "admin")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn admin_imports(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut b = Browser::new(&app);
    b.sign_in("admin").await;
    let token = b.token("/admin/import").await;
    let file = concat!(
        r#"{"id": "shop-c", "name": "新店", "merchant": "seller03"}"#,
        "\n",
        "not json\n",
        r#"{"id": "shop-d", "name": "", "merchant": "seller04"}"#,
        "\n",
        r#"{"id": "Shop E!", "name": "坏编号", "merchant": "seller05"}"#,
        "\n",
        r#"{"id": "shop-f", "name": "多一项", "merchant": "seller06", "owner": "x"}"#,
        "\n",
    );
    let upload = |csrf: &str| {
        reqwest::multipart::Form::new()
            .text("csrf", csrf.to_owned())
            .text("what", "shops")
            .part(
                "file",
                reqwest::multipart::Part::bytes(file.as_bytes().to_vec()).file_name("shops.jsonl"),
            )
    };
    let r = b
        .http
        .post(format!("{}/admin/import", app.base))
        .header(COOKIE, b.cookie_header())
        .multipart(upload(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    // The same loop as `weiquan import`: good lines land, bad ones are listed apart, in an
    // error box, by line, field as people name it and reason, in the page's language.
    let (ok, bad) = page
        .split_once("id=\"import-errors\"")
        .expect("an error box");
    assert!(ok.contains("<b id=\"landed\">1</b>"), "{page}");
    assert!(bad.contains("第2行：不是有效的 JSON"), "{bad}");
    assert!(bad.contains("第3行 · <b>名称</b>："), "{bad}");
    assert!(bad.contains("第4行 · <b>店铺编号</b>：店铺"), "{bad}");
    assert!(bad.contains("第5行：多了一项“owner”"), "{bad}");
    for leak in ["FieldError", "line ", "expected", "invalid", "column"] {
        assert!(
            !bad.contains(leak),
            "no parser or Debug text ({leak}): {bad}"
        );
    }
    let shop = app
        .store
        .shop(&weiquan_domain::ShopId::parse("shop-c").unwrap(), app.now())
        .await
        .unwrap();
    assert_eq!(shop.unwrap().name, "新店");

    // Without the form's token nothing is read.
    let r = b
        .http
        .post(format!("{}/admin/import", app.base))
        .header(COOKIE, b.cookie_header())
        .multipart(upload(&"0".repeat(64)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Nor by anyone but an admin.
    let mut g = Browser::new(&app);
    g.sign_in("guard01").await;
    let t = g.token("/complaints").await;
    let r = g
        .http
        .post(format!("{}/admin/import", app.base))
        .header(COOKIE, g.cookie_header())
        .multipart(upload(&t))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

both_backends!(admin_accounts, admin_imports,);
