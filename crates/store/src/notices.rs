//! The inbox: notifications written in the transaction of the event that causes them (or of a
//! deadline's reminder), and a user's reads of their own. [`send`] is the only place a
//! notification row is made; `domain::notice` decides who is told and with what words.

use serde::Serialize;
use serde_json::Value;
use weiquan_domain::notice::{self, NoticeKind, NoticeParams, Parties};
use weiquan_domain::*;

use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::sql::vals;
use crate::time::{from_ms, to_ms};

/// One notification in a user's inbox. Its words are rendered in the reader's language from
/// `kind`, `subject` and `params` (`weiquan_domain::notice::sentence`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notification {
    pub id: i64,
    pub kind: NoticeKind,
    /// The stream it is about (`complaint:7`, `report:3`, `case:5`, `shop:…`).
    #[serde(serialize_with = "as_name")]
    pub subject: Stream,
    pub params: NoticeParams,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

/// Writes the notifications of an event just appended to a stream: the parties it concerns,
/// without whoever acted. Most events concern no one and cost nothing; the others look their
/// stream's parties up once, unless the transaction already knows them.
pub(crate) async fn on_event<C: Conn>(
    tx: &mut Tx<'_, C>,
    stream: &str,
    actor: &str,
    kind: EventKind,
    data: &Value,
    now: Timestamp,
) -> Result<()> {
    let Ok(subject) = Stream::parse(stream) else {
        return Ok(());
    };
    if notice::concerns(&subject, kind, data).is_none() {
        return Ok(());
    }
    let parties = parties(tx, &subject).await?;
    let told = notice::recipients(&subject, kind, actor, data, &parties);
    send(tx, &subject, told, now).await
}

/// Remembers a complaint's parties in the transaction that holds its row (`id`: the row's, which
/// a complaint being filed does not carry yet).
pub(crate) fn remember_complaint<C: Conn>(tx: &mut Tx<'_, C>, id: ComplaintId, c: &Complaint) {
    tx.remember_parties(
        Stream::Complaint(id).to_string(),
        Parties {
            consumer: Some(c.consumer_id),
            merchant: Some(c.merchant_id),
            reporter: None,
            label: Some(c.product.clone()),
        },
    );
}

/// A stream's parties: a complaint's consumer and its shop's merchant, a report's reporter and
/// merchant, a case's or a shop's merchant.
pub(crate) async fn parties<C: Conn>(tx: &mut Tx<'_, C>, subject: &Stream) -> Result<Parties> {
    let name = subject.to_string();
    if let Some(p) = tx.known_parties(&name) {
        return Ok(p.clone());
    }
    let row = match subject {
        Stream::Complaint(id) => tx
            .query_opt(
                "SELECT c.consumer_id, s.merchant_id, CAST(NULL AS BIGINT), c.product FROM complaints c JOIN shops s ON s.id = c.shop_id WHERE c.id = $1",
                vals![id.0],
            )
            .await?,
        Stream::Report(id) => tx
            .query_opt(
                "SELECT CAST(NULL AS BIGINT), s.merchant_id, r.reporter_id, COALESCE(r.listing, s.name) FROM reports r JOIN shops s ON s.id = r.shop_id WHERE r.id = $1",
                vals![id.0],
            )
            .await?,
        Stream::Case(id) => tx
            .query_opt(
                "SELECT CAST(NULL AS BIGINT), s.merchant_id, CAST(NULL AS BIGINT), CAST(NULL AS TEXT) FROM cases c JOIN shops s ON s.id = c.shop_id WHERE c.id = $1",
                vals![id.0],
            )
            .await?,
        Stream::Shop(id) => tx
            .query_opt(
                "SELECT CAST(NULL AS BIGINT), merchant_id, CAST(NULL AS BIGINT), name FROM shops WHERE id = $1",
                vals![id.as_str()],
            )
            .await?,
        // A panel's jurors are told by the panel's own code (`jury`), never as a stream's parties.
        Stream::Account(_) | Stream::Order(_) | Stream::Penalty(_) | Stream::Jury(_) => None,
    };
    let p = match row {
        Some(r) => Parties {
            consumer: r[0].opt_int()?.map(UserId),
            merchant: r[1].opt_int()?.map(UserId),
            reporter: r[2].opt_int()?.map(UserId),
            label: r[3].opt_text()?,
        },
        None => Parties::default(),
    };
    tx.remember_parties(name, p.clone());
    Ok(p)
}

