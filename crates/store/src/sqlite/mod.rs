//! The SQLite backend: WAL, `synchronous=FULL`, one group-committing writer thread, a pool of
//! read-only connections.
//!
//! It uses rusqlite rather than sqlx: the group commit runs every statement of a batch on one
//! thread, and sqlx-sqlite hands each statement to a worker thread and back, which measured
//! ~80 µs a statement here and capped intake below 2,000 complaints/s (BENCHMARKS.md).

mod audit;
mod conn;
mod ops;
#[cfg(test)]
mod tests;
mod writer;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{OptionalExtension, params};
use weiquan_domain::access;
use weiquan_domain::records::{OrderRecord, ShopRecord};
use weiquan_domain::*;

use futures::executor::block_on;

use self::conn::ReadPool;
use self::ops::{EVIDENCE_COLUMNS, SqliteOps, load_complaint};
use self::writer::Writer;
use crate::blob::{BlobStore, DEFAULT_MAX_BLOB};
use crate::chat::{ChatSave, ChatSession};
use crate::error::{Result, StoreError};
use crate::model::*;
use crate::rows::*;
use crate::tier3::{self, Report, SubjectTimer};
use crate::time::{from_ms, to_ms};
use crate::workflow;
use crate::{NewEvidence, Stats, StatsQuery, Store};
use weiquan_domain::tier3::{CaseAction, NewReport, ReportAction};

/// weiquan on one machine: `DATA_DIR/weiquan.db` and `DATA_DIR/blobs/`.
pub struct SqliteStore {
    read: Arc<ReadPool>,
    writer: Writer,
    blobs: BlobStore,
    policy: Arc<Policy>,
    windows: Arc<crate::collective::Windows>,
}

impl SqliteStore {
    /// Opens (creating if needed) the store in a data directory and applies migrations.
    pub async fn open(data_dir: &Path, policy: Policy) -> Result<SqliteStore> {
        Self::open_with(data_dir, policy, DEFAULT_MAX_BLOB).await
    }

    pub async fn open_with(data_dir: &Path, policy: Policy, max_blob: u64) -> Result<SqliteStore> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join("weiquan.db");
        let writer = {
            let path = path.clone();
            tokio::task::spawn_blocking(move || conn::open_writer(&path))
                .await
                .map_err(join_error)??
        };
        Ok(SqliteStore {
            read: Arc::new(ReadPool::new(&path)),
            writer: Writer::spawn(writer),
            blobs: BlobStore::open(data_dir.join("blobs"), max_blob)?,
            policy: Arc::new(policy),
            windows: Arc::default(),
        })
    }

    /// Keeps evidence in another blob store (an S3-compatible bucket that several nodes share).
    pub fn with_blobs(mut self, blobs: BlobStore) -> Self {
        self.blobs = blobs;
        self
    }

    /// Applies pending migrations without opening the rest of the store.
    pub async fn migrate(data_dir: &Path) -> Result<()> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join("weiquan.db");
        tokio::task::spawn_blocking(move || conn::open_writer(&path).map(drop))
            .await
            .map_err(join_error)?
    }

    /// A scan, on a blocking thread.
    async fn scan<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let read = self.read.clone();
        tokio::task::spawn_blocking(move || read.with(f))
            .await
            .map_err(join_error)?
    }

    fn visible(&self, actor: &Actor, id: ComplaintId) -> Result<Complaint> {
        let c = self
            .read
            .with(|c| load_complaint(c, id))?
            .ok_or_else(|| StoreError::Domain(access::not_found_complaint()))?;
        access::check_view(actor, &c)?;
        Ok(c)
    }

    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.writer.run(f).await
    }
}

fn join_error(e: tokio::task::JoinError) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn collect<T, R>(rows: impl Iterator<Item = rusqlite::Result<R>>) -> Result<Vec<T>>
where
    R: TryInto<T, Error = StoreError>,
{
    rows.map(|r| r.map_err(StoreError::from).and_then(TryInto::try_into))
        .collect()
}

#[async_trait]
impl Store for SqliteStore {
    async fn create_user(&self, user: NewUser) -> Result<User> {
        let now = chrono::Utc::now();
        self.write(move |c| block_on(workflow::create_user(&mut SqliteOps(c), user, now)))
            .await
    }

