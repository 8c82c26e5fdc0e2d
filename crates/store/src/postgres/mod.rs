//! The PostgreSQL backend: any number of `weiquan serve` nodes against one database.
//!
//! Each write is one transaction on a pooled connection. A complaint's row is locked for the
//! length of an action (`FOR UPDATE`), appends to a stream take an advisory lock on it, and
//! deadlines are fired with `FOR UPDATE SKIP LOCKED` on their complaint and claimed
//! `pending` → `fired` in the same transaction, so each fires once however many nodes run, and
//! one whose node dies mid-firing is left pending for another.

mod ops;
mod scratch;

pub use scratch::ScratchDatabase;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use futures::TryStreamExt;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};
use weiquan_domain::access;
use weiquan_domain::records::{OrderRecord, ShopRecord};
use weiquan_domain::*;

use self::ops::{COMPLAINT_BY_ID, EVIDENCE_COLUMNS, PgOps};
use crate::audit::Checker;
use crate::blob::{BlobStore, DEFAULT_MAX_BLOB};
use crate::chat::{ChatSave, ChatSession};
use crate::error::{Result, StoreError};
use crate::model::*;
use crate::rows::*;
use crate::tier3::{self, Report, SubjectTimer};
use crate::time::{from_ms, to_ms};
use crate::{NewEvidence, Stats, StatsQuery, Store, WriteStats, workflow};
use weiquan_domain::tier3::{CaseAction, NewReport, ReportAction};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

pub struct PgStore {
    pool: PgPool,
    blobs: BlobStore,
    policy: Arc<Policy>,
    commits: AtomicU64,
    windows: crate::collective::Windows,
}

fn parse_url(url: &str) -> Result<PgConnectOptions> {
    url.parse::<PgConnectOptions>()
        .map_err(|e| StoreError::Unavailable(format!("invalid database URL: {e}")))
}

impl PgStore {
    /// Connects, applies migrations, and keeps blobs under `blob_dir`.
    pub async fn open(url: &str, blob_dir: &std::path::Path, policy: Policy) -> Result<PgStore> {
        Self::open_with(url, blob_dir, policy, DEFAULT_MAX_BLOB).await
    }

    pub async fn open_with(
        url: &str,
        blob_dir: &std::path::Path,
        policy: Policy,
        max_blob: u64,
    ) -> Result<PgStore> {
        let pool = PgPoolOptions::new()
            .max_connections(32)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(parse_url(url)?)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(PgStore {
            pool,
            blobs: BlobStore::open(blob_dir, max_blob)?,
            policy: Arc::new(policy),
            windows: Default::default(),
            commits: AtomicU64::new(0),
        })
    }

    /// Keeps evidence in another blob store (an S3-compatible bucket that several nodes share).
    pub fn with_blobs(mut self, blobs: BlobStore) -> Self {
        self.blobs = blobs;
        self
    }

    /// Applies pending migrations and returns.
    pub async fn migrate(url: &str) -> Result<()> {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(parse_url(url)?)
            .await?;
        MIGRATOR.run(&pool).await?;
        pool.close().await;
        Ok(())
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Commits on success; a lost race (deadlock, serialization) becomes a 409 to retry.
    async fn finish<T>(&self, tx: Transaction<'static, Postgres>, r: Result<T>) -> Result<T> {
        match r {
            Ok(v) => {
                tx.commit().await.map_err(race)?;
                self.commits.fetch_add(1, Ordering::Relaxed);
                Ok(v)
            }
            Err(e) => {
                let _ = tx.rollback().await;
                Err(match e {
                    StoreError::Postgres(e) => race(e),
                    other => other,
                })
            }
        }
    }

    async fn visible(&self, actor: &Actor, id: ComplaintId) -> Result<Complaint> {
        let row: Option<ComplaintRow> = sqlx::query_as(COMPLAINT_BY_ID)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        let c: Complaint = row
            .ok_or_else(|| StoreError::Domain(access::not_found_complaint()))?
            .try_into()?;
        access::check_view(actor, &c)?;
        Ok(c)
    }
}

/// Deadlocks and serialization failures mean another node got there first.
fn race(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e
        && matches!(d.code().as_deref(), Some("40001" | "40P01" | "23505"))
    {
        return StoreError::conflict(
            "concurrent_update",
            "这条记录刚被别人修改，请刷新后重试",
            "someone changed this at the same moment; reload and try again",
        );
    }
    StoreError::Postgres(e)
}

/// Runs one workflow in its own transaction.
macro_rules! in_tx {
    ($self:ident, |$o:ident| $body:expr) => {{
        let mut tx = $self.pool.begin().await?;
        let r = {
            let mut ops = PgOps::new(&mut tx);
            let $o = &mut ops;
            $body.await
        };
        $self.finish(tx, r).await
    }};
}

fn convert<R: TryInto<T, Error = StoreError>, T>(rows: Vec<R>) -> Result<Vec<T>> {
    rows.into_iter().map(TryInto::try_into).collect()
}

#[async_trait]
impl Store for PgStore {
    async fn create_user(&self, user: NewUser) -> Result<User> {
        let now = chrono::Utc::now();
        in_tx!(self, |o| workflow::create_user(o, user, now))
    }

