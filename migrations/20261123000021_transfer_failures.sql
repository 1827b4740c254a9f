-- Why a copy or a restore failed is stored as a word (`model::TransferFailure`), so the
-- pages say it in their reader's language; the sentences stored before become their word.
UPDATE copies SET failure = CASE
    WHEN failure LIKE '%bytes are gone%' THEN 'source_gone'
    WHEN failure LIKE 'verification failed: the original%' THEN 'source_changed'
    WHEN failure LIKE 'verification failed: the copy%' THEN 'written_mismatch'
    WHEN failure LIKE '%could not be read back%' THEN 'unreadable'
    ELSE 'storage'
END
WHERE failure IS NOT NULL;
UPDATE restores SET detail = CASE
    WHEN detail LIKE '%bytes are gone%' THEN 'source_gone'
    WHEN detail LIKE 'the restored bytes%' THEN 'written_mismatch'
    WHEN detail LIKE 'the backup''s bytes do not match%' THEN 'source_changed'
    WHEN detail LIKE 'the backup could not be decrypted%' THEN 'undecryptable'
    WHEN detail LIKE '%storage error%' THEN 'storage'
    ELSE 'fault'
END
WHERE detail IS NOT NULL;