    async fn ensure_users(&self, users: Vec<NewUser>) -> Result<()> {
        let now = chrono::Utc::now();
        self.write(move |c| block_on(workflow::ensure_users(&mut SqliteOps(c), users, now)))
            .await
    }

    async fn user_for_login(&self, username: &str) -> Result<Option<(User, Option<String>)>> {
        let row = self.read.with(|c| {
            Ok(c.prepare_cached("SELECT id, username, role, display_name, password_hash FROM users WHERE username = ?1")?
                .query_row([username], UserRow::from_row)
                .optional()?)
        })?;
        row.map(|r| Ok((r.user()?, r.password_hash))).transpose()
    }

    async fn create_session(
        &self,
        user_id: UserId,
        token_hash: &str,
        expires_at: Timestamp,
    ) -> Result<()> {
        let token_hash = token_hash.to_owned();
        let now = chrono::Utc::now();
        self.write(move |c| {
            block_on(crate::ops::Ops::insert_session(
                &mut SqliteOps(c),
                user_id,
                &token_hash,
                now,
                expires_at,
            ))
        })
        .await
    }

    async fn session_user(&self, token_hash: &str, now: Timestamp) -> Result<Option<User>> {
        let row = self.read.with(|c| {
            Ok(c.prepare_cached(
                "SELECT u.id, u.username, u.role, u.display_name, NULL FROM sessions s \
                 JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1 AND s.expires_at > ?2",
            )?
            .query_row(params![token_hash, to_ms(now)], UserRow::from_row)
            .optional()?)
        })?;
        row.map(|r| r.user()).transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let token_hash = token_hash.to_owned();
        self.write(move |c| {
            block_on(crate::ops::Ops::delete_session(
                &mut SqliteOps(c),
                &token_hash,
            ))
        })
        .await
    }

