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

both_backends!(
    sign_in_out_and_csrf,
    languages,
    cookies_are_secure_behind_https,
);
