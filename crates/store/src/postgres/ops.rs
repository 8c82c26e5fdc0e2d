//! [`Ops`] on PostgreSQL: one transaction's connection; row locks and advisory locks keep several
//! nodes from forking a chain or firing a deadline twice.

use sqlx::PgConnection;
use weiquan_domain::machine::Cancel;
use weiquan_domain::records::{Commitments, OrderRecord};
use weiquan_domain::*;

use crate::error::Result;
use crate::model::*;
use crate::ops::{EventInsert, Lock, Ops, OrderState, ShopState};
use crate::rows::*;
use crate::time::{from_ms, to_ms};

/// A stream's last seq and hash.
type Head = (i64, String);

pub(crate) struct PgOps<'a> {
    conn: &'a mut PgConnection,
    /// The head of every stream this transaction has written to. Nobody else can append to such
    /// a stream before this transaction ends — it holds the stream's lock, or the stream's row is
    /// its own and invisible to others — so its next append needs neither the lock nor the read:
    /// two round trips fewer, which matters while a shop's collective lock is held.
    heads: std::collections::HashMap<String, Head>,
    /// `heads` as it was at each open savepoint, for a rollback to it.
    saved: Vec<std::collections::HashMap<String, Head>>,
}

impl<'a> PgOps<'a> {
    pub(crate) fn new(conn: &'a mut PgConnection) -> Self {
        PgOps {
            conn,
            heads: Default::default(),
            saved: vec![],
        }
    }
}

pub(crate) const COMPLAINT_BY_ID: &str = "SELECT c.id, c.order_no, c.consumer_id, c.shop_id, s.merchant_id, c.product, c.category, \
     c.incident_at, c.description, c.claim, c.channel, c.state, c.tier, c.major, c.assignee_id, \
     c.collective_case_id, c.progress, c.deadline_at, c.created_at, c.updated_at \
     FROM complaints c JOIN shops s ON s.id = c.shop_id WHERE c.id = $1";
pub(crate) const EVIDENCE_COLUMNS: &str =
    "sha256, size, content_type, kind, filename, uploaded_by, at";

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

