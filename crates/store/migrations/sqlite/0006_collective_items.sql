-- A complaint about the goods themselves is about one order item: the same words about two items
-- are two issues. The item's key (NULL for the shop's conduct and counterfeits) bounds the words
-- path of collective assignment. Rows written before this carry an older signature version and
-- are signed again, item key included, from their complaints when a window reads them.
ALTER TABLE complaint_signatures ADD COLUMN item_key INTEGER;
