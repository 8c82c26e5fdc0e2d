//! The public jury (大众评审, `docs/jury.md`): tier 2 sends a complaint to a panel drawn from
//! volunteers (`domain::jury` decides who may sit and draws; the seed comes from a CSPRNG here
//! and is recorded on the panel's chain `jury:ID`), jurors read the complaint with identities
//! hidden and vote before a deadline (a `subject_timers` row fired by the deadline loop), and
//! the panel's close turns its majority into tier 2's ruling or sends the complaint back to a
//! specialist. The [`Juries`] supertrait of `Store` is implemented once in `service/jury.rs`.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::Serialize;
use serde_json::json;
use weiquan_domain::access::{self, PanelReader};
use weiquan_domain::jury::{
    self as rules, Candidate, JurorCase, JurorFile, SendToJury, Tally, Verdict, Vote,
};
use weiquan_domain::machine;
use weiquan_domain::notice::{Deadline, NoticeKind, NoticeParams};
use weiquan_domain::policy::DeadlineKind;
use weiquan_domain::*;

use crate::complaints;
use crate::db::{Conn, Row, Tx};
use crate::error::{Result, StoreError};
use crate::events;
use crate::evidence::{self, Subject};
use crate::model::Event;
use crate::notices;
use crate::records::{self, Lock};
use crate::sql::{Val, vals};
use crate::time::{from_ms, to_ms};
use crate::timers::{self, JURY_VOTE, SubjectTimer};
use crate::transitions;

/// The actor of what a panel's close does.
pub const JURY_ACTOR: &str = "system:jury";

/// The jury's side of the store. Every method starts with `domain::access`'s check.
#[async_trait]
pub trait Juries: Send + Sync {
    /// Tier 2 sends a complaint to a panel drawn now; the panel as staff see it.
    async fn send_to_jury(
        &self,
        actor: &Actor,
        id: ComplaintId,
        send: SendToJury,
        now: Timestamp,
    ) -> Result<JuryView>;
    /// A panel as the actor may read it (its jurors: the case with identities hidden and their
    /// own vote; tier 2 and admins: everything); not found for anyone else.
    async fn jury(&self, actor: &Actor, id: JuryId, now: Timestamp) -> Result<JuryView>;
    /// The panels the actor was drawn for, newest first.
    async fn my_juries(&self, actor: &Actor) -> Result<Vec<JurorPanel>>;
    /// A juror's vote: once, before the deadline, while seated.
    async fn jury_vote(
        &self,
        actor: &Actor,
        id: JuryId,
        vote: rules::VoteRequest,
        now: Timestamp,
    ) -> Result<JuryView>;
    /// A juror leaves a panel before voting.
    async fn jury_leave(&self, actor: &Actor, id: JuryId, now: Timestamp) -> Result<JuryView>;
    /// A file of the panel's complaint, for its seated jurors (never the order snapshot or a
    /// chat transcript) and tier 2; the response carries no file name.
    async fn jury_file(
        &self,
        actor: &Actor,
        id: JuryId,
        sha: &Sha256,
    ) -> Result<(crate::model::Evidence, Vec<u8>)>;
    /// A panel's chain (tier 2 and admins).
    async fn jury_events(&self, actor: &Actor, id: JuryId) -> Result<Vec<Event>>;
    /// Every juror's record and agreement with final outcomes (tier 2 and admins).
    async fn juror_agreement(&self, actor: &Actor) -> Result<Vec<JurorRecord>>;
}

/// A panel as its reader may see it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct JuryView {
    pub id: JuryId,
    pub complaint_id: ComplaintId,
    /// `open`, `decided`, `returned` (no verdict: back to a specialist) or `dissolved` (the
    /// complaint ended otherwise).
    pub state: String,
    pub size: u32,
    pub quorum: u32,
    #[schema(value_type = String, format = DateTime)]
    pub vote_until: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<Timestamp>,
    /// The outcomes a juror may choose: `uphold` and `reject`, and `partial` when tier 2 named
    /// a partial remedy.
    pub outcomes: Vec<Decision>,
    pub partial_remedy: Option<Remedy>,
    pub decision: Option<Decision>,
    /// Votes by outcome: for staff always, for jurors once the panel has closed.
    pub tally: Option<Tally>,
    /// The reader's own seat (a juror).
    pub mine: Option<SeatView>,
    /// The complaint with identities hidden, for a juror still seated.
    pub case: Option<JurorCase>,
    /// Who sits and how each voted: tier 2 and admins only.
    pub seats: Option<Vec<SeatView>>,
}

