//! The SQLite backend: WAL, `synchronous=FULL`, one group-committing writer, a pool of readers.

mod audit;
mod rows;
mod tx;
mod writer;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, SqliteConnection};
use weiquan_domain::access::{self, Visibility, visibility};
use weiquan_domain::records::{OrderRecord, ShopRecord};
use weiquan_domain::*;

use self::rows::*;
use self::writer::Writer;
use crate::blob::{BlobStore, DEFAULT_MAX_BLOB};
use crate::error::{Result, StoreError};
use crate::model::*;
use crate::time::{from_ms, to_ms};
use crate::{NewEvidence, Store};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// weiquan on one machine: `DATA_DIR/weiquan.db` and `DATA_DIR/blobs/`.
pub struct SqliteStore {
    read: SqlitePool,
    writer: Writer,
    blobs: BlobStore,
    policy: Arc<Policy>,
}

fn options(path: &Path) -> Result<SqliteConnectOptions> {
    Ok(
        SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // An acknowledged write survives power loss, not just a crash of the process.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory")
            .log_statements(tracing::log::LevelFilter::Trace),
    )
}

impl SqliteStore {
    /// Opens (creating if needed) the store in a data directory and applies migrations.
    pub async fn open(data_dir: &Path, policy: Policy) -> Result<SqliteStore> {
        Self::open_with(data_dir, policy, DEFAULT_MAX_BLOB).await
    }

    pub async fn open_with(data_dir: &Path, policy: Policy, max_blob: u64) -> Result<SqliteStore> {
        std::fs::create_dir_all(data_dir)?;
        let opts = options(&data_dir.join("weiquan.db"))?;
        let mut conn: SqliteConnection = opts.connect().await?;
        MIGRATOR.run(&mut conn).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .connect_with(opts.clone().read_only(true))
            .await?;
        Ok(SqliteStore {
            read,
            writer: Writer::spawn(conn),
            blobs: BlobStore::open(data_dir.join("blobs"), max_blob)?,
            policy: Arc::new(policy),
        })
    }

    /// Applies pending migrations without opening the rest of the store.
    pub async fn migrate(data_dir: &Path) -> Result<()> {
        std::fs::create_dir_all(data_dir)?;
        let mut conn: SqliteConnection = options(&data_dir.join("weiquan.db"))?.connect().await?;
        MIGRATOR.run(&mut conn).await?;
        Ok(())
    }

    async fn visible(&self, actor: &Actor, id: ComplaintId) -> Result<Complaint> {
        let row: Option<ComplaintRow> =
            sqlx::query_as(concat!(complaint_select!(), " WHERE c.id = $1"))
                .bind(id.0)
                .fetch_optional(&self.read)
                .await?;
        let c: Complaint = row
            .ok_or_else(|| StoreError::Domain(access::not_found_complaint()))?
            .try_into()?;
        access::check_view(actor, &c)?;
        Ok(c)
    }
}

/// Opaque cursors are the last id seen.
fn page<T>(items: Vec<T>, limit: u32, cursor: impl Fn(&T) -> String) -> Page<T> {
    let next_cursor = if items.len() as u32 == limit {
        items.last().map(cursor)
    } else {
        None
    };
    Page { items, next_cursor }
}

#[async_trait]
impl Store for SqliteStore {
    async fn create_user(&self, user: NewUser) -> Result<User> {
        let now = chrono::Utc::now();
        self.writer
            .run(move |c| Box::pin(tx::create_user(c, user, now)))
            .await
    }

    async fn ensure_users(&self, users: Vec<NewUser>) -> Result<()> {
        let now = chrono::Utc::now();
        self.writer
            .run(move |c| Box::pin(tx::ensure_users(c, users, now)))
            .await
    }

