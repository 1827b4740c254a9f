-- The per-account cap on copies waiting or under way counts them by account and status.
CREATE INDEX copies_by_account ON copies (account_id, status);
