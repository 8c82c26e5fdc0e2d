-- Tiers 2 and 3: statistics columns, reports, subject deadlines, case outcomes, the penalty
-- ladder's bookkeeping, shipping promises.

-- Set once by the write path, read by GET /stats.
ALTER TABLE complaints ADD COLUMN resolved_at BIGINT;
ALTER TABLE complaints ADD COLUMN reached_mediation BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE complaints ADD COLUMN reached_protection BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX complaints_created ON complaints(created_at);

-- 举报: consumers and rights holders report a shop; a report opens or joins a tier-3 case.
CREATE TABLE reports (
    id          BIGSERIAL PRIMARY KEY,
    reporter_id BIGINT NOT NULL REFERENCES users(id),
    filed_by    BIGINT NOT NULL REFERENCES users(id),
    shop_id     TEXT NOT NULL REFERENCES shops(id),
    kind        TEXT NOT NULL,      -- fake_transactions | credit_hyping | ip_infringement
    description TEXT NOT NULL,
    order_no    TEXT,
    listing     TEXT,
    channel     TEXT NOT NULL,
    case_id     BIGINT NOT NULL REFERENCES cases(id),
    state       TEXT NOT NULL,      -- received | taken_down | counter_noticed | restored | upheld | closed
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX reports_case ON reports(case_id);
CREATE INDEX reports_reporter ON reports(reporter_id, id);
CREATE INDEX reports_shop ON reports(shop_id, id);

-- Deadlines of things other than complaints: a penalty's end, an IP counter-notice's 15 days,
-- a case's evidence request. Claimed like complaint timers (FOR UPDATE SKIP LOCKED on PostgreSQL).
CREATE TABLE subject_timers (
    id       BIGSERIAL PRIMARY KEY,
    subject  TEXT NOT NULL,         -- penalty:ID | report:ID | case:ID
    kind     TEXT NOT NULL,
    due_at   BIGINT NOT NULL,
    status   TEXT NOT NULL DEFAULT 'pending',
    fired_at BIGINT
);
CREATE INDEX subject_timers_pending ON subject_timers(due_at) WHERE status = 'pending';
-- At most one pending deadline of a kind per subject (a scheduled job is seeded by every node).
CREATE UNIQUE INDEX subject_timers_one_pending ON subject_timers(subject, kind) WHERE status = 'pending';

-- What a case is about (a brushing block, a collective issue) and its published outcome.
ALTER TABLE cases ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
ALTER TABLE cases ADD COLUMN outcome TEXT;
-- A brushing block's accounts and shops, hashed: the same block found again is not a new case.
ALTER TABLE cases ADD COLUMN fingerprint TEXT;
CREATE INDEX cases_fingerprint ON cases(fingerprint) WHERE fingerprint IS NOT NULL;
CREATE INDEX cases_state ON cases(state, id);

ALTER TABLE violations ADD COLUMN order_no TEXT;
ALTER TABLE violations ADD COLUMN compensation_cents BIGINT;
-- A monitor records one violation of a kind per order (late shipment found twice is one).
CREATE UNIQUE INDEX violations_order_kind ON violations(order_no, kind) WHERE order_no IS NOT NULL;

ALTER TABLE penalties ADD COLUMN lifted_at BIGINT;

-- The shipping promise in force when the order was paid; the monitor sweeps what is past it.
ALTER TABLE orders ADD COLUMN ship_by BIGINT;
ALTER TABLE orders ADD COLUMN late_checked BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX orders_ship_by ON orders(ship_by) WHERE late_checked = FALSE AND ship_by IS NOT NULL;

-- Collective complaints: each filed complaint's MinHash signature (hex) and its LSH band keys,
-- so that a new complaint finds the same shop's recent complaints about the same issue; clusters
-- are connected components, merged as complaints join them (cluster = the earliest member's id).
CREATE TABLE complaint_signatures (
    complaint_id BIGINT PRIMARY KEY REFERENCES complaints(id),
    shop_id      TEXT NOT NULL,
    consumer_id  BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    signature    TEXT NOT NULL,
    -- The lexicon and hashing the signature was made with: only equal versions compare.
    version      BIGINT NOT NULL,
    -- The product and category (hashed): equal ones at one shop share an issue.
    subject_key  BIGINT NOT NULL,
    cluster_id   BIGINT NOT NULL
);
CREATE INDEX complaint_signatures_cluster ON complaint_signatures(cluster_id);
CREATE INDEX complaint_signatures_subject ON complaint_signatures(shop_id, subject_key, created_at);
-- Each LSH bucket (shop, band key) keeps its latest few complaints in a ring of slots, so that a
-- new complaint finds its candidates with one bounded lookup however big a wave grows. The row id
-- is the bucket's stable 60-bit hash × 8 + the slot (an integer key: SQLite's fastest table).
CREATE TABLE complaint_bands (
    id           BIGINT PRIMARY KEY,
    complaint_id BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
