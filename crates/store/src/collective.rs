//! Collective complaints, right after each complaint is filed (DESIGN §3): its issue's MinHash signature
//! (`weiquan_detect::collective`) is compared with every complaint of the same shop's window
//! ([`ShopWindow`], held in memory per node): it joins the clusters of those whose words it shares,
//! and by meaning the one cluster whose latest members it is closest to on average (kept in
//! `complaint_signatures.cluster_id`). When a cluster has
//! `collective.min_consumers` distinct consumers within `collective.window`, it becomes a tier-3
//! collective case: the members are linked and become major, and the case's opening is the
//! regulators' notice.
//!
//! A filing only queues its complaint ([`enqueue`], `collective_queue`); a drain ([`assign_shop`],
//! woken when a filing commits on the node and run by every node's deadline loop) takes a shop's
//! queued complaints in filing order, many in one transaction under the shop's lock, so every
//! node sees the same clusters and the lock is taken once for the batch, not once a filing. A
//! complaint is compared with the window as it stood when it was filed (its `created_at`), so a
//! late drain decides as the filing would have.
//!
//! The windows are a cache of `complaint_signatures`: each row carries the shop's next `seq`
//! (taken under the lock), and a drain first reads the shop's latest seq; a window behind it
//! reads the rows it lacks, one ahead of it (a drain that rolled back) is read again. A complaint
//! writes one row, however many complaints the shop has.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::Duration;
use serde_json::json;
use weiquan_detect::collective::{
    MAX_WALK, Recent, Settings, ShopWindow, Signature, Subject, SubjectKeys, VERSION, category_key,
    product_key,
};
use weiquan_domain::machine;
use weiquan_domain::*;

use crate::cases;
use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::events;
use crate::records::{self, Lock};
use crate::rows::{COMPLAINT_SELECT, ComplaintRow};
use crate::sql::{Val, placeholders, vals};
use crate::time::to_ms;
use crate::transitions;

/// How a collective case names the cluster it was opened for (`cases.fingerprint`).
fn cluster_key(cluster: i64) -> String {
    format!("cluster:{cluster}")
}

/// [`cluster_key`] of `s.cluster_id`, in SQL.
const CLUSTER_KEY_SQL: &str = "('cluster:' || CAST(s.cluster_id AS TEXT))";

/// Every shop's window on this node. Drains of one shop take turns (the shop's lock), so a
/// window is only ever read and written by one drain at a time; the mutex is never held across
/// a database call. A member's cluster here is the one this node last wrote or read: a merge
/// made by another node's drain is not seen until the window is read anew, so the meaning's
/// averages may count one merged cluster as its parts (the cluster joined is then read from
/// the table, so no complaint joins a cluster that no longer exists).
#[derive(Default)]
pub(crate) struct Windows {
    shops: Mutex<HashMap<String, ShopWindow>>,
    filings: std::sync::atomic::AtomicU64,
    /// Signatures of queued complaints computed before the drain's transaction
    /// ([`queued_texts`]): the sentence encoder and the tokeniser run off SQLite's one writer.
    signed: Mutex<HashMap<i64, Signature>>,
}

/// Every this many filings, windows drop what the policy's window no longer covers.
const SWEEP_EVERY: u64 = 4096;

impl Windows {
    pub(crate) fn upto(&self, shop: &str) -> Option<i64> {
        self.lock().get(shop).map(ShopWindow::upto)
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, ShopWindow>> {
        // A panic elsewhere cannot leave a window half-written in a way that matters: it is a
        // cache, checked against the table on every filing.
        self.shops.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps signatures computed ahead of the drain's transaction.
    pub(crate) fn presign(&self, signed: Vec<(i64, Signature)>) {
        self.signed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(signed);
    }

    /// The complaint's signature: the one computed ahead, or (a complaint queued since) now.
    fn signature(&self, c: &Complaint) -> Signature {
        let ahead = self
            .signed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&c.id.0);
        ahead.unwrap_or_else(|| Signature::of(&c.description))
    }

    /// Forgets signatures computed ahead that no drain used (another node assigned them).
    pub(crate) fn forget_presigned(&self, ids: &[i64]) {
        let mut signed = self.signed.lock().unwrap_or_else(|e| e.into_inner());
        for id in ids {
            signed.remove(id);
        }
    }

    fn sweep(&self, since: i64) {
        let n = self
            .filings
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if n % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.lock().retain(|_, w| {
                w.forget_before(since);
                !w.is_empty()
            });
        }
    }
}

