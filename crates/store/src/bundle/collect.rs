//! What a scope takes in, read from one snapshot and handed to the writer a file at a time:
//! each subject's record, then its chain, then its evidence (the database's own bytes at once,
//! the blob store's named for later). Each subject once, however many ways the scope reaches it.

use std::collections::HashSet;

use serde_json::{Value, json};
use tokio::sync::mpsc::Sender;
use weiquan_domain::bundle::{BundleScope, ChainHead, ChainLine, PERIOD_STREAMS, Part};
use weiquan_domain::chain::GENESIS;
use weiquan_domain::*;

use super::ExportTicket;
use crate::cases;
use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::events;
use crate::evidence::{self, Subject};
use crate::ledger;
use crate::records;
use crate::reports;
use crate::sql::vals;

/// One piece of the archive, as the snapshot yields it.
pub(crate) enum Piece {
    /// A record or a chain file, whole; a chain with its head.
    File {
        part: Part,
        bytes: Vec<u8>,
        chain: Option<ChainHead>,
    },
    /// A file whose bytes the database keeps (a complaint's frozen order), and whose it is.
    Inline {
        sha: Sha256,
        bytes: Vec<u8>,
        of: String,
    },
    /// A file in the blob store, streamed once the snapshot is done.
    Blob { sha: Sha256, of: String },
}

struct Collect {
    out: Sender<Piece>,
    /// Streams already taken in.
    done: HashSet<String>,
    /// The exporter (staff: reports are read in full).
    actor: Actor,
    now: Timestamp,
}

impl Collect {
    /// Whether `stream` is new to this bundle (and now taken).
    fn first(&mut self, stream: &Stream) -> bool {
        self.done.insert(stream.to_string())
    }

    async fn send(&self, piece: Piece) -> Result<()> {
        self.out
            .send(piece)
            .await
            .map_err(|_| StoreError::Unavailable("the bundle's writer stopped".into()))
    }

    async fn record(&self, stream: &Stream, record: &Value) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(record)
            .map_err(|e| StoreError::Corrupt(format!("record {stream}: {e}")))?;
        self.send(Piece::File {
            part: Part::Record(stream.clone()),
            bytes,
            chain: None,
        })
        .await
    }

    async fn chain<C: Conn>(&self, tx: &mut Tx<'_, C>, stream: &Stream) -> Result<()> {
        let rows = events::rows(tx, stream).await?;
        let mut bytes = Vec::new();
        let mut head = ChainHead {
            stream: stream.to_string(),
            events: 0,
            head: GENESIS.to_owned(),
        };
        for r in rows {
            let data: Value = serde_json::from_str(&r.data)
                .map_err(|e| StoreError::Corrupt(format!("event {}: {e}", r.id)))?;
            let line = ChainLine {
                stream: r.stream,
                seq: r.seq,
                at: r.at,
                actor: r.actor,
                kind: r.kind,
                data,
                prev_hash: r.prev_hash,
                hash: r.hash,
            };
            serde_json::to_writer(&mut bytes, &line)
                .map_err(|e| StoreError::Corrupt(format!("event {}: {e}", r.id)))?;
            bytes.push(b'\n');
            head.events += 1;
            head.head = line.hash;
        }
        self.send(Piece::File {
            part: Part::Chain(stream.clone()),
            bytes,
            chain: Some(head),
        })
        .await
    }
}

/// Reads the ticket's scope from the snapshot `tx` holds, piece by piece into `out`.
pub(crate) async fn scope<C: Conn>(
    tx: &mut Tx<'_, C>,
    ticket: &ExportTicket,
    out: Sender<Piece>,
) -> Result<()> {
    let mut c = Collect {
        out,
        done: HashSet::new(),
        actor: ticket.by.clone(),
        now: ticket.at,
    };
    match &ticket.scope {
        BundleScope::Complaint(id) => complaint(tx, &mut c, *id).await,
        BundleScope::Case(id) => case(tx, &mut c, *id, true).await,
        BundleScope::Shop(id) => shop(tx, &mut c, id).await,
        BundleScope::Period { from, to } => period(tx, &mut c, *from, *to).await,
    }
}

async fn complaint<C: Conn>(tx: &mut Tx<'_, C>, c: &mut Collect, id: ComplaintId) -> Result<()> {
    let stream = Stream::Complaint(id);
    if !c.first(&stream) {
        return Ok(());
    }
    let complaint = records::complaint(tx, id, None)
        .await?
        .ok_or_else(access::not_found_complaint)?;
    let messages = records::messages(tx, id).await?;
    let files = evidence::list(tx, Subject::Complaint(id)).await?;
    let record = json!({"complaint": complaint, "messages": messages, "evidence": files});
    c.record(&stream, &record).await?;
    c.chain(tx, &stream).await?;
    let of = stream.to_string();
    let mut inline = HashSet::new();
    for (sha, bytes) in evidence::inline_files(tx, id).await? {
        let sha = Sha256::parse(&sha)
            .map_err(|_| StoreError::Corrupt(format!("{of}: evidence digest {sha}")))?;
        inline.insert(sha.clone());
        let of = of.clone();
        c.send(Piece::Inline { sha, bytes, of }).await?;
    }
    for f in files.into_iter().filter(|f| !inline.contains(&f.sha256)) {
        let of = of.clone();
        c.send(Piece::Blob { sha: f.sha256, of }).await?;
    }
    Ok(())
}

