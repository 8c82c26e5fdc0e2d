-- A complaint about the goods themselves is about one order item: the same words about two items
-- are two issues. The item's key (NULL for the shop's conduct and counterfeits, and for rows
-- written before this, whose words decide as before) bounds the words path of collective assignment.
ALTER TABLE complaint_signatures ADD COLUMN item_key INTEGER;
