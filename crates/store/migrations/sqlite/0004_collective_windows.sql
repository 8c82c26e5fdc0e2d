-- Collective assignment compares a new complaint with every complaint of the shop's window,
-- held in memory per node and caught up from here by a per-shop sequence (seq, assigned under
-- the shop's lock): one row written a filing instead of a signature and 64 LSH bucket rows.
ALTER TABLE complaint_signatures ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
UPDATE complaint_signatures SET seq = complaint_id;
CREATE UNIQUE INDEX complaint_signatures_shop_seq ON complaint_signatures(shop_id, seq);
DROP INDEX complaint_signatures_subject;
DROP TABLE complaint_bands;
