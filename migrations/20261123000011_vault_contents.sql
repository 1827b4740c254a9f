-- A vault's contents are paged newest first from a cursor: each side of the page (own
-- backups kept in the vault, copies it holds) walks an index by vault and time.
CREATE INDEX backups_by_vault_time ON backups (vault_id, created_at, id);
CREATE INDEX copies_by_vault_time ON copies (vault_id, created_at, grant_id);
-- The Share List tab pages a backup's invitations newest first.
CREATE INDEX invitations_by_share_time ON invitations (share_id, created_at, id);
