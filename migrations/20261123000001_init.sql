-- Backshare's records. Portable SQL: timestamps are Unix milliseconds (BIGINT), ids TEXT,
-- so the same statements run on SQLite and PostgreSQL.

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    site TEXT NOT NULL CHECK (site IN ('international', 'china'))
);

CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    region TEXT NOT NULL
);
CREATE INDEX projects_by_account ON projects (account_id, region);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer'))
);

CREATE TABLE directories (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    management_account_id TEXT NOT NULL UNIQUE REFERENCES accounts (id),
    auto_accept BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE folders (
    id TEXT PRIMARY KEY,
    directory_id TEXT NOT NULL REFERENCES directories (id),
    parent_id TEXT REFERENCES folders (id),
    name TEXT NOT NULL
);

-- An account belongs to at most one directory, at its root (folder_id NULL) or in a folder.
CREATE TABLE directory_members (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id),
    directory_id TEXT NOT NULL REFERENCES directories (id),
    folder_id TEXT REFERENCES folders (id)
);

CREATE TABLE resources (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    project_id TEXT NOT NULL REFERENCES projects (id),
    region TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('server', 'disk', 'cluster')),
    name TEXT NOT NULL,
    -- Clusters only: TDE or disk encryption (rule 5).
    encrypted BOOLEAN NOT NULL DEFAULT FALSE,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    released_at BIGINT
);

CREATE TABLE vaults (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    region TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('server', 'disk')),
    name TEXT NOT NULL,
    capacity_bytes BIGINT NOT NULL CHECK (capacity_bytes > 0)
);

CREATE TABLE backups (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    resource_id TEXT NOT NULL REFERENCES resources (id),
    vault_id TEXT REFERENCES vaults (id),
    region TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('server_backup', 'disk_backup', 'cluster_backup', 'file_backup')),
    name TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    encrypted BOOLEAN NOT NULL DEFAULT FALSE,
    level INTEGER CHECK (level IN (1, 2)),
    lock_reason TEXT CHECK (lock_reason IN ('restoring', 'converting')),
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    deleted_at BIGINT,
    -- Server and disk backups live in a vault; cluster and file backups do not.
    CHECK ((kind IN ('server_backup', 'disk_backup')) = (vault_id IS NOT NULL))
);
CREATE INDEX backups_by_account ON backups (account_id, created_at);

CREATE TABLE resource_shares (
    id TEXT PRIMARY KEY,
    owner_account_id TEXT NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    scope TEXT NOT NULL CHECK (scope IN ('all_accounts', 'directory')),
    created_at BIGINT NOT NULL,
    UNIQUE (owner_account_id, name)
);

CREATE TABLE share_backups (
    share_id TEXT NOT NULL REFERENCES resource_shares (id),
    backup_id TEXT NOT NULL REFERENCES backups (id),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (share_id, backup_id)
);
CREATE INDEX share_backups_by_backup ON share_backups (backup_id);

-- A principal as the owner added it; recipient_account_id is the account it resolves to.
CREATE TABLE share_principals (
    share_id TEXT NOT NULL REFERENCES resource_shares (id),
    kind TEXT NOT NULL CHECK (kind IN ('account', 'project')),
    principal_id TEXT NOT NULL,
    recipient_account_id TEXT NOT NULL REFERENCES accounts (id),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (share_id, kind, principal_id)
);

CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    share_id TEXT NOT NULL REFERENCES resource_shares (id),
    recipient_account_id TEXT NOT NULL REFERENCES accounts (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'expired', 'cancelled')),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    answered_at BIGINT,
    UNIQUE (share_id, recipient_account_id)
);
CREATE INDEX invitations_by_recipient ON invitations (recipient_account_id, status);
CREATE INDEX invitations_pending_by_deadline ON invitations (status, expires_at);

CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    invitation_id TEXT NOT NULL REFERENCES invitations (id),
    backup_id TEXT NOT NULL REFERENCES backups (id),
    recipient_account_id TEXT NOT NULL REFERENCES accounts (id),
    status TEXT NOT NULL CHECK (status IN ('active', 'revoking', 'revoked', 'lost')),
    revoke_at BIGINT,
    updated_at BIGINT NOT NULL,
    UNIQUE (invitation_id, backup_id),
    CHECK ((status = 'revoking') <= (revoke_at IS NOT NULL))
);
CREATE INDEX grants_by_recipient ON grants (recipient_account_id, status);
CREATE INDEX grants_revoking_by_deadline ON grants (status, revoke_at);
