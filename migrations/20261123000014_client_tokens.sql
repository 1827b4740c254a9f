-- The answers of API requests that named a client token (RAM's `clientToken`), kept a day,
-- so a retried request is answered as the first was instead of running twice.
CREATE TABLE client_tokens (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    token TEXT NOT NULL,
    operation TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, token)
);
