-- A vault's contents are paged newest first from a cursor: each side of the page (own
-- backups kept in the vault, copies it holds) walks an index by vault and time.
CREATE INDEX backups_by_vault_time ON backups (vault_id, created_at, id);
CREATE INDEX copies_by_vault_time ON copies (vault_id, created_at, grant_id);
-- A backup's Share List pages through the shares holding it, newest first; the index
-- by backup alone is its prefix.
CREATE INDEX share_backups_by_backup_time ON share_backups (backup_id, added_at, share_id);
DROP INDEX share_backups_by_backup;
