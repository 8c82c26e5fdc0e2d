-- Service accounts: the marketplace's machines (its order system, its payment system). Each is a
-- `users` row of role `service` (no password: it never signs in) with the scopes its keys carry.
CREATE TABLE service_accounts (
    user_id    INTEGER PRIMARY KEY REFERENCES users(id),
    scopes     TEXT NOT NULL,              -- space-separated, e.g. "orders:write remedies:write"
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);

-- API keys: only the SHA-256 of a key is kept; `prefix` is its first characters, to tell keys
-- apart on the admin page.
CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES service_accounts(user_id),
    key_hash     TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_keys_account ON api_keys (account_id);

-- Marketplace writes by Idempotency-Key, per service account: the request's hash and the first
-- answer, kept until `expires_at` (the deadline loop deletes them after).
CREATE TABLE idempotency_keys (
    account_id   INTEGER NOT NULL REFERENCES service_accounts(user_id),
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
