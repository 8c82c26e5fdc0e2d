-- Service accounts: the marketplace's machines (its order system, its payment system). Each is a
-- `users` row of role `service` (no password: it never signs in) with the scopes its keys carry.
CREATE TABLE service_accounts (
    user_id    BIGINT PRIMARY KEY REFERENCES users(id),
    scopes     TEXT NOT NULL,              -- space-separated, e.g. "orders:write remedies:write"
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);

-- API keys: only the SHA-256 of a key is kept; `prefix` is its first characters, to tell keys
-- apart on the admin page.
CREATE TABLE api_keys (
    id           BIGSERIAL PRIMARY KEY,
    account_id   BIGINT NOT NULL REFERENCES service_accounts(user_id),
    key_hash     TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_keys_account ON api_keys (account_id);

-- Marketplace writes by Idempotency-Key, per service account: the request's hash and the first
-- answer, kept until `expires_at` (the deadline loop deletes them after).
CREATE TABLE idempotency_keys (
    account_id   BIGINT NOT NULL REFERENCES service_accounts(user_id),
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       BIGINT NOT NULL,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
