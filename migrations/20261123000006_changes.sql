-- The push feed: one row per account whose pages should refresh, written in the same
-- transaction as the change itself (so a page that refetches sees it). The server tails
-- this table by `seq` and pushes to the pages of those accounts; old rows are pruned.
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL,
    at BIGINT NOT NULL
);
