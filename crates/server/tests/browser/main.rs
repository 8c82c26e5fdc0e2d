//! The web UI clicked in headless Chromium: the whole walk of a complaint through every tier,
//! then the regulator's dashboard. Every page is photographed in Chinese and English under
//! `target/screenshots/`, and any script error, failed load or CSP violation fails the test.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them); never skipped.

#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use helpers::{Backend, PASSWORD, TestApp, order, spawn_app};
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Chromium's console log since the last call (chromedriver's Selenium-compatible endpoint).
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}

/// chromedriver on a free port, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_driver() -> Driver {
    for path in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            std::path::Path::new(path).exists(),
            "{path} is missing: the browser tests need Debian's chromium and chromium-driver \
             (`apt-get install -y chromium chromium-driver`, which .ci/run does)"
        );
    }
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(driver);
    panic!("chromedriver did not start on port {port}");
}

async fn browser(driver: &Driver, profile: &std::path::Path) -> Client {
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                format!("--user-data-dir={}", profile.display()),
                "--window-size=1280,1000",
            ],
            "prefs": {"intl.accept_languages": "zh-CN,zh"}
        },
        "goog:loggingPrefs": {"browser": "ALL"}
    });
    let Value::Object(caps) = caps else {
        unreachable!()
    };
    // chromedriver is on 127.0.0.1: plain HTTP, no TLS stack needed.
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

/// `target/screenshots/`, wherever the target dir is (the test binary is in `target/debug/deps`).
fn screenshot_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe
        .ancestors()
        .nth(3)
        .expect("target dir above the test binary");
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Walk {
    b: Client,
    app: TestApp,
    shots: PathBuf,
    n: usize,
}

impl Walk {
    async fn go(&self, path: &str) {
        self.b.goto(&self.app.url(path)).await.unwrap();
        self.settle().await;
    }