/// A seat: its juror (named to staff only) and vote.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SeatView {
    pub juror_id: Option<UserId>,
    pub juror: Option<String>,
    pub outcome: Option<Decision>,
    pub reason: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub voted_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub left_at: Option<Timestamp>,
    /// Whether the vote matched the complaint's final outcome, once known.
    pub agreed: Option<bool>,
}

/// A panel in a juror's list.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct JurorPanel {
    pub id: JuryId,
    pub state: String,
    pub category: Category,
    #[schema(value_type = String, format = DateTime)]
    pub vote_until: Timestamp,
    pub voted: bool,
    pub left: bool,
}

/// A juror's record, for staff.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct JurorRecord {
    pub juror_id: UserId,
    pub juror: String,
    /// Panels drawn for.
    pub panels: u32,
    pub votes: u32,
    pub left: u32,
    /// Panels closed without a vote or a leave.
    pub missed: u32,
    /// Votes compared with a final outcome, and how many matched it.
    pub scored: u32,
    pub agreed: u32,
    /// `agreed / scored`, when anything was scored.
    pub agreement: Option<f64>,
    /// Whether they volunteer now.
    pub volunteer: bool,
}

/// A panel's row.
#[derive(Debug, Clone)]
struct Panel {
    id: JuryId,
    complaint_id: ComplaintId,
    state: String,
    size: u32,
    quorum: u32,
    partial_remedy: Option<Remedy>,
    created_at: Timestamp,
    vote_until: Timestamp,
    closed_at: Option<Timestamp>,
    decision: Option<Decision>,
}

#[derive(Debug, Clone)]
struct Seat {
    user_id: UserId,
    username: String,
    outcome: Option<Decision>,
    reason: Option<String>,
    voted_at: Option<Timestamp>,
    left_at: Option<Timestamp>,
    agreed: Option<bool>,
}

fn corrupt(what: &str) -> impl Fn(DomainError) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e:?}"))
}

fn opt_time(v: &Val) -> Result<Option<Timestamp>> {
    v.opt_int()?.map(from_ms).transpose()
}

async fn panel<C: Conn>(o: &mut Tx<'_, C>, id: JuryId, lock: bool) -> Result<Panel> {
    let sql = format!(
        "SELECT id, complaint_id, state, size, quorum, partial_remedy, created_at, vote_until, closed_at, decision FROM juries WHERE id = $1{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    let r = o
        .query_opt(&sql, vals![id.0])
        .await?
        .ok_or_else(|| StoreError::Domain(access::not_found_jury()))?;
    let partial_remedy = match r[5].opt_text()? {
        Some(t) => Some(serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(e.to_string()))?),
        None => None,
    };
    Ok(Panel {
        id: JuryId(r[0].int()?),
        complaint_id: ComplaintId(r[1].int()?),
        state: r[2].text()?,
        size: r[3].int()? as u32,
        quorum: r[4].int()? as u32,
        partial_remedy,
        created_at: from_ms(r[6].int()?)?,
        vote_until: from_ms(r[7].int()?)?,
        closed_at: opt_time(&r[8])?,
        decision: r[9]
            .opt_text()?
            .map(|d| Decision::parse(&d))
            .transpose()
            .map_err(corrupt("jury decision"))?,
    })
}

fn seat_of(r: &Row) -> Result<Seat> {
    Ok(Seat {
        user_id: UserId(r[0].int()?),
        username: r[1].text()?,
        outcome: r[2]
            .opt_text()?
            .map(|d| Decision::parse(&d))
            .transpose()
            .map_err(corrupt("vote"))?,
        reason: r[3].opt_text()?,
        voted_at: opt_time(&r[4])?,
        left_at: opt_time(&r[5])?,
        agreed: r[6].opt_int()?.map(|a| a != 0),
    })
}

