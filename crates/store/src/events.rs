//! The chains: every stream's events, each linked to the one before by its hash. The only place
//! that writes an event row; streams are named by `weiquan_domain::Stream`.

use serde_json::Value;
use weiquan_domain::chain::{EventBody, GENESIS, event_hash};
use weiquan_domain::*;

use crate::db::{Conn, Tx};
use crate::error::Result;
use crate::model::Event;
use crate::notices;
use crate::rows::{EventRow, each};
use crate::sql::{Val, placeholders, vals};
use crate::time::to_ms;

const EVENT_COLUMNS: &str = "id, stream, seq, at, actor, kind, data, prev_hash, hash";

/// Appends one event to a stream's chain.
pub(crate) async fn append<C: Conn>(
    tx: &mut Tx<'_, C>,
    stream: &Stream,
    actor: &str,
    kind: EventKind,
    data: &Value,
    now: Timestamp,
) -> Result<()> {
    let stream = &stream.to_string();
    let head = match tx.known_head(stream) {
        Some(h) => Some(h.clone()),
        None => {
            // Appends to one stream queue up behind each other, whatever node makes them.
            tx.lock_key(stream).await?;
            match tx
                .query_opt(
                    "SELECT seq, hash FROM events WHERE stream = $1 ORDER BY seq DESC LIMIT 1",
                    vals![stream],
                )
                .await?
            {
                Some(mut r) => Some((r[0].int()?, r.swap_remove(1).into_text()?)),
                None => None,
            }
        }
    };
    write(tx, stream, head, actor, kind, data, now).await
}

/// Learns the heads of streams whose rows this transaction holds locked (complaints a drain
/// read `FOR UPDATE`), in one statement: every writer of such a stream locks its row first, so
/// the row lock stands for the stream's, and the streams' next appends need neither.
pub(crate) async fn learn_heads<C: Conn>(tx: &mut Tx<'_, C>, streams: &[Stream]) -> Result<()> {
    let names: Vec<Val> = streams
        .iter()
        .map(|s| s.to_string())
        .filter(|s| tx.known_head(s).is_none())
        .map(Val::from)
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    let rows = tx
        .query(
            &format!(
                "SELECT e.stream, e.seq, e.hash FROM events e JOIN \
                 (SELECT stream, MAX(seq) AS seq FROM events WHERE stream IN ({}) GROUP BY stream) h \
                 ON h.stream = e.stream AND h.seq = e.seq",
                placeholders(1, names.len())
            ),
            &names,
        )
        .await?;
    for mut r in rows {
        let hash = r.swap_remove(2).into_text()?;
        let seq = r[1].int()?;
        let stream = r.swap_remove(0).into_text()?;
        tx.remember_head(&stream, (seq, hash));
    }
    Ok(())
}

/// The `seq` of a stream's last event (0 for none): a complaint's version, as a read sees it.
pub(crate) async fn head_seq<C: Conn>(tx: &mut Tx<'_, C>, stream: &Stream) -> Result<i64> {
    if let Some((seq, _)) = tx.known_head(&stream.to_string()) {
        return Ok(*seq);
    }
    match tx
        .query_opt(
            "SELECT seq FROM events WHERE stream = $1 ORDER BY seq DESC LIMIT 1",
            vals![stream.to_string()],
        )
        .await?
    {
        Some(r) => r[0].int(),
        None => Ok(0),
    }
}

/// Starts the chain of a stream that cannot have events yet (a row created in this very
/// transaction), without looking up or locking its head.
pub(crate) async fn start<C: Conn>(
    tx: &mut Tx<'_, C>,
    stream: &Stream,
    actor: &str,
    kind: EventKind,
    data: &Value,
    now: Timestamp,
) -> Result<()> {
    write(tx, &stream.to_string(), None, actor, kind, data, now).await
}

