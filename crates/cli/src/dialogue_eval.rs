//! `weiquan assistant dialogue-eval FILE`: 客服小蜜 end to end, as a consumer meets her.
//!
//! Each dialogue gets a server in this process on a fresh temporary SQLite data dir with a
//! manual clock set to the dialogue's `now`; a buyer and their orders are imported (the
//! marketplace import path), and the dialogue is played through the real chat
//! API (`POST /api/v1/assistant/chat`): the `opening` messages, then up to [`MAX_TURNS`]
//! messages in all — a confirmation in the dialogue's language when a draft awaits it, the
//! answer for the slot `awaiting` names when the file has one unused, else the next unused
//! answer in the order order, what_happened, when, claim — until a complaint is filed or the
//! answers run out. The filed complaint is read back through the API and scored: category,
//! order number, claim kind, amount, incident day (Asia/Shanghai), all of them right, and the
//! consumer's messages per filed complaint.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use weiquan_domain::records::{Commitments, OrderItem, OrderRecord, ShopRecord};
use weiquan_domain::*;
use weiquan_store::{Clock as _, ManualClock, NewUser, Store, SystemClock};

/// The most messages a consumer sends in one dialogue.
pub const MAX_TURNS: usize = 12;
/// The order in which answers are offered when 小蜜 waits for nothing the file answers.
const SLOTS: [&str; 4] = ["order", "what_happened", "when", "claim"];
const PASSWORD: &str = "dialogue-eval-password";

