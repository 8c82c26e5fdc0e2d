-- The in-product inbox: one row per notification a user is sent, written in the transaction of
-- the event (or the deadline reminder) that causes it. `params` is the small JSON the title and
-- sentence are rendered from (never a person's identity); `subject` is the stream it is about.
CREATE TABLE notifications (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    params     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at    BIGINT
);
-- A user's newest first, and their unread ones (the header's count).
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id, id) WHERE read_at IS NULL;

-- What users are sent things in, and where e-mail goes.
ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh';
ALTER TABLE users ADD COLUMN email TEXT;

-- The next reminder before a pending deadline (NULL: none left). Claimed by moving it on, so
-- each is sent once whatever node sends it; a deadline met or cancelled is no longer pending.
ALTER TABLE timers ADD COLUMN remind_at BIGINT;
CREATE INDEX timers_remind ON timers(remind_at) WHERE status = 'pending' AND remind_at IS NOT NULL;
ALTER TABLE subject_timers ADD COLUMN remind_at BIGINT;
CREATE INDEX subject_timers_remind ON subject_timers(remind_at) WHERE status = 'pending' AND remind_at IS NOT NULL;