async fn write<C: Conn>(
    tx: &mut Tx<'_, C>,
    stream: &str,
    head: Option<(i64, String)>,
    actor: &str,
    kind: EventKind,
    data: &Value,
    now: Timestamp,
) -> Result<()> {
    let (seq, prev) = match &head {
        Some((s, h)) => (s + 1, h.as_str()),
        None => (1, GENESIS),
    };
    let at_ms = to_ms(now);
    let hash = event_hash(&EventBody {
        stream,
        seq,
        at_ms,
        actor,
        kind: kind.as_str(),
        data,
        prev_hash: prev,
    });
    tx.defer(
        "INSERT INTO events (stream, seq, at, actor, kind, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        vals![stream, seq, at_ms, actor, kind.as_str(), data.to_string(), prev, hash.as_str()],
    )
    .await?;
    tx.remember_head(stream, (seq, hash.as_str().to_owned()));
    // Whoever the event concerns is told in the same transaction.
    notices::on_event(tx, stream, actor, kind, data, now).await
}

/// A stream's events in order.
pub(crate) async fn read<C: Conn>(tx: &mut Tx<'_, C>, stream: &Stream) -> Result<Vec<Event>> {
    let rows = tx
        .query(
            &format!("SELECT {EVENT_COLUMNS} FROM events WHERE stream = $1 ORDER BY seq"),
            vals![stream.to_string()],
        )
        .await?;
    each(rows, |r| EventRow::from_row(r)?.try_into())
}

/// A stream's events as stored, in order (a bundle copies them as they are).
pub(crate) async fn rows<C: Conn>(tx: &mut Tx<'_, C>, stream: &Stream) -> Result<Vec<EventRow>> {
    let rows = tx
        .query(
            &format!("SELECT {EVENT_COLUMNS} FROM events WHERE stream = $1 ORDER BY seq"),
            vals![stream.to_string()],
        )
        .await?;
    each(rows, EventRow::from_row)
}

/// The streams with an event in `[from, to)`, by name (a period's bundle). A scan of the events:
/// exports are rare, and no index on `at` is kept for them.
pub(crate) async fn active_streams<C: Conn>(
    tx: &mut Tx<'_, C>,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<String>> {
    tx.query(
        "SELECT DISTINCT stream FROM events WHERE at >= $1 AND at < $2 ORDER BY stream",
        vals![to_ms(from), to_ms(to)],
    )
    .await?
    .into_iter()
    .map(|mut r| r.swap_remove(0).into_text())
    .collect()
}

/// A stream's events as `reader` may see them (`access::event_view`): redacted events no longer
/// match their hashes (`audit verify` checks the stored ones).
pub(crate) async fn read_as<C: Conn>(
    tx: &mut Tx<'_, C>,
    stream: &Stream,
    reader: access::Reader<'_>,
) -> Result<Vec<Event>> {
    let events = read(tx, stream).await?;
    if reader == access::Reader::Full {
        return Ok(events);
    }
    Ok(events
        .into_iter()
        .filter_map(|mut e| {
            // A kind this build does not know is shown to no one but staff.
            let kind = EventKind::parse(&e.kind).ok()?;
            let (actor, data) = access::event_view(reader, kind, &e.actor, &e.data)?;
            (e.actor, e.data) = (actor, data);
            Some(e)
        })
        .collect())
}

/// Every event of every stream, ordered by stream and seq, a page at a time (the audit).
pub(crate) async fn page_all<C: Conn>(
    tx: &mut Tx<'_, C>,
    after: Option<(&str, i64)>,
    limit: u32,
) -> Result<Vec<EventRow>> {
    let (stream, seq) = after.map_or((None, 0), |(s, q)| (Some(s), q));
    let rows = tx
        .query(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE (CAST($1 AS TEXT) IS NULL OR stream > $1 OR (stream = $1 AND seq > $2)) \
                 ORDER BY stream, seq LIMIT $3"
            ),
            vals![stream, seq, limit],
        )
        .await?;
    each(rows, EventRow::from_row)
}