const SEAT_COLUMNS: &str =
    "s.user_id, u.username, s.outcome, s.reason, s.voted_at, s.left_at, s.agreed";

async fn seats<C: Conn>(o: &mut Tx<'_, C>, id: JuryId) -> Result<Vec<Seat>> {
    let rows = o
        .query(
            &format!(
                "SELECT {SEAT_COLUMNS} FROM jury_seats s JOIN users u ON u.id = s.user_id WHERE s.jury_id = $1 ORDER BY s.voted_at, s.user_id"
            ),
            vals![id.0],
        )
        .await?;
    rows.iter().map(seat_of).collect()
}

async fn seat<C: Conn>(o: &mut Tx<'_, C>, id: JuryId, user: UserId) -> Result<Option<Seat>> {
    let r = o
        .query_opt(
            &format!(
                "SELECT {SEAT_COLUMNS} FROM jury_seats s JOIN users u ON u.id = s.user_id WHERE s.jury_id = $1 AND s.user_id = $2"
            ),
            vals![id.0, user.0],
        )
        .await?;
    r.as_ref().map(seat_of).transpose()
}

/// The volunteers and the facts that decide whether each may sit on a panel about `shop`.
async fn candidates<C: Conn>(
    o: &mut Tx<'_, C>,
    shop: &ShopId,
    consumer: UserId,
) -> Result<Vec<Candidate>> {
    let rows = o
        .query(
            "SELECT u.id, u.created_at, u.disabled_at, \
             (SELECT COUNT(*) FROM jury_seats s JOIN juries j ON j.id = s.jury_id \
              WHERE s.user_id = u.id AND j.state <> 'open' AND s.voted_at IS NULL AND s.left_at IS NULL), \
             EXISTS (SELECT 1 FROM orders o WHERE o.buyer_id = u.id AND o.shop_id = $1), \
             EXISTS (SELECT 1 FROM jury_seats s JOIN juries j ON j.id = s.jury_id \
              WHERE s.user_id = u.id AND j.state = 'open' AND j.shop_id = $1 AND s.left_at IS NULL) \
             FROM users u WHERE u.juror_since IS NOT NULL AND u.role = 'consumer' ORDER BY u.id",
            vals![shop.as_str()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let id = UserId(r[0].int()?);
            Ok(Candidate {
                id,
                joined: from_ms(r[1].int()?)?,
                disabled: !r[2].is_null(),
                missed_votes: r[3].int()? as u32,
                ordered_from_shop: r[4].bool()?,
                on_open_panel_of_shop: r[5].bool()?,
                is_party: id == consumer,
            })
        })
        .collect()
}

