-- The invitations an owner sent are read by owner, newest first (the API's PRINCIPAL
-- associations, paged). The owner is the share's; it is copied onto each invitation so
-- that one index serves those pages, whatever else the owner holds.
ALTER TABLE invitations ADD COLUMN owner_account_id TEXT NOT NULL DEFAULT '';
UPDATE invitations SET owner_account_id =
    (SELECT s.owner_account_id FROM resource_shares s WHERE s.id = invitations.share_id);
CREATE INDEX invitations_by_owner_time ON invitations (owner_account_id, created_at, id);

-- Whether an invitation still holds an active (or revoking) grant is asked for every row
-- of those listings (and of the received ones); without this index SQLite's planner may
-- walk every active grant by status instead (seen in EXPLAIN QUERY PLAN).
CREATE INDEX grants_by_invitation ON grants (invitation_id, status);