    async fn user_for_login(&self, username: &str) -> Result<Option<(User, Option<String>)>> {
        let row: Option<UserRow> = sqlx::query_as(
            "SELECT id, username, role, display_name, password_hash FROM users WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| Ok((r.user()?, r.password_hash))).transpose()
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        Ok(self.user_for_login(username).await?.map(|(u, _)| u))
    }

    async fn create_session(
        &self,
        user_id: UserId,
        token_hash: &str,
        expires_at: Timestamp,
    ) -> Result<()> {
        let token_hash = token_hash.to_owned();
        let now = to_ms(chrono::Utc::now());
        self.writer
            .run(move |c| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                        .bind(token_hash)
                        .bind(user_id.0)
                        .bind(now)
                        .bind(to_ms(expires_at))
                        .execute(c)
                        .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn session_user(&self, token_hash: &str, now: Timestamp) -> Result<Option<User>> {
        let row: Option<UserRow> = sqlx::query_as(
            "SELECT u.id, u.username, u.role, u.display_name, NULL AS password_hash FROM sessions s \
             JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(to_ms(now))
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| r.user()).transpose()
    }

    async fn import_shops(&self, shops: Vec<ShopRecord>) -> Result<ImportOutcome> {
        let now = chrono::Utc::now();
        self.writer
            .run(move |c| Box::pin(tx::import_shops(c, shops, now)))
            .await
    }

    async fn import_orders(&self, orders: Vec<OrderRecord>) -> Result<ImportOutcome> {
        let now = chrono::Utc::now();
        self.writer
            .run(move |c| Box::pin(tx::import_orders(c, orders, now)))
            .await
    }

    async fn shop(&self, id: &ShopId, now: Timestamp) -> Result<Option<Shop>> {
        let row: Option<(String, String, i64, String, f64, String)> = sqlx::query_as(
            "SELECT id, name, merchant_id, commitments, search_weight, status FROM shops WHERE id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&self.read)
        .await?;
        let Some((sid, name, merchant_id, commitments, search_weight, status)) = row else {
            return Ok(None);
        };
        let year_ago = now - chrono::Duration::days(365);
        let points: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(points), 0) FROM violations WHERE shop_id = $1 AND at > $2",
        )
        .bind(id.as_str())
        .bind(to_ms(year_ago))
        .fetch_one(&self.read)
        .await?;
        let active: Vec<PenaltyRow> = sqlx::query_as(
            "SELECT id, penalty, search_weight, starts_at, ends_at, reason, appeal FROM penalties \
             WHERE shop_id = $1 AND starts_at <= $2 AND (ends_at IS NULL OR ends_at > $2) ORDER BY starts_at",
        )
        .bind(id.as_str())
        .bind(to_ms(now))
        .fetch_all(&self.read)
        .await?;
        Ok(Some(Shop {
            id: ShopId::parse(&sid).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            name,
            merchant_id: UserId(merchant_id),
            commitments: rows::json("shop commitments", &commitments)?,
            points,
            search_weight,
            status,
            active_penalties: active
                .into_iter()
                .map(TryInto::try_into)
                .collect::<Result<_>>()?,
        }))
    }

    async fn penalties(&self, id: &ShopId) -> Result<Vec<PenaltyRecord>> {
        let rows: Vec<PenaltyRow> = sqlx::query_as(
            "SELECT id, penalty, search_weight, starts_at, ends_at, reason, appeal FROM penalties WHERE shop_id = $1 ORDER BY starts_at DESC",
        )
        .bind(id.as_str())
        .fetch_all(&self.read)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn orders(
        &self,
        actor: &Actor,
        before: Option<&OrderNo>,
        limit: u32,
    ) -> Result<Page<Order>> {
        let (consumer, merchant) = match visibility(actor) {
            Visibility::ConsumerOwn(id) => (Some(id.0), None),
            Visibility::MerchantShops(id) => (None, Some(id.0)),
            Visibility::All => (None, None),
        };
        let rows: Vec<OrderRow> = sqlx::query_as(concat!(
            order_select!(),
            " WHERE ($1 IS NULL OR o.buyer_id = $1) AND ($2 IS NULL OR s.merchant_id = $2) \
             AND ($3 IS NULL OR o.order_no < $3) ORDER BY o.order_no DESC LIMIT $4"
        ))
        .bind(consumer)
        .bind(merchant)
        .bind(before.map(|o| o.as_str().to_owned()))
        .bind(limit as i64)
        .fetch_all(&self.read)
        .await?;
        let items = rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<Vec<Order>>>()?;
        Ok(page(items, limit, |o: &Order| o.order_no.to_string()))
    }

    async fn file_complaint(
        &self,
        actor: &Actor,
        new: NewComplaint,
        channel: Channel,
        now: Timestamp,
    ) -> Result<Complaint> {
        let (actor, policy) = (actor.clone(), self.policy.clone());
        self.writer
            .run(move |c| {
                Box::pin(
                    async move { tx::file_complaint(c, actor, new, channel, now, &policy).await },
                )
            })
            .await
    }

    async fn complaint(&self, actor: &Actor, id: ComplaintId) -> Result<Complaint> {
        self.visible(actor, id).await
    }

    async fn complaints(&self, actor: &Actor, f: ComplaintFilter) -> Result<Page<Complaint>> {
        let (consumer, merchant) = match visibility(actor) {
            Visibility::ConsumerOwn(id) => (Some(id.0), None),
            Visibility::MerchantShops(id) => (None, Some(id.0)),
            Visibility::All => (None, None),
        };
        let rows: Vec<ComplaintRow> = sqlx::query_as(concat!(complaint_select!(), " WHERE ($1 IS NULL OR c.consumer_id = $1) AND ($2 IS NULL OR s.merchant_id = $2) \
             AND ($3 IS NULL OR c.state = $3) AND ($4 IS NULL OR c.tier = $4) AND ($5 IS NULL OR c.shop_id = $5) \
             AND ($6 IS NULL OR c.id < $6) ORDER BY c.id DESC LIMIT $7"))
        .bind(consumer)
        .bind(merchant)
        .bind(f.state.map(|s| s.as_str()))
        .bind(f.tier.map(|t| t.as_str()))
        .bind(f.shop_id.as_ref().map(|s| s.as_str().to_owned()))
        .bind(f.before_id)
        .bind(f.limit as i64)
        .fetch_all(&self.read)
        .await?;
        let items = rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<Vec<Complaint>>>()?;
        Ok(page(items, f.limit, |c: &Complaint| c.id.to_string()))
    }

    async fn act(
        &self,
        actor: &Actor,
        id: ComplaintId,
        action: Action,
        now: Timestamp,
    ) -> Result<Complaint> {
        let (actor, policy) = (actor.clone(), self.policy.clone());
        self.writer
            .run(move |c| {
                Box::pin(async move { tx::act(c, actor, id, action, now, &policy).await })
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
        self.writer
            .run(move |c| Box::pin(tx::add_message(c, actor, id, body, now)))
            .await
    }

    async fn messages(&self, actor: &Actor, id: ComplaintId) -> Result<Vec<Message>> {
        self.visible(actor, id).await?;
        let rows: Vec<MessageRow> = sqlx::query_as(
            "SELECT id, complaint_id, author_id, author_role, body, at FROM messages WHERE complaint_id = $1 ORDER BY id",
        )
        .bind(id.0)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn add_evidence(
        &self,
        actor: &Actor,
        id: ComplaintId,
        ev: NewEvidence,
        now: Timestamp,
    ) -> Result<Evidence> {
        let actor = actor.clone();
        self.writer
            .run(move |c| Box::pin(tx::add_evidence(c, actor, id, ev, now)))
            .await
    }

    async fn evidence_list(&self, actor: &Actor, id: ComplaintId) -> Result<Vec<Evidence>> {
        self.visible(actor, id).await?;
        let rows: Vec<EvidenceRow> = sqlx::query_as(
            "SELECT sha256, size, content_type, kind, filename, uploaded_by, at FROM evidence WHERE complaint_id = $1 ORDER BY at, sha256",
        )
        .bind(id.0)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
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
        let row: Option<Row> = sqlx::query_as(
            "SELECT sha256, size, content_type, kind, filename, uploaded_by, at, inline_data FROM evidence \
             WHERE complaint_id = $1 AND sha256 = $2",
        )
        .bind(id.0)
        .bind(sha.as_str())
        .fetch_optional(&self.read)
        .await?;
        let row = row.ok_or_else(|| {
            StoreError::not_found(
                "这条投诉中没有这份证据",
                "no such evidence in this complaint",
            )
        })?;
        let bytes = match row.inline_data {
            Some(b) => b,
            None => {
                let (blobs, sha) = (self.blobs.clone(), sha.clone());
                tokio::task::spawn_blocking(move || blobs.get(&sha))
                    .await
                    .map_err(|e| StoreError::Unavailable(e.to_string()))??
            }
        };
        Ok((row.ev.try_into()?, bytes))
    }

    async fn complaint_events(&self, actor: &Actor, id: ComplaintId) -> Result<Vec<Event>> {
        self.visible(actor, id).await?;
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT id, stream, seq, at, actor, kind, data, prev_hash, hash FROM events WHERE stream = $1 ORDER BY seq",
        )
        .bind(tx::complaint_stream(id))
        .fetch_all(&self.read)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn due_timers(&self, now: Timestamp, limit: u32) -> Result<Vec<DueTimer>> {
        let rows: Vec<(i64, i64, String, i64)> = sqlx::query_as(
            "SELECT id, complaint_id, kind, due_at FROM timers WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at, id LIMIT $2",
        )
        .bind(to_ms(now))
        .bind(limit as i64)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(|(id, cid, kind, due)| {
                Ok(DueTimer {
                    id,
                    complaint_id: ComplaintId(cid),
                    kind: TimerKind::parse(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("timer {id}: kind {kind}")))?,
                    due_at: from_ms(due)?,
                })
            })
            .collect()
    }

    async fn fire_timer(&self, timer: &DueTimer, now: Timestamp) -> Result<bool> {
        let (timer, policy) = (timer.clone(), self.policy.clone());
        self.writer
            .run(move |c| Box::pin(async move { tx::fire_timer(c, timer, now, &policy).await }))
            .await
    }

    async fn next_timer_at(&self) -> Result<Option<Timestamp>> {
        let next: Option<i64> =
            sqlx::query_scalar("SELECT MIN(due_at) FROM timers WHERE status = 'pending'")
                .fetch_one(&self.read)
                .await?;
        next.map(from_ms).transpose()
    }

    async fn cases(&self, before: Option<i64>, limit: u32) -> Result<Page<Case>> {
        let rows: Vec<CaseRow> = sqlx::query_as(
            "SELECT id, kind, shop_id, state, title, created_at, updated_at FROM cases WHERE ($1 IS NULL OR id < $1) ORDER BY id DESC LIMIT $2",
        )
        .bind(before)
        .bind(limit as i64)
        .fetch_all(&self.read)
        .await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in rows {
            let members = self.case_members(r.id).await?;
            items.push(r.into_case(members)?);
        }
        Ok(page(items, limit, |c: &Case| c.id.to_string()))
    }

    async fn case(&self, id: CaseId) -> Result<Option<Case>> {
        let row: Option<CaseRow> =
            sqlx::query_as("SELECT id, kind, shop_id, state, title, created_at, updated_at FROM cases WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&self.read)
                .await?;
        match row {
            None => Ok(None),
            Some(r) => {
                let members = self.case_members(r.id).await?;
                Ok(Some(r.into_case(members)?))
            }
        }
    }

    async fn verify(&self) -> Result<std::result::Result<AuditReport, String>> {
        audit::verify(&self.read, &self.blobs).await
    }

    fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    fn policy(&self) -> &Policy {
        &self.policy
    }
}

impl SqliteStore {
    async fn case_members(&self, case_id: i64) -> Result<Vec<ComplaintId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT complaint_id FROM case_members WHERE case_id = $1 ORDER BY at, complaint_id",
        )
        .bind(case_id)
        .fetch_all(&self.read)
        .await?;
        Ok(ids.into_iter().map(ComplaintId).collect())
    }
}