pub(crate) async fn send<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: ComplaintId,
    send: SendToJury,
    now: Timestamp,
    policy: &Policy,
) -> Result<JuryView> {
    let c = complaints::visible(o, actor, id, Some(Lock::Wait)).await?;
    // Refused before anything is drawn (the machine checks again when it decides).
    if actor.role != Role::Protection {
        return Err(DomainError::forbidden(
            "只有消费者保障专员可以将投诉交由大众评审",
            "only a consumer-protection specialist may send a complaint to a jury",
        )
        .into());
    }
    rules::may_send_to_jury(&c, &send, policy)?;
    let pool = candidates(o, &c.shop_id, c.consumer_id).await?;
    let mut excluded: BTreeMap<String, u32> = BTreeMap::new();
    let mut eligible = vec![];
    for cand in &pool {
        match rules::exclusion(cand, policy, now) {
            None => eligible.push(cand.id),
            Some(why) => {
                let key = serde_json::to_value(why)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                *excluded.entry(key).or_default() += 1;
            }
        }
    }
    let seed: [u8; 32] = rand::random();
    let size = policy.jury.panel_size;
    let Some(drawn) = rules::draw(&eligible, size as usize, &seed) else {
        return Err(StoreError::conflict(
            "not_enough_jurors",
            format!(
                "符合条件的评审志愿者只有 {} 位，不足评审团所需的 {size} 位；请由专员裁决",
                eligible.len()
            ),
            format!(
                "only {} eligible volunteers, fewer than the {size} a panel needs; a specialist should rule",
                eligible.len()
            ),
        ));
    };
    let vote_until = policy.due(DeadlineKind::JuryVote, now);
    let partial = match &send.partial_remedy {
        Some(r) => Some(serde_json::to_string(r).map_err(|e| StoreError::Corrupt(e.to_string()))?),
        None => None,
    };
    let row = o
        .query_one(
            "INSERT INTO juries (complaint_id, shop_id, size, quorum, partial_remedy, seed, sent_by, created_at, vote_until) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            vals![
                id.0,
                c.shop_id.as_str(),
                size,
                policy.jury.quorum,
                partial,
                hex::encode(seed),
                actor.id.0,
                to_ms(now),
                to_ms(vote_until)
            ],
        )
        .await?;
    let jury_id = JuryId(row[0].int()?);
    let t = machine::send_to_jury(&c, actor, jury_id, &send, vote_until, now, policy)?;
    transitions::apply(o, &c, t, &actor.event_name(), Some(actor.id), now, policy).await?;
    for juror in &drawn {
        o.defer(
            "INSERT INTO jury_seats (jury_id, user_id) VALUES ($1, $2)",
            vals![jury_id.0, juror.0],
        )
        .await?;
    }
    let stream = Stream::Jury(jury_id);
    let data = json!({
        "complaint_id": id, "shop_id": c.shop_id, "size": size, "quorum": policy.jury.quorum,
        "seed": hex::encode(seed), "pool": eligible, "excluded": excluded, "seats": drawn,
        "vote_until": vote_until, "partial_remedy": send.partial_remedy,
    });
    events::start(
        o,
        &stream,
        &actor.event_name(),
        EventKind::JuryDrawn,
        &data,
        now,
    )
    .await?;
    let remind = policy.next_reminder(DeadlineKind::JuryVote, vote_until, now);
    timers::insert_subject(o, &stream, JURY_VOTE, vote_until, remind).await?;
    let params = NoticeParams {
        deadline: Some(Deadline::JuryVote),
        due_ms: Some(to_ms(vote_until)),
        ..NoticeParams::default()
    };
    let told = drawn
        .iter()
        .map(|u| (*u, NoticeKind::JuryInvited, params.clone()))
        .collect();
    notices::send(o, &stream, told, now).await?;
    view(o, actor, jury_id, now).await
}

/// A panel as `actor` may read it.
pub(crate) async fn view<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: JuryId,
    _now: Timestamp,
) -> Result<JuryView> {
    let mine = seat(o, id, actor.id).await?;
    let reader = access::panel_reader(actor, mine.as_ref().map(|s| s.left_at.is_some()))?;
    let p = panel(o, id, false).await?;
    let all = seats(o, id).await?;
    let tally = Tally::of(all.iter().filter_map(|s| s.outcome));
    let closed = p.state != "open";
    let seat_view = |s: &Seat, named: bool| SeatView {
        juror_id: named.then_some(s.user_id),
        juror: named.then(|| s.username.clone()),
        outcome: s.outcome,
        reason: s.reason.clone(),
        voted_at: s.voted_at,
        left_at: s.left_at,
        agreed: s.agreed,
    };
    let mut outcomes = vec![Decision::Uphold];
    if p.partial_remedy.is_some() {
        outcomes.push(Decision::Partial);
    }
    outcomes.push(Decision::Reject);
    let (case, seats_view, show_tally) = match reader {
        PanelReader::Staff => (
            None,
            Some(all.iter().map(|s| seat_view(s, true)).collect()),
            true,
        ),
        PanelReader::Juror { left: true } => (None, None, closed),
        PanelReader::Juror { left: false } => {
            (Some(juror_case(o, p.complaint_id).await?), None, closed)
        }
    };
    Ok(JuryView {
        id: p.id,
        complaint_id: p.complaint_id,
        state: p.state,
        size: p.size,
        quorum: p.quorum,
        vote_until: p.vote_until,
        created_at: p.created_at,
        closed_at: p.closed_at,
        outcomes,
        partial_remedy: p.partial_remedy,
        decision: p.decision,
        tally: show_tally.then_some(tally),
        mine: mine.as_ref().map(|s| seat_view(s, false)),
        case,
        seats: seats_view,
    })
}