/// A window's rows; the complaint's text, product and category only for a row signed by another
/// release (`$3` is this one's [`VERSION`]), to sign it again.
const WINDOW_ROWS: &str = "SELECT s.seq, s.complaint_id, s.created_at, s.signature, s.version, s.subject_key, s.item_key, \
     CASE WHEN s.version = $3 THEN NULL ELSE c.description END, c.product, c.category, s.cluster_id \
     FROM complaint_signatures s JOIN complaints c ON c.id = s.complaint_id";

/// Brings the shop's window up to `last` (the table's latest seq for the shop).
async fn catch_up<C: Conn>(
    o: &mut Tx<'_, C>,
    windows: &Windows,
    shop: &str,
    since: i64,
    last: i64,
) -> Result<()> {
    let upto = windows.upto(shop);
    if upto == Some(last) {
        return Ok(());
    }
    // Behind: the rows after it. Unknown, or ahead (its last filing rolled back): the window anew.
    let (fresh, rows) = match upto {
        Some(u) if u < last => (
            false,
            o.query(
                &format!("{WINDOW_ROWS} WHERE s.shop_id = $1 AND s.seq > $2 ORDER BY s.seq"),
                vals![shop, u, i64::from(VERSION)],
            )
            .await?,
        ),
        _ => (
            true,
            o.query(
                &format!(
                    "{WINDOW_ROWS} WHERE s.shop_id = $1 AND s.created_at >= $2 ORDER BY s.seq"
                ),
                vals![shop, since, i64::from(VERSION)],
            )
            .await?,
        ),
    };
    let mut add = Vec::with_capacity(rows.len());
    for r in &rows {
        let seq = r[0].int()?;
        let (sig, subject) = match r[7].opt_text()? {
            // Made with this release's lexicon and rule.
            None => {
                let sig = hex::decode(r[3].text()?)
                    .ok()
                    .and_then(|b| Signature::from_bytes(&b))
                    .ok_or_else(|| StoreError::Corrupt("complaint signature".into()))?;
                let keys = SubjectKeys {
                    subject: r[5].int()? as u64,
                    item: r[6].opt_int()?.map(|k| k as u64),
                    product: product_key(r[8].as_str()?),
                    category: category_key(r[9].as_str()?),
                };
                (sig, keys)
            }
            // Made with another: signed again from the complaint, in memory (the row stays
            // as it was written; it leaves the window within one window's time).
            Some(text) => (
                Signature::of(&text),
                Subject::new(r[8].as_str()?, r[9].as_str()?).keys(),
            ),
        };
        let recent = Recent {
            seq,
            id: r[1].int()?,
            at: r[2].int()?,
            subject: Some(subject),
            sig,
            cluster: r[10].int()?,
        };
        add.push((seq, Some(recent)));
    }
    let mut shops = windows.lock();
    let w = shops.entry(shop.to_owned()).or_default();
    if fresh {
        *w = ShopWindow::default();
    }
    for (seq, r) in add {
        match r {
            Some(r) => w.push(r),
            None => w.skip_to(seq),
        }
    }
    w.skip_to(last);
    w.forget_before(since);
    Ok(())
}

/// What a drain's batch has learnt of clusters so far: each complaint's cluster, and each
/// cluster's open collective case (`None`: it has none). Read from the table once for the
/// complaints a batch first meets, kept up to date as the batch joins, merges and opens; the
/// shop's lock keeps other drains out, and only drains open collective cases.
#[derive(Default)]
struct Clusters {
    of: HashMap<i64, i64>,
    open: HashMap<i64, Option<i64>>,
}

impl Clusters {
    /// Learns the clusters (and open cases) of `ids` not known yet, in one statement padded to
    /// its bound so that one statement serves every join.
    async fn learn<C: Conn>(&mut self, o: &mut Tx<'_, C>, ids: &[i64]) -> Result<()> {
        let unknown: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !self.of.contains_key(id))
            .collect();
        let Some(&first) = unknown.first() else {
            return Ok(());
        };
        let mut p: Vec<Val> = unknown.iter().map(|&id| Val::Int(id)).collect();
        p.resize(MAX_WALK.max(unknown.len()), Val::Int(first));
        let rows = o
            .query(
                &format!(
                    "SELECT s.complaint_id, s.cluster_id, k.id FROM complaint_signatures s \
                     LEFT JOIN cases k ON k.fingerprint = {} AND k.kind = 'collective' \
                     AND k.state IN ('open', 'investigating') \
                     WHERE s.complaint_id IN ({})",
                    CLUSTER_KEY_SQL,
                    placeholders(1, p.len())
                ),
                &p,
            )
            .await?;
        let mut cases: HashMap<i64, Option<i64>> = HashMap::new();
        for r in rows {
            let cluster = r[1].int()?;
            self.of.insert(r[0].int()?, cluster);
            let case = cases.entry(cluster).or_default();
            // The earliest, should a merge have brought several.
            if let Some(k) = r[2].opt_int()? {
                *case = Some(case.map_or(k, |c| c.min(k)));
            }
        }
        self.open.extend(cases);
        Ok(())
    }

    /// `others` merged into `cluster`: their members and open cases now the cluster's.
    fn merge(&mut self, cluster: i64, others: &[i64]) {
        for c in self.of.values_mut() {
            if others.contains(c) {
                *c = cluster;
            }
        }
        let open = others
            .iter()
            .chain([&cluster])
            .filter_map(|k| self.open.remove(k).flatten())
            .min();
        self.open.insert(cluster, open);
    }
}

