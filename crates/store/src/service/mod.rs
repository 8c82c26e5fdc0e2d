//! The [`Store`], implemented once for every backend over its [`Driver`]. Each method checks
//! who may do it (`weiquan_domain::access`, or the visibility of the row it names, read in the
//! same call) and then makes one read or one write.

use async_trait::async_trait;
use weiquan_domain::access;
use weiquan_domain::records::{OrderRecord, ShopRecord};
use weiquan_domain::tier3::{CaseAction, NewReport, ReportAction};
use weiquan_domain::*;

use crate::EvidenceSubject;
use crate::blob::BlobStore;
use crate::chat::{self, ChatSave, ChatSession};
use crate::db::{Driver, Read};
use crate::error::Result;
use crate::events;
use crate::evidence::{self, Subject};
use crate::model::*;
use crate::records::{self};
use crate::reports::Report;
use crate::timers::SubjectTimer;
use crate::{ApiKey, Idempotency, KeyHolder, MarketAnswer, MarketWrite, NewApiKey};
use crate::{
    NewEvidence, Stats, StatsQuery, Store, WriteStats, accounts, audit, brushing, case_actions,
    cases, collective, complaints, imports, keys, ledger, market, monitors, reports, scorecard,
    stats, timers,
};
use crate::{NewServiceAccount, ServiceAccount};

#[macro_use]
mod base;
mod drain;
mod intake;
mod jury;
mod sessions;

pub use base::Service;
pub(crate) use base::{write, write_on};

#[async_trait]
impl<D: Driver> Store for Service<D> {
    async fn create_user(&self, user: NewUser, now: Timestamp) -> Result<User> {
        write!(self, |tx| accounts::create_user(tx, user, now))
    }

    async fn ensure_users(&self, users: Vec<NewUser>, now: Timestamp) -> Result<()> {
        write!(self, |tx| accounts::ensure_users(tx, users, now))
    }

    async fn user_for_login(&self, username: &str) -> Result<Option<(User, Option<String>)>> {
        let username = username.to_owned();
        read!(self, Point, |tx| records::user_for_login(tx, &username))
    }

