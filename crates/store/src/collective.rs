//! Collective complaints, as each complaint is filed (DESIGN §3): its issue's MinHash signature
//! (`weiquan_detect::collective`) is compared with the same shop's complaints of the window that
//! share an LSH band; those about the same issue form one cluster (connected components, kept in
//! `complaint_signatures.cluster_id`). When a cluster has `collective.min_consumers` distinct
//! consumers within `collective.window`, it becomes a tier-3 collective case: the members are
//! linked and become major, and the case's opening is the regulators' notice. Runs inside the
//! filing's transaction, so every node sees the same clusters.

use chrono::Duration;
use serde_json::json;
use weiquan_detect::collective::{MAX_WALK, Signature, Subject, VERSION, shares_issue};
use weiquan_domain::machine;
use weiquan_domain::*;

use crate::error::{Result, StoreError};
use crate::ops::{Lock, Ops};
use crate::sql::{Val, vals};
use crate::time::to_ms;
use crate::workflow::{append_event, apply, start_stream};

fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Complaints each LSH bucket remembers (the latest, by id); the in-memory index walks
/// `MAX_WALK` per bucket, the store this many, which keeps a filing's lookup bounded.
const SLOTS: i64 = 8;

/// A bucket's first row id: a stable 60-bit hash of (shop, band key), times `SLOTS` (8).
fn bucket(shop: &str, band_key: u64) -> i64 {
    let h = weiquan_detect::collective::minhash::token_hash(&format!("{shop}\u{1f}{band_key}"));
    ((h >> 4) as i64) * SLOTS
}

/// How a collective case names the cluster it was opened for (`cases.fingerprint`).
fn cluster_key(cluster: i64) -> String {
    format!("cluster:{cluster}")
}

