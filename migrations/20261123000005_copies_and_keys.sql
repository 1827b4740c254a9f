-- Copy grants: server and disk backups are copied into a vault the recipient owns. The row
-- reserves the backup's size in that vault from the moment it is created (statuses
-- 'copying' and 'available' hold space), so two accepts racing for the last free space of
-- one vault cannot both succeed: both check and insert inside one write transaction.
CREATE TABLE copies (
    grant_id TEXT PRIMARY KEY REFERENCES grants (id),
    vault_id TEXT NOT NULL REFERENCES vaults (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    backup_id TEXT NOT NULL REFERENCES backups (id),
    status TEXT NOT NULL CHECK (status IN ('copying', 'available', 'failed', 'deleting', 'deleted')),
    size_bytes BIGINT NOT NULL,
    copied_bytes BIGINT NOT NULL DEFAULT 0,
    failure TEXT,
    -- Which attempt runs, and until when its worker holds it (a worker that dies lets the
    -- lease lapse and another attempt starts; a stale worker cannot finish a newer one).
    attempt INTEGER NOT NULL DEFAULT 0,
    lease_until BIGINT,
    -- Encrypted backups (rule 5): the backup's data key, wrapped for the recipient's
    -- account because the owner granted it in the share dialog.
    wrapped_key TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX copies_by_vault ON copies (vault_id, status);
CREATE INDEX copies_by_status ON copies (status, lease_until);
CREATE INDEX copies_by_backup ON copies (backup_id);

-- Rule 5: the owner ticked "grant the decryption key" when adding an encrypted backup.
ALTER TABLE share_backups ADD COLUMN key_granted BOOLEAN NOT NULL DEFAULT FALSE;

-- Encryption at rest: one key per account, stored wrapped by the deployment's master key;
-- an encrypted backup's own data key, wrapped by its owner's account key.
CREATE TABLE account_keys (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id),
    wrapped_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
ALTER TABLE backups ADD COLUMN wrapped_key TEXT;
-- The SHA-256 of the bytes as stored (ciphertext for encrypted backups); `sha256` stays
-- the checksum of the content a restore must reproduce.
ALTER TABLE backups ADD COLUMN stored_sha256 TEXT;
UPDATE backups SET stored_sha256 = sha256;

-- Restores now also create disks and servers, from a backup or from a received copy.
ALTER TABLE restores ADD COLUMN kind TEXT NOT NULL DEFAULT 'cluster' CHECK (kind IN ('server', 'disk', 'cluster'));
ALTER TABLE restores ADD COLUMN copy_grant_id TEXT REFERENCES grants (id);
