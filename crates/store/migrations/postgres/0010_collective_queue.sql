-- Complaints awaiting collective assignment: a filing writes its row here, in its own
-- transaction; the drain (right after the filing commits on its node, and in every node's
-- deadline loop) takes a shop's rows in filing order under the shop's lock, assigns them to
-- their waves and deletes them in one transaction. A crash leaves them here for the next drain.
CREATE TABLE collective_queue (
    complaint_id BIGINT PRIMARY KEY REFERENCES complaints(id),
    shop_id      TEXT NOT NULL
);
CREATE INDEX collective_queue_shop ON collective_queue(shop_id, complaint_id);