/// Records the complaint's signature, joins it to its cluster, and opens or grows the cluster's
/// collective case once enough consumers share the issue. Returns the case it joined, if any.
pub(crate) async fn on_filed<O: Ops>(
    o: &mut O,
    c: &Complaint,
    now: Timestamp,
    policy: &Policy,
) -> Result<Option<i64>> {
    let sig = Signature::of(&c.description);
    let keys = sig.band_keys();
    let subject = Subject::new(&c.product, c.category.as_str());
    let window = Duration::from_std(policy.collective.window).expect("policy bounds the window");
    let since = to_ms(now - window);
    let shop = c.shop_id.as_str();
    // Filings about one shop take turns here (on every node), so clusters merge in one order.
    o.lock_key(&format!("collective:{shop}")).await?;

    // Candidates: the shop's latest complaints in the window with the same product and category,
    // and those its band keys' buckets hold (each keeps its latest `SLOTS`): two bounded lookups,
    // however big a shop's wave grows.
    let mut ids = std::collections::BTreeSet::new();
    for r in o
        .query(
            "SELECT complaint_id FROM complaint_signatures WHERE shop_id = $1 AND subject_key = $2 \
             AND created_at >= $3 ORDER BY created_at DESC LIMIT $4",
            vals![shop, subject.key() as i64, since, MAX_WALK as i64],
        )
        .await?
    {
        ids.insert(r[0].int()?);
    }
    if !keys.is_empty() {
        let mut p: Vec<Val> = vec![Val::Int(since)];
        for k in &keys {
            let b = bucket(shop, *k);
            p.extend((0..SLOTS).map(|slot| Val::Int(b + slot)));
        }
        for r in o
            .query(
                &format!(
                    "SELECT complaint_id FROM complaint_bands WHERE id IN ({}) AND created_at >= $1",
                    placeholders(2, p.len() - 1)
                ),
                &p,
            )
            .await?
        {
            ids.insert(r[0].int()?);
        }
    }
    let rows = if ids.is_empty() {
        vec![]
    } else {
        let mut p: Vec<Val> = vec![Val::Int(i64::from(VERSION))];
        p.extend(ids.iter().map(|&id| Val::Int(id)));
        p.push(shop.into());
        o.query(
            &format!(
                "SELECT s.complaint_id, s.signature, s.cluster_id, c.product, c.category FROM complaint_signatures s \
                 JOIN complaints c ON c.id = s.complaint_id WHERE s.version = $1 AND s.complaint_id IN ({}) AND s.shop_id = ${}",
                placeholders(2, ids.len()),
                ids.len() + 2
            ),
            &p,
        )
        .await?
    };
    let mut clusters: Vec<i64> = vec![];
    for r in &rows {
        let other = hex::decode(r[1].text()?)
            .ok()
            .and_then(|b| Signature::from_bytes(&b))
            .ok_or_else(|| StoreError::Corrupt("complaint signature".into()))?;
        let other_subject = Subject::new(&r[3].text()?, &r[4].text()?);
        if shares_issue(&sig, Some(&subject), &other, Some(&other_subject)) {
            let cl = r[2].int()?;
            if !clusters.contains(&cl) {
                clusters.push(cl);
            }
        }
    }
    // The cluster is named by its earliest member; joining several merges them.
    let cluster = clusters.iter().copied().min().unwrap_or(c.id.0);
    let others: Vec<i64> = clusters.iter().copied().filter(|&k| k != cluster).collect();
    if !others.is_empty() {
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
    o.exec(
        "INSERT INTO complaint_signatures (complaint_id, shop_id, consumer_id, created_at, signature, version, subject_key, cluster_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        vals![
            c.id.0,
            shop,
            c.consumer_id.0,
            created,
            hex::encode(sig.to_bytes()),
            i64::from(VERSION),
            subject.key() as i64,
            cluster
        ],
    )
    .await?;
    if !keys.is_empty() {
        let slot = c.id.0.rem_euclid(SLOTS);
        let mut p: Vec<Val> = vec![Val::Int(c.id.0), Val::Int(created)];
        p.extend(keys.iter().map(|k| Val::Int(bucket(shop, *k) + slot)));
        let values = (0..keys.len())
            .map(|i| format!("(${}, $1, $2)", i + 3))
            .collect::<Vec<_>>()
            .join(", ");
        o.exec(
            &format!(
                "INSERT INTO complaint_bands (id, complaint_id, created_at) VALUES {values} \
                 ON CONFLICT (id) DO UPDATE SET complaint_id = excluded.complaint_id, created_at = excluded.created_at"
            ),
            &p,
        )
        .await?;
    }
    if clusters.is_empty() {
        return Ok(None);
    }

    // The cluster's open collective case, found by the cluster it was opened for.
    let open = o
        .query(
            "SELECT id FROM cases WHERE fingerprint = $1 AND kind = 'collective' AND state IN ('open', 'investigating') ORDER BY id LIMIT 1",
            vals![cluster_key(cluster)],
        )
        .await?;
    let actor = "system:collective";
    let case_id = match open.first() {
        Some(r) => r[0].int()?,
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
                return Ok(None);
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
            let data = json!({"kind": "collective", "shop_id": shop, "state": "open", "title": title, "details": details});
            start_stream(o, &format!("case:{id}"), actor, "opened", &data, now).await?;
            // The regulators' notice: the case is in their queue, and says so in its chain.
            let data = json!({"role": "regulator", "consumers": consumers});
            append_event(
                o,
                &format!("case:{id}"),
                actor,
                "regulators_notified",
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
            id
        }
    };
    // Link who is not linked yet: with an open case and no merge, only this complaint.
    let members: Vec<i64> = if !open.is_empty() && others.is_empty() {
        vec![c.id.0]
    } else {
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
        let member = ComplaintId(m);
        let Some(mc) = o.complaint(member, Some(Lock::Wait)).await? else {
            continue;
        };
        if mc.collective_case_id.is_some() {
            continue;
        }
        if o.add_case_member(case_id, member, "collective", None, now)
            .await?
        {
            let data = json!({"complaint_id": member, "reason": "collective"});
            append_event(
                o,
                &format!("case:{case_id}"),
                actor,
                "member_added",
                &data,
                now,
            )
            .await?;
        }
        let t = machine::join_collective(&mc, case_id, now);
        apply(o, t, actor, None, now, policy).await?;
    }
    Ok(Some(case_id))
}
