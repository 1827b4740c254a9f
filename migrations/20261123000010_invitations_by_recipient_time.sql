-- "Shared With Me" pages through an account's pending invitations newest first, from a
-- cursor: the index gives that order without sorting every invitation the account holds.
CREATE INDEX invitations_by_recipient_time ON invitations (recipient_account_id, status, created_at, id);
-- Its answered invitations, newest answer first.
CREATE INDEX invitations_by_recipient_answer ON invitations (recipient_account_id, answered_at, id);
