-- Accounts an operator enabled sharing for. Read only when the deployment makes sharing
-- opt-in (BACKSHARE_SHARING_OPT_IN), as the database source's beta did ("submit a ticket").
CREATE TABLE sharing_enabled (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id),
    enabled_at BIGINT NOT NULL
);
