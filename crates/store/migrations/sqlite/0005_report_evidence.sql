-- Files attached to a report (举报) by whoever may see it: the reporter's proof, staff forwarding
-- a call, the merchant's counter-notice to an IP notice. The bytes live in the blob store, by hash.
CREATE TABLE report_evidence (
    report_id    INTEGER NOT NULL REFERENCES reports(id),
    sha256       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    filename     TEXT,
    uploaded_by  INTEGER NOT NULL REFERENCES users(id),
    at           INTEGER NOT NULL,
    PRIMARY KEY (report_id, sha256)
);
