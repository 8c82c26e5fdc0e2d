-- The public jury (大众评审, docs/jury.md): volunteers opt in; a panel is drawn for a complaint
-- in protection review, its jurors vote within a deadline (a subject_timers row `jury:ID`), and
-- each juror's agreement with the complaint's final outcome is recorded once it is known.
ALTER TABLE users ADD COLUMN juror_since BIGINT;
CREATE INDEX users_jurors ON users(juror_since) WHERE juror_since IS NOT NULL;

CREATE TABLE juries (
    id             BIGSERIAL PRIMARY KEY,
    complaint_id   BIGINT NOT NULL REFERENCES complaints(id),
    shop_id        TEXT NOT NULL REFERENCES shops(id),
    state          TEXT NOT NULL DEFAULT 'open',  -- open | decided | returned | dissolved
    size           BIGINT NOT NULL,
    quorum         BIGINT NOT NULL,
    partial_remedy TEXT,                          -- JSON remedy a `partial` verdict gives, or NULL
    seed           TEXT NOT NULL,                 -- hex; with the recorded pool, re-runs the draw
    sent_by        BIGINT NOT NULL REFERENCES users(id),
    created_at     BIGINT NOT NULL,
    vote_until     BIGINT NOT NULL,
    closed_at      BIGINT,
    decision       TEXT,                          -- the verdict's outcome when decided
    final_decision TEXT,                          -- the complaint's final outcome, once known
    scored_at      BIGINT
);
CREATE INDEX juries_complaint ON juries(complaint_id);
CREATE INDEX juries_open_shop ON juries(shop_id) WHERE state = 'open';

CREATE TABLE jury_seats (
    jury_id  BIGINT NOT NULL REFERENCES juries(id),
    user_id  BIGINT NOT NULL REFERENCES users(id),
    outcome  TEXT,
    reason   TEXT,
    voted_at BIGINT,
    left_at  BIGINT,
    agreed   BIGINT,                             -- 1/0 once the final outcome is known
    PRIMARY KEY (jury_id, user_id)
);
CREATE INDEX jury_seats_user ON jury_seats(user_id, jury_id);