/// The complaint as a juror reads it: names of both sides and the shop hidden with everything
/// else `domain::jury::redact` hides; files without their names, never the order snapshot.
async fn juror_case<C: Conn>(o: &mut Tx<'_, C>, id: ComplaintId) -> Result<JurorCase> {
    let c = records::complaint(o, id, None)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("jury of a missing complaint {id}")))?;
    let names = o
        .query_one(
            "SELECT cu.username, cu.display_name, mu.username, mu.display_name, s.name, s.id \
             FROM complaints c JOIN users cu ON cu.id = c.consumer_id JOIN shops s ON s.id = c.shop_id \
             JOIN users mu ON mu.id = s.merchant_id WHERE c.id = $1",
            vals![id.0],
        )
        .await?
        .into_iter()
        .map(|v| v.into_text())
        .collect::<Result<Vec<String>>>()?;
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let messages: Vec<(Role, String, Timestamp)> = records::messages(o, id)
        .await?
        .into_iter()
        .map(|m| (m.author_role, m.body, m.at))
        .collect();
    let files: Vec<JurorFile> = evidence::list(o, Subject::Complaint(id))
        .await?
        .into_iter()
        .map(|e| JurorFile {
            sha256: e.sha256.as_str().to_owned(),
            kind: e.kind,
            content_type: e.content_type,
            size: e.size,
        })
        .collect();
    Ok(rules::juror_case(&c, &messages, &files, &names))
}

pub(crate) async fn my_panels<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
) -> Result<Vec<JurorPanel>> {
    let rows = o
        .query(
            "SELECT j.id, j.state, c.category, j.vote_until, s.voted_at, s.left_at FROM jury_seats s \
             JOIN juries j ON j.id = s.jury_id JOIN complaints c ON c.id = j.complaint_id \
             WHERE s.user_id = $1 ORDER BY j.id DESC LIMIT 200",
            vals![actor.id.0],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(JurorPanel {
                id: JuryId(r[0].int()?),
                state: r[1].text()?,
                category: Category::parse(r[2].as_str()?).map_err(corrupt("category"))?,
                vote_until: from_ms(r[3].int()?)?,
                voted: !r[4].is_null(),
                left: !r[5].is_null(),
            })
        })
        .collect()
}

/// A juror's own seat on an open panel, or the refusal that names why they may not act on it.
async fn open_seat<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    p: &Panel,
    now: Timestamp,
) -> Result<Seat> {
    let Some(s) = seat(o, p.id, actor.id).await? else {
        return Err(access::not_found_jury().into());
    };
    if s.left_at.is_some() {
        return Err(DomainError::forbidden(
            "您已退出这个评审团，不能再投票",
            "you left this panel; you can no longer vote on it",
        )
        .into());
    }
    if p.state != "open" {
        return Err(StoreError::conflict(
            "jury_closed",
            "评审团已结束评审",
            "this panel has finished",
        ));
    }
    if now >= p.vote_until {
        let due = china_time(p.vote_until);
        return Err(StoreError::conflict(
            "vote_closed",
            format!("投票已于 {due}（北京时间）截止"),
            format!("voting closed at {due} (China time)"),
        ));
    }
    Ok(s)
}

fn china_time(t: Timestamp) -> String {
    let cn = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    t.with_timezone(&cn).format("%Y-%m-%d %H:%M").to_string()
}

pub(crate) async fn vote<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: JuryId,
    req: rules::VoteRequest,
    now: Timestamp,
    policy: &Policy,
) -> Result<JuryView> {
    let p = panel(o, id, true).await?;
    let s = open_seat(o, actor, &p, now).await?;
    if s.voted_at.is_some() {
        return Err(StoreError::conflict(
            "already_voted",
            "您已经投过票，每位评审员只能投一次",
            "you have already voted; each juror votes once",
        ));
    }
    let v: Vote = Vote::parse(&req, p.partial_remedy.is_some(), policy)?;
    o.exec(
        "UPDATE jury_seats SET outcome = $3, reason = $4, voted_at = $5 WHERE jury_id = $1 AND user_id = $2",
        vals![id.0, actor.id.0, v.outcome.as_str(), v.reason.as_str(), to_ms(now)],
    )
    .await?;
    let data = json!({"outcome": v.outcome, "reason": v.reason});
    events::append(
        o,
        &Stream::Jury(id),
        &actor.event_name(),
        EventKind::JurorVoted,
        &data,
        now,
    )
    .await?;
    close_if_all_in(o, &p, now, policy).await?;
    view(o, actor, id, now).await
}

