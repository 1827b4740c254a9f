-- A refused attempt's reason, typed (the JSON of `backshare::error::Reason`), beside the
-- English sentence in `outcome` that scripts read: the Activity page says it in its
-- reader's language. NULL for lines that were not refused, and for lines written before.
ALTER TABLE activity ADD COLUMN reason TEXT;
