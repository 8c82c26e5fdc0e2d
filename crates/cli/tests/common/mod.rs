//! Runs the real `weiquan` binary.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use serde_json::{Value, json};
use weiquan_domain::records::{Commitments, OrderItem, OrderRecord, ShopRecord};
use weiquan_domain::*;
use weiquan_store::{NewUser, Store};

pub const BIN: &str = env!("CARGO_BIN_EXE_weiquan");

pub struct Server {
    pub base: String,
    pub child: Child,
}

/// PostgreSQL connections per process: a file's tests run together, and all their nodes and
/// stores must stay under the server's `max_connections` (100 by default).
pub const NODE_CONNECTIONS: &str = "8";

impl Server {
    /// Starts `weiquan serve` on a free port and waits until it listens.
    #[allow(clippy::zombie_processes)] // the Server owns the child and waits for it on drop
    pub fn start(data_dir: &Path, extra: &[&str]) -> Server {
        Self::start_env(data_dir, extra, &[])
    }

    /// Starts one with these environment variables set too.
    #[allow(clippy::zombie_processes)]
    pub fn start_env(data_dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(BIN)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--timer-interval",
                "100ms",
                "--data-dir",
            ])
            .arg(data_dir)
            .args(extra)
            .env("WEIQUAN_LOG", "warn")
            .env("WEIQUAN_DATABASE_CONNECTIONS", NODE_CONNECTIONS)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the weiquan binary starts");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        loop {
            line.clear();
            assert!(
                out.read_line(&mut line).unwrap() > 0,
                "server exited before listening"
            );
            if let Some(addr) = line.trim().strip_prefix("weiquan listening on ") {
                let base = addr.to_owned();
                // Keep draining stdout so the child never blocks on a full pipe.
                std::thread::spawn(move || for _ in out.lines() {});
                return Server { base, child };
            }
        }
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Moves the clock of servers started with `--clock PATH`: the file is replaced at once, so a
/// server never reads it half-written.
pub fn set_clock(path: &Path, t: chrono::DateTime<chrono::Utc>) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, t.to_rfc3339()).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

pub fn weiquan(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("WEIQUAN_LOG", "warn")
        .env("WEIQUAN_DATABASE_CONNECTIONS", NODE_CONNECTIONS)
        .output()
        .expect("the weiquan binary runs")
}

pub async fn login(http: &reqwest::Client, base: &str, user: &str) -> String {
    let r: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": "weiquan-demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["token"]
        .as_str()
        .unwrap_or_else(|| panic!("login {user}: {r}"))
        .to_owned()
}

/// A complaint body on an order.
pub fn complaint(order_no: &str, claim: Value) -> Value {
    json!({
        "order_no": order_no,
        "product": "订单中的商品",
        "category": "quality_defect",
        "incident_at": (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339(),
        "description": "收到的商品有明显破损，无法正常使用，已拍照留证。",
        "claim": claim,
    })
}

/// A consumer's delivered orders, newest first.
pub async fn orders(http: &reqwest::Client, base: &str, token: &str) -> Vec<Value> {
    let v: Value = http
        .get(format!("{base}/api/v1/orders?limit=200"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["items"].as_array().unwrap().clone()
}

/// GET a JSON body as a signed-in user.
pub async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    token: &str,
) -> T {
    http.get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The demo's password, for every account [`seed`] makes.
pub const PASSWORD: &str = "weiquan-demo";

/// One shop (`seller01`'s) with `buyers` consumers (`buyer000`, …) of `per_buyer` paid orders
/// each, numbered `{year}{buyer:04}{i:010}`, and an `admin`.
pub async fn seed(store: &dyn Store, shop: &str, year: &str, buyers: usize, per_buyer: usize) {
    let hash = weiquan_server::auth::hash_password(PASSWORD);
    let account = |name: &str, role, display_name: String| NewUser {
        username: Username::parse(name).unwrap(),
        role,
        display_name,
        password_hash: Some(hash.clone()),
    };
    let mut users: Vec<NewUser> = (0..buyers)
        .map(|b| account(&format!("buyer{b:03}"), Role::Consumer, format!("买家{b}")))
        .collect();
    users.push(account("seller01", Role::Merchant, "卖家".into()));
    users.push(account("admin", Role::Admin, "管理员".into()));
    let now = chrono::Utc::now();
    store.ensure_users(users, now).await.unwrap();
    let shop_id = ShopId::parse(shop).unwrap();
    let record = ShopRecord {
        id: shop_id.clone(),
        name: "测试店".into(),
        merchant: Username::parse("seller01").unwrap(),
        commitments: Commitments::default(),
    };
    let out = store.import_shops(vec![record], now).await.unwrap();
    assert!(out.iter().all(|r| r.is_ok()));
    let paid = now - chrono::Duration::days(3);
    let orders: Vec<OrderRecord> = (0..buyers)
        .flat_map(|b| (0..per_buyer).map(move |i| (b, i)))
        .map(|(b, i)| OrderRecord {
            order_no: OrderNo::parse(&format!("{year}{b:04}{i:010}")).unwrap(),
            buyer: Username::parse(&format!("buyer{b:03}")).unwrap(),
            shop_id: shop_id.clone(),
            items: vec![OrderItem {
                title: "蓝牙耳机".into(),
                price_cents: Cents::new(9900).unwrap(),
                qty: 1,
                return_exempt: None,
            }],
            amount_cents: Cents::new(9900).unwrap(),
            paid_at: paid,
            shipped_at: None,
            delivered_at: None,
        })
        .collect();
    let out = store.import_orders(orders, now).await.unwrap();
    assert!(out.iter().all(|r| r.is_ok()));
}
