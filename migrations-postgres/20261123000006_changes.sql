-- PostgreSQL's text of migrations/20261123000006_changes.sql (SQLite's AUTOINCREMENT has
-- no portable spelling). On PostgreSQL the feed is carried by LISTEN/NOTIFY; the table
-- exists so both schemas stay the same.
CREATE TABLE changes (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id TEXT NOT NULL,
    at BIGINT NOT NULL
);
