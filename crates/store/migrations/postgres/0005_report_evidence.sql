-- Files attached to a report (举报) by whoever may see it: the reporter's proof, staff forwarding
-- a call, the merchant's counter-notice to an IP notice. The bytes live in the blob store, by hash.
CREATE TABLE report_evidence (
    report_id    BIGINT NOT NULL REFERENCES reports(id),
    sha256       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    filename     TEXT,
    uploaded_by  BIGINT NOT NULL REFERENCES users(id),
    at           BIGINT NOT NULL,
    PRIMARY KEY (report_id, sha256)
);
