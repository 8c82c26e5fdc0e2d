//! 客服小蜜's sessions: the dialogue state between turns, the transcript, and the hand-over to a
//! tier-1 agent. Written once against [`Ops`] (writes) and [`ReadSql`] (reads) in
//! [`crate::sql`]'s dialect; every write locks the session row first (`FOR UPDATE` on
//! PostgreSQL, the single writer on SQLite), so turns number themselves without gaps or races.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use weiquan_domain::*;

use crate::NewEvidence;
use crate::complaints;
use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::notices;
use crate::sql::{Val, vals};
use crate::time::{from_ms, to_ms};
use weiquan_domain::access;
use weiquan_domain::notice;

/// Where a session stands for people: the assistant talks (`active`), it waits in the agents'
/// queue (`handed_over`), or an agent has it (`taken`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChatStatus {
    Active,
    HandedOver,
    Taken,
}

impl ChatStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ChatStatus::Active => "active",
            ChatStatus::HandedOver => "handed_over",
            ChatStatus::Taken => "taken",
        }
    }
    /// The status as people read it.
    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            ChatStatus::Active => ("客服小蜜接待中", "with the assistant"),
            ChatStatus::HandedOver => ("等待客服接手", "waiting for an agent"),
            ChatStatus::Taken => ("客服已接手", "taken by an agent"),
        };
        lang.pick(zh, en)
    }
    fn parse(s: &str) -> Result<ChatStatus> {
        match s {
            "active" => Ok(ChatStatus::Active),
            "handed_over" => Ok(ChatStatus::HandedOver),
            "taken" => Ok(ChatStatus::Taken),
            other => Err(StoreError::Corrupt(format!("chat status {other}"))),
        }
    }
}

/// Who said a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChatRole {
    Consumer,
    Assistant,
    Agent,
}

impl ChatRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ChatRole::Consumer => "consumer",
            ChatRole::Assistant => "assistant",
            ChatRole::Agent => "agent",
        }
    }
    /// Who said a turn, as people read it.
    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            ChatRole::Consumer => ("买家", "Consumer"),
            ChatRole::Assistant => ("客服小蜜", "Assistant"),
            ChatRole::Agent => ("客服", "Agent"),
        };
        lang.pick(zh, en)
    }
    fn parse(s: &str) -> Result<ChatRole> {
        match s {
            "consumer" => Ok(ChatRole::Consumer),
            "assistant" => Ok(ChatRole::Assistant),
            "agent" => Ok(ChatRole::Agent),
            other => Err(StoreError::Corrupt(format!("chat role {other}"))),
        }
    }
}

/// One line of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ChatTurn {
    pub seq: i64,
    pub role: ChatRole,
    pub author_id: Option<UserId>,
    pub body: String,
    pub at: DateTime<Utc>,
}

/// A conversation with the assistant.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ChatSession {
    pub id: String,
    pub user_id: UserId,
    pub status: ChatStatus,
    /// The dialogue's own state; the assistant crate reads it.
    #[serde(skip)]
    pub state: Value,
    /// Bumped by each save of the state: a save that expected another version lost a race.
    #[serde(skip)]
    pub version: i64,
    pub agent_id: Option<UserId>,
    pub complaint_id: Option<ComplaintId>,
    pub report_id: Option<ReportId>,
    pub handed_over_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub turns: Vec<ChatTurn>,
}

impl ChatSession {
    /// Whether the actor may take this session from the queue now: an agent, a waiting session.
    pub fn may_take(&self, actor: &Actor) -> bool {
        access::check_chat_agent(actor).is_ok() && self.status == ChatStatus::HandedOver
    }
    /// Whether the actor may answer in it: the agent who took it.
    pub fn may_reply(&self, actor: &Actor) -> bool {
        access::check_chat_agent(actor).is_ok()
            && self.status == ChatStatus::Taken
            && self.agent_id == Some(actor.id)
    }
}

/// What one consumer turn saves.
#[derive(Debug, Clone)]
pub struct ChatSave {
    pub id: String,
    /// The version the turn started from; 0 creates the session.
    pub expected_version: i64,
    pub state: Value,
    /// `true` hands the session to the agents' queue (转人工).
    pub hand_over: bool,
    /// New turns, in order (the consumer's message, the assistant's reply).
    pub turns: Vec<(ChatRole, String)>,
    pub report_id: Option<ReportId>,
}

impl ChatSave {
    /// Whether the save must be on disk before it is answered. An ordinary turn need not: it is
    /// answered once committed, and only a power cut before the next durable commit (within
    /// milliseconds under load, at the latest the next checkpoint) can lose it — what keeps a
    /// turn's latency off the disk's fsync rate. A hand-over to the agents' queue or a turn that
    /// records a report must be (docs/decisions.md).
    pub fn durable(&self) -> bool {
        self.hand_over || self.report_id.is_some()
    }
}

