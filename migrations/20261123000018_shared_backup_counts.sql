-- Rule 9's usage of each account, kept on its row: the distinct backups its resource shares
-- hold, and the cluster backups among them. A backup's first share_backups row adds one;
-- those rows are never deleted (a deleted share keeps them, and still counts), so the
-- counts only grow. Checking a share then reads one row instead of counting every backup
-- of every share the account ever made.
ALTER TABLE accounts ADD COLUMN shared_backups BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN shared_cluster_backups BIGINT NOT NULL DEFAULT 0;
UPDATE accounts SET
    shared_backups = (
        SELECT COUNT(DISTINCT b.id) FROM share_backups sb
        JOIN resource_shares s ON s.id = sb.share_id
        JOIN backups b ON b.id = sb.backup_id
        WHERE s.owner_account_id = accounts.id),
    shared_cluster_backups = (
        SELECT COUNT(DISTINCT b.id) FROM share_backups sb
        JOIN resource_shares s ON s.id = sb.share_id
        JOIN backups b ON b.id = sb.backup_id
        WHERE s.owner_account_id = accounts.id AND b.kind = 'cluster_backup');