impl Ops for PgOps<'_> {
    async fn lock_key(&mut self, key: &str) -> Result<()> {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(key)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    async fn stream_head(&mut self, stream: &str) -> Result<Option<(i64, String)>> {
        if let Some(head) = self.heads.get(stream) {
            return Ok(Some(head.clone()));
        }
        // Appends to one stream queue up behind each other, whatever node makes them.
        self.lock_key(stream).await?;
        Ok(sqlx::query_as(
            "SELECT seq, hash FROM events WHERE stream = $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(stream)
        .fetch_optional(&mut *self.conn)
        .await?)
    }

    async fn insert_event(&mut self, e: EventInsert<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO events (stream, seq, at, actor, kind, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(e.stream)
        .bind(e.seq)
        .bind(e.at_ms)
        .bind(e.actor)
        .bind(e.kind)
        .bind(e.data)
        .bind(e.prev_hash)
        .bind(e.hash)
        .execute(&mut *self.conn)
        .await?;
        self.heads
            .insert(e.stream.to_owned(), (e.seq, e.hash.to_owned()));
        Ok(())
    }

    async fn complaint(
        &mut self,
        id: ComplaintId,
        lock: Option<Lock>,
    ) -> Result<Option<Complaint>> {
        let sql = match lock {
            None => COMPLAINT_BY_ID.to_owned(),
            Some(Lock::Wait) => format!("{COMPLAINT_BY_ID} FOR UPDATE OF c"),
            Some(Lock::SkipLocked) => format!("{COMPLAINT_BY_ID} FOR UPDATE OF c SKIP LOCKED"),
        };
        let row: Option<ComplaintRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&mut *self.conn)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn insert_complaint(
        &mut self,
        c: &Complaint,
        filed_by: UserId,
        snapshot: &str,
    ) -> Result<Option<ComplaintId>> {
        let r = sqlx::query_scalar::<_, i64>(
            "INSERT INTO complaints (order_no, consumer_id, shop_id, filed_by, product, category, incident_at, description, \
             claim, channel, state, tier, major, progress, order_snapshot, deadline_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id",
        )
        .bind(c.order_no.as_str())
        .bind(c.consumer_id.0)
        .bind(c.shop_id.as_str())
        .bind(filed_by.0)
        .bind(&c.product)
        .bind(c.category.as_str())
        .bind(to_ms(c.incident_at))
        .bind(&c.description)
        .bind(serde_json::to_string(&c.claim).expect("claims serialize"))
        .bind(c.channel.as_str())
        .bind(c.state.as_str())
        .bind(c.tier.as_str())
        .bind(c.major)
        .bind(serde_json::to_string(&c.progress).expect("progress serializes"))
        .bind(snapshot)
        .bind(c.deadline_at.map(to_ms))
        .bind(to_ms(c.created_at))
        .fetch_one(&mut *self.conn)
        .await;
        match r {
            Ok(id) => Ok(Some(ComplaintId(id))),
            // The transaction is aborted now; the caller rolls it back with its error.
            Err(e) if is_unique_violation(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn update_complaint(
        &mut self,
        c: &Complaint,
        now: Timestamp,
    ) -> Result<Option<Timestamp>> {
        let deadline: Option<i64> = sqlx::query_scalar(
            "UPDATE complaints SET state = $2, tier = $3, major = $4, assignee_id = $5, collective_case_id = $6, progress = $7, \
             updated_at = $8, deadline_at = (SELECT MIN(due_at) FROM timers WHERE complaint_id = $1 AND status = 'pending'), \
             resolved_at = CASE WHEN $2 = 'resolved' THEN COALESCE(resolved_at, $8) ELSE resolved_at END, \
             reached_mediation = reached_mediation OR $2 = 'mediation', \
             reached_protection = reached_protection OR $2 = 'protection_review' \
             WHERE id = $1 RETURNING deadline_at",
        )
        .bind(c.id.0)
        .bind(c.state.as_str())
        .bind(c.tier.as_str())
        .bind(c.major)
        .bind(c.assignee_id.map(|u| u.0))
        .bind(c.collective_case_id.map(|k| k.0))
        .bind(serde_json::to_string(&c.progress).expect("progress serializes"))
        .bind(to_ms(now))
        .fetch_one(&mut *self.conn)
        .await?;
        deadline.map(from_ms).transpose()
    }

    async fn user_id_role(&mut self, username: &str) -> Result<Option<(i64, String)>> {
        Ok(
            sqlx::query_as("SELECT id, role FROM users WHERE username = $1")
                .bind(username)
                .fetch_optional(&mut *self.conn)
                .await?,
        )
    }

    async fn insert_user(&mut self, u: &NewUser, now: Timestamp) -> Result<Option<i64>> {
        let r = sqlx::query_scalar::<_, i64>(
            "INSERT INTO users (username, role, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (username) DO NOTHING RETURNING id",
        )
        .bind(u.username.as_str())
        .bind(u.role.as_str())
        .bind(&u.display_name)
        .bind(&u.password_hash)
        .bind(to_ms(now))
        .fetch_optional(&mut *self.conn)
        .await?;
        Ok(r)
    }

    async fn user_by_id(&mut self, id: i64) -> Result<Option<(String, String, String)>> {
        Ok(
            sqlx::query_as("SELECT username, role, display_name FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *self.conn)
                .await?,
        )
    }

    async fn update_user_role(&mut self, id: i64, role: &str) -> Result<()> {
        sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role)
            .bind(id)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    async fn insert_user_if_absent(&mut self, u: &NewUser, now: Timestamp) -> Result<()> {
        self.insert_user(u, now).await.map(drop)
    }

    async fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    async fn insert_session(
        &mut self,
        user: UserId,
        token_hash: &str,
        now: Timestamp,
        expires: Timestamp,
    ) -> Result<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user.0)
            .bind(to_ms(now))
            .bind(to_ms(expires))
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    async fn order(&mut self, order_no: &OrderNo) -> Result<Option<(Order, UserId)>> {
        let row: Option<OrderRow> = sqlx::query_as(
            "SELECT o.order_no, o.buyer_id, o.shop_id, s.name AS shop_name, s.merchant_id, o.items, o.amount_cents, o.paid_at, \
             o.shipped_at, o.delivered_at FROM orders o JOIN shops s ON s.id = o.shop_id WHERE o.order_no = $1",
        )
        .bind(order_no.as_str())
        .fetch_optional(&mut *self.conn)
        .await?;
        row.map(|r| {
            let merchant = UserId(r.merchant_id);
            Ok((r.try_into()?, merchant))
        })
        .transpose()
    }

    async fn order_state(&mut self, order_no: &OrderNo) -> Result<Option<OrderState>> {
        let r: Option<(i64, String, Option<i64>, Option<i64>)> = sqlx::query_as(
            "SELECT buyer_id, shop_id, shipped_at, delivered_at FROM orders WHERE order_no = $1",
        )
        .bind(order_no.as_str())
        .fetch_optional(&mut *self.conn)
        .await?;
        Ok(
            r.map(|(buyer_id, shop_id, shipped_at, delivered_at)| OrderState {
                buyer_id,
                shop_id,
                shipped_at,
                delivered_at,
            }),
        )
    }

    async fn insert_order(&mut self, rec: &OrderRecord, buyer_id: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO orders (order_no, buyer_id, shop_id, items, amount_cents, paid_at, shipped_at, delivered_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(rec.order_no.as_str())
        .bind(buyer_id)
        .bind(rec.shop_id.as_str())
        .bind(serde_json::to_string(&rec.items).expect("items serialize"))
        .bind(rec.amount_cents.get())
        .bind(to_ms(rec.paid_at))
        .bind(rec.shipped_at.map(to_ms))
        .bind(rec.delivered_at.map(to_ms))
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    async fn update_order_shipping(
        &mut self,
        order_no: &OrderNo,
        shipped: Option<i64>,
        delivered: Option<i64>,
    ) -> Result<()> {
        sqlx::query("UPDATE orders SET shipped_at = $2, delivered_at = $3 WHERE order_no = $1")
            .bind(order_no.as_str())
            .bind(shipped)
            .bind(delivered)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    async fn shop_state(&mut self, id: &ShopId) -> Result<Option<ShopState>> {
        let r: Option<(String, i64, String)> =
            sqlx::query_as("SELECT name, merchant_id, commitments FROM shops WHERE id = $1")
                .bind(id.as_str())
                .fetch_optional(&mut *self.conn)
                .await?;
        Ok(r.map(|(name, merchant_id, commitments)| ShopState {
            name,
            merchant_id,
            commitments,
        }))
    }

    async fn insert_shop(
        &mut self,
        id: &ShopId,
        name: &str,
        merchant_id: i64,
        commitments: &Commitments,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query("INSERT INTO shops (id, name, merchant_id, commitments, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
            .bind(id.as_str())
            .bind(name)
            .bind(merchant_id)
            .bind(serde_json::to_string(commitments).expect("serializes"))
            .bind(to_ms(now))
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    async fn update_shop(
        &mut self,
        id: &ShopId,
        name: &str,
        commitments: &Commitments,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query("UPDATE shops SET name = $2, commitments = $3, updated_at = $4 WHERE id = $1")
            .bind(id.as_str())
            .bind(name)
            .bind(serde_json::to_string(commitments).expect("serializes"))
            .bind(to_ms(now))
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    async fn insert_timer(
        &mut self,
        id: ComplaintId,
        kind: TimerKind,
        due: Timestamp,
    ) -> Result<()> {
        sqlx::query("INSERT INTO timers (complaint_id, kind, due_at) VALUES ($1, $2, $3)")
            .bind(id.0)
            .bind(kind.as_str())
            .bind(to_ms(due))
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    async fn cancel_timers(&mut self, id: ComplaintId, cancel: &Cancel) -> Result<()> {
        match cancel {
            Cancel::All => {
                sqlx::query("UPDATE timers SET status = 'cancelled' WHERE complaint_id = $1 AND status = 'pending'")
                    .bind(id.0)
                    .execute(&mut *self.conn)
                    .await?;
            }
            Cancel::Kinds(kinds) => {
                for k in kinds {
                    sqlx::query("UPDATE timers SET status = 'cancelled' WHERE complaint_id = $1 AND status = 'pending' AND kind = $2")
                        .bind(id.0)
                        .bind(k.as_str())
                        .execute(&mut *self.conn)
                        .await?;
                }
            }
        }
        Ok(())
    }

    async fn claim_timer(&mut self, timer_id: i64, now: Timestamp) -> Result<bool> {
        let n = sqlx::query("UPDATE timers SET status = 'fired', fired_at = $2 WHERE id = $1 AND status = 'pending'")
            .bind(timer_id)
            .bind(to_ms(now))
            .execute(&mut *self.conn)
            .await?;
        Ok(n.rows_affected() == 1)
    }

    async fn add_case_member(
        &mut self,
        case_id: i64,
        complaint: ComplaintId,
        reason: &str,
        by: Option<UserId>,
        now: Timestamp,
    ) -> Result<bool> {
        let added = sqlx::query(
            "INSERT INTO case_members (case_id, complaint_id, reason, added_by, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(case_id)
        .bind(complaint.0)
        .bind(reason)
        .bind(by.map(|u| u.0))
        .bind(to_ms(now))
        .execute(&mut *self.conn)
        .await?
        .rows_affected();
        if added > 0 {
            sqlx::query("UPDATE cases SET updated_at = $2 WHERE id = $1")
                .bind(case_id)
                .bind(to_ms(now))
                .execute(&mut *self.conn)
                .await?;
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
        Ok(sqlx::query_scalar(
            "INSERT INTO messages (complaint_id, author_id, author_role, body, at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(id.0)
        .bind(author.id.0)
        .bind(author.role.as_str())
        .bind(body)
        .bind(to_ms(now))
        .fetch_one(&mut *self.conn)
        .await?)
    }

    async fn evidence(&mut self, id: ComplaintId, sha: &Sha256) -> Result<Option<Evidence>> {
        let row: Option<EvidenceRow> = sqlx::query_as(
            "SELECT sha256, size, content_type, kind, filename, uploaded_by, at FROM evidence WHERE complaint_id = $1 AND sha256 = $2",
        )
        .bind(id.0)
        .bind(sha.as_str())
        .fetch_optional(&mut *self.conn)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn insert_evidence(
        &mut self,
        id: ComplaintId,
        ev: &Evidence,
        inline: Option<&[u8]>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO evidence (complaint_id, sha256, kind, size, content_type, filename, uploaded_by, inline_data, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id.0)
        .bind(ev.sha256.as_str())
        .bind(ev.kind.as_str())
        .bind(ev.size)
        .bind(&ev.content_type)
        .bind(&ev.filename)
        .bind(ev.uploaded_by.map(|u| u.0))
        .bind(inline)
        .bind(to_ms(ev.at))
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    async fn exec(&mut self, sql: &str, params: &[crate::sql::Val]) -> Result<u64> {
        Ok(crate::sql::postgres::query(sql, params)
            .execute(&mut *self.conn)
            .await?
            .rows_affected())
    }

    async fn query(
        &mut self,
        sql: &str,
        params: &[crate::sql::Val],
    ) -> Result<Vec<Vec<crate::sql::Val>>> {
        let rows = crate::sql::postgres::query(sql, params)
            .fetch_all(&mut *self.conn)
            .await?;
        Ok(rows
            .iter()
            .map(crate::sql::postgres::row)
            .collect::<std::result::Result<_, _>>()?)
    }

    async fn savepoint(&mut self) -> Result<()> {
        sqlx::query("SAVEPOINT record")
            .execute(&mut *self.conn)
            .await?;
        self.saved.push(self.heads.clone());
        Ok(())
    }

    async fn end_savepoint(&mut self, keep: bool) -> Result<()> {
        let before = self.saved.pop().unwrap_or_default();
        if !keep {
            sqlx::query("ROLLBACK TO SAVEPOINT record")
                .execute(&mut *self.conn)
                .await?;
            // The appends since the savepoint are gone (and any lock taken since): those
            // streams' heads are locked and read again on their next append.
            self.heads = before;
        }
        sqlx::query("RELEASE SAVEPOINT record")
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::Store;
    use crate::postgres::{PgStore, ScratchDatabase};
    use crate::workflow::{append_event, start_stream};

    /// The heads this transaction knows follow a rollback to a savepoint: an append undone there
    /// is not the next one's predecessor.
    #[tokio::test]
    async fn an_append_rolled_back_to_a_savepoint_is_not_the_head() {
        let admin = std::env::var("WEIQUAN_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let db = ScratchDatabase::create(&admin, "weiquan_test")
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL is needed for this test ({admin}): {e}"));
        let dir = tempfile::tempdir().unwrap();
        let store = PgStore::open(&db.url, &dir.path().join("blobs"), Policy::default())
            .await
            .unwrap();
        let now = chrono::Utc::now();
        let mut tx = store.pool.begin().await.unwrap();
        {
            let o = &mut PgOps::new(&mut tx);
            let s = "test:1";
            start_stream(o, s, "system:test", "opened", &json!({}), now)
                .await
                .unwrap();
            o.savepoint().await.unwrap();
            append_event(o, s, "system:test", "undone", &json!({}), now)
                .await
                .unwrap();
            o.end_savepoint(false).await.unwrap();
            append_event(o, s, "system:test", "second", &json!({}), now)
                .await
                .unwrap();
            o.savepoint().await.unwrap();
            append_event(o, s, "system:test", "kept", &json!({}), now)
                .await
                .unwrap();
            o.end_savepoint(true).await.unwrap();
            append_event(o, s, "system:test", "last", &json!({}), now)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT seq, kind FROM events WHERE stream = 'test:1' ORDER BY seq")
                .fetch_all(&store.pool)
                .await
                .unwrap();
        let kinds: Vec<(i64, &str)> = rows.iter().map(|(s, k)| (*s, k.as_str())).collect();
        assert_eq!(
            kinds,
            [(1, "opened"), (2, "second"), (3, "kept"), (4, "last")]
        );
        assert!(store.verify().await.unwrap().is_ok(), "the chain links up");
    }
}