const SESSION_COLUMNS: &str = "id, user_id, status, state, version, agent_id, complaint_id, report_id, handed_over_at, created_at, updated_at";

fn session_row(r: &[Val]) -> Result<ChatSession> {
    let state = r[3].text()?;
    Ok(ChatSession {
        id: r[0].text()?,
        user_id: UserId(r[1].int()?),
        status: ChatStatus::parse(r[2].as_str()?)?,
        state: serde_json::from_str(&state).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        version: r[4].int()?,
        agent_id: r[5].opt_int()?.map(UserId),
        complaint_id: r[6].opt_int()?.map(ComplaintId),
        report_id: r[7].opt_int()?.map(ReportId),
        handed_over_at: r[8].opt_int()?.map(from_ms).transpose()?,
        created_at: from_ms(r[9].int()?)?,
        updated_at: from_ms(r[10].int()?)?,
        turns: Vec::new(),
    })
}

fn turn_row(r: &[Val]) -> Result<ChatTurn> {
    Ok(ChatTurn {
        seq: r[0].int()?,
        role: ChatRole::parse(r[1].as_str()?)?,
        author_id: r[2].opt_int()?.map(UserId),
        body: r[3].text()?,
        at: from_ms(r[4].int()?)?,
    })
}

const TURNS: &str =
    "SELECT seq, role, author_id, body, at FROM chat_turns WHERE session_id = $1 ORDER BY seq";

fn not_found() -> StoreError {
    StoreError::not_found("找不到这个对话", "no such chat session")
}

/// Whether the actor may read the session: its consumer, or a tier-1 agent once it is handed
/// over. Anyone else is told it does not exist.
fn check_view(actor: &Actor, s: &ChatSession) -> Result<()> {
    if access::can_view_chat(actor, s.user_id, s.status != ChatStatus::Active) {
        Ok(())
    } else {
        Err(not_found())
    }
}

pub(crate) async fn read_session<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: &str,
) -> Result<ChatSession> {
    let rows = o
        .query(
            &format!("SELECT {SESSION_COLUMNS} FROM chat_sessions WHERE id = $1"),
            vals![id],
        )
        .await?;
    let mut s = session_row(rows.first().ok_or_else(not_found)?)?;
    check_view(actor, &s)?;
    s.turns = o
        .query(TURNS, vals![id])
        .await?
        .iter()
        .map(|r| turn_row(r))
        .collect::<Result<_>>()?;
    Ok(s)
}

/// The agents' queue: sessions waiting for a person, and those this agent took; oldest first.
pub(crate) async fn handovers<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    limit: u32,
) -> Result<Vec<ChatSession>> {
    let rows = o
        .query(
            &format!(
                "SELECT {SESSION_COLUMNS} FROM chat_sessions \
                 WHERE status = 'handed_over' OR (status = 'taken' AND agent_id = $1) \
                 ORDER BY handed_over_at, id LIMIT $2"
            ),
            vals![actor.id.0, limit],
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut s = session_row(r)?;
        s.turns = o
            .query(TURNS, vals![s.id.as_str()])
            .await?
            .iter()
            .map(|r| turn_row(r))
            .collect::<Result<_>>()?;
        out.push(s);
    }
    Ok(out)
}

/// The session, locked for change.
async fn locked<C: Conn>(o: &mut Tx<'_, C>, id: &str) -> Result<Option<ChatSession>> {
    let rows = o
        .query(
            &format!("SELECT {SESSION_COLUMNS} FROM chat_sessions WHERE id = $1 FOR UPDATE"),
            vals![id],
        )
        .await?;
    rows.first().map(|r| session_row(r)).transpose()
}

async fn add_turn<C: Conn>(
    o: &mut Tx<'_, C>,
    id: &str,
    role: ChatRole,
    author: Option<UserId>,
    body: &str,
    now: Timestamp,
) -> Result<()> {
    let seq = o
        .query(
            "UPDATE chat_sessions SET turns = turns + 1, updated_at = $2 WHERE id = $1 RETURNING turns",
            vals![id, to_ms(now)],
        )
        .await?
        .first()
        .ok_or_else(not_found)?[0]
        .int()?;
    o.exec(
        "INSERT INTO chat_turns (session_id, seq, role, author_id, body, at) VALUES ($1, $2, $3, $4, $5, $6)",
        vals![id, seq, role.as_str(), author.map(|u| u.0), body, to_ms(now)],
    )
    .await?;
    Ok(())
}

fn raced() -> StoreError {
    StoreError::conflict(
        "chat_conflict",
        "这个对话刚刚在别处更新过，请重新发送",
        "this chat was just updated elsewhere; send your message again",
    )
}

