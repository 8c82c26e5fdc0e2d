#![doc = include_str!("../README.md")]

// The layers, in order: each module uses only those above it (a blank line between each keeps
// rustfmt from sorting them; `tests/layers.rs` checks the order).
pub mod clock;

mod error;

mod time;

mod sql;

mod db;

mod model;

mod rows;

pub mod blob;

pub mod outbox;

mod notices;

mod events;

mod records;

mod evidence;

mod timers;

mod ledger;

mod cases;

mod monitors;

mod transitions;

mod collective;

mod complaints;

mod reports;

pub mod jury;

mod case_actions;

mod brushing;

mod accounts;

mod keys;

mod imports;

mod market;

pub mod chat;

mod stats;

mod scorecard;

mod audit;

pub mod bundle;

pub mod webhooks;

mod service;

mod delivery;

mod inbox;

// The backends: a `Driver` each.
pub mod postgres;

pub mod sqlite;

pub mod jsonl;

pub mod export;

use async_trait::async_trait;
use weiquan_domain::records::{OrderRecord, ShopRecord};
use weiquan_domain::tier3::{CaseAction, NewReport, ReportAction};
use weiquan_domain::*;

pub use accounts::Settings;
pub use blob::BlobStore;
pub use brushing::{BrushingBlock, Purchase};
pub use chat::{ChatRole, ChatSave, ChatSession, ChatStatus, ChatTurn};
pub use clock::{Clock, FileClock, ManualClock, SystemClock};
pub use delivery::Outbox;
pub use error::{Fault, Result, StoreError, io_is_full};
pub use evidence::Subject as EvidenceSubject;
pub use inbox::Inbox;
pub use jury::{Juries, JurorPanel, JurorRecord, JuryView, SeatView};
pub use keys::{ApiKey, KeyHolder, NewApiKey, NewServiceAccount, ServiceAccount};
pub use market::{IDEMPOTENCY_TTL_HOURS, Idempotency, MarketAnswer, MarketWrite};
pub use model::*;
pub use notices::Notification;
pub use reports::Report;
pub use service::Service;
pub use stats::{Count, DayCount, DeadlineShare, Escalation, ResolutionTimes, Stats, StatsQuery};
pub use time::{from_ms, to_ms};
pub use timers::{BRUSHING_JOB, BRUSHING_SCAN, DueReminder, SubjectTimer};

