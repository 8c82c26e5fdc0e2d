-- weiquan's first schema on PostgreSQL: the same tables as on SQLite. Times are integer
-- milliseconds since the Unix epoch (UTC), money is integer fen, JSON is TEXT (hashed as written).
-- Forward-only: later changes add migrations, never edit this one.

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    password_hash TEXT,            -- NULL: mirrored account that cannot sign in yet
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,   -- SHA-256 of the bearer token; the token itself is never kept
    user_id    BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE shops (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    merchant_id   BIGINT NOT NULL REFERENCES users(id),
    commitments   TEXT NOT NULL,
    search_weight DOUBLE PRECISION NOT NULL DEFAULT 1.0,
    status        TEXT NOT NULL DEFAULT 'open',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX shops_merchant ON shops(merchant_id);

CREATE TABLE orders (
    order_no     TEXT PRIMARY KEY,
    buyer_id     BIGINT NOT NULL REFERENCES users(id),
    shop_id      TEXT NOT NULL REFERENCES shops(id),
    items        TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    paid_at      BIGINT NOT NULL,
    shipped_at   BIGINT,
    delivered_at BIGINT
);
CREATE INDEX orders_buyer ON orders(buyer_id, paid_at);
CREATE INDEX orders_shop ON orders(shop_id, paid_at);

CREATE TABLE complaints (
    id                 BIGSERIAL PRIMARY KEY,
    order_no           TEXT NOT NULL REFERENCES orders(order_no),
    consumer_id        BIGINT NOT NULL REFERENCES users(id),
    shop_id            TEXT NOT NULL REFERENCES shops(id),
    filed_by           BIGINT NOT NULL REFERENCES users(id),
    product            TEXT NOT NULL,
    category           TEXT NOT NULL,
    incident_at        BIGINT NOT NULL,
    description        TEXT NOT NULL,
    claim              TEXT NOT NULL,
    channel            TEXT NOT NULL,
    state              TEXT NOT NULL,
    tier               TEXT NOT NULL,
    major              BOOLEAN NOT NULL,
    assignee_id        BIGINT REFERENCES users(id),
    collective_case_id BIGINT,
    progress           TEXT NOT NULL,
    order_snapshot     TEXT NOT NULL,
    deadline_at        BIGINT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX complaints_consumer ON complaints(consumer_id, id);
CREATE INDEX complaints_shop ON complaints(shop_id, id);
CREATE INDEX complaints_state ON complaints(state, deadline_at);
-- One complaint at a time per order: a new one only once the last is closed or withdrawn.
CREATE UNIQUE INDEX complaints_one_active_per_order ON complaints(order_no)
    WHERE state NOT IN ('closed', 'withdrawn');

CREATE TABLE messages (
    id           BIGSERIAL PRIMARY KEY,
    complaint_id BIGINT NOT NULL REFERENCES complaints(id),
    author_id    BIGINT NOT NULL REFERENCES users(id),
    author_role  TEXT NOT NULL,
    body         TEXT NOT NULL,
    at           BIGINT NOT NULL
);
CREATE INDEX messages_complaint ON messages(complaint_id, id);

CREATE TABLE evidence (
    complaint_id BIGINT NOT NULL REFERENCES complaints(id),
    sha256       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    filename     TEXT,
    uploaded_by  BIGINT REFERENCES users(id),   -- NULL: frozen by the platform (order snapshot)
    inline_data  BYTEA,                            -- small platform records live in the database
    at           BIGINT NOT NULL,
    PRIMARY KEY (complaint_id, sha256)
);

-- Append-only, one hash chain per stream ("complaint:ID", "case:ID", "shop:ID").
CREATE TABLE events (
    id        BIGSERIAL PRIMARY KEY,
    stream    TEXT NOT NULL,
    seq       BIGINT NOT NULL,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    data      TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    UNIQUE (stream, seq)
);

CREATE TABLE timers (
    id           BIGSERIAL PRIMARY KEY,
    complaint_id BIGINT NOT NULL REFERENCES complaints(id),
    kind         TEXT NOT NULL,
    due_at       BIGINT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending',   -- pending | fired | cancelled
    fired_at     BIGINT
);
CREATE INDEX timers_pending ON timers(due_at) WHERE status = 'pending';
CREATE INDEX timers_complaint ON timers(complaint_id) WHERE status = 'pending';

CREATE TABLE cases (
    id         BIGSERIAL PRIMARY KEY,
    kind       TEXT NOT NULL,      -- violation | collective | ip
    shop_id    TEXT NOT NULL REFERENCES shops(id),
    state      TEXT NOT NULL,      -- open | investigating | sanctioned | dismissed
    title      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX cases_shop ON cases(shop_id, state);

CREATE TABLE case_members (
    case_id      BIGINT NOT NULL REFERENCES cases(id),
    complaint_id BIGINT NOT NULL REFERENCES complaints(id),
    reason       TEXT NOT NULL,
    added_by     BIGINT REFERENCES users(id),
    at           BIGINT NOT NULL,
    PRIMARY KEY (case_id, complaint_id)
);

CREATE TABLE violations (
    id           BIGSERIAL PRIMARY KEY,
    shop_id      TEXT NOT NULL REFERENCES shops(id),
    complaint_id BIGINT REFERENCES complaints(id),
    case_id      BIGINT REFERENCES cases(id),
    kind         TEXT NOT NULL,
    points       BIGINT NOT NULL,
    reason       TEXT NOT NULL,
    at           BIGINT NOT NULL
);
CREATE INDEX violations_shop ON violations(shop_id, at);

CREATE TABLE penalties (
    id            BIGSERIAL PRIMARY KEY,
    shop_id       TEXT NOT NULL REFERENCES shops(id),
    violation_id  BIGINT NOT NULL REFERENCES violations(id),
    penalty       TEXT NOT NULL,
    search_weight DOUBLE PRECISION,
    starts_at     BIGINT NOT NULL,
    ends_at       BIGINT,
    reason        TEXT NOT NULL,
    appeal        TEXT
);
CREATE INDEX penalties_shop ON penalties(shop_id, starts_at);