/// Saves a consumer's turn: creates the session (`expected_version` 0) or moves it on from the
/// version the turn started from.
pub(crate) async fn save<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    s: ChatSave,
    now: Timestamp,
) -> Result<()> {
    let state = s.state.to_string();
    let at = to_ms(now);
    if s.expected_version == 0 {
        let status = if s.hand_over {
            ChatStatus::HandedOver
        } else {
            ChatStatus::Active
        };
        let n = o
            .exec(
                "INSERT INTO chat_sessions (id, user_id, status, state, version, turns, report_id, handed_over_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 1, 0, $5, $6, $7, $7) ON CONFLICT (id) DO NOTHING",
                vals![s.id.as_str(), actor.id.0, status.as_str(), state, s.report_id, s.hand_over.then_some(at), at],
            )
            .await?;
        if n == 0 {
            return Err(raced());
        }
    } else {
        let cur = locked(o, &s.id).await?.ok_or_else(not_found)?;
        if cur.user_id != actor.id {
            return Err(not_found());
        }
        if cur.version != s.expected_version {
            return Err(raced());
        }
        let (status, handed_at) = match (cur.status, s.hand_over) {
            (ChatStatus::Active, true) => (ChatStatus::HandedOver, Some(at)),
            (st, _) => (st, cur.handed_over_at.map(to_ms)),
        };
        o.exec(
            "UPDATE chat_sessions SET state = $2, version = version + 1, status = $3, handed_over_at = $4, \
             report_id = COALESCE($5, report_id), updated_at = $6 WHERE id = $1",
            vals![s.id.as_str(), state, status.as_str(), handed_at, s.report_id, at],
        )
        .await?;
    }
    for (role, body) in &s.turns {
        let author = (*role == ChatRole::Consumer).then_some(actor.id);
        add_turn(o, &s.id, *role, author, body, now).await?;
    }
    Ok(())
}

/// Files the dialogue's draft through the same transaction as `POST /complaints` (channel
/// `chat`), freezes the transcript (its bytes already in the blob store) as `chat_log` evidence
/// and saves the turn, all in one transaction.
#[allow(clippy::too_many_arguments)] // one transaction's inputs, each of its own kind
pub(crate) async fn file_complaint<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    new: NewComplaint,
    transcript: NewEvidence,
    s: ChatSave,
    now: Timestamp,
    policy: &Policy,
) -> Result<Complaint> {
    let id = s.id.clone();
    save(o, actor, s, now).await?;
    let complaint = complaints::file_complaint(o, actor, new, Channel::Chat, now, policy).await?;
    complaints::add_evidence(o, actor, complaint.id, transcript, &policy.uploads, now).await?;
    o.exec(
        "UPDATE chat_sessions SET complaint_id = $2 WHERE id = $1",
        vals![id.as_str(), complaint.id.0],
    )
    .await?;
    Ok(complaint)
}

/// An agent takes a session from the queue; taking it again is a no-op, one another agent has
/// is a conflict.
pub(crate) async fn take<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: &str,
    now: Timestamp,
) -> Result<()> {
    let s = locked(o, id).await?.ok_or_else(not_found)?;
    match (s.status, s.agent_id) {
        (ChatStatus::Active, _) => Err(not_found()),
        (ChatStatus::Taken, Some(a)) if a == actor.id => Ok(()),
        (ChatStatus::Taken, _) => Err(StoreError::conflict(
            "chat_taken",
            "这个对话已由其他客服接手",
            "another agent has taken this chat",
        )),
        (ChatStatus::HandedOver, _) => {
            o.exec(
                "UPDATE chat_sessions SET status = 'taken', agent_id = $2, updated_at = $3 WHERE id = $1",
                vals![id, actor.id.0, to_ms(now)],
            )
            .await?;
            // The consumer hears that a person has their chat now.
            let told = vec![notice::chat_taken(s.user_id, id)];
            notices::send(o, &Stream::Account(s.user_id), told, now).await
        }
    }
}

/// The agent who took a session answers in it.
pub(crate) async fn agent_reply<C: Conn>(
    o: &mut Tx<'_, C>,
    actor: &Actor,
    id: &str,
    body: &str,
    now: Timestamp,
) -> Result<()> {
    let s = locked(o, id).await?.ok_or_else(not_found)?;
    if s.status == ChatStatus::Active {
        return Err(not_found());
    }
    if !s.may_reply(actor) {
        return Err(StoreError::conflict(
            "chat_not_taken",
            "请先接手这个对话再回复",
            "take this chat before replying in it",
        ));
    }
    add_turn(o, id, ChatRole::Agent, Some(actor.id), body, now).await
}
