-- Principals may now be folders of the owner's resource directory, which stand for every
-- account under them now and later, so the accounts a share reaches are resolved and kept
-- apart in share_recipients (rewritten whenever principals or folder members change).
CREATE TABLE share_principals_v2 (
    share_id TEXT NOT NULL REFERENCES resource_shares (id),
    kind TEXT NOT NULL CHECK (kind IN ('account', 'project', 'folder')),
    principal_id TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (share_id, kind, principal_id)
);
INSERT INTO share_principals_v2 (share_id, kind, principal_id, added_at)
    SELECT share_id, kind, principal_id, added_at FROM share_principals;

CREATE TABLE share_recipients (
    share_id TEXT NOT NULL REFERENCES resource_shares (id),
    recipient_account_id TEXT NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (share_id, recipient_account_id)
);
CREATE INDEX share_recipients_by_account ON share_recipients (recipient_account_id);
INSERT INTO share_recipients (share_id, recipient_account_id)
    SELECT DISTINCT share_id, recipient_account_id FROM share_principals;

DROP TABLE share_principals;
ALTER TABLE share_principals_v2 RENAME TO share_principals;

CREATE INDEX folders_by_parent ON folders (parent_id);
CREATE INDEX directory_members_by_folder ON directory_members (folder_id);

-- "Restore Data to New Cluster": a durable job. The new cluster's id is chosen when the
-- restore is asked for, so a job retried after a restart writes the same place once.
CREATE TABLE restores (
    id TEXT PRIMARY KEY,
    backup_id TEXT NOT NULL REFERENCES backups (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    project_id TEXT NOT NULL REFERENCES projects (id),
    resource_id TEXT NOT NULL UNIQUE,
    resource_name TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    detail TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX restores_by_status ON restores (status);
CREATE INDEX restores_by_account ON restores (account_id, created_at);