pub(crate) async fn leave<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: JuryId,
    now: Timestamp,
    policy: &Policy,
) -> Result<JuryView> {
    let p = panel(o, id, true).await?;
    let s = open_seat(o, actor, &p, now).await?;
    if s.voted_at.is_some() {
        return Err(StoreError::conflict(
            "already_voted",
            "您已经投票，不能再退出",
            "you have voted; you can no longer leave",
        ));
    }
    o.exec(
        "UPDATE jury_seats SET left_at = $3 WHERE jury_id = $1 AND user_id = $2",
        vals![id.0, actor.id.0, to_ms(now)],
    )
    .await?;
    events::append(
        o,
        &Stream::Jury(id),
        &actor.event_name(),
        EventKind::JurorLeft,
        &json!({}),
        now,
    )
    .await?;
    close_if_all_in(o, &p, now, policy).await?;
    view(o, actor, id, now).await
}

/// Closes the panel early once every juror still seated has voted (or none is left).
async fn close_if_all_in<C: Conn>(
    o: &mut Tx<'_, C>,
    p: &Panel,
    now: Timestamp,
    policy: &Policy,
) -> Result<()> {
    let r = o
        .query_one(
            "SELECT COUNT(*) FROM jury_seats WHERE jury_id = $1 AND voted_at IS NULL AND left_at IS NULL",
            vals![p.id.0],
        )
        .await?;
    if r[0].int()? == 0 {
        close(o, p, now, policy).await?;
        timers::cancel_subject(o, &Stream::Jury(p.id), JURY_VOTE).await?;
    }
    Ok(())
}

/// The vote's deadline: the panel (locked first, as a vote locks it) closes if still open.
pub(crate) async fn fire<C: Conn>(
    o: &mut Tx<'_, C>,
    t: &SubjectTimer,
    now: Timestamp,
    policy: &Policy,
) -> Result<bool> {
    let Ok(Stream::Jury(id)) = Stream::parse(&t.subject) else {
        return Err(StoreError::Corrupt(format!("timer subject {}", t.subject)));
    };
    let p = panel(o, id, true).await?;
    if !timers::claim_subject(o, t.id, now).await? {
        return Ok(false);
    }
    if p.state == "open" {
        close(o, &p, now, policy).await?;
    }
    Ok(true)
}

/// A panel's close: its verdict becomes the complaint's ruling, or the complaint goes back to a
/// specialist; a panel whose complaint ended otherwise is dissolved.
async fn close<C: Conn>(
    o: &mut Tx<'_, C>,
    p: &Panel,
    now: Timestamp,
    policy: &Policy,
) -> Result<()> {
    let stream = Stream::Jury(p.id);
    let c = records::complaint(o, p.complaint_id, Some(Lock::Wait))
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("jury {} without its complaint", p.id)))?;
    if c.progress.jury != Some(p.id) {
        mark(o, p.id, "dissolved", None, now).await?;
        let data = json!({"complaint_id": c.id, "complaint_state": c.state});
        events::append(o, &stream, JURY_ACTOR, EventKind::JuryDissolved, &data, now).await?;
        return Ok(());
    }
    let votes = seats(o, p.id).await?;
    let tally = Tally::of(votes.iter().filter_map(|s| s.outcome));
    // The reasons as the parties read them: in the order given, never who gave them.
    let reasons: Vec<String> = votes.iter().filter_map(|s| s.reason.clone()).collect();
    let cast = tally.cast();
    match rules::verdict(&tally, p.quorum) {
        Verdict::Decided(d) => {
            let t = machine::jury_ruling(
                &c,
                p.id,
                d,
                p.partial_remedy.as_ref(),
                &tally,
                &reasons,
                now,
                policy,
            )?;
            transitions::apply_blind(o, &c, t, JURY_ACTOR, None, now, policy).await?;
            mark(o, p.id, "decided", Some(d), now).await?;
            let data = json!({"complaint_id": c.id, "decision": d, "tally": tally, "cast": cast});
            events::append(o, &stream, JURY_ACTOR, EventKind::JuryDecided, &data, now).await?;
        }
        v @ (Verdict::NoQuorum | Verdict::NoMajority) => {
            let why = match v {
                Verdict::NoQuorum => "no_quorum",
                _ => "no_majority",
            };
            let t = machine::jury_returned(&c, p.id, why, &tally, now)?;
            transitions::apply_blind(o, &c, t, JURY_ACTOR, None, now, policy).await?;
            mark(o, p.id, "returned", None, now).await?;
            let data = json!({"complaint_id": c.id, "why": why, "tally": tally, "cast": cast, "quorum": p.quorum});
            events::append(o, &stream, JURY_ACTOR, EventKind::JuryReturned, &data, now).await?;
        }
    }
    Ok(())
}

