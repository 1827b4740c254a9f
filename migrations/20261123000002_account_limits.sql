-- Rule 9: the shared-cluster-backup limit can be raised per account by an operator
-- (`backshare-server raise-limit`). Accounts without a row use the deployment setting.
CREATE TABLE account_limits (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id),
    shared_cluster_backups BIGINT NOT NULL CHECK (shared_cluster_backups > 0)
);
