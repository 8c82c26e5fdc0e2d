-- 客服小蜜's sessions: the dialogue's state (JSON owned by the assistant crate) and every turn,
-- so that any node, and a restart, carries a conversation on. Handed-over sessions form the
-- tier-1 agents' chat queue.
CREATE TABLE chat_sessions (
    id             TEXT PRIMARY KEY,            -- random, 32 hex digits
    user_id        BIGINT NOT NULL REFERENCES users(id),
    status         TEXT NOT NULL,               -- active | handed_over | taken
    state          TEXT NOT NULL,               -- the dialogue's JSON
    version        BIGINT NOT NULL,            -- bumped by every save of the state
    turns          BIGINT NOT NULL DEFAULT 0,  -- the last turn's seq
    agent_id       BIGINT REFERENCES users(id),
    complaint_id   BIGINT REFERENCES complaints(id),
    report_id      BIGINT REFERENCES reports(id),
    handed_over_at BIGINT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX chat_sessions_user ON chat_sessions(user_id, updated_at);
CREATE INDEX chat_sessions_queue ON chat_sessions(status, handed_over_at);

CREATE TABLE chat_turns (
    session_id TEXT NOT NULL REFERENCES chat_sessions(id),
    seq        BIGINT NOT NULL,
    role       TEXT NOT NULL,                   -- consumer | assistant | agent
    author_id  BIGINT REFERENCES users(id),    -- NULL for the assistant
    body       TEXT NOT NULL,
    at         BIGINT NOT NULL,
    PRIMARY KEY (session_id, seq)
);
