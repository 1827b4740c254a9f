-- Rule 9's reach of each backup, kept counted (`store::reach`): the accounts a backup's
-- resource shares reach, with the project principals that reach them ('' when the account
-- is reached as a whole), each with the number of shares that do. Counting a backup's
-- recipients reads these rows instead of walking every share that ever held the backup.
CREATE TABLE backup_reach (
    backup_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    shares BIGINT NOT NULL,
    PRIMARY KEY (backup_id, account_id, project_id)
);
INSERT INTO backup_reach (backup_id, account_id, project_id, shares)
SELECT c.backup_id, c.account_id, c.project_id, COUNT(*)
FROM (
    SELECT DISTINCT sb.share_id, sb.backup_id, sr.recipient_account_id AS account_id,
           COALESCE(p.id, '') AS project_id
    FROM share_backups sb
    JOIN share_recipients sr ON sr.share_id = sb.share_id
    LEFT JOIN share_principals sp ON sp.share_id = sb.share_id AND sp.kind = 'project'
    LEFT JOIN projects p ON p.id = sp.principal_id AND p.account_id = sr.recipient_account_id
) c
GROUP BY c.backup_id, c.account_id, c.project_id;