    async fn create_session(
        &self,
        user_id: UserId,
        token_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()> {
        let token_hash = token_hash.to_owned();
        write!(self, |tx| records::insert_session(
            tx,
            user_id,
            &token_hash,
            now,
            expires_at
        ))
    }

    async fn session_user(&self, token_hash: &str, now: Timestamp) -> Result<Option<User>> {
        let ticket = match self.sessions.get(token_hash, now) {
            Ok(user) => return Ok(Some(user)),
            Err(ticket) => ticket,
        };
        let hash = token_hash.to_owned();
        let found = read!(self, Point, |tx| records::session_user(tx, &hash, now))?;
        Ok(found.map(|(user, expires)| {
            self.sessions.keep(ticket, token_hash, &user, expires);
            user
        }))
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let token_hash = token_hash.to_owned();
        write!(self, |tx| records::delete_session(tx, &token_hash))
    }

    async fn users(&self, actor: &Actor, q: UserQuery) -> Result<Page<Account>> {
        access::check_admin(actor)?;
        let limit = q.limit;
        let users = read!(self, Scan, |tx| records::users(tx, &q))?;
        Ok(Page::of(users, limit, |a: &Account| a.user.id.to_string()))
    }

    async fn set_disabled(
        &self,
        actor: &Actor,
        id: UserId,
        disabled: bool,
        now: Timestamp,
    ) -> Result<User> {
        access::check_admin(actor)?;
        let actor = actor.clone();
        write!(self, |tx| accounts::set_disabled(
            tx, &actor, id, disabled, now
        ))
    }

    async fn reset_password(
        &self,
        actor: &Actor,
        id: UserId,
        password_hash: String,
        now: Timestamp,
    ) -> Result<User> {
        access::check_admin(actor)?;
        let actor = actor.clone();
        write!(self, |tx| accounts::reset_password(
            tx,
            &actor,
            id,
            password_hash,
            now
        ))
    }

    async fn set_role(
        &self,
        actor: &Actor,
        id: UserId,
        role: Role,
        now: Timestamp,
    ) -> Result<User> {
        access::check_admin(actor)?;
        let actor = actor.clone();
        write!(self, |tx| accounts::set_role(tx, &actor, id, role, now))
    }

    async fn create_service_account(
        &self,
        actor: &Actor,
        new: NewServiceAccount,
        key: NewApiKey,
        now: Timestamp,
    ) -> Result<ServiceAccount> {
        access::check_key_admin(actor)?;
        let actor = actor.clone();
        write!(self, |tx| keys::create(tx, &actor, new, key, now))
    }

    async fn service_accounts(&self, actor: &Actor) -> Result<Vec<ServiceAccount>> {
        access::check_key_admin(actor)?;
        read!(self, Scan, |tx| keys::accounts(tx))
    }

    async fn issue_api_key(
        &self,
        actor: &Actor,
        account: UserId,
        key: NewApiKey,
        now: Timestamp,
    ) -> Result<ApiKey> {
        access::check_key_admin(actor)?;
        let actor = actor.clone();
        write!(self, |tx| keys::issue(tx, &actor, account, key, now))
    }

    async fn revoke_api_key(
        &self,
        actor: &Actor,
        account: UserId,
        key_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        access::check_key_admin(actor)?;
        let actor = actor.clone();
        write!(self, |tx| keys::revoke(tx, &actor, account, key_id, now))
    }

    async fn api_key_holder(&self, key_hash: &str, now: Timestamp) -> Result<Option<KeyHolder>> {
        let key_hash = key_hash.to_owned();
        let Some((holder, stale)) = read!(self, Point, |tx| keys::holder(tx, &key_hash, now))?
        else {
            return Ok(None);
        };
        if stale {
            let id = holder.key_id;
            write!(self, Relaxed, |tx| keys::note_use(tx, id, now))?;
        }
        Ok(Some(holder))
    }

    async fn expire_idempotency_keys(&self, now: Timestamp) -> Result<u64> {
        write!(self, |tx| market::expire(tx, now))
    }

    async fn market_write(
        &self,
        actor: &Actor,
        w: MarketWrite,
        idem: Idempotency,
        now: Timestamp,
    ) -> Result<MarketAnswer> {
        access::check_scope(actor, w.scope())?;
        let (actor, policy) = (actor.clone(), self.policy.clone());
        write!(self, |tx| market::write(tx, &actor, w, &idem, now, &policy))
    }

    async fn import_shops(&self, shops: Vec<ShopRecord>, now: Timestamp) -> Result<ImportOutcome> {
        write!(self, |tx| imports::import_shops(tx, shops, now))
    }

    async fn import_orders(
        &self,
        orders: Vec<OrderRecord>,
        now: Timestamp,
    ) -> Result<ImportOutcome> {
        write!(self, |tx| imports::import_orders(tx, orders, now))
    }

    async fn shop(&self, id: &ShopId, now: Timestamp) -> Result<Option<Shop>> {
        let id = id.clone();
        read!(self, Point, |tx| ledger::shop(tx, &id, now))
    }

    async fn penalties(&self, id: &ShopId) -> Result<Vec<PenaltyRecord>> {
        let id = id.clone();
        read!(self, Point, |tx| ledger::penalties(tx, &id))
    }

    async fn violations(&self, actor: &Actor, shop: &ShopId) -> Result<Vec<ViolationRecord>> {
        let (actor, id) = (actor.clone(), shop.clone());
        read!(self, Point, |tx| async move {
            let merchant = records::shop_state(tx, &id)
                .await?
                .map(|s| UserId(s.merchant_id));
            access::shop_ledger(&actor, merchant)?;
            ledger::violations(tx, &id).await
        })
    }

    async fn my_shops(&self, actor: &Actor, now: Timestamp) -> Result<Vec<Shop>> {
        let merchant = access::own_shops(actor)?;
        read!(self, Point, |tx| ledger::merchant_shops(tx, merchant, now))
    }

    async fn penalised_shops(
        &self,
        actor: &Actor,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<Shop>> {
        access::check_staff(actor)?;
        read!(self, Point, |tx| ledger::penalised_shops(tx, now, limit))
    }

    async fn find_orders(&self, actor: &Actor, q: OrderQuery) -> Result<Page<Order>> {
        let seen = visibility_ids(actor);
        let limit = q.limit;
        let mut items = read!(self, Scan, |tx| records::orders(tx, seen, &q))?;
        if !access::shows_buyer(actor) {
            items.iter_mut().for_each(|o| o.buyer_id = None);
        }
        Ok(Page::of(items, limit, |o: &Order| o.order_no.to_string()))
    }

    async fn file_complaint(
        &self,
        actor: &Actor,
        new: NewComplaint,
        channel: Channel,
        now: Timestamp,
    ) -> Result<Complaint> {
        // Filed beside whatever other filings wait (`intake`); its wave is looked for once it
        // commits, off its transaction (`collective`).
        let filing = complaints::Filing {
            actor: actor.clone(),
            new,
            channel,
            now,
        };
        intake::file(self.lane(), filing)
            .await
            .map(|done| self.committed(done))
    }

    async fn complaint(&self, actor: &Actor, id: ComplaintId) -> Result<Complaint> {
        let actor = actor.clone();
        read!(self, Point, |tx| complaints::visible(tx, &actor, id, None))
    }

    async fn complaint_at(&self, actor: &Actor, id: ComplaintId) -> Result<(Complaint, i64)> {
        let actor = actor.clone();
        read!(self, Point, |tx| async {
            let c = complaints::visible(tx, &actor, id, None).await?;
            let version = events::head_seq(tx, &Stream::Complaint(id)).await?;
            Ok((c, version))
        })
    }

    async fn complaints(&self, actor: &Actor, filter: ComplaintFilter) -> Result<Page<Complaint>> {
        let (seen, limit) = (visibility_ids(actor), filter.limit);
        let items = read!(self, Scan, |tx| records::complaints(tx, seen, &filter))?;
        Ok(Page::of(items, limit, |c: &Complaint| c.id.to_string()))
    }

    async fn act_at(
        &self,
        actor: &Actor,
        id: ComplaintId,
        action: Action,
        version: Option<i64>,
        now: Timestamp,
    ) -> Result<Complaint> {
        let (actor, policy) = (actor.clone(), self.policy.clone());
        write!(self, |tx| complaints::act(
            tx, &actor, id, action, version, now, &policy
        ))
    }

    async fn add_message(
        &self,
        actor: &Actor,
        id: ComplaintId,
        body: String,
        now: Timestamp,
    ) -> Result<Message> {
        let actor = actor.clone();
        write!(self, |tx| complaints::add_message(
            tx, &actor, id, body, now
        ))
    }

    async fn messages(&self, actor: &Actor, id: ComplaintId) -> Result<Vec<Message>> {
        let actor = actor.clone();
        read!(self, Point, |tx| async {
            complaints::visible(tx, &actor, id, None).await?;
            records::messages(tx, id).await
        })
    }

    async fn may_upload(&self, actor: &Actor, subject: EvidenceSubject) -> Result<()> {
        let actor = actor.clone();
        let quota = self.policy().uploads.clone();
        read!(self, Point, |tx| async move {
            match subject {
                EvidenceSubject::Complaint(id) => {
                    let c = complaints::visible(tx, &actor, id, None).await?;
                    access::check_contribute(&actor, &c)?;
                }
                EvidenceSubject::Report(id) => {
                    reports::read_report(tx, &actor, id).await?;
                }
            }
            evidence::check_quota(tx, &actor, subject, 0, &quota).await
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
        let quota = self.policy().uploads.clone();
        write!(self, |tx| complaints::add_evidence(
            tx, &actor, id, ev, &quota, now
        ))
    }

    async fn evidence_list(&self, actor: &Actor, id: ComplaintId) -> Result<Vec<Evidence>> {
        let actor = actor.clone();
        read!(self, Point, |tx| async {
            complaints::visible(tx, &actor, id, None).await?;
            evidence::list(tx, Subject::Complaint(id)).await
        })
    }

    async fn evidence(
        &self,
        actor: &Actor,
        id: ComplaintId,
        sha: &Sha256,
    ) -> Result<(Evidence, Vec<u8>)> {
        let (actor, wanted) = (actor.clone(), sha.clone());
        let found = read!(self, Point, |tx| async {
            complaints::visible(tx, &actor, id, None).await?;
            evidence::get(tx, Subject::Complaint(id), &wanted).await
        })?;
        self.with_bytes(found).await
    }

    async fn complaint_events(&self, actor: &Actor, id: ComplaintId) -> Result<Vec<Event>> {
        let actor = actor.clone();
        read!(self, Point, |tx| async {
            complaints::visible(tx, &actor, id, None).await?;
            events::read(tx, &Stream::Complaint(id)).await
        })
    }

    async fn complaint_staff(&self, actor: &Actor, id: ComplaintId) -> Result<Vec<User>> {
        let actor = actor.clone();
        read!(self, Point, |tx| async {
            complaints::visible(tx, &actor, id, None).await?;
            records::complaint_staff(tx, id).await
        })
    }

    async fn chat_session(&self, actor: &Actor, id: &str) -> Result<ChatSession> {
        let (actor, id) = (actor.clone(), id.to_owned());
        read!(self, Point, |tx| chat::read_session(tx, &actor, &id))
    }

    async fn save_chat(&self, actor: &Actor, save: ChatSave, now: Timestamp) -> Result<()> {
        access::check_chat_consumer(actor)?;
        let actor = actor.clone();
        if save.durable() {
            write!(self, Durable, |tx| chat::save(tx, &actor, save, now))
        } else {
            write!(self, Relaxed, |tx| chat::save(tx, &actor, save, now))
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
        access::check_chat_consumer(actor)?;
        let (actor, policy) = (actor.clone(), self.policy.clone());
        write!(self, |tx| chat::file_complaint(
            tx, &actor, new, transcript, save, now, &policy
        ))
    }

    async fn chat_handovers(&self, actor: &Actor, limit: u32) -> Result<Vec<ChatSession>> {
        access::check_chat_queue(actor)?;
        let actor = actor.clone();
        read!(self, Scan, |tx| chat::handovers(tx, &actor, limit))
    }

    async fn take_chat(&self, actor: &Actor, id: &str, now: Timestamp) -> Result<ChatSession> {
        access::check_chat_agent(actor)?;
        let (actor, id) = (actor.clone(), id.to_owned());
        write!(self, |tx| async {
            chat::take(tx, &actor, &id, now).await?;
            chat::read_session(tx, &actor, &id).await
        })
    }

    async fn agent_chat_reply(
        &self,
        actor: &Actor,
        id: &str,
        body: String,
        now: Timestamp,
    ) -> Result<ChatSession> {
        access::check_chat_agent(actor)?;
        let (actor, id) = (actor.clone(), id.to_owned());
        write!(self, |tx| async {
            chat::agent_reply(tx, &actor, &id, &body, now).await?;
            chat::read_session(tx, &actor, &id).await
        })
    }

    async fn due_timers(&self, now: Timestamp, limit: u32) -> Result<Vec<DueTimer>> {
        read!(self, Point, |tx| timers::due(tx, now, limit))
    }

    async fn fire_timer(&self, timer: &DueTimer, now: Timestamp) -> Result<bool> {
        let (timer, policy) = (timer.clone(), self.policy.clone());
        write!(self, |tx| complaints::fire_timer(tx, &timer, now, &policy))
    }

    async fn next_timer_at(&self) -> Result<Option<Timestamp>> {
        read!(self, Point, |tx| timers::next_due(tx))
    }

    async fn find_cases(&self, actor: &Actor, q: CaseQuery) -> Result<Page<Case>> {
        let merchant = access::cases_scope(actor)?;
        read!(self, Scan, |tx| cases::list_cases(tx, merchant, &q))
    }

    async fn case(&self, actor: &Actor, id: CaseId) -> Result<Case> {
        let actor = actor.clone();
        read!(self, Point, |tx| cases::visible_case(tx, &actor, id.0))
    }

    async fn case_events(&self, actor: &Actor, id: CaseId) -> Result<Vec<Event>> {
        let actor = actor.clone();
        read!(self, Point, |tx| cases::case_events(tx, &actor, id.0))
    }

    async fn case_act(
        &self,
        actor: &Actor,
        id: CaseId,
        action: CaseAction,
        now: Timestamp,
    ) -> Result<Case> {
        let (actor, policy) = (actor.clone(), self.policy.clone());
        write!(self, |tx| async {
            case_actions::case_act(tx, &actor, id.0, action, now, &policy).await?;
            cases::visible_case(tx, &actor, id.0).await
        })
    }

    async fn file_report(
        &self,
        actor: &Actor,
        report: NewReport,
        channel: Channel,
        now: Timestamp,
    ) -> Result<Report> {
        let actor = actor.clone();
        write!(self, |tx| async {
            let id = reports::file_report(tx, &actor, report, channel, now).await?;
            reports::read_report(tx, &actor, id).await
        })
    }

    async fn report(&self, actor: &Actor, id: ReportId) -> Result<Report> {
        let actor = actor.clone();
        read!(self, Point, |tx| reports::read_report(tx, &actor, id))
    }

    async fn reports(
        &self,
        actor: &Actor,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Page<Report>> {
        let actor = actor.clone();
        read!(self, Scan, |tx| reports::list_reports(
            tx, &actor, before, limit
        ))
    }

    async fn report_events(&self, actor: &Actor, id: ReportId) -> Result<Vec<Event>> {
        let actor = actor.clone();
        read!(self, Point, |tx| reports::report_events(tx, &actor, id))
    }

    async fn add_report_evidence(
        &self,
        actor: &Actor,
        id: ReportId,
        ev: NewEvidence,
        now: Timestamp,
    ) -> Result<Evidence> {
        let actor = actor.clone();
        let quota = self.policy().uploads.clone();
        write!(self, |tx| reports::add_report_evidence(
            tx, &actor, id, ev, &quota, now
        ))
    }

    async fn report_evidence_list(&self, actor: &Actor, id: ReportId) -> Result<Vec<Evidence>> {
        let actor = actor.clone();
        read!(self, Point, |tx| reports::report_evidence_list(
            tx, &actor, id
        ))
    }

    async fn report_evidence(
        &self,
        actor: &Actor,
        id: ReportId,
        sha: &Sha256,
    ) -> Result<(Evidence, Vec<u8>)> {
        let (actor, wanted) = (actor.clone(), sha.clone());
        let ev = read!(self, Point, |tx| reports::report_evidence(
            tx, &actor, id, &wanted
        ))?;
        self.with_bytes((ev, None)).await
    }

    async fn report_act(
        &self,
        actor: &Actor,
        id: ReportId,
        action: ReportAction,
        now: Timestamp,
    ) -> Result<Report> {
        let (actor, policy) = (actor.clone(), self.policy.clone());
        write!(self, |tx| async {
            reports::report_act(tx, &actor, id, action, now, &policy).await?;
            reports::read_report(tx, &actor, id).await
        })
    }

    async fn appeal_penalty(
        &self,
        actor: &Actor,
        shop: &ShopId,
        penalty: PenaltyId,
        reason: String,
        now: Timestamp,
    ) -> Result<()> {
        let (actor, shop) = (actor.clone(), shop.clone());
        write!(self, |tx| ledger::appeal_penalty(
            tx, &actor, &shop, penalty, reason, now
        ))
    }

    async fn decide_penalty_appeal(
        &self,
        actor: &Actor,
        shop: &ShopId,
        penalty: PenaltyId,
        overturn: bool,
        reason: String,
        now: Timestamp,
    ) -> Result<()> {
        let (actor, shop) = (actor.clone(), shop.clone());
        write!(self, |tx| ledger::decide_penalty_appeal(
            tx, &actor, &shop, penalty, overturn, reason, now
        ))
    }

    async fn listings_down(&self, shop: &ShopId) -> Result<Vec<String>> {
        let shop = shop.clone();
        read!(self, Point, |tx| reports::listings_down(tx, &shop))
    }

    async fn shop_events(&self, actor: Option<&Actor>, shop: &ShopId) -> Result<Vec<Event>> {
        let (shop, reader) = (shop.clone(), access::shop_reader(actor));
        read!(self, Point, |tx| events::read_as(
            tx,
            &Stream::Shop(shop.clone()),
            reader
        ))
    }

    async fn due_subject_timers(&self, now: Timestamp, limit: u32) -> Result<Vec<SubjectTimer>> {
        read!(self, Point, |tx| timers::due_subject(tx, now, limit))
    }

    async fn fire_subject_timer(&self, timer: &SubjectTimer, now: Timestamp) -> Result<bool> {
        let (timer, policy) = (timer.clone(), self.policy.clone());
        write!(self, |tx| case_actions::fire_subject_timer(
            tx, &timer, now, &policy
        ))
    }

    async fn schedule_job(&self, subject: &str, kind: &str, due: Timestamp) -> Result<()> {
        let (subject, kind) = (subject.to_owned(), kind.to_owned());
        write!(self, |tx| timers::insert_job(tx, &subject, &kind, due))
    }

    async fn purchases(&self, since: Timestamp) -> Result<Vec<brushing::Purchase>> {
        read!(self, Scan, |tx| brushing::purchases(tx, since))
    }

    async fn open_brushing_case(
        &self,
        block: &brushing::BrushingBlock,
        since: Timestamp,
        now: Timestamp,
    ) -> Result<Option<CaseId>> {
        let block = block.clone();
        let id = write!(self, |tx| brushing::open_brushing_case(
            tx, &block, since, now
        ))?;
        Ok(id.map(CaseId))
    }

    async fn sweep_monitors(&self, now: Timestamp, limit: u32) -> Result<usize> {
        let policy = self.policy.clone();
        write!(self, |tx| monitors::sweep_late_shipments(
            tx, now, limit, &policy
        ))
    }

    async fn assign_collective(&self, now: Timestamp) -> Result<usize> {
        drain::collective(self, now).await
    }

    async fn collective_queued(&self) -> Result<u64> {
        read!(self, Point, |tx| collective::queued(tx))
    }

    async fn filing_committed(&self) {
        self.filed.notified().await
    }

    async fn stats(&self, actor: &Actor, q: StatsQuery) -> Result<Stats> {
        access::check_staff(actor)?;
        read!(self, Scan, |tx| stats::compute(tx, &q))
    }

    async fn scorecard(
        &self,
        actor: Option<&Actor>,
        shop: &ShopId,
        now: Timestamp,
    ) -> Result<weiquan_domain::scorecard::Scorecard> {
        access::scorecard(actor)?;
        let shop = shop.clone();
        read!(self, Scan, |tx| async move {
            scorecard::scorecard(tx, &shop, now)
                .await?
                .ok_or_else(|| crate::StoreError::from(access::not_found_shop()))
        })
    }

    async fn begin_export(
        &self,
        actor: &Actor,
        scope: bundle::BundleScope,
        now: Timestamp,
    ) -> Result<crate::bundle::ExportTicket> {
        access::check_export(actor)?;
        let actor = actor.clone();
        write!(self, |tx| crate::bundle::begin(tx, &actor, scope, now))
    }

    async fn write_bundle(
        &self,
        ticket: &crate::bundle::ExportTicket,
        key: &crate::bundle::PlatformKey,
        out: &mut (dyn tokio::io::AsyncWrite + Send + Unpin),
    ) -> Result<crate::bundle::BundleSummary> {
        // The snapshot's reader hands pieces over a short queue while the writer writes them,
        // so neither waits for the whole scope, and memory holds a few files at most.
        let (pieces, taken) = tokio::sync::mpsc::channel(16);
        let mut writer = crate::bundle::write::Writer::new(out, ticket);
        let t = ticket.clone();
        let read = async {
            read!(self, Snapshot, |tx| crate::bundle::collect::scope(
                tx, &t, pieces
            ))
        };
        let (read, written) = tokio::join!(read, writer.take(taken));
        // A writer that failed (its reader gone) stops the snapshot: its error is the cause.
        written?;
        read?;
        writer.blobs(&self.blobs).await?;
        writer.finish(ticket, key).await
    }

    async fn verify(&self) -> Result<std::result::Result<AuditReport, String>> {
        match read!(self, Snapshot, |tx| audit::walk(tx))? {
            Ok(checker) => Ok(checker.check_files(&self.blobs).await),
            Err(broken) => Ok(Err(broken)),
        }
    }

    fn write_stats(&self) -> WriteStats {
        self.driver.write_stats()
    }

    fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    fn policy(&self) -> &Policy {
        &self.policy
    }

    async fn health(&self) -> Result<()> {
        read!(self, Point, |tx| async move {
            tx.query("SELECT 1", &[]).await.map(drop)
        })?;
        self.blobs.probe().await
    }
}
