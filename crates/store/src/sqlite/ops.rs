//! [`Ops`] on SQLite: synchronous statements on the writer's connection. The futures never
//! wait on anything; the writer drives them with `block_on`.

use rusqlite::{Connection, OptionalExtension, params};
use weiquan_domain::machine::Cancel;
use weiquan_domain::records::{Commitments, OrderRecord};
use weiquan_domain::*;

use crate::error::Result;
use crate::model::*;
use crate::ops::{EventInsert, Lock, Ops, OrderState, ShopState};
use crate::rows::*;
use crate::time::{from_ms, to_ms};

pub(crate) struct SqliteOps<'a>(pub &'a Connection);

pub(crate) const EVIDENCE_COLUMNS: &str =
    "sha256, size, content_type, kind, filename, uploaded_by, at";

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

/// Loads a complaint by id (reads and writes share it).
pub(crate) fn load_complaint(conn: &Connection, id: ComplaintId) -> Result<Option<Complaint>> {
    conn.prepare_cached(&format!("{COMPLAINT_SELECT} WHERE c.id = ?1"))?
        .query_row([id.0], ComplaintRow::from_row)
        .optional()?
        .map(TryInto::try_into)
        .transpose()
}

impl Ops for SqliteOps<'_> {
    async fn lock_key(&mut self, _key: &str) -> Result<()> {
        Ok(())
    }

    async fn stream_head(&mut self, stream: &str) -> Result<Option<(i64, String)>> {
        // One writer: nothing else appends meanwhile.
        Ok(self
            .0
            .prepare_cached(
                "SELECT seq, hash FROM events WHERE stream = ?1 ORDER BY seq DESC LIMIT 1",
            )?
            .query_row([stream], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    async fn insert_event(&mut self, e: EventInsert<'_>) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO events (stream, seq, at, actor, kind, data, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![e.stream, e.seq, e.at_ms, e.actor, e.kind, e.data, e.prev_hash, e.hash])?;
        Ok(())
    }

    async fn complaint(
        &mut self,
        id: ComplaintId,
        _lock: Option<Lock>,
    ) -> Result<Option<Complaint>> {
        // The single writer is the lock.
        load_complaint(self.0, id)
    }

    async fn insert_complaint(
        &mut self,
        c: &Complaint,
        filed_by: UserId,
        snapshot: &str,
    ) -> Result<Option<ComplaintId>> {
        let r = self
            .0
            .prepare_cached(
                "INSERT INTO complaints (order_no, consumer_id, shop_id, filed_by, product, category, incident_at, description, \
                 claim, channel, state, tier, major, progress, order_snapshot, deadline_at, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17) RETURNING id",
            )?
            .query_row(
                params![
                    c.order_no.as_str(),
                    c.consumer_id.0,
                    c.shop_id.as_str(),
                    filed_by.0,
                    c.product,
                    c.category.as_str(),
                    to_ms(c.incident_at),
                    c.description,
                    serde_json::to_string(&c.claim).expect("claims serialize"),
                    c.channel.as_str(),
                    c.state.as_str(),
                    c.tier.as_str(),
                    c.major,
                    serde_json::to_string(&c.progress).expect("progress serializes"),
                    snapshot,
                    c.deadline_at.map(to_ms),
                    to_ms(c.created_at),
                ],
                |r| r.get::<_, i64>(0),
            );
        match r {
            Ok(id) => Ok(Some(ComplaintId(id))),
            Err(e) if is_unique_violation(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn update_complaint(
        &mut self,
        c: &Complaint,
        now: Timestamp,
    ) -> Result<Option<Timestamp>> {
        let deadline: Option<i64> = self
            .0
            .prepare_cached(
                "UPDATE complaints SET state = ?2, tier = ?3, major = ?4, assignee_id = ?5, collective_case_id = ?6, progress = ?7, \
                 updated_at = ?8, deadline_at = (SELECT MIN(due_at) FROM timers WHERE complaint_id = ?1 AND status = 'pending'), \
                 resolved_at = CASE WHEN ?2 = 'resolved' THEN COALESCE(resolved_at, ?8) ELSE resolved_at END, \
                 reached_mediation = reached_mediation OR ?2 = 'mediation', \
                 reached_protection = reached_protection OR ?2 = 'protection_review' \
                 WHERE id = ?1 RETURNING deadline_at",
            )?
            .query_row(
                params![
                    c.id.0,
                    c.state.as_str(),
                    c.tier.as_str(),
                    c.major,
                    c.assignee_id.map(|u| u.0),
                    c.collective_case_id.map(|k| k.0),
                    serde_json::to_string(&c.progress).expect("progress serializes"),
                    to_ms(now),
                ],
                |r| r.get(0),
            )?;
        deadline.map(from_ms).transpose()
    }

    async fn user_id_role(&mut self, username: &str) -> Result<Option<(i64, String)>> {
        Ok(self
            .0
            .prepare_cached("SELECT id, role FROM users WHERE username = ?1")?
            .query_row([username], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    async fn insert_user(&mut self, u: &NewUser, now: Timestamp) -> Result<Option<i64>> {
        let r = self
            .0
            .prepare_cached(
                "INSERT INTO users (username, role, display_name, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
            )?
            .query_row(params![u.username.as_str(), u.role.as_str(), u.display_name, u.password_hash, to_ms(now)], |r| r.get(0));
        match r {
            Ok(id) => Ok(Some(id)),
            Err(e) if is_unique_violation(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn insert_user_if_absent(&mut self, u: &NewUser, now: Timestamp) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO users (username, role, display_name, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (username) DO NOTHING",
            )?
            .execute(params![u.username.as_str(), u.role.as_str(), u.display_name, u.password_hash, to_ms(now)])?;
        Ok(())
    }

    async fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        self.0
            .prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")?
            .execute([token_hash])?;
        Ok(())
    }

    async fn insert_session(
        &mut self,
        user: UserId,
        token_hash: &str,
        now: Timestamp,
        expires: Timestamp,
    ) -> Result<()> {
        self.0
            .prepare_cached("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![token_hash, user.0, to_ms(now), to_ms(expires)])?;
        Ok(())
    }

    async fn order(&mut self, order_no: &OrderNo) -> Result<Option<(Order, UserId)>> {
        let row = self
            .0
            .prepare_cached(&format!("{ORDER_SELECT} WHERE o.order_no = ?1"))?
            .query_row([order_no.as_str()], OrderRow::from_row)
            .optional()?;
        row.map(|r| {
            let merchant = UserId(r.merchant_id);
            Ok((r.try_into()?, merchant))
        })
        .transpose()
    }

    async fn order_state(&mut self, order_no: &OrderNo) -> Result<Option<OrderState>> {
        Ok(self
            .0
            .prepare_cached("SELECT buyer_id, shop_id, shipped_at, delivered_at FROM orders WHERE order_no = ?1")?
            .query_row([order_no.as_str()], |r| {
                Ok(OrderState { buyer_id: r.get(0)?, shop_id: r.get(1)?, shipped_at: r.get(2)?, delivered_at: r.get(3)? })
            })
            .optional()?)
    }

    async fn insert_order(&mut self, rec: &OrderRecord, buyer_id: i64) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO orders (order_no, buyer_id, shop_id, items, amount_cents, paid_at, shipped_at, delivered_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                rec.order_no.as_str(),
                buyer_id,
                rec.shop_id.as_str(),
                serde_json::to_string(&rec.items).expect("items serialize"),
                rec.amount_cents.get(),
                to_ms(rec.paid_at),
                rec.shipped_at.map(to_ms),
                rec.delivered_at.map(to_ms),
            ])?;
        Ok(())
    }

    async fn update_order_shipping(
        &mut self,
        order_no: &OrderNo,
        shipped: Option<i64>,
        delivered: Option<i64>,
    ) -> Result<()> {
        self.0
            .prepare_cached(
                "UPDATE orders SET shipped_at = ?2, delivered_at = ?3 WHERE order_no = ?1",
            )?
            .execute(params![order_no.as_str(), shipped, delivered])?;
        Ok(())
    }

    async fn shop_state(&mut self, id: &ShopId) -> Result<Option<ShopState>> {
        Ok(self
            .0
            .prepare_cached("SELECT name, merchant_id, commitments FROM shops WHERE id = ?1")?
            .query_row([id.as_str()], |r| {
                Ok(ShopState {
                    name: r.get(0)?,
                    merchant_id: r.get(1)?,
                    commitments: r.get(2)?,
                })
            })
            .optional()?)
    }

    async fn insert_shop(
        &mut self,
        id: &ShopId,
        name: &str,
        merchant_id: i64,
        commitments: &Commitments,
        now: Timestamp,
    ) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO shops (id, name, merchant_id, commitments, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            )?
            .execute(params![id.as_str(), name, merchant_id, serde_json::to_string(commitments).expect("serializes"), to_ms(now)])?;
        Ok(())
    }

    async fn update_shop(
        &mut self,
        id: &ShopId,
        name: &str,
        commitments: &Commitments,
        now: Timestamp,
    ) -> Result<()> {
        self.0
            .prepare_cached(
                "UPDATE shops SET name = ?2, commitments = ?3, updated_at = ?4 WHERE id = ?1",
            )?
            .execute(params![
                id.as_str(),
                name,
                serde_json::to_string(commitments).expect("serializes"),
                to_ms(now)
            ])?;
        Ok(())
    }

    async fn insert_timer(
        &mut self,
        id: ComplaintId,
        kind: TimerKind,
        due: Timestamp,
    ) -> Result<()> {
        self.0
            .prepare_cached("INSERT INTO timers (complaint_id, kind, due_at) VALUES (?1, ?2, ?3)")?
            .execute(params![id.0, kind.as_str(), to_ms(due)])?;
        Ok(())
    }

    async fn cancel_timers(&mut self, id: ComplaintId, cancel: &Cancel) -> Result<()> {
        match cancel {
            Cancel::All => {
                self.0
                    .prepare_cached("UPDATE timers SET status = 'cancelled' WHERE complaint_id = ?1 AND status = 'pending'")?
                    .execute([id.0])?;
            }
            Cancel::Kinds(kinds) => {
                for k in kinds {
                    self.0
                        .prepare_cached(
                            "UPDATE timers SET status = 'cancelled' WHERE complaint_id = ?1 AND status = 'pending' AND kind = ?2",
                        )?
                        .execute(params![id.0, k.as_str()])?;
                }
            }
        }
        Ok(())
    }

    async fn claim_timer(&mut self, timer_id: i64, now: Timestamp) -> Result<bool> {
        let n = self
            .0
            .prepare_cached("UPDATE timers SET status = 'fired', fired_at = ?2 WHERE id = ?1 AND status = 'pending'")?
            .execute(params![timer_id, to_ms(now)])?;
        Ok(n == 1)
    }

    async fn add_case_member(
        &mut self,
        case_id: i64,
        complaint: ComplaintId,
        reason: &str,
        by: Option<UserId>,
        now: Timestamp,
    ) -> Result<bool> {
        let added = self
            .0
            .prepare_cached(
                "INSERT INTO case_members (case_id, complaint_id, reason, added_by, at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            )?
            .execute(params![case_id, complaint.0, reason, by.map(|u| u.0), to_ms(now)])?;
        if added > 0 {
            self.0
                .prepare_cached("UPDATE cases SET updated_at = ?2 WHERE id = ?1")?
                .execute(params![case_id, to_ms(now)])?;
        }
        Ok(added > 0)
    }

    async fn insert_message(
        &mut self,
        id: ComplaintId,
        author: &Actor,
        body: &str,
        now: Timestamp,
    ) -> Result<i64> {
        Ok(self
            .0
            .prepare_cached(
                "INSERT INTO messages (complaint_id, author_id, author_role, body, at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
            )?
            .query_row(params![id.0, author.id.0, author.role.as_str(), body, to_ms(now)], |r| r.get(0))?)
    }

    async fn evidence(&mut self, id: ComplaintId, sha: &Sha256) -> Result<Option<Evidence>> {
        self.0
            .prepare_cached(&format!(
                "SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE complaint_id = ?1 AND sha256 = ?2"
            ))?
            .query_row(params![id.0, sha.as_str()], EvidenceRow::from_row)
            .optional()?
            .map(TryInto::try_into)
            .transpose()
    }

    async fn insert_evidence(
        &mut self,
        id: ComplaintId,
        ev: &Evidence,
        inline: Option<&[u8]>,
    ) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO evidence (complaint_id, sha256, kind, size, content_type, filename, uploaded_by, inline_data, at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                id.0,
                ev.sha256.as_str(),
                ev.kind.as_str(),
                ev.size,
                ev.content_type,
                ev.filename,
                ev.uploaded_by.map(|u| u.0),
                inline,
                to_ms(ev.at)
            ])?;
        Ok(())
    }

    async fn exec(&mut self, sql: &str, params: &[crate::sql::Val]) -> Result<u64> {
        Ok(crate::sql::sqlite::exec(self.0, sql, params)?)
    }

    async fn query(
        &mut self,
        sql: &str,
        params: &[crate::sql::Val],
    ) -> Result<Vec<Vec<crate::sql::Val>>> {
        Ok(crate::sql::sqlite::rows(self.0, sql, params)?)
    }

    async fn savepoint(&mut self) -> Result<()> {
        self.0.execute_batch("SAVEPOINT record")?;
        Ok(())
    }

    async fn end_savepoint(&mut self, keep: bool) -> Result<()> {
        self.0.execute_batch(if keep {
            "RELEASE record"
        } else {
            "ROLLBACK TO record; RELEASE record"
        })?;
        Ok(())
    }
}
