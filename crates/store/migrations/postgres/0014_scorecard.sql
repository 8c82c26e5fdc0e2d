-- The public merchant scorecard (docs/scorecard.md): what it reads of each complaint, kept on
-- the row by the write path so that a shop's scorecard is one range read of one index (no walk
-- of events or timers per complaint, no join to its orders).
ALTER TABLE complaints ADD COLUMN reply_due_at BIGINT;      -- the merchant_reply deadline set at filing
ALTER TABLE complaints ADD COLUMN first_answer_at BIGINT;   -- the shop's first accept/propose/reject
ALTER TABLE complaints ADD COLUMN reply_ended_at BIGINT;    -- when it left awaiting_merchant
ALTER TABLE complaints ADD COLUMN ruling TEXT;              -- consumer protection's latest decision
ALTER TABLE complaints ADD COLUMN ruled_at BIGINT;
ALTER TABLE complaints ADD COLUMN order_paid_at BIGINT;    -- the complained-of order's payment, set at filing

-- Complaints filed before this migration, from their timers, events and progress.
UPDATE complaints SET order_paid_at = (SELECT o.paid_at FROM orders o WHERE o.order_no = complaints.order_no);
UPDATE complaints SET reply_due_at = (
    SELECT MIN(t.due_at) FROM timers t WHERE t.complaint_id = complaints.id AND t.kind = 'merchant_reply');
UPDATE complaints SET first_answer_at = (
    SELECT MIN(e.at) FROM events e JOIN shops s ON s.id = complaints.shop_id
    WHERE e.stream = 'complaint:' || CAST(complaints.id AS TEXT)
      AND e.kind IN ('accepted', 'proposed', 'rejected')
      AND e.actor = 'user:' || CAST(s.merchant_id AS TEXT));
UPDATE complaints SET reply_ended_at = (
    SELECT MIN(e.at) FROM events e
    WHERE e.stream = 'complaint:' || CAST(complaints.id AS TEXT)
      AND e.kind IN ('accepted', 'proposed', 'rejected', 'taken_over', 'withdrawn', 'merchant_reply_lapsed', 'case_ruled'))
WHERE state <> 'awaiting_merchant';
UPDATE complaints SET
    ruling = (progress::jsonb #>> '{resolution,decision}'),
    ruled_at = (SELECT MAX(e.at) FROM events e
                WHERE e.stream = 'complaint:' || CAST(complaints.id AS TEXT) AND e.kind IN ('ruled', 'case_ruled'))
WHERE (progress::jsonb #>> '{resolution,by}') = 'ruling'
  AND (progress::jsonb #>> '{resolution,decision}') IS NOT NULL;

-- A shop's complaints by filing time with every column the scorecard reads (a covering index:
-- an index-only scan), and by ruling time for the rulings in a window.
CREATE INDEX complaints_shop_created ON complaints(shop_id, created_at) INCLUDE (reply_due_at, first_answer_at,
    reply_ended_at, resolved_at, reached_mediation, reached_protection, ruling, ruled_at, order_paid_at, order_no);
CREATE INDEX complaints_shop_ruled ON complaints(shop_id, ruled_at) WHERE ruled_at IS NOT NULL;