/// Puts notifications in their recipients' inboxes: the one place a notification is made.
pub(crate) async fn send<C: Conn>(
    tx: &mut Tx<'_, C>,
    subject: &Stream,
    told: Vec<(UserId, NoticeKind, NoticeParams)>,
    now: Timestamp,
) -> Result<()> {
    for (user, kind, params) in told {
        if tx.mail() {
            mail(tx, subject, user, kind, &params, now).await?;
        }
        let params =
            serde_json::to_string(&params).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        tx.defer(
            "INSERT INTO notifications (user_id, kind, subject, params, created_at) VALUES ($1, $2, $3, $4, $5)",
            vals![user.0, kind.as_str(), subject, params, to_ms(now)],
        )
        .await?;
        tx.mark_notified();
    }
    Ok(())
}

/// The same notification by e-mail, when `[smtp]` is configured and the recipient gave an
/// address: the title and the subject's name as the e-mail's subject, the sentence as its body.
/// Named by the event that caused it (or, for a reminder, the time), the recipient and the kind.
async fn mail<C: Conn>(
    tx: &mut Tx<'_, C>,
    subject: &Stream,
    user: UserId,
    kind: NoticeKind,
    params: &NoticeParams,
    now: Timestamp,
) -> Result<()> {
    let name = subject.to_string();
    let at = match tx.known_head(&name) {
        Some((seq, _)) => format!("{seq}"),
        None => format!("t{}", to_ms(now)),
    };
    let cause = format!("{name}/{at}/{}/{}", user.0, kind.as_str());
    let text = |lang| {
        let about = notice::subject_name(subject, params.label.as_deref(), lang);
        (
            format!("{} · {about}", kind.label(lang)),
            notice::sentence(kind, subject, params, lang),
        )
    };
    let ((sz, bz), (se, be)) = (text(Lang::Zh), text(Lang::En));
    crate::outbox::email_user(
        tx,
        user,
        &cause,
        &Text { zh: sz, en: se },
        &Text { zh: bz, en: be },
        now,
    )
    .await
}

/// A user's notifications, newest first, before the id `before`; only unread ones if asked.
pub(crate) async fn list<C: Conn>(
    tx: &mut Tx<'_, C>,
    user: UserId,
    unread_only: bool,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<Notification>> {
    let rows = tx
        .query(
            "SELECT id, kind, subject, params, created_at, read_at FROM notifications \
             WHERE user_id = $1 AND (CAST($2 AS BIGINT) = 0 OR read_at IS NULL) AND id < $3 \
             ORDER BY id DESC LIMIT $4",
            vals![
                user.0,
                i64::from(unread_only),
                before.unwrap_or(i64::MAX),
                limit
            ],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let bad = |e: String| StoreError::Corrupt(format!("notification {:?}: {e}", r[0]));
            Ok(Notification {
                id: r[0].int()?,
                kind: NoticeKind::parse(&r[1].text()?).map_err(|e| bad(e.message(Lang::En)))?,
                subject: Stream::parse(&r[2].text()?).map_err(|e| bad(e.message(Lang::En)))?,
                params: serde_json::from_str(&r[3].text()?).map_err(|e| bad(e.to_string()))?,
                created_at: from_ms(r[4].int()?)?,
                read_at: r[5].opt_int()?.map(from_ms).transpose()?,
            })
        })
        .collect()
}

/// How many of a user's notifications are unread.
pub(crate) async fn unread<C: Conn>(tx: &mut Tx<'_, C>, user: UserId) -> Result<i64> {
    let r = tx
        .query_one(
            "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
            vals![user.0],
        )
        .await?;
    r[0].int()
}

/// Marks some of a user's own notifications read (`None`: all of them); another user's ids
/// change nothing. How many changed.
pub(crate) async fn mark_read<C: Conn>(
    tx: &mut Tx<'_, C>,
    user: UserId,
    ids: Option<Vec<i64>>,
    now: Timestamp,
) -> Result<u64> {
    match ids {
        None => {
            tx.exec(
                "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL",
                vals![user.0, to_ms(now)],
            )
            .await
        }
        Some(ids) => {
            let mut n = 0;
            for id in ids {
                n += tx
                    .exec(
                        "UPDATE notifications SET read_at = $3 WHERE id = $2 AND user_id = $1 AND read_at IS NULL",
                        vals![user.0, id, to_ms(now)],
                    )
                    .await?;
            }
            Ok(n)
        }
    }
    .inspect(|n| {
        if *n > 0 {
            // The count went down: the reader's other pages hear it too.
            tx.mark_notified();
        }
    })
}

fn as_name<S: serde::Serializer>(s: &Stream, ser: S) -> std::result::Result<S::Ok, S::Error> {
    ser.collect_str(s)
}