/// Queues a complaint being filed for collective assignment (in the filing's transaction).
pub(crate) async fn enqueue<C: Conn>(o: &mut Tx<'_, C>, c: &Complaint) -> Result<()> {
    o.defer(
        "INSERT INTO collective_queue (complaint_id, shop_id) VALUES ($1, $2)",
        vals![c.id.0, c.shop_id.as_str()],
    )
    .await?;
    o.mark_filed();
    Ok(())
}

/// The texts of the shops' queued complaints that their next [`assign_shop`]s will take (the
/// same order and limit per shop), to sign them together before their transactions.
pub(crate) async fn queued_texts<C: Conn>(
    o: &mut Tx<'_, C>,
    shops: &[String],
    limit: u32,
) -> Result<Vec<(i64, String, String)>> {
    if shops.is_empty() {
        return Ok(Vec::new());
    }
    let mut p: Vec<Val> = vec![Val::Int(i64::from(limit))];
    p.extend(shops.iter().map(|s| Val::from(s.as_str())));
    o.query(
        &format!(
            "SELECT id, description, shop_id FROM (SELECT c.id AS id, c.description AS description, \
             q.shop_id AS shop_id, ROW_NUMBER() OVER (PARTITION BY q.shop_id ORDER BY q.complaint_id) AS n \
             FROM collective_queue q JOIN complaints c ON c.id = q.complaint_id \
             WHERE q.shop_id IN ({})) AS t WHERE n <= $1 ORDER BY id",
            placeholders(2, shops.len())
        ),
        &p,
    )
    .await?
    .into_iter()
    .map(|r| Ok((r[0].int()?, r[1].text()?, r[2].text()?)))
    .collect()
}

/// Shops with complaints awaiting assignment, the longest waiting first.
pub(crate) async fn queued_shops<C: Conn>(o: &mut Tx<'_, C>, limit: u32) -> Result<Vec<String>> {
    o.query(
        "SELECT shop_id FROM collective_queue GROUP BY shop_id ORDER BY MIN(complaint_id) LIMIT $1",
        vals![i64::from(limit)],
    )
    .await?
    .into_iter()
    .map(|r| r[0].text())
    .collect()
}

/// How many complaints await assignment.
pub(crate) async fn queued<C: Conn>(o: &mut Tx<'_, C>) -> Result<u64> {
    Ok(
        o.query("SELECT CAST(COUNT(*) AS BIGINT) FROM collective_queue", &[])
            .await?[0][0]
            .int()? as u64,
    )
}

