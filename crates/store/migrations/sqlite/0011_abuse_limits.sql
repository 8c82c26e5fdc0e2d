-- Upload quotas count a person's files over both evidence tables at every upload.
CREATE INDEX evidence_uploaded_by ON evidence(uploaded_by, size);
CREATE INDEX report_evidence_uploaded_by ON report_evidence(uploaded_by, size);