    /// Waits for the page to load and fails on any error it recorded.
    async fn settle(&self) {
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

    async fn el(&self, css: &str) -> fantoccini::elements::Element {
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

    async fn exists(&self, css: &str) -> bool {
        !self.b.find_all(Locator::Css(css)).await.unwrap().is_empty()
    }

    async fn text(&self, css: &str) -> String {
        self.el(css).await.text().await.unwrap()
    }

    /// Clicks something that loads a new page, and waits for that page.
    async fn click(&self, css: &str) {
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
    async fn tick(&self, css: &str) {
        self.el(css).await.click().await.unwrap();
    }

    async fn fill(&self, css: &str, text: &str) {
        let e = self.el(css).await;
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    async fn select(&self, css: &str, value: &str) {
        self.el(css).await.select_by_value(value).await.unwrap();
    }

    /// Photographs the whole page in Chinese and in English (switching with the page's own link).
    async fn shoot(&mut self, name: &str) {
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
            let png = self.b.screenshot().await.unwrap();
            let file = self.shots.join(format!("{:02}-{name}-{lang}.png", self.n));
            std::fs::write(&file, png).unwrap();
        }
        self.click("#lang-zh").await;
        self.b.set_window_size(1280, 1000).await.unwrap();
    }

    /// The same page on a phone's width.
    async fn shoot_phone(&mut self, name: &str) {
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
        let png = self.b.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("phone-{name}.png")), png).unwrap();
        self.b.set_window_size(1280, 1000).await.unwrap();
    }

    async fn sign_in(&self, user: &str) {
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

    async fn sign_out(&self) {
        self.click("#sign-out").await;
        assert!(self.exists("#sign-in").await);
    }

    async fn fill_complaint(&self, description: &str) {
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

    async fn state(&self) -> String {
        self.el("#state")
            .await
            .attr("data-state")
            .await
            .unwrap()
            .unwrap()
    }
}

/// A real PNG (a 24×24 red square), for the photo evidence.
fn photo(dir: &std::path::Path) -> PathBuf {
    let (w, h) = (24u32, 24u32);
    let mut raw = vec![];
    for _ in 0..h {
        // Filter "none", then the row's red pixels.
        raw.push(0u8);
        raw.extend(std::iter::repeat_n([220u8, 40, 40], w as usize).flatten());
    }
    // zlib stored blocks (no compression) keep this free of a deflate dependency.
    let mut z = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = raw.chunks(65535).collect();
    for (i, c) in chunks.iter().enumerate() {
        z.push(u8::from(i + 1 == chunks.len()));
        z.extend_from_slice(&(c.len() as u16).to_le_bytes());
        z.extend_from_slice(&(!(c.len() as u16)).to_le_bytes());
        z.extend_from_slice(c);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc_in = kind.to_vec();
        crc_in.extend_from_slice(data);
        out.extend_from_slice(&crc_in);
        let mut crc = 0xffff_ffffu32;
        for byte in crc_in {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    0xedb8_8320 ^ (crc >> 1)
                } else {
                    crc >> 1
                };
            }
        }
        out.extend_from_slice(&(!crc).to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = vec![];
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &z);
    chunk(&mut png, b"IEND", &[]);
    let path = dir.join("cracked-flask.png");
    std::fs::write(&path, png).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_walk_in_chromium() {
    let driver = start_driver().await;
    let profile = tempfile::tempdir().unwrap();
    let app = spawn_app(Backend::Sqlite).await;
    let b = browser(&driver, profile.path()).await;
    let mut w = Walk {
        b,
        app,
        shots: screenshot_dir(),
        n: 0,
    };
    let result = walk(&mut w, profile.path()).await;
    w.b.clone().close().await.unwrap();
    result
}

async fn walk(w: &mut Walk, tmp: &std::path::Path) {
    // Signing in: a wrong password is a clear message, in the page's language.
    w.go("/orders").await;
    assert!(
        w.exists("#sign-in").await,
        "signed-out visitors are sent to sign in"
    );
    w.fill("#username", "buyer01").await;
    w.fill("#password", "not-the-password").await;
    w.click("#sign-in").await;
    assert!(w.text("#error").await.contains("用户名或密码错误"));
    w.shoot("sign-in-error").await;

    // The consumer files from an order, is warned about a vague and heated text first.
    w.sign_in("buyer01").await;
    w.shoot("consumer-orders").await;
    w.shoot_phone("consumer-orders").await;

    // 客服小蜜's chat page speaks over the WebSocket once it is open: no page load per message.
    w.click("#nav-chat").await;
    w.el("#chat-form[data-live]").await;
    w.fill("#chat-text", "我买的杯子漏水").await;
    w.b.execute("window.wqOldPage = true", vec![])
        .await
        .unwrap();
    w.el("#chat-send").await.click().await.unwrap();
    w.el("#chat-turns .turn.consumer").await;
    let answer = w.text("#chat-turns .turn.assistant .body").await;
    assert!(answer.contains("订单"), "{answer}");
    assert_eq!(
        w.b.execute("return window.wqOldPage === true", vec![])
            .await
            .unwrap(),
        json!(true),
        "the message went over the socket, not as a form post"
    );
    // The address now names the conversation, so the language switch comes back to it.
    assert!(
        w.b.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("/chat?session=")
    );
    w.settle().await;
    w.shoot("consumer-chat").await;
    w.shoot_phone("consumer-chat").await;
    w.go("/orders").await;
    let a1 = order("A1");
    w.click(&format!("a[data-order='{a1}']")).await;
    w.fill_complaint("垃圾东西！！！骗子商家，气死我了！！！")
        .await;
    w.click("#submit").await;
    assert!(
        w.exists("#warning").await,
        "a heated, vague description is warned about"
    );
    assert!(w.exists("#calm").await, "with a calmer version to use");
    w.shoot("consumer-file-warning").await;
    // (The language switch reloaded the empty form.)
    w.fill_complaint(
        "昨天收到的保温杯杯身有一道裂缝，倒入热水后从杯底漏水，已拍照留证，希望全额退款。",
    )
    .await;
    w.click("#submit").await;
    // A calm description that names the product, the time and the claim files at once.
    assert!(
        !w.exists("#warning").await,
        "no warning for a precise, calm description"
    );
    assert_eq!(w.state().await, "awaiting_merchant");
    let id: i64 =
        w.b.current_url()
            .await
            .unwrap()
            .path()
            .rsplit('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
    // Escalating before the merchant has answered is explained, not offered.
    assert!(w.exists("#why-escalate").await);
    assert!(w.text("#why-escalate").await.contains("商家"));

    // A photo, previewed before upload and shown after.
    let png = photo(tmp);
    w.el("#evidence-file")
        .await
        .send_keys(png.to_str().unwrap())
        .await
        .unwrap();
    w.el("#evidence-preview img").await; // the preview, before the upload
    w.click("#upload").await;
    // The preview is the stored file, fetched through the page's permission check.
    let mut loaded = json!(false);
    for _ in 0..50 {
        loaded =
            w.b.execute(
                "var i = document.querySelector('.side.consumer .evidence img'); \
                 return !!i && i.complete && i.naturalWidth === 24",
                vec![],
            )
            .await
            .unwrap();
        if loaded == json!(true) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(loaded, json!(true), "the uploaded photo is shown");
    w.shoot("consumer-complaint-filed").await;
    w.shoot_phone("consumer-complaint").await;
    w.go("/complaints").await;
    w.shoot("consumer-complaints").await;

    // A violation is reported to tier 3, not complained about: an IP notice with its proof.
    w.click("#nav-reports").await;
    w.click("#new-report").await;
    w.fill("#report-shop", "shop-a").await;
    w.select("#report-kind", "ip_infringement").await;
    w.fill("#report-listing", "青山牌保温杯 500ml").await;
    w.fill(
        "#report-description",
        "该商品使用了我方注册商标“青山”图案，未经授权销售，附商标注册证。",
    )
    .await;
    w.click("#report-submit").await;
    assert!(w.text("#report-state").await.contains("下架"));
    w.el("#evidence-file")
        .await
        .send_keys(png.to_str().unwrap())
        .await
        .unwrap();
    w.click("#upload").await;
    assert!(
        w.exists("#evidence .evidence img").await,
        "the proof is shown"
    );
    w.shoot("consumer-report").await;
    w.shoot_phone("consumer-report").await;
    w.sign_out().await;

    // The merchant rejects from the queue, seeing the consumer's photo.
    w.sign_in("seller01").await;
    w.shoot("merchant-queue").await;
    w.click(&format!("a.complaint-link[data-id='{id}']")).await;
    assert!(w.exists(".side.consumer .evidence img").await);
    w.fill(
        "#reject-message",
        "杯子出库前检测无裂缝，怀疑运输途中损坏，请联系快递理赔。",
    )
    .await;
    w.click("#form-reject #action-reject").await;
    assert_eq!(w.state().await, "awaiting_consumer");
    w.shoot("merchant-rejected").await;
    w.go("/shops").await;
    w.shoot("merchant-standing").await;
    // The IP notice about the shop: the listing is down; the merchant counter-notifies.
    w.click("#nav-reports").await;
    w.click("#reports tbody a").await;
    assert!(
        w.exists("#evidence .evidence img").await,
        "the rights holder's proof"
    );
    w.fill(
        "#counter-statement",
        "本店保温杯为青山品牌授权销售，授权书见附件。",
    )
    .await;
    w.click("#counter-submit").await;
    assert!(w.exists("#restore-at").await, "the restore clock runs");
    w.shoot("merchant-counter-notice").await;
    w.sign_out().await;

    // The consumer escalates to customer service.
    w.sign_in("buyer01").await;
    w.go(&format!("/complaints/{id}")).await;
    w.fill("#escalate-reason", "商家拒绝处理，申请客服介入。")
        .await;
    w.click("#form-escalate #action-escalate").await;
    assert_eq!(w.state().await, "mediation");
    w.sign_out().await;

    // Tier 1 proposes.
    w.sign_in("agent01").await;
    w.shoot("agent-workbench").await;
    w.click(&format!("a.complaint-link[data-id='{id}']")).await;
    w.select("#propose-remedy-kind", "refund").await;
    w.fill("#propose-remedy-amount", "44.50").await;
    w.fill(
        "#propose-message",
        "建议商家退款一半，双方各承担一部分损失。",
    )
    .await;
    w.click("#form-propose #action-propose").await;
    assert_eq!(w.state().await, "mediation");
    assert!(w.text("#proposal").await.contains("44.50"));
    w.shoot("agent-proposed").await;
    w.sign_out().await;

    // The consumer escalates again: tier 2.
    w.sign_in("buyer01").await;
    w.go(&format!("/complaints/{id}")).await;
    w.click("#form-escalate #action-escalate").await;
    assert_eq!(w.state().await, "protection_review");
    w.sign_out().await;

    // Protection rules, citing rules from the list; a ruling without one is refused in place.
    w.sign_in("guard01").await;
    w.shoot("protection-workbench").await;
    w.click(&format!("a.complaint-link[data-id='{id}']")).await;
    w.select("#decision", "uphold").await;
    w.select("#rule-remedy-kind", "refund").await;
    w.fill("#rule-remedy-amount", "89").await;
    w.click("#form-rule #action-rule").await;
    assert!(
        w.text("#error").await.contains("规则"),
        "a ruling cites a rule"
    );
    assert_eq!(w.state().await, "protection_review");
    w.tick("#form-rule input[name=rule_refs]").await;
    w.click("#form-rule #action-rule").await;
    assert_eq!(w.state().await, "resolved");
    assert!(w.text("#resolution").await.contains("淘宝平台争议处理规则"));
    w.shoot("protection-ruled").await;
    w.sign_out().await;

    // Tier 3: the dashboard's charts (of the period up to now, an hour later), and the cases.
    w.app.advance(chrono::Duration::hours(1));
    w.sign_in("regulator01").await;
    let charts = w
        .b
        .execute(
            "return ['chart-per-day','chart-shops','chart-sla'].map(function (id) { var s = document.querySelector('#' + id + ' svg'); return !!s && s.getBBox().width > 100; })",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(charts, json!([true, true, true]), "three charts drawn");
    assert_eq!(w.text("#total").await, "1");
    w.shoot("regulator-dashboard").await;
    w.go("/cases").await;
    w.shoot("regulator-cases").await;
    w.sign_out().await;

    // An address that does not exist is a page, not JSON, for a browser.
    w.go("/no-such-page").await;
    assert!(w.text("#error").await.contains("找不到"));

    // The admin: accounts, imports, the policy.
    w.sign_in("admin").await;
    w.shoot("admin-accounts").await;
    w.go("/admin/import").await;
    w.shoot("admin-import").await;
    w.go("/admin/policy").await;
    w.shoot("admin-policy").await;
    w.sign_out().await;
}