async fn report<C: Conn>(tx: &mut Tx<'_, C>, c: &mut Collect, id: ReportId) -> Result<()> {
    let stream = Stream::Report(id);
    if !c.first(&stream) {
        return Ok(());
    }
    let report = reports::read_report(tx, &c.actor, id).await?;
    let files = evidence::list(tx, Subject::Report(id)).await?;
    c.record(&stream, &json!({"report": report, "evidence": files}))
        .await?;
    c.chain(tx, &stream).await?;
    for f in files {
        let of = stream.to_string();
        c.send(Piece::Blob { sha: f.sha256, of }).await?;
    }
    Ok(())
}

/// A case; with `members`, its member complaints and reports too.
async fn case<C: Conn>(
    tx: &mut Tx<'_, C>,
    c: &mut Collect,
    id: CaseId,
    members: bool,
) -> Result<()> {
    let stream = Stream::Case(id);
    if !c.first(&stream) {
        return Ok(());
    }
    let (case, _) = cases::read_case(tx, id.0)
        .await?
        .ok_or_else(weiquan_domain::tier3::not_found_case)?;
    c.record(&stream, &json!({"case": case})).await?;
    c.chain(tx, &stream).await?;
    if members {
        for m in &case.members {
            complaint(tx, c, *m).await?;
        }
        for r in &case.reports {
            report(tx, c, *r).await?;
        }
    }
    Ok(())
}

/// The shop's record and chain, then every complaint, report and case about it.
async fn shop<C: Conn>(tx: &mut Tx<'_, C>, c: &mut Collect, id: &ShopId) -> Result<()> {
    shop_itself(tx, c, id).await?;
    for k in ids(
        tx,
        "SELECT id FROM complaints WHERE shop_id = $1 ORDER BY id",
        id,
    )
    .await?
    {
        complaint(tx, c, ComplaintId(k)).await?;
    }
    for k in ids(
        tx,
        "SELECT id FROM reports WHERE shop_id = $1 ORDER BY id",
        id,
    )
    .await?
    {
        report(tx, c, ReportId(k)).await?;
    }
    // A case's members are the shop's own complaints and reports, already in.
    for k in ids(
        tx,
        "SELECT id FROM cases WHERE shop_id = $1 ORDER BY id",
        id,
    )
    .await?
    {
        case(tx, c, CaseId(k), false).await?;
    }
    Ok(())
}

async fn shop_itself<C: Conn>(tx: &mut Tx<'_, C>, c: &mut Collect, id: &ShopId) -> Result<()> {
    let stream = Stream::Shop(id.clone());
    if !c.first(&stream) {
        return Ok(());
    }
    let shop = ledger::shop(tx, id, c.now)
        .await?
        .ok_or_else(access::not_found_shop)?;
    let penalties = ledger::penalties(tx, id).await?;
    let violations = ledger::violations(tx, id).await?;
    let record = json!({"shop": shop, "penalties": penalties, "violations": violations});
    c.record(&stream, &record).await?;
    c.chain(tx, &stream).await
}

async fn ids<C: Conn>(tx: &mut Tx<'_, C>, sql: &str, shop: &ShopId) -> Result<Vec<i64>> {
    tx.query(sql, vals![shop.as_str()])
        .await?
        .iter()
        .map(|r| r[0].int())
        .collect()
}

/// Every complaint, report, case and shop with an event in `[from, to)`, each chain whole; a
/// case's members only when they too had an event then.
async fn period<C: Conn>(
    tx: &mut Tx<'_, C>,
    c: &mut Collect,
    from: Timestamp,
    to: Timestamp,
) -> Result<()> {
    for name in events::active_streams(tx, from, to).await? {
        if !PERIOD_STREAMS.contains(&name.split(':').next().unwrap_or("")) {
            continue;
        }
        match Stream::parse(&name) {
            Ok(Stream::Complaint(id)) => complaint(tx, c, id).await?,
            Ok(Stream::Report(id)) => report(tx, c, id).await?,
            Ok(Stream::Case(id)) => case(tx, c, id, false).await?,
            Ok(Stream::Shop(id)) => shop_itself(tx, c, &id).await?,
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "stream {name}: not a stream a period exports"
                )));
            }
        }
    }
    Ok(())
}