    async fn users(&self, actor: &Actor, after: Option<i64>, limit: u32) -> Result<Page<User>> {
        workflow::check_admin(actor)?;
        let users: Vec<User> = self
            .scan(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT id, username, role, display_name, NULL FROM users \
                     WHERE (?1 IS NULL OR id > ?1) ORDER BY id LIMIT ?2",
                )?;
                stmt.query_map(params![after, limit], UserRow::from_row)?
                    .map(|r| r.map_err(StoreError::from).and_then(|r| r.user()))
                    .collect()
            })
            .await?;
        Ok(Page::of(users, limit, |u: &User| u.id.to_string()))
    }

    async fn set_role(
        &self,
        actor: &Actor,
        id: UserId,
        role: Role,
        now: Timestamp,
    ) -> Result<User> {
        let actor = actor.clone();
        self.write(move |c| block_on(workflow::set_role(&mut SqliteOps(c), &actor, id, role, now)))
            .await
    }

    async fn import_shops(&self, shops: Vec<ShopRecord>) -> Result<ImportOutcome> {
        let now = chrono::Utc::now();
        self.write(move |c| block_on(workflow::import_shops(&mut SqliteOps(c), shops, now)))
            .await
    }

    async fn import_orders(&self, orders: Vec<OrderRecord>) -> Result<ImportOutcome> {
        let now = chrono::Utc::now();
        self.write(move |c| block_on(workflow::import_orders(&mut SqliteOps(c), orders, now)))
            .await
    }

    async fn shop(&self, id: &ShopId, now: Timestamp) -> Result<Option<Shop>> {
        self.read.with(|c| {
            let row: Option<(String, String, i64, String, f64, String)> = c
                .prepare_cached("SELECT id, name, merchant_id, commitments, search_weight, status FROM shops WHERE id = ?1")?
                .query_row([id.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
                .optional()?;
            let Some((sid, name, merchant_id, commitments, search_weight, status)) = row else {
                return Ok(None);
            };
            let year_ago = now - chrono::Duration::days(365);
            let points: i64 = c
                .prepare_cached("SELECT COALESCE(SUM(points), 0) FROM violations WHERE shop_id = ?1 AND at > ?2")?
                .query_row(params![id.as_str(), to_ms(year_ago)], |r| r.get(0))?;
            let mut stmt = c.prepare_cached(
                "SELECT id, penalty, search_weight, starts_at, ends_at, reason, appeal FROM penalties \
                 WHERE shop_id = ?1 AND lifted_at IS NULL AND starts_at <= ?2 AND (ends_at IS NULL OR ends_at > ?2) ORDER BY starts_at",
            )?;
            let active = collect(stmt.query_map(params![id.as_str(), to_ms(now)], PenaltyRow::from_row)?)?;
            Ok(Some(Shop {
                id: ShopId::parse(&sid).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                name,
                merchant_id: UserId(merchant_id),
                commitments: crate::rows::json("shop commitments", &commitments)?,
                points,
                search_weight,
                status,
                active_penalties: active,
            }))
        })
    }

    async fn penalties(&self, id: &ShopId) -> Result<Vec<PenaltyRecord>> {
        self.read.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, penalty, search_weight, starts_at, ends_at, reason, appeal FROM penalties WHERE shop_id = ?1 ORDER BY starts_at DESC",
            )?;
            collect(stmt.query_map([id.as_str()], PenaltyRow::from_row)?)
        })
    }

    async fn orders(
        &self,
        actor: &Actor,
        before: Option<&OrderNo>,
        limit: u32,
    ) -> Result<Page<Order>> {
        let (consumer, merchant) = visibility_ids(actor);
        let before = before.map(|o| o.as_str().to_owned());
        let items: Vec<Order> = self
            .scan(move |c| {
                let mut stmt = c.prepare_cached(&format!(
                    "{ORDER_SELECT} WHERE (?1 IS NULL OR o.buyer_id = ?1) AND (?2 IS NULL OR s.merchant_id = ?2) \
                     AND (?3 IS NULL OR o.order_no < ?3) ORDER BY o.order_no DESC LIMIT ?4"
                ))?;
                collect(stmt.query_map(params![consumer, merchant, before, limit], OrderRow::from_row)?)
            })
            .await?;
        Ok(Page::of(items, limit, |o: &Order| o.order_no.to_string()))
    }

    async fn file_complaint(
        &self,
        actor: &Actor,
        new: NewComplaint,
        channel: Channel,
        now: Timestamp,
    ) -> Result<Complaint> {
        let (actor, policy, windows) = (actor.clone(), self.policy.clone(), self.windows.clone());
        self.write(move |c| {
            block_on(workflow::file_complaint(
                &mut SqliteOps(c),
                &windows,
                &actor,
                new,
                channel,
                now,
                &policy,
            ))
        })
        .await
    }

    async fn complaint(&self, actor: &Actor, id: ComplaintId) -> Result<Complaint> {
        self.visible(actor, id)
    }

    async fn complaints(&self, actor: &Actor, f: ComplaintFilter) -> Result<Page<Complaint>> {
        let (consumer, merchant) = visibility_ids(actor);
        let limit = f.limit;
        let items: Vec<Complaint> = self
            .scan(move |c| {
                let mut stmt = c.prepare_cached(&format!(
                    "{COMPLAINT_SELECT} WHERE (?1 IS NULL OR c.consumer_id = ?1) AND (?2 IS NULL OR s.merchant_id = ?2) \
                     AND (?3 IS NULL OR c.state = ?3) AND (?4 IS NULL OR c.tier = ?4) AND (?5 IS NULL OR c.shop_id = ?5) \
                     AND (?6 IS NULL OR c.id < ?6) ORDER BY c.id DESC LIMIT ?7"
                ))?;
                let rows = stmt.query_map(
                    params![
                        consumer,
                        merchant,
                        f.state.map(|s| s.as_str()),
                        f.tier.map(|t| t.as_str()),
                        f.shop_id.as_ref().map(|s| s.as_str()),
                        f.before_id,
                        f.limit
                    ],
                    ComplaintRow::from_row,
                )?;
                collect(rows)
            })
            .await?;
        Ok(Page::of(items, limit, |c: &Complaint| c.id.to_string()))
    }

    async fn act(
        &self,
        actor: &Actor,
        id: ComplaintId,
        action: Action,
        now: Timestamp,
    ) -> Result<Complaint> {
        let (actor, policy) = (actor.clone(), self.policy.clone());
        self.write(move |c| {
            block_on(workflow::act(
                &mut SqliteOps(c),
                &actor,
                id,
                action,
                now,
                &policy,
            ))
        })
        .await
    }

    async fn add_message(
        &self,
        actor: &Actor,
        id: ComplaintId,
        body: String,
        now: Timestamp,
    ) -> Result<Message> {
        let actor = actor.clone();
        self.write(move |c| {
            block_on(workflow::add_message(
                &mut SqliteOps(c),
                &actor,
                id,
                body,
                now,
            ))
        })
        .await
    }

    async fn messages(&self, actor: &Actor, id: ComplaintId) -> Result<Vec<Message>> {
        self.visible(actor, id)?;
        self.read.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, complaint_id, author_id, author_role, body, at FROM messages WHERE complaint_id = ?1 ORDER BY id",
            )?;
            collect(stmt.query_map([id.0], MessageRow::from_row)?)
        })
    }

    async fn add_evidence(
        &self,
        actor: &Actor,
        id: ComplaintId,
        ev: NewEvidence,
        now: Timestamp,
    ) -> Result<Evidence> {
        let actor = actor.clone();
        self.write(move |c| {
            block_on(workflow::add_evidence(
                &mut SqliteOps(c),
                &actor,
                id,
                ev,
                now,
            ))
        })
        .await
    }

    async fn evidence_list(&self, actor: &Actor, id: ComplaintId) -> Result<Vec<Evidence>> {
        self.visible(actor, id)?;
        self.read.with(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {} FROM evidence WHERE complaint_id = ?1 ORDER BY at, sha256",
                EVIDENCE_COLUMNS
            ))?;
            collect(stmt.query_map([id.0], EvidenceRow::from_row)?)
        })
    }

    async fn evidence(
        &self,
        actor: &Actor,
        id: ComplaintId,
        sha: &Sha256,
    ) -> Result<(Evidence, Vec<u8>)> {
        self.visible(actor, id)?;
        let row = self.read.with(|c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {}, inline_data FROM evidence WHERE complaint_id = ?1 AND sha256 = ?2",
                EVIDENCE_COLUMNS
            ))?
            .query_row(params![id.0, sha.as_str()], |r| {
                Ok((EvidenceRow::from_row(r)?, r.get::<_, Option<Vec<u8>>>(7)?))
            })
            .optional()?)
        })?;
        let (ev, inline) = row.ok_or_else(|| {
            StoreError::not_found(
                "这条投诉中没有这份证据",
                "no such evidence in this complaint",
            )
        })?;
        let bytes = match inline {
            Some(b) => b,
            None => self.blobs.get(sha).await?,
        };
        Ok((ev.try_into()?, bytes))
    }

    async fn complaint_events(&self, actor: &Actor, id: ComplaintId) -> Result<Vec<Event>> {
        self.visible(actor, id)?;
        self.read.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, stream, seq, at, actor, kind, data, prev_hash, hash FROM events WHERE stream = ?1 ORDER BY seq",
            )?;
            collect(stmt.query_map([workflow::complaint_stream(id)], EventRow::from_row)?)
        })
    }

    async fn chat_session(&self, actor: &Actor, id: &str) -> Result<ChatSession> {
        crate::chat::read_session(self, actor, id).await
    }

    async fn save_chat(&self, actor: &Actor, save: ChatSave, now: Timestamp) -> Result<()> {
        let a = actor.clone();
        let save_is_durable = save.durable();
        let job = move |c: &rusqlite::Connection| {
            block_on(crate::chat::save(&mut SqliteOps(c), &a, save, now))
        };
        if save_is_durable {
            self.writer.run(job).await
        } else {
            self.writer.run_relaxed(job).await
        }
    }

    async fn file_chat_complaint(
        &self,
        actor: &Actor,
        new: NewComplaint,
        transcript: NewEvidence,
        save: ChatSave,
        now: Timestamp,
    ) -> Result<Complaint> {
        let (a, policy, windows) = (actor.clone(), self.policy.clone(), self.windows.clone());
        self.write(move |c| {
            block_on(crate::chat::file_complaint(
                &mut SqliteOps(c),
                &windows,
                &a,
                new,
                transcript,
                save,
                now,
                &policy,
            ))
        })
        .await
    }

    async fn chat_handovers(&self, actor: &Actor, limit: u32) -> Result<Vec<ChatSession>> {
        crate::chat::handovers(self, actor, limit).await
    }

    async fn take_chat(&self, actor: &Actor, id: &str, now: Timestamp) -> Result<ChatSession> {
        let (a, sid) = (actor.clone(), id.to_owned());
        self.write(move |c| block_on(crate::chat::take(&mut SqliteOps(c), &a, &sid, now)))
            .await?;
        crate::chat::read_session(self, actor, id).await
    }

    async fn agent_chat_reply(
        &self,
        actor: &Actor,
        id: &str,
        body: String,
        now: Timestamp,
    ) -> Result<ChatSession> {
        let (a, sid) = (actor.clone(), id.to_owned());
        self.write(move |c| {
            block_on(crate::chat::agent_reply(
                &mut SqliteOps(c),
                &a,
                &sid,
                &body,
                now,
            ))
        })
        .await?;
        crate::chat::read_session(self, actor, id).await
    }

    async fn due_timers(&self, now: Timestamp, limit: u32) -> Result<Vec<DueTimer>> {
        let rows: Vec<(i64, i64, String, i64)> = self.read.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, complaint_id, kind, due_at FROM timers WHERE status = 'pending' AND due_at <= ?1 ORDER BY due_at, id LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![to_ms(now), limit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn fire_timer(&self, timer: &DueTimer, now: Timestamp) -> Result<bool> {
        let (timer, policy) = (timer.clone(), self.policy.clone());
        self.write(move |c| {
            block_on(workflow::fire_timer(
                &mut SqliteOps(c),
                &timer,
                now,
                &policy,
            ))
        })
        .await
    }

    async fn next_timer_at(&self) -> Result<Option<Timestamp>> {
        let next: Option<i64> = self.read.with(|c| {
            Ok(
                c.prepare_cached("SELECT MIN(due_at) FROM timers WHERE status = 'pending'")?
                    .query_row([], |r| r.get(0))?,
            )
        })?;
        next.map(from_ms).transpose()
    }

    async fn stats(&self, actor: &Actor, q: StatsQuery) -> Result<Stats> {
        access::check_staff(actor)?;
        crate::stats::compute(self, &q).await
    }

    async fn cases(
        &self,
        actor: &Actor,
        state: Option<CaseState>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Page<Case>> {
        tier3::list_cases(self, actor, state, before, limit).await
    }

    async fn case(&self, actor: &Actor, id: CaseId) -> Result<Case> {
        tier3::visible_case(self, actor, id.0).await
    }

    async fn case_events(&self, actor: &Actor, id: CaseId) -> Result<Vec<Event>> {
        tier3::case_events(self, actor, id.0).await
    }

    async fn case_act(
        &self,
        actor: &Actor,
        id: CaseId,
        action: CaseAction,
        now: Timestamp,
    ) -> Result<Case> {
        let (a, policy) = (actor.clone(), self.policy.clone());
        self.write(move |c| {
            block_on(tier3::case_act(
                &mut SqliteOps(c),
                &a,
                id.0,
                action,
                now,
                &policy,
            ))
        })
        .await?;
        tier3::visible_case(self, actor, id.0).await
    }

    async fn file_report(
        &self,
        actor: &Actor,
        report: NewReport,
        channel: Channel,
        now: Timestamp,
    ) -> Result<Report> {
        let a = actor.clone();
        let id = self
            .write(move |c| {
                block_on(tier3::file_report(
                    &mut SqliteOps(c),
                    &a,
                    report,
                    channel,
                    now,
                ))
            })
            .await?;
        tier3::read_report(self, actor, id).await
    }

    async fn report(&self, actor: &Actor, id: i64) -> Result<Report> {
        tier3::read_report(self, actor, id).await
    }

    async fn reports(
        &self,
        actor: &Actor,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Page<Report>> {
        tier3::list_reports(self, actor, before, limit).await
    }

    async fn report_events(&self, actor: &Actor, id: i64) -> Result<Vec<Event>> {
        tier3::report_events(self, actor, id).await
    }

    async fn add_report_evidence(
        &self,
        actor: &Actor,
        id: i64,
        ev: NewEvidence,
        now: Timestamp,
    ) -> Result<Evidence> {
        let actor = actor.clone();
        self.write(move |c| {
            block_on(tier3::add_report_evidence(
                &mut SqliteOps(c),
                &actor,
                id,
                ev,
                now,
            ))
        })
        .await
    }

    async fn report_evidence_list(&self, actor: &Actor, id: i64) -> Result<Vec<Evidence>> {
        tier3::report_evidence_list(self, actor, id).await
    }

    async fn report_evidence(
        &self,
        actor: &Actor,
        id: i64,
        sha: &Sha256,
    ) -> Result<(Evidence, Vec<u8>)> {
        tier3::report_evidence(self, &self.blobs, actor, id, sha).await
    }

    async fn report_act(
        &self,
        actor: &Actor,
        id: i64,
        action: ReportAction,
        now: Timestamp,
    ) -> Result<Report> {
        let (a, policy) = (actor.clone(), self.policy.clone());
        self.write(move |c| {
            block_on(tier3::report_act(
                &mut SqliteOps(c),
                &a,
                id,
                action,
                now,
                &policy,
            ))
        })
        .await?;
        tier3::read_report(self, actor, id).await
    }

    async fn appeal_penalty(
        &self,
        actor: &Actor,
        shop: &ShopId,
        penalty: i64,
        reason: String,
        now: Timestamp,
    ) -> Result<()> {
        let (a, shop) = (actor.clone(), shop.clone());
        self.write(move |c| {
            block_on(tier3::appeal_penalty(
                &mut SqliteOps(c),
                &a,
                &shop,
                penalty,
                reason,
                now,
            ))
        })
        .await
    }

    async fn decide_penalty_appeal(
        &self,
        actor: &Actor,
        shop: &ShopId,
        penalty: i64,
        overturn: bool,
        reason: String,
        now: Timestamp,
    ) -> Result<()> {
        let (a, shop) = (actor.clone(), shop.clone());
        self.write(move |c| {
            block_on(tier3::decide_penalty_appeal(
                &mut SqliteOps(c),
                &a,
                &shop,
                penalty,
                overturn,
                reason,
                now,
            ))
        })
        .await
    }

    async fn listings_down(&self, shop: &ShopId) -> Result<Vec<String>> {
        tier3::listings_down(self, shop).await
    }

    async fn shop_events(&self, shop: &ShopId) -> Result<Vec<Event>> {
        tier3::shop_events(self, shop).await
    }

    async fn due_subject_timers(&self, now: Timestamp, limit: u32) -> Result<Vec<SubjectTimer>> {
        tier3::due_subject_timers(self, now, limit).await
    }

    async fn fire_subject_timer(&self, timer: &SubjectTimer, now: Timestamp) -> Result<bool> {
        let t = timer.clone();
        let policy = self.policy.clone();
        self.write(move |c| {
            block_on(tier3::fire_subject_timer(
                &mut SqliteOps(c),
                &t,
                now,
                &policy,
            ))
        })
        .await
    }

    async fn schedule_job(&self, subject: &str, kind: &str, due: Timestamp) -> Result<()> {
        let (subject, kind) = (subject.to_owned(), kind.to_owned());
        self.write(move |c| block_on(tier3::insert_job(&mut SqliteOps(c), &subject, &kind, due)))
            .await
    }

    async fn purchases(&self, since: Timestamp) -> Result<Vec<tier3::Purchase>> {
        tier3::purchases(self, since).await
    }

    async fn open_brushing_case(
        &self,
        block: &tier3::BrushingBlock,
        since: Timestamp,
        now: Timestamp,
    ) -> Result<Option<CaseId>> {
        let block = block.clone();
        let id = self
            .write(move |c| {
                block_on(tier3::open_brushing_case(
                    &mut SqliteOps(c),
                    &block,
                    since,
                    now,
                ))
            })
            .await?;
        Ok(id.map(CaseId))
    }

    async fn sweep_monitors(&self, now: Timestamp, limit: u32) -> Result<usize> {
        let policy = self.policy.clone();
        self.write(move |c| {
            block_on(tier3::sweep_late_shipments(
                &mut SqliteOps(c),
                now,
                limit,
                &policy,
            ))
        })
        .await
    }

    async fn verify(&self) -> Result<std::result::Result<AuditReport, String>> {
        match self.scan(audit::verify).await? {
            Ok(checker) => Ok(checker.check_files(&self.blobs).await),
            Err(broken) => Ok(Err(broken)),
        }
    }

    fn write_stats(&self) -> crate::WriteStats {
        self.writer.stats()
    }

    fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    fn policy(&self) -> &Policy {
        &self.policy
    }
}

#[async_trait]
impl crate::sql::ReadSql for SqliteStore {
    async fn read(
        &self,
        sql: &str,
        params: &[crate::sql::Val],
    ) -> Result<Vec<Vec<crate::sql::Val>>> {
        let (sql, params) = (sql.to_owned(), params.to_vec());
        self.scan(move |c| Ok(crate::sql::sqlite::rows(c, &sql, &params)?))
            .await
    }
}