    async fn ensure_users(&self, users: Vec<NewUser>) -> Result<()> {
        let now = chrono::Utc::now();
        in_tx!(self, |o| workflow::ensure_users(o, users, now))
    }

    async fn user_for_login(&self, username: &str) -> Result<Option<(User, Option<String>)>> {
        let row: Option<UserRow> = sqlx::query_as(
            "SELECT id, username, role, display_name, password_hash FROM users WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.user()?, r.password_hash))).transpose()
    }

    async fn users(&self, actor: &Actor, after: Option<i64>, limit: u32) -> Result<Page<User>> {
        workflow::check_admin(actor)?;
        let rows: Vec<UserRow> = sqlx::query_as(
            "SELECT id, username, role, display_name, NULL::text AS password_hash FROM users \
             WHERE ($1::bigint IS NULL OR id > $1) ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let users = rows.iter().map(UserRow::user).collect::<Result<Vec<_>>>()?;
        Ok(Page::of(users, limit, |u: &User| u.id.to_string()))
    }

    async fn set_role(
        &self,
        actor: &Actor,
        id: UserId,
        role: Role,
        now: Timestamp,
    ) -> Result<User> {
        in_tx!(self, |o| workflow::set_role(o, actor, id, role, now))
    }

    async fn create_session(
        &self,
        user_id: UserId,
        token_hash: &str,
        expires_at: Timestamp,
    ) -> Result<()> {
        let now = chrono::Utc::now();
        in_tx!(self, |o| crate::ops::Ops::insert_session(
            o, user_id, token_hash, now, expires_at
        ))
    }

    async fn session_user(&self, token_hash: &str, now: Timestamp) -> Result<Option<User>> {
        let row: Option<UserRow> = sqlx::query_as(
            "SELECT u.id, u.username, u.role, u.display_name, NULL::TEXT AS password_hash FROM sessions s \
             JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(to_ms(now))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| r.user()).transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        in_tx!(self, |o| crate::ops::Ops::delete_session(o, token_hash))
    }

    async fn import_shops(&self, shops: Vec<ShopRecord>) -> Result<ImportOutcome> {
        let now = chrono::Utc::now();
        in_tx!(self, |o| workflow::import_shops(o, shops, now))
    }

    async fn import_orders(&self, orders: Vec<OrderRecord>) -> Result<ImportOutcome> {
        let now = chrono::Utc::now();
        in_tx!(self, |o| workflow::import_orders(o, orders, now))
    }

    async fn shop(&self, id: &ShopId, now: Timestamp) -> Result<Option<Shop>> {
        let row: Option<(String, String, i64, String, f64, String)> =
            sqlx::query_as("SELECT id, name, merchant_id, commitments, search_weight, status FROM shops WHERE id = $1")
                .bind(id.as_str())
                .fetch_optional(&self.pool)
                .await?;
        let Some((sid, name, merchant_id, commitments, search_weight, status)) = row else {
            return Ok(None);
        };
        let year_ago = now - chrono::Duration::days(365);
        let points: i64 = sqlx::query_scalar("SELECT COALESCE(SUM(points), 0)::BIGINT FROM violations WHERE shop_id = $1 AND at > $2")
            .bind(id.as_str())
            .bind(to_ms(year_ago))
            .fetch_one(&self.pool)
            .await?;
        let active: Vec<PenaltyRow> = sqlx::query_as(
            "SELECT id, penalty, search_weight, starts_at, ends_at, reason, appeal FROM penalties \
             WHERE shop_id = $1 AND lifted_at IS NULL AND starts_at <= $2 AND (ends_at IS NULL OR ends_at > $2) ORDER BY starts_at",
        )
        .bind(id.as_str())
        .bind(to_ms(now))
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(Shop {
            id: ShopId::parse(&sid).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            name,
            merchant_id: UserId(merchant_id),
            commitments: json("shop commitments", &commitments)?,
            points,
            search_weight,
            status,
            active_penalties: convert(active)?,
        }))
    }

    async fn penalties(&self, id: &ShopId) -> Result<Vec<PenaltyRecord>> {
        let rows: Vec<PenaltyRow> = sqlx::query_as(
            "SELECT id, penalty, search_weight, starts_at, ends_at, reason, appeal FROM penalties WHERE shop_id = $1 ORDER BY starts_at DESC",
        )
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await?;
        convert(rows)
    }

    async fn orders(
        &self,
        actor: &Actor,
        before: Option<&OrderNo>,
        limit: u32,
    ) -> Result<Page<Order>> {
        let (consumer, merchant) = visibility_ids(actor);
        let rows: Vec<OrderRow> = sqlx::query_as(
            "SELECT o.order_no, o.buyer_id, o.shop_id, s.name AS shop_name, s.merchant_id, o.items, o.amount_cents, o.paid_at, \
             o.shipped_at, o.delivered_at FROM orders o JOIN shops s ON s.id = o.shop_id \
             WHERE ($1::BIGINT IS NULL OR o.buyer_id = $1) AND ($2::BIGINT IS NULL OR s.merchant_id = $2) \
             AND ($3::TEXT IS NULL OR o.order_no < $3) ORDER BY o.order_no DESC LIMIT $4",
        )
        .bind(consumer)
        .bind(merchant)
        .bind(before.map(|o| o.as_str().to_owned()))
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(Page::of(convert(rows)?, limit, |o: &Order| {
            o.order_no.to_string()
        }))
    }

    async fn file_complaint(
        &self,
        actor: &Actor,
        new: NewComplaint,
        channel: Channel,
        now: Timestamp,
    ) -> Result<Complaint> {
        in_tx!(self, |o| workflow::file_complaint(
            o,
            &self.windows,
            actor,
            new,
            channel,
            now,
            &self.policy
        ))
    }

    async fn complaint(&self, actor: &Actor, id: ComplaintId) -> Result<Complaint> {
        self.visible(actor, id).await
    }

    async fn complaints(&self, actor: &Actor, f: ComplaintFilter) -> Result<Page<Complaint>> {
        let (consumer, merchant) = visibility_ids(actor);
        let rows: Vec<ComplaintRow> = sqlx::query_as(
            "SELECT c.id, c.order_no, c.consumer_id, c.shop_id, s.merchant_id, c.product, c.category, \
             c.incident_at, c.description, c.claim, c.channel, c.state, c.tier, c.major, c.assignee_id, \
             c.collective_case_id, c.progress, c.deadline_at, c.created_at, c.updated_at \
             FROM complaints c JOIN shops s ON s.id = c.shop_id \
             WHERE ($1::BIGINT IS NULL OR c.consumer_id = $1) AND ($2::BIGINT IS NULL OR s.merchant_id = $2) \
             AND ($3::TEXT IS NULL OR c.state = $3) AND ($4::TEXT IS NULL OR c.tier = $4) AND ($5::TEXT IS NULL OR c.shop_id = $5) \
             AND ($6::BIGINT IS NULL OR c.id < $6) ORDER BY c.id DESC LIMIT $7",
        )
        .bind(consumer)
        .bind(merchant)
        .bind(f.state.map(|s| s.as_str()))
        .bind(f.tier.map(|t| t.as_str()))
        .bind(f.shop_id.as_ref().map(|s| s.as_str().to_owned()))
        .bind(f.before_id)
        .bind(f.limit as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(Page::of(convert(rows)?, f.limit, |c: &Complaint| {
            c.id.to_string()
        }))
    }

    async fn act(
        &self,
        actor: &Actor,
        id: ComplaintId,
        action: Action,
        now: Timestamp,
    ) -> Result<Complaint> {
        in_tx!(self, |o| workflow::act(
            o,
            actor,
            id,
            action,
            now,
            &self.policy
        ))
    }

    async fn add_message(
        &self,
        actor: &Actor,
        id: ComplaintId,
        body: String,
        now: Timestamp,
    ) -> Result<Message> {
        in_tx!(self, |o| workflow::add_message(o, actor, id, body, now))
    }

    async fn messages(&self, actor: &Actor, id: ComplaintId) -> Result<Vec<Message>> {
        self.visible(actor, id).await?;
        let rows: Vec<MessageRow> =
            sqlx::query_as("SELECT id, complaint_id, author_id, author_role, body, at FROM messages WHERE complaint_id = $1 ORDER BY id")
                .bind(id.0)
                .fetch_all(&self.pool)
                .await?;
        convert(rows)
    }

    async fn add_evidence(
        &self,
        actor: &Actor,
        id: ComplaintId,
        ev: NewEvidence,
        now: Timestamp,
    ) -> Result<Evidence> {
        in_tx!(self, |o| workflow::add_evidence(o, actor, id, ev, now))
    }

    async fn evidence_list(&self, actor: &Actor, id: ComplaintId) -> Result<Vec<Evidence>> {
        self.visible(actor, id).await?;
        let rows: Vec<EvidenceRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE complaint_id = $1 ORDER BY at, sha256"
        )))
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        convert(rows)
    }

