//! `spawn_app`: a fresh store in a temporary dir, a small marketplace, the server on port 0,
//! on a clock the test moves. No deadline loop runs: a test moves the clock past a deadline and
//! fires it ([`TestApp::fire`]), so nothing depends on how long anything takes.

use std::sync::{Arc, LazyLock};

use chrono::Utc;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use weiquan_domain::records::{Commitments, OrderItem, OrderRecord, ShopRecord};
use weiquan_domain::*;
use weiquan_server::AppState;
use weiquan_store::postgres::{PgStore, ScratchDatabase};
use weiquan_store::sqlite::SqliteStore;
use weiquan_store::{Clock, ManualClock, NewUser, Store, SystemClock};

pub const PASSWORD: &str = "test-password-1";
static HASH: LazyLock<String> = LazyLock::new(|| weiquan_server::auth::hash_password(PASSWORD));

/// Which store a test runs on: every API test runs on both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates, for each named test body `async fn NAME(backend: Backend)`, a module `NAME` with
/// one `#[tokio::test]` per backend.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            }
        )+
    };
}

pub struct TestApp {
    pub base: String,
    pub http: Client,
    pub store: Arc<dyn Store>,
    /// The server's state, for firing deadlines and scans directly.
    pub state: AppState,
    /// The server's clock: it starts at the real time and moves only when the test moves it.
    pub clock: Arc<ManualClock>,
    pub _dir: tempfile::TempDir,
    pub _db: Option<ScratchDatabase>,
}

/// The PostgreSQL server the tests use (trust auth on these machines); `.ci/run` starts it.
fn admin_url() -> String {
    std::env::var("WEIQUAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Opens a fresh store of the given backend in (or with blobs in) `dir`.
pub async fn open_store(
    backend: Backend,
    dir: &std::path::Path,
    policy: Policy,
    max_blob: u64,
) -> (Arc<dyn Store>, Option<ScratchDatabase>) {
    match backend {
        Backend::Sqlite => (
            Arc::new(SqliteStore::open_with(dir, policy, max_blob).await.unwrap()),
            None,
        ),
        Backend::Postgres => {
            let admin = admin_url();
            let db = ScratchDatabase::create(&admin, "weiquan_test")
                .await
                .unwrap_or_else(|e| {
                    panic!("PostgreSQL is needed for the postgres tests ({admin}): {e}")
                });
            let store = PgStore::open_with(&db.url, &dir.join("blobs"), policy, max_blob)
                .await
                .unwrap();
            (Arc::new(store), Some(db))
        }
    }
}

/// Order numbers of the fixture: buyer01 has A1..A5 at shop-a and B1 at shop-b; buyer02 has A6.
/// Staff, reading the store directly (a shop's whole history, not only what is published).
pub const STAFF: weiquan_domain::Actor =
    weiquan_domain::Actor::new(weiquan_domain::UserId(1), weiquan_domain::Role::Regulator);

pub fn order(tag: &str) -> String {
    let n: u64 = match tag {
        "A1" => 1,
        "A2" => 2,
        "A3" => 3,
        "A4" => 4,
        "A5" => 5,
        "A6" => 6,
        "B1" => 7,
        _ => panic!("unknown fixture order {tag}"),
    };
    format!("2026110100000000{n:02}")
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_with(
        backend,
        Policy::default(),
        weiquan_store::blob::DEFAULT_MAX_BLOB,
    )
    .await
}

pub async fn spawn_with(backend: Backend, policy: Policy, max_blob: u64) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let (store, db) = open_store(backend, dir.path(), policy, max_blob).await;
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    let hash = tokio::task::spawn_blocking(|| HASH.clone()).await.unwrap();
    let users = [
        ("buyer01", Role::Consumer),
        ("buyer02", Role::Consumer),
        ("seller01", Role::Merchant),
        ("seller02", Role::Merchant),
        ("agent01", Role::CsAgent),
        ("guard01", Role::Protection),
        ("guard02", Role::Protection),
        ("regulator01", Role::Regulator),
        ("admin", Role::Admin),
    ];
    store
        .ensure_users(
            users
                .iter()
                .map(|(u, r)| NewUser {
                    username: Username::parse(u).unwrap(),
                    role: *r,
                    display_name: u.to_string(),
                    password_hash: Some(hash.clone()),
                })
                .collect(),
            clock.now(),
        )
        .await
        .unwrap();
    let shop = |id: &str, merchant: &str| ShopRecord {
        id: ShopId::parse(id).unwrap(),
        name: format!("{id} 旗舰店"),
        merchant: Username::parse(merchant).unwrap(),
        commitments: Commitments {
            seven_day_return: true,
            authentic_guarantee: true,
            ship_within_hours: Some(48),
        },
    };
    let out = store
        .import_shops(
            vec![shop("shop-a", "seller01"), shop("shop-b", "seller02")],
            clock.now(),
        )
        .await
        .unwrap();
    assert!(out.iter().all(|r| r.is_ok()));
    let paid = clock.now() - chrono::Duration::days(10);
    let mk = |tag: &str, buyer: &str, shop: &str| OrderRecord {
        order_no: OrderNo::parse(&order(tag)).unwrap(),
        buyer: Username::parse(buyer).unwrap(),
        shop_id: ShopId::parse(shop).unwrap(),
        items: vec![OrderItem {
            title: "304不锈钢保温杯 500ml".into(),
            price_cents: Cents::new(8900).unwrap(),
            qty: 1,
            return_exempt: None,
        }],
        amount_cents: Cents::new(8900).unwrap(),
        paid_at: paid,
        shipped_at: Some(paid + chrono::Duration::hours(12)),
        delivered_at: Some(paid + chrono::Duration::days(2)),
    };
    let orders = vec![
        mk("A1", "buyer01", "shop-a"),
        mk("A2", "buyer01", "shop-a"),
        mk("A3", "buyer01", "shop-a"),
        mk("A4", "buyer01", "shop-a"),
        mk("A5", "buyer01", "shop-a"),
        mk("A6", "buyer02", "shop-a"),
        mk("B1", "buyer01", "shop-b"),
    ];
    let out = store.import_orders(orders, clock.now()).await.unwrap();
    assert!(out.iter().all(|r| r.is_ok()), "{out:?}");

    let state = AppState::new(store.clone()).with_clock(clock.clone());
    TestApp {
        base: serve(state.clone()).await,
        http: Client::new(),
        store,
        state,
        clock,
        _dir: dir,
        _db: db,
    }
}

/// Serves `state` on a free local port, without a deadline loop; returns the base URL once the
/// server answers (so what it does at start, like seeding the brushing scan, is done).
async fn serve(state: AppState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(weiquan_server::serve(state, listener, None));
    let r = Client::new().get(format!("{base}/healthz")).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::OK);
    base
}

