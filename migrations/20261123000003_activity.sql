-- The activity log: who did what to which share, when, with what outcome. The owner and
-- the recipient each see the lines that name their account.
CREATE TABLE activity (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    -- NULL when the system did it (expiry, revocation).
    actor_email TEXT,
    owner_account_id TEXT NOT NULL REFERENCES accounts (id),
    recipient_account_id TEXT REFERENCES accounts (id),
    share_name TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    -- "Done", or the sentence a refusal gave.
    outcome TEXT NOT NULL
);
CREATE INDEX activity_by_owner ON activity (owner_account_id, at);
CREATE INDEX activity_by_recipient ON activity (recipient_account_id, at);
