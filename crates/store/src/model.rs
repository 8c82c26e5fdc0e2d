//! What the store returns besides the domain's own types.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use weiquan_domain::records::{Commitments, OrderItem};
use weiquan_domain::*;

/// An account, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: UserId,
    pub username: Username,
    pub role: Role,
    pub display_name: String,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor::new(self.id, self.role)
    }
}

/// A new account. `password_hash` is a PHC string, or `None` for one that cannot sign in.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub role: Role,
    pub display_name: String,
    pub password_hash: Option<String>,
}

/// A shop's public standing (DESIGN §2).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Shop {
    pub id: ShopId,
    pub name: String,
    pub merchant_id: UserId,
    pub commitments: Commitments,
    /// Penalty points within the last 12 months.
    pub points: i64,
    pub search_weight: f64,
    pub status: String,
    pub active_penalties: Vec<PenaltyRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PenaltyRecord {
    pub id: PenaltyId,
    pub penalty: String,
    pub search_weight: Option<f64>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub reason: String,
    pub appeal: Option<Value>,
}

/// One violation on a shop's record, with what it came from and the penalties it triggered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViolationRecord {
    pub id: i64,
    pub kind: String,
    pub points: i64,
    pub compensation: Option<Cents>,
    pub complaint_id: Option<ComplaintId>,
    pub case_id: Option<CaseId>,
    pub order_no: Option<String>,
    pub at: DateTime<Utc>,
    /// The penalties this violation's points pushed the shop into.
    pub penalties: Vec<PenaltyId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Order {
    pub order_no: OrderNo,
    /// The buyer's account; left out for the shop's merchant (`access::shows_buyer`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buyer_id: Option<UserId>,
    pub shop_id: ShopId,
    pub shop_name: String,
    pub items: Vec<OrderItem>,
    pub amount_cents: Cents,
    pub paid_at: DateTime<Utc>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The order's complaint still in progress (listings only): a second one is refused until
    /// it ends, so pages link to it instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_complaint: Option<ComplaintId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Message {
    pub id: i64,
    pub complaint_id: ComplaintId,
    pub author_id: UserId,
    pub author_role: Role,
    pub body: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Evidence {
    pub sha256: Sha256,
    pub size: i64,
    pub content_type: String,
    pub kind: EvidenceKind,
    pub filename: Option<String>,
    /// `None`: frozen by the platform when the complaint was filed.
    pub uploaded_by: Option<UserId>,
    pub at: DateTime<Utc>,
}

/// One link of a hash chain.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub stream: String,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    pub data: Value,
    pub prev_hash: String,
    pub hash: String,
}

/// A tier-3 case.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Case {
    pub id: CaseId,
    pub kind: CaseKind,
    pub shop_id: ShopId,
    pub state: CaseState,
    pub title: String,
    /// Member complaints (forwarded ones, a collective wave).
    pub members: Vec<ComplaintId>,
    /// Reports (举报) filed about the shop that joined the case.
    pub reports: Vec<ReportId>,
    /// What the case is about beyond its members: a brushing block's accounts, shops and score,
    /// a collective wave's issue.
    pub details: Value,
    /// The published decision: sanction (reasons, rules, points, remedy) or dismissal.
    pub outcome: Option<Value>,
    /// While the merchant has been asked for evidence: by when.
    pub evidence_due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A page of results and the cursor of the next one.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Which accounts the admin's list returns, by id.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    /// Part of the username or the display name (ASCII letters in any case).
    pub search: Option<String>,
    pub role: Option<RoleFilter>,
    /// Return accounts with ids above this (cursor paging).
    pub after: Option<i64>,
    pub limit: u32,
}

/// One role, or every staff role at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleFilter {
    Staff,
    Role(Role),
}

/// An account as the admin's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user: User,
    /// When an admin disabled it: it cannot sign in and its sessions and API keys are dead.
    pub disabled_at: Option<DateTime<Utc>>,
}

/// Which orders a listing returns, newest first.
#[derive(Debug, Clone, Default)]
pub struct OrderQuery {
    /// Orders numbered below this (cursor paging).
    pub before: Option<OrderNo>,
    /// Part of the order number, an item's title or the shop's name.
    pub search: Option<String>,
    pub shop_id: Option<ShopId>,
    pub limit: u32,
}

/// Which tier-3 cases a listing returns, newest first.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub state: Option<CaseState>,
    pub kind: Option<CaseKind>,
    pub shop_id: Option<ShopId>,
    /// Part of the title.
    pub search: Option<String>,
    /// Cases with ids below this (cursor paging).
    pub before: Option<i64>,
    pub limit: u32,
}

/// Which complaints a listing returns.
#[derive(Debug, Clone, Default)]
pub struct ComplaintFilter {
    pub state: Option<State>,
    pub tier: Option<Tier>,
    pub shop_id: Option<ShopId>,
    pub category: Option<Category>,
    /// Only major complaints still open (protection takes these over).
    pub major_open: bool,
    /// Part of the order number or the product.
    pub search: Option<String>,
    /// Filed at or after this.
    pub filed_from: Option<Timestamp>,
    /// Filed before this.
    pub filed_before: Option<Timestamp>,
    /// Return complaints with ids below this (cursor paging, newest first).
    pub before_id: Option<i64>,
    pub limit: u32,
}

/// A deadline that has fallen due.
#[derive(Debug, Clone, PartialEq)]
pub struct DueTimer {
    pub id: i64,
    pub complaint_id: ComplaintId,
    pub kind: TimerKind,
    pub due_at: DateTime<Utc>,
}

/// The result of an import batch: per record, its error if it did not land.
pub type ImportOutcome = Vec<Result<(), crate::StoreError>>;

/// What `audit verify` checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    pub streams: u64,
    pub events: u64,
    pub blobs: u64,
    pub complaints: u64,
}

impl<T> Page<T> {
    /// A page, with the cursor of the next one (the last key seen) if it was full.
    pub(crate) fn of(items: Vec<T>, limit: u32, cursor: impl Fn(&T) -> String) -> Page<T> {
        let next_cursor = if items.len() as u32 == limit {
            items.last().map(cursor)
        } else {
            None
        };
        Page { items, next_cursor }
    }
}

/// A listing's visibility as query parameters: (consumer id, merchant id), `None` for "any".
pub(crate) fn visibility_ids(actor: &Actor) -> (Option<i64>, Option<i64>) {
    match weiquan_domain::access::visibility(actor) {
        weiquan_domain::access::Visibility::ConsumerOwn(id) => (Some(id.0), None),
        weiquan_domain::access::Visibility::MerchantShops(id) => (None, Some(id.0)),
        weiquan_domain::access::Visibility::All => (None, None),
        // No account has id 0: the filter matches nothing.
        weiquan_domain::access::Visibility::Nothing => (Some(0), None),
    }
}
