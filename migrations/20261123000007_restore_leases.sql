-- Restores are claimed like copies: one attempt at a time holds a restore until its lease
-- lapses, so on several instances each runs once and a dead worker's is taken over.
ALTER TABLE restores ADD COLUMN attempt BIGINT NOT NULL DEFAULT 0;
ALTER TABLE restores ADD COLUMN lease_until BIGINT;
