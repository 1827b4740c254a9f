-- An Activity line's detail, typed where it says more than ids (the JSON of
-- `backshare::model::ActivityNote`): the page says it in its reader's language, `detail`
-- keeps the English. NULL for lines of ids only, and for lines written before.
ALTER TABLE activity ADD COLUMN note TEXT;
