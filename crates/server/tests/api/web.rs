//! The web UI over plain HTTP: sign-in, CSRF, expired sessions, languages, and that every page
//! goes through the same permission checks as the API (what a user may not see is "not found").
//! One file per part of the site, mirroring `src/web/`; they share the JavaScript-free `Browser`.

mod admin;
mod bundles;
mod chat;
mod complaint;
mod decided;
mod filing;
mod forms;
mod handovers;
mod inbox;
mod jury;
mod keys;
mod lists;
mod permissions;
mod report;
mod session;
mod shops;
mod webhooks;

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

use crate::helpers::*;

/// A browser without JavaScript: a cookie, no redirects followed.
struct Browser {
    http: reqwest::Client,
    base: String,
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn new(app: &TestApp) -> Self {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: app.base.clone(),
            cookies: vec![],
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, r: &reqwest::Response) {
        for v in r.headers().get_all(SET_COOKIE) {
            let s = v.to_str().unwrap();
            let (kv, _) = s.split_once(';').unwrap_or((s, ""));
            let (k, val) = kv.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != k);
            if !val.is_empty() {
                self.cookies.push((k.to_owned(), val.to_owned()));
            }
        }
    }

    async fn get(&mut self, path: &str) -> (StatusCode, String, Option<String>) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let loc = r
            .headers()
            .get(LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        (r.status(), r.text().await.unwrap(), loc)
    }

    async fn post(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, Option<String>) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.answer(r).await
    }

    /// A form sent as `multipart/form-data` (the complaint form), with a file if given
    /// (field, file name, bytes).
    async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, Vec<u8>)>,
    ) -> (StatusCode, String, Option<String>) {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        if let Some((field, name, bytes)) = file {
            form = form.part(
                field.to_owned(),
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
            );
        }
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.answer(r).await
    }

    async fn answer(&mut self, r: reqwest::Response) -> (StatusCode, String, Option<String>) {
        self.keep(&r);
        let loc = r
            .headers()
            .get(LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        (r.status(), r.text().await.unwrap(), loc)
    }

    async fn sign_in(&mut self, user: &str) {
        let (_, page, _) = self.get("/login").await;
        let csrf = csrf(&page);
        let (status, _, loc) = self
            .post(
                "/login",
                &[("csrf", &csrf), ("username", user), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{user} signs in");
        assert!(loc.is_some());
    }

    /// The CSRF token of the forms on a page.
    async fn token(&mut self, path: &str) -> String {
        let (status, page, _) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        csrf(&page)
    }
}

fn csrf(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    page[at..at + 64].to_owned()
}
