-- A deleted resource share (DeleteResourceShare): its recipients are cancelled as by
-- "Cancel Sharing", and the share leaves the dialog and the API's lists. The row stays,
-- so My Shares can still show the recipients while they are Revoking.
ALTER TABLE resource_shares ADD COLUMN deleted_at BIGINT;
