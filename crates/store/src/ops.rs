//! The storage operations the write transactions are made of, one implementation per backend.
//!
//! The transactions themselves (`workflow.rs`) are written once, against this trait: what a
//! complaint's filing or an action writes, and in which order, is decided in one place.

use weiquan_domain::machine::Cancel;
use weiquan_domain::records::{Commitments, OrderRecord};
use weiquan_domain::*;

use crate::error::Result;
use crate::model::*;

/// How to read a complaint that is about to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lock {
    /// Wait for other writers of the row (actions).
    Wait,
    /// Skip it if another writer holds it (deadline firing: another node is at it, or it is
    /// retried next round).
    SkipLocked,
}

/// One event row, its hash already computed.
pub(crate) struct EventInsert<'a> {
    pub stream: &'a str,
    pub seq: i64,
    pub at_ms: i64,
    pub actor: &'a str,
    pub kind: &'a str,
    pub data: String,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

/// A stored shop's mutable fields.
pub(crate) struct ShopState {
    pub name: String,
    pub merchant_id: i64,
    pub commitments: String,
}

/// A stored order's identity and shipping.
pub(crate) struct OrderState {
    pub buyer_id: i64,
    pub shop_id: String,
    pub shipped_at: Option<i64>,
    pub delivered_at: Option<i64>,
}

#[allow(async_fn_in_trait)] // used with concrete types only, whose futures' Send-ness is known
pub(crate) trait Ops {
    /// Serialises, until the transaction ends, every transaction that takes the same key (an
    /// advisory lock on PostgreSQL; SQLite's single writer serialises everything already).
    async fn lock_key(&mut self, key: &str) -> Result<()>;
    /// The head of a stream: its last seq and hash. Serialises appends to the stream.
    async fn stream_head(&mut self, stream: &str) -> Result<Option<(i64, String)>>;
    async fn insert_event(&mut self, e: EventInsert<'_>) -> Result<()>;

    /// `None` when it does not exist, or (with `SkipLocked`) when another writer holds it.
    async fn complaint(&mut self, id: ComplaintId, lock: Option<Lock>)
    -> Result<Option<Complaint>>;
    /// `None` when the order has an active complaint already.
    async fn insert_complaint(
        &mut self,
        c: &Complaint,
        filed_by: UserId,
        snapshot: &str,
    ) -> Result<Option<ComplaintId>>;
    /// Writes the complaint's mutable fields and returns its earliest pending deadline.
    async fn update_complaint(
        &mut self,
        c: &Complaint,
        now: Timestamp,
    ) -> Result<Option<Timestamp>>;

    async fn user_id_role(&mut self, username: &str) -> Result<Option<(i64, String)>>;
    /// `None` when the username is taken.
    async fn insert_user(&mut self, u: &NewUser, now: Timestamp) -> Result<Option<i64>>;
    /// Creates the user unless the name is taken.
    async fn insert_user_if_absent(&mut self, u: &NewUser, now: Timestamp) -> Result<()>;
    async fn delete_session(&mut self, token_hash: &str) -> Result<()>;
    async fn insert_session(
        &mut self,
        user: UserId,
        token_hash: &str,
        now: Timestamp,
        expires: Timestamp,
    ) -> Result<()>;

    /// The order and its shop's merchant.
    async fn order(&mut self, order_no: &OrderNo) -> Result<Option<(Order, UserId)>>;
    async fn order_state(&mut self, order_no: &OrderNo) -> Result<Option<OrderState>>;
    async fn insert_order(&mut self, rec: &OrderRecord, buyer_id: i64) -> Result<()>;
    async fn update_order_shipping(
        &mut self,
        order_no: &OrderNo,
        shipped: Option<i64>,
        delivered: Option<i64>,
    ) -> Result<()>;

    async fn shop_state(&mut self, id: &ShopId) -> Result<Option<ShopState>>;
    async fn insert_shop(
        &mut self,
        id: &ShopId,
        name: &str,
        merchant_id: i64,
        commitments: &Commitments,
        now: Timestamp,
    ) -> Result<()>;
    async fn update_shop(
        &mut self,
        id: &ShopId,
        name: &str,
        commitments: &Commitments,
        now: Timestamp,
    ) -> Result<()>;

    async fn insert_timer(
        &mut self,
        id: ComplaintId,
        kind: TimerKind,
        due: Timestamp,
    ) -> Result<()>;
    async fn cancel_timers(&mut self, id: ComplaintId, cancel: &Cancel) -> Result<()>;
    /// Marks a pending timer fired; `false` if it was not pending.
    async fn claim_timer(&mut self, timer_id: i64, now: Timestamp) -> Result<bool>;

    /// `false` when the complaint is a member already.
    async fn add_case_member(
        &mut self,
        case_id: i64,
        complaint: ComplaintId,
        reason: &str,
        by: Option<UserId>,
        now: Timestamp,
    ) -> Result<bool>;

    async fn insert_message(
        &mut self,
        id: ComplaintId,
        author: &Actor,
        body: &str,
        now: Timestamp,
    ) -> Result<i64>;
    async fn evidence(&mut self, id: ComplaintId, sha: &Sha256) -> Result<Option<Evidence>>;
    async fn insert_evidence(
        &mut self,
        id: ComplaintId,
        ev: &Evidence,
        inline: Option<&[u8]>,
    ) -> Result<()>;

    /// Runs a statement of [`crate::sql`]'s dialect; the number of rows it changed.
    async fn exec(&mut self, sql: &str, params: &[crate::sql::Val]) -> Result<u64>;
    /// Runs a query of [`crate::sql`]'s dialect.
    async fn query(
        &mut self,
        sql: &str,
        params: &[crate::sql::Val],
    ) -> Result<Vec<Vec<crate::sql::Val>>>;

    /// Nested savepoints: one per imported record, so that a bad one rolls back alone.
    async fn savepoint(&mut self) -> Result<()>;
    async fn end_savepoint(&mut self, keep: bool) -> Result<()>;
}
