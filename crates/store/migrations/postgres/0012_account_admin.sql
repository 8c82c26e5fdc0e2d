-- An admin disables an account (it can no longer sign in; its sessions and API keys stop) and
-- finds accounts by name and role.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
CREATE INDEX users_role ON users(role, id);