async fn mark<C: Conn>(
    o: &mut Tx<'_, C>,
    id: JuryId,
    state: &str,
    decision: Option<Decision>,
    now: Timestamp,
) -> Result<()> {
    o.exec(
        "UPDATE juries SET state = $2, decision = $3, closed_at = $4 WHERE id = $1",
        vals![id.0, state, decision.map(|d| d.as_str()), to_ms(now)],
    )
    .await?;
    Ok(())
}

/// Jurors' records: panels, votes, leaves, misses and agreement with final outcomes.
pub(crate) async fn agreement<C: Conn>(o: &mut Tx<'_, C>) -> Result<Vec<JurorRecord>> {
    let rows = o
        .query(
            "SELECT u.id, u.username, u.juror_since, COUNT(s.jury_id), \
             SUM(CASE WHEN s.voted_at IS NOT NULL THEN 1 ELSE 0 END), \
             SUM(CASE WHEN s.left_at IS NOT NULL THEN 1 ELSE 0 END), \
             SUM(CASE WHEN s.voted_at IS NULL AND s.left_at IS NULL AND j.state <> 'open' THEN 1 ELSE 0 END), \
             SUM(CASE WHEN s.agreed IS NOT NULL THEN 1 ELSE 0 END), \
             SUM(CASE WHEN s.agreed = 1 THEN 1 ELSE 0 END) \
             FROM users u LEFT JOIN jury_seats s ON s.user_id = u.id LEFT JOIN juries j ON j.id = s.jury_id \
             WHERE u.juror_since IS NOT NULL OR s.user_id IS NOT NULL \
             GROUP BY u.id, u.username, u.juror_since ORDER BY u.id",
            &[],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let n = |i: usize| -> Result<u32> { Ok(r[i].opt_int()?.unwrap_or(0) as u32) };
            let (scored, agreed) = (n(7)?, n(8)?);
            Ok(JurorRecord {
                juror_id: UserId(r[0].int()?),
                juror: r[1].text()?,
                volunteer: !r[2].is_null(),
                panels: n(3)?,
                votes: n(4)?,
                left: n(5)?,
                missed: n(6)?,
                scored,
                agreed,
                agreement: (scored > 0).then(|| f64::from(agreed) / f64::from(scored)),
            })
        })
        .collect()
}

/// A file of the panel's complaint as its reader may fetch it (bytes the database keeps with it).
pub(crate) async fn file<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: JuryId,
    sha: &Sha256,
) -> Result<(crate::model::Evidence, Option<Vec<u8>>)> {
    let mine = seat(o, id, actor.id).await?;
    let reader = access::panel_reader(actor, mine.as_ref().map(|s| s.left_at.is_some()))?;
    let p = panel(o, id, false).await?;
    let no_file = || StoreError::not_found("找不到这个文件", "no such file");
    if reader == (PanelReader::Juror { left: true }) {
        return Err(no_file());
    }
    let (ev, bytes) = evidence::get(o, Subject::Complaint(p.complaint_id), sha).await?;
    if !rules::juror_sees(ev.kind) {
        return Err(no_file());
    }
    Ok((ev, bytes))
}

pub(crate) async fn chain<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: JuryId,
) -> Result<Vec<Event>> {
    if !access::may_see_jurors(actor.role) {
        return Err(access::not_found_jury().into());
    }
    panel(o, id, false).await?;
    events::read(o, &Stream::Jury(id)).await
}