/// Assigns up to `limit` of the shop's queued complaints up to id `upto` (those the drain
/// signed ahead; later ones wait for its next round), in filing order, in this one
/// transaction: the shop's lock is taken and its window brought up to date once, then each
/// complaint's signature is recorded, joined to its cluster, and the cluster's collective case
/// opened or grown ([`join`]); their queue rows go. Returns how many it assigned (none when
/// another node's drain took them first).
pub(crate) async fn assign_shop<C: Conn>(
    o: &mut Tx<'_, C>,
    windows: &Windows,
    shop_id: &ShopId,
    limit: u32,
    upto: i64,
    now: Timestamp,
    policy: &Policy,
) -> Result<usize> {
    let shop = shop_id.as_str();
    // Drains of one shop take turns here (on every node), so clusters merge in one order.
    o.lock_key(&format!("collective:{shop}")).await?;
    // The queued complaints, locked as a decision on each would lock it: the queue's rows
    // skipped if another drain has them, the complaints' waited for.
    let pending: Vec<Complaint> = o
        .query(
            &format!(
                "{COMPLAINT_SELECT} JOIN collective_queue q ON q.complaint_id = c.id \
                 WHERE q.shop_id = $1 AND q.complaint_id <= $3 ORDER BY q.complaint_id LIMIT $2 \
                 FOR UPDATE OF q SKIP LOCKED FOR UPDATE OF c"
            ),
            vals![shop, i64::from(limit), upto],
        )
        .await?
        .into_iter()
        .map(|r| ComplaintRow::from_row(r)?.try_into())
        .collect::<Result<_>>()?;
    let Some(first) = pending.first() else {
        return Ok(0);
    };
    // Their chains' heads, held by their row locks: joining appends without locking or reading.
    let streams: Vec<Stream> = pending.iter().map(|c| Stream::Complaint(c.id)).collect();
    events::learn_heads(o, &streams).await?;
    let window = Duration::from_std(policy.collective.window).expect("policy bounds the window");
    let mut seq = o
        .query(
            "SELECT MAX(seq) FROM complaint_signatures WHERE shop_id = $1",
            vals![shop],
        )
        .await?
        .first()
        .map(|r| r[0].opt_int())
        .transpose()?
        .flatten()
        .unwrap_or(0);
    catch_up(o, windows, shop, to_ms(first.created_at - window), seq).await?;
    let mut clusters = Clusters::default();
    for c in &pending {
        seq += 1;
        join(o, windows, &mut clusters, c, seq, now, policy).await?;
    }
    let ids: Vec<Val> = pending.iter().map(|c| Val::Int(c.id.0)).collect();
    o.exec(
        &format!(
            "DELETE FROM collective_queue WHERE complaint_id IN ({})",
            placeholders(1, ids.len())
        ),
        &ids,
    )
    .await?;
    Ok(pending.len())
}

