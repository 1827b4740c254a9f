-- Access keys for the API (SigV4): each acts as its user. The secret is sealed with the
-- deployment's master key, since verifying a signature needs it in the clear.
CREATE TABLE access_keys (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_sealed TEXT NOT NULL,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX access_keys_by_user ON access_keys (user_id, created_at);