    async fn evidence(
        &self,
        actor: &Actor,
        id: ComplaintId,
        sha: &Sha256,
    ) -> Result<(Evidence, Vec<u8>)> {
        self.visible(actor, id).await?;
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            ev: EvidenceRow,
            inline_data: Option<Vec<u8>>,
        }
        let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {EVIDENCE_COLUMNS}, inline_data FROM evidence WHERE complaint_id = $1 AND sha256 = $2"
        )))
        .bind(id.0)
        .bind(sha.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let row = row.ok_or_else(|| {
            StoreError::not_found(
                "这条投诉中没有这份证据",
                "no such evidence in this complaint",
            )
        })?;
        let bytes = match row.inline_data {
            Some(b) => b,
            None => self.blobs.get(sha).await?,
        };
        Ok((row.ev.try_into()?, bytes))
    }

    async fn complaint_events(&self, actor: &Actor, id: ComplaintId) -> Result<Vec<Event>> {
        self.visible(actor, id).await?;
        let rows: Vec<EventRow> =
            sqlx::query_as("SELECT id, stream, seq, at, actor, kind, data, prev_hash, hash FROM events WHERE stream = $1 ORDER BY seq")
                .bind(workflow::complaint_stream(id))
                .fetch_all(&self.pool)
                .await?;
        convert(rows)
    }

    async fn chat_session(&self, actor: &Actor, id: &str) -> Result<ChatSession> {
        crate::chat::read_session(self, actor, id).await
    }

    async fn save_chat(&self, actor: &Actor, save: ChatSave, now: Timestamp) -> Result<()> {
        in_tx!(self, |o| async {
            if !save.durable() {
                // Answered once committed, before the WAL is flushed (docs/decisions.md).
                crate::ops::Ops::exec(o, "SET LOCAL synchronous_commit = off", &[]).await?;
            }
            crate::chat::save(o, actor, save, now).await
        })
    }

    async fn file_chat_complaint(
        &self,
        actor: &Actor,
        new: NewComplaint,
        transcript: NewEvidence,
        save: ChatSave,
        now: Timestamp,
    ) -> Result<Complaint> {
        in_tx!(self, |o| crate::chat::file_complaint(
            o,
            &self.windows,
            actor,
            new,
            transcript,
            save,
            now,
            &self.policy
        ))
    }

    async fn chat_handovers(&self, actor: &Actor, limit: u32) -> Result<Vec<ChatSession>> {
        crate::chat::handovers(self, actor, limit).await
    }

    async fn take_chat(&self, actor: &Actor, id: &str, now: Timestamp) -> Result<ChatSession> {
        in_tx!(self, |o| crate::chat::take(o, actor, id, now))?;
        crate::chat::read_session(self, actor, id).await
    }

    async fn agent_chat_reply(
        &self,
        actor: &Actor,
        id: &str,
        body: String,
        now: Timestamp,
    ) -> Result<ChatSession> {
        in_tx!(self, |o| crate::chat::agent_reply(o, actor, id, &body, now))?;
        crate::chat::read_session(self, actor, id).await
    }

    async fn due_timers(&self, now: Timestamp, limit: u32) -> Result<Vec<DueTimer>> {
        let rows: Vec<(i64, i64, String, i64)> = sqlx::query_as(
            "SELECT id, complaint_id, kind, due_at FROM timers WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at, id LIMIT $2",
        )
        .bind(to_ms(now))
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn fire_timer(&self, timer: &DueTimer, now: Timestamp) -> Result<bool> {
        in_tx!(self, |o| workflow::fire_timer(o, timer, now, &self.policy))
    }

    async fn next_timer_at(&self) -> Result<Option<Timestamp>> {
        let next: Option<i64> =
            sqlx::query_scalar("SELECT MIN(due_at) FROM timers WHERE status = 'pending'")
                .fetch_one(&self.pool)
                .await?;
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
        let policy = self.policy.clone();
        in_tx!(self, |o| tier3::case_act(
            o, actor, id.0, action, now, &policy
        ))?;
        tier3::visible_case(self, actor, id.0).await
    }

    async fn file_report(
        &self,
        actor: &Actor,
        report: NewReport,
        channel: Channel,
        now: Timestamp,
    ) -> Result<Report> {
        let id = in_tx!(self, |o| tier3::file_report(o, actor, report, channel, now))?;
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
        in_tx!(self, |o| tier3::add_report_evidence(o, actor, id, ev, now))
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
        let policy = self.policy.clone();
        in_tx!(self, |o| tier3::report_act(
            o, actor, id, action, now, &policy
        ))?;
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
        in_tx!(self, |o| tier3::appeal_penalty(
            o, actor, shop, penalty, reason, now
        ))
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
        in_tx!(self, |o| tier3::decide_penalty_appeal(
            o, actor, shop, penalty, overturn, reason, now
        ))
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
        let policy = self.policy.clone();
        in_tx!(self, |o| tier3::fire_subject_timer(o, timer, now, &policy))
    }

    async fn schedule_job(&self, subject: &str, kind: &str, due: Timestamp) -> Result<()> {
        in_tx!(self, |o| tier3::insert_job(o, subject, kind, due))
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
        Ok(in_tx!(self, |o| tier3::open_brushing_case(o, block, since, now))?.map(CaseId))
    }

    async fn sweep_monitors(&self, now: Timestamp, limit: u32) -> Result<usize> {
        let policy = self.policy.clone();
        in_tx!(self, |o| tier3::sweep_late_shipments(
            o, now, limit, &policy
        ))
    }

    async fn verify(&self) -> Result<std::result::Result<AuditReport, String>> {
        // One snapshot for the whole check.
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        let mut check = Checker::default();
        {
            let mut rows = sqlx::query_as::<_, EventRow>(
                "SELECT id, stream, seq, at, actor, kind, data, prev_hash, hash FROM events ORDER BY stream, seq",
            )
            .fetch(&mut *tx);
            while let Some(r) = rows.try_next().await? {
                if let Err(e) = check.event(r) {
                    return Ok(Err(e));
                }
            }
        }
        let states: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, state FROM complaints ORDER BY id")
                .fetch_all(&mut *tx)
                .await?;
        for (id, state) in states {
            if let Err(e) = check.complaint(id, &state) {
                return Ok(Err(e));
            }
        }
        let evidence: Vec<(i64, String, Option<Vec<u8>>)> = sqlx::query_as(
            "SELECT complaint_id, sha256, inline_data FROM evidence ORDER BY complaint_id, sha256",
        )
        .fetch_all(&mut *tx)
        .await?;
        let report_files: Vec<(i64, String)> = sqlx::query_as(
            "SELECT report_id, sha256 FROM report_evidence ORDER BY report_id, sha256",
        )
        .fetch_all(&mut *tx)
        .await?;
        tx.rollback().await?;
        for (cid, sha, inline) in evidence {
            if let Err(e) = check.evidence(cid, &sha, inline.as_deref()) {
                return Ok(Err(e));
            }
        }
        for (rid, sha) in report_files {
            if let Err(e) = check.report_evidence(rid, &sha) {
                return Ok(Err(e));
            }
        }
        Ok(check.check_files(&self.blobs).await)
    }

    fn write_stats(&self) -> WriteStats {
        let n = self.commits.load(Ordering::Relaxed);
        WriteStats {
            commits: n,
            writes: n,
        }
    }

    fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    fn policy(&self) -> &Policy {
        &self.policy
    }
}

impl PgStore {}

#[async_trait]
impl crate::sql::ReadSql for PgStore {
    async fn read(
        &self,
        sql: &str,
        params: &[crate::sql::Val],
    ) -> Result<Vec<Vec<crate::sql::Val>>> {
        let rows = crate::sql::postgres::query(sql, params)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(crate::sql::postgres::row)
            .collect::<std::result::Result<_, _>>()?)
    }
}
