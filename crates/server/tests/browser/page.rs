//! `Walk`: the browser on the app, with the steps a person takes on a page (go, click, fill,
//! photograph) and the checks after each load.

use std::path::PathBuf;
use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::driver::{BrowserLog, Driver, browser, screenshot_dir, start_driver};
use crate::helpers::{Backend, PASSWORD, TestApp, spawn_app};

/// One browser test's Chromium (its driver and profile) on a fresh SQLite app.
pub(crate) struct Run {
    pub(crate) w: Walk,
    _driver: Driver,
    pub(crate) profile: tempfile::TempDir,
}

impl Run {
    /// Photographs go to `screenshots/<dir>/`.
    pub(crate) async fn start(dir: &str) -> Run {
        let driver = start_driver().await;
        let profile = tempfile::tempdir().unwrap();
        let app = spawn_app(Backend::Sqlite).await;
        let b = browser(&driver, profile.path()).await;
        let shots = screenshot_dir().join(dir);
        std::fs::create_dir_all(&shots).unwrap();
        Run {
            w: Walk {
                b,
                app,
                shots,
                n: 0,
            },
            _driver: driver,
            profile,
        }
    }

    pub(crate) async fn close(self) {
        self.w.b.clone().close().await.unwrap();
    }
}

pub(crate) struct Walk {
    pub(crate) b: Client,
    pub(crate) app: TestApp,
    pub(crate) shots: PathBuf,
    pub(crate) n: usize,
}

impl Walk {
    pub(crate) async fn go(&self, path: &str) {
        self.b.goto(&self.app.url(path)).await.unwrap();
        self.settle().await;
    }

    /// Waits for the page to load and fails on any error it recorded.
    pub(crate) async fn settle(&self) {
        for _ in 0..100 {
            let ready = self
                .b
                .execute("return document.readyState", vec![])
                .await
                .unwrap();
            if ready == "complete" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let errors = self
            .b
            .execute(
                "return window.wqErrors === undefined ? ['app.js did not run'] : window.wqErrors",
                vec![],
            )
            .await
            .unwrap();
        let url = self.b.current_url().await.unwrap();
        assert_eq!(errors, json!([]), "console errors on {url}");
        // Chromium's own console: anything severe fails, except the page's own error status
        // (a wrong password is a 401 page, a refused form a 422 page: the walk checks those).
        let log = self.b.issue_cmd(BrowserLog).await.unwrap();
        let page = url
            .as_str()
            .split('#')
            .next()
            .unwrap_or_default()
            .to_owned();
        let severe: Vec<&Value> = log
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .filter(|e| {
                let m = e["message"].as_str().unwrap_or_default();
                !(e["source"] == "network"
                    && m.starts_with(&format!("{page} "))
                    && m.contains("status of 4"))
            })
            .collect();
        assert!(severe.is_empty(), "console errors on {url}: {severe:?}");
    }

    pub(crate) async fn el(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .b
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => e,
            Err(e) => {
                let url = self.b.current_url().await.unwrap();
                let text = self
                    .b
                    .execute("return document.body.innerText.slice(0, 1500)", vec![])
                    .await
                    .unwrap();
                if let Ok(png) = self.b.screenshot().await {
                    std::fs::write(self.shots.join("failure.png"), png).ok();
                }
                panic!("no {css} on {url}: {e}\n{}", text.as_str().unwrap_or(""))
            }
        }
    }

    pub(crate) async fn exists(&self, css: &str) -> bool {
        !self.b.find_all(Locator::Css(css)).await.unwrap().is_empty()
    }

    pub(crate) async fn text(&self, css: &str) -> String {
        self.el(css).await.text().await.unwrap()
    }

    /// Clicks something that loads a new page, and waits for that page.
    pub(crate) async fn click(&self, css: &str) {
        let e = self.el(css).await;
        self.b
            .execute("window.wqOldPage = true", vec![])
            .await
            .unwrap();
        e.click().await.unwrap();
        for _ in 0..200 {
            let old = self
                .b
                .execute("return window.wqOldPage === true", vec![])
                .await
                .unwrap_or(json!(true));
            if old == json!(false) {
                self.settle().await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("clicking {css} loaded no new page");
    }

    /// Clicks something on the page (a checkbox).
    pub(crate) async fn tick(&self, css: &str) {
        self.el(css).await.click().await.unwrap();
    }

    pub(crate) async fn fill(&self, css: &str, text: &str) {
        let e = self.el(css).await;
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    pub(crate) async fn select(&self, css: &str, value: &str) {
        self.el(css).await.select_by_value(value).await.unwrap();
    }

    /// Photographs the whole page in Chinese and in English (switching with the page's own link),
    /// each read for what no page may show a person (`tour::assert_readable`).
    pub(crate) async fn shoot(&mut self, name: &str) {
        self.n += 1;
        for lang in ["zh", "en"] {
            if lang == "en" {
                self.click("#lang-en").await;
            }
            let h = self
                .b
                .execute("return document.documentElement.scrollHeight", vec![])
                .await
                .unwrap()
                .as_u64()
                .unwrap_or(1000)
                .clamp(600, 5000) as u32;
            self.b.set_window_size(1280, h + 20).await.unwrap();
            crate::tour::assert_readable(self, lang).await;
            let png = self.b.screenshot().await.unwrap();
            let file = self.shots.join(format!("{:02}-{name}-{lang}.png", self.n));
            std::fs::write(&file, png).unwrap();
        }
        self.click("#lang-zh").await;
        self.b.set_window_size(1280, 1000).await.unwrap();
    }

    /// The same page on a phone's width.
    pub(crate) async fn shoot_phone(&mut self, name: &str) {
        self.b.set_window_size(390, 844).await.unwrap();
        let wide = self
            .b
            .execute(
                "return document.documentElement.scrollWidth > window.innerWidth + 1",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(wide, json!(false), "{name} scrolls sideways on a phone");
        crate::tour::assert_readable(self, "zh").await;
        let png = self.b.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("phone-{name}.png")), png).unwrap();
        self.b.set_window_size(1280, 1000).await.unwrap();
    }

    pub(crate) async fn sign_in(&self, user: &str) {
        self.go("/login").await;
        self.fill("#username", user).await;
        self.fill("#password", PASSWORD).await;
        self.click("#sign-in").await;
        assert!(
            self.exists("#sign-out").await,
            "{user} signed in: {}",
            self.b.source().await.unwrap()
        );
    }

    pub(crate) async fn sign_out(&self) {
        self.click("#sign-out").await;
        assert!(self.exists("#sign-in").await);
    }

    pub(crate) async fn fill_complaint(&self, description: &str) {
        self.select("#category", "quality_defect").await;
        let yesterday = (chrono::Utc::now() - chrono::Duration::days(1))
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        self.b
            .execute(
                "document.getElementById('incident_at').value = arguments[0]",
                vec![json!(yesterday)],
            )
            .await
            .unwrap();
        self.fill("#description", description).await;
        self.select("#claim_kind", "refund").await;
        self.fill("#claim_amount", "89").await;
    }

    pub(crate) async fn state(&self) -> String {
        self.el("#state")
            .await
            .attr("data-state")
            .await
            .unwrap()
            .unwrap()
    }
}