/// Everything weiquan keeps. One implementation per database; nothing backend-specific leaks
/// through this trait. Each method that changes anything is one transaction, its events included.
#[async_trait]
pub trait Store: Outbox + Inbox + Juries + Send + Sync + 'static {
    // --- accounts
    async fn create_user(&self, user: NewUser, now: Timestamp) -> Result<User>;
    /// Creates the users that do not exist yet (by username); existing ones are left alone.
    async fn ensure_users(&self, users: Vec<NewUser>, now: Timestamp) -> Result<()>;
    /// The user and their password hash, for signing in.
    async fn user_for_login(&self, username: &str) -> Result<Option<(User, Option<String>)>>;
    async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        Ok(self.user_for_login(username).await?.map(|(u, _)| u))
    }
    async fn create_session(
        &self,
        user_id: UserId,
        token_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()>;
    async fn session_user(&self, token_hash: &str, now: Timestamp) -> Result<Option<User>>;
    /// Ends a session (sign-out); nothing happens for an unknown token.
    async fn delete_session(&self, token_hash: &str) -> Result<()>;

    // --- accounts (admin)
    /// Accounts by id, searched and filtered in one statement, for an admin (others are
    /// refused). Staff accounts are made with [`Store::create_user`] and a password hash.
    async fn users(&self, actor: &Actor, q: UserQuery) -> Result<Page<Account>>;
    /// An admin disables (or enables again) an account: a disabled one cannot sign in and its
    /// sessions and API keys stop. Recorded on stream `account:ID`.
    async fn set_disabled(
        &self,
        actor: &Actor,
        id: UserId,
        disabled: bool,
        now: Timestamp,
    ) -> Result<User>;
    /// An admin sets a new password (its hash) on a person's account; its sessions end.
    /// Recorded on stream `account:ID`.
    async fn reset_password(
        &self,
        actor: &Actor,
        id: UserId,
        password_hash: String,
        now: Timestamp,
    ) -> Result<User>;
    /// An admin moves a staff account to another staff role; recorded on stream `account:ID`.
    async fn set_role(&self, actor: &Actor, id: UserId, role: Role, now: Timestamp)
    -> Result<User>;

    // --- service accounts (the marketplace's machines) and their API keys; admins only
    /// Creates a service account with its first key (only the key's hash is given).
    async fn create_service_account(
        &self,
        actor: &Actor,
        new: NewServiceAccount,
        key: NewApiKey,
        now: Timestamp,
    ) -> Result<ServiceAccount>;
    async fn service_accounts(&self, actor: &Actor) -> Result<Vec<ServiceAccount>>;
    /// Issues another key to a service account.
    async fn issue_api_key(
        &self,
        actor: &Actor,
        account: UserId,
        key: NewApiKey,
        now: Timestamp,
    ) -> Result<ApiKey>;
    async fn revoke_api_key(
        &self,
        actor: &Actor,
        account: UserId,
        key_id: i64,
        now: Timestamp,
    ) -> Result<()>;
    /// Who holds a live key (by its SHA-256), its use noted (to the minute); `None` if unknown
    /// or revoked.
    async fn api_key_holder(&self, key_hash: &str, now: Timestamp) -> Result<Option<KeyHolder>>;
    /// Forgets the idempotency keys that expired by `now`; how many (the deadline loop's).
    async fn expire_idempotency_keys(&self, now: Timestamp) -> Result<u64>;
    /// A marketplace write under its idempotency key (`docs/marketplace.md`).
    async fn market_write(
        &self,
        actor: &Actor,
        write: MarketWrite,
        idem: Idempotency,
        now: Timestamp,
    ) -> Result<MarketAnswer>;

    // --- marketplace mirror
    async fn import_shops(&self, shops: Vec<ShopRecord>, now: Timestamp) -> Result<ImportOutcome>;
    async fn import_orders(
        &self,
        orders: Vec<OrderRecord>,
        now: Timestamp,
    ) -> Result<ImportOutcome>;
    async fn shop(&self, id: &ShopId, now: Timestamp) -> Result<Option<Shop>>;
    async fn penalties(&self, id: &ShopId) -> Result<Vec<PenaltyRecord>>;
    /// The violations behind a shop's points, newest first: for staff and the shop's merchant
    /// (`access::shop_ledger`); anyone else finds no such shop.
    async fn violations(&self, actor: &Actor, shop: &ShopId) -> Result<Vec<ViolationRecord>>;
    /// The shops a merchant runs, each with its standing at `now` (merchants only).
    async fn my_shops(&self, actor: &Actor, now: Timestamp) -> Result<Vec<Shop>>;
    /// The shops with a penalty in force, most points first (staff only).
    async fn penalised_shops(&self, actor: &Actor, now: Timestamp, limit: u32)
    -> Result<Vec<Shop>>;
    /// The orders an actor may see (a consumer's own, a merchant's shops'), searched and
    /// filtered in one statement.
    async fn find_orders(&self, actor: &Actor, q: OrderQuery) -> Result<Page<Order>>;
    /// [`Store::find_orders`] with only a cursor.
    async fn orders(
        &self,
        actor: &Actor,
        before: Option<&OrderNo>,
        limit: u32,
    ) -> Result<Page<Order>> {
        let q = OrderQuery {
            before: before.cloned(),
            limit,
            ..Default::default()
        };
        self.find_orders(actor, q).await
    }

    // --- complaints
    async fn file_complaint(
        &self,
        actor: &Actor,
        new: NewComplaint,
        channel: Channel,
        now: Timestamp,
    ) -> Result<Complaint>;
    /// A complaint, or not found for an actor who may not see it.
    async fn complaint(&self, actor: &Actor, id: ComplaintId) -> Result<Complaint>;
    /// A complaint with its version (its chain's last `seq`, what [`Store::act_at`] compares).
    async fn complaint_at(&self, actor: &Actor, id: ComplaintId) -> Result<(Complaint, i64)>;
    async fn complaints(&self, actor: &Actor, filter: ComplaintFilter) -> Result<Page<Complaint>>;
    async fn act(
        &self,
        actor: &Actor,
        id: ComplaintId,
        action: Action,
        now: Timestamp,
    ) -> Result<Complaint> {
        self.act_at(actor, id, action, None, now).await
    }
    /// An action taken on the complaint as it stood at `version` (its chain's last `seq`, which
    /// every change appends to): if anything happened since, a conflict (`stale_version`) and
    /// nothing done, so a tab left open never overwrites what a colleague did.
    async fn act_at(
        &self,
        actor: &Actor,
        id: ComplaintId,
        action: Action,
        version: Option<i64>,
        now: Timestamp,
    ) -> Result<Complaint>;
    async fn add_message(
        &self,
        actor: &Actor,
        id: ComplaintId,
        body: String,
        now: Timestamp,
    ) -> Result<Message>;
    async fn messages(&self, actor: &Actor, id: ComplaintId) -> Result<Vec<Message>>;
    /// Whether `actor` may add a file to the subject now: may contribute to it, and neither it
    /// nor the actor has used up the upload quota. Asked before an upload's body is read, so
    /// a refused upload never reaches the disk; the write checks again.
    async fn may_upload(&self, actor: &Actor, subject: EvidenceSubject) -> Result<()>;
    /// Records evidence whose bytes the blob store already holds.
    async fn add_evidence(
        &self,
        actor: &Actor,
        id: ComplaintId,
        ev: NewEvidence,
        now: Timestamp,
    ) -> Result<Evidence>;
    async fn evidence_list(&self, actor: &Actor, id: ComplaintId) -> Result<Vec<Evidence>>;
    /// One piece of evidence and its bytes.
    async fn evidence(
        &self,
        actor: &Actor,
        id: ComplaintId,
        sha: &Sha256,
    ) -> Result<(Evidence, Vec<u8>)>;
    async fn complaint_events(&self, actor: &Actor, id: ComplaintId) -> Result<Vec<Event>>;
    /// The staff who acted or wrote on a complaint the actor may see, for naming them in its
    /// timeline by role and name (the two sides are named by their side only).
    async fn complaint_staff(&self, actor: &Actor, id: ComplaintId) -> Result<Vec<User>>;

    // --- assistant sessions
    /// A chat session with its turns: the consumer's own, or one handed over to the agents
    /// (tier-1 agents only); anyone else is told it does not exist.
    async fn chat_session(&self, actor: &Actor, id: &str) -> Result<ChatSession>;
    /// Saves a consumer's turn (state, hand-over, new turns); a lost race is a 409 to resend.
    async fn save_chat(&self, actor: &Actor, save: ChatSave, now: Timestamp) -> Result<()>;
    /// Files the dialogue's draft like `file_complaint` (channel `chat`), with the transcript
    /// (bytes already in the blob store) as `chat_log` evidence and the turn saved, at once.
    async fn file_chat_complaint(
        &self,
        actor: &Actor,
        new: NewComplaint,
        transcript: NewEvidence,
        save: ChatSave,
        now: Timestamp,
    ) -> Result<Complaint>;
    /// The tier-1 agents' chat queue: waiting sessions and the caller's own, with history.
    async fn chat_handovers(&self, actor: &Actor, limit: u32) -> Result<Vec<ChatSession>>;
    async fn take_chat(&self, actor: &Actor, id: &str, now: Timestamp) -> Result<ChatSession>;
    async fn agent_chat_reply(
        &self,
        actor: &Actor,
        id: &str,
        body: String,
        now: Timestamp,
    ) -> Result<ChatSession>;

    // --- deadlines
    async fn due_timers(&self, now: Timestamp, limit: u32) -> Result<Vec<DueTimer>>;
    /// Fires one timer if it is still pending; `Ok(false)` if something else already did.
    async fn fire_timer(&self, timer: &DueTimer, now: Timestamp) -> Result<bool>;
    /// When the next pending timer falls due.
    async fn next_timer_at(&self) -> Result<Option<Timestamp>>;

    // --- collective assignment, after the filing (`collective`)
    /// One round of the drain: the queued complaints of the shops waiting longest, each shop's
    /// in filing order in one transaction; how many it assigned.
    async fn assign_collective(&self, now: Timestamp) -> Result<usize>;
    /// How many complaints await collective assignment.
    async fn collective_queued(&self) -> Result<u64>;
    /// Returns once a complaint filed through this store has committed since the last return.
    async fn filing_committed(&self);

    // --- tier 3
    /// Cases newest first: every case for staff, a merchant's own shops' for a merchant;
    /// searched and filtered in one statement.
    async fn find_cases(&self, actor: &Actor, q: CaseQuery) -> Result<Page<Case>>;
    /// [`Store::find_cases`] by state only.
    async fn cases(
        &self,
        actor: &Actor,
        state: Option<CaseState>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Page<Case>> {
        let q = CaseQuery {
            state,
            before,
            limit,
            ..Default::default()
        };
        self.find_cases(actor, q).await
    }
    /// A case, or not found for an actor who may not see it.
    async fn case(&self, actor: &Actor, id: CaseId) -> Result<Case>;
    async fn case_events(&self, actor: &Actor, id: CaseId) -> Result<Vec<Event>>;
    async fn case_act(
        &self,
        actor: &Actor,
        id: CaseId,
        action: CaseAction,
        now: Timestamp,
    ) -> Result<Case>;
    /// Files a report (举报); it opens or joins the tier-3 case about the shop.
    async fn file_report(
        &self,
        actor: &Actor,
        report: NewReport,
        channel: Channel,
        now: Timestamp,
    ) -> Result<Report>;
    async fn report(&self, actor: &Actor, id: ReportId) -> Result<Report>;
    async fn reports(&self, actor: &Actor, before: Option<i64>, limit: u32)
    -> Result<Page<Report>>;
    async fn report_events(&self, actor: &Actor, id: ReportId) -> Result<Vec<Event>>;
    /// Attaches a file whose bytes the blob store already holds to a report (whoever may see
    /// the report may add to it).
    async fn add_report_evidence(
        &self,
        actor: &Actor,
        id: ReportId,
        ev: NewEvidence,
        now: Timestamp,
    ) -> Result<Evidence>;
    async fn report_evidence_list(&self, actor: &Actor, id: ReportId) -> Result<Vec<Evidence>>;
    /// One of a report's files and its bytes.
    async fn report_evidence(
        &self,
        actor: &Actor,
        id: ReportId,
        sha: &Sha256,
    ) -> Result<(Evidence, Vec<u8>)>;
    async fn report_act(
        &self,
        actor: &Actor,
        id: ReportId,
        action: ReportAction,
        now: Timestamp,
    ) -> Result<Report>;
    /// The merchant appeals a penalty on their shop (once).
    async fn appeal_penalty(
        &self,
        actor: &Actor,
        shop: &ShopId,
        penalty: PenaltyId,
        reason: String,
        now: Timestamp,
    ) -> Result<()>;
    /// Protection or a regulator decides the appeal: `overturn` lifts the penalty now.
    async fn decide_penalty_appeal(
        &self,
        actor: &Actor,
        shop: &ShopId,
        penalty: PenaltyId,
        overturn: bool,
        reason: String,
        now: Timestamp,
    ) -> Result<()>;
    /// The shop's listings that IP notices keep down now.
    async fn listings_down(&self, shop: &ShopId) -> Result<Vec<String>>;
    /// The shop's history: all of it for staff; for anyone else (`None`: not signed in) its
    /// published outcomes (`access::shop_reader`).
    async fn shop_events(&self, actor: Option<&Actor>, shop: &ShopId) -> Result<Vec<Event>>;
    /// Deadlines of penalties, reports and cases that have fallen due.
    async fn due_subject_timers(&self, now: Timestamp, limit: u32) -> Result<Vec<SubjectTimer>>;
    async fn fire_subject_timer(&self, timer: &SubjectTimer, now: Timestamp) -> Result<bool>;
    /// Seeds a scheduled job's next run unless one is pending.
    async fn schedule_job(&self, subject: &str, kind: &str, due: Timestamp) -> Result<()>;
    /// Buyer → shop purchases paid since, for the brushing scan.
    async fn purchases(&self, since: Timestamp) -> Result<Vec<Purchase>>;
    /// Opens a tier-3 case for a brushing block, unless the same block has one since `since`.
    async fn open_brushing_case(
        &self,
        block: &BrushingBlock,
        since: Timestamp,
        now: Timestamp,
    ) -> Result<Option<CaseId>>;
    /// Runs the commitment monitors over order data (late shipment); how many orders it checked.
    async fn sweep_monitors(&self, now: Timestamp, limit: u32) -> Result<usize>;

    // --- statistics
    /// `GET /stats`: staff only.
    async fn stats(&self, actor: &Actor, q: StatsQuery) -> Result<Stats>;
    /// A shop's public scorecard over the windows ending at `now` (`docs/scorecard.md`): anyone
    /// may read it (`None`: not signed in; `access::scorecard`); no such shop is not found.
    async fn scorecard(
        &self,
        actor: Option<&Actor>,
        shop: &ShopId,
        now: Timestamp,
    ) -> Result<weiquan_domain::scorecard::Scorecard>;

    // --- the authorities' bundle (`bundle`)
    /// Records an export of `scope` on the exporter's `account:ID` chain (regulators and admins
    /// only; the subject must exist); the ticket is what [`Store::write_bundle`] writes.
    async fn begin_export(
        &self,
        actor: &Actor,
        scope: weiquan_domain::bundle::BundleScope,
        now: Timestamp,
    ) -> Result<bundle::ExportTicket>;
    /// Writes a recorded export's bundle to `out`, signed with `key`: the records and chains
    /// from one snapshot, then each evidence file streamed in chunks, then the manifest.
    async fn write_bundle(
        &self,
        ticket: &bundle::ExportTicket,
        key: &bundle::PlatformKey,
        out: &mut (dyn tokio::io::AsyncWrite + Send + Unpin),
    ) -> Result<bundle::BundleSummary>;

    // --- audit
    /// Recomputes every chain and blob; `Err` names the first broken record.
    async fn verify(&self) -> Result<std::result::Result<AuditReport, String>>;
    /// Counters of the write path, for `/metrics`.
    fn write_stats(&self) -> WriteStats;
    /// The stored blob layer, for uploads.
    fn blobs(&self) -> &BlobStore;
    fn policy(&self) -> &Policy;
    /// Whether this node can serve: a trivial read of the database, and a write and delete in
    /// the blob store (the data dir takes writes).
    async fn health(&self) -> Result<()>;
}

/// Evidence to record against a complaint; its bytes are already in the blob store.
#[derive(Debug, Clone)]
pub struct NewEvidence {
    pub sha256: Sha256,
    pub size: i64,
    pub content_type: String,
    pub kind: EvidenceKind,
    pub filename: Option<String>,
}

/// Commits and the writes they carried since start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub commits: u64,
    pub writes: u64,
}
