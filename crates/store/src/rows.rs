//! Rows as the databases return them (the same columns on both), and their conversion into the
//! domain's types.

use serde::de::DeserializeOwned;
use weiquan_domain::complaint::Progress;
use weiquan_domain::records::OrderItem;
use weiquan_domain::*;

use crate::error::{Result, StoreError};
use crate::model::*;
use crate::sql::Val;
use crate::time::from_ms;

/// The columns of a [`ComplaintRow`], in its field order.
pub(crate) const COMPLAINT_SELECT: &str = "SELECT c.id, c.order_no, c.consumer_id, c.shop_id, s.merchant_id, c.product, c.category, \
     c.incident_at, c.description, c.claim, c.channel, c.state, c.tier, c.major, c.assignee_id, \
     c.collective_case_id, c.progress, c.deadline_at, c.created_at, c.updated_at \
     FROM complaints c JOIN shops s ON s.id = c.shop_id";

/// A column value as a row struct's field takes it: moved out of the row, not copied (the
/// filing's reads run on SQLite's one writer thread, where every allocation counts).
pub(crate) trait FromVal: Sized {
    fn from_val(v: Val) -> Result<Self>;
}
impl FromVal for i64 {
    fn from_val(v: Val) -> Result<i64> {
        v.int()
    }
}
impl FromVal for Option<i64> {
    fn from_val(v: Val) -> Result<Option<i64>> {
        v.opt_int()
    }
}
impl FromVal for f64 {
    fn from_val(v: Val) -> Result<f64> {
        v.real()
    }
}
impl FromVal for Option<f64> {
    fn from_val(v: Val) -> Result<Option<f64>> {
        v.opt_real()
    }
}
impl FromVal for bool {
    fn from_val(v: Val) -> Result<bool> {
        v.bool()
    }
}
impl FromVal for String {
    fn from_val(v: Val) -> Result<String> {
        v.into_text()
    }
}
impl FromVal for Option<String> {
    fn from_val(v: Val) -> Result<Option<String>> {
        if v.is_null() {
            Ok(None)
        } else {
            v.into_text().map(Some)
        }
    }
}

/// Reads a row whose columns come in the struct's field order.
macro_rules! from_row {
    ($t:ident { $($f:ident),+ $(,)? }) => {
        impl $t {
            pub(crate) fn from_row(r: Vec<Val>) -> Result<$t> {
                let mut cols = r.into_iter();
                let mut next = || {
                    cols.next().ok_or_else(|| {
                        StoreError::Corrupt(format!("{}: too few columns", stringify!($t)))
                    })
                };
                Ok($t { $($f: FromVal::from_val(next()?)?,)+ })
            }
        }
    };
}
from_row!(ComplaintRow {
    id,
    order_no,
    consumer_id,
    shop_id,
    merchant_id,
    product,
    category,
    incident_at,
    description,
    claim,
    channel,
    state,
    tier,
    major,
    assignee_id,
    collective_case_id,
    progress,
    deadline_at,
    created_at,
    updated_at
});
from_row!(UserRow {
    id,
    username,
    role,
    display_name,
    password_hash
});
from_row!(OrderRow {
    order_no,
    buyer_id,
    shop_id,
    shop_name,
    merchant_id,
    items,
    amount_cents,
    paid_at,
    shipped_at,
    delivered_at
});
from_row!(EventRow {
    id,
    stream,
    seq,
    at,
    actor,
    kind,
    data,
    prev_hash,
    hash
});
from_row!(EvidenceRow {
    sha256,
    size,
    content_type,
    kind,
    filename,
    uploaded_by,
    at
});
from_row!(MessageRow {
    id,
    complaint_id,
    author_id,
    author_role,
    body,
    at
});
from_row!(PenaltyRow {
    id,
    penalty,
    search_weight,
    starts_at,
    ends_at,
    reason,
    appeal
});

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

pub(crate) fn json<T: DeserializeOwned>(what: &str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| corrupt(what, e))
}

pub(crate) fn parsed<T>(what: &str, r: std::result::Result<T, DomainError>) -> Result<T> {
    r.map_err(|e| corrupt(what, e))
}

