-- A vault's contents are paged newest first from a cursor: each side of the page (own
-- backups kept in the vault, copies it holds) walks an index by vault and time.
CREATE INDEX backups_by_vault_time ON backups (vault_id, created_at, id);
CREATE INDEX copies_by_vault_time ON copies (vault_id, created_at, grant_id);
-- A backup's Share List pages through the shares holding it, newest first; the index
-- by backup alone is its prefix.
CREATE INDEX share_backups_by_backup_time ON share_backups (backup_id, added_at, share_id);
DROP INDEX share_backups_by_backup;
-- "Shared With Me" pages what an account received by when it received it, newest first,
-- on an index by recipient and that time (ordering by the backup's time sorted every
-- grant of the account for one page).
ALTER TABLE grants ADD COLUMN granted_at BIGINT;
UPDATE grants SET granted_at = updated_at;
CREATE INDEX grants_by_recipient_time ON grants (recipient_account_id, granted_at, id);
