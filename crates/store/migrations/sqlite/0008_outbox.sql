-- The outbox: every message a change causes (a webhook to the marketplace, an e-mail), written in
-- the change's own transaction and delivered at least once by the dispatcher. A message's id
-- (msg_…) is derived from what caused it, so receivers drop repeats; one row per destination.
CREATE TABLE webhook_endpoints (
    id               INTEGER PRIMARY KEY,
    url              TEXT NOT NULL,
    description      TEXT NOT NULL,
    event_types      TEXT NOT NULL,          -- ' complaint.filed remedy.due ' (spaces around each)
    enabled          INTEGER NOT NULL DEFAULT 1,
    secret           BLOB NOT NULL,         -- sealed with the server's webhook key, never plain
    old_secret       BLOB,                  -- the secret before the last rotation…
    old_secret_until INTEGER,                   -- …still signed with until then (ms)
    disabled_reason  TEXT,                   -- why the dispatcher disabled it (a receiver's 410)
    disabled_at      INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    msg_id           TEXT NOT NULL,
    channel          TEXT NOT NULL,          -- webhook | email
    destination      TEXT NOT NULL,          -- the endpoint's URL, the address
    endpoint_id      INTEGER REFERENCES webhook_endpoints(id),
    type             TEXT NOT NULL,
    payload          TEXT NOT NULL,          -- the exact body sent (and signed)
    status           TEXT NOT NULL,          -- pending | delivered | dead
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    retry_from       INTEGER NOT NULL,         -- retries go on for policy's retry_for from here
    lease_until      INTEGER,                   -- claimed by a dispatcher until then
    last_status      INTEGER,                   -- the receiver's HTTP status (or SMTP code)
    last_response    TEXT,                   -- a short snippet of the answer or the error
    created_at       INTEGER NOT NULL,
    delivered_at     INTEGER,
    UNIQUE (msg_id, channel, destination)
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_dead ON outbox (endpoint_id, id) WHERE status = 'dead';

-- Every attempt at a webhook delivery, for the endpoint's delivery log.
CREATE TABLE webhook_attempts (
    id           INTEGER PRIMARY KEY,
    endpoint_id  INTEGER NOT NULL REFERENCES webhook_endpoints(id),
    outbox_id    INTEGER NOT NULL REFERENCES outbox(id),
    attempt      INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    status       INTEGER,                       -- the HTTP status, none when no answer came
    ok           INTEGER NOT NULL,
    response     TEXT NOT NULL,
    duration_ms  INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, id);
