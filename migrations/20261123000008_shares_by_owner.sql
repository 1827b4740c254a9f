-- "My Shares" pages through an account's resource shares newest first.
CREATE INDEX resource_shares_by_owner ON resource_shares (owner_account_id, created_at, id);