impl TestApp {
    /// Another server on the same store and clock (another node), its state set up by
    /// `configure`.
    pub async fn another_server(&self, configure: impl FnOnce(&mut AppState)) -> TestApp {
        let mut state = AppState::new(self.store.clone()).with_clock(self.clock.clone());
        configure(&mut state);
        TestApp {
            base: serve(state.clone()).await,
            http: Client::new(),
            store: self.store.clone(),
            state,
            clock: self.clock.clone(),
            _dir: tempfile::tempdir().unwrap(),
            _db: None,
        }
    }

    /// What time it is for the server.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Moves the server's clock forward.
    pub fn advance(&self, by: chrono::Duration) {
        self.clock.advance(by);
    }

    /// One round of the deadline loop at the clock's time: every deadline due by now fires
    /// before this returns. How many were due.
    pub async fn fire(&self) -> usize {
        weiquan_server::timers::fire_due(&self.state).await.unwrap()
    }

    /// Assigns every complaint still awaiting its wave, at the clock's time: what the node does
    /// right after each filing commits (see [`assign_waves`]).
    pub async fn assign_waves(&self) -> usize {
        assign_waves(self.store.as_ref(), self.now()).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn login(&self, username: &str) -> String {
        let r = self
            .http
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "login {username}");
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn get(&self, token: &str, path: &str) -> Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// A GET as anyone: no token, no cookie.
    pub async fn get_public(&self, path: &str) -> Response {
        self.http.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Response {
        self.http
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn file(&self, token: &str, body: Value) -> Response {
        self.post(token, "/api/v1/complaints", body).await
    }

    /// Files a valid complaint and returns its id.
    pub async fn file_ok(&self, token: &str, order_tag: &str, claim: Value) -> i64 {
        let r = self
            .file(token, complaint_body(&order(order_tag), claim))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
    }

    pub async fn act(&self, token: &str, id: i64, body: Value) -> Response {
        self.post(token, &format!("/api/v1/complaints/{id}/actions"), body)
            .await
    }

    /// Acts and expects success; returns the complaint.
    pub async fn act_ok(&self, token: &str, id: i64, body: Value) -> Value {
        let r = self.act(token, id, body.clone()).await;
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body} -> {v}");
        v
    }
}

pub fn complaint_body(order_no: &str, claim: Value) -> Value {
    json!({
        "order_no": order_no,
        "product": "304不锈钢保温杯 500ml",
        "category": "quality_defect",
        "incident_at": (Utc::now() - chrono::Duration::days(1)).to_rfc3339(),
        "description": "收到的保温杯杯身有一道裂缝，倒入热水后从底部漏水，已拍照留证。",
        "claim": claim,
    })
}

/// Asserts an error envelope with the given status and code; returns the body.
pub async fn assert_error(r: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(r.status(), status);
    let v: Value = r.json().await.expect("an error body is JSON");
    assert_eq!(v["error"]["code"], code, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{v}"
    );
    v
}

/// The response's JSON body, once its status is the one expected.
pub async fn json_of(r: reqwest::Response, status: StatusCode) -> Value {
    let got = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(got, status, "{v}");
    v
}

/// A real 1×1 PNG.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// Drains the collective queue (`Store::assign_collective`) until nothing waits: a filing's wave
/// is looked for after it commits, so a test that files and then expects a case calls this
/// first (never a sleep). How many complaints it assigned.
pub async fn assign_waves(store: &dyn Store, now: Timestamp) -> usize {
    let mut n = 0;
    loop {
        match store.assign_collective(now).await.unwrap() {
            0 => return n,
            k => n += k,
        }
    }
}
