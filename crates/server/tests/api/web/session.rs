//! Signing in and out, CSRF, expired sessions, the language switch and Secure cookies.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_LANGUAGE, COOKIE, SET_COOKIE};

use super::{Browser, csrf};
use crate::both_backends;
use crate::helpers::*;

async fn sign_in_out_and_csrf(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut b = Browser::new(&app);

    // Signed out: every page sends you to sign in, and comes back after.
    let (status, _, loc) = b.get("/orders").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some("/login?next=/orders"));

    // The sign-in form is protected too.
    let (_, page, _) = b.get("/login").await;
    let token = csrf(&page);
    let (status, page, _) = b
        .post("/login", &[("username", "buyer01"), ("password", PASSWORD)])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("表单已失效"), "{page}");

    let (status, page, _) = b
        .post(
            "/login",
            &[
                ("csrf", &token),
                ("username", "buyer01"),
                ("password", "wrong-password"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("用户名或密码错误"));
    assert!(page.contains("value=\"buyer01\""), "the username is kept");

    let r = b
        .http
        .post(format!("{}/login", b.base))
        .header(COOKIE, b.cookie_header())
        .form(&[
            ("csrf", token.as_str()),
            ("username", "buyer01"),
            ("password", PASSWORD),
            ("next", "/orders"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let session = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("wq_session="))
        .expect("a session cookie");
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && session.contains("Path=/")
    );
    b.keep(&r);

    let (status, page, _) = b.get("/orders").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&order("A1")));
    assert!(
        !page.contains(&order("A6")),
        "buyer02's order is not listed"
    );

    // A form posted without the session's token (another site) is refused and changes nothing.
    let (status, page, _) = b
        .post(
            &format!("/orders/{}/complain", order("A1")),
            &[("csrf", &"0".repeat(64)), ("description", "x")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("表单已失效"));

    // Sign-out ends the session on the server: the old cookie is an expired session.
    let old = b.cookies.clone();
    let token = b.token("/orders").await;
    let (status, _, loc) = b.post("/logout", &[("csrf", &token)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some("/login"));
    b.cookies = old;
    let (status, _, loc) = b.get("/orders").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some("/login?expired=1&next=/orders"));
    let (_, page, _) = b.get("/login?expired=1").await;
    assert!(page.contains("登录已过期"));
}

async fn languages(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut b = Browser::new(&app);
    let (_, page, _) = b.get("/login").await;
    assert!(page.contains("<html lang=\"zh-CN\">") && page.contains("登录"));
    let r = b
        .http
        .get(format!("{}/login", app.base))
        .header(ACCEPT_LANGUAGE, "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    let page = r.text().await.unwrap();
    assert!(page.contains("<html lang=\"en\">") && page.contains("Sign in"));
    // The switch sets a cookie and returns to the page.
    let (status, _, loc) = b.get("/lang/en?next=/login").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some("/login"));
    assert!(b.cookies.iter().any(|(k, v)| k == "lang" && v == "en"));
    let (_, page, _) = b.get("/login").await;
    assert!(page.contains("Sign in"));
    // Never to another site.
    let (_, _, loc) = b.get("/lang/en?next=//evil.example").await;
    assert_eq!(loc.as_deref(), Some("/"));
    // Errors in English too.
    b.sign_in("buyer02").await;
    let (_, page, _) = b.get("/complaints/999").await;
    assert!(page.contains("no such complaint"), "{page}");
}

/// Behind a TLS-terminating proxy the cookies are Secure, so the browser never sends them in clear.
async fn cookies_are_secure_behind_https(backend: Backend) {
    let app = spawn_app(backend).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let cookies = |r: &reqwest::Response| -> Vec<String> {
        r.headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    };
    let plain = http.get(app.url("/login")).send().await.unwrap();
    let set = cookies(&plain);
    assert!(
        !set.is_empty() && set.iter().all(|c| !c.contains("Secure")),
        "{set:?}"
    );
    let r = http
        .get(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    let set = cookies(&r);
    assert!(!set.is_empty(), "the sign-in page sets its cookie");
    assert!(
        set.iter()
            .all(|c| c.contains("; Secure") && c.contains("HttpOnly")),
        "{set:?}"
    );
    let secret = set[0].split(';').next().unwrap().to_owned();
    let page = r.text().await.unwrap();
    let r = http
        .post(app.url("/login"))
        .header("forwarded", "for=10.0.0.1;proto=https")
        .header(COOKIE, secret)
        .form(&[
            ("csrf", csrf(&page).as_str()),
            ("username", "buyer01"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set = cookies(&r);
    assert!(
        set.iter()
            .any(|c| c.starts_with("wq_session=") && c.contains("; Secure")),
        "{set:?}"
    );
    let r = http
        .get(app.url("/lang/en?next=/login"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    let set = cookies(&r);
    assert!(
        set.iter().any(|c| c.starts_with("lang=")),
        "the language switch sets its cookie: {set:?}"
    );
    assert!(set.iter().all(|c| c.contains("; Secure")), "{set:?}");
}

/// Every redirect that takes `next` stays on this site: each way of naming another origin (or
/// breaking the header) falls back to the home page, and sign-in still sets its cookie.
async fn next_never_leaves_the_site(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut b = Browser::new(&app);
    // As they arrive in the query string (percent-encoded by the attacker's link).
    let bad = [
        "//evil.example",
        "/%09/evil.example",
        "/%0A/evil.example",
        "/%0D%0ASet-Cookie:%20x=1",
        "/%5Cevil.example",
        "/%5C%5Cevil.example",
        "/ok%5C..",
        "%2F%2Fevil.example",
        "/%252F/evil.example",
        "/%2509/evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "evil.example",
        "/%E4%B8%AD",
        "",
    ];
    for next in bad {
        let (status, _, loc) = b.get(&format!("/lang/en?next={next}")).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(loc.as_deref(), Some("/"), "/lang with next={next}");
        let (status, page, _) = b.get(&format!("/login?next={next}")).await;
        assert_eq!(status, StatusCode::OK, "{next}");
        assert!(page.contains("name=\"next\" value=\"\""), "{next}: {page}");
    }
    // A local path with its query comes back as it was.
    let (_, _, loc) = b.get("/lang/zh?next=/complaints%3Fstate%3Dopen").await;
    assert_eq!(loc.as_deref(), Some("/complaints?state=open"));

    // Signing in with a bad `next` (the form's field, decoded) lands at home, signed in.
    for next in [
        "//evil.example",
        "/\t/evil.example",
        "/\r\nSet-Cookie: x=1",
        "/\\evil",
    ] {
        let mut b = Browser::new(&app);
        let (_, page, _) = b.get("/login").await;
        let token = csrf(&page);
        let (status, _, loc) = b
            .post(
                "/login",
                &[
                    ("csrf", &token),
                    ("username", "buyer01"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(loc.as_deref(), Some("/orders"), "{next:?}");
        assert!(b.cookies.iter().any(|(k, _)| k == "wq_session"), "{next:?}");
    }
}

/// The sign-in form's token (from the pre-session `wq_login` cookie) signs in and does nothing
/// else: another form posted with it is refused, signed in or not.
async fn login_token_only_signs_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut b = Browser::new(&app);
    let (_, page, _) = b.get("/login").await;
    let login_token = csrf(&page);
    assert!(b.cookies.iter().any(|(k, _)| k == "wq_login"));
    let (status, page, _) = b.post("/logout", &[("csrf", &login_token)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("表单已失效"), "{page}");

    // Signed in, with the sign-in cookie still held (another tab's sign-in page).
    b.sign_in("buyer01").await;
    let (_, page, _) = b.get("/login").await;
    let login_token = csrf(&page);
    assert!(b.cookies.iter().any(|(k, _)| k == "wq_login"));
    assert!(b.cookies.iter().any(|(k, _)| k == "wq_session"));
    let (status, _, _) = b
        .post(
            &format!("/orders/{}/complain", order("A1")),
            &[("csrf", &login_token), ("description", "x")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = b.post("/logout", &[("csrf", &login_token)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = b.get("/orders").await;
    assert_eq!(status, StatusCode::OK, "still signed in");
    // The session's own token signs out.
    let token = b.token("/orders").await;
    let (status, _, loc) = b.post("/logout", &[("csrf", &token)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some("/login"));
}

/// A site marked HTTPS (`serve --https`) names its cookies `__Host-…` and makes them Secure on
/// every response, whatever the proxy says; the unprefixed name is not a session there.
async fn https_site_uses_host_cookies(backend: Backend) {
    let app = spawn_app(backend).await;
    let site = app.another_server(|s| s.https = true).await;
    let mut b = Browser::new(&site);
    let r = b
        .http
        .get(format!("{}/login", b.base))
        .send()
        .await
        .unwrap();
    let set: Vec<String> = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        set.iter().any(|c| c.starts_with("__Host-wq_login=")),
        "{set:?}"
    );
    for c in &set {
        assert!(
            c.contains("; Secure") && c.contains("Path=/") && !c.contains("Domain"),
            "{c}"
        );
    }
    b.keep(&r);
    let page = r.text().await.unwrap();
    let token = csrf(&page);
    let r = b
        .http
        .post(format!("{}/login", b.base))
        .header(COOKIE, b.cookie_header())
        .form(&[
            ("csrf", token.as_str()),
            ("username", "buyer01"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set: Vec<String> = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session = set
        .iter()
        .find(|c| c.starts_with("__Host-wq_session="))
        .unwrap_or_else(|| panic!("{set:?}"));
    assert!(session.contains("; Secure") && session.contains("HttpOnly"));
    b.keep(&r);
    let (status, _, _) = b.get("/orders").await;
    assert_eq!(status, StatusCode::OK, "the __Host- session works");
    let token = b.cookies.iter().find(|(k, _)| k == "__Host-wq_session");
    let token = token.unwrap().1.clone();
    b.cookies = vec![("wq_session".into(), token)];
    let (status, _, loc) = b.get("/orders").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(loc.unwrap().starts_with("/login"));
    let r = b
        .http
        .get(format!("{}/lang/en?next=/login", b.base))
        .send()
        .await
        .unwrap();
    let lang = r.headers().get(SET_COOKIE).unwrap().to_str().unwrap();
    assert!(lang.contains("; Secure"), "{lang}");
}

both_backends!(
    sign_in_out_and_csrf,
    languages,
    cookies_are_secure_behind_https,
    next_never_leaves_the_site,
    login_token_only_signs_in,
    https_site_uses_host_cookies,
);