/// Records the complaint's signature (the shop's `seq`), joins it to its cluster, and opens or
/// grows the cluster's collective case once enough consumers share the issue. The shop's window
/// is up to date (`seq - 1`); the window of time is the one the complaint was filed in.
async fn join<C: Conn>(
    o: &mut Tx<'_, C>,
    windows: &Windows,
    known: &mut Clusters,
    c: &Complaint,
    seq: i64,
    now: Timestamp,
    policy: &Policy,
) -> Result<()> {
    let sig = windows.signature(c);
    let subject = Subject::new(&c.product, c.category.as_str()).keys();
    let window = Duration::from_std(policy.collective.window).expect("policy bounds the window");
    let since = to_ms(c.created_at - window);
    let shop_id = &c.shop_id;
    let shop = shop_id.as_str();
    windows.sweep(since);
    // The latest complaints sharing the issue (a wave's newest members stand for the rest) …
    let ids = windows
        .lock()
        .get(shop)
        .map(|w| w.matches(&sig, Some(subject), since, MAX_WALK, &Settings::default()))
        .unwrap_or_default();
    // … their clusters as they stand now (merges move members between clusters), and the
    // clusters' open collective cases.
    known.learn(o, &ids).await?;
    let mut clusters: Vec<i64> = ids
        .iter()
        .filter_map(|id| known.of.get(id).copied())
        .collect();
    clusters.sort_unstable();
    clusters.dedup();
    let open_case = clusters
        .iter()
        .filter_map(|k| known.open.get(k).copied().flatten())
        .min();
    // The cluster is named by its earliest member; joining several merges them.
    let cluster = clusters.iter().copied().min().unwrap_or(c.id.0);
    let others: Vec<i64> = clusters.iter().copied().filter(|&k| k != cluster).collect();
    known.of.insert(c.id.0, cluster);
    known.open.entry(cluster).or_insert(None);
    if !others.is_empty() {
        known.merge(cluster, &others);
        if let Some(w) = windows.lock().get_mut(shop) {
            w.rename(&others, cluster);
        }
        let mut p: Vec<Val> = vec![Val::Int(cluster)];
        p.extend(others.iter().map(|&k| Val::Int(k)));
        o.exec(
            &format!(
                "UPDATE complaint_signatures SET cluster_id = $1 WHERE cluster_id IN ({})",
                placeholders(2, others.len())
            ),
            &p,
        )
        .await?;
        // A case opened for a merged cluster now belongs to the whole.
        let mut p: Vec<Val> = vec![cluster_key(cluster).into()];
        p.extend(others.iter().map(|&k| Val::from(cluster_key(k))));
        o.exec(
            &format!(
                "UPDATE cases SET fingerprint = $1 WHERE kind = 'collective' AND fingerprint IN ({})",
                placeholders(2, others.len())
            ),
            &p,
        )
        .await?;
    }
    let created = to_ms(c.created_at);
    o.defer(
        "INSERT INTO complaint_signatures (complaint_id, shop_id, consumer_id, created_at, signature, version, subject_key, item_key, cluster_id, seq) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        vals![
            c.id.0,
            shop,
            c.consumer_id.0,
            created,
            hex::encode(sig.to_bytes()),
            i64::from(VERSION),
            subject.subject as i64,
            subject.item.map(|k| k as i64),
            cluster,
            seq
        ],
    )
    .await?;
    // Into the window now; should this drain roll back, the next one finds the window ahead of
    // the table and reads it anew.
    if let Some(w) = windows.lock().get_mut(shop) {
        w.push(Recent {
            seq,
            id: c.id.0,
            at: created,
            subject: Some(subject),
            sig,
            cluster,
        });
    }
    if clusters.is_empty() {
        return Ok(());
    }

    // The cluster's open collective case (the earliest, when a merge brought several).
    let actor = "system:collective";
    let case_id = match open_case {
        Some(id) => id,
        None => {
            // Members of a case already decided are done; a new case needs enough new consumers.
            let consumers = o
                .query(
                    "SELECT CAST(COUNT(DISTINCT s.consumer_id) AS BIGINT) FROM complaint_signatures s \
                     JOIN complaints c ON c.id = s.complaint_id \
                     WHERE s.cluster_id = $1 AND s.created_at >= $2 AND c.collective_case_id IS NULL",
                    vals![cluster, since],
                )
                .await?[0][0]
                .int()?;
            if consumers < i64::from(policy.collective.min_consumers) {
                return Ok(());
            }
            let title = format!("店铺 {shop} 集体投诉：{consumers} 位消费者反映同一问题");
            let details = json!({"source": "collective", "cluster": cluster, "sample": c.description, "product": c.product, "category": c.category});
            let id = o
                .query(
                    "INSERT INTO cases (kind, shop_id, state, title, created_at, updated_at, details, fingerprint) \
                     VALUES ('collective', $1, 'open', $2, $3, $3, $4, $5) RETURNING id",
                    vals![shop, title.as_str(), to_ms(now), details.to_string(), cluster_key(cluster)],
                )
                .await?[0][0]
                .int()?;
            cases::start_case(
                o,
                id,
                CaseKind::Collective,
                shop_id,
                &title,
                &details,
                actor,
                now,
            )
            .await?;
            // The regulators' notice: the case is in their queue, and says so in its chain.
            let data = json!({"role": "regulator", "consumers": consumers});
            events::append(
                o,
                &Stream::Case(CaseId(id)),
                actor,
                EventKind::RegulatorsNotified,
                &data,
                now,
            )
            .await?;
            tracing::warn!(
                case = id,
                shop,
                consumers,
                "collective complaint case opened"
            );
            known.open.insert(cluster, Some(id));
            id
        }
    };
    // Link who is not linked yet: with an open case and no merge, only this complaint (read
    // and locked with the queue).
    if open_case.is_some() && others.is_empty() {
        return link(o, case_id, c.clone(), now, policy).await;
    }
    let members: Vec<i64> = {
        o.query(
            "SELECT s.complaint_id FROM complaint_signatures s JOIN complaints c ON c.id = s.complaint_id \
             WHERE s.cluster_id = $1 AND s.created_at >= $2 AND c.collective_case_id IS NULL ORDER BY s.complaint_id",
            vals![cluster, since],
        )
        .await?
        .iter()
        .map(|r| r[0].int())
        .collect::<Result<_>>()?
    };
    for m in members {
        // This complaint's row is the batch's; another's is read (and locked) now.
        let mc = match m == c.id.0 {
            true => Some(c.clone()),
            false => records::complaint(o, ComplaintId(m), Some(Lock::Wait)).await?,
        };
        if let Some(mc) = mc {
            link(o, case_id, mc, now, policy).await?;
        }
    }
    Ok(())
}

/// Makes a complaint (locked by this transaction) a member of the collective case, unless it
/// is in one already.
async fn link<C: Conn>(
    o: &mut Tx<'_, C>,
    case_id: i64,
    mc: Complaint,
    now: Timestamp,
    policy: &Policy,
) -> Result<()> {
    if mc.collective_case_id.is_some() {
        return Ok(());
    }
    let actor = "system:collective";
    cases::add_member(o, case_id, mc.id, "collective", None, actor, now).await?;
    let t = machine::join_collective(&mc, case_id, now);
    transitions::apply_blind(o, &mc, t, actor, None, now, policy).await
}