pub(crate) struct ComplaintRow {
    id: i64,
    order_no: String,
    consumer_id: i64,
    shop_id: String,
    merchant_id: i64,
    product: String,
    category: String,
    incident_at: i64,
    description: String,
    claim: String,
    channel: String,
    state: String,
    tier: String,
    major: bool,
    assignee_id: Option<i64>,
    collective_case_id: Option<i64>,
    progress: String,
    deadline_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<ComplaintRow> for Complaint {
    type Error = StoreError;
    fn try_from(r: ComplaintRow) -> Result<Complaint> {
        let what = format!("complaint {}", r.id);
        Ok(Complaint {
            id: ComplaintId(r.id),
            order_no: parsed(&what, OrderNo::parse(&r.order_no))?,
            consumer_id: UserId(r.consumer_id),
            shop_id: parsed(&what, ShopId::parse(&r.shop_id))?,
            merchant_id: UserId(r.merchant_id),
            product: r.product,
            category: parsed(&what, Category::parse(&r.category))?,
            incident_at: from_ms(r.incident_at)?,
            description: r.description,
            claim: json(&what, &r.claim)?,
            channel: parsed(&what, Channel::parse(&r.channel))?,
            state: parsed(&what, State::parse(&r.state))?,
            tier: parsed(&what, Tier::parse(&r.tier))?,
            major: r.major,
            assignee_id: r.assignee_id.map(UserId),
            collective_case_id: r.collective_case_id.map(CaseId),
            progress: json::<Progress>(&what, &r.progress)?,
            deadline_at: r.deadline_at.map(from_ms).transpose()?,
            created_at: from_ms(r.created_at)?,
            updated_at: from_ms(r.updated_at)?,
        })
    }
}

pub(crate) struct UserRow {
    pub id: i64,
    pub username: String,
    pub role: String,
    pub display_name: String,
    pub password_hash: Option<String>,
}

impl UserRow {
    pub(crate) fn user(&self) -> Result<User> {
        let what = format!("user {}", self.id);
        Ok(User {
            id: UserId(self.id),
            username: parsed(&what, Username::parse(&self.username))?,
            role: parsed(&what, Role::parse(&self.role))?,
            display_name: self.display_name.clone(),
        })
    }
}

pub(crate) struct OrderRow {
    pub order_no: String,
    pub buyer_id: i64,
    pub shop_id: String,
    pub shop_name: String,
    pub merchant_id: i64,
    pub items: String,
    pub amount_cents: i64,
    pub paid_at: i64,
    pub shipped_at: Option<i64>,
    pub delivered_at: Option<i64>,
}

/// A complaint (`c`) still in progress: the condition of `complaints_one_active_per_order`.
macro_rules! active_complaint {
    () => {
        "c.state NOT IN ('closed', 'withdrawn')"
    };
}
pub(crate) use active_complaint;

/// The columns of an [`OrderRow`], in its field order.
macro_rules! order_columns {
    () => {
        "SELECT o.order_no, o.buyer_id, o.shop_id, s.name AS shop_name, s.merchant_id, o.items, \
         o.amount_cents, o.paid_at, o.shipped_at, o.delivered_at"
    };
}
pub(crate) const ORDER_SELECT: &str = concat!(
    order_columns!(),
    " FROM orders o JOIN shops s ON s.id = o.shop_id"
);
/// [`ORDER_SELECT`] with one more column: the order's complaint still in progress, if any
/// (at most one: `complaints_one_active_per_order`).
pub(crate) const ORDER_SELECT_OPEN: &str = concat!(
    order_columns!(),
    ", (SELECT c.id FROM complaints c WHERE c.order_no = o.order_no AND ",
    active_complaint!(),
    ") AS open_complaint FROM orders o JOIN shops s ON s.id = o.shop_id"
);

impl TryFrom<OrderRow> for Order {
    type Error = StoreError;
    fn try_from(r: OrderRow) -> Result<Order> {
        let what = format!("order {}", r.order_no);
        Ok(Order {
            order_no: parsed(&what, OrderNo::parse(&r.order_no))?,
            buyer_id: Some(UserId(r.buyer_id)),
            shop_id: parsed(&what, ShopId::parse(&r.shop_id))?,
            shop_name: r.shop_name,
            items: json::<Vec<OrderItem>>(&what, &r.items)?,
            amount_cents: parsed(&what, Cents::new(r.amount_cents))?,
            paid_at: from_ms(r.paid_at)?,
            shipped_at: r.shipped_at.map(from_ms).transpose()?,
            delivered_at: r.delivered_at.map(from_ms).transpose()?,
            open_complaint: None,
        })
    }
}

pub(crate) struct EventRow {
    pub id: i64,
    pub stream: String,
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub kind: String,
    pub data: String,
    pub prev_hash: String,
    pub hash: String,
}

impl TryFrom<EventRow> for Event {
    type Error = StoreError;
    fn try_from(r: EventRow) -> Result<Event> {
        Ok(Event {
            data: json(&format!("event {}", r.id), &r.data)?,
            stream: r.stream,
            seq: r.seq,
            at: from_ms(r.at)?,
            actor: r.actor,
            kind: r.kind,
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
    }
}

pub(crate) struct EvidenceRow {
    pub sha256: String,
    pub size: i64,
    pub content_type: String,
    pub kind: String,
    pub filename: Option<String>,
    pub uploaded_by: Option<i64>,
    pub at: i64,
}

impl TryFrom<EvidenceRow> for Evidence {
    type Error = StoreError;
    fn try_from(r: EvidenceRow) -> Result<Evidence> {
        let what = format!("evidence {}", r.sha256);
        Ok(Evidence {
            sha256: parsed(&what, Sha256::parse(&r.sha256))?,
            size: r.size,
            content_type: r.content_type,
            kind: parsed(&what, EvidenceKind::parse(&r.kind))?,
            filename: r.filename,
            uploaded_by: r.uploaded_by.map(UserId),
            at: from_ms(r.at)?,
        })
    }
}

pub(crate) struct MessageRow {
    pub id: i64,
    pub complaint_id: i64,
    pub author_id: i64,
    pub author_role: String,
    pub body: String,
    pub at: i64,
}

impl TryFrom<MessageRow> for Message {
    type Error = StoreError;
    fn try_from(r: MessageRow) -> Result<Message> {
        Ok(Message {
            id: r.id,
            complaint_id: ComplaintId(r.complaint_id),
            author_id: UserId(r.author_id),
            author_role: parsed("message", Role::parse(&r.author_role))?,
            body: r.body,
            at: from_ms(r.at)?,
        })
    }
}

pub(crate) struct PenaltyRow {
    pub id: i64,
    pub penalty: String,
    pub search_weight: Option<f64>,
    pub starts_at: i64,
    pub ends_at: Option<i64>,
    pub reason: String,
    pub appeal: Option<String>,
}

impl TryFrom<PenaltyRow> for PenaltyRecord {
    type Error = StoreError;
    fn try_from(r: PenaltyRow) -> Result<PenaltyRecord> {
        Ok(PenaltyRecord {
            id: PenaltyId(r.id),
            penalty: r.penalty,
            search_weight: r.search_weight,
            starts_at: from_ms(r.starts_at)?,
            ends_at: r.ends_at.map(from_ms).transpose()?,
            reason: r.reason,
            appeal: r
                .appeal
                .as_deref()
                .map(|a| json("penalty appeal", a))
                .transpose()?,
        })
    }
}

/// A pending timer's row: id, complaint, kind, due.
pub(crate) type TimerRow = (i64, i64, String, i64);

impl TryFrom<TimerRow> for DueTimer {
    type Error = StoreError;
    fn try_from((id, cid, kind, due): TimerRow) -> Result<DueTimer> {
        Ok(DueTimer {
            id,
            complaint_id: ComplaintId(cid),
            kind: TimerKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("timer {id}: kind {kind}")))?,
            due_at: from_ms(due)?,
        })
    }
}

/// Converts every row.
pub(crate) fn each<T>(rows: Vec<Vec<Val>>, f: impl Fn(Vec<Val>) -> Result<T>) -> Result<Vec<T>> {
    rows.into_iter().map(f).collect()
}

/// Maps a parse failure of stored data to a corrupt record naming what it was.
pub(crate) fn bad(what: &str) -> impl Fn(DomainError) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}