#[derive(Debug, Deserialize)]
struct DialogueOrder {
    order_no: String,
    shop: String,
    item: String,
    amount_yuan: f64,
    paid: NaiveDate,
    #[serde(default)]
    delivered: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
struct Expect {
    category: String,
    order_no: String,
    #[serde(default)]
    claim: Option<String>,
    #[serde(default)]
    amount_yuan: Option<f64>,
    #[serde(default)]
    date: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
struct Dialogue {
    id: String,
    lang: String,
    now: DateTime<chrono::FixedOffset>,
    orders: Vec<DialogueOrder>,
    opening: Vec<String>,
    #[serde(default)]
    answers: BTreeMap<String, String>,
    expect: Expect,
}

/// What one dialogue came to.
#[derive(Debug, Default)]
struct Played {
    /// The consumer's messages and 小蜜's replies, in turn.
    transcript: Vec<(String, String)>,
    complaint: Option<Value>,
}

/// The per-field verdicts of one dialogue.
#[derive(Debug, Default, Clone, Copy)]
struct Verdict {
    filed: bool,
    category: bool,
    order: bool,
    claim: bool,
    amount: Option<bool>,
    date: Option<bool>,
}

impl Verdict {
    fn all_right(&self) -> bool {
        self.filed
            && self.category
            && self.order
            && self.claim
            && self.amount != Some(false)
            && self.date != Some(false)
    }
}

fn shanghai_day(at: &str) -> Option<NaiveDate> {
    let t = DateTime::parse_from_rfc3339(at).ok()?;
    Some(
        t.with_timezone(&weiquan_assistant::slots::time::shanghai())
            .date_naive(),
    )
}

/// 10:00 in Shanghai on `day`, as UTC.
fn morning(day: NaiveDate) -> Timestamp {
    weiquan_assistant::slots::time::shanghai()
        .from_local_datetime(&day.and_hms_opt(10, 0, 0).expect("valid time"))
        .single()
        .expect("Shanghai has no gaps")
        .with_timezone(&Utc)
}

fn judge(d: &Dialogue, c: Option<&Value>) -> Verdict {
    let Some(c) = c else {
        return Verdict {
            amount: d.expect.amount_yuan.map(|_| false),
            date: d.expect.date.map(|_| false),
            ..Verdict::default()
        };
    };
    let e = &d.expect;
    let kind = c["claim"]["kind"].as_str();
    let cents = c["claim"]["amount_cents"].as_i64();
    Verdict {
        filed: true,
        category: c["category"].as_str() == Some(e.category.as_str()),
        order: c["order_no"].as_str() == Some(e.order_no.as_str()),
        claim: e.claim.as_deref().is_none_or(|k| kind == Some(k)),
        amount: e
            .amount_yuan
            .map(|y| cents == Some((y * 100.0).round() as i64)),
        date: e
            .date
            .map(|day| c["incident_at"].as_str().and_then(shanghai_day) == Some(day)),
    }
}

/// The in-process server of one dialogue: its base URL, store and clock. Each dialogue gets
/// its own data dir, so that dialogues may reuse order numbers.
struct Server {
    base: String,
    store: Arc<dyn Store>,
    clock: Arc<ManualClock>,
    http: reqwest::Client,
    hash: String,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    async fn start(hash: &str, http: &reqwest::Client) -> anyhow::Result<Server> {
        let dir = tempfile::tempdir()?;
        let store: Arc<dyn Store> = Arc::new(
            weiquan_store::sqlite::SqliteStore::open(&dir.path().join("data"), Policy::default())
                .await?,
        );
        let clock = Arc::new(ManualClock::new(SystemClock.now()));
        let state = weiquan_server::AppState::new(store.clone()).with_clock(clock.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let task = tokio::spawn(weiquan_server::serve(state, listener, None));
        Ok(Server {
            base,
            store,
            clock,
            http: http.clone(),
            hash: hash.to_owned(),
            task,
            _dir: dir,
        })
    }

    /// The dialogue's buyer, shops and orders, at its `now`; the buyer's bearer token.
    async fn prepare(&self, n: usize, d: &Dialogue) -> anyhow::Result<String> {
        let now = d.now.with_timezone(&Utc);
        self.clock.set(now);
        let buyer =
            Username::parse(&format!("dlgbuyer{n:05}")).map_err(|e| anyhow::anyhow!("{e}"))?;
        self.store
            .ensure_users(
                vec![NewUser {
                    username: buyer.clone(),
                    role: Role::Consumer,
                    display_name: format!("对话买家{n}"),
                    password_hash: Some(self.hash.clone()),
                }],
                now,
            )
            .await?;
        let mut shops: Vec<&str> = d.orders.iter().map(|o| o.shop.as_str()).collect();
        shops.dedup();
        let shop_id = |name: &str| {
            let k = shops.iter().position(|s| *s == name).unwrap_or(0);
            ShopId::parse(&format!("dlg-{n:05}-{k:02}")).expect("valid shop id")
        };
        let records = shops
            .iter()
            .map(|s| ShopRecord {
                id: shop_id(s),
                name: s.to_string(),
                merchant: Username::parse(&format!("dlgseller{n:05}")).expect("valid"),
                commitments: Commitments {
                    seven_day_return: true,
                    authentic_guarantee: true,
                    ship_within_hours: None,
                },
            })
            .collect();
        if let Some(Err(e)) = self
            .store
            .import_shops(records, now)
            .await?
            .into_iter()
            .find(|r| r.is_err())
        {
            bail!("{}: shop import failed: {e}", d.id);
        }
        let mut orders = Vec::new();
        for o in &d.orders {
            let cents = Cents::new((o.amount_yuan * 100.0).round() as i64)
                .map_err(|e| anyhow::anyhow!("{}: amount_yuan: {e}", d.id))?;
            let paid = morning(o.paid);
            // Delivered the day it was paid: in the afternoon, shipped in between.
            let delivered = o
                .delivered
                .map(|d| morning(d).max(paid + chrono::Duration::hours(6)));
            orders.push(OrderRecord {
                order_no: OrderNo::parse(&o.order_no)
                    .map_err(|e| anyhow::anyhow!("{}: order_no {}: {e}", d.id, o.order_no))?,
                buyer: buyer.clone(),
                shop_id: shop_id(&o.shop),
                items: vec![OrderItem {
                    title: o.item.clone(),
                    price_cents: cents,
                    qty: 1,
                    return_exempt: None,
                }],
                amount_cents: cents,
                paid_at: paid,
                shipped_at: delivered
                    .map(|d| paid + ((d - paid) / 2).min(chrono::Duration::hours(12))),
                delivered_at: delivered,
            });
        }
        if let Some(Err(e)) = self
            .store
            .import_orders(orders, now)
            .await?
            .into_iter()
            .find(|r| r.is_err())
        {
            bail!("{}: order import failed: {e}", d.id);
        }
        let r: Value = self
            .http
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({"username": buyer.as_str(), "password": PASSWORD}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(r["token"]
            .as_str()
            .context("login gave no token")?
            .to_owned())
    }

    async fn say(&self, token: &str, session: Option<&str>, text: &str) -> anyhow::Result<Value> {
        let mut body = json!({ "text": text });
        if let Some(s) = session {
            body["session_id"] = json!(s);
        }
        let r = self
            .http
            .post(format!("{}/api/v1/assistant/chat", self.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await?;
        let status = r.status();
        let v: Value = r.json().await?;
        if !status.is_success() {
            bail!("chat answered {status}: {v}");
        }
        Ok(v)
    }

    async fn play(&self, n: usize, d: &Dialogue) -> anyhow::Result<Played> {
        let token = self.prepare(n, d).await?;
        let mut played = Played::default();
        let mut session: Option<String> = None;
        let mut last = Value::Null;
        let mut sent = 0usize;
        let mut used: Vec<&str> = Vec::new();
        let confirm = match d.lang.as_str() {
            "en" => "yes",
            "zh-TW" => "確認",
            _ => "确认",
        };
        let mut queue: Vec<String> = d.opening.clone();
        queue.reverse();
        loop {
            if last["complaint_id"].is_i64() || sent >= MAX_TURNS {
                break;
            }
            let next = if let Some(m) = queue.pop() {
                m
            } else if last["draft"].is_object() && last["awaiting"] == "confirm" {
                confirm.to_string()
            } else {
                let wanted: Option<&'static str> = match last["awaiting"].as_str() {
                    Some("pick") => Some("order"),
                    Some(other) => SLOTS.into_iter().find(|s| *s == other),
                    None => None,
                };
                let slot = wanted
                    .filter(|s| d.answers.contains_key(*s) && !used.contains(s))
                    .or_else(|| {
                        SLOTS
                            .into_iter()
                            .find(|s| d.answers.contains_key(*s) && !used.contains(s))
                    });
                let Some(slot) = slot else { break };
                used.push(slot);
                d.answers[slot].clone()
            };
            last = self.say(&token, session.as_deref(), &next).await?;
            sent += 1;
            session = last["session_id"].as_str().map(str::to_owned);
            let reply = last["reply"].as_str().unwrap_or_default().to_owned();
            played.transcript.push((next, reply));
        }
        if let Some(id) = last["complaint_id"].as_i64() {
            let r = self
                .http
                .get(format!("{}/api/v1/complaints/{id}", self.base))
                .bearer_auth(&token)
                .send()
                .await?
                .error_for_status()?;
            played.complaint = Some(r.json().await?);
        }
        Ok(played)
    }
}

fn rate(right: usize, of: usize) -> Value {
    if of == 0 {
        Value::Null
    } else {
        json!((right as f64 / of as f64 * 10000.0).round() / 10000.0)
    }
}

pub async fn run(file: &Path, as_json: bool, show_errors: bool) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("无法读取 / cannot read {}", file.display()))?;
    let mut dialogues = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let d: Dialogue = serde_json::from_str(line).with_context(|| {
            format!(
                "第 {} 行不是对话格式（见 crates/assistant/README.md）/ line {} is not a dialogue (see crates/assistant/README.md)",
                i + 1,
                i + 1
            )
        })?;
        dialogues.push(d);
    }
    if dialogues.is_empty() {
        bail!(
            "{} 中没有对话 / no dialogues in {}",
            file.display(),
            file.display()
        );
    }
    let hash =
        tokio::task::spawn_blocking(|| weiquan_server::auth::hash_password(PASSWORD)).await?;
    tokio::task::spawn_blocking(weiquan_assistant::try_models).await??;
    let http = reqwest::Client::new();
    let mut verdicts = Vec::new();
    let mut errors = Vec::new();
    let (mut turns_filed, mut filed) = (0usize, 0usize);
    for (n, d) in dialogues.iter().enumerate() {
        let server = Server::start(&hash, &http).await?;
        let played = server.play(n, d).await?;
        let v = judge(d, played.complaint.as_ref());
        if v.filed {
            filed += 1;
            turns_filed += played.transcript.len();
        }
        if !v.all_right() {
            errors.push((d, v, played));
        }
        verdicts.push(v);
    }
    let n = verdicts.len();
    let count = |f: fn(&Verdict) -> bool| verdicts.iter().filter(|v| f(v)).count();
    let scored = |f: fn(&Verdict) -> Option<bool>| {
        let of = verdicts.iter().filter(|v| f(v).is_some()).count();
        let right = verdicts.iter().filter(|v| f(v) == Some(true)).count();
        rate(right, of)
    };
    let mut by_lang: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (d, v) in dialogues.iter().zip(&verdicts) {
        let e = by_lang.entry(d.lang.as_str()).or_default();
        e.1 += 1;
        if v.all_right() {
            e.0 += 1;
        }
    }
    let out = json!({
        "dialogues": n,
        "filed": rate(filed, n),
        "category": rate(count(|v| v.category), n),
        "order_no": rate(count(|v| v.order), n),
        "claim": rate(count(|v| v.claim), n),
        "amount": scored(|v| v.amount),
        "date": scored(|v| v.date),
        "all_right": rate(count(Verdict::all_right), n),
        "turns_per_filed": if filed == 0 { Value::Null } else { json!(turns_filed as f64 / filed as f64) },
        "all_right_by_lang": by_lang.iter().map(|(l, (r, of))| (l.to_string(), rate(*r, *of))).collect::<serde_json::Map<_, _>>(),
    });
    if as_json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("对话 / dialogues      {n}");
        for key in [
            "filed",
            "category",
            "order_no",
            "claim",
            "amount",
            "date",
            "all_right",
        ] {
            println!("{key:<22}{}", out[key]);
        }
        println!("{:<22}{}", "turns_per_filed", out["turns_per_filed"]);
        println!("{:<22}{}", "all_right_by_lang", out["all_right_by_lang"]);
    }
    if show_errors {
        for (d, v, played) in &errors {
            eprintln!(
                "\n== {} ({}) filed={} category={} order={} claim={} amount={:?} date={:?}",
                d.id, d.lang, v.filed, v.category, v.order, v.claim, v.amount, v.date
            );
            eprintln!(
                "   expected {} {} {:?} {:?} {:?}",
                d.expect.category,
                d.expect.order_no,
                d.expect.claim,
                d.expect.amount_yuan,
                d.expect.date
            );
            if let Some(c) = &played.complaint {
                eprintln!(
                    "   filed    {} {} {} {} {}",
                    c["category"], c["order_no"], c["claim"], c["incident_at"], c["description"]
                );
            }
            for (said, reply) in &played.transcript {
                eprintln!("   > {said}\n   < {}", reply.replace('\n', "\n     "));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
