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
    let (status, page, to) = b
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
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (_, page, _) = b.get(&to.unwrap()).await;
    assert!(page.contains("已创建账号：agent07"), "{page}");
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
    // A role change, recorded; consumers stay consumers; nobody demotes themselves. The
    // browser comes back (303) to the list it was on: the same search, filter and page.
    let (status, page, to) = b
        .post(
            &format!("/admin/users/{id}/role"),
            &[
                ("csrf", &token),
                ("role", "protection"),
                ("q", "agent"),
                ("filter_role", "staff"),
                ("after", "3"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let to = to.unwrap();
    assert_eq!(
        to,
        "/admin/users?q=agent&role=staff&after=3&done=role&who=agent07"
    );
    let (status, page, _) = b.get(&to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("已调整角色：agent07"), "{page}");
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

/// The accounts list: search by name, filter by role (staff by default), paging that keeps both.
async fn admin_finds_accounts(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut b = Browser::new(&app);
    b.sign_in("admin").await;
    // Staff first: with no filter, consumers and merchants are not listed.
    let (_, page, _) = b.get("/admin/users").await;
    assert!(
        page.contains("agent01") && page.contains("guard02"),
        "{page}"
    );
    assert!(
        !page.contains("buyer01") && !page.contains("seller01"),
        "{page}"
    );
    // A search over every account, by a part of the name.
    let (_, page, _) = b.get("/admin/users?q=BUYER&role=all").await;
    assert!(
        page.contains("buyer01") && page.contains("buyer02"),
        "{page}"
    );
    assert!(!page.contains("agent01"), "{page}");
    // One role.
    let (_, page, _) = b.get("/admin/users?role=protection").await;
    assert!(
        page.contains("guard01") && !page.contains("agent01"),
        "{page}"
    );
    // `%` and `_` are letters in a search, not wildcards.
    let (_, page, _) = b.get("/admin/users?q=%25&role=all").await;
    assert!(page.contains("id=\"no-users\""), "{page}");
    // The store pages in SQL, and the next page's link keeps the search and filter.
    let admin = app.store.user_by_username("admin").await.unwrap().unwrap();
    let page = app
        .store
        .users(
            &admin.actor(),
            weiquan_store::UserQuery {
                search: Some("guard".into()),
                role: Some(weiquan_store::RoleFilter::Staff),
                after: None,
                limit: 1,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].user.username.as_str(), "guard01");
    let next = page.next_cursor.unwrap();
    let (_, html, _) = b.get("/admin/users?q=guard&role=staff").await;
    assert!(!html.contains("next-page"), "one page of two guards");
    let (_, html, _) = b
        .get(&format!("/admin/users?q=guard&role=staff&after={next}"))
        .await;
    assert!(
        html.contains("guard02") && !html.contains("guard01"),
        "{html}"
    );
    // An unknown role is a field error, not an empty list.
    let (status, _, _) = b.get("/admin/users?role=king").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Only an admin lists accounts.
    let mut g = Browser::new(&app);
    g.sign_in("guard01").await;
    let (status, _, _) = g.get("/admin/users?q=buyer").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Disabling an account stops its password, its sessions and its API keys at once; enabling
/// it lets it sign in again. A password reset ends its sessions too. Both are on its chain.
async fn admin_disables_and_resets(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut b = Browser::new(&app);
    b.sign_in("admin").await;
    let token = b.token("/admin/users").await;
    let agent = app
        .store
        .user_by_username("agent01")
        .await
        .unwrap()
        .unwrap();
    let api = app.login("agent01").await;
    let mut web = Browser::new(&app);
    web.sign_in("agent01").await;
    assert_eq!(web.get("/complaints").await.0, StatusCode::OK);
    let before = app.store.verify().await.unwrap().expect("an intact audit");

    let (status, _, to) = b
        .post(
            &format!("/admin/users/{}/disabled", agent.id),
            &[
                ("csrf", &token),
                ("disabled", "1"),
                ("filter_role", "staff"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(&to.unwrap()).await;
    assert!(
        page.contains("已停用账号") && page.contains("agent01"),
        "{page}"
    );
    assert!(page.contains("已停用</span>"), "{page}");
    // Its browser session, its bearer token and its password are all refused now.
    let (status, _, loc) = web.get("/complaints").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(loc.unwrap().starts_with("/login"));
    let r = app
        .http
        .get(app.url("/api/v1/me"))
        .bearer_auth(&api)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "agent01", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Nobody disables themselves.
    let me = app.store.user_by_username("admin").await.unwrap().unwrap();
    let (status, page, _) = b
        .post(
            &format!("/admin/users/{}/disabled", me.id),
            &[("csrf", &token), ("disabled", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("不能停用自己的账号"), "{page}");

    // Enabled again: the password works; the old sessions stay ended.
    let (status, _, _) = b
        .post(
            &format!("/admin/users/{}/disabled", agent.id),
            &[("csrf", &token), ("disabled", "0")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let r = app
        .http
        .get(app.url("/api/v1/me"))
        .bearer_auth(&api)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let mut web = Browser::new(&app);
    web.sign_in("agent01").await;

    // A reset: a weak password is refused; a good one replaces the old and ends sessions.
    let (status, page, _) = b
        .post(
            &format!("/admin/users/{}/password", agent.id),
            &[("csrf", &token), ("password", "short")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("密码长度应为8到128个字符"), "{page}");
    let (status, _, to) = b
        .post(
            &format!("/admin/users/{}/password", agent.id),
            &[("csrf", &token), ("password", "temporary-pass-42")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(&to.unwrap()).await;
    assert!(page.contains("已重设密码"), "{page}");
    assert_eq!(web.get("/complaints").await.0, StatusCode::SEE_OTHER);
    let login = |password: &'static str| {
        app.http
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": "agent01", "password": password}))
            .send()
    };
    assert_eq!(
        login(PASSWORD).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login("temporary-pass-42").await.unwrap().status(),
        StatusCode::OK
    );
    // Three changes on the account's chain (disabled, enabled, reset), intact.
    let after = app.store.verify().await.unwrap().expect("an intact audit");
    assert_eq!(after.events, before.events + 3);
    // Only an admin does either.
    let mut g = Browser::new(&app);
    g.sign_in("guard01").await;
    let t = g.token("/complaints").await;
    let (status, _, _) = g
        .post(
            &format!("/admin/users/{}/disabled", agent.id),
            &[("csrf", &t), ("disabled", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = g
        .post(
            &format!("/admin/users/{}/password", agent.id),
            &[("csrf", &t), ("password", "another-pass-42")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// The policy page in words: durations, yuan and labels, the TOML only behind a disclosure.
async fn admin_reads_the_policy(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut b = Browser::new(&app);
    b.sign_in("admin").await;
    let (status, page, _) = b.get("/admin/policy").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("商家首次回复</dt><dd>2天"), "{page}");
    assert!(page.contains("<details"), "{page}");
    let (_, page, _) = b.get("/admin/policy?lang=en").await;
    assert!(page.contains("Appeal window</dt><dd>7 days"), "{page}");
    assert!(page.contains("¥"), "{page}");
}

both_backends!(
    admin_accounts,
    admin_imports,
    admin_finds_accounts,
    admin_disables_and_resets,
    admin_reads_the_policy,
);
